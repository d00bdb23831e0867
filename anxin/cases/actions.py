"""Legal actions of a case (§四(五)–(七)): each routed to the unit whose duty it is (§三), with its
own dates, steps, outcome and deadline. 人社局 orders payment and, when the order lapses unpaid,
may add compensation, fine, or refer the case to 公安分局 with a copy to 检察院 for the record —
the referral only when Jiangsu's threshold for 拒不支付劳动报酬罪 is met."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.cases import rules, workflow
from anxin.cases.models import (
    ACTIVE_ACTION,
    MAX_MONTHS,
    MAX_WORKERS,
    ActionKind,
    ActionStatus,
    ActionStep,
    Case,
    CaseDocument,
    CaseEvent,
    DocumentKind,
    LegalAction,
)
from anxin.cases.services.common import add_event, is_lead, notify_case, office_unit_ids, works_on
from anxin.cases.services.stages import guard_plan
from anxin.core import seam
from anxin.core.access import is_system, require_perm
from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.deadlines import due_after, end_of, working_days_after
from anxin.core.errors import DomainError
from anxin.core.files import atomic_with_files, file_store
from anxin.core.money import format_yuan
from anxin.core.policy import param_record
from anxin.org.models import Duty, Role, Unit, User

Step = ActionStep.Step
Kind = ActionKind

# kind → (the duty whose unit does it, the duty whose unit receives a copy for the record)
ROUTES: dict[str, tuple[str, str]] = {
    Kind.ORDER: ("arrears-confirmation", ""),
    Kind.COMPENSATION: ("labour-inspection", ""),
    Kind.PENALTY: ("labour-inspection", ""),
    Kind.REFERRAL: ("criminal-investigation", "referral-filing"),
    Kind.MEDIATION: ("mediation-legal-aid", ""),
    Kind.ARBITRATION: ("mediation-legal-aid", ""),
    Kind.COURT: ("court-green-channel", ""),
    Kind.DEPOSIT: ("wage-deposit", ""),
    Kind.FUND: ("emergency-fund", ""),
}
# 人社局's own powers (劳动保障监察条例; §四(五)(六)(七)): only 人社局 or the office starts them.
HRSS_POWERS = {Kind.ORDER, Kind.COMPENSATION, Kind.PENALTY, Kind.REFERRAL}
HRSS_DUTY = "labour-inspection"
# The steps each kind may record, and the status a step moves the action to.
STEPS: dict[str, tuple[str, ...]] = {
    Kind.ORDER: (Step.ISSUED, Step.PAYMENT, Step.NOTE),
    Kind.COMPENSATION: (Step.ISSUED, Step.PAYMENT, Step.NOTE),
    Kind.PENALTY: (Step.ISSUED, Step.PAYMENT, Step.NOTE),
    Kind.REFERRAL: (Step.ACCEPTED, Step.REFUSED, Step.RESULT, Step.NOTE),
    Kind.MEDIATION: (Step.AGREEMENT, Step.PAYMENT, Step.NOTE),
    Kind.ARBITRATION: (Step.FILING, Step.ACCEPTED, Step.AWARD, Step.PAYMENT, Step.NOTE),
    Kind.COURT: (
        Step.FILING,
        Step.PRESERVATION,
        Step.FEE_RELIEF,
        Step.TRIAL,
        Step.JUDGMENT,
        Step.ENFORCEMENT,
        Step.EXIT_BAN,
        Step.PAYMENT,
        Step.NOTE,
    ),
    Kind.DEPOSIT: (Step.ISSUED, Step.PAYMENT, Step.NOTE),
    Kind.FUND: (Step.ACCEPTED, Step.REFUSED, Step.PAYMENT, Step.NOTE),
}
ACCEPTING = {Step.ACCEPTED, Step.FILING}
# The legal basis an order to pay records when the officer enters none, by its document: the notice
# prints the basis recorded on the action, never a text of its own (migration 0006_order_basis_as_printed filled older
# orders with these, the texts their notices printed).
ORDER_BASIS = {
    "payment_notice": "《保障农民工工资支付条例》第五十五条、《劳动保障监察条例》第二十六条和《江苏省工资支付条例》",
    "rectification": "《劳动保障监察条例》第十八条、第二十六条",
}


# What each kind of measure asks for, in the order the form shows it, and whether it must be
# filled (True) or may be left empty (False: optional, or given a default the service states).
# The form of each kind (``forms.ActionForm``), the API (``api.ActionRequestSerializer``) and the
# service's own refusals follow this one table.
FIELDS: dict[str, dict[str, bool]] = {
    Kind.ORDER: {
        "amount": True,
        "workers": False,
        "served_on": False,  # today unless backdated to the day it was served
        "pay_by": False,  # served_on + order.pay_working_days when empty
        "document": False,  # 限期支付工资通知书 unless the 责令改正指令书 is chosen
        "reference": False,
        "basis": False,
        "details": False,
    },
    Kind.COMPENSATION: {"percent": True, "reference": False, "basis": False, "details": False},
    Kind.PENALTY: {"amount": True, "basis": True, "reference": False, "details": False},
    Kind.REFERRAL: {
        "workers": True,
        "amount": True,
        "single_months": False,
        "single_amount": False,
        "reference": False,
        "details": False,
    },
    Kind.MEDIATION: {"unit": False, "workers": False, "amount": False, "details": False},
    Kind.ARBITRATION: {"workers": False, "amount": False, "details": False},
    Kind.COURT: {"workers": False, "amount": False, "reference": False, "details": False},
    Kind.DEPOSIT: {"amount": True, "workers": False, "reference": False, "details": False},
    Kind.FUND: {"amount": True, "workers": False, "details": False},
}


def required_fields(kind: str) -> list[str]:
    return [name for name, required in FIELDS[kind].items() if required]


# Kinds of which a case has one open at a time, whatever the user says: a second order to pay or a
# second referral for the same arrears is never right. Other kinds may be started again as
# "another" one, with the reason.
ONE_AT_A_TIME = {Kind.ORDER, Kind.REFERRAL}


def kinds_for(user: User) -> tuple[frozenset[str], frozenset[str]]:
    """The kinds of legal action the user's unit handles (routed to it by its duties, ``ROUTES``;
    a town hosts mediation; the office all) and those it receives a copy of for the record (检察院:
    the referral). A unit with neither never sees a to-do card for legal actions."""
    if is_system(user) or user.has_role(Role.OFFICE):
        return frozenset(Kind.values), frozenset()
    codes = user.duty_codes if user.has_role(Role.DEPARTMENT) else frozenset()
    handled = {kind for kind, (duty, _copy) in ROUTES.items() if duty in codes}
    if user.has_role(Role.TOWN):
        handled.add(Kind.MEDIATION)
    copied = {kind for kind, (_duty, copy) in ROUTES.items() if copy and copy in codes}
    return frozenset(handled), frozenset(copied)


def _same_kind_open(same: LegalAction) -> str:
    text = _("本案已有办理中的“%(k)s”（#%(n)s，%(d)s 发起，承办单位：%(u)s），请在该措施中继续办理") % {
        "k": same.get_kind_display(),
        "n": same.pk,
        "d": timezone.localtime(same.requested_at).strftime("%Y-%m-%d %H:%M"),
        "u": same.unit.name,
    }
    if same.kind not in ONE_AT_A_TIME:
        text += _("；确属另一项的，请勾选“另行发起”并说明理由")
    return text


def _duty(code: str) -> Duty:
    duty = Duty.objects.select_related("unit").filter(code=code).first()
    if duty is None:
        raise DomainError(_("本区职责表中没有“%(d)s”，无法分派（请联系联席办维护职责）") % {"d": code})
    return duty


def duty_basis(duty: Duty) -> str:
    """Why an action went to a unit, in words a reader knows: the duty's name and its clause."""
    return f"职责：{duty.name}（{duty.citation}）"[:200]


