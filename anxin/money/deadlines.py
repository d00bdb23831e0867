"""The deadlines of money (DESIGN rule 5): payment schedules, and advances of the emergency funds
not repaid in time. The deadlines of payment schedules: ``tick`` reminds the handling unit and the
lead unit before an instalment is due, and tells them once when it passed unpaid (the next step —
enforcement through the court or arbitration — is theirs to take)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from anxin.cases.deadlines import mark_once
from anxin.cases.models import ActionStatus, CaseEvent, Stage
from anxin.cases.services.common import add_event, notify_case, office_unit_ids
from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.deadlines import working_days_after
from anxin.core.money import format_yuan
from anxin.core.policy import param_record
from anxin.money.models import Instalment
from anxin.money.selectors import schedule_covered
from anxin.notify.services import notify_units


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
    covered: dict[int, set[int]] = {}  # per action: the instalments the ledger pays
    with transaction.atomic(), acting(actor):
        for item in (
            Instalment.objects.select_related("action", "action__case", "action__unit")
            .filter(paid_on__isnull=True, due_on__lte=horizon)
            .filter(Q(reminded_at__isnull=True) | Q(missed_at__isnull=True))
            .exclude(action__status=ActionStatus.CANCELLED)
            .exclude(action__case__stage=Stage.CLOSED)
        ):
            action, case = item.action, item.action.case
            if action.pk not in covered:
                covered[action.pk] = schedule_covered(action)
            if item.pk in covered[action.pk]:
                continue  # paid, as the ledger shows: nothing to remind or report
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


def advances_overdue_sweep(*, now: datetime.datetime | None = None) -> int:
    """``tick``: an advance past its stored ``repay_due_on`` (paid out + ``fund.repay_alert_days`` as it
    stood that day) and still not repaid
    (nor written off) is flagged once (``overdue_flagged_at``) and 财政局 and the office are told, so
    that recovery is pursued (§四(八) 首先用于偿还应急周转资金; §三(八) 监管). Returns how many."""
    from anxin.money.funds_selectors import with_outstanding
    from anxin.money.models import Advance, AdvanceEvent, AdvanceStatus
    from anxin.money.services.funds import TOPIC_OVERDUE, finance_unit_ids

    now = now or timezone.now()
    today = timezone.localdate(now)
    actor = system_actor()
    done = 0
    with transaction.atomic(), acting(actor):
        rows = (
            with_outstanding(
                Advance.objects.filter(
                    status=AdvanceStatus.APPROVED, overdue_flagged_at__isnull=True, repay_due_on__lt=today
                )
            )
            .filter(outstanding__gt=0)  # type: ignore[misc]  # an annotation the plugin cannot see
            .select_related("fund", "case", "case__enterprise")
        )
        for advance in rows:
            if (
                guarded_update(
                    Advance.objects.filter(overdue_flagged_at__isnull=True),
                    advance.pk,
                    overdue_flagged_at=now,
                )
                != 1
            ):
                continue  # a parallel tick got there first
            age = (today - advance.paid_on).days if advance.paid_on else 0
            text = (
                f"{advance.fund.name}垫付 {advance.number} 已拨付 {age} 日（{advance.repay_due_basis}），"
                f"尚未归还 ¥{format_yuan(advance.outstanding)}，请督促追偿"  # type: ignore[attr-defined]
            )
            AdvanceEvent.objects.create(advance=advance, action="overdue", actor=actor, at=now, note=text)
            add_event(advance.case, CaseEvent.Kind.ESCALATE, actor, now, text)
            notify_units(
                unit_ids=[*finance_unit_ids(), *office_unit_ids()],
                subject=f"{advance.case.number} {text}",
                url=reverse("advance-detail", args=[advance.pk]),
                topic=TOPIC_OVERDUE,
                about=advance.case.enterprise.name,
            )
            done += 1
    return done
