"""Two draws racing for the last of a deposit's balance, on PostgreSQL with real threads (one connection
each), over the API: one wins, the other is refused and writes nothing — the deposit's row lock and the
ledger's numbering (``seq`` unique per deposit, balance never below zero) see to it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from anxin.core.audit import system_actor
from anxin.core.tests.helpers import at_once
from anxin.sites.models import DepositDraw, DepositEvent
from anxin.sites.tests.factories_deposits import case_with_grounds, held, with_contract

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
def test_two_draws_for_the_last_of_the_balance_one_wins(world, chengjian, luoxi, renshe):
    site = with_contract(world.luoxi_project)
    deposit = held(site, chengjian, amount=400_000)  # ¥4,000 held; each draw asks ¥3,000
    case, _claims = case_with_grounds(site, luoxi=luoxi, renshe=renshe, amounts=(300_000, 300_000))
    url = f"/api/v1/deposits/{deposit.pk}/draws"
    answers = at_once(
        _api(chengjian, 2), lambda c: c.post(url, {"case": case.pk, "amount": "3000.00"}, format="json")
    )
    statuses = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert statuses == [201, 409], answers
    assert DepositDraw.objects.count() == 1
    assert DepositEvent.objects.filter(deposit=deposit, kind="draw").count() == 1
