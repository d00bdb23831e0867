"""The same worker put on a project's roster twice at once, and the same worker's leave recorded twice
at once, on PostgreSQL with real threads (one connection each), over the API: one wins, the other is
a 409 and writes nothing — the project's row lock, the open-entry unique constraint and the guarded
leave see to it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from anxin.core.audit import system_actor
from anxin.core.tests.helpers import at_once
from anxin.sites.models import RosterEntry
from anxin.sites.tests.factories_roster import add, days_ago, id_number, site

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two requests never race",
    ),
]


def _api(user: Any, times: int) -> list:
    from rest_framework.test import APIClient

    from anxin.org.services import token_issue

    key = token_issue(actor=system_actor(), user=user)
    clients = [APIClient() for _i in range(times)]
    for client in clients:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return clients


@pytest.mark.django_db(transaction=True)
def test_the_same_worker_added_twice_at_once_is_on_the_roster_once(district, chengjian):
    s = site()
    body = {
        "name": "张三",
        "id_number": id_number(1),
        "phone": "13800000001",
        "employer": s.gc.uscc,
        "start_date": days_ago(3).isoformat(),
    }
    url = f"/api/v1/projects/{s.project.pk}/workers"
    answers = at_once(_api(chengjian, 2), lambda c: c.post(url, body, format="json"))
    assert sorted(getattr(a, "status_code", repr(a)) for a in answers) == [201, 409], answers
    assert RosterEntry.objects.filter(project=s.project).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_leave_recorded_twice_at_once_is_recorded_once(district, chengjian):
    s = site()
    entry = add(s, 1, start_date=days_ago(10))
    url = f"/api/v1/projects/{s.project.pk}/workers/{entry.pk}/leave"
    days = [days_ago(1).isoformat(), days_ago(2).isoformat()]
    answers = at_once(_api(chengjian, 2), lambda c: c.post(url, {"leave_date": days.pop()}, format="json"))
    assert sorted(getattr(a, "status_code", repr(a)) for a in answers) == [200, 409], answers
    entry.refresh_from_db()
    assert entry.leave_date is not None