def _is_hrss(actor: User) -> bool:
    return bool(actor.unit_id and Duty.objects.filter(unit_id=actor.unit_id, code=HRSS_DUTY).exists())


def may_request(actor: User, case: Case, kind: str) -> bool:
    if is_system(actor):
        return True
    if not actor.has_perm("cases.request_legalaction") or not case.is_open:
        return False
    office = actor.has_role(Role.OFFICE)
    if kind in HRSS_POWERS:
        return office or (actor.has_role(Role.DEPARTMENT) and _is_hrss(actor))
    return works_on(actor, case) or (actor.has_role(Role.DEPARTMENT) and _is_hrss(actor))


def require_may_request(actor: User, case: Case, kind: str) -> None:
    """Refused, with who may, unless ``actor`` may start ``kind`` on ``case``."""
    if not may_request(actor, case, kind):
        if kind in HRSS_POWERS:
            raise PermissionDenied(_("“%(k)s”由人社局作出（或联席办发起）") % {"k": Kind(kind).label})
        raise PermissionDenied(_("只有牵头、协办单位、人社局或联席办可以发起法律措施"))


def handles(actor: User, action: LegalAction) -> bool:
    """The unit the action is routed to (a town's users when it is a town's), or the office."""
    if is_system(actor):
        return True
    if not actor.has_perm("cases.handle_legalaction"):
        return False
    if actor.has_role(Role.OFFICE):
        return True
    unit = action.unit
    if actor.has_role(Role.DEPARTMENT):
        return actor.unit_id == unit.pk
    return bool(actor.has_role(Role.TOWN) and unit.town_id and unit.town_id in actor.scope.town_ids)


