"""The rules at their edges — pure functions, no database."""

from __future__ import annotations

import datetime

import pytest

from anxin.core.policy_defaults import DEFAULTS
from anxin.monitoring import rules
from anxin.monitoring.rules import Facts, Obs, Param, Rep, Sig, add_months, assess

D = datetime.date
AS_OF = D(2026, 11, 25)


def params(**overrides) -> dict[str, Param]:
    values = {
        "immediate.arrears_months": 2,
        "immediate.complaints": 3,
        "self_report.deadline_days": 5,
        "level.orange_months": 1,
        "level.red_months": 2,
        "screen.electricity_drop_percent": 30,
        "screen.headcount_drop_percent": 20,
        "screen.tax_drop_percent": 30,
        "screen.points_si_arrears": 20,
        "screen.points_electricity_drop": 15,
        "screen.points_headcount_drop": 15,
        "screen.points_tax_drop": 10,
        "screen.points_overdue_loans": 15,
        "screen.points_litigation": 10,
        "screen.points_private_lending": 15,
        "screen.points_owner_unreachable": 30,
        "screen.points_suspension": 15,
        "screen.points_project_settlement": 15,
        "screen.points_collective": 20,
        "screen.points_grade_c": 30,
        "screen.points_grade_b": 10,
        "screen.weight_labour_intensive": 5,
        "screen.weight_labour_dispatch": 5,
        "screen.weight_construction": 5,
        "screen.weight_real_estate": 5,
        "risk.points_yellow": 20,
        "risk.points_orange": 40,
        "risk.points_red": 70,
    }
    values.update({k.replace("__", "."): v for k, v in overrides.items()})
    cites = {
        "immediate": "《实施意见》 §五(二)",
        "self_report": "《实施意见》 §四(一)",
        "level": "江苏宝应县做法",
    }
    return {
        code: Param(code, value, citation=cites.get(code.split(".")[0], "《实施意见》 §四(一)"))
        for code, value in values.items()
    }


def obs(code: str, *values: tuple[str, int]) -> dict[str, tuple[Obs, ...]]:
    series = []
    for n, (month, value) in enumerate(values, start=1):
        y, m = map(int, month.split("-"))
        series.append(Obs(id=n, month=D(y, m, 1), value=value))
    return {code: tuple(series)}


def complaint(
    n: int, day: D, *, verification="substantiated", months=0, merged=False, kind="wage_complaint"
) -> Sig:
    return Sig(id=n, kind=kind, verification=verification, received=day, months_owed=months, merged=merged)


def rule(code: str, facts: Facts, p=None, as_of=AS_OF):
    return rules.RULES_BY_CODE[code].check(facts, p or params(), as_of)


# --- IMMEDIATE_ARREARS_2M -----------------------------------------------------------------------


def test_two_months_of_wage_arrears_fire_the_immediate_report():
    finding = rule("IMMEDIATE_ARREARS_2M", Facts(1, observations=obs("wage_arrears_months", ("2026-11", 2))))
    assert finding.level == "red"
    assert "拖欠工资 2 个月" in finding.text and "≥2" in finding.text and "§五(二)" in finding.text
    assert finding.params[0]["code"] == "immediate.arrears_months" and finding.params[0]["value"] == 2


def test_one_month_does_not_fire():
    assert (
        rule("IMMEDIATE_ARREARS_2M", Facts(1, observations=obs("wage_arrears_months", ("2026-11", 1))))
        is None
    )


def test_social_insurance_arrears_count_too():
    finding = rule("IMMEDIATE_ARREARS_2M", Facts(1, observations=obs("si_arrears_months", ("2026-10", 3))))
    assert "社保连续欠缴 3 个月" in finding.text


def test_stale_data_says_nothing_about_now():
    old = Facts(1, observations=obs("wage_arrears_months", ("2026-07", 5)))
    assert rule("IMMEDIATE_ARREARS_2M", old) is None


def test_a_verified_complaint_of_two_months_fires_without_observations():
    facts = Facts(1, signals=(complaint(7, D(2026, 11, 10), months=2),))
    assert rule("IMMEDIATE_ARREARS_2M", facts).signals == [7]


def test_a_parameter_change_applies_through_the_values_passed():
    facts = Facts(1, observations=obs("wage_arrears_months", ("2026-11", 2)))
    assert rule("IMMEDIATE_ARREARS_2M", facts, params(immediate__arrears_months=3)) is None


