"""Monitoring's status changes go through the one helper (core.transitions, DESIGN rule 4): each
table allows its rows and refuses the rest in Chinese; a stale status is refused as a conflict and
writes nothing; a change of an audited model (immediate report, watch entry, screening task) leaves
its audit diff and its event row from → to; an alert's step leaves its AlertEvent and no audit row
(the scan's change tracking reads the audit log: tests/test_audit_coverage.py)."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from anxin.core.audit import history_for, system_actor
from anxin.core.errors import DomainError
from anxin.monitoring import alerts, immediate, scan, screening, services, watch
from anxin.monitoring.models import (
    Alert,
    AlertEvent,
    AlertStatus,
    ImmediateReport,
    ImmediateReportEvent,
    Indicator,
    Observation,
    ReportStatus,
    ScreeningTask,
    WatchEntry,
    WatchEvent,
    WatchStatus,
)
from anxin.org.models import Town
from anxin.registry.models import EnterpriseKind

D = datetime.date


def _refusal(call, /, **kwargs) -> DomainError:
    """The DomainError ``call(**kwargs)`` raises."""
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    return caught.value


def _updates(obj) -> list[dict]:
    """The field diffs of ``obj``'s audit-log UPDATE entries, oldest first."""
    entries = history_for(obj).filter(action=LogEntry.Action.UPDATE)
    return [entry.changes_dict for entry in reversed(entries)]


@pytest.fixture
def red(world):
    """罗溪纺织 owes three months of wages: red, an immediate alert with its draft report, and a
    watch entry proposed by the scan."""
    services.observations_record(
        actor=system_actor(),
        rows=[(world.luoxi_factory, Indicator.objects.get(code="wage_arrears_months"), D(2026, 11, 1), 3)],
    )
    scan.scan(as_of=D(2026, 11, 25))
    return world.luoxi_factory


# --- alerts ------------------------------------------------------------------------------------------


@pytest.fixture
def alert(red):
    return Alert.objects.get(enterprise=red, rule="IMMEDIATE_ARREARS_2M")


def test_the_alert_table():
    assert {(r.source, r.action, r.target, r.perm) for r in alerts.FLOW.rows} == {
        ("open", "acknowledge", "acknowledged", "monitoring.handle_alert"),
        ("open", "handle", "handled", "monitoring.handle_alert"),
        ("acknowledged", "handle", "handled", "monitoring.handle_alert"),
        ("open", "dismiss", "dismissed", "monitoring.dismiss_alert"),
        ("acknowledged", "dismiss", "dismissed", "monitoring.dismiss_alert"),
    }


def test_an_alert_step_leaves_its_event_from_to_and_no_audit_row(alert, luoxi):
    alert_type = ContentType.objects.get_for_model(Alert)
    alerts.alert_acknowledge(actor=luoxi, alert=alert, note="已安排约谈")
    alert = alerts.alert_handle(actor=luoxi, alert=alert, note="已约谈，责令限期支付")
    assert alert.status == AlertStatus.HANDLED
    assert (alert.closed_by, alert.outcome) == (luoxi, "已约谈，责令限期支付")
    steps = AlertEvent.objects.filter(alert=alert, action__in=["acknowledge", "handle"]).order_by("pk")
    assert [(e.action, e.from_status, e.to_status, e.actor, e.note) for e in steps] == [
        ("acknowledge", "open", "acknowledged", luoxi, "已安排约谈"),
        ("handle", "acknowledged", "handled", luoxi, "已约谈，责令限期支付"),
    ]
    assert steps.last().at == alert.closed_at
    assert not LogEntry.objects.filter(content_type=alert_type, object_pk=str(alert.pk)).exists()


def test_the_alert_actions_are_the_tables_rows_the_user_may_take(alert, office, luoxi, xuejia):
    assert alerts.alert_actions(office, alert) == ["acknowledge", "handle", "dismiss"]
    assert alerts.alert_actions(luoxi, alert) == ["acknowledge", "handle"]
    assert alerts.alert_actions(xuejia, alert) == []
    alerts.alert_acknowledge(actor=luoxi, alert=alert)
    assert alerts.alert_actions(office, alert) == ["handle", "dismiss"]


def test_an_alert_refuses_what_its_status_does_not_allow(alert, office, luoxi):
    alerts.alert_dismiss(actor=office, alert=alert, note="数据有误")
    with pytest.raises(DomainError, match="预警处于“已排除”状态，不能“签收”") as caught:
        alerts.alert_acknowledge(actor=luoxi, alert=alert)
    assert caught.value.code == "transition"
    with pytest.raises(DomainError, match="预警处于“已排除”状态，不能“处置”"):
        alerts.alert_handle(actor=luoxi, alert=alert, note="已约谈")


def test_a_stale_alert_is_refused_and_nothing_is_written(alert, office, luoxi):
    stale = Alert.objects.get(pk=alert.pk)  # the page still shows 待签收
    alerts.alert_dismiss(actor=office, alert=alert, note="数据有误")
    events = AlertEvent.objects.filter(alert=alert).count()
    refused = _refusal(alerts.alert_handle, actor=luoxi, alert=stale, note="已约谈")
    assert (refused.message, refused.code) == ("该预警已被他人处理，请刷新后查看", "conflict")
    assert AlertEvent.objects.filter(alert=alert).count() == events
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.closed_by) == (AlertStatus.DISMISSED, "数据有误", office)