def order_pay_by(served_on: datetime.date) -> tuple[datetime.date, str]:
    """An order to pay with no date of its own: ``order.pay_working_days`` working days from the
    day it was served (the parameter in force that day), and the words that say so."""
    record = param_record("order.pay_working_days", on=served_on)
    n = int(record.typed_value)
    day, note = working_days_after(served_on, n)
    return day, (
        f"自送达之日（{served_on:%Y-%m-%d}）起 {n} 个工作日"
        f"（参数 order.pay_working_days={n}；{record.citation}）{note}"
    )


def _due(
    kind: str,
    now: datetime.datetime,
    pay_by: datetime.date | None,
    *,
    served_on: datetime.date | None = None,
    pay_basis: str = "",
) -> tuple[datetime.datetime, str]:
    if kind == Kind.ORDER:
        if pay_basis:
            return end_of(pay_by), f"支付期限 {pay_by:%Y-%m-%d}：{pay_basis}"[:300]
        return end_of(
            pay_by
        ), f"责令限期支付通知书载明的支付期限（{pay_by:%Y-%m-%d}，{served_on:%Y-%m-%d} 送达）"
    if kind == Kind.REFERRAL:
        return due_after("case.referral_review_days", now, working=False)
    if kind == Kind.DEPOSIT:
        return due_after("deposit.bank_pay_working_days", now)
    return due_after("case.action_working_days", now)


def _figure(code: str, on: datetime.date) -> rules.Figure:
    record = param_record(code, on=on)
    return rules.Figure(code=code, value=int(record.typed_value), citation=record.citation, unit=record.unit)


def referral_check(
    *, case: Case, workers: int, total: int, single_months: int, single_amount: int, on: datetime.date
) -> rules.Check:
    """The threshold (parameters on ``on``) and the unpaid order that must precede a referral."""
    check = rules.referral_threshold(
        workers=workers,
        total=total,
        single_months=single_months,
        single_amount=single_amount,
        single_worker_months=_figure("crime.single_worker_months", on),
        single_worker_amount=_figure("crime.single_worker_amount", on),
        multi_workers=_figure("crime.multi_workers", on),
        multi_amount=_figure("crime.multi_amount", on),
    )
    lapsed = case.actions.filter(kind=Kind.ORDER, status=ActionStatus.LAPSED).first()
    lines = list(check.lines)
    if lapsed:
        lines.append(
            f"责令限期支付（{lapsed.reference or '#' + str(lapsed.pk)}）至 {lapsed.pay_by:%Y-%m-%d} 逾期未支付"
        )
    else:
        lines.append("尚无逾期未支付的责令限期支付（刑法第276条之一：经政府有关部门责令支付仍不支付）")
    return rules.Check(met=check.met and lapsed is not None, lines=lines, params=check.params)


