"""The integrity-grade rules (人社部规〔2016〕1号) at their edges. Pure: no database."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from anxin.credit.grade_rules import Act, GradeFacts, Inc, Lst, Param, grade_of, summary

Y = 2026
D = datetime.date


def params(c_violations: int = 3) -> dict[str, Param]:
    return {
        "grade.c_violations": Param("grade.c_violations", c_violations, "次", "评价办法 第七条", "2026-01-01")
    }


MAY = D(Y, 5, 1)


def order(i: int, on: D = MAY, kind: str = "order") -> Act:
    return Act(i, 100 + i, kind, on, f"新人社监〔2026〕{i}号", f"XB-{i}")


def facts(**kw: Any) -> GradeFacts:
    return GradeFacts(enterprise_id=1, year=Y, **kw)


def test_nothing_on_record_is_a():
    result = grade_of(facts(), params())
    assert result.grade == "A"
    assert result.lines == []
    assert summary(result.evidence()) == "未因劳动保障违法行为被查处"


def test_one_violation_is_b_naming_rule_citation_param_and_records():
    result = grade_of(facts(violations=(order(1),)), params())
    assert result.grade == "B"
    (line,) = result.evidence()
    assert line["rule"] == "B_VIOLATION"
    assert "第六条" in line["citation"]
    assert line["params"][0]["code"] == "grade.c_violations" and line["params"][0]["value"] == 3
    assert line["records"]["actions"] == [1] and line["records"]["cases"] == [101]
    assert "被查处 1 次" in line["text"] and "新人社监〔2026〕1号" in line["text"]


@pytest.mark.parametrize(("count", "grade"), [(2, "B"), (3, "C")])
def test_two_violations_are_b_three_are_c(count, grade):
    result = grade_of(facts(violations=tuple(order(i) for i in range(count))), params())
    assert result.grade == grade
    if grade == "C":
        (line,) = result.lines
        assert line.rule == "C_VIOLATIONS" and "第七条第（一）项" in line.citation
        assert "≥3 次为C级" in line.text
        assert line.actions == [0, 1, 2]


def test_the_threshold_is_the_parameter():
    two = facts(violations=(order(1), order(2)))
    assert grade_of(two, params(c_violations=2)).grade == "C"
    assert grade_of(two, params(c_violations=4)).grade == "B"


def test_penalties_count_as_violations():
    result = grade_of(facts(violations=(order(1), order(2, kind="penalty"), order(3))), params())
    assert result.grade == "C"


@pytest.mark.parametrize(
    ("day", "counts"),
    [(D(Y - 1, 12, 31), False), (D(Y, 1, 1), True), (D(Y, 12, 31), True), (D(Y + 1, 1, 1), False)],
)
def test_only_the_years_violations_count(day, counts):
    result = grade_of(facts(violations=(order(1, day),)), params())
    assert result.grade == ("B" if counts else "A")


@pytest.mark.parametrize(
    ("kind", "grade"), [("mass", "C"), ("extreme", "C"), ("flag", "C"), ("closure", "A")]
)
def test_a_mass_or_extreme_incident_is_c_a_closure_is_not(kind, grade):
    result = grade_of(facts(incidents=(Inc(7, 70, kind, D(Y, 3, 3), "XB-70"),)), params())
    assert result.grade == grade
    if grade == "C":
        assert result.lines[0].rule == "C_INCIDENT" and "第七条第（二）项" in result.lines[0].citation
        assert result.lines[0].cases == [70]


def test_an_incident_of_last_year_does_not_count():
    assert grade_of(facts(incidents=(Inc(7, 70, "mass", D(Y - 1, 12, 31)),)), params()).grade == "A"


def test_an_ignored_order_is_c_even_alone():
    lapsed = order(4, D(Y, 6, 1))
    result = grade_of(facts(violations=(lapsed,), ignored=(lapsed,)), params())
    assert result.grade == "C"
    assert [line.rule for line in result.lines] == ["C_IGNORED"]
    assert "第七条第（四）项" in result.lines[0].citation


def test_a_referral_is_c():
    result = grade_of(facts(referrals=(order(5, D(Y, 8, 8), kind="referral"),)), params())
    assert result.grade == "C"
    assert result.lines[0].rule == "C_REFERRAL" and result.lines[0].actions == [5]


@pytest.mark.parametrize(
    ("start", "end", "grade"),
    [
        (D(Y - 3, 1, 1), D(Y - 1, 12, 31), "A"),  # ended the day before the year began
        (D(Y - 3, 1, 2), D(Y, 1, 1), "C"),  # in force on the year's first day
        (D(Y, 12, 31), D(Y + 3, 12, 30), "C"),  # listed on the year's last day
        (D(Y + 1, 1, 1), D(Y + 4, 1, 1), "A"),
    ],
)
def test_on_the_list_for_a_day_of_the_year_is_c(start, end, grade):
    result = grade_of(facts(listings=(Lst(9, "XBSX-1", start, end),)), params())
    assert result.grade == grade
    if grade == "C":
        assert result.lines[0].listings == [9] and "XBSX-1" in result.lines[0].text


def test_every_c_line_is_given_and_b_is_not_added():
    lapsed = order(4)
    result = grade_of(
        facts(
            violations=(order(1), order(2), order(3), lapsed),
            ignored=(lapsed,),
            incidents=(Inc(7, 70, "extreme", D(Y, 2, 2)),),
            referrals=(order(5, kind="referral"),),
            listings=(Lst(9, "XBSX-1", D(Y, 1, 1), D(Y + 2, 12, 31)),),
        ),
        params(),
    )
    assert result.grade == "C"
    assert [line.rule for line in result.lines] == [
        "C_VIOLATIONS",
        "C_INCIDENT",
        "C_IGNORED",
        "C_REFERRAL",
        "C_LISTED",
    ]
    assert all(line.grade == "C" for line in result.lines)
