"""Joint sanctions' tasks (联合惩戒): a decided listing gives each unit whose measure applies a task to
apply it; a listing that ends gives a task to lift each measure that was applied (and withdraws the
apply tasks still open — there is nothing left to restrict)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from anxin.core.audit import acting
from anxin.core.deadlines import due_after
from anxin.credit.models import Listing, SanctionMeasure, SanctionTask, TaskKind, TaskStatus
from anxin.credit.workflow import LISTING, TASK_CANCEL, TASK_SENT, TASKS
from anxin.notify.services import notify_units
from anxin.org.models import User


def measures_for(listing: Listing) -> list[SanctionMeasure]:
    """The active measures that reach this listing's enterprise: those without kinds reach every
    listed enterprise, the others only enterprises of one of their kinds (the unit's line)."""
    kinds = set(listing.enterprise.kinds.values_list("code", flat=True))
    return [
        m
        for m in SanctionMeasure.objects.filter(active=True).select_related("unit")
        if not m.enterprise_kinds or kinds & set(m.enterprise_kinds)
    ]


def sanction_tasks_open(
    *, actor: User, listing: Listing, kind: str, now: datetime.datetime | None = None
) -> list[SanctionTask]:
    """Open the tasks of ``kind`` (``apply`` on listing, ``lift`` on its end) for ``listing``, each
    with its deadline (``sanction.task_working_days``), one event line each, the units told after
    commit. Idempotent: a task already opened for a measure and kind is not opened again. Called
    inside the listing's own transaction by the listing services."""
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
                    note="名单已移出，撤回未办理的惩戒任务",
                    now=now,
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
                f"请于 {timezone.localtime(due_at):%Y-%m-%d} 前{verb}并登记。",
                url=reverse("credit-listing", args=[listing.pk]),
                topic="credit-sanction",
                about=listing.enterprise.name,
            )
    return opened
