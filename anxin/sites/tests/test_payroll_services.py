"""``payroll_submit``: the check written as a version with lines and findings, the month's status,
the 未足额 signal (kind, facts, routing, once), and each bad input refused by row and column with
nothing written."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from anxin.intake.models import Signal
from anxin.registry.models import Project
from anxin.sites.models import Finding, MonthStatus, Payroll, PayrollLine, PayrollMonth, PayrollMonthEvent
from anxin.sites.services import PayrollRefused, payroll_submit
from anxin.sites.tests.factories_payroll import id_number, roster_entry, row

D = datetime.date
OCT = D(2026, 10, 1)
AFTER_PAY_DAY = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
BEFORE_PAY_DAY = datetime.datetime(2026, 11, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def project(world):
    Project.objects.filter(pk=world.luoxi_project.pk).update(start_date=D(2026, 1, 5))
    project = Project.objects.select_related("general_contractor", "town", "supervisor__unit").get(
        pk=world.luoxi_project.pk
    )
    for n in range(1, 6):
        roster_entry(project, n)
    return project


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(AFTER_PAY_DAY, tick=False):
        yield


def submit(actor, project, rows, **kw):
    kw.setdefault("month", OCT)
    return payroll_submit(actor=actor, project=project, rows=rows, **kw)


def nothing_written():
    return not (
        Payroll.objects.exists()
        or PayrollLine.objects.exists()
        or Finding.objects.exists()
        or PayrollMonth.objects.exists()
        or Signal.objects.filter(channel__code="payroll-check").exists()
    )


def test_a_full_payroll_paid_on_time_is_ok_and_raises_nothing(chengjian, project):
    result = submit(chengjian, project, [row(n) for n in range(1, 6)], file_name="十月.xlsx")
    month = result.payroll_month
    assert result.status == month.status == MonthStatus.OK
    assert month.payroll == result.payroll and result.payroll.version == 1
    assert (month.pay_due_on, month.report_due_on) == (D(2026, 11, 15), D(2026, 11, 20))
    assert month.basis["pay_day"]["code"] == "payroll.pay_day" and month.basis["pay_day"]["value"] == 15
    assert "第三十一条" in month.basis["pay_day"]["citation"]
    assert result.payroll.lines.count() == 5 and not result.payroll.findings.exists()
    assert all(line.roster_id for line in result.payroll.lines.all())
    assert result.signal is None and month.short_signal is None
    event = PayrollMonthEvent.objects.get(month=month)
    assert (event.from_status, event.to_status, event.actor, event.payroll) == (
        "pending",
        "ok",
        chengjian,
        result.payroll,
    )


def test_two_workers_short_make_the_month_diff_and_raise_one_signal_to_the_town(chengjian, project, world):
    rows = [row(1, paid=500_000), row(2, paid=599_900), row(3), row(4), row(5)]
    result = submit(chengjian, project, rows)
    payroll = result.payroll
    assert result.status == MonthStatus.DIFF
    assert (payroll.short_workers, payroll.short_amount) == (2, 100_100)
    shorts = Finding.objects.filter(payroll=payroll, kind="short").order_by("name")
    assert [(f.name, f.due, f.paid, f.shortfall) for f in shorts] == [
        ("工人1", 600_000, 500_000, 100_000),
        ("工人2", 600_000, 599_900, 100),
    ]
    signal = result.signal
    assert signal is not None and result.payroll_month.short_signal == signal
    assert signal.kind == "payroll_short" and signal.get_kind_display() == "工资未足额发放（总包代发）"
    assert (signal.workers, signal.amount, signal.months_owed) == (2, 100_100, 1)
    assert signal.enterprise == project.general_contractor and signal.project == project
    assert signal.channel.code == "payroll-check" and signal.channel.unit.code == "construction"
    assert signal.town.code == "luoxi"  # the project's town
    assert signal.assigned_unit.code == "construction"  # the project's supervising line
    assert signal.period == "2026年10月" and "1,001.00 元" in signal.summary
    assert signal.created_by.username == "system"


def test_missing_workers_count_as_unpaid_in_the_signal(chengjian, project):
    result = submit(chengjian, project, [row(1), row(2), row(3)])
    assert result.status == MonthStatus.DIFF
    assert result.payroll.missing_workers == 2
    assert (result.signal.workers, result.signal.amount) == (2, 0)


def test_late_or_unrostered_alone_raise_no_signal(chengjian, project):
    rows = [row(1, paid_on=D(2026, 11, 16)), row(2), row(3), row(4), row(5), row(9)]
    result = submit(chengjian, project, rows)
    assert result.status == MonthStatus.DIFF
    assert (result.payroll.late_workers, result.payroll.unrostered_workers) == (1, 1)
    assert result.signal is None


def test_a_reupload_is_a_new_version_and_raises_no_second_signal(chengjian, project):
    first = submit(chengjian, project, [row(1, paid=0), row(2), row(3), row(4), row(5)])
    second = submit(chengjian, project, [row(1, paid=100), row(2, paid=0), row(3), row(4), row(5)])
    assert second.payroll.version == 2 and second.signal is None
    month = PayrollMonth.objects.get()
    assert month.payroll == second.payroll and month.short_signal == first.signal
    assert Signal.objects.filter(kind="payroll_short").count() == 1
    third = submit(chengjian, project, [row(n) for n in range(1, 6)])
    month.refresh_from_db()
    assert month.status == MonthStatus.OK and third.payroll.version == 3
    assert list(PayrollMonthEvent.objects.values_list("to_status", flat=True)) == ["diff", "diff", "ok"]


def test_before_the_pay_day_a_short_payroll_raises_no_signal_yet(chengjian, project):
    with time_machine.travel(BEFORE_PAY_DAY, tick=False):
        rows = [row(1, paid=0, paid_on=None), *(row(n, paid_on=D(2026, 11, 4)) for n in range(2, 6))]
        result = submit(chengjian, project, rows)
    assert result.status == MonthStatus.DIFF and result.signal is None


def test_a_dry_run_checks_and_writes_nothing(chengjian, project):
    result = submit(chengjian, project, [row(1, paid=0)], dry_run=True)
    assert result.status == MonthStatus.DIFF and result.payroll is None
    assert {f.kind for f in result.outcome.findings} == {"short", "missing"}
    assert result.pay_due_on == D(2026, 11, 15)
    assert nothing_written()


def _refused(actor: Any, project: Any, rows: list, **kw: Any) -> PayrollRefused:
    with pytest.raises(PayrollRefused) as caught:
        submit(actor, project, rows, **kw)
    assert nothing_written()
    return caught.value


def test_an_invalid_id_number_is_refused_by_row_and_column(chengjian, project):
    bad = row(2)
    bad.id_number = id_number(2)[:17] + ("0" if id_number(2)[17] != "0" else "1")
    refused = _refused(chengjian, project, [row(1), bad])
    assert [(e.row, e.column) for e in refused.errors] == [(3, "身份证号")]
    assert "第 3 行“身份证号”列" in refused.message


@pytest.mark.parametrize("key,header", [("due", "应发金额（元）"), ("paid", "实发金额（元）")])
def test_a_negative_amount_is_refused(chengjian, project, key, header):
    bad = row(1)
    setattr(bad, key, -1)
    refused = _refused(chengjian, project, [bad])
    assert [(e.row, e.column, e.message) for e in refused.errors] == [(2, header, "金额不能为负数")]


def test_the_same_worker_twice_in_a_month_is_refused(chengjian, project):
    refused = _refused(chengjian, project, [row(1), row(2), row(1, at=4)])
    assert [(e.row, e.column) for e in refused.errors] == [(4, "身份证号")]
    assert "与第 2 行是同一劳动者" in refused.errors[0].message


@pytest.mark.parametrize("month", [D(2026, 11, 1), D(2026, 12, 1)])
def test_the_current_or_a_future_month_is_refused(chengjian, project, month):
    refused = _refused(chengjian, project, [row(1)], month=month)
    assert [(e.row, e.column) for e in refused.errors] == [(0, "月份")]
    assert refused.field == "month"


def test_a_month_before_the_project_started_is_refused(chengjian, project):
    refused = _refused(chengjian, project, [row(1)], month=D(2025, 12, 1))
    assert "早于项目开工" in refused.errors[0].message


def test_another_contractors_payroll_is_refused(chengjian, project, world):
    refused = _refused(chengjian, project, [row(1)], contractor_uscc=world.menghe_water.uscc)
    assert [(e.row, e.column) for e in refused.errors] == [(0, "代发单位统一社会信用代码")]
    assert "不是本项目的施工总承包单位" in refused.message


def test_the_projects_own_contractor_is_accepted(chengjian, project):
    result = submit(
        chengjian, project, [row(n) for n in range(1, 6)], contractor_uscc=project.general_contractor.uscc
    )
    assert result.status == MonthStatus.OK


def test_a_date_paid_after_today_and_days_out_of_range_are_refused(chengjian, project):
    bad = row(1, paid_on=D(2026, 11, 26), days="32")
    refused = _refused(chengjian, project, [bad])
    assert {e.column for e in refused.errors} == {"发放日期", "出勤天数"}


def test_every_problem_is_listed_not_only_the_first(chengjian, project):
    one, two = row(1, paid=-5), row(2)
    two.name = ""
    refused = _refused(chengjian, project, [one, two])
    assert [(e.row, e.column) for e in refused.errors] == [(2, "实发金额（元）"), (3, "姓名")]


def test_a_town_or_a_department_outside_the_line_may_not_submit(luoxi, shuili, renshe, project):
    for user in (luoxi, shuili, renshe):
        with pytest.raises(PermissionDenied):
            submit(user, project, [row(1)])
    assert nothing_written()


def test_the_office_may_submit(office, project):
    assert submit(office, project, [row(n) for n in range(1, 6)]).status == MonthStatus.OK


def test_water_works_are_kept_by_the_water_line(shuili, world):
    river = world.menghe_river
    Project.objects.filter(pk=river.pk).update(start_date=D(2026, 1, 5))
    river.refresh_from_db()
    roster_entry(river, 1)
    result = submit(shuili, river, [row(1, paid=0)])
    assert result.signal.assigned_unit.code == "agriculture-water"
    assert result.signal.town.code == "menghe"
