"""Reads of money that other pages use: what has been paid on each case, a legal action's
payment schedule."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Count, F, Sum, When
from django.utils import timezone

from anxin.cases.models import Case, LegalAction
from anxin.money.models import Instalment, Payment

CHUNK = 500  # ids per query: well under SQLite's limit on bound parameters


def paid_by_case(case_ids: Iterable[int]) -> dict[int, int]:
    """``seam.CASE_PAID``: fen paid so far on each of these cases (entries less reversals); a case
    with no entry is absent. One query per 500 cases."""
    ids = sorted(set(case_ids))
    signed = _signed()
    totals: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        rows = (
            Payment.objects.filter(case_id__in=ids[start : start + CHUNK])
            .order_by()
            .values("case_id")
            .annotate(total=Sum(signed))
            .values_list("case_id", "total")
        )
        totals.update((case_id, int(total or 0)) for case_id, total in rows)
    return totals


def _signed() -> models.Case:
    """An entry counts positively, a reversal negatively."""
    return models.Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount"))


def arrears_summary(*, user: Any, today: datetime.date | None = None) -> dict:
    """The cockpit's amounts (§四(六)), within the user's scope: the arrears registered on open cases
    and what has been paid on them so far, and what was paid this year on any case — three
    aggregate queries, however many cases."""
    today = today or timezone.localdate()
    cases = Case.objects.for_user(user)
    open_cases = cases.open()
    owed = open_cases.aggregate(n=Count("pk"), owed=Sum("amount_claimed"))
    paid_open = Payment.objects.filter(case__in=open_cases.values("pk")).aggregate(total=Sum(_signed()))
    paid_year = Payment.objects.filter(
        case__in=cases.values("pk"), paid_on__gte=datetime.date(today.year, 1, 1), paid_on__lte=today
    ).aggregate(total=Sum(_signed()))
    owed_fen, paid_fen = int(owed["owed"] or 0), int(paid_open["total"] or 0)
    return {
        "year": today.year,
        "open": owed["n"],
        "owed": owed_fen,
        "paid": paid_fen,
        "outstanding": max(owed_fen - paid_fen, 0),
        "paid_rate": round(paid_fen * 100 / owed_fen) if owed_fen else None,
        "paid_year": int(paid_year["total"] or 0),
    }


def schedule(action: LegalAction) -> list[Instalment]:
    """The payment schedule of a legal action, by date."""
    return list(Instalment.objects.filter(action=action).order_by("due_on", "pk"))
