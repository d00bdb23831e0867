"""Credit's parts of the file exchange across the zone boundary (anxin/core/exchange.py): what the
public page (失信名单和重大劳动保障违法行为公布) reads, sent whole to a portal host on its own database
with every status bundle — a listing lifted or an entry withdrawn is gone from the next bundle, so
from the portal.

- ``credit.listings``: the listings' public copies the tick keeps (``PublicListing``).
- ``credit.violations``: the published entries whose last day has not passed, with their batch and
  a bare enterprise row under each (the portal's database checks those references; it holds no
  enterprise of its own). ID-number-like runs are starred before they leave, as the page stars them.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from anxin.core import seam
from anxin.core.exchange import LoadContext, RowError, code_of, day, iso, items, moment, number, text
from anxin.credit.models import (
    BatchStatus,
    Condition,
    EntryStatus,
    PublicationBatch,
    PublicationEntry,
    PublicListing,
)
from anxin.credit.services.publication import mask_id_numbers
from anxin.org.models import Town
from anxin.registry.models import Enterprise, Industry, Ownership

LISTING_DAYS = ("decided_on", "term_start", "term_end")


def listings_export(*, since: dict, now: datetime.datetime) -> seam.ExportedPart:
    rows = [
        {
            "listing": c.listing_id,
            "name": c.name,
            "uscc": c.uscc,
            "condition": c.condition,
            "persons": c.persons,
            "decision_reference": c.decision_reference,
            **{name: iso(getattr(c, name)) for name in LISTING_DAYS},
            "refreshed_at": iso(c.refreshed_at),
        }
        for c in PublicListing.objects.order_by("listing_id")
    ]
    return seam.ExportedPart(rows)


def listings_load(rows: list[dict], *, context: LoadContext) -> int:
    copies = []
    for index, row in enumerate(rows):
        pk = number(row, "listing", record=f"第 {index + 1} 条失信名单")
        record = f"失信名单 #{pk}"
        condition = text(row, "condition", record=record)
        if condition not in Condition.values:
            raise RowError(record, "condition", f"不是列入情形：{condition}")
        persons = items(row, "persons", record=record)
        if not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(v, str) for v in p) for p in persons
        ):
            raise RowError(record, "persons", "每一项应为 [身份, 姓名]")
        copies.append(
            PublicListing(
                listing_id=pk,
                name=text(row, "name", record=record, blank=False, most=100),
                uscc=text(row, "uscc", record=record, most=18),
                condition=condition,
                persons=persons,
                decision_reference=text(row, "decision_reference", record=record, most=60),
                decided_on=day(row, "decided_on", record=record, optional=True),
                term_start=day(row, "term_start", record=record),
                term_end=day(row, "term_end", record=record),
                refreshed_at=moment(row, "refreshed_at", record=record),
            )
        )
    PublicListing.objects.all().delete()
    PublicListing.objects.bulk_create(copies, batch_size=1000)
    return len(copies)


PUBLIC_TEXTS = {"name": 100, "uscc": 18, "address": 200, "legal_rep": 50, "facts": None, "handling": None}


def violations_export(*, since: dict, now: datetime.datetime) -> seam.ExportedPart:
    today = timezone.localdate(now)
    entries = (
        PublicationEntry.objects.filter(status=EntryStatus.PUBLISHED, visible_until__gte=today)
        .select_related("batch", "enterprise__town")
        .order_by("pk")
    )
    rows = []
    for entry in entries:
        enterprise, batch = entry.enterprise, entry.batch
        rows.append(
            {
                "entry": entry.pk,
                "violation_class": entry.violation_class,
                **{name: _public(entry, name) for name in PUBLIC_TEXTS},
                "published_on": iso(entry.published_on),
                "visible_until": iso(entry.visible_until),
                "batch": {
                    "id": batch.pk,
                    "number": batch.number,
                    "period_start": iso(batch.period_start),
                    "period_end": iso(batch.period_end),
                    "published_on": iso(batch.published_on),
                },
                "enterprise": {
                    "id": enterprise.pk,
                    "uscc": enterprise.uscc,
                    "name": enterprise.name,
                    "town": enterprise.town.code,
                    "industry": enterprise.industry,
                    "ownership": enterprise.ownership,
                },
            }
        )
    return seam.ExportedPart(rows)


def _public(entry: PublicationEntry, name: str) -> str:
    value = getattr(entry, name)
    return value if name == "uscc" else mask_id_numbers(value)


def violations_load(rows: list[dict], *, context: LoadContext) -> int:
    """Replace the published entries, their batches and the bare enterprises under them."""
    towns = dict(Town.objects.values_list("code", "pk"))
    batches: dict[int, PublicationBatch] = {}
    enterprises: dict[int, Enterprise] = {}
    entries = []
    for index, row in enumerate(rows):
        pk = number(row, "entry", record=f"第 {index + 1} 条公布信息")
        record = f"重大违法行为公布信息 #{pk}"
        batch, enterprise = row.get("batch"), row.get("enterprise")
        if not isinstance(batch, dict):
            raise RowError(record, "batch", "应为批次记录")
        if not isinstance(enterprise, dict):
            raise RowError(record, "enterprise", "应为企业记录")
        batch_id = number(batch, "id", record=record)
        batches[batch_id] = PublicationBatch(
            pk=batch_id,
            number=text(batch, "number", record=record, blank=False, most=24),
            period_start=day(batch, "period_start", record=record),
            period_end=day(batch, "period_end", record=record),
            status=BatchStatus.PUBLISHED,
            drafted_by=context.actor,
            published_on=day(batch, "published_on", record=record, optional=True),
        )
        enterprise_id = number(enterprise, "id", record=record)
        town_id = code_of(towns, enterprise, "town", record=record)
        industry = text(enterprise, "industry", record=record)
        ownership = text(enterprise, "ownership", record=record)
        if town_id is None or industry not in Industry.values or ownership not in Ownership.values:
            raise RowError(record, "enterprise", "镇街、行业门类或经济类型不正确")
        enterprises[enterprise_id] = Enterprise(
            pk=enterprise_id,
            uscc=text(enterprise, "uscc", record=record, blank=False, most=18),
            name=text(enterprise, "name", record=record, blank=False, most=100),
            legal_rep="",
            town_id=town_id,
            address="",
            industry=industry,
            ownership=ownership,
        )
        entries.append(
            PublicationEntry(
                pk=pk,
                batch_id=batch_id,
                enterprise_id=enterprise_id,
                violation_class=text(row, "violation_class", record=record, blank=False, most=20),
                status=EntryStatus.PUBLISHED,
                published_on=day(row, "published_on", record=record),
                visible_until=day(row, "visible_until", record=record),
                **{name: text(row, name, record=record, most=most) for name, most in PUBLIC_TEXTS.items()},
            )
        )
    PublicationEntry.objects.all().delete()
    PublicationBatch.objects.all().delete()
    # Only the bare rows this part writes (no legal representative, no address: a registered
    # enterprise has both) — never an enterprise of a database that is not a portal host's.
    Enterprise.objects.filter(legal_rep="", address="").delete()
    Enterprise.objects.bulk_create(list(enterprises.values()))
    PublicationBatch.objects.bulk_create(list(batches.values()))
    PublicationEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)


PARTS = (
    seam.ExchangePart("credit.listings", "status", listings_export, listings_load),
    seam.ExchangePart("credit.violations", "status", violations_export, violations_load),
)