def action_request(
    *,
    actor: User,
    case: Case,
    kind: str,
    amount: int = 0,
    workers: int = 0,
    pay_by: datetime.date | None = None,
    issued_on: datetime.date | None = None,
    percent: int | None = None,
    reference: str = "",
    basis: str = "",
    details: str = "",
    unit: Unit | None = None,
    single_months: int = 0,
    single_amount: int = 0,
    document: str = "",
    served_on: datetime.date | None = None,
    another: bool = False,
    another_reason: str = "",
    now: datetime.datetime | None = None,
) -> LegalAction:
    """Start a legal action: it is routed to the unit whose duty it is (mediation may name the
    town or 司法局 instead), appears in that unit's "我的待办" and carries its deadline.

    One action of a kind is open on a case at a time at one unit: a second one while the first
    is still being handled there is refused as a conflict (two clicks, two clients, a retry; a
    mediation hosted by another unit is another action), unless the user
    says it is another one (``another``) and why (``another_reason``, kept on the action and on the
    timeline) — never for an order to pay or a referral (``ONE_AT_A_TIME``). The check runs under
    a lock on the case row, so two requests at once cannot both pass it."""
    require_perm(actor, "cases.request_legalaction")
    if kind not in Kind.values:
        raise DomainError(_("请选择措施"), field="kind")
    if not case.is_open:
        raise DomainError(_("案件已结案"), code="transition")
    require_may_request(actor, case, kind)
    if amount < 0 or workers < 0:
        raise DomainError(_("金额和人数不能为负数"))
    if workers > MAX_WORKERS:
        raise DomainError(_("涉及人数不能超过 %(n)s") % {"n": MAX_WORKERS}, field="workers")
    if percent is not None and not 0 <= percent <= 1000:
        raise DomainError(_("加付比例须为 0 至 1000"), field="percent")
    if not 0 <= single_months <= MAX_MONTHS:
        raise DomainError(_("拖欠月数须为 0 至 %(n)s") % {"n": MAX_MONTHS}, field="single_months")
    now = now or timezone.now()
    today = timezone.localdate(now)
    routed, copy_duty = ROUTES[kind]
    duty = _duty(routed)
    target, route_basis = duty.unit, duty_basis(duty)
    if kind == Kind.MEDIATION and unit is not None:
        if unit.town_id != case.town_id and unit.code != target.code:
            raise DomainError(_("调解由案件所在镇（街道）或司法局（人民调解）主持"), field="unit")
        target, route_basis = unit, f"调解主持：{unit.name}（§四(五)）"
    copy_unit = _duty(copy_duty).unit if copy_duty else None
    check: dict = {}
    pay_basis = ""
    if kind == Kind.ORDER:
        if amount <= 0:
            raise DomainError(_("请填写责令支付的金额"), field="amount")
        served_on = served_on or today
        if served_on > today:
            raise DomainError(_("送达日期不能晚于今天"), field="served_on")
        opened_on = timezone.localdate(case.opened_at)
        if served_on < opened_on:
            raise DomainError(
                _("送达日期不能早于立案日期（%(d)s）") % {"d": f"{opened_on:%Y-%m-%d}"}, field="served_on"
            )
        if issued_on is not None and issued_on > served_on:
            raise DomainError(_("作出日期不能晚于送达日期"), field="served_on")
        if pay_by is None:
            pay_by, pay_basis = order_pay_by(served_on)
        if pay_by < served_on:
            raise DomainError(
                _("支付期限不能早于送达日期（%(d)s）") % {"d": f"{served_on:%Y-%m-%d}"}, field="pay_by"
            )
        issued_on = issued_on or served_on
        document = document or "payment_notice"
        if document not in ("payment_notice", "rectification"):
            raise DomainError(
                _("请选择文书：限期支付工资通知书或劳动保障监察责令改正指令书"), field="document"
            )
        basis = basis.strip() or ORDER_BASIS[document]
    else:
        document = ""
        served_on = None
    if kind == Kind.COMPENSATION:
        if percent is None:
            raise DomainError(_("请填写加付赔偿金的比例"), field="percent")
        lapsed = case.actions.filter(kind=Kind.ORDER, status=ActionStatus.LAPSED).first()
        if lapsed is None:
            raise DomainError(_("加付赔偿金须以责令限期支付逾期未支付为前提（劳动保障监察条例 第二十六条）"))
        bounds = rules.compensation_bounds(
            percent or 0,
            low=_figure("compensation.min_percent", today),
            high=_figure("compensation.max_percent", today),
        )
        if not bounds.met:
            raise DomainError("；".join(bounds.lines), field="percent")
        amount = lapsed.amount * (percent or 0) // 100
        check = bounds.as_dict() | {"order": lapsed.pk}
        basis = basis or "劳动保障监察条例 第二十六条"
    if kind == Kind.PENALTY:
        if amount <= 0:
            raise DomainError(_("请填写罚款金额"), field="amount")
        if not basis.strip():
            raise DomainError(
                _("行政处罚须写明法律依据（法律、法规的名称和条款，§四(五)“依法予以行政处罚”）"),
                field="basis",
            )
    if kind == Kind.REFERRAL:
        if workers < 1:
            raise DomainError(_("请填写被拒不支付劳动报酬的人数"), field="workers")
        if amount <= 0:
            raise DomainError(_("请填写拖欠劳动报酬的总额"), field="amount")
        if single_amount > amount:
            raise DomainError(_("一名劳动者的金额不能大于拖欠总额"), field="single_amount")
        verdict = referral_check(
            case=case,
            workers=workers,
            total=amount,
            single_months=single_months,
            single_amount=single_amount,
            on=today,
        )
        if not verdict.met:
            raise DomainError(_("不符合移送条件：") + "；".join(verdict.lines), code="guard")
        check = verdict.as_dict() | {
            "workers": workers,
            "total": amount,
            "single_months": single_months,
            "single_amount": single_amount,
        }
        basis = basis or "刑法 第二百七十六条之一；行政执法机关移送涉嫌犯罪案件的规定（国务院令第310号）"
    if kind in (Kind.DEPOSIT, Kind.FUND) and amount <= 0:
        raise DomainError(_("请填写申请金额"), field="amount")
    if kind == Kind.DEPOSIT and case.project_id is None:
        raise DomainError(_("动用工资保证金须是工程建设项目的案件（请先在案件中关联项目）"), field="kind")
    another_reason = (another_reason or "").strip() if another else ""
    if another and kind not in ONE_AT_A_TIME and not another_reason:
        raise DomainError(_("另行发起须说明与办理中的同类措施有何不同"), field="another_reason")
    if len(another_reason) > 300:
        raise DomainError(_("另行发起的理由不超过 300 字"), field="another_reason")
    due, due_basis = _due(kind, now, pay_by, served_on=served_on, pay_basis=pay_basis)
    with transaction.atomic(), acting(actor):
        Case.objects.select_for_update().filter(pk=case.pk).first()  # one action request per case at a time
        if kind == Kind.MEDIATION:
            guard_plan(case, _("组织调解"))
        open_same = case.actions.filter(kind=kind, status__in=ACTIVE_ACTION).select_related("unit")
        if kind not in ONE_AT_A_TIME:
            open_same = open_same.filter(unit=target)
        same = open_same.order_by("pk").first()
        if same is not None and (kind in ONE_AT_A_TIME or not another):
            raise DomainError(_same_kind_open(same), code="conflict")
        if same is not None:
            check = {**check, "another": {"reason": another_reason, "open": same.pk}}
        action = LegalAction.objects.create(
            case=case,
            kind=kind,
            unit=target,
            route_basis=route_basis,
            copy_unit=copy_unit,
            requested_at=now,
            requested_by=actor,
            reference=reference.strip(),
            document=document,
            issued_on=issued_on,
            served_on=served_on,
            pay_by=pay_by,
            amount=amount,
            percent=percent,
            workers=workers,
            basis=basis.strip(),
            details=details.strip(),
            conditions=check,
            due_at=due,
            due_basis=due_basis,
            copied_at=now if copy_unit else None,
        )
        text = f"{action.get_kind_display()} → {target.name}"
        if same is not None:
            text = f"另行发起{text}（已有办理中的同类措施 #{same.pk}；理由：{another_reason}）"
        if amount:
            text += f"，金额 ¥{format_yuan(amount)}"
        if served_on:
            text += f"，{served_on:%Y-%m-%d} 送达"
        if pay_by:
            text += f"，限 {pay_by:%Y-%m-%d} 前支付"
        add_event(case, CaseEvent.Kind.ACTION, actor, now, text)
        if kind == Kind.REFERRAL:
            guarded_update(Case.objects.all(), case.pk, malicious=True, updated_at=now)
        notify_case(
            case,
            [target.pk],
            f"请办理：{action.get_kind_display()}",
            text,
            sms=kind == Kind.REFERRAL,
            action=action,
        )
        if copy_unit:
            notify_case(
                case,
                [copy_unit.pk],
                f"备案抄送：{action.get_kind_display()}",
                text,
                topic="case-copy",
                action=action,
            )
    return action