# --- IMMEDIATE_COMPLAINTS_3 ---------------------------------------------------------------------


def test_the_third_verified_complaint_inside_one_month_fires():
    facts = Facts(
        1,
        signals=(complaint(1, D(2026, 11, 1)), complaint(2, D(2026, 11, 10)), complaint(3, D(2026, 11, 20))),
    )
    finding = rule("IMMEDIATE_COMPLAINTS_3", facts)
    assert finding.level == "red" and finding.signals == [1, 2, 3]
    assert "3 次" in finding.text and "≥3" in finding.text


def test_a_window_runs_to_the_same_day_of_the_next_month_inclusive():
    inside = Facts(
        1,
        signals=(complaint(1, D(2026, 10, 25)), complaint(2, D(2026, 11, 5)), complaint(3, D(2026, 11, 25))),
    )
    assert rule("IMMEDIATE_COMPLAINTS_3", inside) is not None
    outside = Facts(
        1,
        signals=(complaint(1, D(2026, 10, 24)), complaint(2, D(2026, 11, 5)), complaint(3, D(2026, 11, 25))),
    )
    assert rule("IMMEDIATE_COMPLAINTS_3", outside) is None


def test_three_spread_over_two_months_do_not_fire():
    facts = Facts(
        1,
        signals=(complaint(1, D(2026, 9, 30)), complaint(2, D(2026, 10, 20)), complaint(3, D(2026, 11, 15))),
    )
    assert rule("IMMEDIATE_COMPLAINTS_3", facts, as_of=D(2026, 11, 16)) is None


def test_two_verified_and_one_unverified_do_not_fire():
    facts = Facts(
        1,
        signals=(
            complaint(1, D(2026, 11, 1)),
            complaint(2, D(2026, 11, 10)),
            complaint(3, D(2026, 11, 20), verification="pending"),
        ),
    )
    assert rule("IMMEDIATE_COMPLAINTS_3", facts) is None


def test_a_merged_duplicate_is_not_a_second_complaint():
    facts = Facts(
        1,
        signals=(
            complaint(1, D(2026, 11, 1)),
            complaint(2, D(2026, 11, 2), merged=True),
            complaint(3, D(2026, 11, 20)),
        ),
    )
    assert rule("IMMEDIATE_COMPLAINTS_3", facts) is None


def test_partly_verified_counts_and_unfounded_does_not():
    base = (complaint(1, D(2026, 11, 1)), complaint(2, D(2026, 11, 10)))
    assert rule(
        "IMMEDIATE_COMPLAINTS_3",
        Facts(1, signals=(*base, complaint(3, D(2026, 11, 12), verification="partly"))),
    )
    assert (
        rule(
            "IMMEDIATE_COMPLAINTS_3",
            Facts(1, signals=(*base, complaint(3, D(2026, 11, 12), verification="unfounded"))),
        )
        is None
    )


def test_an_old_burst_does_not_keep_firing():
    facts = Facts(
        1, signals=(complaint(1, D(2026, 3, 1)), complaint(2, D(2026, 3, 10)), complaint(3, D(2026, 3, 20)))
    )
    assert rule("IMMEDIATE_COMPLAINTS_3", facts) is None


def test_month_arithmetic_clamps_to_the_end_of_the_month():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)


# --- LATE_SELF_REPORT ---------------------------------------------------------------------------


def test_a_late_self_report_fires():
    report = Rep(
        5, arrears_since=D(2026, 11, 1), reported_on=D(2026, 11, 9), deadline=D(2026, 11, 6), on_time=False
    )
    finding = rule("LATE_SELF_REPORT", Facts(1, reports=(report,)))
    assert finding.reports == [5] and "逾期" in finding.text and "§四(一)" in finding.text


def test_verified_arrears_with_no_report_after_the_deadline_fire():
    facts = Facts(
        1,
        signals=(
            Sig(3, "wage_complaint", "substantiated", received=D(2026, 11, 10), occurred=D(2026, 11, 1)),
        ),
    )
    assert rule("LATE_SELF_REPORT", facts).signals == [3]
    assert rule("LATE_SELF_REPORT", facts, as_of=D(2026, 11, 6)) is None  # day 5: still in time


def test_an_on_time_report_covers_the_arrears():
    sig = Sig(3, "wage_complaint", "substantiated", received=D(2026, 11, 10), occurred=D(2026, 11, 1))
    report = Rep(
        5, arrears_since=D(2026, 11, 1), reported_on=D(2026, 11, 4), deadline=D(2026, 11, 6), on_time=True
    )
    assert rule("LATE_SELF_REPORT", Facts(1, signals=(sig,), reports=(report,))) is None


