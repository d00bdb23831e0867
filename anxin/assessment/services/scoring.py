"""Scoring (§五(三) 细化考核标准): a unit's score for a year under its group's scheme in use, line by
line, with the records behind every point.

``score_unit`` computes one unit; ``score_year`` every assessed unit; ``refresh_provisional`` is the
``tick`` sweep that keeps this year's provisional scores current (once a local day: the first tick of
a day recomputes, the others find every score computed today and skip; the 重新计算 button, a hand
score and a scheme's activation recompute at once), so a town sees where it is losing points while it
can still act. A scheme in use that names a measure no longer registered does not stop the others:
its group is left out of ``score_year`` (not in the finalisation, which refuses) and the refusal is
logged once. Measures see the ``now`` the scoring was given (``measures.as_of``), so ``tick --now``
is consistent. A year under finalisation or locked is never recomputed by the sweep;
``score_year(..., final=True)`` is what the finalisation calls once, when it opens.

How a line gets its points (the indicator's kind; the measure's kind — ``assessment.measures``):

- manual: the office's ``HandScore`` (at most the indicator's points); none yet: 0, "尚未评分".
- computed, share: full marks at or above ``settings["full_at"]`` (default 1), none at or below
  ``settings["zero_at"]`` (default 0), linear between; nothing due: full marks, said so.
- computed, count: full marks at ``settings["target"]`` (default 1) or more, pro rata below.
- computed, points: the value, at most the indicator's points.
- deduction / bonus: a count measure gives ``points`` per occurrence, a points measure its value; with
  no measure, the office's hand score; at most the item's ``cap``. All deductions together, and all
  bonuses together, are then held at the scheme's caps (``grading.total_of``).

A confirmed veto for the unit and year (``VetoProposal``) puts the grade at the lowest band.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from anxin.assessment import grading, measures
from anxin.assessment.access import assessed_units, group_of
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
    VetoProposal,
    VetoStatus,
    YearStatus,
)
from anxin.core.deadlines import start_of
from anxin.core.errors import DomainError
from anxin.org.models import Unit

log = logging.getLogger(__name__)
_LOGGED: set[tuple[int, str, str]] = set()  # refusals already logged by this process

CLAUSE = "§五(三)"
MET_RECORDS_KEPT = 200  # records met on time kept per line beyond the missed ones (all missed are kept)


def active_scheme(year: int, group: str) -> Scheme | None:
    """The scheme in use for ``group`` in ``year``."""
    return (
        Scheme.objects.filter(year=year, group=group, status=SchemeStatus.ACTIVE)
        .prefetch_related("indicators")
        .first()
    )


def period(year: int, now: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The period scored: 1 January to today (a year in progress) or to 31 December."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    today = timezone.localdate(now)
    if today < start:
        raise DomainError(f"{year} 年度尚未开始，不能计算得分。", code="invalid")
    return start, min(end, today)


def year_state(year: int) -> AssessmentYear | None:
    return AssessmentYear.objects.filter(year=year).first()


def _share_points(full: Decimal, value: Decimal, settings: dict) -> tuple[Decimal, str]:
    full_at = Decimal(str(settings.get("full_at", 1)))
    zero_at = Decimal(str(settings.get("zero_at", 0)))
    rule = f"达到 {_pct(full_at)} 得满分 {full} 分，{_pct(zero_at)} 及以下不得分，其间按比例计分"
    if value >= full_at:
        return full, rule
    if value <= zero_at or full_at <= zero_at:
        return Decimal(0), rule
    return grading.points(full * (value - zero_at) / (full_at - zero_at)), rule


def _pct(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal('0.1')).normalize():f}%"


def _kept(records: list[dict]) -> tuple[list[dict], int]:
    """All missed records, then at most MET_RECORDS_KEPT others; and how many others were left out."""
    ordered = measures.missed_first(records)
    missed = [r for r in ordered if r.get("met") is False]
    others = [r for r in ordered if r.get("met") is not False]
    return missed + others[:MET_RECORDS_KEPT], max(0, len(others) - MET_RECORDS_KEPT)


def compute_item(
    indicator: Indicator, unit: Unit, start: datetime.date, end: datetime.date, hand: HandScore | None
) -> dict[str, Any]:
    """One line's fields (see the module): value, numerator, denominator, points, formula, params,
    records, note."""
    full = grading.points(indicator.points)
    settings = indicator.settings or {}
    line: dict[str, Any] = {
        "value": None,
        "numerator": None,
        "denominator": None,
        "params": {},
        "records": [],
    }
    notes: list[str] = []
    if not indicator.measure:
        if indicator.kind == IndicatorKind.COMPUTED:
            raise DomainError(f"指标“{indicator.name}”为自动计算，但未设计算口径。", code="invalid")
        limit = full if indicator.kind == IndicatorKind.MANUAL else indicator.cap
        formula = (
            f"由联席办按评分标准人工评分，满分 {full} 分"
            if indicator.kind == IndicatorKind.MANUAL
            else f"由联席办逐项认定{'扣' if indicator.kind == IndicatorKind.DEDUCTION else '加'}分"
            + (f"，本项最多 {grading.points(indicator.cap)} 分" if indicator.cap is not None else "")
        )
        if hand is None:
            points = Decimal(0)
            notes.append("尚未评分" if indicator.kind == IndicatorKind.MANUAL else "未认定")
        else:
            points = grading.capped(grading.points(hand.points), limit)
            notes.append(hand.note)
            line["value"] = grading.points(hand.points)
        return {**line, "points": points, "formula": formula, "note": "；".join(n for n in notes if n)}

    measure = measures.get(indicator.measure)
    result = measure.compute(unit, start, end, settings)
    records, left_out = _kept(result.records)
    line.update(
        value=result.value,
        numerator=result.numerator,
        denominator=result.denominator,
        params=result.params,
        records=records,
    )
    if result.note:
        notes.append(result.note)
    if left_out:
        notes.append(f"另有 {left_out} 条按时完成的记录未逐条列出")
    if indicator.kind == IndicatorKind.COMPUTED:
        if measure.kind == measures.SHARE:
            if result.value is None:
                points, rule = full, "本期无应办事项，得满分"
                notes.insert(0, rule)
                rule = _share_points(full, Decimal(1), settings)[1]
            else:
                points, rule = _share_points(full, Decimal(result.value), settings)
        elif measure.kind == measures.COUNT:
            target = Decimal(str(settings.get("target", 1))) or Decimal(1)
            count = Decimal(result.value or 0)
            points = full if count >= target else grading.points(full * count / target)
            rule = f"达到 {target.normalize():f} 得满分 {full} 分，不足按比例计分"
        else:
            points = grading.capped(grading.points(result.value or 0), full)
            rule = f"按认定分值计，最多 {full} 分"
    else:
        word = "扣" if indicator.kind == IndicatorKind.DEDUCTION else "加"
        if measure.kind == measures.COUNT:
            occurrences = Decimal(result.value or 0)
            amount = occurrences * full
            rule = f"每发生一次{word} {full} 分"
        else:
            amount = Decimal(result.value or 0)
            rule = f"按认定分值{word}分"
        if hand is not None:
            amount += grading.points(hand.points)
            notes.append(f"联席办另行认定{word} {grading.points(hand.points)} 分：{hand.note}")
        points = grading.capped(grading.points(amount), indicator.cap)
        if indicator.cap is not None:
            rule += f"，本项最多{word} {grading.points(indicator.cap)} 分"
    formula = f"{measure.formula}；{rule}（{measure.clause or CLAUSE}）"
    return {**line, "points": points, "formula": formula, "note": "；".join(n for n in notes if n)}


def _vetoed(year: int, unit: Unit) -> bool:
    return VetoProposal.objects.filter(year=year, unit=unit, status=VetoStatus.CONFIRMED).exists()


def score_unit(*, year: int, unit: Unit, now: datetime.datetime | None = None, final: bool = False) -> Score:
    """Compute and store ``unit``'s score for ``year`` (see the module). Refused: a unit not assessed,
    no scheme in use for its group, a year under finalisation or locked (unless ``final``: the one
    computation the finalisation makes when it opens)."""
    now = now or timezone.now()
    group = group_of(unit)
    if group is None:
        raise DomainError(f"{unit.name}不是考核对象（只考核各镇（街道）和区有关部门）。", code="invalid")
    state = year_state(year)
    if state is not None and state.status == YearStatus.LOCKED:
        raise DomainError(f"{year} 年度考核结果已锁定，得分不再变动。", code="locked")
    if state is not None and state.status == YearStatus.OBJECTION and not final:
        raise DomainError(f"{year} 年度已进入终评，得分只能经异议答复调整。", code="invalid")
    start, end = period(year, now)
    scheme = active_scheme(year, group)
    if scheme is None:
        raise DomainError(
            f"{year} 年度尚无使用中的{UnitGroup(group).label}考核方案，请联席办先启用方案。", code="invalid"
        )
    indicators = list(scheme.indicators.all())
    hands = {h.indicator_id: h for h in HandScore.objects.filter(unit=unit, indicator__in=indicators)}
    with measures.as_of(now):
        lines = {ind.pk: compute_item(ind, unit, start, end, hands.get(ind.pk)) for ind in indicators}
    base = sum(
        (
            lines[i.pk]["points"]
            for i in indicators
            if i.kind in (IndicatorKind.COMPUTED, IndicatorKind.MANUAL)
        ),
        Decimal(0),
    )
    deductions = sum(
        (lines[i.pk]["points"] for i in indicators if i.kind == IndicatorKind.DEDUCTION), Decimal(0)
    )
    bonus = sum((lines[i.pk]["points"] for i in indicators if i.kind == IndicatorKind.BONUS), Decimal(0))
    taken, added, total = grading.total_of(
        grading.points(base),
        deductions,
        bonus,
        deduction_cap=scheme.deduction_cap,
        bonus_cap=scheme.bonus_cap,
    )
    vetoed = _vetoed(year, unit)
    with transaction.atomic():
        score, _created = Score.objects.select_for_update().get_or_create(
            year=year, unit=unit, defaults={"scheme": scheme}
        )
        if score.status == ScoreStatus.LOCKED:
            raise DomainError(f"{year} 年度考核结果已锁定，得分不再变动。", code="locked")
        score.scheme = scheme
        score.status = ScoreStatus.FINAL if final else ScoreStatus.PROVISIONAL
        score.base = grading.points(base)
        score.deductions = taken
        score.bonus = added
        score.total = total
        score.grade_by_points = grading.grade_for(total, scheme.grade_bands)
        score.vetoed = vetoed
        score.grade = grading.grade_for(total, scheme.grade_bands, vetoed=vetoed)
        score.data_through = end
        score.computed_at = now
        score.save()
        ScoreItem.objects.filter(score=score).exclude(indicator__in=indicators).delete()
        for indicator in indicators:
            ScoreItem.objects.update_or_create(
                score=score, indicator=indicator, defaults={**lines[indicator.pk], "adjusted": False}
            )
    return score


def unusable(year: int) -> dict[str, str]:
    """The groups whose scheme in use for ``year`` names a measure that is not registered: {group:
    the refusal}."""
    found: dict[str, str] = {}
    for scheme in Scheme.objects.filter(year=year, status=SchemeStatus.ACTIVE).prefetch_related("indicators"):
        for indicator in scheme.indicators.all():
            if indicator.measure and indicator.measure not in measures.MEASURES:
                found[scheme.group] = (
                    f"{year} 年度{scheme.get_group_display()}考核方案指标“{indicator.name}”："
                    + measures_refusal(indicator.measure)
                )
                break
    return found


def measures_refusal(key: str) -> str:
    try:
        measures.get(key)
    except DomainError as exc:
        return exc.message
    return ""


def score_year(
    *, year: int, now: datetime.datetime | None = None, group: str | None = None, final: bool = False
) -> list[Score]:
    """Score every assessed unit (of ``group``, or both) that has a scheme in use; units of a group
    without one are left out. A group whose scheme names an unknown measure is left out too (the
    refusal logged once; see the module), except in the finalisation (``final``), which refuses."""
    now = now or timezone.now()
    in_use = set(Scheme.objects.filter(year=year, status=SchemeStatus.ACTIVE).values_list("group", flat=True))
    broken = {} if final else unusable(year)
    for bad_group, refusal in broken.items():
        if (year, bad_group, refusal) not in _LOGGED:
            _LOGGED.add((year, bad_group, refusal))
            log.error("考核预评：%s 该类单位本次不计算。", refusal)
    scored = []
    for unit in assessed_units(group):
        unit_group = group_of(unit)
        if unit_group is None or unit_group not in in_use or unit_group in broken:
            continue
        scored.append(score_unit(year=year, unit=unit, now=now, final=final))
    return scored


def refresh_provisional(*, now: datetime.datetime | None = None) -> int:
    """``tick``: this year's provisional scores recomputed once a local day (when the year is still
    open and a scheme is in use): skipped when every provisional score of the year (of the groups
    that can be scored) was computed today. Returns how many were scored."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    year = today.year
    state = year_state(year)
    if state is not None and state.status != YearStatus.OPEN:
        return 0
    provisional = Score.objects.filter(year=year, status=ScoreStatus.PROVISIONAL).exclude(
        scheme__group__in=list(unusable(year))
    )
    if provisional.exists() and not provisional.exclude(computed_at__gte=start_of(today)).exists():
        return 0
    return len(score_year(year=year, now=now))
