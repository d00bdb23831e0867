"""Joint sanctions (联合惩戒, 暂行办法 联合惩戒措施; §三(八)(九)(十)(十一)(十四)).

The measures each unit applies to a listed enterprise come from the district file
(``credit_sanctions``, loaded by ``sanction_measures_load``). A decided listing gives each unit whose
measure reaches the enterprise a task to apply it; a listing that ends gives a task to lift each
measure that was applied (and withdraws the apply tasks still open — there is nothing left to
restrict). The unit records the day it did it (``sanction_task_done``); ``tick`` reminds it before
the deadline and tells the office once when the task is overdue (``sanction_tasks_sweep``)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from anxin.cases.services.common import office_unit_ids
from anxin.core.audit import acting, system_actor
from anxin.core.deadlines import due_after, working_days_after
from anxin.core.errors import DomainError
from anxin.core.policy import param_record
from anxin.credit import access
from anxin.credit.models import Listing, SanctionMeasure, SanctionTask, TaskKind, TaskStatus
from anxin.credit.workflow import (
    LISTING,
    TASK_CANCEL,
    TASK_DONE,
    TASK_OVERDUE,
    TASK_REMIND,
    TASK_SENT,
    TASKS,
)
from anxin.notify.services import notify_units
from anxin.org.models import Unit, User
from anxin.registry.models import EnterpriseKind

SECTION = "credit_sanctions"
HORIZON = datetime.timedelta(days=45)  # nothing due further out can need a reminder yet


def _nolog(_message: str) -> None:
    pass


# --- the district's measures -----------------------------------------------------------------------


def sanction_measures_load(*, data: dict, actor: User, log: Callable[[str], None] = _nolog) -> None:
    """``seam.DISTRICT_SECTIONS``: the district file's ``credit_sanctions`` into ``SanctionMeasure``.
    Idempotent (keyed by ``code``); an unknown unit or enterprise kind is refused naming the entry
    and the field; a measure no longer in the file becomes inactive (its tasks stay on record)."""
    entries = data.get(SECTION)
    if entries is None:
        return
    units = {u.code: u for u in Unit.objects.all()}
    kinds = set(EnterpriseKind.objects.values_list("code", flat=True))
    seen: set[str] = set()
    with transaction.atomic(), acting(actor):
        for order, item in enumerate(entries or [], start=1):
            code = str(item.get("code") or "").strip()
            where = f"区配置 {SECTION} 第 {order} 项（{code or '无代码'}）"
            for field in ("code", "unit", "name", "citation"):
                if not str(item.get(field) or "").strip():
                    raise DomainError(f"{where}：缺少字段 {field}", field=field)
            if code in seen:
                raise DomainError(f"{where}：代码 {code} 重复", field="code")
            seen.add(code)
            unit = units.get(str(item["unit"]))
            if unit is None:
                raise DomainError(f"{where}：实施单位 unit={item['unit']} 不是已登记的成员单位", field="unit")
            wanted = item.get("enterprise_kinds") or []
            if not isinstance(wanted, list):
                raise DomainError(
                    f"{where}：enterprise_kinds 应为企业类型代码的列表", field="enterprise_kinds"
                )
            unknown = [k for k in wanted if k not in kinds]
            if unknown:
                raise DomainError(
                    f"{where}：适用企业类型 enterprise_kinds 中的 {'、'.join(map(str, unknown))} 不是已登记的企业类型",
                    field="enterprise_kinds",
                )
            SanctionMeasure.objects.update_or_create(
                code=code,
                defaults={
                    "unit": unit,
                    "name": str(item["name"]).strip(),
                    "citation": str(item["citation"]).strip(),
                    "enterprise_kinds": list(wanted),
                    "order": order,
                    "active": True,
                },
            )
        gone = SanctionMeasure.objects.filter(active=True).exclude(code__in=seen)
        retired = 0
        for measure in gone:  # one by one: each leaves its audit row
            measure.active = False
            measure.save(update_fields=["active"])
            retired += 1
    log(f"联合惩戒措施：{len(seen)} 项" + (f"，停用 {retired} 项" if retired else ""))


# --- tasks ------------------------------------------------------------------------------------------


def measures_for(listing: Listing) -> list[SanctionMeasure]:
    """The active measures that reach this listing's enterprise: those without kinds reach every
    listed enterprise, the others only enterprises of one of their kinds (the unit's line)."""
    kinds = set(listing.enterprise.kinds.values_list("code", flat=True))
    return [
        m
        for m in SanctionMeasure.objects.filter(active=True).select_related("unit")
        if not m.enterprise_kinds or kinds & set(m.enterprise_kinds)
    ]


def task_url(task: SanctionTask) -> str:
    return reverse("credit-sanction-task", args=[task.pk])


def sanction_tasks_open(
    *, actor: User, listing: Listing, kind: str, now: datetime.datetime | None = None
) -> list[SanctionTask]:
    """Open the tasks of ``kind`` (``apply`` on listing, ``lift`` on its end) for ``listing``, each
    with its deadline (``sanction.task_working_days``), one event line each, the units told after
    commit. Idempotent: a task already opened for a measure and kind is not opened again. Called
    inside the listing's own transaction by the listing services."""
    if kind not in TaskKind.values:
        raise DomainError(f"联合惩戒任务的事项只能是“实施”或“解除”，不能是 {kind}", field="kind")
    now = now or timezone.now()
    due_at, basis = due_after("sanction.task_working_days", now)
    opened: list[SanctionTask] = []
    with transaction.atomic(), acting(actor):
        if kind == TaskKind.APPLY:
            measures = measures_for(listing)
        else:
            # Lift what was applied; an apply task still open is withdrawn (nothing to restrict now).
            for task in listing.sanction_tasks.filter(kind=TaskKind.APPLY, status=TaskStatus.OPEN):
                TASKS.move(
                    task,
                    TASKS.step(task, TASK_CANCEL),
                    actor=actor,
                    note=f"名单已移出，撤回未办理的惩戒任务：{task.measure.unit.name} — {task.measure.name}",
                    now=now,
                    event={"ref": f"task:{task.pk}"},
                )
            measures = [
                t.measure
                for t in listing.sanction_tasks.filter(
                    kind=TaskKind.APPLY, status=TaskStatus.DONE
                ).select_related("measure__unit")
            ]
        existing = set(listing.sanction_tasks.filter(kind=kind).values_list("measure_id", flat=True))
        for measure in measures:
            if measure.pk in existing:
                continue
            task = SanctionTask.objects.create(
                listing=listing,
                measure=measure,
                unit=measure.unit,
                kind=kind,
                created_at=now,
                due_at=due_at,
                due_basis=basis,
            )
            opened.append(task)
            due_day = timezone.localtime(due_at).date()
            LISTING.record(
                listing,
                TASK_SENT,
                actor=actor,
                at=now,
                note=f"{task.get_kind_display()}：{measure.unit.name} — {measure.name}（期限 {due_day:%Y-%m-%d}）",
                ref=f"task:{task.pk}",
            )
        for task in opened:
            verb = "实施" if kind == TaskKind.APPLY else "解除"
            notify_units(
                unit_ids=[task.unit_id],
                subject=f"{listing.number} 请{verb}联合惩戒措施：{task.measure.name}",
                body=f"{listing.enterprise.name} {'已列入' if kind == TaskKind.APPLY else '已移出'}失信联合惩戒名单，"
                f"请于 {timezone.localtime(due_at):%Y-%m-%d} 前{verb}并登记（{task.measure.citation}；期限：{basis}）。",
                url=task_url(task),
                topic="credit-sanction",
                about=listing.enterprise.name,
            )
    return opened


def sanction_task_done(
    *,
    actor: User,
    task: SanctionTask,
    done_on: datetime.date,
    note: str,
    now: datetime.datetime | None = None,
) -> SanctionTask:
    """Record that the unit applied (or lifted) the measure on ``done_on``: its own unit or the office
    only; the day neither in the future nor before the task was sent; the note (措施文号或办理情况)
    required. The office is told after commit."""
    if not access.may_handle_task(actor, task):
        raise PermissionDenied(f"该联合惩戒任务由{task.unit.name}办理，您所在单位不能登记")
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent_on = timezone.localdate(task.created_at)
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写措施文号或办理情况（办理记录须写明依据的文书或办理经过）", field="note")
    if done_on is None:
        raise DomainError("请填写实施（解除）日期", field="done_on")
    if done_on > today:
        raise DomainError(
            f"实施（解除）日期 {done_on:%Y-%m-%d} 晚于今天（{today:%Y-%m-%d}），不能登记尚未办理的措施",
            field="done_on",
        )
    if done_on < sent_on:
        raise DomainError(
            f"实施（解除）日期 {done_on:%Y-%m-%d} 早于任务下达日 {sent_on:%Y-%m-%d}，请核对日期",
            field="done_on",
        )
    verb = "实施" if task.kind == TaskKind.APPLY else "解除"
    with transaction.atomic(), acting(actor):
        TASKS.move(
            task,
            TASKS.step(task, TASK_DONE),
            actor=actor,
            note=f"{task.unit.name}已于 {done_on:%Y-%m-%d} {verb}“{task.measure.name}”：{note}",
            values={"done_on": done_on, "done_by": actor, "note": note},
            now=now,
            event={"ref": f"task:{task.pk}"},
        )
        listing = task.listing
        late = done_on > timezone.localtime(task.due_at).date()
        notify_units(
            unit_ids=office_unit_ids(),
            subject=f"{listing.number} {task.unit.name}已{verb}联合惩戒措施：{task.measure.name}"
            + ("（逾期办理）" if late else ""),
            body=f"{listing.enterprise.name}：{done_on:%Y-%m-%d} {verb}，{note}",
            url=task_url(task),
            topic="credit-sanction",
            about=listing.enterprise.name,
        )
    return task


# --- deadlines (tick) -------------------------------------------------------------------------------


def _mark_once(task: SanctionTask, field: str, now: datetime.datetime) -> bool:
    """Set a once-only mark; False when a parallel tick already set it."""
    return bool(
        SanctionTask.objects.filter(pk=task.pk, status=TaskStatus.OPEN, **{f"{field}__isnull": True}).update(
            **{field: now}
        )
    )


def _what(task: SanctionTask) -> str:
    listing = task.listing
    where = f"{task.unit.name}，{listing.number} {listing.enterprise.name}"
    return f"联合惩戒任务“{task.get_kind_display()}：{task.measure.name}”（{where}）"


def sanction_tasks_sweep(*, now: datetime.datetime | None = None) -> int:
    """``tick``: remind the unit of an open task due within ``case.remind_working_days``, and tell the
    office (and the unit) once when it is overdue — each once, each a line on the listing's history.
    Returns the number of reminders and escalations sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    remind = int(param_record("case.remind_working_days", on=today).typed_value)
    actor = system_actor()
    done = 0
    office = office_unit_ids()
    with transaction.atomic(), acting(actor):
        for task in SanctionTask.objects.select_related("listing__enterprise", "measure", "unit").filter(
            Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True),
            status=TaskStatus.OPEN,
            due_at__lt=now + HORIZON,
        ):
            due_day = timezone.localtime(task.due_at).date()
            what = _what(task)
            url = task_url(task)
            about = task.listing.enterprise.name
            if task.due_at < now:
                if task.escalated_at is None and _mark_once(task, "escalated_at", now):
                    text = f"{what}已逾期（期限 {due_day:%Y-%m-%d}），已报联席办"
                    LISTING.record(
                        task.listing, TASK_OVERDUE, actor=actor, at=now, note=text, ref=f"task:{task.pk}"
                    )
                    notify_units(
                        unit_ids=[*office, task.unit_id],
                        subject=text,
                        body=f"期限依据：{task.due_basis}",
                        url=url,
                        topic="credit-sanction-overdue",
                        about=about,
                    )
                    done += 1
                continue
            due_soon = working_days_after(today, remind)[0] >= due_day
            if task.reminded_at is None and due_soon and _mark_once(task, "reminded_at", now):
                text = f"{what}将于 {due_day:%Y-%m-%d} 到期"
                LISTING.record(
                    task.listing, TASK_REMIND, actor=actor, at=now, note=text, ref=f"task:{task.pk}"
                )
                notify_units(
                    unit_ids=[task.unit_id],
                    subject=text,
                    body=f"到期前 {remind} 个工作日提醒（参数 case.remind_working_days）；期限依据：{task.due_basis}",
                    url=url,
                    topic="credit-sanction-due",
                    about=about,
                )
                done += 1
    return done
