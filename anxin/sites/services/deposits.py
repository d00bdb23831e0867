"""Writes of the wage deposit (农民工工资保证金, §三(九); 人社部发〔2021〕65号): the required amount fixed from the
contract, the deposit recorded, draws ordered for a case's workers and paid by the bank (ledger entries
on the workers' claims through money's service), top-ups, and the return after completion and public
notice. Every change of money is a line of the deposit's append-only ledger (``DepositEvent``), written
under the deposit's row lock; every change of status goes through ``core.transitions``; a refused call
writes nothing.

Who: the office, or the department that supervises the project (城建局 for building works, 水利局 for
water works, §三(九)(十)) with ``sites.manage_deposit`` — a town reads only.

**What counts as the general contractor's arrears** (for the tiers' raise, reduction and exemption):
the cases in the cases app about the contractor itself, or about any project of which it is the
general contractor (总承包企业负总责: a subcontractor's arrears on its site are its own), opened on or
before the contract date, except those closed as 不属实 (unfounded). A case's date is the day it was
opened (立案). The record — the span over which "clean years" can be attested — begins the day the
contractor was entered in the registry; before that, Anxin knows nothing, so clean years are never
assumed from silence."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.cases.models import ACTIVE_ACTION, ActionKind, ActionStatus, Case, LegalAction, Outcome, Stage
from anxin.cases.services.common import office_unit_ids
from anxin.core import seam
from anxin.core.access import is_system
from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.deadlines import working_days_after
from anxin.core.errors import DomainError
from anxin.core.money import format_yuan
from anxin.core.policy import param_record
from anxin.core.transitions import Transition, Workflow
from anxin.intake.models import Signal, SignalKind, Verification
from anxin.money import services as money
from anxin.money.models import Claim, ClaimStatus
from anxin.notify.services import notify_units
from anxin.org.models import User
from anxin.registry.models import Enterprise, Project
from anxin.sites.access import may_manage
from anxin.sites.deposit_rules import CODES, Computation, History, Param, required_deposit
from anxin.sites.models import (
    Deposit,
    DepositDraw,
    DepositEvent,
    DepositForm,
    DepositStatus,
    DrawStatus,
    EventKind,
)
from anxin.sites.models.deposits import BALANCE_SIGN

MANAGE = "sites.manage_deposit"
TOPIC = "site-deposit"
MAX_FEN = 10**14  # ¥1,000,000,000,000: no deposit comes near it
# Signals that report arrears on the project during the return's public notice (65号文 第十七条).
ARREARS_SIGNAL_KINDS = (
    SignalKind.WAGE_COMPLAINT,
    SignalKind.COLLECTIVE,
    SignalKind.ARREARS_REPORT,
    SignalKind.PAYROLL_SHORT,  # the project's own payroll check found workers unpaid
)

S = DepositStatus
K = EventKind
DEPOSITS = Workflow(
    model=Deposit,
    field="status",
    event_model=DepositEvent,
    event_object="deposit",
    event_action="kind",
    event_from="from_status",
    event_to="to_status",
    noun=_("工资保证金"),
    rows=[
        Transition(S.REQUIRED, K.DEPOSIT, S.HELD, MANAGE),
        Transition(S.HELD, K.RETURN_REQUEST, S.NOTICE, MANAGE),
        Transition(S.NOTICE, K.RETURN_REFUSE, S.HELD, MANAGE, reason_required=True),
        Transition(S.NOTICE, K.RETURN, S.RETURNED, MANAGE),
    ],
    action_labels={
        K.DEPOSIT: "登记存储",
        K.RETURN_REQUEST: "申请返还",
        K.RETURN_REFUSE: "不予返还",
        K.RETURN: "返还",
    },
)
DRAWS = Workflow(
    model=DepositDraw,
    field="status",
    event_model=DepositEvent,
    event_object="draw",
    event_action="kind",
    event_from="from_status",
    event_to="to_status",
    noun=_("保证金动用"),
    rows=[
        Transition(DrawStatus.ORDERED, K.PAY, DrawStatus.PAID, MANAGE),
        Transition(DrawStatus.PAID, K.TOPPED_UP, DrawStatus.TOPPED_UP, MANAGE),
    ],
    action_labels={K.PAY: "银行支付", K.TOPPED_UP: "补足"},
)


# --- who ------------------------------------------------------------------------------------------------


def may_manage_deposit(user: User, project: Project) -> bool:
    """The office, or the project's supervising department (城建局 / 水利局), with the permission."""
    if is_system(user):
        return True
    if not user.has_perm(MANAGE):
        return False
    # the same line as the roster's: the office, or the department that supervises this project
    # (城建局 reads every project, but a water project's deposit is 水利局's, §三(十))
    return may_manage(user, project)


