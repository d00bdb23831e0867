"""Reads of the roster and the special account, scoped to the user (DESIGN rule 3): the project's
roster with its search and filters, and the projects still without a special account past their
deadline (``site.account_days`` after the start, 条例 第二十六条, §三(九))."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from anxin.core.crypto import blind_index
from anxin.core.models import PolicyParameter
from anxin.core.policy import param_record
from anxin.core.validators import normalize_id_number
from anxin.registry.models import Project, ProjectStatus
from anxin.sites.models import RosterEntry

ACCOUNT_PARAM = "site.account_days"
FLAGGED_STATUSES = (ProjectStatus.ACTIVE, ProjectStatus.STOPPED)


def roster_entries(
    *,
    user: Any,
    project: Project,
    q: str = "",
    employer: str = "",
    team: str = "",
    trade: str = "",
    on_site: str = "",
) -> QuerySet[RosterEntry]:
    """The project's roster as ``user`` sees it (none outside their scope). ``q``: part of a name, or
    a whole ID number (matched by its blind index); ``employer``: a credit code; ``on_site``: "1" the
    workers on site, "0" those who left."""
    rows = RosterEntry.objects.for_user(user).filter(project=project).select_related("employer")
    q = (q or "").strip()
    if q:
        number = normalize_id_number(q)
        if len(number) == 18 and number[:17].isdigit():
            rows = rows.filter(id_number_index=blind_index(number, purpose="id_number"))
        else:
            rows = rows.filter(name__contains=q)
    if employer:
        rows = rows.filter(employer__uscc=employer)
    if team:
        rows = rows.filter(team=team)
    if trade:
        rows = rows.filter(trade=trade)
    if on_site == "1":
        rows = rows.filter(leave_date__isnull=True)
    elif on_site == "0":
        rows = rows.filter(leave_date__isnull=False)
    # on site first, then those who left most recently; by employer, team and name within
    return rows.order_by(F("leave_date").desc(nulls_first=True), "employer_id", "team", "name", "pk")


def roster_counts(project: Project) -> dict[str, int]:
    """How many entries the project's roster has, on site and left (the caller has checked scope)."""
    found = RosterEntry.objects.filter(project=project).aggregate(
        total=Count("pk"), on_site=Count("pk", filter=Q(leave_date__isnull=True))
    )
    return {"total": found["total"], "on_site": found["on_site"], "left": found["total"] - found["on_site"]}


def roster_choices(project: Project) -> dict[str, list[str]]:
    """The teams and trades used on the project's roster (for the filters)."""
    rows = RosterEntry.objects.filter(project=project)
    return {
        "teams": sorted({t for t in rows.values_list("team", flat=True).distinct() if t}),
        "trades": sorted({t for t in rows.values_list("trade", flat=True).distinct() if t}),
    }


@dataclass(frozen=True)
class MissingAccount:
    """A project still without a special account past its deadline, and the rule that says so."""

    project: Project
    due_on: datetime.date  # the last day it should have been opened by
    days_overdue: int
    days: int  # the parameter's value used
    parameter: PolicyParameter

    @property
    def citation(self) -> str:
        return self.parameter.citation

    def evidence(self) -> dict:
        return {**self.parameter.as_evidence(), "due_on": self.due_on.isoformat()}


def account_due_on(project: Project, parameter: PolicyParameter) -> datetime.date | None:
    if project.start_date is None:
        return None
    return project.start_date + datetime.timedelta(days=int(parameter.typed_value))


def projects_missing_account(user: Any, on: datetime.date | None = None) -> list[MissingAccount]:
    """Projects in ``user``'s scope, in construction or stopped, without a special account more than
    ``site.account_days`` days (the value in force on ``on``) after their start, most overdue first."""
    return missing_accounts(Project.objects.for_user(user), on=on)


def missing_accounts(projects: QuerySet[Project], *, on: datetime.date | None = None) -> list[MissingAccount]:
    """Those of ``projects`` (already scoped by the caller, or all of them for the sweep) missing
    their special account on ``on``."""
    on = on or timezone.localdate()
    parameter = param_record(ACCOUNT_PARAM, on=on)
    days = int(parameter.typed_value)
    latest_start = on - datetime.timedelta(days=days + 1)
    rows = (
        projects.filter(
            status__in=FLAGGED_STATUSES,
            start_date__isnull=False,
            start_date__lte=latest_start,
            special_account__isnull=True,
        )
        .select_related("town", "supervisor")
        .order_by("start_date", "pk")
    )
    found = []
    for project in rows:
        assert project.start_date is not None
        due = project.start_date + datetime.timedelta(days=days)
        found.append(
            MissingAccount(
                project=project, due_on=due, days_overdue=(on - due).days, days=days, parameter=parameter
            )
        )
    return found


def missing_account(project: Project, on: datetime.date | None = None) -> MissingAccount | None:
    """The flag of one project (the caller has checked scope): None when it has its account, has not
    started, is not in construction or stopped, or is still within its days."""
    on = on or timezone.localdate()
    if project.status not in FLAGGED_STATUSES or project.start_date is None:
        return None
    if hasattr(project, "special_account"):
        return None
    parameter = param_record(ACCOUNT_PARAM, on=on)
    days = int(parameter.typed_value)
    due = project.start_date + datetime.timedelta(days=days)
    if on <= due:
        return None
    return MissingAccount(
        project=project, due_on=due, days_overdue=(on - due).days, days=days, parameter=parameter
    )
