"""The emergency revolving funds (区、镇两级欠薪应急周转资金, §四(八)) and their append-only ledgers,
kept by 财政局 (§三(八) 负责应急周转资金的审核、监管、拨付工作，做好相关账目台账).

A fund's balance is the last entry's ``balance_after``; every entry is appended by ``append_entry``
under the fund's row lock, numbered ``seq`` (unique per fund) and checked by the database never to
go below zero — so two approvals racing for the last yuan cannot both be written."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.cases.models import ActionKind, ActionStatus, ActionStep, AssetItem, Case, CaseEvent, LegalAction
from anxin.cases.services.common import add_event, is_lead
from anxin.core.access import is_system
from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.core.models import ParameterType, PolicyParameter
from anxin.core.money import format_yuan
from anxin.core.policy import param_record
from anxin.core.transitions import Transition, Workflow
from anxin.money import funds_selectors
from anxin.money.models import (
    BALANCE_SIGN,
    FUND_DUTY,
    PROCEEDS_SOURCES,
    Advance,
    AdvanceEvent,
    AdvanceItem,
    AdvanceStatus,
    Allocation,
    AllocationKind,
    Claim,
    Fund,
    FundEntry,
    FundEntryKind,
    FundLevel,
    PaymentSource,
    Proceeds,
    Situation,
)
from anxin.money.services.claims import CONFIRMING_DUTY
from anxin.money.services.ledger import write_payments
from anxin.notify.services import notify_units
from anxin.org.models import Role, Town, Unit, User

DISTRICT_FUND = "district"


def town_fund_code(town: Town) -> str:
    return f"town-{town.code}"


def funds_ensure(data: dict, *, actor: User, log: Callable[[str], Any]) -> None:
    """``seam.DISTRICT_SECTIONS``: the district's fund and one per town (§四(八) 区、镇两级), named
    after them; idempotent (a renamed town renames its fund)."""
    district = (data.get("district") or {}).get("name") or _("区")
    wanted: dict[str, tuple[str, FundLevel, Town | None]] = {
        DISTRICT_FUND: (f"{district}欠薪应急周转资金", FundLevel.DISTRICT, None)
    }
    for town in Town.objects.all():
        wanted[town_fund_code(town)] = (f"{town.name}欠薪应急周转资金", FundLevel.TOWN, town)
    made = 0
    with transaction.atomic(), acting(actor):
        for code, (name, level, where) in wanted.items():
            fund, created = Fund.objects.get_or_create(
                code=code, defaults={"name": name, "level": level, "town": where}
            )
            made += created
            if not created and fund.name != name:  # the town's name changed
                fund.name = name
                fund.save(update_fields=["name"])
    log(f"应急周转资金：{len(wanted)} 个（新建 {made}）")


def is_finance(actor: User) -> bool:
    """财政局: the unit with the fund's duty (§三(八)) — reviews, approves and pays out."""
    return bool(actor.has_role(Role.DEPARTMENT) and FUND_DUTY in actor.duty_codes)


def balance(fund: Fund) -> int:
    last = (
        FundEntry.objects.filter(fund=fund).order_by("-seq").values_list("balance_after", flat=True).first()
    )
    return int(last or 0)


def append_entry(
    fund: Fund,
    *,
    kind: str,
    amount: int,
    on: datetime.date,
    actor: User,
    now: datetime.datetime,
    reference: str = "",
    note: str = "",
    advance: Advance | None = None,
    proceeds: Proceeds | None = None,
) -> FundEntry:
    """Append one entry to ``fund``'s ledger inside the caller's transaction, under the fund's row
    lock. Refuses an amount not above zero and a balance that would go below zero (the database
    refuses it too, and a second writer of the same ``seq``)."""
    if amount is None or amount <= 0:
        raise DomainError(_("金额须大于零"), field="amount")
    Fund.objects.select_for_update().get(pk=fund.pk)
    last = FundEntry.objects.filter(fund=fund).order_by("-seq").values("seq", "balance_after").first()
    seq, before = (last["seq"], last["balance_after"]) if last else (0, 0)
    after = before + BALANCE_SIGN[FundEntryKind(kind)] * amount
    if after < 0:
        raise DomainError(
            _("%(f)s余额 ¥%(b)s，不足以支付 ¥%(a)s")
            % {"f": fund.name, "b": format_yuan(before), "a": format_yuan(amount)},
            field="amount",
        )
    try:
        with transaction.atomic():
            return FundEntry.objects.create(
                fund=fund,
                seq=seq + 1,
                kind=kind,
                amount=amount,
                balance_after=after,
                on=on,
                reference=reference[:100],
                note=note[:500],
                advance=advance,
                proceeds=proceeds,
                recorded_by=actor,
                recorded_at=now,
            )
    except IntegrityError:
        raise DomainError(_("周转金台账已被他人同时更新，请刷新后重试"), code="conflict") from None