def _require_manager(actor: User, project: Project) -> None:
    if not may_manage_deposit(actor, project):
        raise PermissionDenied(_("只有联席办或项目的行业主管部门可以办理工资保证金"))


# --- the required amount ------------------------------------------------------------------------------


def deposit_params(on: datetime.date) -> dict[str, Param]:
    """The parameters of the computation as in force on ``on``."""
    found = {}
    for code in CODES:
        record = param_record(code, on=on)
        found[code] = Param(
            code=code,
            name=record.name,
            value=record.typed_value,  # type: ignore[arg-type]
            unit=record.unit,
            citation=record.citation,
        )
    return found


ARREARS_RULE = (
    "计入：施工总承包单位本身的欠薪案件，及其作为总承包单位的工程项目上的欠薪案件（总承包企业负总责），"
    "以立案日期计，结案方式为“不属实”的不计；无拖欠年数自该单位录入本系统之日起算"
)


def arrears_history(contractor: Enterprise, on: datetime.date) -> History:
    """The contractor's counted arrears up to ``on`` (see the module's words) and where its record begins."""
    cases = (
        Case.objects.filter(Q(enterprise=contractor) | Q(project__general_contractor=contractor))
        .exclude(stage=Stage.CLOSED, outcome=Outcome.UNFOUNDED)
        .order_by("opened_at", "pk")
        .values_list("opened_at", "number")
        .distinct()
    )
    arrears = [(timezone.localdate(at), number) for at, number in cases if timezone.localdate(at) <= on]
    # The latest integrity grade (§三(七)) from the app that keeps it (credit), through the seam.
    standing = seam.enterprise_credit([contractor.pk], on=on).get(contractor.pk)
    return History(
        arrears=arrears,
        record_since=timezone.localdate(contractor.created_at),
        rule=ARREARS_RULE,
        grade=standing.grade if standing else "",
        grade_year=standing.grade_year if standing else None,
    )


def required_for(project: Project, on: datetime.date) -> Computation:
    """The required deposit for the project's contract signed on ``on`` (its general contractor's record)."""
    if project.general_contractor is None:
        raise DomainError(_("项目尚未登记施工总承包单位（已登记企业），无法核定保证金"), field="project")
    return required_deposit(
        contract_amount=project.contract_amount,
        on=on,
        history=arrears_history(project.general_contractor, on),
        params=deposit_params(on),
    )


# --- the ledger -----------------------------------------------------------------------------------------


def with_balance(deposits: QuerySet[Deposit]) -> QuerySet[Deposit]:
    """Each deposit with ``balance`` (fen): the balance after its last ledger line."""
    last = DepositEvent.objects.filter(deposit_id=OuterRef("pk")).order_by("-seq").values("balance_after")[:1]
    return deposits.annotate(balance=Coalesce(Subquery(last, output_field=IntegerField()), Value(0)))


def balance_of(deposit: Deposit) -> int:
    last = (
        DepositEvent.objects.filter(deposit=deposit)
        .order_by("-seq")
        .values_list("balance_after", flat=True)
        .first()
    )
    return int(last or 0)


def _lock(deposit: Deposit) -> tuple[int, int]:
    """Lock the deposit's row; its last ``seq`` and balance."""
    Deposit.objects.select_for_update().get(pk=deposit.pk)
    last = (
        DepositEvent.objects.filter(deposit=deposit).order_by("-seq").values("seq", "balance_after").first()
    )
    return (last["seq"], last["balance_after"]) if last else (0, 0)


def _line(
    deposit: Deposit, kind: str, amount: int = 0, *, sign: int | None = None, on: datetime.date
) -> dict:
    """The fields of the next ledger line (inside the caller's transaction and lock)."""
    seq, before = _lock(deposit)
    sign = BALANCE_SIGN.get(EventKind(kind), 0) if sign is None else sign
    after = before + sign * amount
    if after < 0:
        raise DomainError(
            _("保证金余额 ¥%(b)s，不足 ¥%(a)s") % {"b": format_yuan(before), "a": format_yuan(amount)},
            field="amount",
        )
    return {"seq": seq + 1, "amount": amount, "balance_after": after, "on": on}


