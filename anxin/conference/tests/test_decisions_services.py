"""Decisions (议定事项) to acceptance: progress, completion with its result, acceptance or sending back,
each notifying the other side; the refusals (no result, not the owner, accepting what is not reported,
sending back without a reason); the clock (a reminder ``decision.remind_working_days`` working days
before the due date, escalation to the office once overdue — each once, not before time); 督办通知."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from anxin.conference.models import DecisionReport, DecisionStatus, ReportKind, SupervisionNotice
from anxin.conference.services import decisions as services
from anxin.conference.tests.factories_minutes import PDF, at, day, item, open_decision
from anxin.core.errors import DomainError
from anxin.core.models import PolicyParameter
from anxin.notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(office, convener):
    """城建局's decision, due 2026-04-30 (a Thursday), co-handled by 人社局."""
    return open_decision(office, convener, item("construction", due="2026-04-30", co=("hrss",)))


def test_the_owner_reports_progress_with_evidence(
    decision, chengjian, office, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.decision_progress(
            actor=chengjian,
            decision=decision,
            text="已排查 30 个项目",
            evidence=[services.Paper("台账.pdf", PDF), services.Paper("照片.pdf", PDF)],
        )
    assert report.kind == ReportKind.PROGRESS and report.unit.code == "construction"
    assert report.evidence.count() == 2
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN
    assert decision.events.filter(action="progress").exists()
    assert Notification.objects.filter(recipient=office, subject__contains="报告进展").exists()


def test_a_unit_that_is_not_the_owner_cannot_report(decision, renshe, luoxi):
    for persona in (renshe, luoxi):  # a co-unit reads, never reports
        with pytest.raises(PermissionDenied, match="城建局"):
            services.decision_progress(actor=persona, decision=decision, text="x")
        with pytest.raises(PermissionDenied):
            services.decision_complete(actor=persona, decision=decision, result="x")
    assert not DecisionReport.objects.exists()


def test_completing_without_the_result_is_refused(decision, chengjian):
    with pytest.raises(DomainError, match="完成情况"):
        services.decision_complete(actor=chengjian, decision=decision, result="  ")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN and not DecisionReport.objects.exists()


def test_a_bad_evidence_file_leaves_nothing(decision, chengjian):
    with pytest.raises(DomainError):
        services.decision_complete(
            actor=chengjian,
            decision=decision,
            result="完成",
            evidence=[services.Paper("a.exe", b"MZ\x90\x00")],
        )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN and not DecisionReport.objects.exists()


def test_through_to_acceptance(decision, chengjian, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_complete(
            actor=chengjian,
            decision=decision,
            result="全部项目已开设专用账户",
            evidence=[services.Paper("a.pdf", PDF)],
        )
    assert decision.status == DecisionStatus.REPORTED and decision.result == "全部项目已开设专用账户"
    assert Notification.objects.filter(recipient=office, subject__contains="待验收").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_accept(actor=office, decision=decision, opinion="同意办结")
    assert decision.status == DecisionStatus.DONE and decision.accepted_on and decision.accepted_by == office
    report = decision.reports.get(kind=ReportKind.COMPLETION)
    assert report.accepted is True and report.answer == "同意办结"
    assert Notification.objects.filter(recipient=chengjian, subject__contains="通过验收").exists()


def test_sent_back_with_a_reason_and_reported_again(
    decision, chengjian, office, django_capture_on_commit_callbacks
):
    services.decision_complete(actor=chengjian, decision=decision, result="大部分完成")
    with pytest.raises(DomainError, match="退回理由"):
        services.decision_send_back(actor=office, decision=decision, reason="")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.REPORTED
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_send_back(actor=office, decision=decision, reason="尚有 3 个项目未开户")
    assert decision.status == DecisionStatus.OPEN and decision.result == ""
    assert decision.reports.get().accepted is False
    assert Notification.objects.filter(recipient=chengjian, subject__contains="退回重办").exists()
    services.decision_complete(actor=chengjian, decision=decision, result="全部完成")
    assert decision.status == DecisionStatus.REPORTED


def test_accepting_a_decision_not_reported_is_refused(decision, office):
    with pytest.raises(DomainError, match="落实中"):
        services.decision_accept(actor=office, decision=decision)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN and decision.accepted_on is None


def test_only_the_office_accepts(decision, chengjian, convener):
    services.decision_complete(actor=chengjian, decision=decision, result="完成")
    for persona in (chengjian, convener):
        with pytest.raises(PermissionDenied):
            services.decision_accept(actor=persona, decision=decision)


# --- the clock -------------------------------------------------------------------------------------------


def test_the_owner_is_reminded_once_three_working_days_before(
    decision, chengjian, django_capture_on_commit_callbacks
):
    # due Thu 2026-04-30: three working days before is Mon 04-27
    with time_machine.travel(at("2026-04-20T08:00"), tick=False):
        assert services.decisions_remind() == 0  # not before time
    until, days, _citation = services.remind_until(day("2026-04-27"))
    assert days == 3 and until == day("2026-04-30")
    with (
        time_machine.travel(at("2026-04-27T08:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reminded = services.decisions_remind()
    assert reminded == 1
    with (
        time_machine.travel(at("2026-04-29T08:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.decisions_remind()
        assert services.decisions_remind() == 0  # once
    decision.refresh_from_db()
    assert decision.reminded_at is not None
    event = decision.events.get(action="remind")
    assert "decision.remind_working_days=3" in event.note
    assert Notification.objects.filter(recipient=chengjian, subject__contains="即将到期").count() == 1


def test_the_reminder_follows_the_parameter(decision):
    PolicyParameter.objects.create(
        code="decision.remind_working_days",
        name="议定事项到期提醒提前量",
        value="10",
        value_type="int",
        effective_from=day("2026-04-01"),
        citation="§二",
    )
    with time_machine.travel(at("2026-04-20T08:00"), tick=False):
        assert services.decisions_remind() == 1


def test_an_overdue_decision_is_escalated_to_the_office_once(
    decision, office, django_capture_on_commit_callbacks
):
    with time_machine.travel(at("2026-04-30T20:00"), tick=False):
        assert services.decisions_escalate() == 0  # due today: not yet
    with (
        time_machine.travel(at("2026-05-01T08:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.decisions_escalate() == 1
        assert services.decisions_escalate() == 0
    decision.refresh_from_db()
    assert decision.escalated_at is not None and decision.is_overdue
    notice = Notification.objects.get(recipient=office, subject__contains="逾期未完成")
    assert "2026-04-30" in notice.body and "§二" in notice.body


def test_a_reported_decision_is_neither_reminded_nor_escalated(decision, chengjian):
    services.decision_complete(actor=chengjian, decision=decision, result="完成")
    with time_machine.travel(at("2026-05-06T08:00"), tick=False):
        assert services.decisions_escalate() == 0
        assert services.decisions_remind() == 0


# --- 督办通知 ---------------------------------------------------------------------------------------------


def test_the_office_issues_a_supervision_notice(
    decision, office, chengjian, django_capture_on_commit_callbacks
):
    with time_machine.travel(at("2026-05-06T09:00"), tick=False):
        reference = services.suggest_notice_reference()
        assert reference == "新欠薪联办督〔2026〕1号"
        with django_capture_on_commit_callbacks(execute=True):
            notice = services.supervision_issue(
                actor=office,
                decision=decision,
                reference=reference,
                requirements="请于一周内完成剩余项目开户",
                reply_by=day("2026-05-13"),
            )
    assert notice.issued_on == day("2026-05-06")
    assert decision.events.filter(action="supervise", note__contains=reference).exists()
    assert Notification.objects.filter(recipient=chengjian, subject__contains="督办通知").exists()
    with time_machine.travel(at("2026-05-06T09:00"), tick=False):
        assert services.suggest_notice_reference() == "新欠薪联办督〔2026〕2号"
        with pytest.raises(DomainError, match="已使用"):
            services.supervision_issue(
                actor=office,
                decision=decision,
                reference=reference,
                requirements="x",
                reply_by=day("2026-05-13"),
            )
        with pytest.raises(DomainError, match="早于今天"):
            services.supervision_issue(
                actor=office, decision=decision, reference="B2", requirements="x", reply_by=day("2026-05-01")
            )
    assert SupervisionNotice.objects.count() == 1


def test_supervision_needs_the_office_and_an_open_decision(decision, office, chengjian):
    with pytest.raises(PermissionDenied):
        services.supervision_issue(
            actor=chengjian, decision=decision, reference="A", requirements="x", reply_by=day("2099-01-01")
        )
    services.decision_complete(actor=chengjian, decision=decision, result="完成")
    with pytest.raises(DomainError):
        services.supervision_issue(
            actor=office, decision=decision, reference="A", requirements="x", reply_by=day("2099-01-01")
        )


def test_the_notice_prints_the_status_stored_at_issue_not_todays(decision, office, chengjian):
    """P5-14: the 督办通知 issued on 6 May (落实中, overdue since 30 April) still says so once the decision
    is completed and accepted on 10 May: the status and the overdue flag are stored at issue."""
    import io

    from docx import Document

    from anxin.conference import decisions_documents

    with time_machine.travel(at("2026-05-06T09:00"), tick=False):
        notice = services.supervision_issue(
            actor=office,
            decision=decision,
            reference="督-1",
            requirements="限期完成",
            reply_by=day("2026-05-13"),
        )
    assert notice.decision_status == DecisionStatus.OPEN and notice.was_overdue
    with time_machine.travel(at("2026-05-10T09:00"), tick=False):
        services.decision_complete(actor=chengjian, decision=decision, result="已全部开户")
        services.decision_accept(actor=office, decision=decision, opinion="同意")
    with time_machine.travel(at("2026-06-01T09:00"), tick=False):
        notice.refresh_from_db()
        document = Document(io.BytesIO(decisions_documents.notice(notice)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "截至2026年5月6日，该事项落实状态为：落实中（已逾期，完成时限2026年4月30日）" in text
    assert "已验收办结" not in text


def test_a_decision_sent_back_is_reminded_again(decision, office, chengjian):
    """P4-13: reminded on 27 April, reported complete and sent back on 28 April — the reopened decision
    is reminded again on the next tick (``reminded_at`` cleared on send-back), and once only."""
    with time_machine.travel(at("2026-04-27T08:00"), tick=False):
        assert services.decisions_remind() == 1
    with time_machine.travel(at("2026-04-28T10:00"), tick=False):
        services.decision_complete(actor=chengjian, decision=decision, result="已开户")
        services.decision_send_back(actor=office, decision=decision, reason="缺开户证明")
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.OPEN and decision.reminded_at is None
    with time_machine.travel(at("2026-04-29T08:00"), tick=False):
        assert services.decisions_remind() == 1
        assert services.decisions_remind() == 0
    assert decision.events.filter(action="remind").count() == 2


def test_a_notice_reference_taken_at_the_same_moment_is_refused_not_a_crash(decision, office, monkeypatch):
    """P1-4 (the same race in 督办通知): another notice takes the 文号 after the check — DomainError
    (code "exists"), nothing recorded, no event."""
    import contextlib

    acting = services.acting

    @contextlib.contextmanager
    def racing(actor):
        SupervisionNotice.objects.create(
            decision=decision,
            reference="督-9",
            issued_on=day("2026-05-06"),
            requirements="另一次督办",
            reply_by=day("2026-05-13"),
            issued_by=office,
        )
        with acting(actor):
            yield

    monkeypatch.setattr(services, "acting", racing)
    with (
        time_machine.travel(at("2026-05-06T09:00"), tick=False),
        pytest.raises(DomainError, match="已使用") as refused,
    ):
        services.supervision_issue(
            actor=office,
            decision=decision,
            reference="督-9",
            requirements="限期",
            reply_by=day("2026-05-13"),
        )
    assert refused.value.code == "exists"
    assert not decision.events.filter(action="supervise").exists()
