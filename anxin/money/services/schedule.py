"""The payment schedule of a legal action: set by the handling unit, each instalment marked paid."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.cases.actions import handles, may_mark_paid
from anxin.cases.models import ActionKind, ActionStatus, CaseEvent, LegalAction
from anxin.cases.services.common import add_event, notify_case
from anxin.core import seam
from anxin.core.audit import acting, guarded_update
from anxin.core.errors import DomainError
from anxin.core.money import format_yuan
from anxin.money.models import Instalment
from anxin.org.models import User

SCHEDULED_KINDS = (ActionKind.MEDIATION, ActionKind.COURT, ActionKind.ARBITRATION)


# --- the payment schedule of a legal action ---------------------------------------------------------


def instalments_set(
    *, actor: User, action: LegalAction, rows: Sequence[tuple[datetime.date | None, int]]
) -> list[Instalment]:
    """The payment schedule of a mediation agreement (replaces the unpaid part of the schedule).
    ``rows``: (due date, fen) per instalment; a missing date or an amount not above zero is refused."""
    if action.kind not in SCHEDULED_KINDS:
        raise DomainError(_("只有调解、仲裁或诉讼可以约定分期履行"))
    if not handles(actor, action):
        raise PermissionDenied(_("只有承办单位或联席办可以登记履行计划"))
    if not rows:
        raise DomainError(_("请至少填写一期"))
    dated: list[tuple[datetime.date, int]] = []
    for n, (due_on, amount) in enumerate(rows, start=1):
        if amount <= 0:
            raise DomainError(_("第 %(n)d 期金额须大于零") % {"n": n})
        if due_on is None:
            raise DomainError(_("第 %(n)d 期请填写应付日期") % {"n": n})
        dated.append((due_on, amount))
    with transaction.atomic(), acting(actor):
        Instalment.objects.filter(action=action, paid_on__isnull=True).delete()
        made = Instalment.objects.bulk_create(
            [Instalment(action=action, due_on=d, amount=a) for d, a in sorted(dated)]
        )
        total = sum(a for _d, a in dated)
        add_event(
            action.case,
            CaseEvent.Kind.ACTION,
            actor,
            timezone.now(),
            f"{action.get_kind_display()}履行计划：{len(rows)} 期，共 ¥{format_yuan(total)}",
        )
    return made


def instalment_paid(
    *, actor: User, instalment: Instalment, paid_on: datetime.date | None, note: str = ""
) -> Instalment:
    """The handling unit (or the lead unit, or the office) records that an instalment was paid."""
    action = instalment.action
    if not may_mark_paid(actor, action):
        raise PermissionDenied(_("只有承办单位、牵头单位或联席办可以登记履行情况"))
    if action.case_id in seam.case_money([action.case_id]):
        raise DomainError(
            _("本案已逐人登记欠薪：履行情况按支付台账计算，请在案件“资金”页签登记支付"), code="transition"
        )
    if action.status == ActionStatus.CANCELLED or not action.case.is_open:
        raise DomainError(_("措施已撤回或案件已结案，不能再登记履行"), code="transition")
    if paid_on is None:
        raise DomainError(_("请填写实付日期"), field="paid_on")
    if paid_on > timezone.localdate():
        raise DomainError(_("实付日期不能晚于今天"), field="paid_on")
    note = (note or "").strip()
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        if (
            guarded_update(
                Instalment.objects.filter(paid_on__isnull=True),
                instalment.pk,
                paid_on=paid_on,
                paid_note=note[:200],
            )
            != 1
        ):
            raise DomainError(_("该期已登记履行，请刷新后查看"), code="conflict")
        text = (
            f"{action.get_kind_display()}第 {instalment.due_on:%Y-%m-%d} 期 ¥{format_yuan(instalment.amount)} "
            f"已于 {paid_on:%Y-%m-%d} 履行" + (f"，{note}" if note else "")
        )
        add_event(action.case, CaseEvent.Kind.ACTION, actor, now, text)
        notify_case(
            action.case,
            [action.case.lead_unit_id, action.unit_id],
            text,
            topic="case-instalment",
            action=action,
        )
    instalment.refresh_from_db()
    return instalment