def _append(
    deposit: Deposit,
    kind: str,
    *,
    actor: User,
    on: datetime.date,
    amount: int = 0,
    note: str = "",
    draw: DepositDraw | None = None,
    reverses: DepositEvent | None = None,
    sign: int | None = None,
    now: datetime.datetime | None = None,
) -> DepositEvent:
    fields = _line(deposit, kind, amount, sign=sign, on=on)
    try:
        with transaction.atomic():
            return DepositEvent.objects.create(
                deposit=deposit,
                kind=kind,
                actor=actor,
                at=now or timezone.now(),
                note=note,
                draw=draw,
                reverses=reverses,
                **fields,
            )
    except IntegrityError:
        raise DomainError(_("保证金台账已被他人同时更新，请刷新后重试"), code="conflict") from None


def _move(
    deposit: Deposit,
    action: str,
    *,
    actor: User,
    on: datetime.date,
    amount: int = 0,
    note: str = "",
    values: dict | None = None,
) -> Any:
    step = DEPOSITS.step(deposit, action)
    line = _line(deposit, action, amount, on=on)
    return DEPOSITS.move(deposit, step, actor=actor, note=note, values=values, event=line)


def _check_amount(amount: int | None, field: str = "amount") -> int:
    if amount is None or amount <= 0:
        raise DomainError(_("金额须大于零"), field=field)
    if amount > MAX_FEN:
        raise DomainError(_("金额过大"), field=field)
    return amount


def _check_day(day: datetime.date | None, field: str, label: str) -> datetime.date:
    if day is None:
        raise DomainError(_("请填写%(l)s") % {"l": label}, field=field)
    if day > timezone.localdate():
        raise DomainError(_("%(l)s不能晚于今天") % {"l": label}, field=field)
    return day


def _notify(deposit: Deposit, subject: str, *, body: str = "") -> None:
    """The supervising department (城建局 / 水利局) and the office, after commit."""
    project = deposit.project
    notify_units(
        unit_ids=[project.supervisor.unit_id or 0, *office_unit_ids()],
        subject=f"{project.name}：{subject}",
        body=body,
        url=reverse("project-detail", args=[project.pk]) + "?tab=deposit",
        topic=TOPIC,
        about=project.name,
    )


# --- the requirement and the deposit ----------------------------------------------------------------------


def deposit_require(*, actor: User, project: Project, contract_signed_on: datetime.date | None) -> Deposit:
    """Fix the project's required deposit from its contract (amount, date) and its general contractor's
    record, with the computation and the due date (``deposit.due_working_days`` after the contract)."""
    _require_manager(actor, project)
    contract_signed_on = _check_day(contract_signed_on, "contract_signed_on", "施工合同签订日期")
    if project.contract_amount <= 0:  # 0 is "not entered": it would fix the deposit as exempt for good
        raise DomainError(
            _("项目尚未登记合同金额，不能核定工资保证金；请先在项目基本信息中填写合同金额"),
            field="contract_amount",
        )
    if Deposit.objects.filter(project=project).exists():
        raise DomainError(_("该项目已核定工资保证金"), code="conflict", field="project")
    computation = required_for(project, contract_signed_on)
    record = param_record("deposit.due_working_days", on=contract_signed_on)
    n = int(record.typed_value)
    due_on, calendar_note = working_days_after(contract_signed_on, n)
    basis = f"{record.citation}：合同签订后 {n} 个工作日（参数 deposit.due_working_days={n}）{calendar_note}"
    status = S.EXEMPT if computation.exempt else S.REQUIRED
    now = timezone.now()
    assert project.general_contractor is not None  # required_for refused it otherwise
    with transaction.atomic(), acting(actor):
        try:
            with transaction.atomic():
                deposit = Deposit.objects.create(
                    project=project,
                    contractor=project.general_contractor,
                    contract_signed_on=contract_signed_on,
                    contract_amount=project.contract_amount,
                    required=computation.required,
                    computation=computation.as_dict(),
                    due_on=due_on,
                    due_basis=basis[:300],
                    status=status,
                    created_by=actor,
                    created_at=now,
                )
        except IntegrityError:
            raise DomainError(_("该项目已核定工资保证金"), code="conflict", field="project") from None
        words = (
            "免存"
            if computation.exempt
            else f"应存 ¥{format_yuan(computation.required)}，{due_on:%Y-%m-%d} 前存储"
        )
        _append(deposit, K.REQUIRE, actor=actor, on=contract_signed_on, note=words, now=now)
    return deposit


