"""Sensitive periods (§三(一)): declared by the office; daily reports (零报告 allowed) from every
town and member department; missing days flagged once; follow-ups tighten."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.monitoring import scan, sensitive, watch
from anxin.monitoring.models import DailyReport, MissingDailyReport, WatchEntry
from anxin.monitoring.tests.factories import observe
from anxin.notify.models import Notification

D = datetime.date
TZ = timezone.get_current_timezone()


@pytest.fixture
def period(office):
    with time_machine.travel(datetime.datetime(2026, 11, 20, 9, tzinfo=TZ), tick=False):
        return sensitive.period_declare(
            actor=office, name="测试敏感时期", start=D(2026, 11, 20), end=D(2026, 11, 30), note="每日报送"
        )


def test_only_the_office_declares(district, luoxi):
    with pytest.raises(PermissionDenied):
        sensitive.period_declare(actor=luoxi, name="x", start=D(2026, 11, 20), end=D(2026, 11, 21))


def test_a_period_needs_sane_dates_and_does_not_overlap(period, office):
    with pytest.raises(DomainError, match="早于"):
        sensitive.period_declare(actor=office, name="y", start=D(2026, 12, 5), end=D(2026, 12, 1))
    with pytest.raises(DomainError, match="重叠"):
        sensitive.period_declare(actor=office, name="y", start=D(2026, 11, 25), end=D(2026, 12, 5))


def test_a_town_files_a_zero_report_once_a_day(period, luoxi):
    with time_machine.travel(datetime.datetime(2026, 11, 21, 17, tzinfo=TZ), tick=False):
        sensitive.daily_report_file(actor=luoxi, period=period, day=D(2026, 11, 21), is_zero=True, content="")
        with pytest.raises(DomainError, match="已报送"):
            sensitive.daily_report_file(
                actor=luoxi, period=period, day=D(2026, 11, 21), is_zero=False, content="又一次"
            )
        with pytest.raises(DomainError, match="零报告"):
            sensitive.daily_report_file(
                actor=luoxi, period=period, day=D(2026, 11, 20), is_zero=False, content=" "
            )
        with pytest.raises(DomainError, match="未来"):
            sensitive.daily_report_file(
                actor=luoxi, period=period, day=D(2026, 11, 22), is_zero=True, content=""
            )
    assert DailyReport.objects.get().is_zero


def test_the_office_does_not_file_daily_reports(period, office):
    with pytest.raises(DomainError):
        sensitive.daily_report_file(
            actor=office, period=period, day=D(2026, 11, 20), is_zero=True, content=""
        )


def test_missing_days_are_flagged_once_and_reported(
    period, luoxi, office, django_capture_on_commit_callbacks
):
    sensitive.daily_report_file(actor=luoxi, period=period, day=D(2026, 11, 20), is_zero=True, content="")
    units = sensitive.reporting_units().count()
    now = datetime.datetime(2026, 11, 21, 9, tzinfo=TZ)
    with django_capture_on_commit_callbacks(execute=True):
        assert sensitive.missing_mark(now=now) == units - 1
        assert sensitive.missing_mark(now=now) == 0
    assert not MissingDailyReport.objects.filter(unit=luoxi.unit).exists()
    assert Notification.objects.filter(recipient=office, topic="sensitive-missing").count() == 1


def test_follow_ups_tighten_during_the_period(period):
    days, basis = watch.frequency("red", D(2026, 11, 25))
    assert days == 4 and "watch.sensitive_percent=50" in basis  # 7 days × 50 % → 4
    assert watch.frequency("red", D(2026, 12, 5))[0] == 7


def test_the_pages(period, login, luoxi, office, leader):
    assert login(leader).get("/sensitive/").status_code == 200
    assert (
        login(luoxi)
        .post("/sensitive/", {"name": "x", "start": "2026-12-01", "end": "2026-12-02"})
        .status_code
        == 403
    )
    with time_machine.travel(datetime.datetime(2026, 11, 22, 10, tzinfo=TZ), tick=True):
        client = login(luoxi)
        page = client.get(f"/sensitive/{period.pk}/")
        assert page.status_code == 200 and page.context["may_file"]
        client.post(f"/sensitive/{period.pk}/", {"day": "2026-11-22", "content": "无新增欠薪"})
        assert DailyReport.objects.filter(unit=luoxi.unit, day=D(2026, 11, 22)).exists()
        grid = login(office).get(f"/sensitive/{period.pk}/").context["rows"]
        assert len(grid) == sensitive.reporting_units().count()


# --- a declaration acts on the watch list at once ---------------------------------------------------


@pytest.fixture
def watched(world, luoxi):
    """A red enterprise confirmed on the watch list on 2026-11-10 10:00: weekly, due 11-17 10:00."""
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 10))
    with time_machine.travel(datetime.datetime(2026, 11, 10, 10, tzinfo=TZ), tick=False):
        entry = watch.watch_confirm(actor=luoxi, entry=WatchEntry.objects.get(enterprise=world.luoxi_factory))
    assert entry.followup_days == 7
    assert entry.next_followup_due == datetime.datetime(2026, 11, 17, 10, tzinfo=TZ)
    return entry


def _at(*args):
    return datetime.datetime(*args, tzinfo=TZ)


def test_declaring_a_period_tightens_the_next_follow_up_of_entries_already_watched(
    watched, office, luoxi, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(_at(2026, 11, 12, 9), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sensitive.period_declare(
            actor=office, name="春节前欠薪治理", start=D(2026, 11, 12), end=D(2026, 11, 20)
        )
    watched.refresh_from_db()
    assert watched.followup_days == 4  # 7 days × watch.sensitive_percent 50 % → 4
    assert watched.next_followup_due == _at(2026, 11, 14, 10)  # confirmed 11-10 10:00 + 4 days
    assert "敏感时期“春节前欠薪治理”" in watched.followup_basis
    assert Notification.objects.filter(
        recipient=luoxi, topic="watch", subject__contains="回访周期缩短"
    ).exists()


def test_tightening_never_puts_the_next_follow_up_in_the_past(watched, office):
    with time_machine.travel(_at(2026, 11, 16, 9), tick=False):
        sensitive.period_declare(actor=office, name="春节前", start=D(2026, 11, 16), end=D(2026, 11, 20))
    watched.refresh_from_db()
    # 11-10 + 4 days is already past: due at the end of the declaration day, not overdue at once.
    assert timezone.localtime(watched.next_followup_due) == _at(2026, 11, 16, 23, 59, 59)


def test_a_period_declared_ahead_tightens_when_tick_reaches_it_and_relaxes_after_its_end(
    watched, office, luoxi
):
    with time_machine.travel(_at(2026, 11, 11, 9), tick=False):
        sensitive.period_declare(actor=office, name="元旦前", start=D(2026, 11, 13), end=D(2026, 11, 20))
    watched.refresh_from_db()
    assert watched.followup_days == 7  # not begun yet: nothing changes
    assert watch.followups_reschedule(now=_at(2026, 11, 12, 23, 50)) == 0
    assert watch.followups_reschedule(now=_at(2026, 11, 13, 0, 10)) == 1
    assert watch.followups_reschedule(now=_at(2026, 11, 13, 0, 20)) == 0  # idempotent
    watched.refresh_from_db()
    assert (watched.followup_days, watched.next_followup_due) == (4, _at(2026, 11, 14, 10))
    with time_machine.travel(_at(2026, 11, 19, 15), tick=False):
        watch.followup_record(actor=luoxi, entry=watched, visited_on=D(2026, 11, 19), wage_status="已发一半")
    watched.refresh_from_db()
    assert timezone.localtime(watched.next_followup_due) == _at(2026, 11, 23, 23, 59, 59)
    assert watch.followups_reschedule(now=_at(2026, 11, 20, 23, 0)) == 0  # still in the period
    assert watch.followups_reschedule(now=_at(2026, 11, 21, 0, 5)) == 1  # over: back to weekly
    watched.refresh_from_db()
    assert watched.followup_days == 7 and "敏感时期" not in watched.followup_basis
    assert timezone.localtime(watched.next_followup_due) == _at(2026, 11, 26, 23, 59, 59)  # visit + 7
    assert watch.followups_reschedule(now=_at(2026, 11, 21, 0, 15)) == 0
    notes = list(watched.events.filter(action="reschedule").values_list("note", flat=True))
    assert len(notes) == 2  # one each way, on the entry's own history
    assert notes[0].startswith("敏感时期“元旦前”回访加密：每 4 日，下次 2026-11-14")
    assert notes[1].startswith("敏感时期结束，回访周期恢复：每 7 日，下次 2026-11-26")


def test_tick_runs_the_reschedule(watched, office):
    with time_machine.travel(_at(2026, 11, 11, 9), tick=False):
        sensitive.period_declare(actor=office, name="元旦前", start=D(2026, 11, 13), end=D(2026, 11, 20))
    call_command("tick", "--now", "2026-11-13T08:00:00+08:00", stdout=__import__("io").StringIO())
    watched.refresh_from_db()
    assert watched.followup_days == 4


def test_a_zero_report_cannot_carry_a_reported_problem(period, luoxi):
    at = datetime.datetime(2026, 11, 21, 10, tzinfo=TZ)
    with time_machine.travel(at, tick=False), pytest.raises(DomainError, match="零报告"):
        sensitive.daily_report_file(
            actor=luoxi, period=period, day=D(2026, 11, 21), is_zero=True, content="1家企业延迟发放工资"
        )
    assert not DailyReport.objects.exists()
