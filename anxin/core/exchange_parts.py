"""Core's part of the file exchange across the zone boundary (anxin/core/exchange.py): the policy
parameters and the working-day calendar go to a portal host on its own database with every status
bundle, whole. Inside is where the office changes them (a new parameter value, a holiday swap);
the portal host reads them too — its per-address limits, its deadlines on the status page — and
loads only the district file's defaults itself, so without this part it would keep those defaults
whatever the office decided."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models

from anxin.core import seam
from anxin.core.exchange import LoadContext, RowError, day, flag, iso, text
from anxin.core.models import CalendarDay, ParameterType, PolicyParameter, parse_parameter_value

PARAMETER_COLUMNS = (
    "code",
    "name",
    "value",
    "value_type",
    "unit",
    "effective_from",
    "citation",
    "note",
    "to_confirm",
)


def parameters_export(*, since: dict, now: datetime.datetime) -> seam.ExportedPart:
    rows = [
        dict(zip(PARAMETER_COLUMNS, values, strict=True))
        for values in PolicyParameter.objects.order_by("code", "effective_from").values_list(
            *PARAMETER_COLUMNS
        )
    ]
    for row in rows:
        row["effective_from"] = iso(row["effective_from"])
    return seam.ExportedPart(rows)


def parameters_load(rows: list[dict], *, context: LoadContext) -> int:
    """Replace the portal's parameters with the inside's: every value of every code, each with its
    effective date (rows are never edited inside, only added, so the history is the same on both)."""
    copies, seen = [], set()
    for index, row in enumerate(rows):
        code = text(row, "code", record=f"第 {index + 1} 项政策参数", blank=False, most=64)
        record = f"政策参数 {code}"
        value_type = text(row, "value_type", record=record)
        if value_type not in ParameterType.values:
            raise RowError(record, "value_type", f"不是已知的参数类型：{value_type}")
        value = text(row, "value", record=record, most=200)
        try:
            parse_parameter_value(value_type, value)
        except (ValueError, ValidationError, ArithmeticError) as error:
            raise RowError(record, "value", f"不是{ParameterType(value_type).label}：{value}") from error
        effective_from = day(row, "effective_from", record=record)
        if (code, effective_from) in seen:
            raise RowError(record, "effective_from", f"{effective_from} 出现两次")
        seen.add((code, effective_from))
        copies.append(
            PolicyParameter(
                code=code,
                name=text(row, "name", record=record, blank=False, most=100),
                value=value,
                value_type=value_type,
                unit=text(row, "unit", record=record, most=20),
                effective_from=effective_from,
                citation=text(row, "citation", record=record, most=200),
                note=text(row, "note", record=record),
                to_confirm=flag(row, "to_confirm", record=record),
            )
        )
    if not copies:
        # Inside always has its parameters (load_district seeds them): an empty part replaces nothing.
        return 0
    return _replace(PolicyParameter, copies, key=("code", "effective_from"), fields=PARAMETER_COLUMNS)


def calendar_export(*, since: dict, now: datetime.datetime) -> seam.ExportedPart:
    return seam.ExportedPart(
        [
            {"date": iso(date), "is_workday": workday, "name": name, "source": source}
            for date, workday, name, source in CalendarDay.objects.order_by("date").values_list(
                "date", "is_workday", "name", "source"
            )
        ]
    )


def calendar_load(rows: list[dict], *, context: LoadContext) -> int:
    """Replace the portal's working-day calendar with the inside's (holidays and swapped working
    days as the office keeps them)."""
    days = []
    seen = set()
    for index, row in enumerate(rows):
        date = day(row, "date", record=f"第 {index + 1} 个日历日")
        record = f"日历 {date}"
        if date in seen:
            raise RowError(record, "date", "出现两次")
        seen.add(date)
        source = text(row, "source", record=record)
        if source not in CalendarDay.Source.values:
            raise RowError(record, "source", f"不是已知的来源：{source}")
        days.append(
            CalendarDay(
                date=date,
                is_workday=flag(row, "is_workday", record=record),
                name=text(row, "name", record=record, most=50),
                source=source,
            )
        )
    if not days:
        return 0  # as for the parameters: inside always has its calendar; an empty part replaces nothing
    return _replace(CalendarDay, days, key=("date",), fields=("date", "is_workday", "name", "source"))


def _replace(model: type[models.Model], rows: list, *, key: tuple[str, ...], fields: tuple[str, ...]) -> int:
    """Make the table hold exactly ``rows``, touching only the rows that differ: both tables are
    audited, and a bundle every ten minutes that deleted and re-created every row would fill the
    audit log with changes that are none. Returns how many rows were removed or added."""
    wanted = {tuple(getattr(r, k) for k in key): r for r in rows}
    stale = []
    for pk, *values in model._default_manager.values_list("pk", *fields):
        current = dict(zip(fields, values, strict=True))
        row = wanted.get(tuple(current[k] for k in key))
        if row is not None and all(getattr(row, f) == current[f] for f in fields):
            del wanted[tuple(current[k] for k in key)]  # already here, as it is inside
        else:
            stale.append(pk)
    model._default_manager.filter(pk__in=stale).delete()
    model._default_manager.bulk_create(list(wanted.values()), batch_size=1000)
    return len(stale) + len(wanted)


PARTS = (
    seam.ExchangePart("core.parameters", "status", parameters_export, parameters_load),
    seam.ExchangePart("core.calendar", "status", calendar_export, calendar_load),
)