# --- immediate reports -------------------------------------------------------------------------------


@pytest.fixture
def report(red):
    return ImmediateReport.objects.get(enterprise=red)


def _submit(report, actor):
    return immediate.report_submit(
        actor=actor,
        report=report,
        mass_incident_risk=False,
        risk_judgement="工人情绪稳定",
        measures="已约谈企业负责人",
    )


def _moves(report) -> list[tuple]:
    moves = ImmediateReportEvent.objects.filter(report=report).exclude(from_status="").order_by("pk")
    return [(e.action, e.from_status, e.to_status) for e in moves]


def test_the_immediate_report_table():
    assert {(r.source, r.action, r.target, r.who) for r in immediate.FLOW.rows} == {
        ("draft", "submit", "submitted", "reporter"),
        ("draft", "close", "closed", "office"),
        ("submitted", "special", "special", "office"),
        ("submitted", "close", "closed", "office"),
    }


def test_submitting_and_the_special_report_leave_audit_diffs_and_events(report, luoxi, office):
    report = _submit(report, luoxi)
    report = immediate.report_special(actor=office, report=report, title="关于罗溪纺织欠薪", body="正文")
    assert report.status == ReportStatus.SPECIAL
    statuses = [diff["status"] for diff in _updates(report) if "status" in diff]
    assert statuses == [["draft", "submitted"], ["submitted", "special"]]
    assert _moves(report) == [("submit", "draft", "submitted"), ("special", "submitted", "special")]
    submit = ImmediateReportEvent.objects.get(report=report, action="submit")
    assert submit.actor == luoxi and submit.at == report.submitted_at
    assert "暂无迹象表明会引发集体上访或群体性事件" in submit.note


def test_closing_a_draft_leaves_its_audit_diff_and_event(report, office):
    report = immediate.report_close(actor=office, report=report, reason="已全额支付，无群体性风险")
    assert {"status": ["draft", "closed"]}.items() <= _updates(report)[-1].items()
    assert _updates(report)[-1]["closed_reason"][1] == "已全额支付，无群体性风险"
    assert _moves(report) == [("close", "draft", "closed")]


def test_an_immediate_report_refuses_what_its_status_does_not_allow(report, luoxi, office):
    refused = _refusal(immediate.report_special, actor=office, report=report, title="标题", body="正文")
    assert (refused.message, refused.code) == ("只有已报送的即时报告可以形成专题报告", "transition")
    immediate.report_close(actor=office, report=report, reason="无群体性风险")
    refused = _refusal(immediate.report_close, actor=office, report=report, reason="再次关闭")
    assert (refused.message, refused.code) == ("报告已专题报告或关闭", "transition")
    assert _refusal(_submit, report=report, actor=luoxi).message == "报告已报送或关闭，不能再修改"
    assert immediate.report_actions(office, report) == []


def test_the_report_actions_are_the_tables_rows_the_user_may_take(report, luoxi, office, xuejia):
    assert immediate.report_actions(luoxi, report) == ["save", "submit"]
    assert immediate.report_actions(office, report) == ["save", "submit", "close"]
    assert immediate.report_actions(xuejia, report) == []
    report = _submit(report, luoxi)
    assert immediate.report_actions(office, report) == ["special", "close"]
    assert immediate.report_actions(luoxi, report) == []


def test_a_stale_report_is_refused_and_nothing_is_written(report, luoxi, office):
    stale = ImmediateReport.objects.get(pk=report.pk)  # the town's page still shows 待报送
    immediate.report_close(actor=office, report=report, reason="无群体性风险")
    events, diffs = ImmediateReportEvent.objects.count(), len(_updates(report))
    assert _refusal(_submit, report=stale, actor=luoxi).message == "报告已报送或关闭，不能再修改"
    assert ImmediateReportEvent.objects.count() == events and len(_updates(report)) == diffs
    # The helper itself: a move from a status the row no longer has is a conflict.
    step = immediate.FLOW.step(stale, "submit")
    refused = _refusal(immediate.FLOW.move, obj=stale, step=step, actor=luoxi)
    assert (refused.message, refused.code) == ("该即时报告已被他人处理，请刷新后查看", "conflict")
    assert ImmediateReportEvent.objects.count() == events and len(_updates(report)) == diffs
    assert ImmediateReport.objects.get(pk=report.pk).status == ReportStatus.CLOSED


# --- the watch list ----------------------------------------------------------------------------------


@pytest.fixture
def proposed(red):
    return WatchEntry.objects.get(enterprise=red)


def _watch_moves(entry) -> list[tuple]:
    moves = WatchEvent.objects.filter(entry=entry).exclude(to_status="").order_by("pk")
    return [(e.action, e.from_status, e.to_status) for e in moves]


