"""Hand-built ledger rows for the measures' tests: each with the deadline and the moment it was done
set exactly (the edges: done on the due day, one working day late, not done), in October 2026.

16 October 2026 is a Friday, 19 October the Monday after: one working day late. The clock of every
test stands at 7 December 2026 10:00 (Shanghai), after the period."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import time_machine
from django.utils import timezone

from anxin.core.deadlines import end_of
from anxin.org.models import Unit

START, END = datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)
DUE = datetime.date(2026, 10, 16)  # a Friday
NEXT_WORKDAY = datetime.date(2026, 10, 19)  # the Monday after
NOW = datetime.datetime(2026, 12, 7, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Shanghai

_seq = itertools.count(1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def frozen() -> Any:
    return time_machine.travel(NOW, tick=False)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


# --- signals ------------------------------------------------------------------------------------------


def signal_due(
    enterprise: Any, due: datetime.date, verified: datetime.datetime | None = None, *, unit_code: str = ""
) -> Any:
    """A signal about ``enterprise`` due for verification at the end of ``due``, verified at ``verified``;
    assigned to the department ``unit_code``, else to none (the town's own: its responsible unit is the
    government of its town)."""
    from anxin.intake.models import Signal
    from anxin.intake.tests.factories import signal

    made = signal(enterprise=enterprise, received_at=at(due - datetime.timedelta(days=7)))
    Signal.objects.filter(pk=made.pk).update(
        assigned_unit=unit(unit_code) if unit_code else None,
        due_at=end_of(due),
        verified_at=verified,
        verification="substantiated" if verified else "pending",
    )
    made.refresh_from_db()
    return made


# --- alerts and immediate reports ---------------------------------------------------------------------


def alert_due(
    enterprise: Any, due: datetime.date, closed: datetime.datetime | None = None, *, unit_code: str = ""
) -> Any:
    from anxin.monitoring.models import Alert

    opened = at(due - datetime.timedelta(days=7))
    return Alert.objects.create(
        enterprise=enterprise,
        rule=f"TEST_{next(_seq)}",
        level="orange",
        status="handled" if closed else "open",
        explanation="测试预警",
        town=enterprise.town,
        unit=unit(unit_code) if unit_code else None,
        opened_at=opened,
        opened_on=timezone.localtime(opened).date(),
        last_fired_at=opened,
        due_at=end_of(due),
        closed_at=closed,
        outcome="已处置" if closed else "",
    )


def immediate_due(
    enterprise: Any,
    due_at: datetime.datetime,
    submitted: datetime.datetime | None = None,
    *,
    status: str = "",
) -> Any:
    from anxin.monitoring.models import ImmediateReport

    alert = alert_due(enterprise, timezone.localtime(due_at).date(), closed=submitted)
    return ImmediateReport.objects.create(
        enterprise=enterprise,
        alert=alert,
        rule="IMMEDIATE_ARREARS_2M",
        status=status or ("submitted" if submitted else "draft"),
        facts="拖欠工资两个月以上",
        mass_incident_risk=True if submitted else None,
        town=enterprise.town,
        drafted_at=due_at - datetime.timedelta(hours=24),
        due_at=due_at,
        submitted_at=submitted,
    )


# --- the watch list ---------------------------------------------------------------------------------


def watched(
    enterprise: Any,
    *,
    confirmed: datetime.date,
    visits: tuple[datetime.date, ...] = (),
    level: str = "red",
    days: int = 7,
    by: Any,
    status: str = "active",
    closed: datetime.date | None = None,
) -> Any:
    """An entry confirmed on ``confirmed`` (every ``days`` days), with visits on those days; its next
    date set as the service sets it."""
    from anxin.monitoring.models import FollowUp, WatchEntry

    last = visits[-1] if visits else confirmed
    entry = WatchEntry.objects.create(
        enterprise=enterprise,
        status=status,
        level=level,
        proposed_at=at(confirmed - datetime.timedelta(days=1)),
        proposal="红色风险",
        town=enterprise.town,
        owner_unit=unit(f"gov-{enterprise.town.code}"),
        confirmed_at=at(confirmed),
        followup_days=days,
        next_followup_due=end_of(last + datetime.timedelta(days=days)) if status == "active" else None,
        closed_at=at(closed) if closed else None,
        closed_reason="风险已降低" if closed else "",
    )
    for day in visits:
        FollowUp.objects.create(
            entry=entry, visited_on=day, wage_status="已发放", level=level, recorded_by=by
        )
    return entry


# --- cases --------------------------------------------------------------------------------------------


def case_due(enterprise: Any, deadline: datetime.date, closed: datetime.datetime | None = None) -> Any:
    from anxin.cases.models import Case
    from anxin.cases.tests.factories import open_case

    case = open_case(enterprise, separate=True)
    values: dict[str, Any] = {"deadline_at": end_of(deadline)}
    if closed:
        values.update(stage="closed", outcome="paid", closed_at=closed)
    Case.objects.filter(pk=case.pk).update(**values)
    case.refresh_from_db()
    return case


# --- conference decisions ------------------------------------------------------------------------------


def decisions(office: Any, convener: Any, owner: str, count: int = 1) -> list[Any]:
    """``count`` issued decisions owned by ``owner`` (the first from the minutes, the rest copies)."""
    from anxin.conference.models import Decision
    from anxin.conference.tests.factories_minutes import item, open_decision

    first = open_decision(office, convener, item(owner, due="2026-10-16"), on="2026-09-01")
    made = [first]
    for n in range(2, count + 1):
        made.append(
            Decision.objects.create(
                minutes=first.minutes,
                meeting=first.meeting,
                seq=n,
                number=f"{first.number}-{n}",
                subject=first.subject,
                result_required=first.result_required,
                owner=first.owner,
                due_on=first.due_on,
                status="open",
            )
        )
    return made


def decision_state(
    decision: Any, *, due: datetime.date, status: str, completed: datetime.date | None = None
) -> Any:
    from anxin.conference.models import Decision

    Decision.objects.filter(pk=decision.pk).update(
        due_on=due,
        status=status,
        completed_on=completed,
        result="已完成" if completed else "",
        accepted_on=completed if status == "done" else None,
    )
    decision.refresh_from_db()
    return decision


# --- periodic reports -----------------------------------------------------------------------------------


def periodic(unit_code: str, period: str, *, first: datetime.datetime, by: Any) -> Any:
    """A submitted report for ``period`` first submitted at ``first`` (the due day from the period)."""
    from anxin.reports import periods
    from anxin.reports.tests.factories_office import submitted

    span = periods.period_of(period)
    report = submitted(unit_code, period, at=first, by=by, due=span.due_on)
    report.first_submitted_at = first
    report.save(update_fields=["first_submitted_at"])
    return report


# --- screening -------------------------------------------------------------------------------------------


def campaign(by: Any) -> Any:
    from anxin.monitoring.models import ScreeningCampaign

    return ScreeningCampaign.objects.create(
        name="测试排查", start=START, end=END, launched_by=by, launched_at=at(START)
    )


def task(round_: Any, enterprise: Any, answered: datetime.datetime | None, *, by: Any) -> Any:
    from anxin.monitoring.models import ScreeningTask

    return ScreeningTask.objects.create(
        campaign=round_,
        enterprise=enterprise,
        town=enterprise.town,
        result="normal" if answered else "pending",
        answered_by=by if answered else None,
        answered_at=answered,
    )
