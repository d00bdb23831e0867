"""Test helpers for workers' claims and payments: valid ID numbers, a claim row as typed, claims
registered (and confirmed) on a case, a payment today."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from anxin.cases.models import Case
from anxin.core.validators import id_check_digit
from anxin.money import services as money
from anxin.money.models import Claim, Payment
from anxin.money.services import ClaimInput
from anxin.org.models import User


def id_number(n: int) -> str:
    """A valid 18-digit ID number, different for each ``n`` (born 1990-01-01 in 常州新北)."""
    first17 = "32041119900101" + f"{n:03d}"
    return first17 + id_check_digit(first17)


def months_ago(n: int) -> datetime.date:
    """The first day of the month ``n`` months before this one."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - n
    return datetime.date(index // 12, index % 12 + 1, 1)


def row(n: int = 1, *, amount: int = 1_000_000, **kw: Any) -> ClaimInput:
    """Worker ``n``'s claim as typed: three months up to last month, ¥10,000, by the wage ledger."""
    values: dict[str, Any] = {
        "name": f"工人{n}",
        "id_number": id_number(n),
        "period_from": months_ago(3),
        "period_to": months_ago(1),
        "amount": amount,
        "basis": "wage_ledger",
        "phone": "",
    }
    values.update(kw)
    return ClaimInput(**values)


def claims(
    case: Case, *, actor: User, amounts: Sequence[int] = (1_000_000, 2_000_000), start: int = 1
) -> list[Claim]:
    """Claims for len(amounts) workers on ``case`` registered by ``actor`` (numbered from ``start``)."""
    rows = [row(start + i, amount=a) for i, a in enumerate(amounts)]
    return money.claims_register(actor=actor, case=case, rows=rows)


def confirmed(
    case: Case,
    *,
    actor: User,
    confirmer: User,
    amounts: Sequence[int] = (1_000_000, 2_000_000),
    start: int = 1,
) -> list[Claim]:
    """Claims registered by ``actor`` and confirmed at their claimed amounts by ``confirmer``."""
    made = claims(case, actor=actor, amounts=amounts, start=start)
    money.claims_confirm(actor=confirmer, case=case)
    for claim in made:
        claim.refresh_from_db()
    return made


def pay(claim: Claim, amount: int, *, actor: User, source: str = "employer", **kw: Any) -> Payment:
    """A payment to ``claim`` today."""
    return money.payment_record(
        actor=actor, claim=claim, amount=amount, paid_on=timezone.localdate(), source=source, **kw
    )
