"""Reads for the grades and objections screens, exports and API — each scoped by ``for_user`` (a grade
or an objection is seen by whoever sees its enterprise)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Case as Choose
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from anxin.cases.models import Case, Incident, LegalAction
from anxin.credit.models import (
    EnterpriseGrade,
    GradeChange,
    GradeYear,
    GradeYearStatus,
    Listing,
    Objection,
    ObjectionStatus,
)
from anxin.credit.services.objections import listing_url
from anxin.registry.models import Enterprise


def grade_years() -> list[GradeYear]:
    return list(GradeYear.objects.order_by("-year"))


def default_year() -> int:
    """The latest year computed, else the year under way."""
    latest = GradeYear.objects.order_by("-year").values_list("year", flat=True).first()
    return latest or timezone.localdate().year


def grade_list(
    *,
    user: Any,
    year: int | None = None,
    grade: str = "",
    town: str = "",
    confirmed: str = "",
    adjusted: bool = False,
    q: str = "",
) -> QuerySet[EnterpriseGrade]:
    """The year's grades the user may see: C first, then B, then A, by name."""
    rows = EnterpriseGrade.objects.for_user(user).select_related("enterprise__town", "year")
    rows = rows.filter(year__year=year or default_year())
    if grade:
        rows = rows.filter(grade=grade)
    if town:
        rows = rows.filter(enterprise__town__code=town)
    if confirmed == "yes":
        rows = rows.filter(year__status=GradeYearStatus.CONFIRMED)
    elif confirmed == "no":
        rows = rows.filter(year__status=GradeYearStatus.PROVISIONAL)
    if adjusted:
        rows = rows.filter(adjusted=True)
    if q:
        rows = rows.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__iexact=q))
    return rows.order_by("-grade", "enterprise__name", "pk")


def grade_counts(*, user: Any, year: int) -> dict[str, int]:
    """How many of the user's enterprises are A, B, C in ``year``."""
    rows = (
        EnterpriseGrade.objects.for_user(user).filter(year__year=year).values("grade").annotate(n=Count("pk"))
    )
    counts = {"A": 0, "B": 0, "C": 0}
    counts.update({row["grade"]: row["n"] for row in rows})
    return counts


def grade_of(*, user: Any, pk: int) -> EnterpriseGrade:
    return get_object_or_404(
        EnterpriseGrade.objects.for_user(user).select_related("enterprise__town", "year__confirmed_by"), pk=pk
    )


def evidence_lines(grade: EnterpriseGrade) -> list[dict]:
    """The grade's lines with the records behind each resolved to a name and a link (four queries)."""
    ids: dict[str, set[int]] = {"actions": set(), "incidents": set(), "cases": set(), "listings": set()}
    for line in grade.evidence:
        for key, found in (line.get("records") or {}).items():
            ids.setdefault(key, set()).update(found)
    actions = {a.pk: a for a in LegalAction.objects.filter(pk__in=ids["actions"]).select_related("case")}
    incidents = {i.pk: i for i in Incident.objects.filter(pk__in=ids["incidents"]).select_related("case")}
    cases = {c.pk: c for c in Case.objects.filter(pk__in=ids["cases"])}
    listings = {lst.pk: lst for lst in Listing.objects.filter(pk__in=ids["listings"])}
    lines = []
    for line in grade.evidence:
        records = line.get("records") or {}
        links: list[dict] = []
        for pk in records.get("actions", []):
            if a := actions.get(pk):
                day = a.issued_on or timezone.localdate(a.requested_at)
                links.append(
                    {
                        "label": f"{a.case.number} {a.get_kind_display()} {a.reference}".strip(),
                        "detail": f"{day:%Y-%m-%d} · {a.get_status_display()}",
                        "url": reverse("case-action", args=[a.pk]),
                    }
                )
        for pk in records.get("incidents", []):
            if i := incidents.get(pk):
                links.append(
                    {
                        "label": f"{i.case.number} {i.get_kind_display()}",
                        "detail": f"{timezone.localtime(i.occurred_at):%Y-%m-%d} · {i.place}",
                        "url": reverse("case-detail", args=[i.case_id]),
                    }
                )
        if not records.get("actions") and not records.get("incidents"):
            for pk in records.get("cases", []):
                if c := cases.get(pk):
                    links.append(
                        {
                            "label": c.number,
                            "detail": "案件标记群体性事件",
                            "url": reverse("case-detail", args=[c.pk]),
                        }
                    )
        for pk in records.get("listings", []):
            if lst := listings.get(pk):
                links.append(
                    {
                        "label": f"失信联合惩戒名单 {lst.number}",
                        "detail": f"{lst.term_start:%Y-%m-%d} 至 {lst.term_end:%Y-%m-%d} · {lst.get_status_display()}",
                        "url": listing_url(lst),
                    }
                )
        lines.append({**line, "links": links})
    return lines


def changes_of(grade: EnterpriseGrade) -> QuerySet[GradeChange]:
    return grade.changes.select_related("actor").order_by("-at", "-pk")


def objections_of_grade(grade: EnterpriseGrade) -> QuerySet[Objection]:
    return grade.objections.select_related("answered_by").order_by("-received_on", "-pk")


def objections_of_listing(listing: Listing) -> QuerySet[Objection]:
    return listing.objections.select_related("answered_by").order_by("-received_on", "-pk")


def objection_scope(user: Any) -> QuerySet[Objection]:
    return Objection.objects.filter(enterprise__in=Enterprise.objects.for_user(user))


def objection_list(
    *, user: Any, status: str = "", subject: str = "", overdue: bool = False, q: str = ""
) -> QuerySet[Objection]:
    """The objections the user may see, the open ones first by due day."""
    rows = objection_scope(user).select_related("enterprise__town", "listing", "grade__year", "answered_by")
    if status:
        rows = rows.filter(status=status)
    if subject == "grade":
        rows = rows.filter(grade__isnull=False)
    elif subject == "listing":
        rows = rows.filter(listing__isnull=False)
    if overdue:
        rows = rows.filter(status=ObjectionStatus.OPEN, due_on__lt=timezone.localdate())
    if q:
        rows = rows.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__iexact=q))
    first = Choose(
        When(status=ObjectionStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return rows.annotate(answered=first).order_by("answered", "due_on", "-pk")  # the open ones first


def objection_of(*, user: Any, pk: int) -> Objection:
    return get_object_or_404(
        objection_scope(user).select_related(
            "enterprise", "listing", "grade__year", "answered_by", "recorded_by", "evidence"
        ),
        pk=pk,
    )


def enterprise_grades(*, user: Any, enterprise: Enterprise) -> list[EnterpriseGrade]:
    """The enterprise's grades by year (newest first), with their changes and objections."""
    return list(
        EnterpriseGrade.objects.for_user(user)
        .filter(enterprise=enterprise)
        .select_related("year")
        .prefetch_related("changes__actor", "objections")
        .order_by("-year__year")
    )


def years_to_confirm(today: datetime.date | None = None) -> list[GradeYear]:
    """Ended years not yet confirmed."""
    today = today or timezone.localdate()
    return list(
        GradeYear.objects.filter(status=GradeYearStatus.PROVISIONAL, year__lt=today.year).order_by("year")
    )


def objections_due(*, user: Any, limit: int = 10) -> list[Objection]:
    return list(
        objection_scope(user)
        .filter(status=ObjectionStatus.OPEN)
        .select_related("enterprise", "listing", "grade__year")
        .order_by("due_on", "pk")[:limit]
    )
