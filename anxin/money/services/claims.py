"""欠薪确认 (§四(六) 区人社局要严格把关，确定欠薪金额): each worker's claim on a case, registered by the lead
unit or the office, confirmed by 人社局 or the office, and changed after confirmation only by a recorded
correction. The case's registered amount follows the claims (``case_amount_from_claims``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.cases.models import Case, CaseEvent
from anxin.cases.services.common import add_event, is_lead
from anxin.cases.services.opening import case_amount_from_claims
from anxin.core.access import is_system
from anxin.core.audit import acting, guarded_update
from anxin.core.crypto import blind_index
from anxin.core.errors import DomainError
from anxin.core.money import format_yuan
from anxin.core.transitions import Transition, Workflow
from anxin.core.validators import mask_id_number, validate_id_number, validate_phone
from anxin.money.models import Basis, Claim, ClaimEvent, ClaimStatus
from anxin.org.models import Role, User

CONFIRMING_DUTY = "labour-inspection"  # §三(七) 人社局: 劳动保障监察 — confirms the arrears (§四(六))
MAX_CLAIM_FEN = 10_000_000_000  # ¥1 亿 for one worker: beyond it a figure is a typing error

CONFIRM = "confirm"
CLAIMS = Workflow(
    model=Claim,
    field="status",
    event_model=ClaimEvent,
    event_object="claim",
    event_action="kind",
    noun=_("欠薪确认"),
    rows=[Transition(ClaimStatus.CLAIMED, CONFIRM, ClaimStatus.CONFIRMED, "money.confirm_claim", who="hrss")],
    action_labels={CONFIRM: "确认"},
)


@dataclass
class ClaimInput:
    """One worker's claim as typed, imported or posted (amount in fen)."""

    name: str
    id_number: str
    period_from: datetime.date | None
    period_to: datetime.date | None
    amount: int
    basis: str
    phone: str = ""
    months: int | None = None
    note: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def may_register(actor: User, case: Case) -> bool:
    """The lead unit or the office (§四(六): the town or department handling the dispute)."""
    return is_system(actor) or (actor.has_perm("money.add_claim") and is_lead(actor, case))


def may_confirm(actor: User) -> bool:
    """人社局 (the unit with the labour-inspection duty) or the office."""
    if is_system(actor) or actor.has_role(Role.OFFICE):
        return actor.has_perm("money.confirm_claim") or is_system(actor)
    return bool(
        actor.has_role(Role.DEPARTMENT)
        and actor.has_perm("money.confirm_claim")
        and CONFIRMING_DUTY in actor.duty_codes
    )


