"""Deadlines of cases (§四(三)–(七), DESIGN rule 5): ``tick`` reminds the owner before a stage or an
action falls due, reports it to the lead unit when it is overdue, and to the office after a grace
period — each once, each recorded on the case."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from anxin.cases.actions import orders_lapse
from anxin.cases.models import (
    ACTIVE_ACTION,
    ActionKind,
    Case,
    CaseEvent,
    LegalAction,
    Stage,
)
from anxin.cases.services.common import add_event, notify_case, office_unit_ids
from anxin.core.audit import acting, system_actor
from anxin.core.deadlines import working_days_after
from anxin.core.policy import param_record
from anxin.org.models import User

Kind = CaseEvent.Kind
HORIZON = datetime.timedelta(days=21)  # nothing due further out can need a reminder yet


def _windows(now: datetime.datetime) -> tuple[datetime.date, int, int, str]:
    today = timezone.localdate(now)
    remind = param_record("case.remind_working_days", on=today)
    grace = param_record("case.escalation_grace_working_days", on=today)
    basis = (
        f"到期前 {remind.typed_value} 个工作日提醒（参数 case.remind_working_days）；逾期超过 "
        f"{grace.typed_value} 个工作日报联席办（参数 case.escalation_grace_working_days）"
    )
    return today, int(remind.typed_value), int(grace.typed_value), basis


def _stage(item) -> str:
    if isinstance(item, Case):
        return f"“{item.get_stage_display()}”阶段"
    return f"“{item.get_kind_display()}”（{item.unit.name}）"


def _action(item):
    """The legal action a deadline belongs to (its notice links there), None for a case's stage."""
    return None if isinstance(item, Case) else item


def mark_once(item, field: str, now) -> bool:
    """Set a once-only mark; False when someone (a parallel tick) already set it."""
    return bool(type(item).objects.filter(pk=item.pk, **{f"{field}__isnull": True}).update(**{field: now}))


def _sweep(
    item, case: Case, *, owner_ids, due_at, now, today, remind, grace, actor: User, escalate=True
) -> str:
    """Mark and notify one deadline; returns what was done ("" when nothing). ``escalate`` False:
    a reminder only (an order to pay lapses instead of escalating)."""
    due_day = timezone.localtime(due_at).date()
    what = _stage(item)
    if due_at < now:
        if not escalate:
            return ""
        late_enough = working_days_after(due_day, grace)[0] < today
        if item.office_escalated_at is None and late_enough and mark_once(item, "office_escalated_at", now):
            mark_once(item, "escalated_at", now)  # the lead unit hears it in the same notice
            text = f"{what}逾期超过 {grace} 个工作日（期限 {due_day:%Y-%m-%d}），已报联席办"
            add_event(case, Kind.ESCALATE, actor, now, text)
            notify_case(
                case,
                [*office_unit_ids(), *owner_ids],
                text,
                topic="case-overdue",
                sms=True,
                action=_action(item),
            )
            return "office"
        if item.escalated_at is None and mark_once(item, "escalated_at", now):
            text = f"{what}已逾期（期限 {due_day:%Y-%m-%d}），已报牵头单位"
            add_event(case, Kind.ESCALATE, actor, now, text)
            notify_case(
                case, [case.lead_unit_id, *owner_ids], text, topic="case-overdue", action=_action(item)
            )
            return "lead"
        return ""
    due_soon = working_days_after(today, remind)[0] >= due_day
    if item.reminded_at is None and due_soon and mark_once(item, "reminded_at", now):
        text = f"{what}将于 {due_day:%Y-%m-%d} 到期"
        add_event(case, Kind.REMIND, actor, now, text)
        notify_case(case, owner_ids, text, topic="case-due", action=_action(item))
        return "remind"
    return ""


def deadlines_sweep(*, now: datetime.datetime | None = None) -> int:
    """``tick``: orders to pay that lapsed, then every stage and action deadline. Returns the number
    of reminders and escalations sent."""
    now = now or timezone.now()
    orders_lapse(now=now)
    today, remind, grace, _basis = _windows(now)
    actor = system_actor()
    done = 0
    pending = Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True) | Q(office_escalated_at__isnull=True)
    with transaction.atomic(), acting(actor):
        for case in (
            Case.objects.select_related("lead_unit")
            .filter(pending, stage_due_at__isnull=False, stage_due_at__lt=now + HORIZON)
            .exclude(stage=Stage.CLOSED)
        ):
            done += bool(
                _sweep(
                    case, case, owner_ids=[case.lead_unit_id], due_at=case.stage_due_at,
                    now=now, today=today, remind=remind, grace=grace, actor=actor,
                )
            )  # fmt: skip
        for action in LegalAction.objects.select_related("case", "unit").filter(
            pending, status__in=ACTIVE_ACTION, due_at__isnull=False, due_at__lt=now + HORIZON
        ):
            done += bool(
                _sweep(
                    action, action.case, owner_ids=[action.unit_id], due_at=action.due_at,
                    now=now, today=today, remind=remind, grace=grace, actor=actor,
                    escalate=action.kind != ActionKind.ORDER,  # an order lapses instead (orders_lapse)
                )
            )  # fmt: skip
        for case in (
            Case.objects.select_related("lead_unit")
            .filter(
                Q(deadline_reminded_at__isnull=True) | Q(deadline_escalated_at__isnull=True),
                deadline_at__lt=now + HORIZON,
            )
            .exclude(stage=Stage.CLOSED)
        ):
            done += bool(_sweep_deadline(case, now=now, today=today, remind=remind, actor=actor))
    return done


def _sweep_deadline(case: Case, *, now, today, remind, actor: User) -> str:
    """The case's own time limit (办结期限, 劳动保障监察条例 第17条): a reminder to the lead unit
    before it, the office told once it has passed."""
    day = timezone.localtime(case.deadline_at).date()
    if case.deadline_at < now:
        if case.deadline_escalated_at is None and mark_once(case, "deadline_escalated_at", now):
            text = f"案件超过办结期限（{day:%Y-%m-%d}，{case.deadline_basis}）"
            add_event(case, Kind.ESCALATE, actor, now, text)
            notify_case(case, [case.lead_unit_id, *office_unit_ids()], text, topic="case-overdue", sms=True)
            return "office"
        return ""
    due_soon = working_days_after(today, remind)[0] >= day
    if case.deadline_reminded_at is None and due_soon and mark_once(case, "deadline_reminded_at", now):
        text = f"案件办结期限将于 {day:%Y-%m-%d} 届满"
        add_event(case, Kind.REMIND, actor, now, text)
        notify_case(case, [case.lead_unit_id], text, topic="case-due")
        return "remind"
    return ""
