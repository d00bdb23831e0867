"""The required wage deposit (人社部发〔2021〕65号 第十条、第十一条) at every edge: each tier line, the
exemption line, the years of the raise, the reduction and the exemption, the 3 % ceiling, the cap and
the floor. Pure: no database."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest

from anxin.core.policy_defaults import DEFAULTS
from anxin.sites.deposit_rules import CODES, Computation, History, Param, required_deposit, years_before

ON = datetime.date(2026, 6, 15)
YUAN = 100
WAN = 10_000 * YUAN  # 1万元 in fen


def params(**override: Any) -> dict[str, Param]:
    defaults = {d["code"]: d for d in DEFAULTS if d["code"] in CODES}
    out = {}
    for code in CODES:
        d = defaults[code]
        raw = override.get(code.split(".")[1], d["value"])
        value = Decimal(str(raw)) if d["type"] == "decimal" else int(raw)
        out[code] = Param(code=code, name=d["name"], value=value, unit=d["unit"], citation=d["citation"])
    return out


def compute(
    amount: int,
    *,
    arrears: Sequence[datetime.date] = (),
    since: datetime.date = datetime.date(2000, 1, 1),
    **override: Any,
) -> Computation:
    history = History(arrears=[(d, f"XB-{i}") for i, d in enumerate(arrears)], record_since=since)
    return required_deposit(contract_amount=amount, on=ON, history=history, params=params(**override))


# Without ``since=ON`` a contractor is on the register since 2000; with it, it is new (no clean years).


@pytest.mark.parametrize(
    ("amount", "rate", "required"),
    [
        (300 * WAN, "3.00", 9 * WAN),  # at the exemption line: not exempt, first tier
        (1000 * WAN - 1, "3.00", 30_000_000),  # one fen under the first line (29,999,999.97 → half up)
        (1000 * WAN, "2.00", 20 * WAN),  # exactly at the first line: the second tier
        (10000 * WAN - 100, "2.00", (10000 * WAN - 100) * 2 // 100),
        (10000 * WAN, "1.00", 100 * WAN),  # exactly at the second line: the third tier
    ],
)
def test_tier_lines_are_inclusive_from_below(amount, rate, required):
    result = compute(amount, since=ON)
    assert result.rate == Decimal(rate)
    assert result.required == required
    assert not result.exempt


def test_rounding_is_half_up_to_the_fen():
    # 5,000,000.50 元 × 3 % = 150,000.015 元 → 150,000.02 元
    assert compute(500_000_050, since=ON).required == 15_000_002


def test_one_fen_under_the_exemption_line_is_exempt_without_recent_arrears():
    result = compute(300 * WAN - 1, since=ON)
    assert result.exempt and result.required == 0
    assert any("免存" in s.label for s in result.steps)
    assert result.steps[-2].clause.startswith("人社部发")


def test_small_contract_with_arrears_in_the_past_year_is_not_exempt_and_is_raised():
    result = compute(100 * WAN, arrears=[ON - datetime.timedelta(days=30)], since=ON)
    assert not result.exempt
    assert result.rate == Decimal("3.00")  # 3 % × 150 % capped at 3 %
    assert result.required == 3 * WAN
    assert any("不超过 3%" in s.label for s in result.steps)


def test_arrears_exactly_at_the_raise_window_edge_raise_the_rate():
    at_edge = years_before(ON, 2)
    result = compute(5000 * WAN, arrears=[at_edge], since=ON)
    assert result.rate == Decimal("3.00")  # 2 % × 150 %
    assert result.required == 150 * WAN


def test_arrears_one_day_before_the_raise_window_do_not():
    result = compute(5000 * WAN, arrears=[years_before(ON, 2) - datetime.timedelta(days=1)], since=ON)
    assert result.rate == Decimal("2.00")


def test_raise_stays_under_three_percent_and_the_cap():
    result = compute(100_000 * WAN, arrears=[ON], since=ON)  # 10亿: 1 % × 150 % = 1.5 % → 1,500万 > cap
    assert result.rate == Decimal("1.5")
    assert result.required == 500 * WAN
    assert any("上限" in s.label for s in result.steps)


def test_two_clean_years_halve_the_rate():
    since = years_before(ON, 2)  # the record covers exactly two years
    result = compute(5000 * WAN, since=since)
    assert result.rate == Decimal("1.00")
    assert result.required == 50 * WAN


def test_a_record_one_day_short_of_two_years_is_not_reduced():
    result = compute(5000 * WAN, since=years_before(ON, 2) + datetime.timedelta(days=1))
    assert result.rate == Decimal("2.00")


def test_arrears_just_over_two_years_ago_leave_two_clean_years_but_not_three():
    old = years_before(ON, 2) - datetime.timedelta(days=1)
    result = compute(5000 * WAN, arrears=[old], since=datetime.date(2000, 1, 1))
    assert not result.exempt
    assert result.rate == Decimal("1.00")


def test_three_clean_years_exempt():
    result = compute(5000 * WAN, since=years_before(ON, 3))
    assert result.exempt and result.required == 0
    assert "连续3年无拖欠" in result.steps[-2].label


def test_arrears_exactly_three_years_ago_prevent_the_exemption():
    result = compute(5000 * WAN, arrears=[years_before(ON, 3)])
    assert not result.exempt
    assert result.rate == Decimal("1.00")  # still two clean years: reduced


def test_reduced_rate_never_below_the_floor():
    result = compute(100_000 * WAN, since=years_before(ON, 2))  # 1 % × 50 % = 0.5 %
    assert result.rate == Decimal("0.5")
    floored = compute(100_000 * WAN, since=years_before(ON, 2), reduce_percent=10)  # 0.1 % → 0.5 %
    assert floored.rate == Decimal("0.50")
    assert any("下限" in s.label for s in floored.steps)


def test_cap_applies_exactly_above_it():
    at_cap = compute(50_000 * WAN, since=ON)  # 5亿 × 1 % = 500万 = cap
    assert at_cap.required == 500 * WAN
    assert not any("上限" in s.label for s in at_cap.steps)
    above = compute(50_000 * WAN + 100, since=ON)
    assert above.required == 500 * WAN
    assert any("上限" in s.label for s in above.steps)


def test_every_step_and_parameter_is_in_the_stored_computation():
    stored = compute(5000 * WAN, since=ON).as_dict()
    assert {p["code"] for p in stored["params"]} == set(CODES)
    assert all({"label", "value", "clause"} <= set(s) for s in stored["steps"])
    assert stored["required"] == 100 * WAN
    assert stored["rate"] == "2.00"


def test_29_february_goes_back_to_28_february():
    assert years_before(datetime.date(2028, 2, 29), 1) == datetime.date(2027, 2, 28)


# --- the integrity grade (§三(七)): a C-graded contractor is raised like one with recent arrears ----------


def graded(amount: int, grade: str, **kw: Any) -> Computation:
    history = History(
        arrears=[(d, f"XB-{i}") for i, d in enumerate(kw.pop("arrears", ()))],
        record_since=kw.pop("since", datetime.date(2000, 1, 1)),
        grade=grade,
        grade_year=2025,
    )
    return required_deposit(contract_amount=amount, on=ON, history=history, params=params(**kw))


def test_a_c_grade_raises_the_rate_and_names_the_grade_and_year():
    result = graded(5000 * WAN, "C", since=ON)
    assert result.rate == Decimal("3.00")  # 2 % × 150 %
    (step,) = [s for s in result.steps if "提高" in s.label]
    assert "守法诚信等级为C级（2025年度）" in step.label and "deposit.raise_percent" in step.codes
    assert result.as_dict()["grade"] == "C" and result.as_dict()["grade_year"] == 2025


def test_a_c_grade_with_a_clean_record_is_neither_exempt_nor_reduced():
    result = graded(5000 * WAN, "C")  # three clean years would exempt it
    assert not result.exempt and result.rate == Decimal("3.00")


def test_arrears_and_a_c_grade_raise_once_naming_both():
    result = graded(5000 * WAN, "C", arrears=[ON], since=ON)
    assert result.rate == Decimal("3.00")
    (step,) = [s for s in result.steps if "提高" in s.label]
    assert "近2年内发生拖欠（1 起），且守法诚信等级为C级（2025年度）" in step.label


@pytest.mark.parametrize("grade", ["A", "B", ""])
def test_other_grades_change_nothing(grade):
    assert graded(5000 * WAN, grade, since=ON).rate == Decimal("2.00")
    assert graded(5000 * WAN, grade).exempt  # three clean years
