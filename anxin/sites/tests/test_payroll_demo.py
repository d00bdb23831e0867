"""The demo payrolls: three months per demo project with a roster, two workers short in one month and
one month never reported on the first project; loading twice changes nothing."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import time_machine

from anxin.core.audit import system_actor
from anxin.intake.models import Signal
from anxin.registry.tests.factories import enterprise, project
from anxin.sites import demo_payroll
from anxin.sites.models import MonthStatus, Payroll, PayrollMonth
from anxin.sites.tests.factories_payroll import roster_entry

D = datetime.date
NOW = datetime.datetime(2026, 12, 6, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_payrolls(district):
    with time_machine.travel(NOW, tick=False):
        builder = enterprise(kinds=("construction",), industry="E")
        first = project(contractor=builder, is_demo=True, start_date=D(2026, 3, 2))
        second = project(contractor=builder, is_demo=True, start_date=D(2026, 3, 2))
        project(contractor=builder, is_demo=False, start_date=D(2026, 3, 2))  # real: left alone
        for n in range(1, 6):
            roster_entry(first, n)
            roster_entry(second, 100 + n)
        lines: list[str] = []
        demo_payroll.load(actor=system_actor(), log=lines.append)
        months = dict(PayrollMonth.objects.filter(project=first).values_list("month", "status"))
        assert months == {
            D(2026, 9, 1): MonthStatus.MISSING,
            D(2026, 10, 1): MonthStatus.DIFF,
            D(2026, 11, 1): MonthStatus.OK,
        }
        october = Payroll.objects.get(project=first, month=D(2026, 10, 1))
        assert october.short_workers == 2
        assert Signal.objects.filter(kind="payroll_short", project=first).count() == 1
        assert Signal.objects.filter(kind="payroll_missing", project=first).count() == 1
        assert set(PayrollMonth.objects.filter(project=second).values_list("status", flat=True)) == {"ok"}
        assert Payroll.objects.filter(project__is_demo=False).count() == 0
        count = Payroll.objects.count()
        demo_payroll.load(actor=system_actor(), log=lines.append)
        assert (
            Payroll.objects.count() == count
            and Signal.objects.filter(channel__code="payroll-check").count() == 2
        )
