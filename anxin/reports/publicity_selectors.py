"""Reads of publicity activities, scoped to the user (``PublicityActivity.objects.for_user``: the office
and the leaders see every unit's, a unit its own): the ledger with its filters, one activity, and the
counts by unit (and kind) for a period — withdrawn activities are never counted."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from anxin.core.access import get_scoped_or_404
from anxin.org.models import Unit
from anxin.reports.models import PublicityActivity, PublicityKind


def publicity_list(
    *,
    user: Any,
    q: str = "",
    unit: str = "",
    kind: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    withdrawn: str = "",
) -> QuerySet[PublicityActivity]:
    """The ledger: by unit (code), kind, date range, text; ``withdrawn``: ``yes`` only the withdrawn,
    ``no`` only those counted (default: all)."""
    rows = PublicityActivity.objects.for_user(user).select_related("unit", "recorded_by")
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(place__icontains=q) | Q(description__icontains=q))
    if unit:
        rows = rows.filter(unit__code=unit)
    if kind:
        rows = rows.filter(kind=kind)
    if date_from:
        rows = rows.filter(date__gte=date_from)
    if date_to:
        rows = rows.filter(date__lte=date_to)
    if withdrawn == "yes":
        rows = rows.filter(withdrawn=True)
    elif withdrawn == "no":
        rows = rows.filter(withdrawn=False)
    return rows.order_by("-date", "-pk")


def publicity_get(*, user: Any, pk: int) -> PublicityActivity:
    return get_scoped_or_404(
        PublicityActivity.objects.select_related("unit", "recorded_by").prefetch_related("photos"),
        user,
        pk=pk,
    )


def counts_by_unit(
    activities: QuerySet[PublicityActivity], start: datetime.date, end: datetime.date
) -> dict[int, dict]:
    """``{unit_id: {activities, audience, materials, kinds: {kind: n}}}`` over ``start`` … ``end``
    (inclusive), withdrawn activities left out — one grouped query."""
    found: dict[int, dict] = {}
    grouped = (
        activities.filter(withdrawn=False, date__gte=start, date__lte=end)
        .order_by()
        .values("unit_id", "kind")
        .annotate(n=Count("pk"), audience=Sum("audience"), materials=Sum("materials"))
    )
    for row in grouped:
        entry = found.setdefault(
            row["unit_id"], {"activities": 0, "audience": 0, "materials": 0, "kinds": {}}
        )
        entry["activities"] += row["n"]
        entry["audience"] += row["audience"] or 0
        entry["materials"] += row["materials"] or 0
        entry["kinds"][row["kind"]] = row["n"]
    return found


def publicity_counts(*, user: Any, start: datetime.date, end: datetime.date, units: list[Unit]) -> list[dict]:
    """One row per unit of ``units`` the user sees (every unit for the office): the unit, its counts
    over the period and by kind (in ``PublicityKind`` order), then a total row."""
    counts = counts_by_unit(PublicityActivity.objects.for_user(user), start, end)
    rows = []
    for unit in units:
        entry = counts.get(unit.pk, {"activities": 0, "audience": 0, "materials": 0, "kinds": {}})
        rows.append(
            {
                "unit": unit,
                "activities": entry["activities"],
                "audience": entry["audience"],
                "materials": entry["materials"],
                "kinds": [entry["kinds"].get(k, 0) for k in PublicityKind.values],
            }
        )
    total = {
        "unit": None,
        "activities": sum(r["activities"] for r in rows),
        "audience": sum(r["audience"] for r in rows),
        "materials": sum(r["materials"] for r in rows),
        "kinds": [sum(r["kinds"][i] for r in rows) for i in range(len(PublicityKind.values))],
    }
    return [*rows, total]


def recording_units(user: Any) -> list[Unit]:
    """The units whose activities the user's counts table lists: every member department and town
    for the office and the leaders; the user's own unit otherwise."""
    from anxin.core.access import scope_of

    if scope_of(user).everything:
        return list(
            Unit.objects.filter(is_member=True, kind__in=["department", "town_government"]).order_by(
                "kind", "order", "code"
            )
        )
    unit_id = getattr(user, "unit_id", None)
    return list(Unit.objects.filter(pk=unit_id)) if unit_id else []
