"""Reads of spot checks for the rounds list, a round's page, a unit's own view, 我的待办, the API.

Scoped: the office, the leaders and the auditors (``access.sees_all``) see every round; a unit sees
a round once it is drawn in it, and then only its own units' items and rectification items; an
inspector sees the rounds they were assigned to; once the circular is issued, every unit it went to
sees the round (the circular's text, Word and recipients; still only its own items); outside: 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from anxin.assessment import access
from anxin.assessment.models import (
    CircularRecipient,
    ItemResult,
    Rectification,
    RectificationStatus,
    SpotCheck,
    SpotCheckItem,
    SpotCheckStatus,
    SpotCheckUnit,
)


def _visible(user: Any) -> QuerySet[SpotCheck]:
    qs = SpotCheck.objects.all()
    if access.sees_all(user):
        return qs
    unit_id = getattr(user, "unit_id", None)
    cond = Q(pk__in=[])
    if unit_id:
        cond |= Q(units__unit_id=unit_id)
        cond |= Q(status=SpotCheckStatus.CIRCULATED, recipients__unit_id=unit_id)
    if getattr(user, "pk", None):
        cond |= Q(units__inspectors=user)
    return qs.filter(pk__in=SpotCheck.objects.filter(cond).values("pk"))


def spot_check_list(
    *, user: Any, q: str = "", status: str = "", year: Any = None, unit: Any = None
) -> QuerySet[SpotCheck]:
    """The rounds, newest first, each with its counts (one query for the page)."""
    qs = _visible(user)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    if unit:
        qs = qs.filter(
            pk__in=SpotCheckUnit.objects.filter(unit_id=getattr(unit, "pk", unit)).values("spot_check_id")
        )
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(circular_reference__icontains=q))
    return (
        qs.select_related("drawn_by")
        .prefetch_related(
            Prefetch("units", queryset=SpotCheckUnit.objects.select_related("unit").order_by("order"))
        )
        .annotate(
            unit_total=Count("units", distinct=True),
            item_total=Count("units__items", distinct=True),
            problem_total=Count(
                "units__items", filter=Q(units__items__result=ItemResult.PROBLEM), distinct=True
            ),
            rectification_total=Count("units__items__rectifications", distinct=True),
        )
        .order_by("-drawn_at", "-pk")
    )


def spot_check_get(*, user: Any, pk: int) -> SpotCheck:
    found = _visible(user).select_related("drawn_by", "circulated_by").filter(pk=pk).first()
    if found is None:
        raise Http404("没有找到该抽查")
    return found


def recipients_shown(spot_check: SpotCheck, *, user: Any) -> list[CircularRecipient]:
    """Who the circular went to, once issued: for who sees all, and for a unit it went to."""
    if spot_check.status != SpotCheckStatus.CIRCULATED:
        return []
    rows = list(spot_check.recipients.select_related("unit"))
    unit_id = getattr(user, "unit_id", None)
    if access.sees_all(user) or (unit_id and any(r.unit_id == unit_id for r in rows)):
        return rows
    return []


def units_of(spot_check: SpotCheck, *, user: Any) -> list[SpotCheckUnit]:
    """The drawn units with inspectors, items (files, rectification): all for who sees all or
    inspects; a unit's own otherwise."""
    qs = spot_check.units.select_related("unit").prefetch_related(
        "inspectors",
        Prefetch(
            "items",
            queryset=SpotCheckItem.objects.select_related(
                "enterprise", "project", "checked_by"
            ).prefetch_related(
                "files",
                "findings",
                Prefetch("rectifications", queryset=Rectification.objects.select_related("unit")),
            ),
        ),
    )
    if not access.sees_all(user):
        mine = Q(unit_id=getattr(user, "unit_id", None) or -1)
        if getattr(user, "pk", None):
            mine |= Q(
                pk__in=SpotCheckUnit.objects.filter(spot_check=spot_check, inspectors=user).values("pk")
            )
        qs = qs.filter(mine)
    return list(qs.order_by("order"))


def rectification_list(
    *, user: Any, q: str = "", status: str = "", unit: Any = None, overdue: bool = False, today: Any = None
) -> QuerySet[Rectification]:
    from django.utils import timezone

    if access.sees_all(user):
        qs = Rectification.objects.all()
    else:
        qs = Rectification.objects.filter(unit_id=getattr(user, "unit_id", None) or -1)
    if status:
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(unit_id=getattr(unit, "pk", unit))
    if overdue:
        qs = qs.filter(
            status__in=[RectificationStatus.OPEN, RectificationStatus.RETURNED],
            due__lt=today or timezone.localdate(),
        )
    if q:
        qs = qs.filter(
            Q(requirement__icontains=q)
            | Q(item__subject__icontains=q)
            | Q(item__check_unit__spot_check__number__icontains=q)
        )
    return qs.select_related("unit", "item__check_unit__spot_check", "item__check_unit__unit").order_by(
        "due", "pk"
    )


def rectification_get(*, user: Any, pk: int) -> Rectification:
    found = (
        rectification_list(user=user).select_related("set_by").prefetch_related("files").filter(pk=pk).first()
    )
    if found is None:
        raise Http404("没有找到该整改事项")
    return found


def open_for_unit(*, user: Any) -> QuerySet[Rectification]:
    """The user's unit's rectification items to answer (我的待办): open or returned, soonest first."""
    unit_id = getattr(user, "unit_id", None)
    if not unit_id:
        return Rectification.objects.none()
    return (
        Rectification.objects.filter(
            unit_id=unit_id, status__in=[RectificationStatus.OPEN, RectificationStatus.RETURNED]
        )
        .select_related("item__check_unit__spot_check")
        .order_by("due", "pk")
    )


def awaiting_acceptance() -> QuerySet[Rectification]:
    return (
        Rectification.objects.filter(status=RectificationStatus.ANSWERED)
        .select_related("unit", "item__check_unit__spot_check")
        .order_by("answered_at", "pk")
    )
