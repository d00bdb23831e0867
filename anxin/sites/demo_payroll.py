"""Demo payrolls (``manage.py load_demo``, after the demo rosters): for each demo project with workers on
its roster, the general contractor's payroll of the last three ended months — paid in full and on
time, except that on the first such project two workers were paid short in the month before last
(which raises the 未足额 signal) and the month three back was never reported (未报送, with its signal).
Idempotent: a month that already has a payroll, or was marked 未报送, is left as it is."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.registry.models import Project
from anxin.sites.models import MonthStatus, Payroll, PayrollMonth, RosterEntry
from anxin.sites.payroll_check import month_end
from anxin.sites.services.payroll import (
    PayrollInput,
    _mark_missing,
    _open_month,
    add_months,
    month_start,
    payroll_submit,
)

MONTHS = 3
SHORT_BY = 50_000  # ¥500 short for each of the two workers


def _due(entry: RosterEntry) -> int:
    """A plausible month's wage, different per worker: ¥5,200 to ¥8,000, whole hundreds."""
    return (5200 + (entry.pk * 37) % 29 * 100) * 100


def load(*, actor: Any, log: Callable[[str], None]) -> None:
    today = timezone.localdate()
    last = add_months(month_start(today), -1)
    months = [add_months(last, -n) for n in range(MONTHS - 1, -1, -1)]  # oldest first
    projects = list(
        Project.objects.filter(is_demo=True, general_contractor__isnull=False, roster__isnull=False)
        .distinct()
        .select_related("general_contractor", "town", "supervisor__unit")
        .order_by("pk")
    )
    # The project that shows the two short workers and the unreported month: the first on site all along.
    special = next((p for p in projects if p.start_date and p.start_date < months[0]), None)
    made = 0
    for project in projects:
        if project.start_date is None:
            continue
        for month in months:
            if month < month_start(project.start_date):
                continue
            if Payroll.objects.filter(project=project, month=month).exists():
                continue
            if PayrollMonth.objects.filter(project=project, month=month, status=MonthStatus.MISSING).exists():
                continue
            if project == special and month == months[0]:
                made += _leave_unreported(project, month, actor=actor)
                continue
            entries = list(
                RosterEntry.objects.filter(
                    Q(leave_date__isnull=True) | Q(leave_date__gte=month),
                    project=project,
                    start_date__lte=month_end(month),
                ).order_by("pk")
            )
            if not entries:
                continue
            short = project == special and month == months[1]
            pay_day = add_months(month, 1).replace(day=10)
            rows = []
            for index, entry in enumerate(entries, start=1):
                due = _due(entry)
                rows.append(
                    PayrollInput(
                        row=index + 1,
                        name=entry.name,
                        id_number=entry.id_number,
                        due=due,
                        paid=due - SHORT_BY if short and index <= 2 else due,
                        days=Decimal(22),
                        paid_on=min(pay_day, today),
                    )
                )
            try:
                payroll_submit(
                    actor=actor,
                    project=project,
                    month=month,
                    rows=rows,
                    door="import",
                    file_name=f"演示-{month:%Y%m}工资表.xlsx",
                )
            except DomainError as exc:
                log(f"工资发放演示数据：{project.name} {month:%Y-%m} 未生成（{exc.message}）")
                continue
            made += 1
    log(f"工资发放：{made} 个项目月份")


def _leave_unreported(project: Project, month: datetime.date, *, actor: Any) -> int:
    """The month the contractor never reported: open it and, its report day passed, mark it 未报送."""
    from django.db import transaction

    with transaction.atomic():
        pm = _open_month(project, month)
    if pm.report_due_on >= timezone.localdate():
        return 0
    _mark_missing(pm, actor=actor, now=timezone.now())
    return 1