# --- ARREARS_DURATION ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months", "amount", "level"), [(0, 100, "yellow"), (1, 100, "orange"), (2, 100, "red"), (5, 0, "red")]
)
def test_duration_levels(months, amount, level):
    observations = {
        **obs("wage_arrears_months", ("2026-11", months)),
        **obs("wage_arrears_amount", ("2026-11", amount)),
    }
    assert rule("ARREARS_DURATION", Facts(1, observations=observations)).level == level


def test_no_arrears_no_duration_finding():
    assert rule("ARREARS_DURATION", Facts(1, observations=obs("wage_arrears_months", ("2026-11", 0)))) is None


# --- SCREENING_RISK -----------------------------------------------------------------------------


def test_an_electricity_drop_against_the_trailing_three_months_scores():
    series = obs("electricity_kwh", ("2026-08", 1000), ("2026-09", 1000), ("2026-10", 1000), ("2026-11", 690))
    finding = rule("SCREENING_RISK", Facts(1, observations=series))
    assert finding.points == 15 and "下降 31%" in finding.text and finding.level == "none"


def test_a_drop_below_the_threshold_does_not_score():
    series = obs("electricity_kwh", ("2026-08", 1000), ("2026-09", 1000), ("2026-10", 1000), ("2026-11", 710))
    assert rule("SCREENING_RISK", Facts(1, observations=series)) is None


def test_factors_add_up_to_a_level_and_kinds_weigh_in():
    observations = {**obs("si_arrears_months", ("2026-11", 1)), **obs("overdue_loans", ("2026-11", 500000))}
    facts = Facts(1, kinds=frozenset({"labour_intensive", "industrial"}), observations=observations)
    finding = rule("SCREENING_RISK", facts)
    assert finding.points == 20 + 15 + 5 and finding.level == "orange"
    assert "劳动密集型" in finding.text


def _screened(facts: Facts, p=None, as_of=AS_OF) -> tuple[int, str, set[str]]:
    """Points, text and the parameter codes a screening finding used (0, "", set() when none)."""
    finding = rule("SCREENING_RISK", facts, p, as_of)
    if finding is None:
        return 0, "", set()
    return finding.points, finding.text, {q["code"] for q in finding.params}


def _flat(code: str, latest: int, before: int = 100) -> dict[str, tuple[Obs, ...]]:
    return obs(code, ("2026-08", before), ("2026-09", before), ("2026-10", before), ("2026-11", latest))


def test_social_insurance_arrears_of_one_month_score_and_none_do_not():
    points, text, used = _screened(Facts(1, observations=obs("si_arrears_months", ("2026-11", 1))))
    assert points == 20 and "社保欠缴 1 个月（20分）" in text and "screen.points_si_arrears" in used
    assert _screened(Facts(1, observations=obs("si_arrears_months", ("2026-11", 0))))[0] == 0


def test_a_headcount_drop_scores_at_its_threshold_and_not_below():
    points, text, used = _screened(Facts(1, observations=_flat("insured_headcount", 80)))
    assert points == 15 and "参保人数较前三个月均值下降 20%（≥20%）（15分）" in text
    assert {"screen.headcount_drop_percent", "screen.points_headcount_drop"} <= used
    assert _screened(Facts(1, observations=_flat("insured_headcount", 81)))[0] == 0


def test_an_electricity_drop_scores_at_its_threshold_and_not_below():
    assert _screened(Facts(1, observations=_flat("electricity_kwh", 70)))[0] == 15
    assert _screened(Facts(1, observations=_flat("electricity_kwh", 71)))[0] == 0


def test_a_drop_needs_the_three_months_before_it():
    gap = obs("insured_headcount", ("2026-07", 100), ("2026-09", 100), ("2026-10", 100), ("2026-11", 10))
    assert _screened(Facts(1, observations=gap))[0] == 0


def test_a_tax_drop_scores_at_its_threshold_and_not_below():
    points, text, used = _screened(Facts(1, observations=_flat("tax_paid", 70)))
    assert points == 10 and "纳税额较前三个月均值下降 30%" in text and "screen.points_tax_drop" in used
    assert _screened(Facts(1, observations=_flat("tax_paid", 71)))[0] == 0


