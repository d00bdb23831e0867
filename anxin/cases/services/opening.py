"""Opening a case and keeping its facts: opening on one dispute (from an alert, signals or by hand),
linking what arrives later, correcting the facts and the level, notes and issued documents."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.cases.models import MAX_WORKERS, Case, Origin, Stage
from anxin.cases.selectors import alert_figures
from anxin.cases.services.common import Kind, add_event, is_lead, notify_case, town_unit, works_on
from anxin.cases.services.stages import stage_due
from anxin.core import seam
from anxin.core.access import is_system, require_perm
from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.deadlines import due_after
from anxin.core.errors import DomainError, ScopeViolation
from anxin.core.money import format_yuan
from anxin.intake.models import Signal
from anxin.monitoring.alerts import alert_handle, is_alert_handler
from anxin.monitoring.models import ACTIVE_ALERT, LEVEL_RANK, Alert, Level, RiskAssessment
from anxin.org.models import Unit, User
from anxin.registry.models import Enterprise, Project

FLAGS = ("mass_incident", "malicious", "owner_absconded", "sudden_closure")


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
        add_event(
            case,
            Kind.OPEN,
            actor,
            now,
            f"{case.get_origin_display()}立案，牵头单位：{lead.name}"
            + (f"；该企业已有办理中的案件 {current.number}，经确认另立新案（另一起纠纷）" if current else ""),
            to_stage=Stage.FACTS,
        )
        if alert is not None and alert.status in ACTIVE_ALERT:
            # A line department may open the case without being the alert's handler: the
            # system records the handling in its name.
            by = actor if is_alert_handler(actor, alert) else system_actor()
            alert_handle(actor=by, alert=alert, note=f"已立案处置：{case.number}（{actor.display_name}）")
        _take_open_alerts(case, actor=actor, but=alert)
        notify_case(
            case,
            [lead.pk, *[u.pk for u in co_units]],
            f"新立案件：{enterprise.name}",
            summary[:200],
            sms=level == Level.RED or mass_incident,
        )
    return case


def _take_open_alerts(case: Case, *, actor: User, but: Alert | None) -> list[Alert]:
    """Every other active alert of the enterprise that the user can see, and that no open case
    holds yet, belongs to the case just opened: linked to it and marked handled through
    monitoring's own step, the case number in the event's note — so it is no longer 待签收 and
    the tick does not report it overdue (§四(二) 动态预警 → §四(三) 一企一策)."""
    alerts = Alert.objects.all() if is_system(actor) else Alert.objects.for_user(actor)
    held = Case.objects.open().exclude(pk=case.pk).filter(alerts__isnull=False).values("alerts")
    alerts = alerts.filter(enterprise_id=case.enterprise_id, status__in=ACTIVE_ALERT).exclude(pk__in=held)
    if but is not None:
        alerts = alerts.exclude(pk=but.pk)
    taken = list(alerts.select_for_update(of=("self",)).order_by("pk"))
    if taken:
        case.alerts.add(*taken)
    for other in taken:
        by = actor if is_alert_handler(actor, other) else system_actor()
        alert_handle(
            actor=by,
            alert=other,
            note=f"已立案处置：同一企业立案 {case.number}（{actor.display_name}），本预警并入该案件办理",
        )
    if taken:
        add_event(
            case,
            Kind.NOTE,
            actor,
            timezone.now(),
            "并入本企业未处置的预警：" + "、".join(f"#{a.pk}" for a in taken),
        )
    return taken


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
        add_event(case, Kind.UPDATE, actor, now, text)
        if new_alerts:
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
        from_claims = case.pk in seam.case_money([case.pk])  # money sums its workers' claims
        for name, value, label in (
            ("workers", workers, "涉及人数"),
            ("amount_claimed", amount_claimed, "登记欠薪金额"),
        ):
            if value is None or value == getattr(case, name):
                continue
            if from_claims:
                raise DomainError(
                    _("已逐人登记欠薪，%(f)s按欠薪确认汇总，不能直接修改") % {"f": label}, field=name
                )
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
                    notify_case(case, [u.pk for u in added], "请协办案件", case.summary[:200])
                removed = Unit.objects.filter(pk__in=current - wanted)
                if removed:
                    changes.append("移除协办单位：" + "、".join(u.name for u in removed))
        if not changes:
            return case
        case.save()
        add_event(case, Kind.UPDATE, actor, now, "；".join(changes))
    return case


def case_amount_from_claims(
    *, actor: User, case: Case, amount: int, workers: int, now: datetime.datetime
) -> None:
    """Once workers' claims are registered (money, §四(六)), the case's registered amount and
    workers are their sum and count, no longer typed: a later app sets them here after each change
    of its claims, inside its own transaction. Recorded on the timeline when they change."""
    current = Case.objects.select_for_update().get(pk=case.pk)
    if (current.amount_claimed, current.workers) == (amount, workers):
        return
    guarded_update(Case.objects.all(), case.pk, amount_claimed=amount, workers=workers, updated_at=now)
    add_event(
        case,
        Kind.UPDATE,
        actor,
        now,
        f"登记欠薪金额按逐人欠薪确认汇总：¥{format_yuan(current.amount_claimed)} → ¥{format_yuan(amount)}，"
        f"涉及人数：{current.workers} → {workers}",
    )
    case.amount_claimed, case.workers = amount, workers


def document_issued(*, actor: User, case: Case, title: str) -> None:
    """A document was produced from the case (a notice, the summary): it belongs on the timeline."""
    with transaction.atomic(), acting(actor):
        add_event(case, Kind.DOCUMENT, actor, timezone.now(), title)


def case_note(*, actor: User, case: Case, note: str) -> None:
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写内容"), field="note")
    if not works_on(actor, case):
        raise PermissionDenied(_("只有牵头、协办单位或联席办可以记录"))
    with transaction.atomic(), acting(actor):
        add_event(case, Kind.NOTE, actor, timezone.now(), note)
