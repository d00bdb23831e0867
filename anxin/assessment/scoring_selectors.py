"""Reads of the scoring part (§五(三)): schemes, the scoreboard (units × indicators), one score with
its lines, the unit's own current score. Scores are scoped through ``Score.objects.for_user``: the
office, the leaders and the auditors see every unit's; a town or a department its own (another's is
a 404)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from anxin.assessment import access
from anxin.assessment.models import (
    AssessmentYear,
    HandScore,
    Indicator,
    IndicatorKind,
    Scheme,
    SchemeStatus,
    Score,
    ScoreItem,
    ScoreStatus,
    UnitGroup,
)
from anxin.assessment.services.final import ranked
from anxin.core.access import get_scoped_or_404

GROUP_KINDS = {UnitGroup.TOWN: "town_government", UnitGroup.DEPARTMENT: "department"}


def current_year() -> int:
    return timezone.localdate().year


def years() -> list[int]:
    """Years that have a scheme or a score, newest first, always with the current one."""
    found = set(Scheme.objects.values_list("year", flat=True)) | set(
        Score.objects.values_list("year", flat=True)
    )
    found.add(current_year())
    return sorted(found, reverse=True)


def scheme_list(*, year: int | None = None, group: str = "", status: str = "") -> QuerySet[Scheme]:
    rows = Scheme.objects.select_related("created_by", "activated_by").order_by("-year", "group", "-version")
    if year:
        rows = rows.filter(year=year)
    if group:
        rows = rows.filter(group=group)
    if status:
        rows = rows.filter(status=status)
    return rows


def scheme_get(pk: int) -> Scheme:
    scheme = (
        Scheme.objects.select_related("created_by", "activated_by", "based_on")
        .prefetch_related("indicators")
        .filter(pk=pk)
        .first()
    )
    if scheme is None:
        raise Http404
    return scheme


def active_scheme(year: int, group: str) -> Scheme | None:
    return (
        Scheme.objects.filter(year=year, group=group, status=SchemeStatus.ACTIVE)
        .prefetch_related("indicators")
        .first()
    )


def year_state(year: int) -> AssessmentYear | None:
    return AssessmentYear.objects.filter(year=year).first()


@dataclass
class BoardRow:
    score: Score
    cells: list[Decimal | None]
    rank: int = 0


@dataclass
class Board:
    year: int
    group: str
    scheme: Scheme | None
    indicators: list[Indicator] = field(default_factory=list)
    rows: list[BoardRow] = field(default_factory=list)
    missing: list[Any] = field(default_factory=list)  # assessed units with no score yet


def _ranked(rows: list[BoardRow]) -> list[BoardRow]:
    """The ranking page's order and ranks: once every score is locked with its rank, the stored ranks
    in rank order; before, ``services.final.ranked`` (a vetoed unit after every other, then by
    total, highest first; equal totals share a rank: 1, 1, 3)."""
    if rows and all(r.score.status == ScoreStatus.LOCKED and r.score.rank for r in rows):
        rows.sort(key=lambda r: (r.score.rank or 0, r.score.unit.order, r.score.pk))
        for row in rows:
            row.rank = row.score.rank or 0
        return rows
    by_score = {r.score.pk: r for r in rows}
    out = []
    for score, rank in ranked([r.score for r in rows]):
        row = by_score[score.pk]
        row.rank = rank
        out.append(row)
    return out


def scoreboard(*, user: Any, year: int, group: str, q: str = "", grade: str = "") -> Board:
    """Every unit of ``group`` scored in ``year`` that ``user`` sees, with its points per indicator
    (the indicators of the scheme in use, else of the scores'), ranked as the ranking page ranks them
    (``_ranked``: among the whole group, whoever looks). Five queries whatever the number of units."""
    scheme = active_scheme(year, group)
    scores = list(
        Score.objects.filter(year=year, unit__kind=GROUP_KINDS[UnitGroup(group)]).select_related(
            "unit", "scheme"
        )
    )  # all of the group, for the ranks; then those the user sees
    visible = set(
        Score.objects.for_user(user)
        .filter(year=year, unit__kind=GROUP_KINDS[UnitGroup(group)])
        .values_list("pk", flat=True)
    )
    if scheme is None and scores:
        scheme = scores[0].scheme
    indicators = list(scheme.indicators.all()) if scheme is not None else []
    points: dict[tuple[int, str], Decimal] = {
        (row["score_id"], row["indicator__code"]): row["points"]
        for row in ScoreItem.objects.filter(score__in=sorted(visible)).values(
            "score_id", "indicator__code", "points"
        )
    }
    rows = _ranked(
        [BoardRow(score=s, cells=[points.get((s.pk, i.code)) for i in indicators]) for s in scores]
    )
    rows = [r for r in rows if r.score.pk in visible]
    scores = [s for s in scores if s.pk in visible]
    if q:
        rows = [r for r in rows if q in r.score.unit.name or q == r.score.unit.code]
    if grade:
        rows = [r for r in rows if r.score.grade == grade]
    missing: list[Any] = []
    if access.sees_all(user):
        scored = {s.unit_id for s in scores}
        missing = [u for u in access.assessed_units(group) if u.pk not in scored]
    return Board(year=year, group=group, scheme=scheme, indicators=indicators, rows=rows, missing=missing)


def score_get(*, user: Any, pk: int) -> Score:
    """One score, scoped (another unit's is a 404)."""
    score: Score = get_scoped_or_404(Score.objects.select_related("unit", "scheme"), user, pk=pk)
    return score


def score_lines(score: Score) -> dict[str, Any]:
    """A score's lines grouped for its page: the base items (computed and manual), the deductions and
    the bonuses, each with its indicator and the hand score behind it (one query each)."""
    items = list(
        ScoreItem.objects.filter(score=score).select_related("indicator").order_by("indicator__order")
    )
    hands = {
        h.indicator_id: h
        for h in HandScore.objects.filter(unit_id=score.unit_id, indicator__scheme_id=score.scheme_id)
        .select_related("scored_by")
        .prefetch_related("files")
    }
    groups: dict[str, list] = {"base": [], "deduction": [], "bonus": []}
    for item in items:
        kind = str(item.indicator.kind)
        key = kind if kind in ("deduction", "bonus") else "base"
        groups[key].append({"item": item, "hand": hands.get(item.indicator_id)})
    return groups


def own_score(user: Any, year: int | None = None) -> Score | None:
    """The score of the user's own unit for ``year`` (default: this year)."""
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return None
    return (
        Score.objects.for_user(user)
        .filter(unit_id=unit_id, year=year or current_year())
        .select_related("unit", "scheme")
        .first()
    )


def losing_most(score: Score, n: int = 3) -> list[dict]:
    """The ``n`` lines losing most points: base items by points short of full marks, deductions by
    points taken."""
    found: list[dict[str, Any]] = []
    for item in ScoreItem.objects.filter(score=score).select_related("indicator"):
        kind = item.indicator.kind
        if kind in (IndicatorKind.COMPUTED, IndicatorKind.MANUAL):
            lost = item.indicator.points - item.points
        elif kind == IndicatorKind.DEDUCTION:
            lost = item.points
        else:
            continue
        if lost > 0:
            found.append({"item": item, "lost": lost})
    found.sort(key=lambda r: -r["lost"])
    return found[:n]


def api_scores(*, user: Any, year: int | None, unit: str = "") -> QuerySet[Score]:
    rows = (
        Score.objects.for_user(user).select_related("unit", "scheme").order_by("-year", "unit__order", "pk")
    )
    if year:
        rows = rows.filter(year=year)
    if unit:
        rows = rows.filter(unit__code=unit)
    return rows.prefetch_related("items__indicator")