@pytest.mark.parametrize(
    ("indicator", "signal_kind", "label", "points_code", "points"),
    [
        ("overdue_loans", "loan_overdue", "银行贷款逾期", "screen.points_overdue_loans", 15),
        ("lawsuits", "litigation", "涉诉涉执", "screen.points_litigation", 10),
        ("private_lending", "private_lending", "民间借贷风险", "screen.points_private_lending", 15),
    ],
)
def test_an_observed_or_signalled_factor_scores_for_ninety_days(
    indicator, signal_kind, label, points_code, points
):
    assert _screened(Facts(1, observations=obs(indicator, ("2026-11", 1))))[:2] == (
        points,
        f"{label}（{points}分）；合计 {points} 分（黄≥20、橙≥40、红≥70，依据 §四(一)）",
    )
    assert _screened(Facts(1, observations=obs(indicator, ("2026-11", 0))))[0] == 0
    day90 = AS_OF - datetime.timedelta(days=90)
    on_edge = Facts(1, signals=(Sig(5, signal_kind, "pending", received=day90),))
    assert _screened(on_edge)[0] == points and points_code in _screened(on_edge)[2]
    too_old = Facts(1, signals=(Sig(5, signal_kind, "pending", received=day90 - datetime.timedelta(days=1)),))
    assert _screened(too_old)[0] == 0
    unfounded = Facts(1, signals=(Sig(5, signal_kind, "unfounded", received=AS_OF),))
    assert _screened(unfounded)[0] == 0


@pytest.mark.parametrize(
    ("status", "signal_kind", "label", "points"),
    [
        ("suspended", "suspension", "停产停业", 15),
        ("unreachable", "owner_absconded", "企业主失联逃匿", 30),
    ],
)
def test_suspension_and_an_unreachable_owner_score_by_status_or_signal(status, signal_kind, label, points):
    assert _screened(Facts(1, status=status))[:2] == (
        points,
        f"{label}（{points}分）；合计 {points} 分（黄≥20、橙≥40、红≥70，依据 §四(一)）",
    )
    assert _screened(Facts(1, status="operating"))[0] == 0
    day90 = AS_OF - datetime.timedelta(days=90)
    assert _screened(Facts(1, signals=(Sig(5, signal_kind, "pending", received=day90),)))[0] == points
    old = Facts(1, signals=(Sig(5, signal_kind, "pending", received=day90 - datetime.timedelta(days=1)),))
    assert _screened(old)[0] == 0


def test_a_project_settlement_problem_scores():
    facts = Facts(1, signals=(Sig(5, "project_settlement", "pending", received=AS_OF),))
    points, text, used = _screened(facts)
    assert points == 15 and "工程款结算、劳务分包问题" in text and "screen.points_project_settlement" in used


def test_collective_complaints_score_for_a_year_and_not_a_day_more():
    year = AS_OF - datetime.timedelta(days=365)
    points, text, _used = _screened(Facts(1, signals=(complaint(5, year, kind="collective"),)))
    assert points == 20 and "近一年集体讨薪苗头 1 次" in text
    older = complaint(5, year - datetime.timedelta(days=1), kind="collective")
    assert _screened(Facts(1, signals=(older,)))[0] == 0
    unfounded = complaint(5, AS_OF, kind="collective", verification="unfounded")
    assert _screened(Facts(1, signals=(unfounded,)))[0] == 0


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("labour_intensive", "劳动密集型"),
        ("labour_dispatch", "劳务派遣"),
        ("construction", "建筑施工"),
        ("real_estate", "房地产开发"),
    ],
)
def test_each_kind_adds_its_own_weight_to_a_scoring_enterprise(kind, name):
    # A distinct weight for the kind under test: the rule must read that kind's parameter.
    p = params(**{f"screen__weight_{kind}": 7})
    facts = Facts(1, kinds=frozenset({kind}), observations=obs("si_arrears_months", ("2026-11", 1)))
    points, text, used = _screened(facts, p)
    assert points == 20 + 7 and f"重点排查类型：{name}（7分）" in text and f"screen.weight_{kind}" in used
    other = Facts(1, kinds=frozenset({"industrial"}), observations=obs("si_arrears_months", ("2026-11", 1)))
    assert _screened(other, p)[0] == 20


def test_factor_points_are_parameters_and_the_text_shows_the_value_used():
    p = params(screen__points_si_arrears=25, risk__points_yellow=25)
    finding = rule("SCREENING_RISK", Facts(1, observations=obs("si_arrears_months", ("2026-11", 2))), p)
    assert finding.points == 25 and finding.level == "yellow" and "（25分）" in finding.text
    used = {q["code"]: q["value"] for q in finding.params}
    assert used["screen.points_si_arrears"] == 25