def action_step(
    *, actor: User, action: LegalAction, step: str, on: datetime.date, note: str = "", amount: int = 0
) -> ActionStep:
    """Record a dated step (立案、保全、判决、支付、公安受理…); some steps move the action on:
    acceptance → 已受理; refusal → 不予受理; a payment covering an order → 已办结."""
    if not handles(actor, action):
        raise PermissionDenied(_("只有承办单位（%(u)s）或联席办可以登记办理进展") % {"u": action.unit.name})
    if step not in STEPS[action.kind]:
        raise DomainError(
            _("“%(k)s”不能登记“%(s)s”") % {"k": action.get_kind_display(), "s": Step(step).label},
            field="step",
        )
    if not action.is_active:
        raise DomainError(
            _("措施已%(s)s，不能再登记进展") % {"s": action.get_status_display()}, code="transition"
        )
    if on > timezone.localdate():
        raise DomainError(_("日期不能晚于今天"), field="on")
    if amount < 0:
        raise DomainError(_("金额不能为负数"), field="amount")
    if step == Step.PAYMENT and action.case_id in seam.case_money([action.case_id]):
        raise DomainError(
            _("本案已逐人登记欠薪：支付请在案件“资金”页签逐人登记，措施的已付金额按支付台账计算"),
            field="step",
        )
    note = (note or "").strip()
    if step in (Step.REFUSED, Step.RESULT) and not note:
        raise DomainError(_("请写明理由或结果"), field="note")
    now = timezone.now()
    stale = _("该措施已被他人处理，请刷新后查看")
    with transaction.atomic(), acting(actor):
        current = LegalAction.objects.select_for_update().get(pk=action.pk)
        if current.status != action.status:
            raise DomainError(stale, code="conflict")
        _refuse_same_step(action, step=step, on=on, amount=amount, note=note, now=now)
        move = workflow.ACTIONS.find(current.status, step)
        if move is not None and move.guard == workflow.PAID_IN_FULL:
            paid = sum(action.steps.filter(step=Step.PAYMENT).values_list("amount", flat=True)) + amount
            if action.kind != Kind.ORDER or paid < action.amount:
                move = None  # a payment short of the order, or on another kind: a step, no move
        # A referral accepted in time: its 3-day review is over.
        values = {"due_at": None} if step in ACCEPTING and action.kind == Kind.REFERRAL else {}
        recorded = {"on": on, "amount": amount}
        if move is None:
            entry = workflow.ACTIONS.record(action, step, actor=actor, note=note, at=now, **recorded)
            if values:
                guarded_update(LegalAction.objects.all(), action.pk, **values)
        else:
            if move.target in (ActionStatus.DONE, ActionStatus.REFUSED):
                result = note or str(Step(step).label)
                values.update(completed_at=now, completed_by=actor, result=result)
            workflow.ACTIONS.move(
                current, move, actor=actor, note=note, values=values, event=recorded, now=now, conflict=stale
            )
            entry = action.steps.latest("pk")
        text = f"{action.get_kind_display()}：{entry.get_step_display()}（{on:%Y-%m-%d}）"
        if amount:
            text += f" ¥{format_yuan(amount)}"
        if note:
            text += f"，{note}"
        add_event(action.case, CaseEvent.Kind.ACTION, actor, now, text)
        if move is not None:
            watchers = [action.case.lead_unit_id, action.requested_by.unit_id, action.copy_unit_id]
            notify_case(action.case, watchers, text, action=action)
    action.refresh_from_db()
    return entry


