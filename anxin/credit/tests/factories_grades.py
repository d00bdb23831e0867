"""Records the grade rules read, made directly (the grades part reads them, it does not make them):
legal actions on a case at a chosen status and date, incidents, a listing decided 列入 and moved through
``workflow.LISTING`` (the listing part's services are not needed to grade), a year's grade."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from anxin.cases.models import Case, Incident, LegalAction
from anxin.cases.tests.factories import open_case
from anxin.core.audit import system_actor
from anxin.credit import workflow
from anxin.credit.models import (
    Condition,
    EnterpriseGrade,
    GradeYear,
    Listing,
    ListingOrigin,
)
from anxin.org.models import Unit

_numbers = itertools.count(1)
TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


def case_for(enterprise: Any, *, mass: bool = False) -> Case:
    """The enterprise's open case (one is opened when it has none)."""
    case = Case.objects.filter(enterprise=enterprise).exclude(stage="closed").first() or open_case(enterprise)
    if mass:
        Case.objects.filter(pk=case.pk).update(mass_incident=True)
        case.refresh_from_db()
    return case


def action(
    case: Case,
    kind: str,
    on: datetime.date,
    *,
    status: str = "open",
    completed: datetime.date | None = None,
    reference: str = "",
) -> LegalAction:
    """An order to pay, a penalty or a referral on ``case``, issued (made) on ``on``."""
    return LegalAction.objects.create(
        case=case,
        kind=kind,
        unit=Unit.objects.get(code="hrss"),
        route_basis="测试",
        status=status,
        requested_at=at(on),
        requested_by=system_actor(),
        reference=reference or f"新人社监〔{on.year}〕{next(_numbers)}号",
        issued_on=on if kind in ("order", "penalty") else None,
        pay_by=on + datetime.timedelta(days=10) if kind == "order" else None,
        amount=1_000_000 if kind in ("order", "penalty") else 0,
        completed_at=at(completed) if completed else None,
    )


def incident(case: Case, kind: str, on: datetime.date, *, serious: bool = False) -> Incident:
    return Incident.objects.create(
        case=case,
        kind=kind,
        occurred_at=at(on),
        place="厂区门口",
        people=30 if kind == "mass" else 0,
        serious=serious,
        command_post="镇政府",
        measures="疏导",
        recorded_at=at(on, 18),
        recorded_by=system_actor(),
    )


def listed(
    enterprise: Any,
    *,
    start: datetime.date,
    end: datetime.date | None = None,
    actor: Any = None,
) -> Listing:
    """A listing decided 列入 with its term, moved 拟列入 → 告知 → 列入 through ``workflow.LISTING``."""
    actor = actor or system_actor()
    end = end or start.replace(year=start.year + 3) - datetime.timedelta(days=1)
    listing = Listing.objects.create(
        number=f"XBSX-T{next(_numbers):05d}",
        enterprise=enterprise,
        condition=Condition.ORDER_THRESHOLD,
        origin=ListingOrigin.MANUAL,
        reasons="拒不履行责令支付，数额达到犯罪标准",
        proposed_by=actor,
    )
    workflow.LISTING.move(
        listing,
        workflow.LISTING.step(listing, workflow.SERVE),
        actor=actor,
        values={"notice_served_on": start - datetime.timedelta(days=20)},
    )
    workflow.LISTING.move(
        listing,
        workflow.LISTING.step(listing, workflow.LIST),
        actor=actor,
        note="决定列入",
        values={"decided_on": start, "decided_by": actor, "term_start": start, "term_end": end},
    )
    return listing


def graded(enterprise: Any, year: int, grade: str = "A", *, computed: str | None = None) -> EnterpriseGrade:
    grade_year, _ = GradeYear.objects.get_or_create(year=year, defaults={"computed_at": timezone.now()})
    return EnterpriseGrade.objects.create(
        year=grade_year, enterprise=enterprise, grade=grade, computed=computed or grade, evidence=[]
    )