def test_the_screening_rule_declares_every_parameter_it_reads():
    declared = set(rules.RULES_BY_CODE["SCREENING_RISK"].params)
    assert (
        set(rules.FACTOR_POINTS) | set(rules.GRADE_POINTS.values()) | set(rules.KIND_WEIGHTS.values())
        <= declared
    )
    assert set(params()) == set(rules.PARAMETER_CODES)  # the test values cover every rule's parameters


def test_every_parameter_a_rule_reads_ships_with_a_default_and_a_citation():
    shipped = {d["code"]: d for d in DEFAULTS}
    for code in rules.PARAMETER_CODES:
        assert code in shipped and shipped[code]["citation"].strip()
    for code in (*rules.FACTOR_POINTS, *rules.KIND_WEIGHTS.values()):
        assert "§四(一)" in shipped[code]["citation"] and shipped[code]["to_confirm"]
        assert "本区做法" in shipped[code]["note"]


def test_kinds_alone_are_not_a_risk():
    assert rule("SCREENING_RISK", Facts(1, kinds=frozenset({"construction", "real_estate"}))) is None


def test_an_unreachable_owner_with_collective_complaints_is_red_on_points():
    facts = Facts(
        1,
        status="unreachable",
        signals=(
            complaint(9, D(2026, 10, 1), kind="collective"),
            Sig(10, "private_lending", "pending", received=D(2026, 11, 1)),
        ),
        observations=obs("si_arrears_months", ("2026-11", 2)),
    )
    finding = rule("SCREENING_RISK", facts)
    assert finding.points == 30 + 20 + 15 + 20 and finding.level == "red"


# --- assess -------------------------------------------------------------------------------------


def test_the_level_is_the_highest_finding_and_every_finding_explains_itself():
    facts = Facts(
        1,
        observations={
            **obs("wage_arrears_months", ("2026-11", 3)),
            **obs("si_arrears_months", ("2026-11", 1)),
        },
    )
    result = assess(facts, params(), AS_OF)
    assert result.level == "red"
    assert {f.rule for f in result.findings} == {"IMMEDIATE_ARREARS_2M", "ARREARS_DURATION", "SCREENING_RISK"}
    assert all(f.text and f.params for f in result.findings)


def test_a_quiet_enterprise_has_no_level():
    assert assess(Facts(1), params(), AS_OF).level == "none"


def test_every_rule_lists_the_parameters_it_reads():
    for r in rules.RULES:
        assert r.params and r.citation and r.name


# --- the scan's view: what is not loaded changes no finding ----------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SIGNAL_KINDS = (
    "wage_complaint",
    "collective",
    "social_insurance",
    "litigation",
    "private_lending",
    "owner_absconded",
    "suspension",
    "tax_anomaly",
    "loan_overdue",
    "project_settlement",
)
INDICATORS = (
    "wage_arrears_months",
    "wage_arrears_amount",
    "si_arrears_months",
    "electricity_kwh",
    "insured_headcount",
    "tax_paid",
    "overdue_loans",
    "lawsuits",
    "private_lending",
)


@st.composite
def histories(draw):
    as_of = draw(st.dates(D(2025, 6, 1), D(2027, 6, 30)))
    signals = tuple(
        Sig(
            id=n,
            kind=draw(st.sampled_from(SIGNAL_KINDS)),
            verification=draw(st.sampled_from(("pending", "substantiated", "partly", "unfounded"))),
            received=as_of - datetime.timedelta(days=draw(st.integers(-20, 500))),
            occurred=None,
            months_owed=draw(st.integers(0, 4)),
            merged=draw(st.booleans()),
        )
        for n in range(draw(st.integers(0, 12)))
    )
    observations = {}
    for code in draw(st.lists(st.sampled_from(INDICATORS), unique=True, max_size=4)):
        months = sorted(set(draw(st.lists(st.integers(-3, 24), max_size=14))))
        series = tuple(
            Obs(
                id=100 * (INDICATORS.index(code) + 1) + k,
                month=add_months(as_of.replace(day=1), -k),
                value=draw(st.integers(0, 5) if "months" in code else st.integers(0, 2000)),
            )
            for k in sorted(months, reverse=True)
        )
        if series:
            observations[code] = series
    reports = tuple(
        Rep(
            id=900 + n,
            arrears_since=(since := as_of - datetime.timedelta(days=draw(st.integers(0, 400)))),
            reported_on=since + datetime.timedelta(days=(late := draw(st.integers(0, 12)))),
            deadline=since + datetime.timedelta(days=5),
            on_time=late <= 5,
        )
        for n in range(draw(st.integers(0, 2)))
    )
    facts = Facts(
        enterprise_id=1,
        kinds=frozenset(draw(st.sets(st.sampled_from(("labour_intensive", "construction", "industrial"))))),
        status=draw(st.sampled_from(("operating", "operating", "suspended", "unreachable"))),
        observations=observations,
        signals=signals,
        reports=reports,
    )
    return facts, as_of


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_the_scan_loads_everything_a_rule_can_see(history):
    facts, as_of = history
    whole, seen = assess(facts, params(), as_of), assess(rules.in_view(facts, as_of), params(), as_of)
    assert (seen.level, seen.points) == (whole.level, whole.points)
    assert [f.as_dict() for f in seen.findings] == [f.as_dict() for f in whole.findings]