def fund_appropriate(
    *, actor: User, fund: Fund, amount: int, on: datetime.date | None, reference: str = "", note: str = ""
) -> FundEntry:
    """财政 拨入: money appropriated into a fund (财政局, or the office), with its reference."""
    if not (
        is_system(actor)
        or (actor.has_perm("money.appropriate_fund") and (is_finance(actor) or actor.has_role(Role.OFFICE)))
    ):
        raise PermissionDenied(_("只有区财政局或联席办可以登记周转金拨入"))
    if on is None:
        raise DomainError(_("请填写拨入日期"), field="date")
    if on > timezone.localdate():
        raise DomainError(_("拨入日期不能晚于今天"), field="date")
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("请填写拨款文号或凭证号"), field="reference")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        return append_entry(
            fund,
            kind=FundEntryKind.APPROPRIATION,
            amount=amount,
            on=on,
            actor=actor,
            now=now,
            reference=reference,
            note=(note or "").strip(),
        )


# --- advances (§四(八)): requested on a case, reviewed and paid out by 财政局 -------------------------------

SUBMIT, APPROVE, RETURN = "submit", "approve", "return"
ADVANCES = Workflow(
    model=Advance,
    field="status",
    event_model=AdvanceEvent,
    event_object="advance",
    event_from="from_status",
    event_to="to_status",
    noun=_("周转金申请"),
    rows=[
        Transition(
            AdvanceStatus.SUBMITTED, APPROVE, AdvanceStatus.APPROVED, "money.approve_advance", who="finance"
        ),
        Transition(
            AdvanceStatus.SUBMITTED,
            RETURN,
            AdvanceStatus.RETURNED,
            "money.approve_advance",
            who="finance",
            reason_required=True,
        ),
    ],
    action_labels={APPROVE: "审核拨付", RETURN: "退回"},
)

CLAUSE = "§四(八)"
TOPIC_ADVANCE = "fund-advance"
TOPIC_OVERDUE = "fund-overdue"


class AdvanceRefused(DomainError):
    """A request refused for one or more failing preconditions or items: ``checks`` holds every
    check as found (the failing ones have ``ok`` False), ``problems`` the items' own problems."""

    def __init__(self, message: str, *, field: str | None, checks: list[dict], problems: list[str]):
        super().__init__(message, field=field)
        self.checks = checks
        self.problems = problems


def finance_unit_ids() -> list[int]:
    """The units with the fund's duty (财政局, §三(八))."""
    return list(Unit.objects.filter(duties__code=FUND_DUTY).values_list("pk", flat=True).distinct())


def may_request(actor: User, case: Case, fund: Fund) -> bool:
    """§四(八) 区、镇两级: a town asks its own town's fund for a case in that town; the case's lead
    unit (or the office) asks the district's."""
    if is_system(actor):
        return True
    if not actor.has_perm("money.request_advance"):
        return False
    if fund.level == FundLevel.TOWN:
        return bool(
            actor.has_role(Role.TOWN)
            and fund.town_id in actor.scope.town_ids
            and case.town_id == fund.town_id
        )
    return is_lead(actor, case)


def may_approve(actor: User) -> bool:
    """Only 财政局 reviews and pays out (§三(八)); the office sees, it does not approve."""
    return is_system(actor) or (actor.has_perm("money.approve_advance") and is_finance(actor))


def may_write_off(actor: User) -> bool:
    """A write-off is the office's decision (the joint conference's, recorded by 联席办)."""
    return is_system(actor) or bool(actor.has_role(Role.OFFICE) and actor.has_perm("money.appropriate_fund"))


def may_record_proceeds(actor: User, case: Case) -> bool:
    """The lead unit, the office, 人社局, or the unit handling a court action on the case."""
    if is_system(actor):
        return True
    if not actor.has_perm("money.record_proceeds"):
        return False
    if is_lead(actor, case) or (actor.has_role(Role.DEPARTMENT) and CONFIRMING_DUTY in actor.duty_codes):
        return True
    return bool(
        actor.has_role(Role.DEPARTMENT)
        and actor.unit_id
        and LegalAction.objects.filter(case=case, kind=ActionKind.COURT, unit_id=actor.unit_id)
        .exclude(status=ActionStatus.CANCELLED)
        .exists()
    )


