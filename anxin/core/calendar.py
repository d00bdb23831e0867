"""The working-day calendar: 工作日 arithmetic over the stored days (法定节假日 and 调休)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.errors import CalendarMissing
from anxin.core.models import CalendarDay


def calendar_years() -> list[int]:
    """The years that have a calendar (at least one stored day)."""
    dates = CalendarDay.objects.dates("date", "year")
    return [d.year for d in dates]


def has_year(year: int) -> bool:
    return CalendarDay.objects.filter(date__year=year).exists()


def _require_year(year: int) -> None:
    if not has_year(year):
        raise CalendarMissing(
            _(
                "%(year)s 年的工作日历尚未维护，无法计算工作日期限。请联席办在“工作日历”中补录该年度的节假日安排。"
            )
            % {"year": year},
            code="calendar_missing",
        )


def _days_of(year: int) -> dict[datetime.date, bool]:
    _require_year(year)
    return dict(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday"))


def is_workday(day: datetime.date) -> bool:
    """Whether ``day`` is a working day. A day missing from a covered year is a weekday rule."""
    days = _days_of(day.year)
    if day in days:
        return days[day]
    return day.weekday() < 5


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The date ``n`` working days after ``start`` (``start`` itself does not count).

    ``n`` = 0 gives ``start`` if it is a working day, else the next working day. Raises
    ``CalendarMissing`` when the count runs into a year with no calendar.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    cache: dict[int, dict[datetime.date, bool]] = {}

    def workday(d: datetime.date) -> bool:
        if d.year not in cache:
            cache[d.year] = _days_of(d.year)
        known = cache[d.year]
        return known[d] if d in known else d.weekday() < 5

    day = start
    if n == 0:
        while not workday(day):
            day += datetime.timedelta(days=1)
        return day
    remaining = n
    while remaining:
        day += datetime.timedelta(days=1)
        if workday(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end``."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def coverage_warning(*, today: datetime.date | None = None) -> str | None:
    """A warning for the cockpit when this year or, from November, next year has no calendar."""
    today = today or timezone.localdate()
    # One index range over this year and next (not a scan of every stored day).
    this, after = today.year, today.year + 1
    counts = CalendarDay.objects.filter(
        date__gte=datetime.date(this, 1, 1), date__lte=datetime.date(after, 12, 31)
    ).aggregate(this=Count("pk", filter=Q(date__year=this)), after=Count("pk", filter=Q(date__year=after)))
    years = {y for y, key in ((this, "this"), (after, "after")) if counts[key]}
    if today.year not in years:
        return _("%(year)s 年工作日历缺失：所有按工作日计算的期限将无法生成，请立即补录。") % {
            "year": today.year
        }
    if today.month >= 11 and today.year + 1 not in years:
        return _(
            "%(year)s 年工作日历尚未维护：国务院办公厅公布放假安排后，请在“工作日历”中补录，"
            "否则跨年的工作日期限将无法计算。"
        ) % {"year": today.year + 1}
    return None


def request_coverage_warning(request: HttpRequest) -> str | None:
    """``coverage_warning()`` once per request: the page shell's banner and the cockpit's panel
    both ask, and the answer does not change within a request."""
    memo = vars(request)
    if "_anxin_calendar_warning" not in memo:
        memo["_anxin_calendar_warning"] = coverage_warning()
    return memo["_anxin_calendar_warning"]
