"""Reads of the joint-punishment list, scoped to the user (``Listing.objects.for_user``): the ledger
with its filters, one listing with what its page shows, the overview's counts and the enterprise's
and the case's listings."""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from anxin.core.access import get_scoped_or_404
from anxin.credit.models import Listing, ListingStatus, RemovalApplication, RemovalStatus, TaskStatus
from anxin.credit.services.listing import remind_until
from anxin.credit.workflow import LISTING_LABELS

# "申辩期将满": the defence period ends within this many days (today included).


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def listing_list(
    *,
    user: Any,
    q: str = "",
    status: str = "",
    condition: str = "",
    town: str = "",
    origin: str = "",
    due: str = "",
    enterprise: Any = None,
    today: datetime.date | None = None,
) -> QuerySet[Listing]:
    """The ledger: search by enterprise name, credit code or number; by status, condition, town,
    origin; ``due``: ``defence`` (the defence period ends within the district's reminder window, ``case.remind_working_days``) or
    ``term`` (a listing in force whose term ends this month)."""
    today = today or timezone.localdate()
    rows = Listing.objects.for_user(user).select_related("enterprise__town")
    if q:
        rows = rows.filter(
            Q(enterprise__name__icontains=q) | Q(enterprise__uscc__iexact=q.upper()) | Q(number__icontains=q)
        )
    if status:
        rows = rows.filter(status=status)
    if condition:
        rows = rows.filter(condition=condition)
    if town:
        rows = rows.filter(enterprise__town__code=town)
    if origin:
        rows = rows.filter(origin=origin)
    if enterprise is not None:
        rows = rows.filter(enterprise=enterprise)
    if due == "defence":
        rows = rows.filter(
            status=ListingStatus.NOTICED,
            defence_due__gte=today,
            defence_due__lte=remind_until(today),
        )
    elif due == "term":
        rows = rows.filter(status=ListingStatus.LISTED, term_end__gte=today, term_end__lte=month_end(today))
    return rows.order_by("-proposed_at", "-pk")


def listing_get(*, user: Any, pk: int) -> Listing:
    """One listing the user may see (else 404)."""
    return get_scoped_or_404(
        Listing.objects.select_related(
            "enterprise__town", "case", "proposed_by", "decided_by", "service_proof"
        ),
        user,
        pk=pk,
    )


def listing_page(listing: Listing) -> dict:
    """What the listing's page lists: the timeline, the persons, the defences, the removals."""
    events = list(listing.events.select_related("actor").order_by("at", "pk"))
    statuses = dict(ListingStatus.choices) | dict(RemovalStatus.choices) | dict(TaskStatus.choices)
    for e in events:
        e.label = LISTING_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
        e.moved = (  # type: ignore[attr-defined]
            f"{statuses.get(e.from_status, e.from_status)} → {statuses.get(e.to_status, e.to_status)}"
            if e.from_status
            else ""
        )
    return {
        "events": events,
        "persons": list(listing.persons.order_by("role", "pk")),
        "defences": list(
            listing.defences.select_related("recorded_by", "answered_by", "paper").order_by(
                "received_on", "pk"
            )
        ),
        "removals": list(
            listing.removals.select_related("pledge", "decided_by").order_by("applied_on", "pk")
        ),
    }


def overview_counts(*, user: Any, today: datetime.date | None = None) -> dict:
    """The overview's cards: defence periods ending soon, decisions due (period over, not decided),
    terms ending this month, removal applications pending (and how many overdue)."""
    today = today or timezone.localdate()
    mine = Listing.objects.for_user(user)
    removals = RemovalApplication.objects.filter(status=RemovalStatus.PENDING, listing__in=mine.values("pk"))
    return {
        "defence_soon": listing_list(user=user, due="defence", today=today).count(),
        "decisions_due": mine.filter(status=ListingStatus.NOTICED, defence_due__lt=today).count(),
        "proposed": mine.filter(status=ListingStatus.PROPOSED).count(),
        "terms_ending": listing_list(user=user, due="term", today=today).count(),
        "removals": removals.count(),
        "removals_overdue": removals.filter(due_on__lt=today).count(),
    }


def enterprise_listings(*, user: Any, enterprise: Any) -> list[Listing]:
    return list(
        Listing.objects.for_user(user).filter(enterprise=enterprise).order_by("-proposed_at", "-pk")[:20]
    )


def case_listings(*, user: Any, case: Any) -> list[Listing]:
    return list(Listing.objects.for_user(user).filter(case=case).order_by("-proposed_at", "-pk"))
