"""The pure payroll check (``anxin.sites.payroll_check``): each finding at its edges, the status."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from anxin.sites.payroll_check import DIFF, LATE, MISSING, OK, SHORT, UNROSTERED, Outcome, Row, Stretch, check

D = datetime.date
OCT = D(2026, 10, 1)
PAY_DAY = D(2026, 11, 15)
MAR_1 = D(2026, 3, 1)
NOV_10 = D(2026, 11, 10)


def stretch(n: int, start: datetime.date = MAR_1, leave: datetime.date | None = None) -> Stretch:
    return Stretch(roster_id=n, name=f"工人{n}", index=f"i{n}", start=start, leave=leave)


def line(
    n: int, *, due: int = 600_000, paid: int | None = None, paid_on: datetime.date | None = NOV_10
) -> Row:
    return Row(
        row=n + 1,
        name=f"工人{n}",
        index=f"i{n}",
        days=Decimal(22),
        due=due,
        paid=due if paid is None else paid,
        paid_on=paid_on,
    )


def run(roster: list[Stretch], rows: list[Row]) -> Outcome:
    return check(roster=roster, rows=rows, month=OCT, pay_due_on=PAY_DAY)


def kinds(outcome: Outcome) -> list[tuple[str, str]]:
    return [(f.kind, f.name) for f in outcome.findings]


def test_paid_in_full_on_time_is_ok():
    outcome = run([stretch(1), stretch(2)], [line(1), line(2)])
    assert outcome.status == OK and outcome.findings == []
    assert (outcome.due_total, outcome.paid_total, outcome.on_roster) == (1_200_000, 1_200_000, 2)
    assert outcome.roster_of == {2: 1, 3: 2}


def test_exactly_paid_is_not_short_one_fen_short_is():
    assert run([stretch(1)], [line(1, due=600_000, paid=600_000)]).status == OK
    outcome = run([stretch(1)], [line(1, due=600_000, paid=599_999)])
    assert outcome.status == DIFF and kinds(outcome) == [(SHORT, "工人1")]
    assert outcome.findings[0].shortfall == 1 and outcome.short_amount == 1


def test_one_yuan_short_counts_with_its_shortfall():
    outcome = run([stretch(1)], [line(1, due=600_000, paid=599_900)])
    finding = outcome.findings[0]
    assert (finding.kind, finding.due, finding.paid, finding.shortfall) == (SHORT, 600_000, 599_900, 100)
    assert "少发 1.00 元" in finding.text
    assert (outcome.short_workers, outcome.short_amount) == (1, 100)


def test_paid_more_than_due_is_not_a_finding():
    assert run([stretch(1)], [line(1, due=600_000, paid=650_000)]).status == OK


def test_paid_on_the_pay_day_itself_is_on_time_the_day_after_is_late():
    assert run([stretch(1)], [line(1, paid_on=PAY_DAY)]).status == OK
    outcome = run([stretch(1)], [line(1, paid_on=PAY_DAY + datetime.timedelta(days=1))])
    assert kinds(outcome) == [(LATE, "工人1")] and outcome.late_workers == 1
    assert "2026-11-16 发放，晚于发放期限 2026-11-15" in outcome.findings[0].text


def test_paid_without_a_date_is_late():
    outcome = run([stretch(1)], [line(1, paid_on=None)])
    assert kinds(outcome) == [(LATE, "工人1")]
    assert "未注明发放日期" in outcome.findings[0].text


def test_nothing_paid_is_short_by_the_whole_amount_and_not_late():
    outcome = run([stretch(1)], [line(1, due=600_000, paid=0, paid_on=None)])
    assert kinds(outcome) == [(SHORT, "工人1")]
    assert outcome.findings[0].shortfall == 600_000


def test_short_and_late_are_both_found():
    outcome = run([stretch(1)], [line(1, due=600_000, paid=500_000, paid_on=D(2026, 11, 30))])
    assert kinds(outcome) == [(SHORT, "工人1"), (LATE, "工人1")]


def test_on_the_roster_in_the_month_but_not_on_the_payroll_is_missing():
    outcome = run([stretch(1), stretch(2)], [line(1)])
    assert kinds(outcome) == [(MISSING, "工人2")] and outcome.missing_workers == 1
    assert outcome.unpaid_workers == 1
    assert "2026-03-01 进场" in outcome.findings[0].text


def test_the_roster_month_edges():
    """Entered on the month's last day, or left on its first: on site that month. Entered the day
    after it, or left the day before it: not."""
    roster = [
        stretch(1, start=D(2026, 10, 31)),
        stretch(2, start=D(2026, 1, 1), leave=D(2026, 10, 1)),
        stretch(3, start=D(2026, 11, 1)),
        stretch(4, start=D(2026, 1, 1), leave=D(2026, 9, 30)),
    ]
    outcome = run(roster, [])
    assert sorted(f.name for f in outcome.findings) == ["工人1", "工人2"]
    assert outcome.on_roster == 2


def test_on_the_payroll_but_not_on_the_roster_that_month_is_unrostered():
    outcome = run([stretch(1), stretch(2, leave=D(2026, 9, 30))], [line(1), line(2), line(3)])
    assert kinds(outcome) == [(UNROSTERED, "工人2"), (UNROSTERED, "工人3")]
    assert outcome.unrostered_workers == 2 and 3 not in outcome.roster_of


def test_two_stretches_in_one_month_are_one_worker():
    roster = [stretch(1, leave=D(2026, 10, 10)), Stretch(9, "工人1", "i1", D(2026, 10, 20), None)]
    outcome = run(roster, [line(1)])
    assert outcome.status == OK and outcome.roster_of == {2: 9}


def test_three_thousand_workers_are_checked_in_well_under_a_second():
    roster = [stretch(n) for n in range(3000)]
    rows = [line(n, paid=599_900 if n % 100 == 0 else None) for n in range(1, 3000)]
    started = time.perf_counter()
    outcome = run(roster, rows)
    assert time.perf_counter() - started < 1
    assert outcome.short_workers == 29 and outcome.missing_workers == 1
