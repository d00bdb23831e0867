"""Factories of the payroll's tests: roster stretches made directly (the roster's own services are
another part's), valid ID numbers for thousands of workers, payroll rows as uploaded."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from anxin.core.audit import system_actor
from anxin.core.crypto import blind_index
from anxin.core.validators import id_check_digit
from anxin.registry.models import Project
from anxin.sites.models import RosterEntry
from anxin.sites.services import PayrollInput

D = datetime.date
JAN_5 = D(2026, 1, 5)
NOV_10 = D(2026, 11, 10)


def id_number(n: int) -> str:
    """A valid 18-digit ID number, different for each ``n`` up to a few million (常州新北, born
    1970 onwards: a different birthday per thousand)."""
    born = D(1970, 1, 1) + datetime.timedelta(days=n // 1000)
    first17 = f"320411{born:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_digit(first17)


def roster_entry(
    project: Project,
    n: int,
    *,
    start: datetime.date = JAN_5,
    leave: datetime.date | None = None,
    name: str | None = None,
    **fields: Any,
) -> RosterEntry:
    number = id_number(n)
    employer = fields.pop("employer", None) or project.general_contractor
    assert employer is not None
    return RosterEntry.objects.create(
        project=project,
        name=name or f"工人{n}",
        id_number=number,
        id_number_index=blind_index(number, purpose="id_number"),
        employer=employer,
        start_date=start,
        leave_date=leave,
        added_by=fields.pop("added_by", None) or system_actor(),
        **fields,
    )


def roster_bulk(project: Project, count: int, *, start: datetime.date = JAN_5) -> list[RosterEntry]:
    """``count`` workers on the roster at once (benchmarks, big tests)."""
    actor = system_actor()
    employer = project.general_contractor
    assert employer is not None
    entries = []
    for n in range(1, count + 1):
        number = id_number(n)
        entries.append(
            RosterEntry(
                project=project,
                name=f"工人{n}",
                id_number=number,
                id_number_index=blind_index(number, purpose="id_number"),
                employer=employer,
                start_date=start,
                added_by=actor,
            )
        )
    return RosterEntry.objects.bulk_create(entries, batch_size=1000)


def row(
    n: int,
    *,
    due: int = 600_000,
    paid: int | None = None,
    paid_on: datetime.date | None = NOV_10,
    days: str = "22",
    at: int | None = None,
    name: str | None = None,
) -> PayrollInput:
    """Worker ``n``'s row: ¥6,000 due, paid in full on 2026-11-10 unless told otherwise."""
    return PayrollInput(
        row=at if at is not None else n + 1,
        name=name or f"工人{n}",
        id_number=id_number(n),
        due=due,
        paid=due if paid is None else paid,
        days=Decimal(days),
        paid_on=paid_on,
    )