def _refuse_same_step(
    action: LegalAction, *, step: str, on: datetime.date, amount: int, note: str, now: datetime.datetime
) -> None:
    """The same step (事项, date, amount, words) recorded on the action within the last
    ``ONCE_STEP_WINDOW_MINUTES`` is the same submission sent twice, not news: refused as a conflict.
    Called under the action's row lock, so two at once cannot both pass."""
    minutes = settings.ONCE_STEP_WINDOW_MINUTES
    if not minutes:
        return
    same = (
        action.steps.filter(step=step, on=on, amount=amount, note=note)
        .filter(at__gte=now - datetime.timedelta(minutes=minutes))
        .first()
    )
    if same is not None:
        raise DomainError(
            _(
                "%(m)s 分钟内已登记过相同的办理进展（%(s)s，%(d)s，%(t)s 登记）；"
                "如确为另一项，请在说明中写明区别"
            )
            % {
                "m": minutes,
                "s": same.get_step_display(),
                "d": f"{on:%Y-%m-%d}",
                "t": timezone.localtime(same.at).strftime("%H:%M"),
            },
            code="conflict",
        )


def action_complete(*, actor: User, action: LegalAction, result: str) -> LegalAction:
    """The unit finishes the action and says how it ended."""
    if not handles(actor, action):
        raise PermissionDenied(_("只有承办单位（%(u)s）或联席办可以办结") % {"u": action.unit.name})
    result = (result or "").strip()
    if not result:
        raise DomainError(_("请写明办理结果"), field="result")
    now = timezone.now()
    text = f"{action.get_kind_display()}办结：{result}"
    with transaction.atomic(), acting(actor):
        _end(action, workflow.COMPLETE, actor=actor, now=now, note=text, result=result, completed_by=actor)
        notify_case(action.case, [action.case.lead_unit_id, action.requested_by.unit_id], text, action=action)
    return action


