"""One enterprise, one plan (一企一策, §四(三)): the lead unit writes and revises it, submits it, and
the office approves or returns it. Submitting and the review move ``Plan.status`` through
``workflow.PLANS`` (the conditional update, the audit diff and the case's 一企一策方案 event); a
revision puts an edited plan back to 草拟中 with its content, by a plain save the audit log sees."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.cases import workflow
from anxin.cases.models import Case, Plan, PlanStatus
from anxin.cases.services.common import Kind, add_event, is_lead, notify_case, office_unit_ids
from anxin.core.access import require_perm
from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.org.models import User


def plan_save(*, actor: User, case: Case, measures: str, responsible: str, timeline: str) -> Plan:
    """Write or revise the plan (the lead unit). A revised approved plan needs approval again."""
    require_perm(actor, "cases.change_case")
    if not is_lead(actor, case):
        raise PermissionDenied(_("处置方案由牵头单位编制"))
    if not case.is_open:
        raise DomainError(_("案件已结案"), code="transition")
    values = {"measures": measures.strip(), "responsible": responsible.strip(), "timeline": timeline.strip()}
    for name, label in (("measures", "工作措施"), ("responsible", "责任人及分工"), ("timeline", "时间安排")):
        if not values[name]:
            raise DomainError(_("请填写%(f)s") % {"f": label}, field=name)
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        plan = Plan.objects.select_for_update().filter(case=case).first()
        if plan is None:
            plan = Plan.objects.create(case=case, updated_at=now, updated_by=actor, **values)
            add_event(case, Kind.PLAN, actor, now, "编制一企一策处置方案")
            return plan
        if plan.status == PlanStatus.SUBMITTED:
            raise DomainError(_("方案正在审批，不能修改"), code="transition")
        if all(getattr(plan, k) == v for k, v in values.items()):
            return plan
        was_approved = plan.status == PlanStatus.APPROVED
        for key, value in values.items():
            setattr(plan, key, value)
        plan.status = PlanStatus.DRAFT
        plan.updated_at, plan.updated_by = now, actor
        plan.save()
        add_event(
            case, Kind.PLAN, actor, now, "修改处置方案" + ("（原已批准，须重新报批）" if was_approved else "")
        )
    return plan


def plan_submit(*, actor: User, case: Case) -> Plan:
    require_perm(actor, "cases.change_case")
    if not is_lead(actor, case):
        raise PermissionDenied(_("处置方案由牵头单位报批"))
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        plan = Plan.objects.select_for_update().filter(case=case).first()
        if plan is None:
            raise DomainError(_("请先编制处置方案"), code="transition")
        step = workflow.PLANS.find(plan.status, workflow.SUBMIT)
        if step is None:
            raise DomainError(
                _("方案处于“%(s)s”，不能报批") % {"s": plan.get_status_display()}, code="transition"
            )
        workflow.PLANS.move(
            plan, step, actor=actor, note="处置方案报联席办审批", event=workflow.plan_event(plan), now=now
        )
        notify_case(case, office_unit_ids(), "一企一策处置方案待审批", plan.measures[:200])
    return plan


def plan_review(*, actor: User, case: Case, approve: bool, note: str = "") -> Plan:
    """The office approves the plan or returns it with its reasons."""
    require_perm(actor, "cases.approve_plan")
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError(_("退回方案须写明修改意见"), field="note")
    now = timezone.now()
    stale = _("方案不在待审批状态（可能已被他人处理），请刷新后查看")
    text = ("批准处置方案" if approve else "退回处置方案") + (f"：{note}" if note else "")
    with transaction.atomic(), acting(actor):
        plan = Plan.objects.filter(case=case).first()
        step = (
            workflow.PLANS.find(plan.status, workflow.APPROVE if approve else workflow.RETURN)
            if plan
            else None
        )
        if plan is None or step is None:
            raise DomainError(stale, code="conflict")
        workflow.PLANS.move(
            plan,
            step,
            actor=actor,
            note=text,
            values={"reviewed_at": now, "reviewed_by": actor, "review_note": note},
            event=workflow.plan_event(plan),
            now=now,
            conflict=stale,
        )
        notify_case(case, [case.lead_unit_id], text)
    return Plan.objects.get(case=case)
