"""Report periods (§五(二) 定期报告制度).

A period is named by its first month, ``YYYY-MM``. With a frequency of f months (a template's own,
or the parameter ``report.frequency_months``) periods start in January and every f months after
(f = 3: 01, 04, 07, 10). A period runs from the first day of its first month to the last day of its
last month; its report is due on day ``report.due_day`` (a template's own, or the parameter) of the
month after the period's end (not moved for holidays, as the parameter's note says).

``period_of`` reads the parameters in force on the day asked about and keeps, in ``basis``, which
clause and which values it used ("依据 §五(二)，report.frequency_months = 1，report.due_day = 5"),
so a report and its form say what its dates were computed with."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.core.policy import param

KEY = re.compile(r"^(\d{4})-(\d{2})$")
CITATION = "§五(二)"


@dataclass(frozen=True)
class Period:
    """One report period: its key, first and last day, due day, and the rule they came from."""

    key: str
    months: int
    start: datetime.date
    end: datetime.date
    due_on: datetime.date
    frequency_source: str  # "report.frequency_months" or "模板"
    due_day_source: str
    due_day: int

    @property
    def label(self) -> str:
        if self.months == 1:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.year}年{self.start.month}月至{self.end.month}月"

    @property
    def basis(self) -> str:
        return f"依据 {CITATION}，{self.frequency_source} = {self.months}，{self.due_day_source} = {self.due_day}"

    def started(self, today: datetime.date) -> bool:
        return today >= self.start

    def ended(self, today: datetime.date) -> bool:
        return today > self.end

    def previous(self) -> str:
        return _shift(self.start, -self.months)

    def next(self) -> str:
        return _shift(self.start, self.months)


def _shift(first: datetime.date, months: int) -> str:
    index = first.year * 12 + first.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _rule(template: Any | None, on: datetime.date) -> tuple[int, str, int, str]:
    months = getattr(template, "frequency_months", None)
    months_source = "模板报送周期"
    if not months:
        months, months_source = int(param("report.frequency_months", on=on)), "report.frequency_months"
    day = getattr(template, "due_day", None)
    day_source = "模板截止日"
    if not day:
        day, day_source = int(param("report.due_day", on=on)), "report.due_day"
    return int(months), months_source, int(day), day_source


def parse_key(key: str) -> tuple[int, int]:
    """``YYYY-MM`` → (year, month), or a refusal in Chinese."""
    match = KEY.match(str(key or "").strip())
    if not match:
        raise DomainError(f"报告期“{key}”格式不正确，应为 YYYY-MM（如 2026-11）", field="period")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or year < 2000:
        raise DomainError(f"报告期“{key}”不是有效的年月", field="period")
    return year, month


def period_of(
    key: str,
    template: Any | None = None,
    *,
    on: datetime.date | None = None,
    rule: tuple[int, str, int, str] | None = None,
) -> Period:
    """The period named ``key`` under ``template``'s rule (parameters in force on ``on``, today by
    default; ``rule``: already read). Refuses a malformed key or one not aligned with the frequency."""
    year, month = parse_key(key)
    on = on or timezone.localdate()
    months, months_source, day, day_source = rule or _rule(template, on)
    if (month - 1) % months:
        starts = "、".join(f"{m:02d}" for m in range(1, 13, months))
        raise DomainError(
            f"报告期“{key}”不是报告期的起始月：报送周期为 {months} 个月（{months_source}），"
            f"报告期自每年 {starts} 月开始",
            field="period",
        )
    start = datetime.date(year, month, 1)
    last = _shift(start, months - 1)
    end_year, end_month = int(last[:4]), int(last[5:])
    end = datetime.date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
    after = _shift(start, months)
    due_year, due_month = int(after[:4]), int(after[5:])
    due_on = datetime.date(due_year, due_month, min(day, calendar.monthrange(due_year, due_month)[1]))
    return Period(
        key=f"{year:04d}-{month:02d}",
        months=months,
        start=start,
        end=end,
        due_on=due_on,
        frequency_source=months_source,
        due_day_source=day_source,
        due_day=day,
    )


def period_containing(day: datetime.date, template: Any | None = None) -> Period:
    """The period ``day`` falls in."""
    rule = _rule(template, day)
    month = (day.month - 1) // rule[0] * rule[0] + 1
    return period_of(f"{day.year:04d}-{month:02d}", template, on=day, rule=rule)


def current_period(template: Any | None = None, *, today: datetime.date | None = None) -> Period:
    return period_containing(today or timezone.localdate(), template)


def last_ended(template: Any | None = None, *, today: datetime.date | None = None) -> Period:
    """The latest period that has ended by ``today``: the one being reported on now."""
    today = today or timezone.localdate()
    rule = _rule(template, today)
    return period_of(current_period(template, today=today).previous(), template, on=today, rule=rule)


def recent(template: Any | None = None, *, today: datetime.date | None = None, n: int = 6) -> list[Period]:
    """The current period and the ``n - 1`` before it, newest first."""
    today = today or timezone.localdate()
    rule = _rule(template, today)
    found = [current_period(template, today=today)]
    while len(found) < n:
        found.append(period_of(found[-1].previous(), template, on=today, rule=rule))
    return found
