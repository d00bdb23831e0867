"""A case's way through its stages (§四(三)): who may move it, the plan guard, advancing or
skipping a stage, the closing and its conditions, and the stored time limits (the stage's, and the
investigation's once extended). Every stage change goes through ``workflow.FLOW`` (a
``core.transitions.Workflow``): the conditional update, the audit diff and the ``CaseEvent`` from →
to."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.cases import workflow
from anxin.cases.models import ACTIVE_ACTION, ActionKind, Case, Outcome, Plan, PlanStatus, Stage
from anxin.cases.services.common import Kind, add_event, is_lead, notify_case, office_unit_ids
from anxin.core import seam
from anxin.core.access import is_system, require_perm
from anxin.core.audit import acting, guarded_update
from anxin.core.deadlines import due_after
from anxin.core.errors import DomainError
from anxin.core.money import format_yuan
from anxin.core.transitions import Transition
from anxin.monitoring.models import Level
from anxin.org.models import Role, User

STAGE_DUE = {
    Stage.FACTS: ("case.facts_working_days", True),
    Stage.CONTROL: ("case.control_working_days", True),
    Stage.MEDIATION: ("case.mediation_working_days", True),
    Stage.LITIGATION: ("case.litigation_working_days", True),
    Stage.ENFORCEMENT: ("case.enforcement_days", False),
}


def stage_due(stage: str, now: datetime.datetime) -> tuple[datetime.datetime | None, str]:
    if stage not in STAGE_DUE:
        return None, ""
    code, working = STAGE_DUE[stage]
    return due_after(code, now, working=working)


# --- who --------------------------------------------------------------------------------------------


def may_make(actor: User, case: Case, step: Transition) -> bool:
    """Whether ``actor`` may make this move: the transitions table's ``who`` column, then the
    permission the row names."""
    if is_system(actor):
        return True
    allowed = actor.has_role(Role.OFFICE) if step.who == workflow.OFFICE else is_lead(actor, case)
    return bool(allowed and actor.has_perm(step.perm))


def _who_refusal(case: Case, step: Transition) -> PermissionDenied:
    if step.who == workflow.OFFICE:
        return PermissionDenied(_("只有联席办可以%(a)s") % {"a": workflow.ACTION_LABELS[step.action]})
    if step.action == workflow.CLOSE:
        return PermissionDenied(_("只有牵头单位（%(u)s）或联席办可以结案") % {"u": case.lead_unit.name})
    return PermissionDenied(_("只有牵头单位（%(u)s）或联席办可以推进案件阶段") % {"u": case.lead_unit.name})


# --- stages -----------------------------------------------------------------------------------------


def available_moves(actor: User, case: Case) -> list[Transition]:
    """The moves this actor may make on this case now (guards are checked when made)."""
    if not case.is_open:
        return []
    flow = workflow.FLOW
    actions = flow.actions(case, may=lambda t: t.action != workflow.CLOSE and may_make(actor, case, t))
    return [step for step in (flow.find(case.stage, a) for a in actions) if step is not None]


def guard_plan(case: Case, what: str) -> None:
    """A red case goes to mediation (and beyond) only under a plan the office approved (§四(三)).
    Call inside the transaction: the plan row stays locked until the move commits."""
    if case.level != Level.RED:
        return
    plan = Plan.objects.select_for_update().filter(case=case).first()
    if plan is None or plan.status != PlanStatus.APPROVED:
        state = plan.get_status_display() if plan else "未编制"
        raise DomainError(
            _("红色等级案件须经联席办批准一企一策处置方案后方可%(w)s（当前方案：%(p)s，依据 §四(三)）")
            % {"w": what, "p": state},
            code="guard",
        )


def case_move(
    *, actor: User, case: Case, action: str, reason: str = "", now: datetime.datetime | None = None
) -> Case:
    """Advance to the next stage, or skip one with a reason. Exactly one of two officers moving the
    same case at once wins; the other is told "已被他人处理"."""
    if action == workflow.CLOSE:  # a closing takes its outcome and amounts: ``case_close``
        raise workflow.FLOW.refusal(case, action)
    step = workflow.FLOW.step(case, action)
    require_perm(actor, step.perm)
    if not may_make(actor, case, step):
        raise _who_refusal(case, step)
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        skipped = workflow.OPEN_STAGES[workflow.OPEN_STAGES.index(case.stage) + 1]
        raise DomainError(_("跳过“%(s)s”须说明理由") % {"s": Stage(skipped).label}, field="reason")
    now = now or timezone.now()
    due, basis = stage_due(step.target, now)
    with transaction.atomic(), acting(actor):
        if step.guard == workflow.PLAN_APPROVED:
            guard_plan(case, _("进入“%(s)s”") % {"s": Stage(step.target).label})
        workflow.FLOW.move(
            case,
            step,
            actor=actor,
            note=reason,
            values={
                "stage_since": now,
                "stage_due_at": due,
                "stage_due_basis": basis,
                "reminded_at": None,
                "escalated_at": None,
                "office_escalated_at": None,
                "updated_at": now,
            },
            event={"kind": workflow.EVENT_KINDS[step.action]},
            now=now,
            conflict=_("该案件已被他人处理（阶段已变更），请刷新后查看"),
        )
    return case


def closing_problems(case: Case, outcome: str, amount_paid: int) -> list[str]:
    """Why the case cannot close this way (empty when it can)."""
    problems = []
    if outcome not in Outcome.values:
        return [_("请选择结案方式")]
    if amount_paid < 0:
        problems.append(_("已支付金额不能为负数"))
    claimed = case.amount_claimed
    actions = case.actions.exclude(status="cancelled")
    if outcome == Outcome.PAID:
        if amount_paid <= 0:
            problems.append(_("全额清偿须填写已支付金额"))
        elif amount_paid < claimed:
            problems.append(
                _("已支付 ¥%(p)s 少于登记欠薪金额 ¥%(c)s，不是全额清偿")
                % {"p": format_yuan(amount_paid), "c": format_yuan(claimed)}
            )
    elif outcome == Outcome.PARTLY:
        if amount_paid <= 0 or (claimed and amount_paid >= claimed):
            problems.append(_("部分清偿须填写大于零且少于登记欠薪金额的已支付金额"))
        if not actions.filter(
            kind__in=[ActionKind.ARBITRATION, ActionKind.COURT, ActionKind.REFERRAL]
        ).exists():
            problems.append(_("转入司法程序须已有仲裁、法院或移送公安措施"))
    elif (
        outcome == Outcome.MEDIATED and not actions.filter(kind=ActionKind.MEDIATION, status="done").exists()
    ):
        problems.append(_("调解结案须有已办结的调解措施（调解协议）"))
    if outcome != Outcome.PARTLY:
        pending = [a.get_kind_display() for a in actions.filter(status__in=ACTIVE_ACTION)]
        if pending:
            problems.append(_("尚有未办结的措施：%(a)s") % {"a": "、".join(pending)})
    # what later apps (money) say against closing this way
    problems.extend(seam.collect(seam.CASE_CLOSING_CHECKS, case, outcome=outcome, amount_paid=amount_paid))
    return problems


def case_close(
    *,
    actor: User,
    case: Case,
    outcome: str,
    amount_paid: int,
    note: str = "",
    now: datetime.datetime | None = None,
) -> Case:
    """End the case with its outcome and the amount paid to the workers."""
    if not case.is_open:
        raise DomainError(_("案件已结案"), code="transition")
    step = workflow.FLOW.step(case, workflow.CLOSE)
    require_perm(actor, step.perm)
    if not may_make(actor, case, step):
        raise _who_refusal(case, step)
    note = (note or "").strip()
    problems = closing_problems(case, outcome, amount_paid) if step.guard == workflow.CLOSING else []
    if outcome == Outcome.UNFOUNDED and not note:
        problems.append(_("以“不属实”结案须说明核查情况"))
    if problems:
        raise DomainError("；".join(problems), code="guard")
    now = now or timezone.now()
    text = f"{Outcome(outcome).label}，已支付 ¥{format_yuan(amount_paid)}" + (f"；{note}" if note else "")
    with transaction.atomic(), acting(actor):
        workflow.FLOW.move(
            case,
            step,
            actor=actor,
            note=text,
            values={
                "stage_since": now,
                "stage_due_at": None,
                "stage_due_basis": "",
                "outcome": outcome,
                "closing_note": note,
                "closed_at": now,
                "closed_by": actor,
                "updated_at": now,
            },
            event={"kind": workflow.EVENT_KINDS[step.action]},
            now=now,
            conflict=_("该案件已被他人处理（阶段已变更），请刷新后查看"),
        )
        for closed in seam.collect(seam.CASE_CLOSED):  # money records the amount paid
            closed(case, actor=actor, outcome=outcome, amount_paid=amount_paid, now=now)
        notify_case(case, [case.lead_unit_id, *office_unit_ids()], "已结案", text)
    return case


# --- the investigation's time limit -----------------------------------------------------------------


def may_extend(actor: User) -> bool:
    """The office or 人社局 (labour inspection) extends an investigation's time limit."""
    if is_system(actor) or actor.has_role(Role.OFFICE):
        return True
    return bool(
        actor.has_role(Role.DEPARTMENT)
        and actor.unit_id
        and actor.has_perm("cases.move_case")
        and actor.unit.duties.filter(code="labour-inspection").exists()
    )


