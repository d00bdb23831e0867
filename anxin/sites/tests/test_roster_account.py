"""The wage special account (条例 第二十六条, §三(九)): recorded once, changed with a reason kept in its
history; a project in construction or stopped still without one more than ``site.account_days`` days
after its start is flagged (the selector, with the parameter and its clause), and ``tick`` tells its
supervising department and its town once."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anxin.core import seam
from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.core.services import policy_parameter_set
from anxin.notify.models import Notification
from anxin.sites import services
from anxin.sites.models import AccountFlag, SpecialAccount, SpecialAccountEvent
from anxin.sites.roster_deadlines import TOPIC, account_missing_sweep
from anxin.sites.roster_selectors import missing_account, projects_missing_account
from anxin.sites.tests.factories_roster import days_ago, site

pytestmark = pytest.mark.django_db

ACCOUNT = "6222 0211 0203 4567 890"


def _record(s: Any, actor: Any, **kw: Any) -> Any:
    values: dict[str, Any] = {
        "bank": "中国工商银行新北支行",
        "account": ACCOUNT,
        "opened_on": days_ago(5),
        "note": "",
    }
    values.update(kw)
    return services.special_account_record(actor=actor, project=s.project, **values)


@pytest.fixture
def s(district):
    return site(started=60)


# --- recording -------------------------------------------------------------------------------------------


def test_the_first_record_stores_the_account_encrypted_and_shows_it_masked(s, chengjian):
    account = _record(s, chengjian)
    assert account.account == "6222021102034567890"
    assert account.account_masked == "6222***********7890"
    event = SpecialAccountEvent.objects.get(project=s.project)
    assert (
        event.kind == "first" and event.account_masked == "6222***********7890" and event.actor == chengjian
    )


def test_a_change_needs_its_reason_and_keeps_it_in_the_history(s, office):
    _record(s, office)
    with pytest.raises(DomainError) as caught:
        _record(s, office, bank="中国农业银行新北支行")
    assert caught.value.field == "note"
    assert SpecialAccount.objects.get(project=s.project).bank == "中国工商银行新北支行"
    _record(s, office, bank="中国农业银行新北支行", account="6228480000000001", note="原账户销户，改开农行")
    account = SpecialAccount.objects.get(project=s.project)
    assert (account.bank, account.account) == ("中国农业银行新北支行", "6228480000000001")
    change = SpecialAccountEvent.objects.filter(project=s.project).order_by("pk").last()
    assert change is not None
    assert change.kind == "change" and change.reason == "原账户销户，改开农行"
    assert LogEntry.objects.get_for_object(account).filter(action=LogEntry.Action.UPDATE).exists()


def test_recording_the_same_account_again_is_refused(s, office):
    _record(s, office)
    with pytest.raises(DomainError):
        _record(s, office, note="再次登记")
    assert SpecialAccountEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("bank", {"bank": " "}),
        ("account", {"account": "1234567"}),
        ("account", {"account": "6222abc0211"}),
        ("opened_on", {"opened_on": None}),
        ("opened_on", {"opened_on": days_ago(-1)}),
    ],
)
def test_a_bad_account_record_is_refused_and_nothing_written(s, office, field, kw):
    with pytest.raises(DomainError) as caught:
        _record(s, office, **kw)
    assert caught.value.field == field
    assert not SpecialAccount.objects.exists() and not SpecialAccountEvent.objects.exists()


@pytest.mark.parametrize("persona", ["luoxi", "leader", "shuili"])
def test_only_the_office_or_the_supervising_line_records_the_account(s, request, persona):
    with pytest.raises(PermissionDenied):
        _record(s, request.getfixturevalue(persona))
    assert not SpecialAccount.objects.exists()


# --- the flag -----------------------------------------------------------------------------------------------


def test_a_project_is_flagged_the_day_after_its_days_run_out_with_the_parameter(district, office):
    edge = site(started=30)  # the 30th day: still within (more than 30 days is late)
    late = site(started=31)
    assert missing_account(edge.project) is None
    flag = missing_account(late.project)
    assert flag is not None and flag.days == 30 and flag.days_overdue == 1
    assert flag.due_on == days_ago(1)
    assert "第二十六条" in flag.citation and flag.evidence()["code"] == "site.account_days"
    found = projects_missing_account(office, timezone.localdate())
    assert [m.project for m in found] == [late.project]


def test_a_project_with_its_account_not_started_or_completed_is_not_flagged(district, office):
    with_account = site(started=90)
    _record(with_account, office)
    site(started=None)
    site(started=90, status="completed")
    site(started=90, status="planned")
    stopped = site(started=90, status="stopped")
    assert [m.project for m in projects_missing_account(office)] == [stopped.project]


def test_the_flag_follows_the_parameter_in_force(district, office):
    late = site(started=40)
    assert missing_account(late.project) is not None
    policy_parameter_set(
        actor=system_actor(), code="site.account_days", value="45", effective_from=days_ago(0), note="测试"
    )
    assert missing_account(late.project) is None
    assert missing_account(late.project, on=days_ago(1)) is not None  # the day before, 30 days were in force


def test_the_selector_shows_only_the_projects_in_scope(district, luoxi, xuejia, shuili, chengjian):
    late = site(started=60)
    assert [m.project for m in projects_missing_account(luoxi)] == [late.project]
    assert projects_missing_account(xuejia) == []
    assert projects_missing_account(shuili) == []
    assert [m.project for m in projects_missing_account(chengjian)] == [late.project]


# --- the sweep ------------------------------------------------------------------------------------------------


def test_tick_flags_a_project_once_and_tells_its_department_and_town(
    district, chengjian, luoxi, xuejia, django_capture_on_commit_callbacks
):
    s = site(started=10)
    assert Notification.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert account_missing_sweep() == 0
    later = timezone.now() + datetime.timedelta(days=21)  # start + 31 days
    with time_machine.travel(later, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert account_missing_sweep() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert account_missing_sweep() == 0  # once only
    flag = AccountFlag.objects.get(project=s.project)
    assert flag.basis["code"] == "site.account_days" and flag.basis["value"] == "30"
    told = set(Notification.objects.filter(topic=TOPIC).values_list("recipient__username", flat=True))
    assert told == {chengjian.username, luoxi.username}
    note = Notification.objects.filter(topic=TOPIC).first()
    assert note is not None
    assert "未登记农民工工资专用账户" in note.subject and "?tab=roster" in note.url


def test_tick_leaves_a_project_whose_account_was_recorded_in_time(district, office):
    s = site(started=10)
    _record(s, office, opened_on=days_ago(1))
    with time_machine.travel(timezone.now() + datetime.timedelta(days=60), tick=False):
        assert account_missing_sweep() == 0
    assert not AccountFlag.objects.exists()


def test_the_sweep_is_registered_for_tick():
    labels = [sweep.label for sweep in seam.collect(seam.SWEEPS)]
    assert "工程项目未开工资专用账户提示" in labels
