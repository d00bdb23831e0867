"""Reads of the finalisation: the year's state, the objection queue, a unit's final score while the
period runs, the ranking by group, what the report prints. Scoped: the office, the leaders and the
auditors see every unit's; a unit its own (``for_user``); outside: 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from anxin.assessment.access import group_of
from anxin.assessment.models import (
    AssessmentYear,
    Objection,
    ObjectionStatus,
    Scheme,
    SchemeStatus,
    Score,
    ScoreItem,
    UnitGroup,
    VetoProposal,
    VetoStatus,
    YearStatus,
)


def year_state(year: int) -> AssessmentYear | None:
    return AssessmentYear.objects.filter(year=year).first()


def years() -> list[AssessmentYear]:
    return list(AssessmentYear.objects.order_by("-year"))


def objection_list(
    *,
    user: Any,
    q: str = "",
    status: str = "",
    year: int | None = None,
    group: str = "",
    unit: Any = None,
) -> QuerySet[Objection]:
    """The objection queue: pending first, then the newest."""
    qs = Objection.objects.for_user(user).select_related(
        "item__indicator", "item__score__unit", "filed_by", "answered_by"
    )
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(item__score__year=year)
    if group == UnitGroup.TOWN:
        qs = qs.filter(item__score__unit__kind="town_government")
    elif group == UnitGroup.DEPARTMENT:
        qs = qs.filter(item__score__unit__kind="department")
    if unit:
        qs = qs.filter(item__score__unit_id=getattr(unit, "pk", unit))
    if q:
        qs = qs.filter(
            Q(reason__icontains=q)
            | Q(answer__icontains=q)
            | Q(item__indicator__name__icontains=q)
            | Q(item__score__unit__name__icontains=q)
        )
    pending_first = Case(
        When(status=ObjectionStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.order_by(pending_first, "-created_at", "-pk")


def objection_get(*, user: Any, pk: int) -> Objection:
    found = objection_list(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404("没有找到该异议")
    return found


def item_get(*, user: Any, pk: int) -> ScoreItem:
    """A line of a score the user sees."""
    found = (
        ScoreItem.objects.filter(pk=pk, score__in=Score.objects.for_user(user))
        .select_related("score__unit", "score__scheme", "indicator")
        .first()
    )
    if found is None:
        raise Http404("没有找到该得分明细")
    return found


def score_get(*, user: Any, pk: int) -> Score:
    found = Score.objects.for_user(user).filter(pk=pk).select_related("unit", "scheme").first()
    if found is None:
        raise Http404("没有找到该得分")
    return found


def pending_objections(*, user: Any) -> QuerySet[Objection]:
    return objection_list(user=user, status=ObjectionStatus.PENDING)


def own_final_scores(*, user: Any) -> list[tuple[Score, AssessmentYear]]:
    """The user's unit's final scores of the years whose objection period runs."""
    unit_id = getattr(user, "unit_id", None)
    if not unit_id:
        return []
    running = {y.year: y for y in AssessmentYear.objects.filter(status=YearStatus.OBJECTION)}
    if not running:
        return []
    scores = Score.objects.filter(unit_id=unit_id, year__in=list(running)).select_related("unit")
    return [(s, running[s.year]) for s in scores]


@dataclass
class GroupRanking:
    group: str
    label: str
    rows: list[Score]


def ranking(year: int) -> list[GroupRanking]:
    """Each group's scores by rank (locked) or by total (before locking), with their units."""
    scores = list(
        Score.objects.filter(year=year)
        .select_related("unit", "scheme")
        .order_by("rank", "vetoed", "-total", "unit__order", "pk")
    )
    out = []
    for group, label in UnitGroup.choices:
        rows = [s for s in scores if group_of(s.unit) == group]
        if rows:
            if any(s.rank is None for s in rows):
                rows.sort(key=lambda s: (s.vetoed, -s.total, s.unit.order, s.pk))
            out.append(GroupRanking(group=group, label=str(label), rows=rows))
    return out


def schemes_used(year: int) -> list[Scheme]:
    """The scheme versions the year's scores were computed under (else those in use)."""
    used = Scheme.objects.filter(pk__in=Score.objects.filter(year=year).values("scheme_id"))
    if not used.exists():
        used = Scheme.objects.filter(year=year, status=SchemeStatus.ACTIVE)
    return list(used.order_by("group", "version"))


def confirmed_vetoes(year: int) -> list[VetoProposal]:
    return list(
        VetoProposal.objects.filter(year=year, status=VetoStatus.CONFIRMED)
        .select_related("unit", "condition", "decided_by")
        .order_by("unit__order", "pk")
    )


def year_objections(year: int) -> list[Objection]:
    return list(
        Objection.objects.filter(item__score__year=year)
        .select_related("item__indicator", "item__score__unit", "answered_by")
        .order_by("item__score__unit__order", "created_at", "pk")
    )


def counts(year: int) -> dict[str, int]:
    qs = Objection.objects.filter(item__score__year=year)
    return {
        "scores": Score.objects.filter(year=year).count(),
        "objections": qs.count(),
        "pending": qs.filter(status=ObjectionStatus.PENDING).count(),
    }