ENDED_ELSEWHERE = _("该措施已被他人处理或已办结，请刷新后查看")


def order_paid_by_ledger(*, actor: User, action: LegalAction, paid: int, on: datetime.date) -> bool:
    """A later app that keeps the payments ledger (money) reports what has been paid toward an order
    to pay since it was issued. When that covers the order's amount, the order is done: its 履行支付
    step records the ledger's figure (not a typed one). Inside the caller's transaction; False when
    the order is not active or not yet covered."""
    if action.kind != Kind.ORDER or not action.is_active or paid < action.amount:
        return False
    move = workflow.ACTIONS.find(action.status, Step.PAYMENT)
    if move is None:
        return False
    now = timezone.now()
    note = (
        f"据支付台账，责令支付后已支付 ¥{format_yuan(paid)}，达到责令支付金额 ¥{format_yuan(action.amount)}"
    )
    workflow.ACTIONS.move(
        action,
        move,
        actor=actor,
        note=note,
        values={"completed_at": now, "completed_by": actor, "result": note},
        event={"on": on, "amount": paid},
        now=now,
        conflict=ENDED_ELSEWHERE,
    )
    add_event(action.case, CaseEvent.Kind.ACTION, actor, now, f"{action.get_kind_display()}：{note}")
    notify_case(
        action.case, [action.case.lead_unit_id, action.unit_id], "责令支付已履行", note, action=action
    )
    return True


def _end(action: LegalAction, how: str, *, actor: User, now: datetime.datetime, note: str, **values) -> None:
    """An active action ends (done, withdrawn, lapsed) through the ACTION_ENDINGS table: the guarded
    update with its audit diff and the line on the case's timeline. An action no longer active —
    another user or the sweep got there first — is the conflict it always was."""
    step = workflow.ACTION_ENDINGS.find(action.status, how)
    if step is None:
        raise DomainError(ENDED_ELSEWHERE, code="conflict")
    workflow.ACTION_ENDINGS.move(
        action,
        step,
        actor=actor,
        note=note,
        now=now,
        values={"completed_at": now, **values},
        event=workflow.ENDING_EVENT,
        conflict=ENDED_ELSEWHERE,
    )


def may_cancel(actor: User, action: LegalAction) -> bool:
    if is_system(actor) or actor.has_role(Role.OFFICE) or actor.pk == action.requested_by_id:
        return True
    if action.kind in HRSS_POWERS:
        return actor.has_role(Role.DEPARTMENT) and _is_hrss(actor)
    return is_lead(actor, action.case)


