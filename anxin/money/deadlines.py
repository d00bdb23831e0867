"""The deadlines of payment schedules (DESIGN rule 5): ``tick`` reminds the handling unit and the
lead unit before an instalment is due, and tells them once when it passed unpaid (the next step —
enforcement through the court or arbitration — is theirs to take)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from anxin.cases.deadlines import mark_once
from anxin.cases.models import ActionStatus, CaseEvent, Stage
from anxin.cases.services.common import add_event, notify_case
from anxin.core.audit import acting, system_actor
from anxin.core.deadlines import working_days_after
from anxin.core.money import format_yuan
from anxin.core.policy import param_record
from anxin.money.models import Instalment


def instalments_sweep(*, now: datetime.datetime | None = None) -> int:
    """``tick``: reminders before an instalment is due and the once-only notice when it was missed.
    Returns how many notices went out. The reminder window is the cases' one
    (``case.remind_working_days``)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    remind = int(param_record("case.remind_working_days", on=today).typed_value)
    horizon = working_days_after(today, remind)[0]
    actor = system_actor()
    done = 0
    with transaction.atomic(), acting(actor):
        for item in (
            Instalment.objects.select_related("action", "action__case", "action__unit")
            .filter(paid_on__isnull=True, due_on__lte=horizon)
            .filter(Q(reminded_at__isnull=True) | Q(missed_at__isnull=True))
            .exclude(action__status=ActionStatus.CANCELLED)
            .exclude(action__case__stage=Stage.CLOSED)
        ):
            action, case = item.action, item.action.case
            owners = [action.unit_id, case.lead_unit_id]
            what = f"{action.get_kind_display()}约定 {item.due_on:%Y-%m-%d} 应付 ¥{format_yuan(item.amount)}"
            if item.due_on < today:
                if item.missed_at is None and mark_once(item, "missed_at", now):
                    mark_once(item, "reminded_at", now)  # no reminder after the date has passed
                    text = f"{what}，逾期未履行（可申请强制执行或依法采取其他措施）"
                    add_event(case, CaseEvent.Kind.ESCALATE, actor, now, text)
                    notify_case(case, owners, text, topic="case-instalment-missed", sms=True, action=action)
                    done += 1
            elif item.reminded_at is None and mark_once(item, "reminded_at", now):
                text = f"{what}，即将到期，请督促履行"
                add_event(case, CaseEvent.Kind.REMIND, actor, now, text)
                notify_case(case, owners, text, topic="case-due", action=action)
                done += 1
    return done
