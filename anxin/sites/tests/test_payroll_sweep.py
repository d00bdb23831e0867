"""The months' sweep (``manage.py tick``) with the clock moved: months opened as they end, 未报送 the
day after the report day with its signal once, the 未足额 signal the day after the pay day; and the
risk rules reading a verified 未足额 signal as a verified complaint."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from anxin.core import seam
from anxin.intake.models import Signal
from anxin.monitoring import rules
from anxin.registry.models import Project, ProjectStatus
from anxin.sites.models import MonthStatus, PayrollMonth, PayrollMonthEvent
from anxin.sites.services import payroll_months_sweep, payroll_submit
from anxin.sites.tests.factories_payroll import roster_entry, row

D = datetime.date
TZ = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 9) -> datetime.datetime:
    return datetime.datetime(y, m, d, h, 0, tzinfo=TZ)


@pytest.fixture
def project(world):
    Project.objects.filter(pk=world.luoxi_project.pk).update(start_date=D(2026, 9, 10))
    project = Project.objects.get(pk=world.luoxi_project.pk)
    roster_entry(project, 1)
    roster_entry(project, 2)
    return project


def sweep(moment: datetime.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return payroll_months_sweep(now=moment)


def test_the_sweep_is_registered_for_tick():
    labels = [s.label for s in seam.collect(seam.SWEEPS)]
    assert "总包代发工资表：开立月份、未报送与未足额线索" in labels


def test_months_open_as_they_end(project):
    assert sweep(at(2026, 9, 30)) == 0
    assert not PayrollMonth.objects.exists()
    assert sweep(at(2026, 10, 1)) == 1
    month = PayrollMonth.objects.get()
    assert (month.month, month.status) == (D(2026, 9, 1), MonthStatus.PENDING)
    assert (month.pay_due_on, month.report_due_on) == (D(2026, 10, 15), D(2026, 10, 20))
    assert month.basis["report_day"]["code"] == "payroll.report_day"
    assert sweep(at(2026, 10, 2)) == 0  # idempotent


def test_a_month_not_reported_by_its_report_day_is_missing_the_day_after_with_one_signal(project):
    sweep(at(2026, 10, 1))
    sweep(at(2026, 10, 20, 23))  # the report day itself: still on time
    assert PayrollMonth.objects.get().status == MonthStatus.PENDING
    sweep(at(2026, 10, 21, 1))
    month = PayrollMonth.objects.get()
    assert month.status == MonthStatus.MISSING
    signal = month.missing_signal
    assert signal is not None and signal.town is not None and signal.assigned_unit is not None
    assert signal.kind == "payroll_missing" and signal.get_kind_display() == "工资发放表未按时报送"
    assert (signal.workers, signal.amount, signal.period) == (2, 0, "2026年09月")
    assert signal.enterprise == project.general_contractor and signal.project == project
    assert (signal.town.code, signal.assigned_unit.code) == ("luoxi", "construction")
    event = PayrollMonthEvent.objects.get(month=month)
    assert event.actor is not None
    assert (event.from_status, event.to_status, event.actor.username) == ("pending", "missing", "system")
    assert "payroll.report_day" in event.note
    sweep(at(2026, 10, 22))
    sweep(at(2026, 11, 1))  # October opens; September stays as it is
    assert Signal.objects.filter(kind="payroll_missing").count() == 1


def test_a_late_payroll_still_moves_the_missing_month(project, chengjian):
    sweep(at(2026, 10, 1))
    sweep(at(2026, 10, 21))
    with time_machine.travel(at(2026, 10, 23), tick=False):
        result = payroll_submit(
            actor=chengjian,
            project=project,
            month=D(2026, 9, 1),
            rows=[row(1, paid_on=D(2026, 10, 10)), row(2, paid_on=D(2026, 10, 10))],
        )
    assert result.payroll_month is not None and result.payroll_month.status == MonthStatus.OK
    last = PayrollMonthEvent.objects.filter(month=result.payroll_month).last()
    assert last is not None and "逾期报送" in last.note


def test_months_already_past_their_report_day_when_opened_are_missing_without_a_signal(project):
    sweep(at(2026, 12, 1))
    months = dict(PayrollMonth.objects.values_list("month", "status"))
    assert months == {D(2026, 9, 1): "missing", D(2026, 10, 1): "missing", D(2026, 11, 1): "pending"}
    assert not Signal.objects.filter(kind="payroll_missing").exists()
    assert PayrollMonthEvent.objects.filter(to_status="missing").count() == 2
    assert sweep(at(2026, 12, 2)) == 0


def test_a_short_payroll_uploaded_before_the_pay_day_raises_its_signal_the_day_after(project, chengjian):
    sweep(at(2026, 10, 1))
    with time_machine.travel(at(2026, 10, 8), tick=False):
        result = payroll_submit(
            actor=chengjian,
            project=project,
            month=D(2026, 9, 1),
            rows=[row(1, paid=0, paid_on=None), row(2, paid_on=D(2026, 10, 8))],
        )
    assert result.signal is None
    sweep(at(2026, 10, 15, 22))  # the pay day itself
    assert not Signal.objects.filter(kind="payroll_short").exists()
    sweep(at(2026, 10, 16))
    month = PayrollMonth.objects.get()
    assert month.short_signal is not None
    assert (month.short_signal.workers, month.short_signal.amount) == (1, 600_000)
    sweep(at(2026, 10, 17))
    assert Signal.objects.filter(kind="payroll_short").count() == 1


def test_a_payroll_put_right_before_the_pay_day_raises_nothing(project, chengjian):
    sweep(at(2026, 10, 1))
    with time_machine.travel(at(2026, 10, 8), tick=False):
        for paid in (0, 600_000):
            payroll_submit(
                actor=chengjian,
                project=project,
                month=D(2026, 9, 1),
                rows=[row(1, paid=paid, paid_on=D(2026, 10, 8)), row(2, paid_on=D(2026, 10, 8))],
            )
    sweep(at(2026, 10, 16))
    assert not Signal.objects.filter(kind="payroll_short").exists()


def test_planned_or_completed_projects_stop_opening_months(project):
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.PLANNED)
    sweep(at(2026, 11, 1))
    assert not PayrollMonth.objects.exists()
    Project.objects.filter(pk=project.pk).update(
        status=ProjectStatus.COMPLETED, actual_end_date=D(2026, 9, 25)
    )
    sweep(at(2026, 12, 1))
    assert list(PayrollMonth.objects.values_list("month", flat=True)) == [D(2026, 9, 1)]


def test_tick_runs_the_sweep(project):
    with time_machine.travel(at(2026, 10, 1), tick=False):
        call_command("tick", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert PayrollMonth.objects.filter(project=project).exists()


def test_a_verified_payroll_short_signal_is_a_verified_complaint_to_the_rules():
    def sig(kind: str, verification: str) -> rules.Sig:
        return rules.Sig(1, kind, verification, received=D(2026, 10, 16))

    assert rules.Facts(1, signals=(sig("payroll_short", "substantiated"),)).complaints
    assert not rules.Facts(1, signals=(sig("payroll_short", "pending"),)).complaints
    assert not rules.Facts(1, signals=(sig("payroll_missing", "substantiated"),)).complaints
