"""Reads of decisions (议定事项) for the ledger, the decision's page, 我的待办, the home panels, the
API and the plenary pack. Scoped: the office and the leaders see every decision; a unit sees those
it owns or co-handles once the minutes are issued (``Decision.objects.for_user``); outside: 404."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from anxin.conference.models import (
    Decision,
    DecisionReport,
    DecisionStatus,
    ReportKind,
    SupervisionNotice,
)
from anxin.org.models import Unit

RELATED = ("owner", "meeting", "minutes")


def _co_units() -> Prefetch:
    return Prefetch("co_units", queryset=Unit.objects.order_by("order", "code"))


def with_last_report(qs: QuerySet[Decision]) -> QuerySet[Decision]:
    """Each decision with the time and words of its owner's latest report (one subquery, no N+1)."""
    latest = DecisionReport.objects.filter(decision=OuterRef("pk")).order_by("-reported_at", "-pk")
    return qs.annotate(
        last_report_at=Subquery(latest.values("reported_at")[:1]),
        last_report_text=Subquery(latest.values("text")[:1]),
    )


def decision_list(
    *,
    user: Any,
    q: str = "",
    owner: Any = None,
    status: str = "",
    overdue: bool = False,
    meeting: Any = None,
    today: datetime.date | None = None,
) -> QuerySet[Decision]:
    """The 议定事项台账: issued decisions only (a draft's are the minutes' business)."""
    qs = Decision.objects.for_user(user).exclude(status=DecisionStatus.DRAFT)
    if owner:
        qs = qs.filter(owner_id=getattr(owner, "pk", owner))
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=DecisionStatus.OPEN, due_on__lt=today or timezone.localdate())
    if meeting:
        qs = qs.filter(meeting_id=getattr(meeting, "pk", meeting))
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(subject__icontains=q)
            | Q(result_required__icontains=q)
            | Q(meeting__title__icontains=q)
            | Q(minutes__reference__icontains=q)
        )
    return with_last_report(qs.select_related(*RELATED).prefetch_related(_co_units())).order_by(
        "due_on", "pk"
    )


def decision_get(*, user: Any, pk: int) -> Decision:
    found = (
        Decision.objects.for_user(user)
        .exclude(status=DecisionStatus.DRAFT)
        .select_related(*RELATED, "accepted_by", "meeting__chair")
        .prefetch_related(_co_units())
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("没有找到该议定事项")
    return found


def reports_of(decision: Decision) -> list[DecisionReport]:
    return list(
        decision.reports.select_related("unit", "reported_by")
        .prefetch_related("evidence")
        .order_by("reported_at", "pk")
    )


def notices_of(decision: Decision) -> list[SupervisionNotice]:
    return list(decision.notices.select_related("issued_by").order_by("issued_on", "pk"))


def owned_open(*, user: Any) -> QuerySet[Decision]:
    """The user's unit's open decisions (我的待办), the soonest due first."""
    unit_id = getattr(user, "unit_id", None)
    if not unit_id:
        return Decision.objects.none()
    return (
        Decision.objects.filter(owner_id=unit_id, status=DecisionStatus.OPEN)
        .select_related(*RELATED)
        .order_by("due_on", "pk")
    )


def co_handled(*, user: Any) -> QuerySet[Decision]:
    """Open decisions the user's unit co-handles (read-only on 我的待办)."""
    unit_id = getattr(user, "unit_id", None)
    if not unit_id:
        return Decision.objects.none()
    return (
        Decision.objects.filter(
            co_units__id=unit_id, status__in=[DecisionStatus.OPEN, DecisionStatus.REPORTED]
        )
        .exclude(owner_id=unit_id)
        .select_related(*RELATED)
        .order_by("due_on", "pk")
    )


def awaiting_acceptance(*, user: Any) -> QuerySet[Decision]:
    return (
        Decision.objects.for_user(user)
        .filter(status=DecisionStatus.REPORTED)
        .select_related(*RELATED)
        .order_by("completed_on", "pk")
    )


def overdue(*, user: Any, today: datetime.date | None = None) -> QuerySet[Decision]:
    return Decision.objects.for_user(user).overdue(today).select_related(*RELATED).order_by("due_on", "pk")


def completion_reports(decision: Decision) -> QuerySet[DecisionReport]:
    return decision.reports.filter(kind=ReportKind.COMPLETION)


def pack_decisions(*, before: datetime.date) -> QuerySet[Decision]:
    """Every issued decision of meetings held before ``before`` (the next plenary's pack)."""
    return (
        Decision.objects.exclude(status=DecisionStatus.DRAFT)
        .filter(meeting__date__lt=before)
        .select_related("owner", "meeting")
        .prefetch_related(_co_units())
        .order_by("meeting__date", "meeting_id", "seq")
    )