def deposit_record(
    *,
    actor: User,
    deposit: Deposit,
    form: str,
    amount: int | None,
    deposited_on: datetime.date | None,
    bank: str = "",
    reference: str = "",
    note: str = "",
) -> Deposit:
    """The contractor deposited (cash, a bank guarantee, insurance): the amount goes on the ledger. Less
    than required is recorded as it is and flagged by ``tick`` once the due date passed."""
    _require_manager(actor, deposit.project)
    if form not in DepositForm.values:
        raise DomainError(_("请选择存储方式"), field="form")
    amount = _check_amount(amount)
    deposited_on = _check_day(deposited_on, "deposited_on", "存储日期")
    if deposited_on < deposit.contract_signed_on:
        raise DomainError(_("存储日期不能早于合同签订日期"), field="deposited_on")
    bank, reference = (bank or "").strip(), (reference or "").strip()
    if not bank:
        raise DomainError(_("请填写存储银行或保险机构"), field="bank")
    if not reference:
        raise DomainError(_("请填写账号或保函（保单）编号"), field="reference")
    with transaction.atomic(), acting(actor):
        _move(
            deposit,
            K.DEPOSIT,
            actor=actor,
            on=deposited_on,
            amount=amount,
            note=(note or "").strip() or f"{DepositForm(form).label}，{bank}，{reference}",
            values={
                "form": form,
                "deposited_on": deposited_on,
                "bank": bank[:100],
                "reference": reference[:100],
            },
        )
    return deposit


def deposit_top_up(
    *, actor: User, deposit: Deposit, amount: int | None, on: datetime.date | None, reference: str = ""
) -> DepositEvent:
    """The contractor paid money back into the deposit (after a draw, or a short deposit). Paid draws
    are made whole oldest first; a draw made whole is 已补足."""
    _require_manager(actor, deposit.project)
    amount = _check_amount(amount)
    on = _check_day(on, "on", "补足日期")
    if deposit.status not in (S.HELD, S.NOTICE):
        raise DomainError(
            _("保证金处于“%(s)s”状态，不能补足") % {"s": deposit.get_status_display()}, code="transition"
        )
    reference = (reference or "").strip()
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        event = _append(deposit, K.TOP_UP, actor=actor, on=on, amount=amount, note=reference[:200], now=now)
        left = amount
        for draw in DepositDraw.objects.filter(deposit=deposit, status=DrawStatus.PAID).order_by(
            "paid_on", "pk"
        ):
            if left <= 0:
                break
            part = min(left, draw.topup_left)
            left -= part
            guarded_update(DepositDraw.objects.all(), draw.pk, topped_up=draw.topped_up + part)
            draw.refresh_from_db()
            if draw.topup_left == 0:
                late = draw.topup_due_on is not None and on > draw.topup_due_on
                line = _line(deposit, K.TOPPED_UP, on=on) | {"deposit": deposit}
                DRAWS.move(
                    draw,
                    DRAWS.step(draw, K.TOPPED_UP),
                    actor=actor,
                    note=f"补足 ¥{format_yuan(draw.paid_amount)}" + ("（逾期）" if late else ""),
                    values={"topped_up_on": on},
                    event=line,
                )
    return event


