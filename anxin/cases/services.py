"""Writes of case handling: opening a case, its plan, stage moves and closure, incidents and asset
control (§四(三)(四)). Legal actions are in ``actions.py``, deadlines in ``deadlines.py``. Every
function is a service (DESIGN rule 2): keyword-only, ``actor``, one transaction, append-only events,
notices after commit."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.cases import workflow
from anxin.cases.models import (
    ACTIVE_ACTION,
    MAX_WORKERS,
    ActionKind,
    AssetItem,
    Case,
    CaseEvent,
    Custody,
    Incident,
    Origin,
    Outcome,
    Plan,
    PlanStatus,
    Stage,
)
from anxin.core import seam
from anxin.core.access import is_system, require_perm
from anxin.core.audit import acting, guarded_update
from anxin.core.deadlines import due_after
from anxin.core.errors import DomainError, ScopeViolation
from anxin.core.money import format_yuan
from anxin.intake.models import Signal
from anxin.monitoring.models import ACTIVE_ALERT, LEVEL_RANK, Alert, Level, RiskAssessment
from anxin.notify.services import notify_units
from anxin.org.access import acts_for
from anxin.org.models import Role, Unit, User
from anxin.registry.models import Enterprise, Project

Kind = CaseEvent.Kind
STAGE_DUE = {
    Stage.FACTS: ("case.facts_working_days", True),
    Stage.CONTROL: ("case.control_working_days", True),
    Stage.MEDIATION: ("case.mediation_working_days", True),
    Stage.LITIGATION: ("case.litigation_working_days", True),
    Stage.ENFORCEMENT: ("case.enforcement_days", False),
}
FLAGS = ("mass_incident", "malicious", "owner_absconded", "sudden_closure")


# --- who --------------------------------------------------------------------------------------------


def is_lead(actor: User, case: Case) -> bool:
    """The office, or a user of the lead unit (a town's users when a town leads)."""
    lead = case.lead_unit
    return acts_for(actor, town_id=lead.town_id, unit_ids=[lead.pk])


def works_on(actor: User, case: Case) -> bool:
    """The lead unit, a co-unit, or the office: who records facts, incidents and assets."""
    if is_lead(actor, case):
        return True
    unit_ids = list(case.co_units.values_list("pk", flat=True))
    towns = set(Unit.objects.filter(pk__in=unit_ids, town__isnull=False).values_list("town_id", flat=True))
    return acts_for(actor, town_id=None, unit_ids=unit_ids) or bool(
        actor.has_role(Role.TOWN) and towns & set(actor.scope.town_ids)
    )


def may_make(actor: User, case: Case, step: workflow.Transition) -> bool:
    """Whether ``actor`` may make this move: the transitions table's ``who`` column, then the
    permission the row names."""
    if is_system(actor):
        return True
    allowed = actor.has_role(Role.OFFICE) if step.who == workflow.OFFICE else is_lead(actor, case)
    return bool(allowed and actor.has_perm(step.perm))


def _who_refusal(case: Case, step: workflow.Transition) -> PermissionDenied:
    if step.who == workflow.OFFICE:
        return PermissionDenied(_("只有联席办可以%(a)s") % {"a": workflow.ACTION_LABELS[step.action]})
    if step.action == workflow.CLOSE:
        return PermissionDenied(_("只有牵头单位（%(u)s）或联席办可以结案") % {"u": case.lead_unit.name})
    return PermissionDenied(_("只有牵头单位（%(u)s）或联席办可以推进案件阶段") % {"u": case.lead_unit.name})


def office_unit_ids() -> list[int]:
    return list(Unit.objects.filter(kind="office").values_list("pk", flat=True))


def town_unit(town_id: int) -> Unit:
    return Unit.objects.get(town_id=town_id)


def _event(
    case: Case, kind: str, actor: User, now, note: str = "", from_stage: str = "", to_stage: str = ""
) -> None:
    CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, at=now, note=note, from_stage=from_stage, to_stage=to_stage
    )


