"""The payments ledger: every yuan paid to a worker is one append-only entry (claim, amount, date,
source, reference). Paying more than a worker's outstanding amount is refused — by the service, and by
the database (``money_claim_not_overpaid``). A mistake is corrected by a reversing entry with its
reason. A payment run writes many workers' entries at once, all or none."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Case as SqlCase
from django.db.models import F, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.cases.actions import order_paid_by_ledger
from anxin.cases.models import ACTIVE_ACTION, ActionKind, Case, CaseEvent, LegalAction
from anxin.cases.services.common import add_event, is_lead
from anxin.core.access import is_system, require_perm
from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.core.money import format_yuan
from anxin.money import selectors
from anxin.money.funds_selectors import open_advances
from anxin.money.models import RECORDABLE_SOURCES, Claim, Payment, PaymentRun, PaymentSource, Proceeds
from anxin.money.services.claims import CONFIRMING_DUTY
from anxin.org.models import Role, User

CHUNK = 400  # claims per UPDATE of their running totals


def may_pay(actor: User, case: Case) -> bool:
    """Who records what was paid on a case: the lead unit, the office, or 人社局 (which ordered the
    payment, §四(六))."""
    if is_system(actor):
        return True
    if not actor.has_perm("money.add_payment"):
        return False
    return is_lead(actor, case) or bool(
        actor.has_role(Role.DEPARTMENT) and CONFIRMING_DUTY in actor.duty_codes
    )


def _check_source(source: str, case: Case) -> None:
    """A source a person may record here: not the emergency fund (its payments are the approval of an
    advance), and not court or realisation money while the case owes the fund (§四(八) 首先用于偿还
    应急周转资金: that money is recorded as proceeds and repays the fund first)."""
    if source not in RECORDABLE_SOURCES:
        raise DomainError(
            _("支付来源须为：%(s)s") % {"s": "、".join(str(s.label) for s in RECORDABLE_SOURCES)},
            field="source",
        )
    if source in (PaymentSource.COURT_ENFORCEMENT, PaymentSource.ASSET_REALISATION) and open_advances(case):
        raise DomainError(
            _(
                "本案有未归还的应急周转金垫付：法院执行款、资产变现款请在“登记执行款/变现款”中登记，先偿还周转金（§四(八)）"
            ),
            field="source",
        )


def _check_date(paid_on: datetime.date | None, field: str = "paid_on") -> datetime.date:
    if paid_on is None:
        raise DomainError(_("请填写支付日期"), field=field)
    if paid_on > timezone.localdate():
        raise DomainError(_("支付日期不能晚于今天"), field=field)
    return paid_on


def _over(claim: Claim, amount: int, outstanding: int) -> DomainError:
    return DomainError(
        _("支付 ¥%(a)s 超过 %(n)s 尚欠的 ¥%(o)s")
        % {"a": format_yuan(amount), "n": claim.name, "o": format_yuan(outstanding)},
        field="amount",
    )


def write_payments(
    case: Case,
    rows: Sequence[tuple[Claim, int]],
    *,
    actor: User,
    paid_on: datetime.date,
    source: str,
    reference: str = "",
    note: str = "",
    run: PaymentRun | None = None,
    proceeds: Proceeds | None = None,
    now: datetime.datetime,
) -> list[Payment]:
    """The entries and the claims' running totals, inside the caller's transaction, under the
    claims' row locks; refuses (nothing written) when one row would pay more than is outstanding.
    For the services of this app (payments, runs, advances, proceeds) — they check who and what."""
    ids = [claim.pk for claim, _amount in rows]
    if len(set(ids)) != len(ids):
        raise DomainError(_("同一劳动者在一次支付中只能出现一次"), field="claim")
    locked: dict[int, Claim] = {}
    in_order = sorted(ids)  # every writer locks claims in the same order: no deadlock between runs
    for start in range(0, len(in_order), CHUNK):  # under SQLite's limit on bound parameters
        chunk = in_order[start : start + CHUNK]
        locked.update((c.pk, c) for c in Claim.objects.select_for_update().filter(pk__in=chunk, case=case))
    for claim, amount in rows:
        current = locked.get(claim.pk)
        if current is None:
            raise DomainError(_("%(n)s 不是本案登记的劳动者") % {"n": claim.name}, field="claim")
        if amount <= 0:
            raise DomainError(_("%(n)s 的支付金额须大于零") % {"n": claim.name}, field="amount")
        if amount > current.outstanding:
            raise _over(current, amount, current.outstanding)
    made = Payment.objects.bulk_create(
        [
            Payment(
                case=case,
                claim_id=claim.pk,
                amount=amount,
                paid_on=paid_on,
                source=source,
                reference=reference[:100],
                note=note[:500],
                run=run,
                proceeds=proceeds,
                recorded_by=actor,
                recorded_at=now,
            )
            for claim, amount in rows
        ]
    )
    if not all(p.pk for p in made):
        made = list(Payment.objects.filter(case=case, recorded_at=now, claim_id__in=ids).order_by("pk"))
    _add_to_paid({claim.pk: amount for claim, amount in rows})
    for claim, amount in rows:
        claim.paid = locked[claim.pk].paid + amount
    settle_orders(case, actor=actor, on=paid_on)
    return made


def settle_orders(case: Case, *, actor: User, on: datetime.date) -> None:
    """An order to pay on the case that the ledger now covers is done (cases records the ledger's
    figure as its 履行支付 step)."""
    for order in LegalAction.objects.filter(case=case, kind=ActionKind.ORDER, status__in=ACTIVE_ACTION):
        paid = selectors.action_paid(order) or 0
        order_paid_by_ledger(actor=actor, action=order, paid=paid, on=on)


def _add_to_paid(deltas: dict[int, int]) -> None:
    """Move the claims' running totals by ``deltas`` (fen, signed). The database refuses a total
    below zero or above what is owed (IntegrityError → the caller's refusal)."""
    items = sorted(deltas.items())
    try:
        with transaction.atomic():
            for start in range(0, len(items), CHUNK):
                chunk = items[start : start + CHUNK]
                Claim.objects.filter(pk__in=[pk for pk, _d in chunk]).update(
                    paid=F("paid") + SqlCase(*[When(pk=pk, then=d) for pk, d in chunk], default=0)
                )
    except IntegrityError:
        raise DomainError(
            _("支付金额超过尚欠金额（已被他人同时登记支付），请刷新后重试"), code="conflict"
        ) from None


def payment_record(
    *,
    actor: User,
    claim: Claim,
    amount: int,
    paid_on: datetime.date | None,
    source: str,
    reference: str = "",
    note: str = "",
) -> Payment:
    """One payment to one worker."""
    case = claim.case
    if not may_pay(actor, case):
        raise PermissionDenied(_("只有牵头单位、区人社局或联席办可以登记支付"))
    if not case.is_open:
        raise DomainError(_("案件已结案，不能再登记支付"), code="transition")
    _check_source(source, case)
    paid_on = _check_date(paid_on)
    if amount is None or amount <= 0:
        raise DomainError(_("支付金额须大于零"), field="amount")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        (payment,) = write_payments(
            case,
            [(claim, amount)],
            actor=actor,
            paid_on=paid_on,
            source=source,
            reference=(reference or "").strip(),
            note=(note or "").strip(),
            now=now,
        )
        add_event(
            case,
            CaseEvent.Kind.NOTE,
            actor,
            now,
            f"支付 {claim.name} ¥{format_yuan(amount)}（{PaymentSource(source).label}，{paid_on:%Y-%m-%d}"
            + (f"，{reference.strip()}" if (reference or "").strip() else "")
            + "）",
        )
    return payment


def payment_run(
    *,
    actor: User,
    case: Case,
    rows: Sequence[tuple[Claim, int]],
    paid_on: datetime.date | None,
    source: str,
    reference: str = "",
    note: str = "",
) -> PaymentRun:
    """One payment to many workers (a payroll run, a deposit draw): every row is written or none.
    A row above its worker's outstanding amount refuses the whole run, naming the worker."""
    if not may_pay(actor, case):
        raise PermissionDenied(_("只有牵头单位、区人社局或联席办可以登记支付"))
    if not case.is_open:
        raise DomainError(_("案件已结案，不能再登记支付"), code="transition")
    _check_source(source, case)
    paid_on = _check_date(paid_on)
    rows = [(claim, amount) for claim, amount in rows]
    if not rows:
        raise DomainError(_("请至少填写一名劳动者的支付金额"))
    reference = (reference or "").strip()
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        total = sum(amount for _claim, amount in rows)
        run = PaymentRun.objects.create(
            case=case,
            source=source,
            paid_on=paid_on,
            reference=reference[:100],
            rows=len(rows),
            total=max(total, 0),
            recorded_by=actor,
            recorded_at=now,
        )
        write_payments(
            case,
            rows,
            actor=actor,
            paid_on=paid_on,
            source=source,
            reference=reference,
            note=(note or "").strip(),
            run=run,
            now=now,
        )
        add_event(
            case,
            CaseEvent.Kind.NOTE,
            actor,
            now,
            f"批量支付 {len(rows)} 人 ¥{format_yuan(total)}（{PaymentSource(source).label}，{paid_on:%Y-%m-%d}"
            + (f"，{reference}" if reference else "")
            + "）",
        )
    return run


def payments_from_deposit(
    *,
    actor: User,
    case: Case,
    amounts: Sequence[tuple[Claim, int]],
    paid_on: datetime.date,
    reference: str = "",
    note: str = "",
) -> PaymentRun:
    """The bank's payment of a wage-deposit draw (人社部发〔2021〕65号 第十三条) on the case's workers: one
    run of entries with source 工资保证金, all or none. Only through the deposit's own ledger (the sites
    app calls this inside its draw's transaction, having checked who orders and pays the draw), so
    ``wage_deposit`` is not among the sources a person types. Only confirmed claims, each at most its
    outstanding amount; refused on a closed case."""
    if not (is_system(actor) or actor.has_perm("money.add_payment")):
        raise PermissionDenied(_("角色无登记支付的权限"))
    if not case.is_open:
        raise DomainError(_("案件已结案，不能再登记支付"), code="transition")
    paid_on = _check_date(paid_on)
    rows = [(claim, amount) for claim, amount in amounts if amount]
    if not rows:
        raise DomainError(_("请至少填写一名劳动者的支付金额"))
    unconfirmed = [claim.name for claim, _amount in rows if not claim.is_confirmed]
    if unconfirmed:
        raise DomainError(
            _("工资保证金只支付已确认的欠薪：%(n)s 尚未确认") % {"n": "、".join(unconfirmed)}, field="claim"
        )
    reference = (reference or "").strip()
    source = PaymentSource.WAGE_DEPOSIT
    now = timezone.now()
    total = sum(amount for _claim, amount in rows)
    with transaction.atomic(), acting(actor):
        run = PaymentRun.objects.create(
            case=case,
            source=source,
            paid_on=paid_on,
            reference=reference[:100],
            rows=len(rows),
            total=max(total, 0),
            recorded_by=actor,
            recorded_at=now,
        )
        write_payments(
            case,
            rows,
            actor=actor,
            paid_on=paid_on,
            source=source,
            reference=reference,
            note=(note or "").strip(),
            run=run,
            now=now,
        )
        add_event(
            case,
            CaseEvent.Kind.NOTE,
            actor,
            now,
            f"工资保证金支付 {len(rows)} 人 ¥{format_yuan(total)}（{paid_on:%Y-%m-%d}"
            + (f"，{reference}" if reference else "")
            + "）",
        )
    return run


# --- entries made when a case closes, and reversals -----------------------------------------------------


def payment_record_at_closing(
    case: Case, *, actor: User, outcome: str, amount_paid: int, now: datetime.datetime
) -> Payment | None:
    """``seam.CASE_CLOSED``: for a case without workers' claims, the amount typed when it closed
    (已支付金额) becomes a ledger entry. A case with claims has its payments on the ledger already
    (the closing check compared the typed amount with them). Nothing is recorded for zero."""
    if amount_paid < 0:
        raise DomainError(_("已支付金额不能为负数"), field="amount_paid")
    if amount_paid == 0 or Claim.objects.filter(case=case).exists():
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
    never edited. ``amount`` defaults to what the entry still counts for. Refused when the case's (or
    the worker's) total paid would go below zero, or when the entry has less left to take back. An
    entry paid by the emergency fund or from proceeds is corrected on the fund's side as well, so it
    is not reversed here."""
    require_perm(actor, "money.reverse_payment")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("冲正须说明理由"), field="reason")
    if payment.is_reversal:
        raise DomainError(_("冲正记录本身不能再冲正"))
    if payment.claim_id and not payment.case.is_open:
        # a worker's entry on a closed case: the closing (全额清偿) rested on it
        raise DomainError(_("案件已结案，不能再冲正劳动者的支付记录"), code="transition")
    if payment.source == PaymentSource.WAGE_DEPOSIT:
        raise DomainError(
            _("工资保证金的支付须在项目保证金台账中一并更正，请联系城建局（项目主管部门）和联席办")
        )
    if payment.proceeds_id or hasattr(payment, "advance_item"):
        raise DomainError(_("应急周转金垫付和执行款分配的支付须连同周转金台账一并更正，请联系联席办和财政局"))
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
            claim_id=payment.claim_id,
            amount=amount,
            paid_on=timezone.localdate(now),
            source=payment.source,
            reference=payment.reference,
            note=reason[:500],
            reverses=payment,
            recorded_by=actor,
            recorded_at=now,
        )
        reversal.full_clean()
        reversal.save()
        if payment.claim_id:
            Claim.objects.select_for_update().get(pk=payment.claim_id)
            _add_to_paid({payment.claim_id: -amount})
        who = f" {payment.claim.name}" if payment.claim is not None else ""
        add_event(
            payment.case,
            CaseEvent.Kind.NOTE,
            actor,
            now,
            f"冲正{who}{payment.get_source_display()} {payment.paid_on:%Y-%m-%d} 支付记录 ¥{format_yuan(amount)}：{reason}",
        )
    return reversal


def _reversed(reversals: QuerySet[Payment]) -> int:
    return sum(reversals.values_list("amount", flat=True))
