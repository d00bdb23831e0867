"""Decisions (议定事项) followed to acceptance (§二: 督促、检查成员单位贯彻落实联席会议议定事项情况).

Once the minutes are issued a decision is open and in its owner unit's 我的待办. The owner reports
progress (text and evidence, any number of times) and completion (the result, evidence) → 已报完成待验收;
the office accepts (→ 已验收办结) or sends it back with the reason (→ 落实中). Every step notifies the
other side. ``tick`` reminds the owner ``decision.remind_working_days`` working days before the due
date and reports an overdue decision to the office, each once. The office may issue a 督办通知 on any
open decision (``SupervisionNotice``), which the owner receives and the Word notice prints."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from anxin.conference import access
from anxin.conference.models import (
    ConferenceFile,
    Decision,
    DecisionReport,
    DecisionStatus,
    ReportKind,
    SupervisionNotice,
)
from anxin.conference.services.minutes import suggest_reference
from anxin.conference.workflow import (
    ACCEPT,
    COMPLETE,
    DECISIONS,
    ESCALATE,
    PROGRESS,
    REMIND,
    SEND_BACK,
    SUPERVISE,
)
from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.deadlines import working_days_after
from anxin.core.errors import DomainError
from anxin.core.files import atomic_with_files, file_store
from anxin.core.policy import param_record
from anxin.core.uploads import DOCUMENTS
from anxin.notify.services import notify_units
from anxin.org.access import office_unit_ids
from anxin.org.models import User

CLAUSE = "§二（督促、检查成员单位贯彻落实联席会议议定事项情况）"
REMIND_DAYS = "decision.remind_working_days"
NOTICE_PREFIX = "新欠薪联办督"
OFFICE_ONLY = "只有联席办可以验收、退回议定事项或印发督办通知"
MAX_FILES = 10


@dataclass(frozen=True)
class Paper:
    """An uploaded evidence file as the services take it: its name as uploaded and its bytes."""

    name: str
    content: bytes


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def decision_url(decision: Decision) -> str:
    return reverse("conference-decision", args=[decision.pk])


def _notify(decision: Decision, unit_ids: list[int], subject: str, body: str = "") -> None:
    notify_units(
        unit_ids=unit_ids,
        subject=f"{decision.number} {subject}",
        body=body,
        url=decision_url(decision),
        topic="conference-decision",
        about=decision.subject[:100],
    )


def _handler(actor: User, decision: Decision) -> None:
    if not access.may_handle_decision(actor, decision):
        raise PermissionDenied(f"该议定事项由{decision.owner.name}牵头落实，您所在单位不能报告进展或完成情况")


def _office(actor: User) -> None:
    if not access.may_manage(actor):
        raise PermissionDenied(OFFICE_ONLY)


def _text(value: str, field: str, what: str, limit: int = 5000) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(f"请填写{what}", field=field)
    if len(text) > limit:
        raise DomainError(f"{what}不超过 {limit} 字", field=field)
    return text


def _store(report: DecisionReport, actor: User, evidence: Sequence[Paper]) -> None:
    for paper in evidence:
        stored = file_store(
            record=ConferenceFile(kind=ConferenceFile.Kind.EVIDENCE, title=paper.name[:100]),
            actor=actor,
            name=paper.name,
            content=paper.content,
            field="evidence",
            allowed=DOCUMENTS,
        )
        report.evidence.add(stored)


def _report(
    decision: Decision, kind: str, text: str, actor: User, evidence: Sequence[Paper], now: datetime.datetime
) -> DecisionReport:
    if len(evidence) > MAX_FILES:
        raise DomainError(f"佐证材料一次最多 {MAX_FILES} 个文件", field="evidence")
    report = DecisionReport.objects.create(
        decision=decision, kind=kind, text=text, unit=decision.owner, reported_by=actor, reported_at=now
    )
    _store(report, actor, evidence)
    return report


def decision_progress(
    *,
    actor: User,
    decision: Decision,
    text: str,
    evidence: Sequence[Paper] = (),
    now: datetime.datetime | None = None,
) -> DecisionReport:
    """The owner reports progress on an open decision (any number of times)."""
    _handler(actor, decision)
    if decision.status != DecisionStatus.OPEN:
        raise DECISIONS.refusal(decision, PROGRESS)
    text = _text(text, "text", "进展情况")
    now = _now(now)
    with atomic_with_files(), acting(actor):
        report = _report(decision, ReportKind.PROGRESS, text, actor, evidence, now)
        DECISIONS.record(decision, PROGRESS, actor=actor, note=text[:500], at=now)
        _notify(decision, office_unit_ids(), f"{decision.owner.name}报告进展", text[:200])
    return report


def decision_complete(
    *,
    actor: User,
    decision: Decision,
    result: str,
    evidence: Sequence[Paper] = (),
    now: datetime.datetime | None = None,
) -> DecisionReport:
    """The owner reports the decision done, with its result (required) → 已报完成待验收."""
    _handler(actor, decision)
    step = DECISIONS.step(decision, COMPLETE)
    result = _text(result, "result", "完成情况（是否达到工作要求）")
    now = _now(now)
    with atomic_with_files(), acting(actor):
        report = _report(decision, ReportKind.COMPLETION, result, actor, evidence, now)
        DECISIONS.move(
            decision,
            step,
            actor=actor,
            note=result[:500],
            values={"result": result, "completed_on": timezone.localdate(now)},
            now=now,
        )
        _notify(decision, office_unit_ids(), f"{decision.owner.name}报告完成，待验收", result[:200])
    return report


def _last_completion(decision: Decision) -> DecisionReport | None:
    return decision.reports.filter(kind=ReportKind.COMPLETION).order_by("-reported_at", "-pk").first()


def decision_accept(
    *, actor: User, decision: Decision, opinion: str = "", now: datetime.datetime | None = None
) -> Decision:
    """The office accepts a reported decision (→ 已验收办结, ``accepted_on``)."""
    _office(actor)
    step = DECISIONS.step(decision, ACCEPT)
    opinion = (opinion or "").strip()[:2000]
    now = _now(now)
    with transaction.atomic(), acting(actor):
        DECISIONS.move(
            decision,
            step,
            actor=actor,
            note=opinion,
            values={"accepted_on": timezone.localdate(now), "accepted_by": actor},
            now=now,
        )
        report = _last_completion(decision)
        if report is not None:
            report.answer, report.accepted = opinion or "验收通过", True
            report.save(update_fields=["answer", "accepted"])
        _notify(decision, [decision.owner_id], "已通过验收，办结", opinion)
    return decision


def decision_send_back(
    *, actor: User, decision: Decision, reason: str, now: datetime.datetime | None = None
) -> Decision:
    """The office sends a reported decision back to its owner with the reason (→ 落实中); the reminder
    stamp is cleared so that the reopened decision is reminded again before its due date."""
    _office(actor)
    step = DECISIONS.step(decision, SEND_BACK)
    reason = _text(reason, "reason", "退回理由", 2000)
    now = _now(now)
    with transaction.atomic(), acting(actor):
        DECISIONS.move(
            decision,
            step,
            actor=actor,
            note=reason,
            values={"result": "", "completed_on": None, "reminded_at": None},
            now=now,
        )
        report = _last_completion(decision)
        if report is not None:
            report.answer, report.accepted = reason, False
            report.save(update_fields=["answer", "accepted"])
        _notify(decision, [decision.owner_id], "被联席办退回重办", f"退回理由：{reason}")
    return decision


# --- 督办通知 ------------------------------------------------------------------------------------------


def suggest_notice_reference(on: datetime.date | None = None) -> str:
    year = (on or timezone.localdate()).year
    used = SupervisionNotice.objects.filter(reference__startswith=f"{NOTICE_PREFIX}〔{year}〕").values_list(
        "reference", flat=True
    )
    return suggest_reference(NOTICE_PREFIX, used, year)


def supervision_issue(
    *,
    actor: User,
    decision: Decision,
    reference: str,
    requirements: str,
    reply_by: datetime.date | None,
    now: datetime.datetime | None = None,
) -> SupervisionNotice:
    """The office issues a 督办通知 on an open decision (overdue or not): recorded, an event on the
    decision, the owner notified."""
    _office(actor)
    if decision.status != DecisionStatus.OPEN:
        raise DECISIONS.refusal(decision, SUPERVISE)
    reference = _text(reference, "reference", "督办文号", 60)
    requirements = _text(requirements, "requirements", "督办要求")
    now = _now(now)
    today = timezone.localdate(now)
    if reply_by is None:
        raise DomainError("请填写回复时限", field="reply_by")
    if reply_by < today:
        raise DomainError(f"回复时限 {reply_by:%Y-%m-%d} 早于今天", field="reply_by")
    if SupervisionNotice.objects.filter(reference=reference).exists():
        raise DomainError(f"督办文号“{reference}”已使用，请换一个", field="reference")
    try:
        with transaction.atomic(), acting(actor):
            notice = SupervisionNotice.objects.create(
                decision=decision,
                reference=reference,
                issued_on=today,
                requirements=requirements,
                reply_by=reply_by,
                issued_by=actor,
                issued_at=now,
                decision_status=decision.status,
                was_overdue=decision.due_on < today,
            )
            DECISIONS.record(
                decision, SUPERVISE, actor=actor, note=f"{reference}：{requirements[:300]}", at=now
            )
            _notify(
                decision,
                [decision.owner_id],
                f"督办通知 {reference}",
                f"{requirements[:200]}；请于 {reply_by:%Y-%m-%d} 前回复。",
            )
    except IntegrityError:  # the 文号 taken by another issue between the check and the write
        raise DomainError(
            f"督办文号“{reference}”已使用，请换一个", code="exists", field="reference"
        ) from None
    return notice


# --- tick: reminders before the due date, escalation after it -------------------------------------------


def remind_until(today: datetime.date) -> tuple[datetime.date, int, str]:
    """The last due day reminded today (``decision.remind_working_days`` working days ahead), the
    value, its citation."""
    record = param_record(REMIND_DAYS, on=today)
    days = int(record.typed_value)
    return working_days_after(today, days)[0], days, record.citation


def decisions_remind(*, now: datetime.datetime | None = None) -> int:
    """``tick``: an open decision due within ``decision.remind_working_days`` working days (and not yet
    past due) is reminded to its owner, once."""
    now = _now(now)
    today = timezone.localdate(now)
    until, days, citation = remind_until(today)
    actor = system_actor()
    count = 0
    due = Decision.objects.filter(
        status=DecisionStatus.OPEN, reminded_at__isnull=True, due_on__gte=today, due_on__lte=until
    ).select_related("owner")
    with acting(actor):
        for decision in due:
            with transaction.atomic():
                if guarded_update(
                    Decision.objects.filter(reminded_at__isnull=True), decision.pk, reminded_at=now
                ):
                    note = (
                        f"完成时限 {decision.due_on:%Y-%m-%d}，提前 {days} 个工作日提醒"
                        f"（参数 {REMIND_DAYS}={days}，{citation}）"
                    )
                    DECISIONS.record(decision, REMIND, actor=actor, note=note, at=now)
                    _notify(decision, [decision.owner_id], "即将到期，请按时报告完成情况", note)
                    count += 1
    return count


def decisions_escalate(*, now: datetime.datetime | None = None) -> int:
    """``tick``: an open decision past its due date is reported to the office, once (the notice names
    the clause and the due date)."""
    now = _now(now)
    today = timezone.localdate(now)
    actor = system_actor()
    count = 0
    overdue = Decision.objects.filter(
        status=DecisionStatus.OPEN, escalated_at__isnull=True, due_on__lt=today
    ).select_related("owner")
    with acting(actor):
        for decision in overdue:
            with transaction.atomic():
                if guarded_update(
                    Decision.objects.filter(escalated_at__isnull=True), decision.pk, escalated_at=now
                ):
                    note = (
                        f"{decision.owner.name}牵头的议定事项完成时限 {decision.due_on:%Y-%m-%d} 已过，尚未报告完成；"
                        f"请督促落实（{CLAUSE}）"
                    )
                    DECISIONS.record(decision, ESCALATE, actor=actor, note=note, at=now)
                    _notify(decision, office_unit_ids(), "逾期未完成", note)
                    count += 1
    return count


__all__ = [
    "Paper",
    "decision_accept",
    "decision_complete",
    "decision_progress",
    "decision_send_back",
    "decisions_escalate",
    "decisions_remind",
    "suggest_notice_reference",
    "supervision_issue",
]