def _notify(
    case: Case,
    unit_ids,
    subject: str,
    body: str = "",
    *,
    sms: bool = False,
    topic: str = "case",
    action=None,
) -> None:
    """A notice about a case. About one of its legal actions (``action``), it links to the action's
    page: the unit handling it or receiving its copy (法院, 公安, 检察院) may not see the case file."""
    notify_units(
        unit_ids=unit_ids,
        subject=f"{case.number} {subject}",
        body=body,
        url=reverse("case-action", args=[action.pk]) if action else reverse("case-detail", args=[case.pk]),
        topic=topic,
        sms=sms,
    )


def stage_due(stage: str, now: datetime.datetime) -> tuple[datetime.datetime | None, str]:
    if stage not in STAGE_DUE:
        return None, ""
    code, working = STAGE_DUE[stage]
    return due_after(code, now, working=working)


def _next_number(year: int) -> str:
    prefix = f"{year}-"
    last = (
        Case.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{(int(last.split('-')[1]) + 1) if last else 1:04d}"


# --- opening ----------------------------------------------------------------------------------------


def case_open(
    *,
    actor: User,
    enterprise: Enterprise,
    summary: str,
    project: Project | None = None,
    alert: Alert | None = None,
    signals: list[Signal] | tuple = (),
    workers: int | None = None,
    amount_claimed: int | None = None,
    lead_unit: Unit | None = None,
    co_units: list[Unit] | tuple = (),
    mass_incident: bool = False,
    malicious: bool = False,
    owner_absconded: bool = False,
    sudden_closure: bool = False,
    separate: bool = False,
    now: datetime.datetime | None = None,
) -> Case:
    """Open a case on one dispute at one enterprise (and project), from an alert, from signals or
    by hand. The enterprise's (the project's) town leads (§二 属地管理); the alert it came from
    is marked handled ("已立案"). While the enterprise has an open case, a new alert or signal
    belongs to it (``case_link``): a second case is opened only when the user says it is another
    dispute (``separate``)."""
    require_perm(actor, "cases.add_case")
    summary = (summary or "").strip()
    if not summary:
        raise DomainError(_("请填写基本案情"), field="summary")
    if not is_system(actor) and not Enterprise.objects.for_user(actor).filter(pk=enterprise.pk).exists():
        raise ScopeViolation(_("该企业不在您的管辖范围内"))
    if project is not None and enterprise.pk not in _project_parties(project):
        raise DomainError(_("该企业不是此工程项目的建设、总包或分包单位"), field="project")
    signals = list(signals)
    if alert is not None and alert.enterprise_id != enterprise.pk:
        raise DomainError(_("预警不属于该企业"), field="alert")
    if any(s.enterprise_id != enterprise.pk for s in signals):
        raise DomainError(_("所选线索须都属于该企业"), field="signals")
    for label, value in (("涉及人数", workers), ("登记欠薪金额", amount_claimed)):
        if value is not None and value < 0:
            raise DomainError(_("%(f)s不能为负数") % {"f": label})
    if workers is not None and workers > MAX_WORKERS:
        raise DomainError(_("涉及人数不能超过 %(n)s") % {"n": MAX_WORKERS}, field="workers")
    now = now or timezone.now()
    town_id = project.town_id if project is not None else enterprise.town_id
    lead = lead_unit or town_unit(town_id)
    assessment = RiskAssessment.objects.filter(enterprise=enterprise).values_list("level", flat=True).first()
    level = max([assessment or Level.NONE, alert.level if alert else Level.NONE], key=LEVEL_RANK.get)
    if alert is not None and (workers is None or amount_claimed is None):
        from anxin.cases.selectors import alert_figures

        alert_workers, alert_amount, _note = alert_figures(alert)
        workers = alert_workers if workers is None else workers
        amount_claimed = alert_amount if amount_claimed is None else amount_claimed
    if workers is None:
        workers = max([s.workers for s in signals], default=0)
    if amount_claimed is None:
        amount_claimed = sum(s.amount for s in signals)
    origin = Origin.ALERT if alert else Origin.SIGNALS if signals else Origin.MANUAL
    deadline, deadline_basis = due_after("inspection.investigation_working_days", now)
    due, due_basis = stage_due(Stage.FACTS, now)
    with transaction.atomic(), acting(actor):
        if alert is not None:
            taken = Case.objects.filter(alerts=alert).exclude(stage=Stage.CLOSED).first()
            if taken:
                raise DomainError(_("该预警已立案：%(n)s") % {"n": taken.number}, code="conflict")
        # Two users opening at once: the second waits here and then sees the first's case.
        list(Enterprise.objects.select_for_update().filter(pk=enterprise.pk).values_list("pk"))
        current = open_case_of(enterprise, user=actor)
        if not separate and current is not None:
            raise DomainError(
                _(
                    "该企业已有办理中的案件 %(n)s：请将预警、线索关联到该案件；确属另一起纠纷的，请勾选“另立新案”"
                )
                % {"n": current.number},
                code="duplicate",
                field="separate",
            )
        for attempt in range(5):
            try:
                with transaction.atomic():
                    case = Case.objects.create(
                        number=_next_number(timezone.localdate(now).year),
                        enterprise=enterprise,
                        project=project,
                        origin=origin,
                        summary=summary,
                        town_id=town_id,
                        lead_unit=lead,
                        level=level,
                        workers=workers,
                        amount_claimed=amount_claimed,
                        mass_incident=mass_incident,
                        malicious=malicious,
                        owner_absconded=owner_absconded,
                        sudden_closure=sudden_closure,
                        stage=Stage.FACTS,
                        stage_since=now,
                        stage_due_at=due,
                        stage_due_basis=due_basis,
                        deadline_at=deadline,
                        deadline_basis=deadline_basis,
                        opened_at=now,
                        opened_by=actor,
                    )
                break
            except IntegrityError:  # two cases numbered at once: take the next number
                if attempt == 4:
                    raise
        if co_units:
            case.co_units.set([u for u in co_units if u.pk != lead.pk])
        if signals:
            case.signals.set(signals)
        if alert is not None:
            case.alerts.add(alert)
        _event(
            case,
            Kind.OPEN,
            actor,
            now,
            f"{case.get_origin_display()}立案，牵头单位：{lead.name}"
            + (f"；该企业已有办理中的案件 {current.number}，经确认另立新案（另一起纠纷）" if current else ""),
            to_stage=Stage.FACTS,
        )
        if alert is not None and alert.status in ACTIVE_ALERT:
            from anxin.core.audit import system_actor
            from anxin.monitoring.alerts import alert_handle, is_alert_handler

            # A line department may open the case without being the alert's handler: the
            # system records the handling in its name.
            by = actor if is_alert_handler(actor, alert) else system_actor()
            alert_handle(actor=by, alert=alert, note=f"已立案处置：{case.number}（{actor.display_name}）")
        _notify(
            case,
            [lead.pk, *[u.pk for u in co_units]],
            f"新立案件：{enterprise.name}",
            summary[:200],
            sms=level == Level.RED or mass_incident,
        )
    return case


def open_case_of(enterprise: Enterprise, *, user) -> Case | None:
    """The enterprise's open case that ``user`` can see (the earliest, if several were opened as
    separate disputes). A case outside the user's scope — another town's site of the same
    contractor — is another town's dispute, and is not confirmed to exist to them."""
    cases = Case.objects.open() if is_system(user) else Case.objects.for_user(user).open()
    return cases.filter(enterprise=enterprise).order_by("opened_at", "pk").first()


def case_link(
    *,
    actor: User,
    case: Case,
    signals: list[Signal] | tuple = (),
    alerts: list[Alert] | tuple = (),
    now: datetime.datetime | None = None,
) -> Case:
    """Link signals and alerts that arrive after the case was opened (a new complaint about the
    same dispute, a rule that fired again). The case's level rises with a redder alert; an active
    alert linked here is marked handled by the case."""
    if not case.is_open:
        raise DomainError(_("案件已结案"), code="transition")
    if not works_on(actor, case):
        raise PermissionDenied(_("只有牵头、协办单位或联席办可以关联线索和预警"))
    signals, alerts = list(signals), list(alerts)
    if not signals and not alerts:
        raise DomainError(_("请选择要关联的线索或预警"), field="signals")
    if any(s.enterprise_id != case.enterprise_id for s in signals):
        raise DomainError(_("所选线索须都属于该企业"), field="signals")
    if any(a.enterprise_id != case.enterprise_id for a in alerts):
        raise DomainError(_("所选预警须都属于该企业"), field="alerts")
    visible = Signal.objects.for_user(actor).filter(pk__in=[s.pk for s in signals]).count()
    if not is_system(actor) and visible != len({s.pk for s in signals}):
        raise ScopeViolation(_("所选线索不在您的查看范围内"))
    visible = Alert.objects.for_user(actor).filter(pk__in=[a.pk for a in alerts]).count()
    if not is_system(actor) and visible != len({a.pk for a in alerts}):
        raise ScopeViolation(_("所选预警不在您的查看范围内"))
    if any(a.status not in ACTIVE_ALERT for a in alerts):
        raise DomainError(_("只能关联未办结的预警（已排除或已处置的预警不改变案件）"), field="alerts")
    now = now or timezone.now()
    with transaction.atomic(), acting(actor):
        list(Alert.objects.select_for_update().filter(pk__in=[a.pk for a in alerts]))  # one case per alert
        for alert in alerts:
            taken = Case.objects.filter(alerts=alert).exclude(stage=Stage.CLOSED).exclude(pk=case.pk).first()
            if taken:
                raise DomainError(_("该预警已立案：%(n)s") % {"n": taken.number}, code="conflict")
        new_signals = [s for s in signals if not case.signals.filter(pk=s.pk).exists()]
        new_alerts = [a for a in alerts if not case.alerts.filter(pk=a.pk).exists()]
        if not new_signals and not new_alerts:
            raise DomainError(_("所选线索和预警已关联本案件"), field="signals")
        case.signals.add(*new_signals)
        case.alerts.add(*new_alerts)
        level = max([case.level, *[a.level for a in new_alerts]], key=LEVEL_RANK.get)
        if level != case.level:
            guarded_update(Case.objects.all(), case.pk, level=level, updated_at=now)
        parts = [f"线索 {len(new_signals)} 条"] if new_signals else []
        parts += (
            [f"预警 {len(new_alerts)} 条（{'、'.join(a.rule for a in new_alerts)}）"] if new_alerts else []
        )
        text = "关联" + "、".join(parts)
        if level != case.level:
            text += f"；案件等级 {Level(case.level).label} → {Level(level).label}"
        _event(case, Kind.UPDATE, actor, now, text)
        if new_alerts:
            from anxin.core.audit import system_actor
            from anxin.monitoring.alerts import alert_handle, is_alert_handler

            for alert in new_alerts:
                if alert.status in ACTIVE_ALERT:
                    by = actor if is_alert_handler(actor, alert) else system_actor()
                    alert_handle(
                        actor=by, alert=alert, note=f"已并入案件：{case.number}（{actor.display_name}）"
                    )
    case.refresh_from_db()
    return case


def _project_parties(project: Project) -> set[int]:
    ids = {project.builder_id, project.general_contractor_id}
    ids |= set(project.subcontractors.values_list("pk", flat=True))
    return {i for i in ids if i}


def case_update(
    *,
    actor: User,
    case: Case,
    workers: int | None = None,
    amount_claimed: int | None = None,
    co_units: list[Unit] | None = None,
    summary: str | None = None,
    level: str | None = None,
    **flags: bool,
) -> Case:
    """Correct the case's facts (the lead unit or the office); each change is recorded."""
    require_perm(actor, "cases.change_case")
    if not is_lead(actor, case):
        raise PermissionDenied(_("只有牵头单位或联席办可以修改案件信息"))
    if not case.is_open:
        raise DomainError(_("案件已结案，不能修改"), code="transition")
    unknown = set(flags) - set(FLAGS)
    if unknown:
        raise TypeError(f"unknown flags: {sorted(unknown)}")
    changes = []
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        case = Case.objects.select_for_update().get(pk=case.pk)
        for name, value, label in (
            ("workers", workers, "涉及人数"),
            ("amount_claimed", amount_claimed, "登记欠薪金额"),
        ):
            if value is None or value == getattr(case, name):
                continue
            if value < 0:
                raise DomainError(_("%(f)s不能为负数") % {"f": label}, field=name)
            if name == "workers" and value > MAX_WORKERS:
                raise DomainError(_("涉及人数不能超过 %(n)s") % {"n": MAX_WORKERS}, field=name)
            old = getattr(case, name)
            shown = (format_yuan(old), format_yuan(value)) if name == "amount_claimed" else (old, value)
            changes.append(f"{label}：{shown[0]} → {shown[1]}")
            setattr(case, name, value)
        if summary is not None and summary.strip() and summary.strip() != case.summary:
            case.summary = summary.strip()
            changes.append("基本案情已修改")
        if level is not None and level != case.level:
            if level not in Level.values:
                raise DomainError(_("风险等级不正确"), field="level")
            if not (is_system(actor) or actor.has_perm("cases.approve_plan")):
                # The level decides whether the plan needs the office's approval (§四(三)).
                raise PermissionDenied(_("案件风险等级只能由联席办调整"))
            changes.append(f"风险等级：{case.get_level_display()} → {Level(level).label}")
            case.level = level
        for name, value in flags.items():
            if bool(value) != getattr(case, name):
                label = Case._meta.get_field(name).verbose_name
                changes.append(f"{label}：{'是' if value else '否'}")
                setattr(case, name, bool(value))
        if co_units is not None:
            wanted = {u.pk for u in co_units if u.pk != case.lead_unit_id}
            current = set(case.co_units.values_list("pk", flat=True))
            if wanted != current:
                case.co_units.set(wanted)
                added = Unit.objects.filter(pk__in=wanted - current)
                if added:
                    changes.append("增加协办单位：" + "、".join(u.name for u in added))
                    _notify(case, [u.pk for u in added], "请协办案件", case.summary[:200])
                removed = Unit.objects.filter(pk__in=current - wanted)
                if removed:
                    changes.append("移除协办单位：" + "、".join(u.name for u in removed))
        if not changes:
            return case
        case.save()
        _event(case, Kind.UPDATE, actor, now, "；".join(changes))
    return case


# --- stages -----------------------------------------------------------------------------------------


def available_moves(actor: User, case: Case) -> list[workflow.Transition]:
    """The moves this actor may make on this case now (guards are checked when made)."""
    if not case.is_open:
        return []
    return [
        t
        for t in workflow.TRANSITIONS
        if t.from_stage == case.stage and t.action != workflow.CLOSE and may_make(actor, case, t)
    ]


def _guard_plan(case: Case, what: str) -> None:
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
    step = workflow.transition(case.stage, action)
    if step is None or action == workflow.CLOSE:
        raise DomainError(
            _("案件处于“%(s)s”阶段，不能“%(a)s”")
            % {"s": case.get_stage_display(), "a": workflow.ACTION_LABELS.get(action, action)},
            code="transition",
        )
    require_perm(actor, step.perm)
    if not may_make(actor, case, step):
        raise _who_refusal(case, step)
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        skipped = workflow.OPEN_STAGES[workflow.OPEN_STAGES.index(case.stage) + 1]
        raise DomainError(_("跳过“%(s)s”须说明理由") % {"s": Stage(skipped).label}, field="reason")
    now = now or timezone.now()
    due, basis = stage_due(step.to_stage, now)
    with transaction.atomic(), acting(actor):
        if step.guard == workflow.PLAN_APPROVED:
            _guard_plan(case, _("进入“%(s)s”") % {"s": Stage(step.to_stage).label})
        moved = guarded_update(
            Case.objects.filter(stage=case.stage),
            case.pk,
            stage=step.to_stage,
            stage_since=now,
            stage_due_at=due,
            stage_due_basis=basis,
            reminded_at=None,
            escalated_at=None,
            office_escalated_at=None,
            updated_at=now,
        )
        if moved != 1:
            raise DomainError(_("该案件已被他人处理（阶段已变更），请刷新后查看"), code="conflict")
        kind = Kind.SKIP if action == workflow.SKIP else Kind.MOVE
        _event(case, kind, actor, now, reason, from_stage=case.stage, to_stage=step.to_stage)
    case.refresh_from_db()
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
    step = workflow.transition(case.stage, workflow.CLOSE)
    if step is None:
        raise DomainError(_("案件已结案"), code="transition")
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
    with transaction.atomic(), acting(actor):
        moved = guarded_update(
            Case.objects.filter(stage=case.stage),
            case.pk,
            stage=Stage.CLOSED,
            stage_since=now,
            stage_due_at=None,
            stage_due_basis="",
            outcome=outcome,
            closing_note=note,
            closed_at=now,
            closed_by=actor,
            updated_at=now,
        )
        if moved != 1:
            raise DomainError(_("该案件已被他人处理（阶段已变更），请刷新后查看"), code="conflict")
        for closed in seam.collect(seam.CASE_CLOSED):  # money records the amount paid
            closed(case, actor=actor, outcome=outcome, amount_paid=amount_paid, now=now)
        text = f"{Outcome(outcome).label}，已支付 ¥{format_yuan(amount_paid)}" + (f"；{note}" if note else "")
        _event(case, Kind.CLOSE, actor, now, text, from_stage=case.stage, to_stage=Stage.CLOSED)
        _notify(case, [case.lead_unit_id, *office_unit_ids()], "已结案", text)
    case.refresh_from_db()
    return case


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
        _event(case, Kind.EXTEND, actor, now, f"延长至 {timezone.localtime(new_deadline):%Y-%m-%d}：{reason}")
    case.refresh_from_db()
    return case


def document_issued(*, actor: User, case: Case, title: str) -> None:
    """A document was produced from the case (a notice, the summary): it belongs on the timeline."""
    with transaction.atomic(), acting(actor):
        _event(case, Kind.DOCUMENT, actor, timezone.now(), title)


def case_note(*, actor: User, case: Case, note: str) -> None:
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写内容"), field="note")
    if not works_on(actor, case):
        raise PermissionDenied(_("只有牵头、协办单位或联席办可以记录"))
    with transaction.atomic(), acting(actor):
        _event(case, Kind.NOTE, actor, timezone.now(), note)


# --- one enterprise, one plan -----------------------------------------------------------------------


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
            _event(case, Kind.PLAN, actor, now, "编制一企一策处置方案")
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
        _event(
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
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.RETURNED):
            raise DomainError(
                _("方案处于“%(s)s”，不能报批") % {"s": plan.get_status_display()}, code="transition"
            )
        plan.status = PlanStatus.SUBMITTED
        plan.save(update_fields=["status"])
        _event(case, Kind.PLAN, actor, now, "处置方案报联席办审批")
        _notify(case, office_unit_ids(), "一企一策处置方案待审批", plan.measures[:200])
    return plan


def plan_review(*, actor: User, case: Case, approve: bool, note: str = "") -> Plan:
    """The office approves the plan or returns it with its reasons."""
    require_perm(actor, "cases.approve_plan")
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError(_("退回方案须写明修改意见"), field="note")
    now = timezone.now()
    status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    with transaction.atomic(), acting(actor):
        if (
            guarded_update(
                Plan.objects.filter(status=PlanStatus.SUBMITTED),
                Plan.objects.filter(case=case).values_list("pk", flat=True).first() or 0,
                status=status,
                reviewed_at=now,
                reviewed_by=actor,
                review_note=note,
            )
            != 1
        ):
            raise DomainError(_("方案不在待审批状态（可能已被他人处理），请刷新后查看"), code="conflict")
        text = ("批准处置方案" if approve else "退回处置方案") + (f"：{note}" if note else "")
        _event(case, Kind.PLAN, actor, now, text)
        _notify(case, [case.lead_unit_id], text)
    return Plan.objects.get(case=case)


# --- incidents and site control (§四(四)) -----------------------------------------------------------


def incident_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    occurred_at: datetime.datetime,
    place: str,
    people: int,
    command_post: str,
    measures: str,
) -> Incident:
    """A mass incident or a sudden closure: it flags the case and reaches the office (and, for a
    mass incident, the police) at once."""
    require_perm(actor, "cases.change_case")
    if not works_on(actor, case):
        raise PermissionDenied(_("只有牵头、协办单位或联席办可以登记现场处置"))
    if kind not in Incident.Kind.values:
        raise DomainError(_("请选择事件类型"), field="kind")
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise DomainError(_("发生时间不能晚于现在"), field="occurred_at")
    place, command_post, measures = place.strip(), command_post.strip(), measures.strip()
    for value, field, label in (
        (place, "place", "地点"),
        (command_post, "command_post", "现场指挥部及到场人员"),
        (measures, "measures", "采取的措施"),
    ):
        if not value:
            raise DomainError(_("请填写%(f)s") % {"f": label}, field=field)
    if kind == Incident.Kind.MASS and people <= 0:
        raise DomainError(_("群体性事件须填写聚集人数"), field="people")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        incident = Incident.objects.create(
            case=case,
            kind=kind,
            occurred_at=occurred_at,
            place=place,
            people=max(people, 0),
            command_post=command_post,
            measures=measures,
            recorded_at=now,
            recorded_by=actor,
        )
        flag = "mass_incident" if kind == Incident.Kind.MASS else "sudden_closure"
        guarded_update(Case.objects.all(), case.pk, **{flag: True, "updated_at": now})
        text = f"{incident.get_kind_display()}：{timezone.localtime(occurred_at):%m-%d %H:%M} {place}"
        if kind == Incident.Kind.MASS:
            text += f"，聚集 {people} 人"
        _event(case, Kind.INCIDENT, actor, now, f"{text}；现场指挥部：{command_post}；措施：{measures}")
        recipients = [case.lead_unit_id, *office_unit_ids()]
        if kind == Incident.Kind.MASS:
            recipients += list(Unit.objects.filter(code="police").values_list("pk", flat=True))
        _notify(case, recipients, text, measures[:200], sms=True, topic="case-incident")
    return incident


