"""What the construction dashboard (工地监管) reads: the projects in the user's scope with their
payroll status for a month, who is on site, whether the wage special account was opened in time.

Scoped through registry's ``Project.objects.for_user`` (DESIGN rule 3); one query for the page's
rows (subqueries, no per-project reads)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from anxin.core.policy import param_record
from anxin.money.claims_forms import parse_month as read_month
from anxin.monitoring.rules import add_months, month_start
from anxin.registry.models import Project, ProjectStatus
from anxin.sites.models import (
    Deposit,
    DepositDraw,
    DepositStatus,
    DrawStatus,
    MonthStatus,
    PayrollMonth,
    RosterEntry,
    SpecialAccount,
)

WATCHED = (ProjectStatus.PLANNED, ProjectStatus.ACTIVE, ProjectStatus.STOPPED)  # not 竣工/已结算


def previous_month(day: datetime.date) -> datetime.date:
    return add_months(month_start(day), -1)


def default_month(today: datetime.date | None = None) -> datetime.date:
    """The month whose payroll is being reported now: last month (its wages are paid and reported in
    this one, by ``payroll.pay_day`` and ``payroll.report_day``)."""
    return previous_month(today or timezone.localdate())


def parse_month(text: str) -> datetime.date | None:
    try:
        return read_month(text)
    except ValidationError:
        return None


@dataclass(frozen=True)
class AccountRule:
    """The special-account deadline as used: days after the start, with the parameter's record."""

    days: int
    citation: str
    name: str


def account_rule(on: datetime.date) -> AccountRule:
    record = param_record("site.account_days", on=on)
    return AccountRule(days=int(record.typed_value), citation=record.citation, name=record.name)


def site_projects(
    *,
    user: Any,
    month: datetime.date,
    q: str = "",
    town: str = "",
    supervisor: str = "",
    status: str = "",
    account: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Project]:
    """Watched projects with ``month_status``, ``short_workers``, ``short_amount``, ``on_site`` and
    ``has_account``; ``status`` filters by the month's status (``pending`` includes no record yet);
    ``account=missing`` keeps those past the special-account deadline without one."""
    today = today or timezone.localdate()
    last = (month_start(month) + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    months = PayrollMonth.objects.filter(project=OuterRef("pk"), month=month)
    on_site = (
        RosterEntry.objects.filter(project=OuterRef("pk"), start_date__lte=last)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gte=month))
        .order_by()
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        Project.objects.for_user(user)
        .filter(status__in=WATCHED)
        .select_related("town", "general_contractor", "supervisor")
        .prefetch_related("contractor_references")
        .annotate(
            month_status=Coalesce(Subquery(months.values("status")[:1]), Value(MonthStatus.PENDING.value)),
            short_workers=Coalesce(
                Subquery(months.values("payroll__short_workers")[:1]), Value(0), output_field=IntegerField()
            ),
            short_amount=Coalesce(
                Subquery(months.values("payroll__short_amount")[:1]), Value(0), output_field=IntegerField()
            ),
            on_site=Coalesce(Subquery(on_site, output_field=IntegerField()), Value(0)),
            has_account=Q(pk__in=SpecialAccount.objects.values("project_id")),
        )
    )
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(general_contractor__name__icontains=q) | Q(permit_no__icontains=q)
        )
    if town:
        qs = qs.filter(town__code=town)
    if supervisor:
        qs = qs.filter(supervisor__code=supervisor)
    if status:
        qs = qs.filter(month_status=status)
    if account == "missing":
        rule = account_rule(today)
        qs = qs.filter(has_account=False, start_date__lt=today - datetime.timedelta(days=rule.days))
    return qs.order_by("town__order", "name", "pk")


def status_counts(*, user: Any, month: datetime.date) -> list[tuple[str, str, int]]:
    """(status, label, projects) for the month over the watched projects in scope, every status shown."""
    rows = (
        site_projects(user=user, month=month)
        .order_by()
        .values("month_status")  # type: ignore[misc]  # an annotation, which the plugin cannot see
        .annotate(n=Count("pk"))
    )
    found = {r["month_status"]: r["n"] for r in rows}
    return [(value, str(label), found.get(value, 0)) for value, label in MonthStatus.choices]


def missing_accounts(*, user: Any, today: datetime.date | None = None) -> QuerySet[Project]:
    """Watched projects started more than ``site.account_days`` days ago with no special account."""
    today = today or timezone.localdate()
    rule = account_rule(today)
    return (
        Project.objects.for_user(user)
        .filter(status__in=WATCHED, start_date__lt=today - datetime.timedelta(days=rule.days))
        .exclude(pk__in=SpecialAccount.objects.values("project_id"))
        .select_related("town")
        .order_by("start_date", "pk")
    )


def deposits_due(*, user: Any) -> QuerySet[Deposit]:
    """Deposits required and not yet made (待存储), the earliest due first; ``late`` when past due."""
    return (
        Deposit.objects.for_user(user)
        .filter(status=DepositStatus.REQUIRED)
        .select_related("project", "project__town")
        .order_by("due_on", "pk")
    )


def draws_open(*, user: Any) -> QuerySet[DepositDraw]:
    """Draws the bank has not paid yet, or paid and not yet topped up by the contractor."""
    return (
        DepositDraw.objects.for_user(user)
        .filter(status__in=(DrawStatus.ORDERED, DrawStatus.PAID))
        .select_related("deposit__project", "case")
        .order_by("pk")
    )