def action_cancel(*, actor: User, action: LegalAction, reason: str) -> LegalAction:
    """Withdraw an action (the one who started it, the lead unit, or the office), with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("撤回须说明理由"), field="reason")
    if not may_cancel(actor, action):
        raise PermissionDenied(
            _("只有发起人、牵头单位或联席办可以撤回（人社局的职权措施只由人社局或联席办撤回）")
        )
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        text = f"撤回{action.get_kind_display()}：{reason}"
        _end(action, workflow.CANCEL, actor=actor, now=now, note=text, result=reason, completed_by=actor)
        notify_case(
            action.case, [action.unit_id], f"已撤回：{action.get_kind_display()}", reason, action=action
        )
    return action


DOCUMENT_KINDS: dict[str, tuple[str, ...]] = {
    # which papers each action kind files (the case itself may file any kind)
    Kind.ORDER: (DocumentKind.SERVICE, DocumentKind.OTHER),
    Kind.COMPENSATION: (DocumentKind.SERVICE, DocumentKind.OTHER),
    Kind.PENALTY: (DocumentKind.PENALTY, DocumentKind.SERVICE, DocumentKind.OTHER),
    Kind.REFERRAL: (DocumentKind.REFERRAL, DocumentKind.OTHER),
    Kind.MEDIATION: (DocumentKind.AGREEMENT, DocumentKind.OTHER),
    Kind.ARBITRATION: (DocumentKind.AWARD, DocumentKind.OTHER),
    Kind.COURT: (DocumentKind.RULING, DocumentKind.PRESERVATION, DocumentKind.OTHER),
    Kind.DEPOSIT: (DocumentKind.OTHER,),
    Kind.FUND: (DocumentKind.OTHER,),
}


def may_mark_paid(actor: User, action: LegalAction) -> bool:
    return handles(actor, action) or is_lead(actor, action.case)


def may_attach(actor: User, case: Case, action: LegalAction | None = None) -> bool:
    if action is not None and handles(actor, action):
        return True
    return works_on(actor, case) or is_system(actor)


def document_attach(
    *,
    actor: User,
    case: Case,
    kind: str,
    title: str,
    name: str,
    content: bytes,
    action: LegalAction | None = None,
) -> CaseDocument:
    """File a paper with the case (or one of its actions), after checking what the file really is
    (PDF, JPEG or PNG, at most 5 MB). The timeline records it."""
    require_perm(actor, "cases.add_casedocument")
    if action is not None and action.case_id != case.pk:
        raise DomainError(_("该措施不属于本案件"), field="action")
    if not may_attach(actor, case, action):
        raise PermissionDenied(_("只有牵头、协办单位、承办单位或联席办可以上传案件文书"))
    if kind not in DocumentKind.values:
        raise DomainError(_("请选择文书类型"), field="kind")
    if action is not None and kind not in DOCUMENT_KINDS[action.kind]:
        raise DomainError(
            _("“%(a)s”不能上传“%(k)s”") % {"a": action.get_kind_display(), "k": DocumentKind(kind).label},
            field="kind",
        )
    title = (title or "").strip() or DocumentKind(kind).label
    if len(title) > 150:
        raise DomainError(_("标题不能超过 150 个字"), field="title")
    with atomic_with_files(), acting(actor):
        document = file_store(
            record=CaseDocument(case=case, action=action, kind=kind, title=title),
            actor=actor,
            name=name,
            content=content,
            field="file",
        )
        where = f"（{action.get_kind_display()}）" if action else ""
        add_event(
            case,
            CaseEvent.Kind.DOCUMENT,
            actor,
            timezone.now(),
            f"上传{document.get_kind_display()}{where}：{title}",
        )
    return document


def next_steps(case: Case) -> list[str]:
    """After an order to pay lapses unpaid: what the law offers next (shown on the case page)."""
    if not case.actions.filter(kind=Kind.ORDER, status=ActionStatus.LAPSED).exists():
        return []
    low = param_record("compensation.min_percent").typed_value
    high = param_record("compensation.max_percent").typed_value
    return [
        f"加付赔偿金：应付金额的 {low}%–{high}%（劳动保障监察条例 第二十六条）",
        "行政处罚：对拒不改正的依法处罚（§四(五)）",
        "移送公安：涉嫌拒不支付劳动报酬罪的，移送区公安分局并报区检察院备案（§四(七)）",
    ]


def orders_lapse(*, now: datetime.datetime | None = None) -> int:
    """``tick``: an order to pay whose date has passed unpaid lapses; 人社局 and the lead unit are
    told what comes next."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    actor = system_actor()
    count = 0
    with transaction.atomic(), acting(actor):
        for action in LegalAction.objects.select_related("case").filter(
            kind=Kind.ORDER, status__in=ACTIVE_ACTION, pay_by__lt=today
        ):
            case = action.case
            text = f"责令限期支付至 {action.pay_by:%Y-%m-%d} 逾期未支付"
            try:
                _end(
                    action,
                    workflow.LAPSE,
                    actor=actor,
                    now=now,
                    note=text,
                    result=f"至 {action.pay_by:%Y-%m-%d} 未足额支付",
                )
            except DomainError:  # paid or withdrawn meanwhile
                continue
            count += 1
            notify_case(
                case,
                [action.unit_id, case.lead_unit_id, *office_unit_ids()],
                text,
                "；".join(next_steps(case)),
                topic="case-order-lapsed",
                action=action,
            )
    return count