def case_extend(*, actor: User, case: Case, reason: str, now: datetime.datetime | None = None) -> Case:
    """劳动保障监察条例 第17条: a complex case may be extended once by the set number of working days."""
    require_perm(actor, "cases.move_case")
    if not may_extend(actor):
        raise PermissionDenied(_("只有联席办或人社局可以延长办结期限"))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("延长办结期限须说明理由（情况复杂）"), field="reason")
    if not case.is_open:
        raise DomainError(_("案件已结案"), code="transition")
    if case.extended:
        raise DomainError(_("办结期限只能延长一次"), code="transition")
    now = now or timezone.now()
    new_deadline, basis = due_after("inspection.extension_working_days", case.deadline_at)
    with transaction.atomic(), acting(actor):
        if (
            guarded_update(
                Case.objects.filter(extended=False),
                case.pk,
                extended=True,
                deadline_at=new_deadline,
                deadline_basis=f"{case.deadline_basis}；延长：{basis}",
            )
            != 1
        ):
            raise DomainError(_("该案件已被他人处理，请刷新后查看"), code="conflict")
        add_event(
            case, Kind.EXTEND, actor, now, f"延长至 {timezone.localtime(new_deadline):%Y-%m-%d}：{reason}"
        )
    case.refresh_from_db()
    return case