def month_span(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def check_claim(row: ClaimInput, *, today: datetime.date) -> dict[str, str]:
    """Every problem of one row, by field (empty when it is good). Normalises the row in place."""
    errors: dict[str, str] = {}
    row.name = (row.name or "").strip()
    if not row.name:
        errors["name"] = _("请填写姓名")
    elif len(row.name) > 50:
        errors["name"] = _("姓名不能超过50个字")
    try:
        row.id_number = validate_id_number(row.id_number, today=today)
    except ValidationError as e:
        errors["id_number"] = e.messages[0]
    if (row.phone or "").strip():
        try:
            row.phone = validate_phone(row.phone)
        except ValidationError as e:
            errors["phone"] = e.messages[0]
    else:
        row.phone = ""
    if row.period_from is None:
        errors["period_from"] = _("请填写欠薪起始月（如 2026-09）")
    if row.period_to is None:
        errors["period_to"] = _("请填写欠薪截止月（如 2026-11）")
    if row.period_from and row.period_to:
        row.period_from, row.period_to = row.period_from.replace(day=1), row.period_to.replace(day=1)
        span = month_span(row.period_from, row.period_to)
        if span < 1:
            errors["period_to"] = _("欠薪截止月不能早于起始月")
        elif row.period_to > today.replace(day=1):
            errors["period_to"] = _("欠薪截止月不能晚于本月")
        elif row.months is None:
            row.months = span
        elif not 1 <= row.months <= span:
            errors["months"] = _("欠薪月数应在 1 到 %(n)d 之间（%(a)s 至 %(b)s）") % {
                "n": span,
                "a": f"{row.period_from:%Y-%m}",
                "b": f"{row.period_to:%Y-%m}",
            }
    if row.amount is None or row.amount <= 0:
        errors["amount"] = _("申报金额须大于零")
    elif row.amount > MAX_CLAIM_FEN:
        errors["amount"] = _("申报金额超过 1 亿元，请核对")
    if row.basis not in Basis.values:
        errors["basis"] = _("认定依据须为：%(b)s") % {"b": "、".join(str(b.label) for b in Basis)}
    row.note = (row.note or "").strip()[:300]
    return errors


def _refusal(errors: dict[str, str]) -> DomainError:
    name, message = next(iter(errors.items()))
    return (
        DomainError("；".join(errors.values()), field=name)
        if len(errors) > 1
        else DomainError(message, field=name)
    )


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise DomainError(_("案件已结案，不能再登记或更改欠薪和支付"), code="transition")


def claims_register(*, actor: User, case: Case, rows: list[ClaimInput]) -> list[Claim]:
    """Register the claims of many workers on a case: all of them or none. A row's problems are in
    ``row.errors``; when any row has one, :class:`DomainError` names the first rows (第 N 行) and
    nothing is written. The same ID number twice (in the rows, or already on the case) is refused."""
    _require_open(case)
    if not may_register(actor, case):
        raise PermissionDenied(_("只有牵头单位或联席办可以登记欠薪"))
    if not rows:
        raise DomainError(_("请至少登记一名劳动者"))
    today = timezone.localdate()
    seen: dict[str, int] = {}
    existing = set(Claim.objects.filter(case=case).values_list("id_number_index", flat=True))
    for n, row in enumerate(rows, start=1):
        row.errors = check_claim(row, today=today)
        if "id_number" not in row.errors:
            index = blind_index(row.id_number, purpose="id_number")
            if index in existing:
                row.errors["id_number"] = _("身份证号 %(id)s 的劳动者在本案已登记") % {
                    "id": mask_id_number(row.id_number)
                }
            elif index in seen:
                row.errors["id_number"] = _("与第 %(n)d 行的身份证号重复") % {"n": seen[index]}
            else:
                seen[index] = n
    bad = [(n, row) for n, row in enumerate(rows, start=1) if row.errors]
    if bad:
        if len(rows) == 1:
            raise _refusal(bad[0][1].errors)
        shown = "；".join(f"第 {n} 行：{'，'.join(row.errors.values())}" for n, row in bad[:5])
        more = _("等 %(n)d 行") % {"n": len(bad)} if len(bad) > 5 else ""
        raise DomainError(_("未登记，请更正后重新提交：%(e)s%(m)s") % {"e": shown, "m": more})
    now = timezone.now()
    signals = _reports_by_id(case)
    with transaction.atomic(), acting(actor):
        Case.objects.select_for_update().get(pk=case.pk)  # one writer of a case's claims at a time
        claims = [
            Claim(  # type: ignore[misc]  # the periods and months are set: check_claim passed every row
                case=case,
                name=row.name,
                id_number=row.id_number,
                id_number_index=blind_index(row.id_number, purpose="id_number"),
                phone=row.phone,
                period_from=row.period_from,
                period_to=row.period_to,
                months=row.months,
                amount=row.amount,
                basis=row.basis,
                note=row.note,
                signal_id=signals.get(row.id_number),
                registered_by=actor,
                registered_at=now,
            )
            for row in rows
        ]
        try:
            with transaction.atomic():
                made = Claim.objects.bulk_create(claims)
        except IntegrityError:
            raise DomainError(_("有劳动者已被他人同时登记，请刷新后查看"), code="conflict") from None
        if not all(c.pk for c in made):  # backends that do not return keys from bulk_create
            made = list(Claim.objects.filter(case=case, registered_at=now).order_by("pk"))
        ClaimEvent.objects.bulk_create(
            [
                ClaimEvent(claim=c, kind=ClaimEvent.Kind.REGISTER, actor=actor, at=now, to_amount=c.amount)
                for c in made
            ]
        )
        total = sum(c.amount for c in made)
        add_event(
            case,
            CaseEvent.Kind.NOTE,
            actor,
            now,
            f"登记欠薪 {len(made)} 人，申报 ¥{format_yuan(total)}"
            + (f"（{made[0].name}）" if len(made) == 1 else ""),
        )
        refresh_case_amount(case, actor=actor, now=now)
    return made


def claim_register(*, actor: User, case: Case, row: ClaimInput) -> Claim:
    """One worker's claim (the screen's form, the API)."""
    return claims_register(actor=actor, case=case, rows=[row])[0]


def _reports_by_id(case: Case) -> dict[str, int]:
    """The case's portal reports by the reporter's ID number: a claim whose worker reported is linked
    to the report, so the worker sees what has been paid to them with their tracking code."""
    found: dict[str, int] = {}
    # the number is encrypted: it cannot be filtered on, only read
    for signal in case.signals.only("pk", "reporter_id_number").order_by("pk"):
        if signal.reporter_id_number:
            found.setdefault(signal.reporter_id_number, signal.pk)
    return found


def refresh_case_amount(case: Case, *, actor: User, now: datetime.datetime) -> None:
    """The case's registered amount and workers follow its claims: each worker's confirmed amount, or
    the claimed one before confirmation. Inside the caller's transaction."""
    sums = Claim.objects.filter(case=case).aggregate(
        n=Count("pk"),
        claimed=Sum("amount", filter=Q(confirmed_amount__isnull=True)),
        confirmed=Sum("confirmed_amount"),
    )
    owed = int(sums["claimed"] or 0) + int(sums["confirmed"] or 0)
    case_amount_from_claims(actor=actor, case=case, amount=owed, workers=sums["n"], now=now)


def claim_confirm(*, actor: User, claim: Claim, amount: int | None = None, note: str = "") -> Claim:
    """人社局 (or the office) confirms one worker's arrears. ``amount`` (fen) defaults to the claimed
    amount; a different amount needs a note saying why. Never below what has been paid already."""
    step = CLAIMS.step(claim, CONFIRM)
    _require_open(claim.case)
    if not may_confirm(actor):
        raise PermissionDenied(_("只有区人社局或联席办可以确认欠薪金额"))
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        _confirm(claim, step, actor=actor, amount=amount, note=note, now=now)
        add_event(
            claim.case,
            CaseEvent.Kind.NOTE,
            actor,
            now,
            f"确认 {claim.name} 欠薪 ¥{format_yuan(claim.confirmed_amount or 0)}"
            + (f"（申报 ¥{format_yuan(claim.amount)}：{claim.confirm_note}）" if claim.confirm_note else ""),
        )
        refresh_case_amount(claim.case, actor=actor, now=now)
    return claim


def _confirm(
    claim: Claim, step: Transition, *, actor: User, amount: int | None, note: str, now: datetime.datetime
) -> None:
    amount = claim.amount if amount is None else amount
    note = (note or "").strip()
    if amount < 0:
        raise DomainError(_("确认金额不能为负数"), field="amount")
    if amount > MAX_CLAIM_FEN:
        raise DomainError(_("确认金额超过 1 亿元，请核对"), field="amount")
    if amount != claim.amount and not note:
        raise DomainError(
            _("确认金额 ¥%(c)s 与申报金额 ¥%(a)s 不同，请说明理由")
            % {"c": format_yuan(amount), "a": format_yuan(claim.amount)},
            field="note",
        )
    current = Claim.objects.select_for_update().get(pk=claim.pk)
    if amount < current.paid:
        raise DomainError(
            _("%(n)s 已支付 ¥%(p)s，确认金额不能低于已付金额")
            % {"n": claim.name, "p": format_yuan(current.paid)},
            field="amount",
        )
    CLAIMS.move(
        claim,
        step,
        actor=actor,
        note=note,
        values={
            "confirmed_amount": amount,
            "confirm_note": note[:300],
            "confirmed_by": actor,
            "confirmed_at": now,
        },
        event={"from_amount": claim.amount, "to_amount": amount},
        now=now,
        conflict=_("该劳动者的欠薪已被他人确认，请刷新后查看"),
    )


def claims_confirm(*, actor: User, case: Case) -> int:
    """Confirm every claim of the case still waiting, each at its claimed amount (确认全部). Returns
    how many were confirmed; claims to confirm at another amount are confirmed one by one first."""
    _require_open(case)
    if not may_confirm(actor):
        raise PermissionDenied(_("只有区人社局或联席办可以确认欠薪金额"))
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        pending = list(Claim.objects.select_for_update().filter(case=case, status=ClaimStatus.CLAIMED))
        if not pending:
            raise DomainError(_("本案没有待确认的欠薪"), code="transition")
        for claim in pending:
            _confirm(claim, CLAIMS.step(claim, CONFIRM), actor=actor, amount=None, note="", now=now)
        add_event(
            case,
            CaseEvent.Kind.NOTE,
            actor,
            now,
            f"按申报金额确认欠薪 {len(pending)} 人，共 ¥{format_yuan(sum(c.amount for c in pending))}",
        )
        refresh_case_amount(case, actor=actor, now=now)
    return len(pending)


def claim_correct(*, actor: User, claim: Claim, amount: int, reason: str) -> Claim:
    """Change a confirmed amount: a recorded correction (from → to, why, who), never an edit. Not
    below what has been paid."""
    _require_open(claim.case)
    if not may_confirm(actor):
        raise PermissionDenied(_("只有区人社局或联席办可以更正确认金额"))
    if not claim.is_confirmed:
        raise DomainError(_("尚未确认的欠薪请直接确认"), code="transition")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("更正确认金额须说明理由"), field="reason")
    if amount is None or amount < 0:
        raise DomainError(_("确认金额不能为负数"), field="amount")
    if amount > MAX_CLAIM_FEN:
        raise DomainError(_("确认金额超过 1 亿元，请核对"), field="amount")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        current = Claim.objects.select_for_update().get(pk=claim.pk)
        old = current.confirmed_amount
        if amount == old:
            raise DomainError(_("新金额与现确认金额相同"), field="amount")
        if amount < current.paid:
            raise DomainError(
                _("已支付 ¥%(p)s，确认金额不能低于已付金额") % {"p": format_yuan(current.paid)},
                field="amount",
            )
        if guarded_update(Claim.objects.filter(confirmed_amount=old), claim.pk, confirmed_amount=amount) != 1:
            raise DomainError(_("该劳动者的欠薪已被他人更正，请刷新后查看"), code="conflict")
        ClaimEvent.objects.create(
            claim=claim,
            kind=ClaimEvent.Kind.CORRECT,
            actor=actor,
            at=now,
            note=reason[:500],
            from_amount=old,
            to_amount=amount,
        )
        add_event(
            claim.case,
            CaseEvent.Kind.NOTE,
            actor,
            now,
            f"更正 {claim.name} 确认金额：¥{format_yuan(old or 0)} → ¥{format_yuan(amount)}（{reason}）",
        )
        refresh_case_amount(claim.case, actor=actor, now=now)
    claim.refresh_from_db()
    return claim
