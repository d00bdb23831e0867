"""The deadline measures (signals, alerts, follow-ups, immediate reports, cases): hand-built rows at
the edges (done on the due day = met; one working day late = missed; not done = missed; nothing due
= None), a town against another town, a department's line, and the rule "the value equals what the
ledger shows for the same unit, period and filter" (counted through the ledger's own selector for a
real user of the unit)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import F

from anxin.assessment import measures
from anxin.assessment.tests.factories_measures import (
    DUE,
    END,
    NEXT_WORKDAY,
    START,
    alert_due,
    at,
    case_due,
    frozen,
    immediate_due,
    signal_due,
    unit,
    watched,
)
from anxin.core.deadlines import start_of

pytestmark = pytest.mark.django_db

LOW, HIGH = start_of(START), start_of(END + datetime.timedelta(days=1))


@pytest.fixture(autouse=True)
def clock():
    with frozen():
        yield


def compute(key: str, code: str, start: datetime.date = START, end: datetime.date = END) -> measures.Result:
    return measures.get(key).compute(unit(code), start, end, {})


def by_id(result: measures.Result) -> dict[int, dict]:
    return {r["id"]: r for r in result.records}


# --- signals ----------------------------------------------------------------------------------------


def test_signals_on_the_due_day_met_one_working_day_late_missed(world):
    e = world.luoxi_factory
    on_day = signal_due(e, DUE, at(DUE, 20))
    late = signal_due(e, DUE, at(NEXT_WORKDAY, 9))
    never = signal_due(e, DUE)
    signal_due(e, datetime.date(2026, 11, 2), at(datetime.date(2026, 11, 2)))  # due after the period

    result = compute("signals_verified_on_time", "gov-luoxi")

    assert (result.numerator, result.denominator, result.value) == (1, 3, Decimal("0.3333"))
    rows = by_id(result)
    assert rows[on_day.pk]["met"] is True and rows[on_day.pk]["note"] == ""
    assert rows[late.pk]["met"] is False and rows[late.pk]["note"] == "逾期 1 个工作日"
    assert rows[never.pk]["met"] is False and rows[never.pk]["note"].startswith("逾期未办")
    assert [r["met"] for r in result.records] == [False, False, True]  # missed first
    assert rows[late.pk]["url"] == f"/signals/{late.pk}/"
    assert result.params["signal.verify_working_days"]["value"] == "5"
    assert result.params["signal.verify_working_days"]["citation"]

    deduction = compute("late_verifications", "gov-luoxi")
    assert deduction.value == Decimal(2) and {r["id"] for r in deduction.records} == {late.pk, never.pk}


def test_signals_nothing_due_is_none(world):
    signal_due(world.luoxi_factory, datetime.date(2026, 9, 30), at(datetime.date(2026, 9, 30)))
    result = compute("signals_verified_on_time", "gov-luoxi")
    assert result.value is None and result.denominator == 0
    assert compute("late_verifications", "gov-luoxi").value == Decimal(0)


def test_signals_not_yet_due_not_counted_until_done(world):
    e = world.luoxi_factory
    ahead = datetime.date(2026, 12, 10)
    early = signal_due(e, ahead, at(datetime.date(2026, 12, 4)))
    signal_due(e, ahead)  # not done, not yet due: not missed yet
    result = compute("signals_verified_on_time", "gov-luoxi", START, datetime.date(2026, 12, 31))
    assert (result.numerator, result.denominator) == (1, 1)
    assert by_id(result)[early.pk]["met"] is True


def test_signals_scope_town_against_town_and_a_departments_line(world):
    signal_due(world.luoxi_factory, DUE, at(NEXT_WORKDAY))
    signal_due(world.xuejia_factory, DUE, at(DUE))
    builder = signal_due(world.luoxi_builder, DUE, at(DUE), unit_code="construction")

    luoxi = compute("signals_verified_on_time", "gov-luoxi")
    xuejia = compute("signals_verified_on_time", "gov-xuejia")
    construction = compute("signals_verified_on_time", "construction")

    assert (luoxi.numerator, luoxi.denominator) == (0, 1)  # its factory (late); the builder is 城建局's
    assert (xuejia.numerator, xuejia.denominator) == (1, 1)
    assert [r["id"] for r in construction.records] == [builder.pk]  # assigned to it


def test_signals_equal_the_ledger(world, luoxi, chengjian):
    from anxin.intake.selectors import signal_list

    for e in (world.luoxi_factory, world.luoxi_builder, world.xuejia_factory):
        for code in ("", "construction"):
            signal_due(e, DUE, at(DUE), unit_code=code)
            signal_due(e, DUE, at(NEXT_WORKDAY), unit_code=code)
            signal_due(e, DUE, unit_code=code)
    for user, code in ((luoxi, "gov-luoxi"), (chengjian, "construction")):
        result = compute("signals_verified_on_time", code)
        assert (result.denominator or 0) > 0
        ledger = signal_list(user=user, responsible=code).filter(
            due_at__gte=LOW, due_at__lt=HIGH, merged_into__isnull=True
        )
        assert result.denominator == ledger.count()
        assert result.numerator == ledger.filter(verified_at__lte=F("due_at")).count()
        assert (
            compute("late_verifications", code).numerator
            == ledger.exclude(verified_at__lte=F("due_at")).count()
        )


# --- alerts ------------------------------------------------------------------------------------------


def test_alerts_edges_scope_and_ledger(world, luoxi, xuejia):
    from anxin.monitoring.selectors import alert_list

    on_day = alert_due(world.luoxi_factory, DUE, at(DUE, 22))
    late = alert_due(world.luoxi_builder, DUE, at(NEXT_WORKDAY))
    alert_due(world.luoxi_builder, DUE, unit_code="construction")  # 城建局's, not the town's
    alert_due(world.luoxi_factory, datetime.date(2026, 11, 3))  # due after the period
    alert_due(world.xuejia_factory, DUE)

    result = compute("alerts_handled_on_time", "gov-luoxi")
    assert (result.numerator, result.denominator) == (1, 2)
    assert by_id(result)[on_day.pk]["met"] is True
    assert by_id(result)[late.pk]["note"] == "逾期 1 个工作日"
    assert "alert.handle_working_days" in result.params
    other = compute("alerts_handled_on_time", "gov-xuejia")
    assert (other.numerator, other.denominator, other.value) == (0, 1, Decimal("0"))
    assert compute("alerts_handled_on_time", "construction").denominator == 1  # the one assigned to it
    assert (
        compute(
            "alerts_handled_on_time", "gov-luoxi", datetime.date(2026, 9, 1), datetime.date(2026, 9, 30)
        ).value
        is None
    )

    for user, code in ((luoxi, "gov-luoxi"), (xuejia, "gov-xuejia")):
        ledger = alert_list(user=user, responsible=code).filter(due_at__gte=LOW, due_at__lt=HIGH)
        found = compute("alerts_handled_on_time", code)
        assert found.denominator == ledger.count()
        assert found.numerator == ledger.filter(closed_at__lte=F("due_at")).count()


# --- immediate reports -------------------------------------------------------------------------------


def test_immediate_reports_by_the_hour(world, luoxi):
    from anxin.monitoring.selectors import report_list

    due = at(DUE, 15)
    in_time = immediate_due(world.luoxi_factory, due, due)
    late = immediate_due(world.luoxi_builder, due, due + datetime.timedelta(days=1, minutes=1))
    never = immediate_due(world.luoxi_factory, due)
    immediate_due(world.luoxi_builder, due, status="closed")  # closed by the office: nothing to send

    result = compute("immediate_reports_on_time", "gov-luoxi")
    assert (result.numerator, result.denominator) == (1, 3)
    rows = by_id(result)
    assert rows[in_time.pk]["met"] is True
    assert rows[late.pk]["note"] == "逾期 1 日"
    assert rows[never.pk]["met"] is False
    assert result.params["immediate.report_hours"]["value"] == "24"
    assert compute("immediate_reports_on_time", "gov-xuejia").value is None

    ledger = (
        report_list(user=luoxi, responsible="gov-luoxi")
        .filter(due_at__gte=LOW, due_at__lt=HIGH)
        .exclude(status="closed", submitted_at__isnull=True)
    )
    assert result.denominator == ledger.count()
    assert result.numerator == ledger.filter(submitted_at__lte=F("due_at")).count()


# --- cases ----------------------------------------------------------------------------------------------


def test_cases_closed_by_the_deadline(world, luoxi, xuejia, chengjian):
    from anxin.cases.selectors import case_list

    on_day = case_due(world.luoxi_factory, DUE, at(DUE, 18))
    late = case_due(world.luoxi_builder, DUE, at(NEXT_WORKDAY))
    open_ = case_due(world.luoxi_factory, DUE)
    led = case_due(world.luoxi_builder, DUE, at(NEXT_WORKDAY))
    type(led).objects.filter(pk=led.pk).update(lead_unit=unit("construction"))  # led by 城建局
    case_due(world.xuejia_factory, datetime.date(2026, 11, 20))

    result = compute("cases_closed_on_time", "gov-luoxi")
    assert (result.numerator, result.denominator) == (1, 3)
    rows = by_id(result)
    assert rows[on_day.pk]["met"] is True
    assert rows[late.pk]["note"] == "逾期 1 个工作日"
    assert rows[open_.pk]["note"].startswith("逾期未办")
    assert "inspection.investigation_working_days" in result.params
    overdue = compute("overdue_cases", "gov-luoxi")
    assert {r["id"] for r in overdue.records} == {late.pk, open_.pk}
    assert compute("cases_closed_on_time", "gov-xuejia").value is None  # due in November
    assert [r["id"] for r in compute("cases_closed_on_time", "construction").records] == [led.pk]

    for user, code in ((luoxi, "gov-luoxi"), (chengjian, "construction")):
        ledger = case_list(user=user, lead=code).filter(deadline_at__gte=LOW, deadline_at__lt=HIGH)
        found = compute("cases_closed_on_time", code)
        assert found.denominator == ledger.count()
        assert found.numerator == ledger.filter(closed_at__lte=F("deadline_at")).count()


# --- follow-ups -----------------------------------------------------------------------------------------


def test_followups_due_day_met_a_day_late_missed_and_the_pending_one(world, office):
    # Confirmed 2 October, red (every 7 days): due 9 October — visited that day (met); next due 16
    # October — visited on the 17th (one day late); next due 24 October — never visited (missed).
    entry = watched(
        world.luoxi_factory,
        confirmed=datetime.date(2026, 10, 2),
        visits=(datetime.date(2026, 10, 9), datetime.date(2026, 10, 17)),
        by=office,
    )
    result = compute("followups_on_time", "gov-luoxi")
    assert (result.numerator, result.denominator) == (1, 3)
    assert [(r["due"], r["met"]) for r in result.records] == [
        ("2026-10-16", False),
        ("2026-10-24", False),
        ("2026-10-09", True),
    ]
    assert result.records[0]["note"] == "逾期 1 日"
    assert result.records[1]["done"] is None and result.records[0]["url"] == f"/watch/{entry.pk}/"
    assert set(result.params) == {
        "watch.followup_days_red",
        "watch.followup_days_orange",
        "watch.followup_days_yellow",
    }
    assert compute("followups_on_time", "gov-xuejia").value is None


def test_followups_an_exited_entry_owes_nothing_after_it_left(world, office):
    watched(
        world.xuejia_factory,
        confirmed=datetime.date(2026, 10, 2),
        visits=(datetime.date(2026, 10, 9),),
        by=office,
        status="exited",
        closed=datetime.date(2026, 10, 12),
    )
    result = compute("followups_on_time", "gov-xuejia")
    assert (result.numerator, result.denominator, result.value) == (1, 1, Decimal("1.0000"))


def test_signals_beyond_the_listed_limit_are_counted_exactly_and_said_so(world, monkeypatch):
    from anxin.assessment import measures_data

    monkeypatch.setattr(measures_data, "SIGNALS_LISTED", 2)
    e = world.luoxi_factory
    first = signal_due(e, DUE)
    second = signal_due(e, DUE, at(NEXT_WORKDAY, 9))
    signal_due(e, NEXT_WORKDAY)  # the third missed one, due last: counted, not listed
    signal_due(e, DUE, at(DUE, 9))  # met
    result = compute("signals_verified_on_time", "gov-luoxi")
    assert (result.numerator, result.denominator) == (1, 4)
    assert [r["id"] for r in result.records if r["met"] is False] == [first.pk, second.pk]
    assert "未按时 3 条，逐条列出最早到期的 2 条" in result.note
    deduction = compute("late_verifications", "gov-luoxi")
    assert deduction.value == Decimal(3) and len(deduction.records) == 2
