"""The handbook's figures: each month from the month's current payroll (the latest version), matched
by the worker's ID number on that project; months without a payroll say so; nobody else's lines."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from anxin.registry.tests.factories import enterprise
from anxin.sites.handbook import MonthState, handbooks_of, worker_handbooks
from anxin.sites.tests.factories_handbook import month_of, payroll, rostered

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=timezone.get_current_timezone())):
        yield


def test_each_month_reads_the_current_payroll_version_not_an_earlier_one(world):
    site = world.luoxi_project
    worker = rostered(site, n=1, start=datetime.date(2026, 9, 3))
    september = datetime.date(2026, 9, 1)
    payroll(site, september, [(worker, "20", 600_000, 500_000, datetime.date(2026, 10, 14))], current=False)
    payroll(site, september, [(worker, "22.5", 660_000, 660_000, datetime.date(2026, 10, 15))], version=2)
    book = handbooks_of([worker], today=TODAY)[0]
    first = book.months[0]
    assert first.month == september and first.state == MonthState.PAID
    assert (str(first.days), first.due, first.paid, first.paid_on, first.version) == (
        "22.5",
        660_000,
        660_000,
        datetime.date(2026, 10, 15),
        2,
    )
    assert first.shortfall == 0


def test_months_run_from_the_start_to_the_leave_date_or_this_month(world):
    site = world.luoxi_project
    staying = rostered(site, n=1, start=datetime.date(2026, 8, 20))
    left = rostered(site, n=2, start=datetime.date(2026, 6, 1), leave=datetime.date(2026, 7, 31))
    books = handbooks_of([staying, left], today=TODAY)
    assert [m.month.month for m in books[0].months] == [8, 9, 10, 11]
    assert [m.month.month for m in books[1].months] == [6, 7]


def test_a_month_without_a_payroll_reads_missing_after_its_report_day_and_pending_before(world):
    site = world.luoxi_project
    worker = rostered(site, n=1, start=datetime.date(2026, 9, 1))
    states = {m.month: m.state for m in handbooks_of([worker], today=TODAY)[0].months}
    # September's payroll was due on 20 October; October's is due on 20 November; November's in December.
    assert states[datetime.date(2026, 9, 1)] == MonthState.MISSING
    assert states[datetime.date(2026, 10, 1)] == MonthState.MISSING
    assert states[datetime.date(2026, 11, 1)] == MonthState.PENDING
    early = handbooks_of([worker], today=datetime.date(2026, 11, 20))[0].months
    assert {m.month: m.state for m in early}[
        datetime.date(2026, 10, 1)
    ] == MonthState.PENDING  # the day itself


def test_a_payroll_that_leaves_the_worker_out_says_so_and_shows_no_one_elses_figures(world):
    site = world.luoxi_project
    worker = rostered(site, n=1, start=datetime.date(2026, 10, 1))
    other = rostered(site, n=2, start=datetime.date(2026, 10, 1))
    payroll(site, datetime.date(2026, 10, 1), [(other, "25", 700_000, 700_000, datetime.date(2026, 11, 10))])
    october = handbooks_of([worker], today=TODAY)[0].months[0]
    assert october.state == MonthState.NOT_LISTED and october.due is None and october.paid is None


def test_a_short_month_shows_the_shortfall_and_the_totals_add_up(world):
    site = world.luoxi_project
    worker = rostered(site, n=1, start=datetime.date(2026, 9, 1))
    payroll(site, datetime.date(2026, 9, 1), [(worker, "20", 600_000, 600_000, datetime.date(2026, 10, 12))])
    payroll(site, datetime.date(2026, 10, 1), [(worker, "21", 630_000, 629_900, datetime.date(2026, 11, 12))])
    book = handbooks_of([worker], today=TODAY)[0]
    assert book.months[1].shortfall == 100  # one yuan short
    assert (book.due_total, book.paid_total, book.days_total) == (1_230_000, 1_229_900, Decimal(41))


def test_the_same_id_on_another_project_is_matched_on_that_project_only(world):
    here, there = world.luoxi_project, world.menghe_river
    mine = rostered(here, n=1, start=datetime.date(2026, 10, 1))
    elsewhere = rostered(there, n=1, start=datetime.date(2026, 10, 1), employer=world.menghe_water)
    payroll(
        there, datetime.date(2026, 10, 1), [(elsewhere, "10", 300_000, 300_000, datetime.date(2026, 11, 5))]
    )
    here_book, there_book = handbooks_of([mine, elsewhere], today=TODAY)
    assert here_book.months[0].state == MonthState.MISSING  # the other project's payroll is not this one's
    assert there_book.months[0].paid == 300_000
    # The worker's own page: both projects, each with its own months.
    assert {b.project.pk for b in worker_handbooks(mine.id_number_index)} == {here.pk, there.pk}


def test_a_projects_handbooks_are_read_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    site = world.luoxi_project
    sub = enterprise(town="luoxi", kinds=("construction",), name="罗溪劳务分包有限公司")
    workers = [
        rostered(site, n=i, start=month_of(TODAY, 3), employer=sub if i % 2 else None) for i in range(1, 31)
    ]
    for back in (1, 2, 3):
        payroll(site, month_of(TODAY, back), [(w, "20", 500_000, 500_000, TODAY) for w in workers])
    from anxin.sites.handbook import project_entries

    with django_assert_max_num_queries(4):
        books = handbooks_of(project_entries(site), today=TODAY)
    assert len(books) == 30 and all(b.months[0].state == MonthState.PAID for b in books)
