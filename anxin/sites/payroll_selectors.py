"""Reads of the monthly payroll for the screens and the API. The project is already scoped (the views
and the API reach it through ``get_scoped_or_404``); everything here is that project's.

A month the sweep has not opened yet (``manage.py tick`` opens them as they end) is shown with the
status it would have — 待报送 until its report day, 未报送 after — and the dates by today's parameters."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from anxin.core.models import PolicyParameter
from anxin.core.policy import param_record
from anxin.registry.models import Project
from anxin.sites.models import MonthStatus, PayrollMonth
from anxin.sites.services.payroll import month_dates, project_months

BADGES = {
    MonthStatus.OK: "bg-green-lt",
    MonthStatus.DIFF: "bg-orange-lt",
    MonthStatus.MISSING: "bg-red-lt",
    MonthStatus.PENDING: "bg-secondary-lt",
}


@dataclass
class GridMonth:
    month: datetime.date
    status: str
    label: str
    badge: str
    row: PayrollMonth | None

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"


def due_months(project: Project) -> list[datetime.date]:
    return project_months(project, today=timezone.localdate())


def month_row(project: Project, month: datetime.date) -> PayrollMonth | None:
    return (
        PayrollMonth.objects.filter(project=project, month=month)
        .select_related("payroll__uploaded_by", "short_signal", "missing_signal")
        .first()
    )


def dates_of(row: PayrollMonth | None, month: datetime.date) -> dict:
    """The pay and report days with their basis: stored on the month, else by today's values."""
    if row is not None:
        return {"pay_due_on": row.pay_due_on, "report_due_on": row.report_due_on, "basis": row.basis}
    pay, report, basis = month_dates(month)
    return {"pay_due_on": pay, "report_due_on": report, "basis": basis}


def status_of(row: PayrollMonth | None, month: datetime.date, *, report_day: int | None = None) -> str:
    if row is not None:
        return row.status
    today = timezone.localdate()
    if report_day is None:
        due = month_dates(month)[1]
    else:
        following = month.replace(day=28) + datetime.timedelta(days=4)
        due = following.replace(day=report_day)
    return MonthStatus.MISSING if today > due else MonthStatus.PENDING


def month_grid(project: Project) -> list[GridMonth]:
    """Every month a payroll is due for, newest first, with its status and current payroll (2 queries)."""
    months = due_months(project)
    rows = {r.month: r for r in PayrollMonth.objects.filter(project=project).select_related("payroll")}
    report_day = None
    if any(m not in rows for m in months):
        report_day = int(param_record("payroll.report_day").typed_value)
    labels = {str(value): str(label) for value, label in MonthStatus.choices}
    grid = []
    for month in reversed(months):
        row = rows.get(month)
        status = status_of(row, month, report_day=report_day)
        grid.append(GridMonth(month, status, labels[status], BADGES[MonthStatus(status)], row))
    return grid


def current_rule(code: str) -> PolicyParameter:
    return param_record(code)
