"""The scoring engine's arithmetic and refusals (§五(三)): shares between their thresholds, counts to a
target, deductions and bonuses per occurrence with the item's cap and the scheme's caps, grade bands,
a confirmed veto overriding points, hand scores, and the years it will not recompute. The measures
here are test measures with known results; each real measure has its own tests against the ledgers."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from anxin.assessment import grading, measures
from anxin.assessment.models import (
    AssessmentYear,
    HandScore,
    IndicatorKind,
    Score,
    ScoreItem,
    ScoreStatus,
    VetoCondition,
    VetoProposal,
    VetoStatus,
    YearStatus,
)
from anxin.assessment.services import scoring
from anxin.assessment.tests.factories_scoring import scheme
from anxin.core.errors import DomainError
from anxin.org.models import Unit

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 6, 30, 10, 0))
FOUND: dict[str, measures.Result] = {}


def _fixed(key: str, kind: str) -> measures.Measure:
    def compute(unit, start, end, settings):
        return FOUND[key]

    return measures.Measure(
        key=f"test_{key}", label=key, kind=kind, clause="§五(三)", formula=f"测试口径 {key}", compute=compute
    )


@pytest.fixture(autouse=True)
def _test_measures():
    for key, kind in (("share", measures.SHARE), ("count", measures.COUNT), ("pts", measures.POINTS)):
        measures.register(_fixed(key, kind))
    yield
    for key in ("share", "count", "pts"):
        measures.MEASURES.pop(f"test_{key}", None)
    FOUND.clear()


def _luoxi() -> Unit:
    return Unit.objects.get(code="gov-luoxi")


def _town_scheme(office, **kw):
    return scheme(
        year=2026,
        group="town",
        by=office,
        indicators=kw.pop(
            "indicators",
            [
                {
                    "code": "verify",
                    "kind": IndicatorKind.COMPUTED,
                    "measure": "test_share",
                    "points": 40,
                    "settings": {"full_at": 0.95, "zero_at": 0.6},
                },
                {
                    "code": "publicity",
                    "kind": IndicatorKind.COMPUTED,
                    "measure": "test_count",
                    "points": 20,
                    "settings": {"target": 4},
                },
                {"code": "lead", "kind": IndicatorKind.MANUAL, "points": 40},
                {
                    "code": "late",
                    "kind": IndicatorKind.DEDUCTION,
                    "measure": "test_count",
                    "points": "0.5",
                    "cap": 3,
                },
                {
                    "code": "found",
                    "kind": IndicatorKind.DEDUCTION,
                    "measure": "test_pts",
                    "points": 0,
                    "cap": 8,
                },
                {"code": "extra", "kind": IndicatorKind.BONUS, "points": 2, "cap": 5},
            ],
        ),
        **kw,
    )


def test_a_share_between_thresholds_counts_pro_rata_and_a_target_count_pro_rata(office):
    _town_scheme(
        office,
        indicators=[
            {
                "code": "verify",
                "kind": IndicatorKind.COMPUTED,
                "measure": "test_share",
                "points": 40,
                "settings": {"full_at": 0.95, "zero_at": 0.6},
            },
            {
                "code": "publicity",
                "kind": IndicatorKind.COMPUTED,
                "measure": "test_count",
                "points": 20,
                "settings": {"target": 4},
            },
        ],
    )
    FOUND["share"] = measures.Result(Decimal("0.7750"), 31, 40, [{"kind": "signal", "id": 1, "met": False}])
    FOUND["count"] = measures.Result(Decimal(3), 3)
    score = scoring.score_unit(year=2026, unit=_luoxi(), now=NOW)
    items = {i.indicator.code: i for i in score.items.select_related("indicator")}
    # (0.775 − 0.6) / (0.95 − 0.6) = 0.5 of 40
    assert items["verify"].points == Decimal("20.00")
    assert items["verify"].numerator == 31 and items["verify"].denominator == 40
    assert items["verify"].records == [{"kind": "signal", "id": 1, "met": False}]
    assert "95%" in items["verify"].formula and "60%" in items["verify"].formula
    assert items["publicity"].points == Decimal("15.00")  # 3 of 4
    assert score.base == Decimal("35.00") and score.total == Decimal("35.00")
    assert score.status == ScoreStatus.PROVISIONAL and score.data_through == datetime.date(2026, 6, 30)


@pytest.mark.parametrize(
    ("value", "points"),
    [("0.9500", "40.00"), ("0.9499", "39.99"), ("0.6000", "0.00"), ("0.5000", "0.00"), ("1.0000", "40.00")],
)
def test_a_share_at_its_edges(office, value, points):
    _town_scheme(
        office,
        indicators=[
            {
                "code": "verify",
                "kind": IndicatorKind.COMPUTED,
                "measure": "test_share",
                "points": 40,
                "settings": {"full_at": 0.95, "zero_at": 0.6},
            },
        ],
    )
    FOUND["share"] = measures.Result(Decimal(value), 1, 1)
    score = scoring.score_unit(year=2026, unit=_luoxi(), now=NOW)
    assert score.items.get().points == Decimal(points)


def test_nothing_due_is_full_marks_and_says_so(office):
    _town_scheme(
        office,
        indicators=[
            {"code": "verify", "kind": IndicatorKind.COMPUTED, "measure": "test_share", "points": 40},
        ],
    )
    FOUND["share"] = measures.Result(None, 0, 0)
    item = scoring.score_unit(year=2026, unit=_luoxi(), now=NOW).items.get()
    assert item.points == Decimal("40.00") and "本期无应办事项，得满分" in item.note


def test_deductions_per_occurrence_held_at_the_item_cap_then_the_scheme_cap(office):
    _town_scheme(
        office,
        indicators=[
            {
                "code": "late",
                "kind": IndicatorKind.DEDUCTION,
                "measure": "test_count",
                "points": "0.5",
                "cap": 3,
            },
            {"code": "found", "kind": IndicatorKind.DEDUCTION, "measure": "test_pts", "points": 0, "cap": 8},
            {"code": "lead", "kind": IndicatorKind.MANUAL, "points": 100},
        ],
        deduction_cap="10",
    )
    HandScore.objects.create(indicator=_ind("lead"), unit=_luoxi(), points=100, note="满分", scored_by=office)
    FOUND["count"] = measures.Result(Decimal(7), 7)  # 3.5 → item cap 3
    FOUND["pts"] = measures.Result(Decimal("9"))  # 9 → item cap 8
    score = scoring.score_unit(year=2026, unit=_luoxi(), now=NOW)
    items = {i.indicator.code: i.points for i in score.items.select_related("indicator")}
    assert items["late"] == Decimal("3.00") and items["found"] == Decimal("8.00")
    assert score.deductions == Decimal("10.00")  # 11 → the scheme's cap 10
    assert score.total == Decimal("90.00")


def test_six_late_at_half_a_point_is_exactly_the_item_cap(office):
    _town_scheme(
        office,
        indicators=[
            {
                "code": "late",
                "kind": IndicatorKind.DEDUCTION,
                "measure": "test_count",
                "points": "0.5",
                "cap": 3,
            },
        ],
    )
    FOUND["count"] = measures.Result(Decimal(5), 5)
    assert scoring.score_unit(year=2026, unit=_luoxi(), now=NOW).deductions == Decimal("2.50")


def test_bonus_held_at_the_scheme_cap_and_a_hand_bonus_counts(office):
    _town_scheme(
        office,
        indicators=[
            {"code": "extra", "kind": IndicatorKind.BONUS, "points": 2, "cap": 5},
            {"code": "more", "kind": IndicatorKind.BONUS, "measure": "test_count", "points": 1, "cap": 4},
        ],
        bonus_cap="5",
    )
    HandScore.objects.create(
        indicator=_ind("extra"), unit=_luoxi(), points=4, note="经验被省里推广", scored_by=office
    )
    FOUND["count"] = measures.Result(Decimal(3), 3)
    score = scoring.score_unit(year=2026, unit=_luoxi(), now=NOW)
    assert score.bonus == Decimal("5.00") and score.total == Decimal("5.00")
    assert "经验被省里推广" in score.items.get(indicator__code="extra").note


def test_a_manual_line_not_yet_scored_is_zero_and_a_hand_score_above_full_is_held(office):
    _town_scheme(
        office,
        indicators=[
            {"code": "lead", "kind": IndicatorKind.MANUAL, "points": 10},
            {"code": "system", "kind": IndicatorKind.MANUAL, "points": 10},
        ],
    )
    HandScore.objects.create(
        indicator=_ind("system"), unit=_luoxi(), points=12, note="制度健全", scored_by=office
    )
    score = scoring.score_unit(year=2026, unit=_luoxi(), now=NOW)
    items = {i.indicator.code: i for i in score.items.select_related("indicator")}
    assert items["lead"].points == 0 and items["lead"].note == "尚未评分"
    assert items["system"].points == Decimal("10.00") and items["system"].note == "制度健全"


@pytest.mark.parametrize(
    ("total", "grade"),
    [(90, "优秀"), ("89.99", "良好"), (80, "良好"), (60, "合格"), ("59.99", "不合格"), (0, "不合格")],
)
def test_grade_bands(office, total, grade):
    _town_scheme(office, indicators=[{"code": "lead", "kind": IndicatorKind.MANUAL, "points": 100}])
    HandScore.objects.create(
        indicator=_ind("lead"), unit=_luoxi(), points=Decimal(str(total)), note="评", scored_by=office
    )
    score = scoring.score_unit(year=2026, unit=_luoxi(), now=NOW)
    assert score.grade == grade and score.grade_by_points == grade


def test_a_confirmed_veto_gives_the_lowest_grade_whatever_the_points(office):
    _town_scheme(office, indicators=[{"code": "lead", "kind": IndicatorKind.MANUAL, "points": 100}])
    HandScore.objects.create(indicator=_ind("lead"), unit=_luoxi(), points=98, note="评", scored_by=office)
    condition = VetoCondition.objects.create(code="t", name="测试否决", groups=["town"])
    veto = VetoProposal.objects.create(
        year=2026, unit=_luoxi(), condition=condition, key="case:1", summary="测试"
    )
    assert scoring.score_unit(year=2026, unit=_luoxi(), now=NOW).grade == "优秀"  # only proposed
    VetoProposal.objects.filter(pk=veto.pk).update(status=VetoStatus.CONFIRMED)
    score = scoring.score_unit(year=2026, unit=_luoxi(), now=NOW)
    assert (score.total, score.grade_by_points, score.grade, score.vetoed) == (
        Decimal("98.00"),
        "优秀",
        "不合格",
        True,
    )


def test_refusals_leave_the_database_unchanged(office):
    with pytest.raises(DomainError, match="尚无使用中的镇（街道）考核方案"):
        scoring.score_unit(year=2026, unit=_luoxi(), now=NOW)
    with pytest.raises(DomainError, match="不是考核对象"):
        scoring.score_unit(year=2026, unit=Unit.objects.get(code="office"), now=NOW)
    _town_scheme(office, indicators=[{"code": "lead", "kind": IndicatorKind.MANUAL, "points": 100}])
    with pytest.raises(DomainError, match="尚未开始"):
        scoring.score_unit(year=2027, unit=_luoxi(), now=NOW)
    assert not Score.objects.exists()
    scoring.score_unit(year=2026, unit=_luoxi(), now=NOW)
    AssessmentYear.objects.create(year=2026, status=YearStatus.OBJECTION)
    with pytest.raises(DomainError, match="已进入终评"):
        scoring.score_unit(year=2026, unit=_luoxi(), now=NOW)
    assert scoring.refresh_provisional(now=NOW) == 0
    AssessmentYear.objects.filter(year=2026).update(status=YearStatus.LOCKED)
    with pytest.raises(DomainError, match="已锁定"):
        scoring.score_unit(year=2026, unit=_luoxi(), now=NOW, final=True)
    assert Score.objects.get().status == ScoreStatus.PROVISIONAL


def test_an_unknown_measure_is_refused_in_chinese(office):
    _town_scheme(
        office, indicators=[{"code": "x", "kind": IndicatorKind.COMPUTED, "measure": "nope", "points": 1}]
    )
    with pytest.raises(DomainError, match="计算口径“nope”不存在"):
        scoring.score_unit(year=2026, unit=_luoxi(), now=NOW)
    assert not ScoreItem.objects.exists()


def test_the_sweep_scores_every_assessed_unit_of_a_group_with_a_scheme(office):
    _town_scheme(office, indicators=[{"code": "lead", "kind": IndicatorKind.MANUAL, "points": 100}])
    towns = Unit.objects.filter(kind="town_government", is_member=True).count()
    assert scoring.refresh_provisional(now=NOW) == towns  # no department scheme: departments left out
    assert set(Score.objects.values_list("status", flat=True)) == {ScoreStatus.PROVISIONAL}
    # the next day: updated in place, not duplicated
    tomorrow = NOW + datetime.timedelta(days=1)
    assert scoring.refresh_provisional(now=tomorrow) == towns and Score.objects.count() == towns


def test_the_sweep_refreshes_once_a_local_day_the_button_at_once(office):
    _town_scheme(office, indicators=[{"code": "lead", "kind": IndicatorKind.MANUAL, "points": 100}])
    towns = Unit.objects.filter(kind="town_government", is_member=True).count()
    first = timezone.make_aware(datetime.datetime(2026, 6, 30, 0, 5))  # local (Shanghai) time
    with time_machine.travel(first, tick=False):
        assert scoring.refresh_provisional() == towns
    for later in (first + datetime.timedelta(minutes=10), first + datetime.timedelta(hours=23, minutes=50)):
        with time_machine.travel(later, tick=False):
            assert scoring.refresh_provisional() == 0  # every score computed today: skipped
    assert set(Score.objects.values_list("computed_at", flat=True)) == {first}
    with time_machine.travel(first + datetime.timedelta(hours=2), tick=False):
        assert len(scoring.score_year(year=2026)) == towns  # 重新计算: at once
    with time_machine.travel(first + datetime.timedelta(days=1), tick=False):
        assert scoring.refresh_provisional() == towns  # the next local day
    assert set(Score.objects.values_list("computed_at", flat=True)) == {first + datetime.timedelta(days=1)}


def test_a_scheme_naming_an_unknown_measure_does_not_stop_the_others(office, caplog):
    from anxin.assessment.tests.factories_scoring import scheme as make

    _town_scheme(
        office, indicators=[{"code": "x", "kind": IndicatorKind.COMPUTED, "measure": "gone", "points": 100}]
    )
    make(
        year=2026,
        group="department",
        by=office,
        indicators=[{"code": "lead", "kind": IndicatorKind.MANUAL, "points": 100}],
    )
    departments = Unit.objects.filter(kind="department", is_member=True).count()
    caplog.set_level("ERROR", logger="anxin.assessment.services.scoring")
    scoring._LOGGED.clear()
    assert scoring.refresh_provisional(now=NOW) == departments
    assert scoring.refresh_provisional(now=NOW) == 0  # the departments were computed today
    assert len(scoring.score_year(year=2026, now=NOW)) == departments
    assert set(Score.objects.values_list("unit__kind", flat=True)) == {"department"}
    refusals = [r for r in caplog.records if "计算口径“gone”不存在" in r.getMessage()]
    assert len(refusals) == 1 and "镇（街道）" in refusals[0].getMessage()
    with pytest.raises(DomainError, match="计算口径“gone”不存在"):  # the finalisation refuses
        scoring.score_year(year=2026, now=NOW, final=True)


def test_the_measures_see_the_now_the_scoring_was_given(office):
    seen: list[datetime.datetime] = []

    def compute(unit, start, end, settings):
        seen.append(measures.now())
        return measures.Result(value=Decimal(1), numerator=1, denominator=1)

    measures.register(
        measures.Measure(
            key="test_now", label="now", kind=measures.SHARE, clause="§五(三)", formula="", compute=compute
        )
    )
    try:
        _town_scheme(
            office,
            indicators=[{"code": "n", "kind": IndicatorKind.COMPUTED, "measure": "test_now", "points": 1}],
        )
        scoring.score_unit(year=2026, unit=_luoxi(), now=NOW)
    finally:
        measures.MEASURES.pop("test_now", None)
    assert seen == [NOW] and measures.now() != NOW


def test_grading_validates_bands():
    assert grading.validate_bands([{"grade": "A", "min": 90}, {"grade": "B", "min": 0}])[1] == {
        "grade": "B",
        "min": 0.0,
    }
    for bad, words in [
        ([], "不能为空"),
        ([{"grade": "A", "min": 90}, {"grade": "B", "min": 95}, {"grade": "C", "min": 0}], "须低于上一等次"),
        ([{"grade": "A", "min": 90}, {"grade": "B", "min": 10}], "最低分须为 0"),
        ([{"grade": "A", "min": 90}, {"grade": "A", "min": 0}], "重复"),
        ([{"grade": "", "min": 0}], "缺少等次名称"),
        ([{"grade": "A", "min": "九十"}, {"grade": "B", "min": 0}], "不是数字"),
    ]:
        with pytest.raises(DomainError, match=words):
            grading.validate_bands(bad)


def _ind(code: str) -> Any:
    from anxin.assessment.models import Indicator

    return Indicator.objects.get(code=code)
