"""Identical case requests sent at the same moment, on PostgreSQL with real threads (one connection
each), over the API as the review sent them: four requests for the court's green channel make one
action (three are told 409), and the court's four identical steps make one step."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from anxin.cases import actions
from anxin.cases.models import ActionStep, LegalAction
from anxin.cases.tests.factories import open_case
from anxin.core.audit import system_actor
from anxin.core.tests.helpers import at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two requests never race",
    ),
]


def _api(user, times: int) -> list:
    from rest_framework.test import APIClient

    from anxin.org.services import token_issue

    key = token_issue(actor=system_actor(), user=user)
    clients = [APIClient() for _i in range(times)]
    for client in clients:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return clients


@pytest.mark.django_db(transaction=True)
def test_four_court_requests_at_once_make_one_action(world, office, luoxi):
    case = open_case(world.luoxi_factory, actor=office)
    url = f"/api/v1/cases/{case.pk}/actions/"
    answers = at_once(_api(luoxi, 4), lambda c: c.post(url, {"kind": "court"}, format="json"))
    statuses = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert statuses == [201, 409, 409, 409], answers
    assert LegalAction.objects.filter(case=case, kind="court").count() == 1
    refused = [a for a in answers if a.status_code == 409]
    assert all("本案已有办理中的“法院绿色通道”" in a.content.decode() for a in refused)


@pytest.mark.django_db(transaction=True)
def test_four_identical_steps_at_once_make_one_step(world, office, luoxi, fayuan):
    case = open_case(world.luoxi_factory, actor=office)
    court = actions.action_request(actor=luoxi, case=case, kind="court")
    url = f"/api/v1/case-actions/{court.pk}/steps/"
    step = {"step": "trial", "on": timezone.localdate().isoformat(), "note": "开庭审理"}
    answers = at_once(_api(fayuan, 4), lambda c: c.post(url, step, format="json"))
    statuses = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert statuses == [200, 409, 409, 409], answers
    assert ActionStep.objects.filter(action=court, step="trial").count() == 1
