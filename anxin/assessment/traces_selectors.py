"""Reads of the traces part, each scoped (``for_user``): saved traces, findings, veto proposals,
referrals (the office alone)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from anxin.assessment import access
from anxin.assessment.models import Finding, Referral, Trace, VetoProposal


def _one(rows: QuerySet, pk: int) -> Any:
    try:
        return rows.get(pk=pk)
    except (rows.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def trace_list(*, user: Any, q: str = "", reason: str = "", unit: Any = None, **_: Any) -> QuerySet[Trace]:
    rows = Trace.objects.for_user(user).select_related("case", "enterprise", "created_by")
    if q:
        rows = rows.filter(
            Q(number__icontains=q) | Q(enterprise__name__icontains=q) | Q(case__number__icontains=q)
        )
    if reason:
        rows = rows.filter(reason=reason)
    if unit:
        rows = rows.filter(units=unit)
    return rows.distinct().order_by("-created_at", "-pk")


def trace_get(*, user: Any, pk: int) -> Trace:
    return _one(trace_list(user=user), pk)


def finding_list(
    *,
    user: Any,
    q: str = "",
    year: int | None = None,
    unit: Any = None,
    source: str = "",
    status: str = "",
    **_: Any,
) -> QuerySet[Finding]:
    rows = Finding.objects.for_user(user).select_related("unit", "trace", "recorded_by", "veto_condition")
    if q:
        rows = rows.filter(Q(number__icontains=q) | Q(text__icontains=q))
    if year:
        rows = rows.filter(year=year)
    if unit:
        rows = rows.filter(unit=unit)
    if source:
        rows = rows.filter(source=source)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def finding_get(*, user: Any, pk: int) -> Finding:
    return _one(finding_list(user=user), pk)


def veto_list(
    *, user: Any, year: int | None = None, status: str = "", unit: Any = None, q: str = "", **_: Any
) -> QuerySet[VetoProposal]:
    rows = VetoProposal.objects.for_user(user).select_related("unit", "condition", "decided_by", "finding")
    if year:
        rows = rows.filter(year=year)
    if status:
        rows = rows.filter(status=status)
    if unit:
        rows = rows.filter(unit=unit)
    if q:
        rows = rows.filter(summary__icontains=q)
    return rows.order_by("status", "-year", "-created_at", "-pk")


def veto_get(*, user: Any, pk: int) -> VetoProposal:
    return _one(veto_list(user=user), pk)


def referral_list(
    *, user: Any, q: str = "", status: str = "", year: int | None = None, **_: Any
) -> QuerySet[Referral]:
    """The office alone (others: nothing)."""
    if not access.may_refer(user):
        return Referral.objects.none()
    rows = Referral.objects.select_related("finding", "finding__unit", "sent_by")
    if q:
        rows = rows.filter(Q(number__icontains=q) | Q(letter__icontains=q) | Q(finding__text__icontains=q))
    if status:
        rows = rows.filter(status=status)
    if year:
        rows = rows.filter(sent_on__year=year)
    return rows.order_by("-sent_on", "-pk")


def referral_get(*, user: Any, pk: int) -> Referral:
    return _one(referral_list(user=user), pk)
