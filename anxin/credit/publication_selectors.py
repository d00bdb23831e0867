"""Reads of the publication of major violations, scoped for the screens, the exports and the API.

Who reads what: 人社局 and the office (``access.may_publish``) read every entry; every other reader of
credit reads a draft's entries of the enterprises it sees (its town, its line) and every entry that has
been public. The public page reads only published entries within their dates (``public_entries``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from anxin.credit import access
from anxin.credit.models import (
    EntryStatus,
    ListedPerson,
    Listing,
    PublicationBatch,
    PublicationEntry,
    PublicationEvent,
    PublicListing,
)
from anxin.credit.services.publication import WAS_PUBLIC, public_filter
from anxin.registry.models import Enterprise


def entry_scope(user: Any) -> Q:
    if access.may_publish(user):
        return Q()
    return Q(status__in=WAS_PUBLIC) | Q(enterprise__in=Enterprise.objects.for_user(user).values("pk"))


def _counted(rows: QuerySet) -> QuerySet:
    return rows.annotate(
        total=Count("entries", distinct=True),
        pending=Count("entries", filter=Q(entries__status=EntryStatus.PENDING), distinct=True),
        kept=Count("entries", filter=Q(entries__status=EntryStatus.KEPT), distinct=True),
        removed=Count("entries", filter=Q(entries__status=EntryStatus.REMOVED), distinct=True),
        public=Count("entries", filter=Q(entries__status__in=WAS_PUBLIC), distinct=True),
    )


def batch_list(*, user: Any, q: str = "", status: str = "", year: int | None = None) -> QuerySet:
    rows = PublicationBatch.objects.select_related("drafted_by", "published_by")
    if q:
        rows = rows.filter(
            Q(number__icontains=q) | Q(entries__name__icontains=q) | Q(entries__uscc__icontains=q)
        ).distinct()
    if status:
        rows = rows.filter(status=status)
    if year:
        rows = rows.filter(period_start__year=year)
    return _counted(rows).order_by("-period_start", "-pk")


def batch_get(*, user: Any, pk: int) -> PublicationBatch:
    found = _counted(PublicationBatch.objects.filter(pk=pk)).select_related("drafted_by", "published_by")
    batch = found.first()
    if batch is None:
        raise Http404
    return batch


def entries_of(*, user: Any, batch: PublicationBatch) -> QuerySet:
    return (
        batch.entries.filter(entry_scope(user))
        .select_related("case", "enterprise", "reviewed_by")
        .order_by("name", "pk")
    )


def entry_get(*, user: Any, pk: int) -> PublicationEntry:
    entry = (
        PublicationEntry.objects.filter(entry_scope(user), pk=pk)
        .select_related("batch", "enterprise")
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def entry_list(
    *, user: Any, q: str = "", status: str = "", violation_class: str = "", batch: str = ""
) -> QuerySet:
    rows = PublicationEntry.objects.filter(entry_scope(user)).select_related("batch", "case", "reviewed_by")
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(uscc__icontains=q))
    if status:
        rows = rows.filter(status=status)
    if violation_class:
        rows = rows.filter(violation_class=violation_class)
    if batch:
        rows = rows.filter(batch__number=batch)
    return rows.order_by("-batch__period_start", "name", "pk")


def batch_export_rows(batch: PublicationBatch, *, user: Any) -> QuerySet:
    """What the official website publishes: the kept entries of a draft (the list as it stands), the
    published ones of a published batch — a draft's only as far as the user may see them (a town never
    exports another town's unpublished entries)."""
    status = EntryStatus.KEPT if batch.status == "draft" else EntryStatus.PUBLISHED
    return (
        batch.entries.filter(entry_scope(user), status=status)
        .select_related("batch", "case", "reviewed_by")
        .order_by("name", "pk")
    )