def deposit_event_reverse(*, actor: User, event: DepositEvent, reason: str) -> DepositEvent:
    """Take back a deposit or top-up line typed by mistake (the ledger is never edited). Not a bank
    payment (its entries are the workers'), nor a top-up once a draw was made whole from it."""
    deposit = event.deposit
    _require_manager(actor, deposit.project)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("冲正须说明理由"), field="reason")
    if event.kind not in (K.DEPOSIT, K.TOP_UP):
        raise DomainError(_("只有存储和补足记录可以冲正"))
    if DepositEvent.objects.filter(reverses=event).exists():
        raise DomainError(_("该记录已冲正"), code="conflict")
    if event.kind == K.TOP_UP and DepositDraw.objects.filter(deposit=deposit, topped_up__gt=0).exists():
        raise DomainError(_("该补足已计入动用的补足，不能冲正；请联系联席办"))
    if deposit.status not in (S.HELD, S.NOTICE):
        raise DomainError(_("保证金已返还，不能冲正"), code="transition")
    ordered = (
        DepositDraw.objects.filter(deposit=deposit, status=DrawStatus.ORDERED).aggregate(s=Sum("amount"))["s"]
        or 0
    )
    if balance_of(deposit) - event.amount < ordered:  # the bank must still be able to pay what was ordered
        raise DomainError(
            _("冲正后余额将不足以支付已下令、待银行支付的动用 ¥%(o)s，不能冲正")
            % {"o": format_yuan(ordered)},
            code="conflict",
        )
    with transaction.atomic(), acting(actor):
        return _append(
            deposit,
            K.REVERSAL,
            actor=actor,
            on=timezone.localdate(),
            amount=event.amount,
            sign=-1,
            note=f"冲正第 {event.seq} 笔：{reason}"[:500],
            reverses=event,
        )


# --- draws ----------------------------------------------------------------------------------------------


def confirmed_outstanding(case: Case) -> list[Claim]:
    """The case's confirmed claims still owed something, in the order they were registered."""
    return [
        c
        for c in Claim.objects.filter(case=case, status=ClaimStatus.CONFIRMED).order_by("pk")
        if c.outstanding > 0
    ]


def lapsed_order(case: Case, on: datetime.date) -> LegalAction | None:
    """An order to pay on the case whose date passed unpaid (lapsed, or still open past its date)."""
    return (
        LegalAction.objects.filter(case=case, kind=ActionKind.ORDER)
        .filter(Q(status=ActionStatus.LAPSED) | Q(status__in=ACTIVE_ACTION, pay_by__lt=on))
        .order_by("pay_by", "pk")
        .first()
    )


def _pending(draws: QuerySet[DepositDraw]) -> int:
    return int(draws.filter(status=DrawStatus.ORDERED).aggregate(s=Sum("amount"))["s"] or 0)


def draw_order(
    *,
    actor: User,
    deposit: Deposit,
    case: Case,
    amount: int | None,
    reference: str = "",
    now: datetime.datetime | None = None,
) -> DepositDraw:
    """Order the bank to pay from the deposit (65号文 第十三条): only for a case on this project with
    confirmed claims still unpaid after an order to pay lapsed, at most the balance not already
    ordered and the case's confirmed outstanding amount not already ordered."""
    _require_manager(actor, deposit.project)
    amount = _check_amount(amount)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if case.project_id != deposit.project_id:
        raise DomainError(_("只能为本项目的欠薪案件动用本项目的保证金"), field="case")
    if not case.is_open:
        raise DomainError(_("案件已结案"), field="case", code="transition")
    if deposit.status != S.HELD:
        raise DomainError(
            _("保证金处于“%(s)s”状态，不能动用") % {"s": deposit.get_status_display()}, code="transition"
        )
    claims = confirmed_outstanding(case)
    if not claims:
        raise DomainError(_("本案没有经确认尚未支付的欠薪，不能动用保证金"), field="case", code="guard")
    order = lapsed_order(case, today)
    if order is None:
        raise DomainError(
            _("动用保证金须以责令限期支付逾期未支付为前提（人社部发〔2021〕65号 第十三条）"),
            field="case",
            code="guard",
        )
    reference = (reference or "").strip()
    with transaction.atomic(), acting(actor):
        _seq, balance = _lock(deposit)
        draws = DepositDraw.objects.filter(deposit=deposit)
        available = balance - _pending(draws)
        if amount > available:
            raise DomainError(
                _("动用 ¥%(a)s 超过保证金可用余额 ¥%(b)s")
                % {"a": format_yuan(amount), "b": format_yuan(available)},
                field="amount",
            )
        owed = sum(c.outstanding for c in claims) - _pending(draws.filter(case=case))
        if amount > owed:
            raise DomainError(
                _("动用 ¥%(a)s 超过本案经确认尚欠（未安排动用）的 ¥%(o)s")
                % {"a": format_yuan(amount), "o": format_yuan(max(owed, 0))},
                field="amount",
            )
        record = param_record("deposit.bank_pay_working_days", on=today)
        n = int(record.typed_value)
        due, calendar_note = working_days_after(today, n)
        draw = DepositDraw.objects.create(
            deposit=deposit,
            case=case,
            order=order,
            amount=amount,
            ordered_on=today,
            ordered_by=actor,
            reference=reference[:100],
            bank_due_on=due,
            bank_due_basis=f"{record.citation}：{n} 个工作日（参数 deposit.bank_pay_working_days={n}）{calendar_note}"[
                :300
            ],
        )
        _append(
            deposit,
            K.DRAW,
            actor=actor,
            on=today,
            draw=draw,
            now=now,
            note=f"{case.number}：责令动用 ¥{format_yuan(amount)}，银行 {due:%Y-%m-%d} 前支付"
            + (f"（{reference}）" if reference else ""),
        )
    _notify(
        deposit, f"动用工资保证金 ¥{format_yuan(amount)}（{case.number}），银行应于 {due:%Y-%m-%d} 前支付"
    )
    return draw


