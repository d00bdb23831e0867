"""Factories of the handbook part's tests: roster entries and payrolls written directly (the roster
and payroll parts' services are built elsewhere), valid ID numbers from money's factory."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

from anxin.core.audit import system_actor
from anxin.core.crypto import blind_index
from anxin.money.tests.factories_claims import id_number
from anxin.registry.models import Enterprise, Project
from anxin.sites.models import MonthStatus, Payroll, PayrollLine, PayrollMonth, RosterEntry

_n = itertools.count(100)

__all__ = ["id_number", "month_of", "payroll", "rostered"]


def _contractor(project: Project) -> Enterprise:
    assert project.general_contractor is not None
    return project.general_contractor


def month_of(day: datetime.date, back: int = 0) -> datetime.date:
    """The first day of the month ``back`` months before ``day``'s."""
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def rostered(
    project: Project,
    *,
    n: int | None = None,
    name: str = "",
    phone: str = "13912345678",
    start: datetime.date,
    leave: datetime.date | None = None,
    employer: Enterprise | None = None,
) -> RosterEntry:
    """Worker ``n`` (an ID number of money's factory) on the project's roster."""
    n = next(_n) if n is None else n
    number = id_number(n)
    return RosterEntry.objects.create(
        project=project,
        name=name or f"工人{n}",
        id_number=number,
        id_number_index=blind_index(number, purpose="id_number"),
        phone=phone,
        phone_index=blind_index(phone, purpose="phone") if phone else "",
        employer=employer or _contractor(project),
        team="钢筋班",
        trade="钢筋工",
        start_date=start,
        leave_date=leave,
        added_by=system_actor(),
    )


def payroll(
    project: Project,
    month: datetime.date,
    rows: list[tuple[RosterEntry, str, int, int, datetime.date | None]],
    *,
    version: int = 1,
    current: bool = True,
) -> Payroll:
    """A payroll of ``month`` with rows (worker, days, due fen, paid fen, paid on); ``current``: the
    month's current version (``PayrollMonth.payroll``)."""
    upload = Payroll.objects.create(
        project=project,
        month=month,
        version=version,
        contractor=_contractor(project),
        status=MonthStatus.OK,
        rows=len(rows),
        due_total=sum(r[2] for r in rows),
        paid_total=sum(r[3] for r in rows),
        uploaded_by=system_actor(),
    )
    PayrollLine.objects.bulk_create(
        [
            PayrollLine(
                payroll=upload,
                row=i,
                roster=entry,
                name=entry.name,
                id_number=entry.id_number,
                id_number_index=entry.id_number_index,
                days=Decimal(days),
                due=due,
                paid=paid,
                paid_on=paid_on,
            )
            for i, (entry, days, due, paid, paid_on) in enumerate(rows, start=2)
        ]
    )
    next_month = month_of(month + datetime.timedelta(days=40), 0)
    values: dict[str, Any] = {
        "report_due_on": next_month.replace(day=20),
        "pay_due_on": next_month.replace(day=15),
    }
    if current:
        values["payroll"] = upload
        values["status"] = MonthStatus.OK
    PayrollMonth.objects.update_or_create(project=project, month=month, defaults=values)
    return upload