def events_of(batch: PublicationBatch, *, user: Any) -> QuerySet:
    """The batch's history, as far as the user may see its entries: a review note names the entry,
    its edited text and the reason for removing it."""
    events = PublicationEvent.objects.filter(batch=batch)
    if not access.may_publish(user):
        events = events.filter(
            Q(entry__isnull=True) | Q(entry__in=batch.entries.filter(entry_scope(user)).values("pk"))
        )
    return events.select_related("actor", "entry").order_by("-at", "-pk")


def enterprise_entries(*, user: Any, enterprise: Enterprise) -> list[PublicationEntry]:
    return list(
        PublicationEntry.objects.filter(entry_scope(user), enterprise=enterprise)
        .select_related("batch")
        .order_by("-batch__period_start", "pk")
    )


def public_entries(*, q: str = "", on: datetime.date | None = None) -> QuerySet:
    """The public page's entries: published and within their dates; searched by name or credit code."""
    on = on or timezone.localdate()
    rows = PublicationEntry.objects.filter(public_filter(on)).select_related("batch")
    q = (q or "").strip()
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(uscc__iexact=q.upper()) | Q(uscc__icontains=q.upper()))
    return rows.order_by("-published_on", "name", "pk")


def public_listings(*, q: str = "", on: datetime.date | None = None) -> QuerySet:
    """The public page's joint-punishment list: listings in force on ``on`` (a removed, revoked or
    expired listing is gone the same day), searched like the entries; the persons by name and role only
    — never an ID number. The page shows them a page at a time."""
    on = on or timezone.localdate()
    rows = (
        Listing.objects.in_force(on)
        .select_related("enterprise")
        .prefetch_related(
            Prefetch("persons", queryset=ListedPerson.objects.only("pk", "listing_id", "role", "name"))
        )
    )
    q = (q or "").strip()
    if q:
        rows = rows.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__icontains=q.upper()))
    return rows.order_by("-term_start", "pk")


@dataclass(frozen=True)
class PublicListingRow:
    """One listing as the public page prints it, read from the listing or from its public copy."""

    name: str
    uscc: str
    condition_label: str
    persons: list[tuple[str, str]]
    decision_reference: str
    decided_on: datetime.date | None
    term_start: datetime.date | None
    term_end: datetime.date | None


def public_listing_rows(items: Iterable[Listing | PublicListing]) -> list[PublicListingRow]:
    """The page's rows: from listings (the internal zone) or their copies (the internet zone)."""
    rows = []
    for item in items:
        if isinstance(item, PublicListing):
            rows.append(
                PublicListingRow(
                    name=item.name,
                    uscc=item.uscc,
                    condition_label=item.get_condition_display(),
                    persons=[(role, name) for role, name in item.persons],
                    decision_reference=item.decision_reference,
                    decided_on=item.decided_on,
                    term_start=item.term_start,
                    term_end=item.term_end,
                )
            )
        else:
            rows.append(
                PublicListingRow(
                    name=item.enterprise.name,
                    uscc=item.enterprise.uscc,
                    condition_label=item.get_condition_display(),
                    persons=[(p.get_role_display(), p.name) for p in item.persons.all()],
                    decision_reference=item.decision_reference,
                    decided_on=item.decided_on,
                    term_start=item.term_start,
                    term_end=item.term_end,
                )
            )
    return rows


def public_listing_copies(*, q: str = "", on: datetime.date | None = None) -> QuerySet:
    """``public_listings`` for the internet zone: the copies the tick wrote, whose term holds on ``on``."""
    on = on or timezone.localdate()
    rows = PublicListing.objects.filter(term_start__lte=on, term_end__gte=on)
    q = (q or "").strip()
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(uscc__icontains=q.upper()))
    return rows.order_by("-term_start", "listing_id")


def overview_counts(on: datetime.date | None = None) -> dict:
    on = on or timezone.localdate()
    drafts = list(_counted(PublicationBatch.objects.filter(status="draft")).order_by("-period_start")[:5])
    return {
        "drafts": drafts,
        "public_now": PublicationEntry.objects.filter(public_filter(on)).count(),
        "ending_soon": PublicationEntry.objects.filter(
            public_filter(on), visible_until__lte=on + datetime.timedelta(days=30)
        ).count(),
    }
