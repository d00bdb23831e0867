"""The alert workflow (DESIGN rule 4): who may act on an alert, acknowledge → handle or dismiss
(the office, with a reason), and the tick's escalation of alerts past their due date. The scan
opens, updates and clears alerts (``monitoring.scan``); people move them here."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core.access import is_system, require_perm
from anxin.core.audit import acting, system_actor
from anxin.core.errors import DomainError
from anxin.core.transitions import Transition, Workflow
from anxin.monitoring import immediate
from anxin.monitoring.models import ACTIVE_ALERT, Alert, AlertEvent, AlertStatus, Level
from anxin.notify.services import notify_units
from anxin.org.access import acts_for
from anxin.org.models import Role, Unit, User

Action = AlertEvent.Action

# Who may make a step: "handler" — the office, the line department or the enterprise's town
# (``is_alert_handler``); "office" — the office alone (``alert_dismiss`` checks the role).
HANDLER, OFFICE = "handler", "office"
HANDLE_PERM, DISMISS_PERM = "monitoring.handle_alert", "monitoring.dismiss_alert"

FLOW = Workflow(
    model=Alert,
    field="status",
    event_model=AlertEvent,
    event_object="alert",
    event_from="from_status",
    event_to="to_status",
    noun=gettext_lazy("预警"),
    status_word=gettext_lazy("状态"),
    action_labels=dict(Action.choices),
    rows=[
        Transition(AlertStatus.OPEN, Action.ACKNOWLEDGE, AlertStatus.ACKNOWLEDGED, HANDLE_PERM, HANDLER),
        Transition(AlertStatus.OPEN, Action.HANDLE, AlertStatus.HANDLED, HANDLE_PERM, HANDLER, reason_required=True),
        Transition(AlertStatus.ACKNOWLEDGED, Action.HANDLE, AlertStatus.HANDLED, HANDLE_PERM, HANDLER, reason_required=True),
        Transition(AlertStatus.OPEN, Action.DISMISS, AlertStatus.DISMISSED, DISMISS_PERM, OFFICE, reason_required=True),
        Transition(AlertStatus.ACKNOWLEDGED, Action.DISMISS, AlertStatus.DISMISSED, DISMISS_PERM, OFFICE, reason_required=True),
    ],
)  # fmt: skip


def is_alert_handler(actor: User, alert: Alert) -> bool:
    return acts_for(actor, town_id=alert.town_id, unit_ids=[alert.unit_id])


def alert_actions(actor: User, alert: Alert) -> list[str]:
    if not is_alert_handler(actor, alert):
        return []
    return FLOW.actions(alert, may=lambda row: is_system(actor) or actor.has_perm(row.perm))


def _alert_move(*, actor: User, alert: Alert, action: str, note: str, closing: bool = False) -> Alert:
    """One step of the table: refused in Chinese when the status does not allow it, then who may
    (the step's permission, and the office, department or town), then the guarded update and the
    AlertEvent (no audit row: Alert is not in the audit log, its human steps are its events)."""
    step = FLOW.step(alert, action)
    require_perm(actor, step.perm)
    if not is_alert_handler(actor, alert):
        raise PermissionDenied(_("只有联席办、条线部门或属地镇/街道可以处置该预警"))
    now = timezone.now()
    values = {"closed_at": now, "closed_by": actor, "outcome": note} if closing else {}
    return FLOW.move(alert, step, actor=actor, note=note, values=values, now=now)


def alert_acknowledge(*, actor: User, alert: Alert, note: str = "") -> Alert:
    """The town or department has seen it and is on it."""
    return _alert_move(actor=actor, alert=alert, action=Action.ACKNOWLEDGE, note=(note or "").strip())


def alert_handle(*, actor: User, alert: Alert, note: str) -> Alert:
    """Measures taken (约谈、责令支付、立案…): say which."""
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写采取的处置措施"), field="note")
    return _alert_move(actor=actor, alert=alert, action=Action.HANDLE, note=note, closing=True)


def alert_dismiss(*, actor: User, alert: Alert, note: str) -> Alert:
    """The office rules it out (data error, already settled…), with the reason."""
    note = (note or "").strip()
    if not note:
        raise DomainError(_("排除预警须说明理由"), field="note")
    if not (is_system(actor) or actor.has_role(Role.OFFICE)):
        raise PermissionDenied(_("只有联席办可以排除预警"))
    with transaction.atomic():
        alert = _alert_move(actor=actor, alert=alert, action=Action.DISMISS, note=note, closing=True)
        report = getattr(alert, "immediate_report", None) if alert.rule.startswith("IMMEDIATE_") else None
        if report is not None and report.status == "draft":
            immediate.report_close(actor=actor, report=report, reason=f"预警已排除：{note}")
    return alert


def alerts_escalate(*, now: datetime.datetime | None = None) -> int:
    """Active alerts past their due date: report each once to the office and its unit."""
    now = now or timezone.now()
    actor = system_actor()
    office_ids = list(Unit.objects.filter(kind="office").values_list("pk", flat=True))
    marked = []
    with transaction.atomic(), acting(actor):
        for alert in Alert.objects.filter(status__in=ACTIVE_ALERT, due_at__lt=now, escalated_at__isnull=True):
            still = Alert.objects.filter(pk=alert.pk, status__in=ACTIVE_ALERT, escalated_at__isnull=True)
            if still.update(escalated_at=now) == 1:
                marked.append(alert)
        AlertEvent.objects.bulk_create(
            [
                AlertEvent(
                    alert=a,
                    action=Action.ESCALATE,
                    actor=actor,
                    at=now,
                    note=f"处置期限 {timezone.localtime(a.due_at):%Y-%m-%d} 已过，已报联席办",
                )
                for a in marked
            ]
        )
        if marked:
            notify_units(
                unit_ids=office_ids,
                subject=f"预警逾期未处置 {len(marked)} 条",
                url=reverse("alert-list") + "?overdue=1",
                topic="alert-overdue",
                sms=any(a.level == Level.RED for a in marked),
            )
            per_unit = defaultdict(int)
            town_units = dict(
                Unit.objects.filter(town_id__in={a.town_id for a in marked if a.town_id}).values_list(
                    "town_id", "pk"
                )
            )
            for a in marked:
                per_unit[a.unit_id] += 1
                if a.town_id in town_units:
                    per_unit[town_units[a.town_id]] += 1
            for unit_id, count in per_unit.items():
                notify_units(
                    unit_ids=[unit_id],
                    subject=f"您单位有 {count} 条预警逾期未处置，已报联席办",
                    url=reverse("alert-list") + "?mine=1&overdue=1",
                    topic="alert-overdue",
                )
    return len(marked)