def test_the_watch_table():
    assert {(r.source, r.action, r.target, r.guard) for r in watch.FLOW.rows} == {
        ("proposed", "confirm", "active", ""),
        ("proposed", "decline", "declined", ""),
        ("active", "exit", "exited", "risk_fallen"),
    }


def test_the_proposal_event_opens_at_proposed(proposed):
    assert _watch_moves(proposed) == [("propose", "", "proposed")]


def test_confirming_and_exiting_leave_audit_diffs_and_events(proposed, luoxi, office):
    entry = watch.watch_confirm(actor=luoxi, entry=proposed)
    watch.followup_record(actor=luoxi, entry=entry, visited_on=timezone.localdate(), wage_status="已发放")
    entry = watch.watch_exit(actor=office, entry=entry, reason="已全额支付")
    assert entry.status == WatchStatus.EXITED
    statuses = [diff["status"] for diff in _updates(entry) if "status" in diff]
    assert statuses == [["proposed", "active"], ["active", "exited"]]
    assert _watch_moves(entry) == [
        ("propose", "", "proposed"),
        ("confirm", "proposed", "active"),
        ("exit", "active", "exited"),
    ]
    followup = WatchEvent.objects.get(entry=entry, action="followup")
    assert (followup.from_status, followup.to_status) == ("", "")
    confirm = WatchEvent.objects.get(entry=entry, action="confirm")
    assert confirm.actor == luoxi and confirm.at == entry.confirmed_at


def test_declining_leaves_its_audit_diff_and_event(proposed, office):
    entry = watch.watch_decline(actor=office, entry=proposed, reason="已全额支付")
    assert {"status": ["proposed", "declined"]}.items() <= _updates(entry)[-1].items()
    assert _watch_moves(entry)[-1] == ("decline", "proposed", "declined")


def test_a_watch_entry_refuses_what_its_status_does_not_allow(proposed, luoxi, office):
    refused = _refusal(watch.watch_exit, actor=office, entry=proposed, reason="风险已下降")
    assert (refused.message, refused.code) == ("只有重点监控中的企业可以退出", "transition")
    entry = watch.watch_confirm(actor=luoxi, entry=proposed)
    assert _refusal(watch.watch_confirm, actor=luoxi, entry=entry).message == "只有待确认的条目可以确认"
    refused = _refusal(watch.watch_decline, actor=office, entry=entry, reason="已支付")
    assert refused.message == "只有待确认的条目可以不纳入"


def test_a_stale_watch_entry_is_refused_and_nothing_is_written(proposed, luoxi, office):
    stale = WatchEntry.objects.get(pk=proposed.pk)  # the town's page still shows 待确认
    watch.watch_decline(actor=office, entry=proposed, reason="已全额支付")
    events, diffs = WatchEvent.objects.filter(entry=proposed).count(), len(_updates(proposed))
    refused = _refusal(watch.watch_confirm, actor=luoxi, entry=stale)
    assert (refused.message, refused.code) == ("该条目已被他人处理，请刷新后查看", "conflict")
    assert WatchEvent.objects.filter(entry=proposed).count() == events
    assert len(_updates(proposed)) == diffs
    assert WatchEntry.objects.get(pk=proposed.pk).status == WatchStatus.DECLINED


# --- screening answers -------------------------------------------------------------------------------

TODAY = timezone.localdate()
NORMAL = {
    "wages_on_time": True,
    "wage_months_owed": 0,
    "si_paid": True,
    "si_months_owed": 0,
    "headcount": 80,
    "operations_normal": True,
    "assets_normal": True,
    "loans_overdue": False,
    "private_lending": False,
    "duty_informed": True,
    "notes": "",
}


@pytest.fixture
def task(world, office):
    campaign = screening.campaign_launch(
        actor=office,
        name="第四季度排查",
        start=TODAY,
        end=TODAY + datetime.timedelta(days=30),
        kinds=list(EnterpriseKind.objects.filter(code="industrial")),
        towns=list(Town.objects.filter(code="luoxi")),
    )
    return campaign.tasks.get(enterprise=world.luoxi_factory)


def test_a_screening_answer_and_its_correction_leave_their_audit_diffs(task, luoxi):
    task = screening.task_answer(actor=luoxi, task=task, answers=NORMAL)
    task = screening.task_answer(actor=luoxi, task=task, answers={**NORMAL, "loans_overdue": True})
    assert task.result == ScreeningTask.Result.RISK and task.signal_id is not None
    diffs = _updates(task)
    assert [diff["result"] for diff in diffs if "result" in diff] == [
        ["pending", "normal"],
        ["normal", "risk"],
    ]
    assert diffs[-1]["signal_id"] == ["None", str(task.signal_id)]
    assert {entry.actor for entry in history_for(task).filter(action=LogEntry.Action.UPDATE)} == {luoxi}


def test_an_answer_to_a_task_that_is_gone_is_refused_and_nothing_is_written(task, luoxi):
    ScreeningTask.objects.filter(pk=task.pk).delete()
    refused = _refusal(screening.task_answer, actor=luoxi, task=task, answers=NORMAL)
    assert (refused.message, refused.code) == ("任务不存在", "conflict")
    assert not Observation.objects.filter(enterprise=task.enterprise_id, indicator__code="insured_headcount")
