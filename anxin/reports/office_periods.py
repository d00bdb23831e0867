"""Report periods (§五(二) 定期报告): a period is named by its first month (``YYYY-MM``) and lasts
``report.frequency_months`` months (1 by default), periods aligned on January. Shared by the office's
documents and the publicity counts; the periodic part keeps its own reading of the same parameter."""

from __future__ import annotations

import calendar
import datetime
import re

from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.core.policy import param_record

FREQUENCY = "report.frequency_months"
_KEY = re.compile(r"^(\d{4})-(\d{2})$")


def frequency(on: datetime.date | None = None) -> tuple[int, dict]:
    """The number of months in a period on ``on`` and what a record keeps of the parameter."""
    record = param_record(FREQUENCY, on=on)
    months = max(1, min(12, int(record.typed_value)))
    return months, {
        "code": FREQUENCY,
        "value": str(record.value),
        "name": record.name,
        "citation": record.citation,
        "since": f"{record.effective_from:%Y-%m-%d}",
    }


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def bounds(period: str) -> tuple[datetime.date, datetime.date]:
    """First and last day (inclusive) of ``period``; refuses a key that is not a period's start."""
    found = _KEY.match(period or "")
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise DomainError("报告期须为“年-月”，如 2026-11", field="period")
    year, month = int(found.group(1)), int(found.group(2))
    start = datetime.date(year, month, 1)
    months, _info = frequency(start)
    if (month - 1) % months:
        raise DomainError(f"报告期每 {months} 个月一期，{period} 不是一期的起始月", field="period")
    end_year, end_month = _shift(year, month, months - 1)
    return start, datetime.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])


def period_of(day: datetime.date) -> str:
    """The key of the period that holds ``day``."""
    months, _info = frequency(day)
    month = day.month - (day.month - 1) % months
    return f"{day.year:04d}-{month:02d}"


def previous(period: str, count: int) -> list[str]:
    """``count`` periods ending with ``period``, oldest first."""
    start, _end = bounds(period)
    keys = [period]
    day = start
    for _ in range(count - 1):
        day = day - datetime.timedelta(days=1)
        key = period_of(day)
        keys.append(key)
        day, _e = bounds(key)
    return list(reversed(keys))


def last_closed(today: datetime.date | None = None) -> str:
    """The latest period that has ended (the one the office reports on)."""
    today = today or timezone.localdate()
    start, _end = bounds(period_of(today))
    return period_of(start - datetime.timedelta(days=1))


def is_future(period: str, today: datetime.date | None = None) -> bool:
    start, _end = bounds(period)
    return start > (today or timezone.localdate())