def _check(code: str, label: str, ok: bool, detail: str, clause: str = CLAUSE, **extra: Any) -> dict:
    return {"code": code, "label": label, "clause": clause, "ok": bool(ok), "detail": detail, **extra}


def _court_actions(case: Case) -> list[LegalAction]:
    return list(
        LegalAction.objects.filter(case=case, kind=ActionKind.COURT)
        .exclude(status__in=[ActionStatus.CANCELLED, ActionStatus.REFUSED])
        .prefetch_related("steps")
        .order_by("pk")
    )


def fund_advanced(claim_ids: list[int], *, exclude: Advance | None = None) -> dict[int, int]:
    """Fen each worker has already been advanced by approved advances (any fund), ``exclude`` left out."""
    rows = AdvanceItem.objects.filter(claim_id__in=claim_ids, advance__status=AdvanceStatus.APPROVED)
    if exclude is not None:
        rows = rows.exclude(advance=exclude)
    return {
        row["claim_id"]: int(row["t"]) for row in rows.order_by().values("claim_id").annotate(t=Sum("amount"))
    }


def share_room(claim: Claim, advanced: int, pct: int) -> int:
    """How much more the fund may advance to this worker under the share cap: the share applies to
    what the worker was owed before any advance (today's outstanding plus what the fund already
    advanced), so asking twice never advances more than the share in all."""
    return max((claim.outstanding + advanced) * pct // 100 - advanced, 0)


def _evidence(record: PolicyParameter) -> dict:
    """The value used, as stored (``value``, ``unit``) and as a person reads it (``shown``: money in
    yuan, never the stored 分)."""
    money = record.value_type == ParameterType.MONEY
    shown = f"¥{format_yuan(int(record.value))}" if money else f"{record.value}{record.unit}"
    return {**record.as_evidence(), "name": record.name, "shown": shown}


def _next_advance_number(year: int) -> str:
    prefix = f"ZZJ{year}-"
    last = (
        Advance.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{(int(last.split('-')[1]) + 1) if last else 1:04d}"


def advance_checks(
    *,
    case: Case,
    fund: Fund,
    situation: str,
    hardship: bool,
    incident_risk: bool,
    assets_note: str,
    items: Sequence[tuple[Claim, int]],
    today: datetime.date,
) -> tuple[list[dict], list[str], str | None]:
    """Every precondition of §四(八) and every cap, as found now: (checks, the items' own problems,
    the field of the first failure). Reads the claims under the caller's locks."""
    checks: list[dict] = []
    problems: list[str] = []
    first_field: str | None = None

    def fail(field: str) -> None:
        nonlocal first_field
        first_field = first_field or field

    # (a) one of the two situations
    ok = situation in Situation.values
    checks.append(
        _check(
            "situation",
            _("适用情形：企业经营者逃逸，或企业资产一时难以变现"),
            ok,
            str(Situation(situation).label) if ok else _("未选择适用情形（只能是以上两种之一）"),
        )
    )
    if not ok:
        fail("situation")
    # (b) hardship and the risk of a mass incident: two checks
    checks.append(
        _check(
            "hardship",
            _("劳动者生活临时困难"),
            hardship,
            _("申请人确认劳动者生活临时困难") if hardship else _("未确认劳动者生活临时困难"),
        )
    )
    if not hardship:
        fail("hardship")
    checks.append(
        _check(
            "incident_risk",
            _("可能引发群体性突发事件"),
            incident_risk,
            _("申请人确认可能引发群体性突发事件") if incident_risk else _("未确认可能引发群体性突发事件"),
        )
    )
    if not incident_risk:
        fail("incident_risk")
    # the items themselves: positive, on the case, each worker once
    claim_ids = [claim.pk for claim, _amount in items]
    current = {c.pk: c for c in Claim.objects.filter(pk__in=claim_ids, case=case)}
    seen: set[int] = set()
    good: list[tuple[Claim, int]] = []
    if not items:
        problems.append(_("请至少填写一名劳动者的垫付金额"))
    for claim, amount in items:
        name = claim.name
        if claim.pk not in current:
            problems.append(_("%(n)s 不是本案登记的劳动者") % {"n": name})
        elif claim.pk in seen:
            problems.append(_("%(n)s 在申请中出现了两次") % {"n": name})
        elif amount is None or amount <= 0:
            problems.append(_("%(n)s 的垫付金额须大于零") % {"n": name})
        else:
            good.append((current[claim.pk], amount))
        seen.add(claim.pk)
    if problems:
        fail("items")
    # (c) facts and arrears established by 人社局 (every worker's claim confirmed) or the court
    courts = _court_actions(case)
    unconfirmed = [c.name for c, _a in good if not c.is_confirmed]
    if courts:
        court = courts[0]
        detail = _("法院绿色通道（%(s)s%(r)s）") % {
            "s": court.get_status_display(),
            "r": f"，{court.reference}" if court.reference else "",
        }
        ok = True
    elif good and not unconfirmed:
        detail = _("人社局已确认申请所列 %(n)d 名劳动者的欠薪") % {"n": len(good)}
        ok = True
    else:
        detail = (
            _("%(names)s 的欠薪尚未经人社局确认，本案也没有法院诉讼") % {"names": "、".join(unconfirmed[:5])}
            if unconfirmed
            else _("没有经人社局确认的欠薪，本案也没有法院诉讼")
        )
        ok = False
    checks.append(_check("established", _("欠薪事实和金额已由人社局或法院认定"), ok, detail))
    if not ok:
        fail("items")
    # (d) assets available for enforcement
    assets = AssetItem.objects.filter(case=case).count()
    preserved = any(
        step.step == ActionStep.Step.PRESERVATION for court in courts for step in court.steps.all()
    )
    note = (assets_note or "").strip()
    found = []
    if assets:
        found.append(_("财产控制清单 %(n)d 项") % {"n": assets})
    if preserved:
        found.append(_("法院已裁定财产保全"))
    if note:
        found.append(_("说明：%(t)s") % {"t": note[:100]})
    ok = bool(found)
    checks.append(
        _check(
            "assets",
            _("企业有可供执行的资产"),
            ok,
            "；".join(found) if ok else _("本案没有财产控制清单、财产保全，也未说明可供执行的资产"),
        )
    )
    if not ok:
        fail("assets_note")
    # the caps (parameters: the values used are kept with the check)
    share = param_record("fund.max_share_percent", on=today)
    per_worker = param_record("fund.max_per_worker", on=today)
    per_case = param_record("fund.max_per_case", on=today)
    pct = int(share.typed_value)
    worker_cap, case_cap = int(per_worker.typed_value), int(per_case.typed_value)
    before = fund_advanced([claim.pk for claim, _amount in good])
    over_share, over_worker = [], []
    for claim, amount in good:
        limit = share_room(claim, before.get(claim.pk, 0), pct)
        if amount > limit:
            over_share.append(
                _("%(n)s 垫付 ¥%(a)s 超过其尚欠 ¥%(o)s 的 %(p)d%%（扣除已垫付后可垫 ¥%(l)s）")
                % {
                    "n": claim.name,
                    "a": format_yuan(amount),
                    "o": format_yuan(claim.outstanding),
                    "p": pct,
                    "l": format_yuan(limit),
                }
            )
        if before.get(claim.pk, 0) + amount > worker_cap:
            over_worker.append(
                _("%(n)s 累计垫付 ¥%(t)s 超过每人上限 ¥%(c)s")
                % {
                    "n": claim.name,
                    "t": format_yuan(before.get(claim.pk, 0) + amount),
                    "c": format_yuan(worker_cap),
                }
            )
    checks.append(
        _check(
            "share_cap",
            _("每人垫付不超过其经确认尚欠金额的 %(p)d%%") % {"p": pct},
            not over_share,
            "；".join(over_share) or _("均未超过"),
            params=[_evidence(share)],
        )
    )
    checks.append(
        _check(
            "worker_cap",
            _("每人累计垫付不超过 ¥%(c)s") % {"c": format_yuan(worker_cap)},
            not over_worker,
            "；".join(over_worker) or _("均未超过"),
            params=[_evidence(per_worker)],
        )
    )
    total = sum(amount for _claim, amount in good)
    case_before = int(
        Advance.objects.filter(case=case, status=AdvanceStatus.APPROVED).aggregate(t=Sum("amount"))["t"] or 0
    )
    ok = case_before + total <= case_cap
    checks.append(
        _check(
            "case_cap",
            _("本案累计垫付不超过 ¥%(c)s") % {"c": format_yuan(case_cap)},
            ok,
            _("本案已垫付 ¥%(b)s，本次申请 ¥%(t)s，合计 ¥%(s)s")
            % {"b": format_yuan(case_before), "t": format_yuan(total), "s": format_yuan(case_before + total)},
            params=[_evidence(per_case)],
        )
    )
    if over_share or over_worker or not ok:
        fail("items")
    left = balance(fund)
    ok = total <= left
    checks.append(
        _check(
            "balance",
            _("申请金额不超过周转金余额"),
            ok,
            _("%(f)s余额 ¥%(b)s，本次申请 ¥%(t)s")
            % {"f": fund.name, "b": format_yuan(left), "t": format_yuan(total)},
            clause="§三(八)",
        )
    )
    if not ok:
        fail("items")
    return checks, problems, first_field


def advance_request(
    *,
    actor: User,
    case: Case,
    fund: Fund,
    situation: str,
    hardship: bool,
    incident_risk: bool,
    assets_note: str,
    items: Sequence[tuple[Claim, int]],
    reason: str = "",
) -> Advance:
    """Ask ``fund`` to advance wages to the workers of ``case`` (§四(八)). Every precondition and cap
    is checked and kept in ``Advance.checks``; a request failing any is refused with every failing
    one named (:class:`AdvanceRefused`), nothing written. 财政局 is told after commit."""
    if not may_request(actor, case, fund):
        if fund.level == FundLevel.TOWN:
            raise PermissionDenied(_("镇级周转金只能由本镇（街道）为本镇（街道）的案件申请"))
        raise PermissionDenied(_("区级周转金由案件牵头单位或联席办申请"))
    if not case.is_open:
        raise DomainError(_("案件已结案，不能再申请周转金"), code="transition")
    items = list(items)
    assets_note = (assets_note or "").strip()[:500]
    reason = (reason or "").strip()
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic(), acting(actor):
        Case.objects.select_for_update().get(pk=case.pk)  # one request of a case at a time
        pending = Advance.objects.filter(case=case, status=AdvanceStatus.SUBMITTED).first()
        if pending is not None:
            raise DomainError(
                _("本案已有待财政局审核的周转金申请 %(n)s，请待审核后再申请") % {"n": pending.number},
                code="conflict",
            )
        checks, problems, field = advance_checks(
            case=case,
            fund=fund,
            situation=situation,
            hardship=hardship,
            incident_risk=incident_risk,
            assets_note=assets_note,
            items=items,
            today=today,
        )
        failing = [c for c in checks if not c["ok"]]
        if failing or problems:
            lines = [f"{c['label']}（{c['clause']}）：{c['detail']}" for c in failing] + problems
            raise AdvanceRefused(
                _("不符合申请条件，未提交：%(e)s") % {"e": "；".join(lines)},
                field=field,
                checks=checks,
                problems=problems,
            )
        total = sum(amount for _claim, amount in items)
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    advance = Advance.objects.create(
                        number=_next_advance_number(today.year),
                        case=case,
                        fund=fund,
                        situation=situation,
                        hardship=hardship,
                        incident_risk=incident_risk,
                        assets_note=assets_note,
                        reason=reason,
                        checks=checks,
                        amount=total,
                        requested_by=actor,
                        requested_at=now,
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - five numbers taken in a row
            raise DomainError(_("编号已被他人同时占用，请重试"), code="conflict")
        AdvanceItem.objects.bulk_create(
            [AdvanceItem(advance=advance, claim=claim, amount=amount) for claim, amount in items]
        )
        ADVANCES.record(advance, SUBMIT, actor=actor, note=reason, target=AdvanceStatus.SUBMITTED, at=now)
        text = _("申请%(f)s垫付 %(n)d 人 ¥%(t)s（%(num)s，%(s)s）") % {
            "f": fund.name,
            "n": len(items),
            "t": format_yuan(total),
            "num": advance.number,
            "s": Situation(situation).label,
        }
        add_event(case, CaseEvent.Kind.NOTE, actor, now, text)
        notify_units(
            unit_ids=finance_unit_ids(),
            subject=f"{case.number} {text}，请审核",
            url=reverse("advance-detail", args=[advance.pk]),
            topic=TOPIC_ADVANCE,
            about=case.enterprise.name,
        )
    return advance


def _require_paid_on(paid_on: datetime.date | None) -> datetime.date:
    if paid_on is None:
        raise DomainError(_("请填写拨付日期"), field="paid_on")
    if paid_on > timezone.localdate():
        raise DomainError(_("拨付日期不能晚于今天"), field="paid_on")
    return paid_on


def advance_approve(
    *, actor: User, advance: Advance, paid_on: datetime.date | None, note: str = ""
) -> Advance:
    """财政局 approves and pays out (§三(八)): one ``advance`` entry on the fund's ledger for the total
    (the balance never goes below zero: of two approvals racing for the last money one wins) and one
    payment per worker from the emergency fund. The items are checked again against what each worker
    is owed now; a change since the request refuses it (return it and ask again)."""
    if not may_approve(actor):
        raise PermissionDenied(_("只有区财政局可以审核拨付应急周转金（联席办可查看，不能审核）"))
    step = ADVANCES.step(advance, APPROVE)
    paid_on = _require_paid_on(paid_on)
    note = (note or "").strip()
    case = advance.case
    if not case.is_open:
        raise DomainError(_("案件已结案，不能再拨付周转金"), code="transition")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        # the case first, as proceeds_record does: the same rows are then always locked in one order
        # (case → claims → fund), never the other way round
        Case.objects.select_for_update().get(pk=case.pk)
        alert = param_record("fund.repay_alert_days", on=paid_on)
        days = int(alert.typed_value)
        ADVANCES.move(
            advance,
            step,
            actor=actor,
            note=note,
            values={
                "decided_by": actor,
                "decided_at": now,
                "decision_note": note,
                "paid_on": paid_on,
                "repay_due_on": paid_on + datetime.timedelta(days=days),
                "repay_due_basis": f"拨付日起 {days} 天（fund.repay_alert_days，{alert.citation}）",
            },
            now=now,
            conflict=_("该周转金申请已被他人审核，请刷新后查看"),
        )
        items = list(AdvanceItem.objects.filter(advance=advance).select_related("claim").order_by("pk"))
        pct = _share_used(advance)
        claims = {
            c.pk: c for c in Claim.objects.select_for_update().filter(pk__in=[i.claim_id for i in items])
        }
        changed = []
        advanced = fund_advanced(list(claims), exclude=advance)
        for item in items:
            claim = claims[item.claim_id]
            limit = share_room(claim, advanced.get(claim.pk, 0), pct)
            if item.amount > limit:
                changed.append(
                    _("%(n)s 现尚欠 ¥%(o)s，垫付 ¥%(a)s 超过其 %(p)d%%（¥%(l)s）")
                    % {
                        "n": claim.name,
                        "o": format_yuan(claim.outstanding),
                        "a": format_yuan(item.amount),
                        "p": pct,
                        "l": format_yuan(limit),
                    }
                )
        if changed:
            raise DomainError(
                _("申请后劳动者的尚欠金额已变化，请退回后重新申请：%(e)s") % {"e": "；".join(changed)},
                field="items",
            )
        append_entry(
            advance.fund,
            kind=FundEntryKind.ADVANCE,
            amount=advance.amount,
            on=paid_on,
            actor=actor,
            now=now,
            reference=advance.number,
            note=_("垫付 %(c)s %(n)d 人") % {"c": case.number, "n": len(items)},
            advance=advance,
        )
        payments = write_payments(
            case,
            [(claims[item.claim_id], item.amount) for item in items],
            actor=actor,
            paid_on=paid_on,
            source=PaymentSource.EMERGENCY_FUND,
            reference=advance.number,
            note=str(advance.fund.name),
            now=now,
        )
        for item, payment in zip(items, payments, strict=True):
            item.payment = payment
        AdvanceItem.objects.bulk_update(items, ["payment"])
        text = _("%(f)s拨付垫付 %(n)d 人 ¥%(t)s（%(num)s，%(d)s）") % {
            "f": advance.fund.name,
            "n": len(items),
            "t": format_yuan(advance.amount),
            "num": advance.number,
            "d": f"{paid_on:%Y-%m-%d}",
        }
        add_event(case, CaseEvent.Kind.NOTE, actor, now, text)
        notify_units(
            unit_ids=[u for u in (case.lead_unit_id, advance.requested_by.unit_id) if u],
            subject=f"{case.number} {text}",
            url=reverse("advance-detail", args=[advance.pk]),
            topic=TOPIC_ADVANCE,
            about=case.enterprise.name,
        )
    return advance


def _share_used(advance: Advance) -> int:
    """The share (%) the request was checked against (kept in its checks); today's otherwise."""
    for check in advance.checks or []:
        if check.get("code") == "share_cap" and check.get("params"):
            try:
                return int(check["params"][0]["value"])
            except (KeyError, TypeError, ValueError):
                break
    return int(param_record("fund.max_share_percent").typed_value)


def advance_return(*, actor: User, advance: Advance, reason: str) -> Advance:
    """财政局 returns a request, saying why; the requester may ask again."""
    if not may_approve(actor):
        raise PermissionDenied(_("只有区财政局可以退回周转金申请"))
    step = ADVANCES.step(advance, RETURN)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("退回须说明理由"), field="reason")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        ADVANCES.move(
            advance,
            step,
            actor=actor,
            note=reason,
            values={"decided_by": actor, "decided_at": now, "decision_note": reason},
            now=now,
            conflict=_("该周转金申请已被他人审核，请刷新后查看"),
        )
        text = _("%(f)s退回周转金申请 %(num)s：%(r)s") % {
            "f": advance.fund.name,
            "num": advance.number,
            "r": reason,
        }
        add_event(advance.case, CaseEvent.Kind.NOTE, actor, now, text)
        notify_units(
            unit_ids=[u for u in (advance.requested_by.unit_id,) if u],
            subject=f"{advance.case.number} {text}",
            url=reverse("advance-detail", args=[advance.pk]),
            topic=TOPIC_ADVANCE,
            about=advance.case.enterprise.name,
        )
    return advance


def advance_write_off(
    *, actor: User, advance: Advance, amount: int | None, reference: str, reason: str
) -> FundEntry:
    """核销: by the office's decision (its document number in ``reference``), the fund stops counting
    on (part of) an advance it will not recover. The balance does not move; the advance's outstanding
    amount does. Never more than is outstanding."""
    if not may_write_off(actor):
        raise PermissionDenied(_("核销周转金垫付须由联席办依决定登记"))
    if advance.status != AdvanceStatus.APPROVED:
        raise DomainError(_("只有已拨付的垫付可以核销"), code="transition")
    reference = (reference or "").strip()
    reason = (reason or "").strip()
    if amount is None or amount <= 0:
        raise DomainError(_("核销金额须大于零"), field="amount")
    if not reference:
        raise DomainError(_("请填写核销决定的文号"), field="reference")
    if not reason:
        raise DomainError(_("请说明核销理由"), field="reason")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        # the case first, as proceeds_record locks it: a write-off and a repayment of the same advance
        # take turns, so together they never exceed what the advance paid out
        Case.objects.select_for_update().get(pk=advance.case_id)
        Fund.objects.select_for_update().get(pk=advance.fund_id)
        out = funds_selectors.advance_outstanding(advance)
        if amount > out:
            raise DomainError(
                _("核销金额 ¥%(a)s 超过该笔垫付尚未归还的 ¥%(o)s")
                % {"a": format_yuan(amount), "o": format_yuan(out)},
                field="amount",
            )
        entry = append_entry(
            advance.fund,
            kind=FundEntryKind.WRITE_OFF,
            amount=amount,
            on=timezone.localdate(now),
            actor=actor,
            now=now,
            reference=reference,
            note=reason,
            advance=advance,
        )
        ADVANCES.record(
            advance, "write_off", actor=actor, note=f"¥{format_yuan(amount)} {reference}：{reason}", at=now
        )
        add_event(
            advance.case,
            CaseEvent.Kind.NOTE,
            actor,
            now,
            _("核销%(f)s垫付 %(num)s ¥%(a)s（%(ref)s）：%(r)s")
            % {
                "f": advance.fund.name,
                "num": advance.number,
                "a": format_yuan(amount),
                "ref": reference,
                "r": reason,
            },
        )
        notify_units(
            unit_ids=finance_unit_ids(),
            subject=f"{advance.case.number} 核销{advance.fund.name}垫付 ¥{format_yuan(amount)}（{reference}）",
            url=reverse("fund-detail", args=[advance.fund.code]),
            topic=TOPIC_ADVANCE,
            about=advance.case.enterprise.name,
        )
    return entry


# --- proceeds (§四(八) 后期法院执行到位的资金，应首先用于偿还应急周转资金) --------------------------------------


def proceeds_record(
    *,
    actor: User,
    case: Case,
    amount: int | None,
    received_on: datetime.date | None,
    source: str,
    reference: str = "",
) -> Proceeds:
    """Money recovered on a case (court enforcement, asset realisation, the employer repaying): first
    to the case's open advances, oldest first, each repaying its own fund; then to the workers still
    owed (confirmed claims first, in claim order). The allocation is stored line by line; what is left
    is ``unallocated``."""
    if not may_record_proceeds(actor, case):
        raise PermissionDenied(_("只有牵头单位、联席办、区人社局或承办法院可以登记执行款、变现款"))
    if not case.is_open:
        raise DomainError(_("案件已结案，不能再登记执行款"), code="transition")
    if source not in PROCEEDS_SOURCES:
        raise DomainError(
            _("来源须为：%(s)s") % {"s": "、".join(str(s.label) for s in PROCEEDS_SOURCES)}, field="source"
        )
    if amount is None or amount <= 0:
        raise DomainError(_("金额须大于零"), field="amount")
    if received_on is None:
        raise DomainError(_("请填写到账日期"), field="received_on")
    if received_on > timezone.localdate():
        raise DomainError(_("到账日期不能晚于今天"), field="received_on")
    reference = (reference or "").strip()[:100]
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        Case.objects.select_for_update().get(pk=case.pk)  # one allocation of a case at a time
        left = amount
        to_funds: list[tuple[Advance, int]] = []
        for advance in funds_selectors.open_advances(case):
            if left <= 0:
                break
            part = min(left, advance.outstanding)  # type: ignore[attr-defined]
            to_funds.append((advance, part))
            left -= part
        to_workers: list[tuple[Claim, int]] = []
        claims = Claim.objects.select_for_update().filter(case=case).order_by("pk")
        ordered = [c for c in claims if c.is_confirmed] + [c for c in claims if not c.is_confirmed]
        for claim in ordered:
            if left <= 0:
                break
            if claim.outstanding > 0:
                part = min(left, claim.outstanding)
                to_workers.append((claim, part))
                left -= part
        proceeds = Proceeds.objects.create(
            case=case,
            amount=amount,
            received_on=received_on,
            source=source,
            reference=reference,
            unallocated=left,
            recorded_by=actor,
            recorded_at=now,
        )
        lines: list[Allocation] = []
        for advance, part in to_funds:
            entry = append_entry(
                advance.fund,
                kind=FundEntryKind.REPAYMENT,
                amount=part,
                on=received_on,
                actor=actor,
                now=now,
                reference=reference or advance.number,
                note=_("%(s)s归还 %(num)s") % {"s": PaymentSource(source).label, "num": advance.number},
                advance=advance,
                proceeds=proceeds,
            )
            ADVANCES.record(advance, "repay", actor=actor, note=f"¥{format_yuan(part)}", at=now)
            lines.append(
                Allocation(
                    proceeds=proceeds,
                    order=len(lines) + 1,
                    kind=AllocationKind.FUND,
                    amount=part,
                    fund_entry=entry,
                )
            )
        if to_workers:
            payments = write_payments(
                case,
                to_workers,
                actor=actor,
                paid_on=received_on,
                source=source,
                reference=reference,
                note=_("执行款/变现款分配"),
                proceeds=proceeds,
                now=now,
            )
            for payment, (_claim, part) in zip(payments, to_workers, strict=True):
                lines.append(
                    Allocation(
                        proceeds=proceeds,
                        order=len(lines) + 1,
                        kind=AllocationKind.WORKER,
                        amount=part,
                        payment=payment,
                    )
                )
        Allocation.objects.bulk_create(lines)
        repaid = sum(part for _a, part in to_funds)
        paid = sum(part for _c, part in to_workers)
        text = _("登记%(s)s ¥%(a)s：偿还周转金 ¥%(r)s，支付劳动者 %(n)d 人 ¥%(p)s%(u)s") % {
            "s": PaymentSource(source).label,
            "a": format_yuan(amount),
            "r": format_yuan(repaid),
            "n": len(to_workers),
            "p": format_yuan(paid),
            "u": _("，未分配 ¥%(u)s") % {"u": format_yuan(left)} if left else "",
        }
        add_event(case, CaseEvent.Kind.NOTE, actor, now, text)
        if to_funds:
            notify_units(
                unit_ids=finance_unit_ids(),
                subject=f"{case.number} {text}",
                url=reverse("fund-list"),
                topic=TOPIC_ADVANCE,
                about=case.enterprise.name,
            )
    return proceeds
