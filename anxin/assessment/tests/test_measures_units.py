"""The measures of a unit's own work (periodic reports, decisions, publicity) and of its scope
(screening coverage, arrears recovered): edges, scope, and equality with the ledgers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Q, Sum

from anxin.assessment import measures
from anxin.assessment.measures_data import CATALOGUE, DEFAULT_SETTINGS
from anxin.assessment.tests.factories_measures import (
    DUE,
    END,
    START,
    at,
    campaign,
    decision_state,
    decisions,
    frozen,
    periodic,
    task,
    unit,
)

pytestmark = pytest.mark.django_db

KEYS = [
    "signals_verified_on_time",
    "alerts_handled_on_time",
    "followups_on_time",
    "immediate_reports_on_time",
    "cases_closed_on_time",
    "periodic_reports_on_time",
    "decisions_on_time",
    "publicity_held",
    "screening_coverage",
    "arrears_recovered",
    "late_verifications",
    "overdue_cases",
    "dissatisfied_closures",
]


@pytest.fixture(autouse=True)
def clock():
    with frozen():
        yield


def compute(key: str, code: str, start: datetime.date = START, end: datetime.date = END) -> measures.Result:
    return measures.get(key).compute(unit(code), start, end, {})


def test_every_measure_is_registered_with_its_formula_clause_and_defaults():
    # this part's measures, and the two the other parts register (findings, rectification items)
    assert sorted(measures.MEASURES) == sorted([*KEYS, "findings", "rectification_overdue"])
    for key, _label, kind, clause, formula, _compute, settings, _groups in CATALOGUE:
        measure = measures.get(key)
        assert measure.kind == kind and measure.clause == clause and "§五(三)" in clause
        assert "=" in formula and measure.formula == formula
        if kind == measures.SHARE:
            assert Decimal(settings["full_at"]) > Decimal(settings["zero_at"])
    assert DEFAULT_SETTINGS["publicity_held"] == {"target": "4"}


# --- periodic reports -----------------------------------------------------------------------------------


def test_periodic_reports_first_submission_by_the_due_day(district, luoxi):
    from anxin.reports.periodic_selectors import ON_TIME, standings, unit_template

    # 2026-07 due 5 August: submitted that day (met); 2026-08 due 5 September: first submitted on
    # the 6th (one day late); 2026-09 due 5 October: never submitted (missed).
    on_time = periodic("gov-luoxi", "2026-07", first=at(datetime.date(2026, 8, 5), 20), by=luoxi)
    late = periodic("gov-luoxi", "2026-08", first=at(datetime.date(2026, 9, 6)), by=luoxi)
    start = datetime.date(2026, 8, 1)

    result = compute("periodic_reports_on_time", "gov-luoxi", start, END)

    assert (result.numerator, result.denominator) == (1, 3)
    rows = {r["period"]: r for r in result.records}
    assert rows["2026-07"]["met"] is True and rows["2026-07"]["id"] == on_time.pk
    assert rows["2026-08"]["met"] is False and rows["2026-08"]["note"] == "逾期 1 日"
    assert rows["2026-08"]["id"] == late.pk
    assert rows["2026-09"]["met"] is False and rows["2026-09"]["note"].startswith("未报送")
    assert set(result.params) == {"report.frequency_months", "report.due_day"}
    assert compute("periodic_reports_on_time", "gov-xuejia", start, END).numerator == 0
    assert compute("periodic_reports_on_time", "gov-luoxi", start, datetime.date(2026, 8, 4)).value is None
    # The office's inbox shows the same standing for each period.
    template = unit_template(unit("gov-luoxi"))
    assert template is not None
    for period, row in rows.items():
        (standing,) = standings(period, [(unit("gov-luoxi"), template)])
        assert (standing.standing == ON_TIME) is row["met"]


def test_periodic_reports_a_unit_outside_the_scheme_is_none(district):
    result = compute("periodic_reports_on_time", "office")
    assert result.value is None and "不在定期报告范围" in result.note


# --- conference decisions ---------------------------------------------------------------------------------


def test_decisions_accepted_on_time(office, convener, luoxi):
    from anxin.conference.decisions_selectors import decision_list

    met, late, waiting, open_ = decisions(office, convener, "gov-luoxi", 4)
    decision_state(met, due=DUE, status="done", completed=DUE)
    decision_state(late, due=DUE, status="done", completed=DUE + datetime.timedelta(days=1))
    decision_state(waiting, due=DUE, status="reported", completed=DUE)
    decision_state(open_, due=DUE, status="open")

    result = compute("decisions_on_time", "gov-luoxi")

    assert (result.numerator, result.denominator) == (1, 3)
    rows = {r["id"]: r for r in result.records}
    assert rows[met.pk]["met"] is True
    assert rows[late.pk]["note"] == "逾期 1 日"
    assert rows[waiting.pk]["met"] is None and "待验收" in rows[waiting.pk]["note"]
    assert rows[open_.pk]["met"] is False
    assert compute("decisions_on_time", "gov-xuejia").value is None
    assert compute("decisions_on_time", "construction").value is None

    ledger = decision_list(user=luoxi, owner=unit("gov-luoxi")).filter(due_on__gte=START, due_on__lte=END)
    assert result.denominator == ledger.exclude(status="reported", completed_on__lte=DUE).count()
    assert result.numerator == ledger.filter(status="done", completed_on__lte=DUE).count()


# --- publicity --------------------------------------------------------------------------------------------


def test_publicity_held_in_the_period(luoxi, xuejia):
    from anxin.reports.publicity_selectors import publicity_list
    from anxin.reports.tests.factories_periodic import publicity

    publicity("gov-luoxi", "2026-10-01", audience=50, actor=luoxi)
    publicity("gov-luoxi", "2026-10-31", audience=20, actor=luoxi)
    withdrawn = publicity("gov-luoxi", "2026-10-15", audience=20, actor=luoxi)
    withdrawn.withdrawn, withdrawn.withdraw_reason = True, "重复登记"
    withdrawn.save()
    publicity("gov-luoxi", "2026-11-01", audience=20, actor=luoxi)
    publicity("gov-xuejia", "2026-10-10", audience=20, actor=xuejia)

    result = compute("publicity_held", "gov-luoxi")
    assert result.value == Decimal(2) and len(result.records) == 2
    assert compute("publicity_held", "gov-xuejia").value == Decimal(1)
    assert compute("publicity_held", "construction").value == Decimal(0)
    ledger = publicity_list(user=luoxi, unit="gov-luoxi", date_from=START, date_to=END, withdrawn="no")
    assert result.numerator == ledger.count()


# --- screening coverage -------------------------------------------------------------------------------


def test_screening_coverage(world, office, luoxi, chengjian):
    from anxin.monitoring.selectors import screening_task_list
    from anxin.registry.selectors import enterprise_list
    from anxin.reports.figures import _screened, viewer_for

    round_ = campaign(office)
    task(round_, world.luoxi_factory, at(datetime.date(2026, 10, 10)), by=luoxi)
    task(round_, world.luoxi_builder, None, by=luoxi)
    task(round_, world.xuejia_factory, at(datetime.date(2026, 11, 2)), by=office)  # after the period

    result = compute("screening_coverage", "gov-luoxi")
    assert (result.numerator, result.denominator, result.value) == (1, 2, Decimal("0.5000"))
    assert [r["label"] for r in result.records] == [world.luoxi_builder.name, world.luoxi_factory.name]
    assert result.records[0]["note"] == "本期未排查"
    xuejia = compute("screening_coverage", "gov-xuejia")
    assert (xuejia.numerator, xuejia.denominator) == (0, 2)
    line = compute("screening_coverage", "construction")
    assert line.numerator == 0 and world.luoxi_builder.pk in {r["id"] for r in line.records}

    for user, code in ((luoxi, "gov-luoxi"), (chengjian, "construction")):
        found = compute("screening_coverage", code)
        assert found.denominator == enterprise_list(user=user, status="operating").count()
        assert found.numerator == _screened(viewer_for(unit(code)), START, END)
        assert found.numerator == (
            screening_task_list(user=user, campaign=None, date_from=START, date_to=END)
            .exclude(result="pending")
            .values("enterprise_id")
            .distinct()
            .count()
        )


# --- arrears recovered --------------------------------------------------------------------------------


def test_arrears_recovered_paid_over_confirmed(world, luoxi, renshe):
    from anxin.cases.tests.factories import open_case
    from anxin.money.claims_views import claim_list, payment_list
    from anxin.money.tests.factories_claims import confirmed, pay

    with time_machine.travel(at(datetime.date(2026, 10, 12)), tick=False):
        case = open_case(world.luoxi_factory)
        first, _second = confirmed(case, actor=luoxi, confirmer=renshe)  # ¥10,000 and ¥20,000
        pay(first, 1_000_000, actor=renshe)
    with time_machine.travel(at(datetime.date(2026, 11, 12)), tick=False):
        pay(_second, 500_000, actor=renshe)  # after the period: not counted for October

    result = compute("arrears_recovered", "gov-luoxi")
    assert (result.numerator, result.denominator, result.value) == (1_000_000, 3_000_000, Decimal("0.3333"))
    (record,) = result.records
    assert record["id"] == case.pk and record["met"] is False
    assert "确认 30,000.00 元" in record["label"] and record["note"] == "尚欠 20,000.00 元"
    through_november = compute("arrears_recovered", "gov-luoxi", START, datetime.date(2026, 11, 30))
    assert through_november.numerator == 1_500_000
    assert compute("arrears_recovered", "gov-xuejia").value is None

    claims = claim_list(user=luoxi, status="confirmed")
    assert result.denominator == claims.aggregate(n=Sum("confirmed_amount"))["n"]
    paid = payment_list(user=luoxi, date_to=END).aggregate(n=Sum("amount", filter=Q(reverses__isnull=True)))[
        "n"
    ]
    assert result.numerator == paid