def _shares(claims: Sequence[Claim], amount: int) -> list[tuple[Claim, int]]:
    """``amount`` spread over the claims in proportion to what each is still owed (fen; the remainder
    one fen at a time in registration order), never more than a claim's outstanding."""
    total = sum(c.outstanding for c in claims)
    if amount >= total:
        return [(c, c.outstanding) for c in claims]
    shares = [amount * c.outstanding // total for c in claims]
    left = amount - sum(shares)
    for i, claim in enumerate(claims):
        if left <= 0:
            break
        if shares[i] < claim.outstanding:
            shares[i] += 1
            left -= 1
    return [(c, s) for c, s in zip(claims, shares, strict=True) if s > 0]


def draw_paid(
    *, actor: User, draw: DepositDraw, paid_on: datetime.date | None, reference: str = ""
) -> DepositDraw:
    """The bank paid the draw: the workers' confirmed claims are paid (ledger entries with source
    工资保证金, in proportion to what each is owed, at most what is still owed), the deposit's balance
    goes down by what was paid, and the contractor's top-up falls due (``deposit.topup_working_days``
    working days after the payment)."""
    deposit = draw.deposit
    _require_manager(actor, deposit.project)
    paid_on = _check_day(paid_on, "paid_on", "银行支付日期")
    if paid_on < draw.ordered_on:
        raise DomainError(_("支付日期不能早于动用通知日期"), field="paid_on")
    step = DRAWS.step(draw, K.PAY)
    reference = (reference or "").strip()
    record = param_record("deposit.topup_working_days", on=paid_on)
    n = int(record.typed_value)
    topup_due, calendar_note = working_days_after(paid_on, n)
    with transaction.atomic(), acting(actor):
        _lock(deposit)
        claims = confirmed_outstanding(draw.case)
        pay = min(draw.amount, sum(c.outstanding for c in claims))
        if pay <= 0:
            raise DomainError(_("本案已无经确认尚欠的欠薪，无需支付"), code="guard")
        run = money.payments_from_deposit(
            actor=actor,
            case=draw.case,
            amounts=_shares(claims, pay),
            paid_on=paid_on,
            reference=reference or draw.reference,
            note=f"{deposit.project.name} 工资保证金动用",
        )
        line = _line(deposit, K.PAY, pay, on=paid_on) | {"deposit": deposit}
        DRAWS.move(
            draw,
            step,
            actor=actor,
            note=f"银行支付 ¥{format_yuan(pay)}（{draw.case.number}），{topup_due:%Y-%m-%d} 前补足"
            + (f"，{reference}" if reference else ""),
            values={
                "paid_on": paid_on,
                "paid_amount": pay,
                "paid_reference": reference[:100],
                "run": run,
                "topup_due_on": topup_due,
                "topup_basis": (
                    f"{record.citation}：支付后 {n} 个工作日（参数 deposit.topup_working_days={n}）{calendar_note}"
                )[:300],
            },
            event=line,
        )
    _notify(deposit, f"工资保证金已支付 ¥{format_yuan(pay)}，总包单位应于 {topup_due:%Y-%m-%d} 前补足")
    return draw


# --- return -----------------------------------------------------------------------------------------------


def open_cases(project: Project) -> QuerySet[Case]:
    return Case.objects.filter(project=project).exclude(stage=Stage.CLOSED)


def arrears_signals(deposit: Deposit, since: datetime.date) -> QuerySet[Signal]:
    """Reports of arrears on the project (or about its general contractor there) received since ``since``,
    except those found unfounded."""
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=timezone.get_current_timezone())
    return (
        Signal.objects.filter(project=deposit.project, kind__in=ARREARS_SIGNAL_KINDS, received_at__gte=start)
        .exclude(verification=Verification.UNFOUNDED)
        .order_by("received_at")
    )