def asset_record(
    *,
    actor: User,
    case: Case,
    item: str,
    custody: str,
    custodian: str,
    description: str = "",
    agreement: str = "",
    fee: int = 0,
    preservation_ref: str = "",
    looted: bool = False,
    note: str = "",
) -> AssetItem:
    """One item of the asset-control checklist with its custody (§四(四))."""
    require_perm(actor, "cases.change_case")
    if not works_on(actor, case):
        raise PermissionDenied(_("只有牵头、协办单位或联席办可以登记财产控制"))
    if item not in AssetItem.Item.values:
        raise DomainError(_("请选择财物"), field="item")
    if custody not in Custody.values:
        raise DomainError(_("请选择保管方式"), field="custody")
    custodian, agreement, preservation_ref = custodian.strip(), agreement.strip(), preservation_ref.strip()
    if not custodian:
        raise DomainError(_("请填写保管人或保管单位"), field="custodian")
    if custody == Custody.ENTRUSTED and not agreement:
        raise DomainError(_("委托基层组织保管须办理委托保管手续（填写协议编号）"), field="agreement")
    if custody == Custody.PRESERVATION and not preservation_ref:
        raise DomainError(_("申请财产保全须填写申请或裁定文号"), field="preservation_ref")
    if fee < 0:
        raise DomainError(_("保管费不能为负数"), field="fee")
    if fee and custody != Custody.ENTRUSTED:
        raise DomainError(_("只有委托基层组织保管才有保管费"), field="fee")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        asset = AssetItem.objects.create(
            case=case,
            item=item,
            description=description.strip(),
            custody=custody,
            custodian=custodian,
            agreement=agreement,
            fee=fee,
            preservation_ref=preservation_ref,
            looted=looted,
            note=note.strip(),
            recorded_at=now,
            recorded_by=actor,
        )
        text = f"{asset.get_item_display()}：{asset.get_custody_display()}（{custodian}）"
        if fee:
            text += f"，保管费 ¥{format_yuan(fee)}（后续优先受偿）"
        if looted:
            text += "；曾被哄抢，待追回"
        _event(case, Kind.ASSET, actor, now, text)
    return asset


def asset_recover(*, actor: User, asset: AssetItem, recovered_on: datetime.date, note: str = "") -> AssetItem:
    """Looted property recovered and put back in custody (§四(四))."""
    require_perm(actor, "cases.change_case")
    if not works_on(actor, asset.case):
        raise PermissionDenied(_("只有牵头、协办单位或联席办可以登记追回"))
    if not asset.looted:
        raise DomainError(_("该财物未登记为被哄抢"), code="transition")
    if asset.recovered_on:
        raise DomainError(_("已登记追回"), code="transition")
    if recovered_on > timezone.localdate():
        raise DomainError(_("追回日期不能晚于今天"), field="recovered_on")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        if (
            guarded_update(
                AssetItem.objects.filter(looted=True, recovered_on__isnull=True),
                asset.pk,
                recovered_on=recovered_on,
                note=(asset.note + "\n" + note.strip()).strip(),
            )
            != 1
        ):
            raise DomainError(_("已登记追回（可能已被他人登记），请刷新后查看"), code="conflict")
        _event(
            asset.case, Kind.ASSET, actor, now, f"{asset.get_item_display()}已于 {recovered_on:%Y-%m-%d} 追回"
        )
    asset.refresh_from_db()
    return asset
