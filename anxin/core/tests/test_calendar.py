"""The working-day calendar: 法定节假日 and 调休 from the stored days, refusal beyond them.

2026 as the ``chinesecalendar`` package has it: National Day 10-01 … 10-07 off, 10-08 (Thu)
back at work, and Saturday 10-10 a make-up working day (调休上班). 2027 is not known yet.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command

from anxin.core.calendar import (
    add_working_days,
    calendar_years,
    coverage_warning,
    is_workday,
    working_days_between,
)
from anxin.core.errors import CalendarMissing, DomainError
from anxin.core.models import CalendarDay, SecurityEvent, SecurityEventKind
from anxin.core.services import calendar_day_set, calendar_year_create

D = datetime.date


# --- the seeded calendar ---------------------------------------------------------------------


def test_the_calendar_covers_2004_to_2026_and_not_2027(district):
    years = calendar_years()
    assert years[0] == 2004
    assert years[-1] == 2026
    assert 2027 not in years


def test_national_day_2026_is_off_from_october_1_to_7(district):
    assert not any(is_workday(D(2026, 10, day)) for day in range(1, 8))
    assert is_workday(D(2026, 10, 8))


def test_make_up_saturday_is_stored_as_a_working_day_with_its_name(district):
    day = CalendarDay.objects.get(date=D(2026, 10, 10))
    assert day.is_workday
    assert day.name == "调休上班"


def test_national_day_is_stored_with_its_chinese_name(district):
    assert CalendarDay.objects.get(date=D(2026, 10, 1)).name == "国庆节"


# --- add_working_days ------------------------------------------------------------------------


def test_one_working_day_after_september_30_skips_the_whole_national_day_holiday(district):
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_counting_across_national_day_counts_the_make_up_saturday(district):
    # 10-08 Thu, 10-09 Fri, 10-10 Sat (调休上班), then 10-12 Mon.
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 30), 4) == D(2026, 10, 12)


def test_five_working_days_from_the_start_of_the_holiday(district):
    assert add_working_days(D(2026, 10, 1), 5) == D(2026, 10, 13)


def test_zero_working_days_on_a_holiday_gives_the_next_working_day(district):
    assert add_working_days(D(2026, 10, 3), 0) == D(2026, 10, 8)


def test_zero_working_days_on_a_working_day_gives_that_day(district):
    assert add_working_days(D(2026, 10, 10), 0) == D(2026, 10, 10)


def test_the_start_day_itself_does_not_count(district):
    assert add_working_days(D(2026, 6, 1), 1) == D(2026, 6, 2)


def test_negative_count_is_a_programming_error(district):
    with pytest.raises(ValueError):
        add_working_days(D(2026, 6, 1), -1)


def test_counting_into_a_year_without_calendar_raises_calendar_missing_naming_the_year(district):
    with pytest.raises(CalendarMissing) as excinfo:
        add_working_days(D(2026, 12, 28), 10)
    assert "2027" in excinfo.value.message
    assert "工作日历" in excinfo.value.message


def test_a_count_that_ends_before_the_missing_year_still_works(district):
    assert add_working_days(D(2026, 12, 28), 3) == D(2026, 12, 31)


def test_is_workday_in_a_year_without_calendar_raises_calendar_missing(district):
    with pytest.raises(CalendarMissing):
        is_workday(D(2027, 3, 1))


def test_working_days_between_counts_across_national_day(district):
    # 10-08, 10-09, 10-10 (调休) and 10-12.
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4


# --- coverage warning ------------------------------------------------------------------------


def test_coverage_warning_in_november_when_next_year_is_missing(district):
    warning = coverage_warning(today=D(2026, 11, 2))
    assert warning is not None
    assert "2027" in warning


def test_coverage_warning_reads_the_clock_by_default(district):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        assert "2027" in (coverage_warning() or "")


def test_no_coverage_warning_in_june_of_a_covered_year(district):
    assert coverage_warning(today=D(2026, 6, 15)) is None


def test_no_coverage_warning_in_november_once_next_year_exists(office):
    calendar_year_create(actor=office, year=2027)
    assert coverage_warning(today=D(2026, 11, 2)) is None


def test_coverage_warning_when_the_current_year_is_missing(district):
    warning = coverage_warning(today=D(2027, 2, 1))
    assert warning is not None
    assert "2027" in warning
    assert "缺失" in warning


# --- office changes --------------------------------------------------------------------------


def test_marking_a_day_as_rest_day_moves_a_deadline(office):
    assert add_working_days(D(2026, 6, 1), 1) == D(2026, 6, 2)
    calendar_day_set(actor=office, date=D(2026, 6, 2), is_workday=False, name="临时休息")
    assert add_working_days(D(2026, 6, 1), 1) == D(2026, 6, 3)


def test_marking_a_saturday_as_working_day_shortens_a_deadline(office):
    # 2026-06-05 is a Friday; one working day later is Monday 06-08 unless Saturday works.
    calendar_day_set(actor=office, date=D(2026, 6, 6), is_workday=True, name="调休上班")
    assert add_working_days(D(2026, 6, 5), 1) == D(2026, 6, 6)


def test_a_day_change_is_recorded_as_office_source(office):
    day = calendar_day_set(actor=office, date=D(2026, 6, 2), is_workday=False, name="临时休息")
    assert day.source == CalendarDay.Source.OFFICE
    assert day.name == "临时休息"


def test_a_day_change_records_a_calendar_change_security_event(office):
    calendar_day_set(actor=office, date=D(2026, 6, 2), is_workday=False, ip="10.0.0.8")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.CALENDAR_CHANGE)
    assert event.user == office
    assert event.ip == "10.0.0.8"
    assert event.detail == {"date": "2026-06-02", "old": True, "new": False}


def test_marking_one_day_of_a_missing_year_is_refused_and_the_year_stays_uncovered(office):
    with pytest.raises(DomainError) as excinfo:
        calendar_day_set(actor=office, date=D(2027, 1, 1), is_workday=False, name="元旦")
    assert "2027" in excinfo.value.message
    assert coverage_warning(today=D(2026, 12, 1)) is not None


def test_creating_a_year_uses_the_weekday_rule(office):
    created = calendar_year_create(actor=office, year=2027)
    assert created == 365
    assert is_workday(D(2027, 1, 1))  # a Friday: no holidays until the office enters them
    assert not is_workday(D(2027, 1, 2))
    assert add_working_days(D(2026, 12, 28), 10) == D(2027, 1, 11)


def test_creating_a_year_records_a_calendar_change_security_event(office):
    calendar_year_create(actor=office, year=2027)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.CALENDAR_CHANGE)
    assert event.detail == {"year": 2027}


def test_creating_an_existing_year_is_refused(office):
    with pytest.raises(DomainError) as excinfo:
        calendar_year_create(actor=office, year=2026)
    assert "2026" in excinfo.value.message
    assert CalendarDay.objects.filter(date__year=2026, source=CalendarDay.Source.OFFICE).count() == 0


def test_creating_a_year_out_of_range_is_refused(office):
    with pytest.raises(DomainError):
        calendar_year_create(actor=office, year=2101)


# --- load_district ---------------------------------------------------------------------------


def test_loading_the_district_twice_keeps_the_same_calendar(district):
    before = CalendarDay.objects.count()
    call_command("load_district", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert CalendarDay.objects.count() == before


def test_loading_the_district_keeps_an_office_correction(office):
    calendar_day_set(actor=office, date=D(2026, 6, 2), is_workday=False)
    call_command("load_district", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not is_workday(D(2026, 6, 2))