def deposit_return_request(
    *, actor: User, deposit: Deposit, completed_on: datetime.date | None, note: str = ""
) -> Deposit:
    """The project is complete and the contractor pledges no arrears: the return's public notice starts
    today for ``deposit.return_notice_days`` days; the review falls due
    ``deposit.return_review_working_days`` working days after it ends."""
    _require_manager(actor, deposit.project)
    completed_on = _check_day(completed_on, "completed_on", "竣工日期")
    if completed_on < deposit.contract_signed_on:
        raise DomainError(_("竣工日期不能早于合同签订日期"), field="completed_on")
    DEPOSITS.step(deposit, K.RETURN_REQUEST)
    if open_cases(deposit.project).exists():
        raise DomainError(_("项目尚有未结案的欠薪案件，不能申请返还保证金"), code="guard")
    if DepositDraw.objects.filter(deposit=deposit, status=DrawStatus.ORDERED).exists():
        raise DomainError(_("尚有待银行支付的动用，不能申请返还保证金"), code="guard")
    today = timezone.localdate()
    days_record = param_record("deposit.return_notice_days", on=today)
    days = int(days_record.typed_value)
    until = today + datetime.timedelta(days=days - 1)
    review_record = param_record("deposit.return_review_working_days", on=today)
    r = int(review_record.typed_value)
    review_due, calendar_note = working_days_after(until, r)
    basis = (
        f"{days_record.citation}：公示 {days} 日（参数 deposit.return_notice_days={days}），"
        f"期满后 {r} 个工作日内审核（参数 deposit.return_review_working_days={r}）{calendar_note}"
    )
    with transaction.atomic(), acting(actor):
        _move(
            deposit,
            K.RETURN_REQUEST,
            actor=actor,
            on=today,
            note=(note or "").strip() or f"竣工 {completed_on:%Y-%m-%d}，公示至 {until:%Y-%m-%d}",
            values={
                "completed_on": completed_on,
                "notice_from": today,
                "notice_until": until,
                "review_due_on": review_due,
                "review_basis": basis[:300],
                "review_flagged_at": None,
            },
        )
    _notify(deposit, f"工资保证金返还公示 {today:%Y-%m-%d} 至 {until:%Y-%m-%d}")
    return deposit


def return_problems(deposit: Deposit, today: datetime.date) -> list[str]:
    """Why the deposit cannot be returned today (empty when it can)."""
    problems = []
    if deposit.notice_until is not None and today <= deposit.notice_until:
        problems.append(f"公示期至 {deposit.notice_until:%Y-%m-%d}，尚未期满")
    cases = list(open_cases(deposit.project).values_list("number", flat=True))
    if cases:
        problems.append(f"项目尚有未结案的欠薪案件：{'、'.join(cases)}")
    if deposit.notice_from is not None:
        signals = list(arrears_signals(deposit, deposit.notice_from)[:5])
        if signals:
            problems.append(
                f"公示期间收到欠薪反映 {len(signals)} 条（"
                + "、".join(f"{timezone.localtime(s.received_at):%Y-%m-%d}" for s in signals)
                + "），请核实处理后再行申请"
            )
    return problems


def deposit_return_decide(
    *,
    actor: User,
    deposit: Deposit,
    approve: bool,
    returned_on: datetime.date | None = None,
    note: str = "",
) -> Deposit:
    """After the notice: return the balance (refused while a case on the project is open or arrears were
    reported during the notice), or refuse with the reason (the deposit is held again)."""
    _require_manager(actor, deposit.project)
    note = (note or "").strip()
    today = timezone.localdate()
    with transaction.atomic(), acting(actor):
        if not approve:
            if not note:
                raise DomainError(_("不予返还须说明理由"), field="note")
            _move(deposit, K.RETURN_REFUSE, actor=actor, on=today, note=note)
            return deposit
        DEPOSITS.step(deposit, K.RETURN)
        returned_on = _check_day(returned_on, "returned_on", "返还日期")
        problems = return_problems(deposit, today)
        if problems:
            raise DomainError(_("不能返还：") + "；".join(problems), code="guard")
        if deposit.notice_until is not None and returned_on <= deposit.notice_until:
            raise DomainError(_("返还日期须在公示期满之后"), field="returned_on")
        _seq, balance = _lock(deposit)
        _move(
            deposit,
            K.RETURN,
            actor=actor,
            on=returned_on,
            amount=balance,
            note=note or f"返还 ¥{format_yuan(balance)}",
            values={"returned_on": returned_on},
        )
    _notify(deposit, f"工资保证金已返还 ¥{format_yuan(balance)}")
    return deposit


