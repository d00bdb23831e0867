"""Deadlines from policy parameters (DESIGN rule 5): "N working days" or "N days" after a moment,
as the end of that day in Asia/Shanghai, with the words that say why — the parameter, its value
and its citation — so every stored ``due_at`` can show its basis."""

from __future__ import annotations

import datetime

from django.utils import timezone

from anxin.core.calendar import add_working_days
from anxin.core.errors import CalendarMissing
from anxin.core.policy import param_record


def weekdays_after(start: datetime.date, n: int) -> datetime.date:
    """``n`` Monday–Friday days after ``start`` — the fallback when a year has no calendar yet."""
    day, left = start, n
    while left:
        day += datetime.timedelta(days=1)
        left -= day.weekday() < 5
    return day


def working_days_after(start: datetime.date, n: int) -> tuple[datetime.date, str]:
    """``add_working_days``, or Monday–Friday with a note when the calendar does not reach that far."""
    try:
        return add_working_days(start, n), ""
    except CalendarMissing:
        day = weekdays_after(start, n)
        return day, f"；{day.year} 年工作日历尚未维护，暂按周一至周五推算"


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the district's time: ``at >= start_of(d)`` and
    ``at < start_of(d + 1 day)`` select the day ``d`` like ``at__date`` does, but on the column itself
    (its index serves; no per-row date conversion)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def end_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=timezone.get_current_timezone())


def due_after(
    code: str, start: datetime.datetime, *, working: bool = True, since: bool = False
) -> tuple[datetime.datetime, str]:
    """The end of the day ``param(code)`` (working) days after ``start``, and its basis:
    "《…》第八条：3 日（参数 case.referral_review_days=3）". ``since`` adds the parameter's
    effective date to the words."""
    record = param_record(code, on=timezone.localdate(start))
    n = int(record.typed_value)
    first = timezone.localtime(start).date()
    if working:
        day, note = working_days_after(first, n)
        unit = "个工作日"
    else:
        day, note = first + datetime.timedelta(days=n), ""
        unit = "日"
    effective = f"，自 {record.effective_from:%Y-%m-%d} 起" if since else ""
    return end_of(day), f"{record.citation}：{n} {unit}（参数 {code}={n}{effective}）{note}"
