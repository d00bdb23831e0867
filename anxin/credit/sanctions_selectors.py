"""Reads of joint sanctions for screens, exports and panels, each scoped: a task is seen by whoever
sees its listing (its enterprise's town and line, the unit holding a task on it, the office)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from anxin.credit.models import Listing, SanctionMeasure, SanctionTask, TaskKind, TaskStatus

RELATED = ("listing__enterprise", "measure", "unit", "done_by")


def _visible(user: Any) -> QuerySet[SanctionTask]:
    return SanctionTask.objects.filter(listing__in=Listing.objects.for_user(user).values("pk"))


def task_list(
    *,
    user: Any,
    q: str = "",
    unit: Any = None,
    kind: str = "",
    status: str = "",
    overdue: bool = False,
    listing: str = "",
) -> QuerySet[SanctionTask]:
    """The 联合惩戒任务台账: search by listing number, enterprise name or credit code."""
    qs = _visible(user).select_related(*RELATED)
    if q:
        qs = qs.filter(
            Q(listing__number__icontains=q)
            | Q(listing__enterprise__name__icontains=q)
            | Q(listing__enterprise__uscc__icontains=q.upper())
            | Q(measure__name__icontains=q)
        )
    if unit:
        qs = qs.filter(unit_id=getattr(unit, "pk", unit))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=TaskStatus.OPEN, due_at__lt=timezone.now())
    if listing:
        qs = qs.filter(listing__number=listing)
    return qs.order_by("status", "due_at", "pk")


def task_get(*, user: Any, pk: int) -> SanctionTask:
    task = _visible(user).select_related(*RELATED, "listing__enterprise__town").filter(pk=pk).first()
    if task is None:
        raise Http404("没有找到该联合惩戒任务")
    return task


def unit_open_tasks(*, user: Any) -> QuerySet[SanctionTask]:
    """The open tasks of the user's own unit (我的待办), the soonest due first."""
    unit_id = getattr(user, "unit_id", None)
    if not unit_id:
        return SanctionTask.objects.none()
    return (
        SanctionTask.objects.filter(unit_id=unit_id, status=TaskStatus.OPEN)
        .select_related(*RELATED)
        .order_by("due_at", "pk")
    )


def listing_tasks(*, listing: Listing) -> list[SanctionTask]:
    """A listing's tasks (the listing's page already checked the user sees it)."""
    return list(
        listing.sanction_tasks.select_related("measure", "unit", "done_by").order_by(
            "kind", "measure__order", "pk"
        )
    )


def enterprise_tasks(*, user: Any, enterprise: Any) -> list[SanctionTask]:
    return list(
        _visible(user)
        .filter(listing__enterprise=enterprise)
        .select_related("listing", "measure", "unit")
        .order_by("-listing__proposed_at", "kind", "measure__order", "pk")
    )


def open_by_unit(*, user: Any) -> list[dict[str, Any]]:
    """Open and overdue tasks by unit (the overview card), in scope."""
    now = timezone.now()
    rows = (
        _visible(user)
        .filter(status=TaskStatus.OPEN)
        .values("unit_id", "unit__name", "kind")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
        .order_by("unit__order", "unit_id")
    )
    found: dict[int, dict[str, Any]] = defaultdict(lambda: {"apply": 0, "lift": 0, "overdue": 0})
    for row in rows:
        entry = found[row["unit_id"]]
        entry["unit_id"], entry["name"] = row["unit_id"], row["unit__name"]
        entry["apply" if row["kind"] == TaskKind.APPLY else "lift"] += row["open"]
        entry["overdue"] += row["overdue"]
    return list(found.values())


def measures() -> QuerySet[SanctionMeasure]:
    return (
        SanctionMeasure.objects.select_related("unit")
        .annotate(
            applied=Count("tasks", filter=Q(tasks__kind=TaskKind.APPLY, tasks__status=TaskStatus.DONE)),
            open_tasks=Count("tasks", filter=Q(tasks__status=TaskStatus.OPEN)),
        )
        .order_by("-active", "order", "code")
    )
