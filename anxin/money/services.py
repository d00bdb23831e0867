"""Every write of money: the payment schedule of a legal action (set, paid), and the ledger of
payments (recorded when a case closes, corrected by a reversing entry)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.cases.actions import handles, may_mark_paid
from anxin.cases.models import ActionKind, ActionStatus, Case, CaseEvent, LegalAction
from anxin.cases.services.common import add_event, notify_case
from anxin.core.access import require_perm
from anxin.core.audit import acting, guarded_update
from anxin.core.errors import DomainError
from anxin.core.money import format_yuan
from anxin.money import selectors
from anxin.money.models import Instalment, Payment, PaymentSource
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


# --- the ledger of payments ---------------------------------------------------------------------------


def payment_record_at_closing(
    case: Case, *, actor: User, outcome: str, amount_paid: int, now: datetime.datetime
) -> Payment | None:
    """``seam.CASE_CLOSED``: the amount typed when the case closed (已支付金额) becomes a ledger
    entry. Runs inside ``case_close``'s transaction, after its checks (who may close, and the amount
    against the registered arrears — the case's own rules). Nothing is recorded for zero."""
    if amount_paid < 0:
        raise DomainError(_("已支付金额不能为负数"), field="amount_paid")
    if amount_paid == 0:
        return None
    payment = Payment(
        case=case,
        amount=amount_paid,
        paid_on=timezone.localdate(now),
        source=PaymentSource.CLOSING,
        recorded_by=actor,
        recorded_at=now,
    )
    payment.full_clean()
    payment.save()
    return payment


def payment_reverse(*, actor: User, payment: Payment, reason: str, amount: int | None = None) -> Payment:
    """Take back (part of) a recorded payment by a reversing entry with its reason — the ledger is
    never edited. ``amount`` defaults to what the entry still counts for. Refused when the case's
    total paid would go below zero, or when the entry has less left to take back."""
    require_perm(actor, "money.reverse_payment")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("冲正须说明理由"), field="reason")
    if payment.is_reversal:
        raise DomainError(_("冲正记录本身不能再冲正"))
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        # one reversal at a time per case: the totals below are read under the case's row lock
        Case.objects.select_for_update().get(pk=payment.case_id)
        left = payment.amount - _reversed(Payment.objects.filter(reverses=payment))
        amount = left if amount is None else amount
        if amount <= 0:
            raise DomainError(_("冲正金额须大于零（该记录已全部冲正）"), field="amount")
        total = selectors.paid_by_case([payment.case_id]).get(payment.case_id, 0)
        if total - amount < 0:
            raise DomainError(
                _("冲正 ¥%(a)s 后该案已支付合计将为负数（现为 ¥%(t)s）")
                % {"a": format_yuan(amount), "t": format_yuan(total)},
                field="amount",
            )
        if amount > left:
            raise DomainError(
                _("冲正金额不能超过该记录尚未冲正的 ¥%(l)s") % {"l": format_yuan(left)}, field="amount"
            )
        reversal = Payment(
            case_id=payment.case_id,
            amount=amount,
            paid_on=timezone.localdate(now),
            source=payment.source,
            note=reason[:500],
            reverses=payment,
            recorded_by=actor,
            recorded_at=now,
        )
        reversal.full_clean()
        reversal.save()
        add_event(
            payment.case,
            CaseEvent.Kind.NOTE,
            actor,
            now,
            f"冲正{payment.get_source_display()} {payment.paid_on:%Y-%m-%d} 支付记录 ¥{format_yuan(amount)}：{reason}",
        )
    return reversal


def _reversed(reversals: QuerySet[Payment]) -> int:
    return sum(reversals.values_list("amount", flat=True))
