"""The monthly payroll checked against the roster (总包代发, 条例 第三十一条; §三(九)) — a pure function.

``check(roster=…, rows=…, month=…, pay_due_on=…)`` takes the roster stretches on site in the month and
the payroll's rows (each worker by the blind index of their ID number: nothing is decrypted) and
returns what it found, worker by worker, with the month's status. Nothing here touches the database;
dicts keyed by the blind index make 3,000 workers a matter of milliseconds.

What counts as what (the edges are the tests' edges, ``anxin/sites/tests/test_payroll_check.py``):

- **在册未发放** (``missing``): on the roster on any day of the month (entered on or before its last
  day, not left before its first) and not on the payroll.
- **未足额发放** (``short``): paid less than due — one fen short counts; the shortfall is due − paid.
  A worker paid nothing at all is short by the whole amount (and not also late: nothing was paid late).
- **逾期发放** (``late``): something was paid (paid > 0) and either the date it was paid is after the
  pay day — day ``payroll.pay_day`` of the following month, the day itself still on time — or no date
  is given (a payment that does not say when cannot show it was on time). A worker both short and
  paid late has both findings.
- **未在花名册** (``unrostered``): on the payroll but on no roster stretch of the month.

The month is 按时足额 (``ok``) when nothing is found, else 有差异 (``diff``).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from anxin.core.money import format_yuan

OK, DIFF = "ok", "diff"
MISSING, SHORT, LATE, UNROSTERED = "missing", "short", "late", "unrostered"
KIND_ORDER = {SHORT: 0, MISSING: 1, LATE: 2, UNROSTERED: 3}


@dataclass(frozen=True, slots=True)
class Stretch:
    """One roster entry: a worker on the project from ``start`` to ``leave`` (None: still there)."""

    roster_id: int
    name: str
    index: str  # blind index of the ID number
    start: datetime.date
    leave: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class Row:
    """One worker's row of the payroll (amounts in fen)."""

    row: int  # the row's number as the uploader sees it (spreadsheet row, or position in the request)
    name: str
    index: str
    days: Decimal
    due: int
    paid: int
    paid_on: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class Found:
    """One finding about one worker, with the figures."""

    kind: str
    name: str
    text: str
    row: int | None = None  # the payroll row (None: missing from the payroll)
    roster_id: int | None = None
    due: int = 0
    paid: int = 0
    paid_on: datetime.date | None = None

    @property
    def shortfall(self) -> int:
        return max(self.due - self.paid, 0)


@dataclass
class Outcome:
    """What the check found, and the figures the month keeps."""

    status: str
    findings: list[Found]
    rows: int = 0
    due_total: int = 0
    paid_total: int = 0
    short_workers: int = 0
    short_amount: int = 0
    missing_workers: int = 0
    late_workers: int = 0
    unrostered_workers: int = 0
    roster_of: dict[int, int] = field(default_factory=dict)  # payroll row → the roster entry it matched
    on_roster: int = 0  # workers on the roster in the month

    @property
    def unpaid_workers(self) -> int:
        """Workers not paid in full: short, or on the roster and not on the payroll at all."""
        return self.short_workers + self.missing_workers


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def on_site(stretch: Stretch, first: datetime.date, last: datetime.date) -> bool:
    return stretch.start <= last and (stretch.leave is None or stretch.leave >= first)


def _y(fen: int) -> str:
    return format_yuan(fen) + " 元"


def check(
    *, roster: Iterable[Stretch], rows: Sequence[Row], month: datetime.date, pay_due_on: datetime.date
) -> Outcome:
    """Check the payroll ``rows`` of ``month`` (its first day) against the ``roster`` (stretches of the
    project; those not on site in the month are ignored), the pay day being ``pay_due_on``."""
    first, last = month.replace(day=1), month_end(month)
    present: dict[str, Stretch] = {}
    for stretch in roster:
        if on_site(stretch, first, last):
            # Two stretches in one month (left and came back): the latest names the worker.
            kept = present.get(stretch.index)
            if kept is None or stretch.start > kept.start:
                present[stretch.index] = stretch
    findings: list[Found] = []
    outcome = Outcome(status=OK, findings=findings, rows=len(rows), on_roster=len(present))
    paid_rows: set[str] = set()
    for r in rows:
        outcome.due_total += r.due
        outcome.paid_total += r.paid
        paid_rows.add(r.index)
        matched = present.get(r.index)
        roster_id = matched.roster_id if matched else None
        if matched is not None:
            outcome.roster_of[r.row] = matched.roster_id
        else:
            outcome.unrostered_workers += 1
            findings.append(
                Found(
                    UNROSTERED,
                    r.name,
                    "本月实名制花名册中没有该劳动者（未登记，或本月不在场）",
                    row=r.row,
                    due=r.due,
                    paid=r.paid,
                    paid_on=r.paid_on,
                )
            )
        if r.paid < r.due:
            outcome.short_workers += 1
            outcome.short_amount += r.due - r.paid
            findings.append(
                Found(
                    SHORT,
                    r.name,
                    f"应发 {_y(r.due)}，实发 {_y(r.paid)}，少发 {_y(r.due - r.paid)}",
                    row=r.row,
                    roster_id=roster_id,
                    due=r.due,
                    paid=r.paid,
                    paid_on=r.paid_on,
                )
            )
        if r.paid > 0 and (r.paid_on is None or r.paid_on > pay_due_on):
            outcome.late_workers += 1
            text = (
                f"已发 {_y(r.paid)} 但未注明发放日期（发放期限 {pay_due_on:%Y-%m-%d}）"
                if r.paid_on is None
                else f"{r.paid_on:%Y-%m-%d} 发放，晚于发放期限 {pay_due_on:%Y-%m-%d}"
            )
            findings.append(
                Found(
                    LATE,
                    r.name,
                    text,
                    row=r.row,
                    roster_id=roster_id,
                    due=r.due,
                    paid=r.paid,
                    paid_on=r.paid_on,
                )
            )
    for index, stretch in present.items():
        if index in paid_rows:
            continue
        outcome.missing_workers += 1
        left = f"，{stretch.leave:%Y-%m-%d} 退场" if stretch.leave else ""
        findings.append(
            Found(
                MISSING,
                stretch.name,
                f"在花名册（{stretch.start:%Y-%m-%d} 进场{left}），工资表中没有该劳动者",
                roster_id=stretch.roster_id,
            )
        )
    findings.sort(key=lambda f: (KIND_ORDER[f.kind], f.row or 0, f.name))
    outcome.status = DIFF if findings else OK
    return outcome
