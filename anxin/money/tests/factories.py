"""Test helpers for money: a case closed with an amount paid, a mediation with its schedule."""

from __future__ import annotations

import datetime

from django.utils import timezone

from anxin.cases import actions, services
from anxin.cases.tests.factories import open_case


def closed_case(enterprise, *, actor, amount_paid=12_000_000, **kw):
    """A case opened for ¥120,000 and closed as 全额清偿 with ``amount_paid`` fen paid."""
    case = open_case(enterprise, actor=actor, **kw)
    return services.case_close(
        actor=actor, case=case, outcome="paid", amount_paid=amount_paid, note="企业已全额支付"
    )


def mediation(enterprise, *, lead):
    """A mediation on a new case of ``enterprise`` requested by the lead unit (handled by 司法局)."""
    case = open_case(enterprise, actor=lead)
    return actions.action_request(actor=lead, case=case, kind="mediation")


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)
