"""Two approvals racing for the last money of a fund, on PostgreSQL with real threads (one connection
each), over the API: one wins, the other is refused and writes nothing — the fund's row lock and the
ledger's numbering (``seq`` unique per fund, balance never below zero) see to it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from anxin.cases.tests.factories import open_case
from anxin.core.audit import system_actor
from anxin.core.tests.helpers import at_once
from anxin.money import services
from anxin.money.models import Advance, FundEntry, Payment
from anxin.money.tests.funds_factories import asset_on, claims_on, fill, request_kwargs, town_fund

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


def _requested(world: Any, luoxi: Any, renshe: Any, *, separate: bool) -> Advance:
    case = open_case(world.luoxi_factory, actor=luoxi, separate=separate)
    claims = claims_on(case, actor=luoxi, amounts=[3_000_000], confirm_by=renshe)
    asset_on(case, actor=luoxi)
    return services.advance_request(actor=luoxi, **request_kwargs(case, town_fund(), claims))


@pytest.mark.django_db(transaction=True)
def test_two_approvals_for_the_last_money_one_wins_the_other_writes_nothing(world, luoxi, renshe, caizheng):
    fill(town_fund(), 900_000, actor=caizheng)  # ¥9,000: one advance of ¥9,000 (30% of ¥30,000)
    first = _requested(world, luoxi, renshe, separate=False)
    second = _requested(world, luoxi, renshe, separate=True)
    urls = [f"/api/v1/fund-advances/{a.pk}/approve" for a in (first, second)]
    answers = at_once(_api(caizheng, 2), lambda c: c.post(urls.pop(), {}, format="json"))
    statuses = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert statuses in ([200, 400], [200, 409]), answers
    refused = next(a for a in answers if a.status_code != 200)
    assert "余额" in refused.content.decode() or "同时" in refused.content.decode()
    assert Advance.objects.filter(status="approved").count() == 1
    assert Advance.objects.filter(status="submitted").count() == 1
    assert FundEntry.objects.filter(kind="advance").count() == 1
    assert services.funds.balance(town_fund()) == 0
    loser = Advance.objects.get(status="submitted")
    assert not Payment.objects.filter(case=loser.case).exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_advance_approved_twice_at_once_is_paid_once(world, luoxi, renshe, caizheng):
    fill(town_fund(), 10_000_000, actor=caizheng)
    advance = _requested(world, luoxi, renshe, separate=False)
    url = f"/api/v1/fund-advances/{advance.pk}/approve"
    answers = at_once(_api(caizheng, 2), lambda c: c.post(url, {}, format="json"))
    assert sorted(getattr(a, "status_code", repr(a)) for a in answers) == [200, 409], answers
    assert FundEntry.objects.filter(advance=advance, kind="advance").count() == 1
    assert Payment.objects.filter(case=advance.case).count() == 1