# --- tick -------------------------------------------------------------------------------------------------


def _flag(row: Any, field: str, now: datetime.datetime) -> bool:
    return guarded_update(type(row).objects.filter(**{f"{field}__isnull": True}), row.pk, **{field: now}) == 1


def deposits_sweep(*, now: datetime.datetime | None = None) -> int:
    """``tick``: each once — a deposit past its due date not deposited or short of the required amount; a
    draw the bank has not paid by its date; a paid draw not topped up by its date; a return whose
    notice has ended and whose review is due. The supervising department and the office are told.
    Returns how many were flagged."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    actor = system_actor()
    done = 0
    with transaction.atomic(), acting(actor):
        late = (
            with_balance(
                Deposit.objects.select_related("project__supervisor").filter(
                    late_flagged_at__isnull=True, due_on__lt=today, status__in=(S.REQUIRED, S.HELD)
                )
            )
            .annotate(
                # what paid draws took and the contractor still has time to top up is not a short deposit
                topup_owed=Coalesce(
                    Subquery(
                        DepositDraw.objects.filter(deposit_id=OuterRef("pk"), status=DrawStatus.PAID)
                        .order_by()
                        .values("deposit_id")
                        .annotate(s=Sum(F("paid_amount") - F("topped_up")))
                        .values("s"),
                        output_field=IntegerField(),
                    ),
                    Value(0),
                )
            )
            .filter(Q(status=S.REQUIRED) | Q(balance__lt=F("required") - F("topup_owed")))
        )
        for deposit in late:
            balance = deposit.balance  # type: ignore[attr-defined]
            if not _flag(deposit, "late_flagged_at", now):
                continue
            text = (
                f"工资保证金逾期未存储：应于 {deposit.due_on:%Y-%m-%d} 前存储 ¥{format_yuan(deposit.required)}"
                if deposit.status == S.REQUIRED
                else f"工资保证金存储不足：应存 ¥{format_yuan(deposit.required)}，现余额 ¥{format_yuan(balance)}"
            )
            _append(deposit, K.FLAG, actor=actor, on=today, note=text, now=now)
            _notify(deposit, text)
            done += 1
        for draw in DepositDraw.objects.select_related("deposit__project__supervisor", "case").filter(
            status=DrawStatus.ORDERED, bank_flagged_at__isnull=True, bank_due_on__lt=today
        ):
            if not _flag(draw, "bank_flagged_at", now):
                continue
            text = f"银行逾期未支付保证金动用 ¥{format_yuan(draw.amount)}（{draw.case.number}，期限 {draw.bank_due_on:%Y-%m-%d}）"
            _append(draw.deposit, K.FLAG, actor=actor, on=today, note=text, draw=draw, now=now)
            _notify(draw.deposit, text)
            done += 1
        for draw in DepositDraw.objects.select_related("deposit__project__supervisor", "case").filter(
            status=DrawStatus.PAID, topup_flagged_at__isnull=True, topup_due_on__lt=today
        ):
            if not _flag(draw, "topup_flagged_at", now):
                continue
            text = f"总包单位逾期未补足保证金：尚差 ¥{format_yuan(draw.topup_left)}（期限 {draw.topup_due_on:%Y-%m-%d}）"
            _append(draw.deposit, K.FLAG, actor=actor, on=today, note=text, draw=draw, now=now)
            _notify(draw.deposit, text)
            done += 1
        for deposit in Deposit.objects.select_related("project__supervisor").filter(  # type: ignore[assignment]
            status=S.NOTICE, review_flagged_at__isnull=True, notice_until__lt=today
        ):
            if not _flag(deposit, "review_flagged_at", now):
                continue
            text = f"工资保证金返还公示已于 {deposit.notice_until:%Y-%m-%d} 期满，请于 {deposit.review_due_on:%Y-%m-%d} 前审核"
            _append(deposit, K.FLAG, actor=actor, on=today, note=text, now=now)
            _notify(deposit, text)
            done += 1
    return done
