"""Reads of money that other pages use: what has been paid on each case, a legal action's
payment schedule."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import F, Sum, When

from anxin.cases.models import LegalAction
from anxin.money.models import Instalment, Payment

CHUNK = 500  # ids per query: well under SQLite's limit on bound parameters


def paid_by_case(case_ids: Iterable[int]) -> dict[int, int]:
    """``seam.CASE_PAID``: fen paid so far on each of these cases (entries less reversals); a case
    with no entry is absent. One query per 500 cases."""
    ids = sorted(set(case_ids))
    signed = models.Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount"))
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


def schedule(action: LegalAction) -> list[Instalment]:
    """The payment schedule of a legal action, by date."""
    return list(Instalment.objects.filter(action=action).order_by("due_on", "pk"))