def test_the_view_keeps_the_oldest_month_a_drop_can_read():
    # Latest value two months back (the oldest "current" month), the three before it: 5 months back.
    series = obs("electricity_kwh", ("2026-06", 1000), ("2026-07", 1000), ("2026-08", 1000), ("2026-09", 100))
    facts = Facts(enterprise_id=1, observations=series, kinds=frozenset({"labour_intensive"}))
    as_of = D(2026, 11, 30)
    whole = assess(facts, params(), as_of)
    assert any("用电量" in f.text for f in whole.findings)
    assert assess(rules.in_view(facts, as_of), params(), as_of).findings == whole.findings


def test_a_report_received_after_the_day_of_assessment_does_not_cover_it_yet():
    # Found by the property test above: the scan never loads reports after ``as_of``; the rule
    # itself must not count them either.
    complaint = Sig(id=1, kind="wage_complaint", verification="substantiated", received=D(2025, 5, 26))
    report = Rep(9, D(2025, 5, 26), D(2025, 6, 2), D(2025, 5, 31), False)
    facts = Facts(enterprise_id=1, signals=(complaint,), reports=(report,))
    assert rule("LATE_SELF_REPORT", facts, as_of=D(2025, 6, 1)) is not None
    assert "#1" in rule("LATE_SELF_REPORT", facts, as_of=D(2025, 6, 1)).text


# --- the integrity grade as a screening factor (§三(七)) ------------------------------------------------


def test_a_c_grade_is_a_screening_factor_with_its_year_and_parameter():
    finding = rule("SCREENING_RISK", Facts(1, grade="C", grade_year=2026))
    assert finding.points == 30 and finding.level == "yellow"
    assert "守法诚信等级C级（2026年度）（30分）" in finding.text
    used = {q["code"]: q["value"] for q in finding.params}
    assert used["screen.points_grade_c"] == 30


def test_a_b_grade_counts_less_and_an_a_grade_not_at_all():
    finding = rule("SCREENING_RISK", Facts(1, grade="B", grade_year=2025))
    assert finding.points == 10 and finding.level == "none"
    assert "守法诚信等级B级（2025年度）（10分）" in finding.text
    assert rule("SCREENING_RISK", Facts(1, grade="A", grade_year=2026)) is None


def test_the_grade_adds_to_the_other_factors_and_raises_the_level():
    facts = Facts(1, grade="C", grade_year=2026, observations=obs("si_arrears_months", ("2026-11", 2)))
    finding = rule("SCREENING_RISK", facts)
    assert finding.points == 50 and finding.level == "orange"  # 20 + 30 ≥ 40


def test_zero_points_leave_the_grade_out():
    assert (
        rule("SCREENING_RISK", Facts(1, grade="C", grade_year=2026), params(screen__points_grade_c=0)) is None
    )


@pytest.mark.parametrize(("grade", "quiet"), [("", True), ("A", True), ("B", False), ("C", False)])
def test_a_b_or_c_grade_is_not_quiet(grade, quiet):
    facts = Facts(1, grade=grade, grade_year=2026 if grade else None)
    assert facts.quiet is quiet
    assert (assess(facts, params(), AS_OF).points == 0) is quiet


def test_the_grade_survives_the_view_cut():
    facts = Facts(1, grade="C", grade_year=2026)
    assert rules.in_view(facts, AS_OF).grade == "C" and rules.in_view(facts, AS_OF).grade_year == 2026
