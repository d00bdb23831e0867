"""Reads of the wage deposit, scoped to the user (DESIGN rule 3): a project's deposit with its ledger and
draws, the district's deposit ledger, and the required amount as it would be computed today."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from anxin.cases.models import Case, Stage
from anxin.core.errors import DomainError
from anxin.registry.models import Project
from anxin.sites.deposit_rules import Computation
from anxin.sites.models import Deposit, DepositDraw, DepositEvent, DepositStatus, DrawStatus
from anxin.sites.services.deposits import required_for, with_balance


def deposit_of(*, user: Any, project: Project) -> Deposit | None:
    """The project's deposit (the project is already the user's to see)."""
    return (
        with_balance(Deposit.objects.for_user(user).filter(project=project))
        .select_related("contractor", "project__supervisor")
        .first()
    )


def ledger_of(deposit: Deposit) -> list[DepositEvent]:
    return list(DepositEvent.objects.filter(deposit=deposit).select_related("actor", "draw").order_by("seq"))


def draws_of(deposit: Deposit) -> list[DepositDraw]:
    rows = list(
        DepositDraw.objects.filter(deposit=deposit)
        .select_related("case", "order", "ordered_by")
        .order_by("-pk")
    )
    today = timezone.localdate()
    for draw in rows:
        draw.overdue = (draw.status == DrawStatus.ORDERED and draw.bank_due_on < today) or (  # type: ignore[attr-defined]
            draw.status == DrawStatus.PAID and draw.topup_due_on is not None and draw.topup_due_on < today
        )
    return rows


def draw_cases(project: Project, user: Any) -> list[Case]:
    """The open cases on the project the user sees (candidates for a draw)."""
    return list(
        Case.objects.for_user(user)
        .filter(project=project)
        .exclude(stage=Stage.CLOSED)
        .select_related("enterprise")
        .order_by("-opened_at")
    )


def preview(project: Project, on: datetime.date | None = None) -> tuple[Computation | None, str]:
    """The required amount as it would be fixed for a contract signed ``on`` (today), or why not."""
    try:
        return required_for(project, on or timezone.localdate()), ""
    except DomainError as exc:
        return None, exc.message


def deposit_list(*, user: Any, q: str = "", status: str = "", flagged: bool = False) -> QuerySet[Deposit]:
    """The district's deposits the user sees (the 保证金台账), most urgent first."""
    rows = with_balance(Deposit.objects.for_user(user)).select_related(
        "project", "project__town", "project__supervisor", "contractor"
    )
    if q:
        rows = rows.filter(
            Q(project__name__icontains=q) | Q(contractor__name__icontains=q) | Q(contractor__uscc=q)
        )
    if status:
        rows = rows.filter(status=status)
    if flagged:
        today = timezone.localdate()
        rows = rows.filter(
            Q(late_flagged_at__isnull=False, status__in=(DepositStatus.REQUIRED, DepositStatus.HELD))
            | Q(draws__status=DrawStatus.PAID, draws__topup_due_on__lt=today)
            | Q(draws__status=DrawStatus.ORDERED, draws__bank_due_on__lt=today)
        ).distinct()
    return rows.order_by("due_on", "pk")
