"""Responsibility traced back (责任倒查, §五(三) 确立责任倒查).

For a case with a mass or extreme incident, a sudden closure or a referral (to the police or the
court), ``build_trace`` lays out everything Anxin knew about the enterprise before it happened — the
signals and who verified them when, the alerts and who handled them, the watch list's follow-ups
(and those missed), the screening answers, the immediate reports due and sent — each step with the
unit whose step it was, its deadline, when it was done and whether the deadline was met.

**The window.** ``TRACE_MONTHS`` (12) months before the day of the incident, up to the moment of the
incident: the period §五(二)'s reporting duties (two months' arrears, three verified complaints in a
month) and the yearly screening (§四(一)) could have caught it in. **The moment.** The first mass or
extreme incident of the case; else its first sudden-closure incident (or the case's opening when it
is only marked 突然关停); else the first referral to the police or the court's green channel.

**Met.** Done by the deadline: met; done after it, or not done when the incident happened with the
deadline already past: missed; no deadline, or one still running at the incident: ``None``.

**Whose step.** A signal: its line department (``assigned_unit``), else its town's government; an
alert, a watch entry, an immediate report and a screening task likewise (a watch entry's 负责单位
first). The trace reads the earlier apps' models directly (assessment is last in the flow).

``save_trace`` keeps the timeline as it stood (``Trace``, numbered ZC-年-序号) with the units it names,
so the finding and the Word print what was recorded even if the records change later."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from anxin.assessment import access, measures
from anxin.assessment.models import Trace, TraceReason
from anxin.cases.models import ActionKind, Case, Incident, LegalAction
from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.intake.models import Signal
from anxin.monitoring.models import Alert, ImmediateReport, ScreeningTask, WatchEntry, WatchEvent
from anxin.org.models import Unit, User

CLAUSE = "§五(三) 确立责任倒查"
TRACE_MONTHS = 12
WINDOW_RULE = f"事发前 {TRACE_MONTHS} 个月至事发时"
OFFICE_ONLY = "只有联席办可以保存责任倒查"
NUMBER_TRIES = 3
NOT_TRACEABLE = "该案件没有群体性事件、突然关停或移送公安、法院的记录，不需要责任倒查"


def _months_before(day: datetime.date, months: int) -> datetime.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    return datetime.date(year, month, 28)  # pragma: no cover


def incident_of(case: Case) -> tuple[str, datetime.datetime, str] | None:
    """(reason, moment, what) of the case's traced event, or None: see the module."""
    incidents = list(Incident.objects.filter(case=case).order_by("occurred_at", "pk"))
    mass = [i for i in incidents if i.kind in (Incident.Kind.MASS, Incident.Kind.EXTREME)]
    if mass:
        first = mass[0]
        return (
            TraceReason.MASS_INCIDENT,
            first.occurred_at,
            f"{first.get_kind_display()}（{first.people} 人）",
        )
    closure = [i for i in incidents if i.kind == Incident.Kind.CLOSURE]
    if closure:
        return TraceReason.SUDDEN_CLOSURE, closure[0].occurred_at, "企业突然关停"
    if case.sudden_closure:
        return TraceReason.SUDDEN_CLOSURE, case.opened_at, "企业突然关停（立案时登记）"
    referral = (
        LegalAction.objects.filter(case=case, kind__in=[ActionKind.REFERRAL, ActionKind.COURT])
        .order_by("requested_at", "pk")
        .first()
    )
    if referral is not None:
        return TraceReason.REFERRAL, referral.requested_at, referral.get_kind_display()
    return None


def traceable(case: Case) -> bool:
    return incident_of(case) is not None


def _iso(value: Any) -> str | None:
    """A step's time as recorded (``measures.as_iso``): the district's local time to the minute
    ("2026-06-01 18:00"), a date alone as "2026-06-01"."""
    return measures.as_iso(value)


def _met(
    due: datetime.datetime | None, done: datetime.datetime | None, cutoff: datetime.datetime
) -> bool | None:
    if due is None:
        return None
    if done is not None and done <= cutoff:
        return done <= due
    return False if due < cutoff else None


class _Units:
    """Unit lookups for the steps: by id, and a town's government by town id (one query each)."""

    def __init__(self) -> None:
        units = list(Unit.objects.only("pk", "code", "name", "town_id"))
        self.by_id = {u.pk: u for u in units}
        self.by_town = {u.town_id: u for u in units if u.town_id}

    def pick(self, unit_id: int | None, town_id: int | None) -> Unit | None:
        if unit_id and unit_id in self.by_id:
            return self.by_id[unit_id]
        return self.by_town.get(town_id) if town_id else None


def _step(
    *,
    at: Any,
    kind: str,
    label: str,
    unit: Unit | None,
    due: Any = None,
    done: Any = None,
    met: bool | None = None,
    url: str = "",
    record: str = "",
) -> dict:
    return {
        "at": _iso(at),
        "kind": kind,
        "label": label,
        "unit": unit.code if unit else "",
        "unit_name": unit.name if unit else "",
        "due": _iso(due),
        "done": _iso(done),
        "met": met,
        "url": url,
        "record": record,
    }


def _signals(enterprise_id: int, start: datetime.datetime, cutoff: datetime.datetime, units: _Units) -> list:
    steps = []
    rows = Signal.objects.filter(
        enterprise_id=enterprise_id, received_at__gte=start, received_at__lte=cutoff
    ).select_related("channel")
    for s in rows:
        done = s.verified_at if s.verified_at and s.verified_at <= cutoff else None
        steps.append(
            _step(
                at=s.received_at,
                kind="signal",
                label=f"线索（{s.channel.name}，{s.get_kind_display()}）核实"
                + (f"：{s.get_verification_display()}" if done else ""),
                unit=units.pick(s.assigned_unit_id, s.town_id),
                due=s.due_at,
                done=done,
                met=_met(s.due_at, s.verified_at, cutoff),
                url=reverse("signal-detail", args=[s.pk]),
                record=f"signal:{s.pk}",
            )
        )
    return steps


def _alerts(enterprise_id: int, start: datetime.datetime, cutoff: datetime.datetime, units: _Units) -> list:
    steps = []
    for a in Alert.objects.filter(enterprise_id=enterprise_id, opened_at__gte=start, opened_at__lte=cutoff):
        done = a.closed_at if a.closed_at and a.closed_at <= cutoff else None
        steps.append(
            _step(
                at=a.opened_at,
                kind="alert",
                label=f"预警（{a.get_level_display()}，{a.rule}）处置"
                + (f"：{a.get_status_display()}" if done else ""),
                unit=units.pick(a.unit_id, a.town_id),
                due=a.due_at,
                done=done,
                met=_met(a.due_at, a.closed_at, cutoff),
                url=reverse("alert-detail", args=[a.pk]),
                record=f"alert:{a.pk}",
            )
        )
    return steps


def _watch(enterprise_id: int, start: datetime.datetime, cutoff: datetime.datetime, units: _Units) -> list:
    steps = []
    entries = WatchEntry.objects.filter(enterprise_id=enterprise_id, proposed_at__lte=cutoff).exclude(
        closed_at__lt=start
    )
    for e in entries:
        unit = units.pick(e.owner_unit_id or e.unit_id, e.town_id)
        url = reverse("watch-detail", args=[e.pk])
        if e.proposed_at >= start:
            steps.append(
                _step(
                    at=e.proposed_at,
                    kind="watch",
                    label="列入重点监控（提出）",
                    unit=unit,
                    url=url,
                    record=f"watch:{e.pk}",
                )
            )
        for f in e.followups.filter(
            visited_on__gte=timezone.localdate(start), visited_on__lte=timezone.localdate(cutoff)
        ):
            steps.append(
                _step(
                    at=f.visited_on,
                    kind="followup",
                    label="重点监控回访",
                    unit=unit,
                    done=f.visited_on,
                    met=None,
                    url=url,
                    record=f"followup:{f.pk}",
                )
            )
        for ev in WatchEvent.objects.filter(
            entry=e, action=WatchEvent.Action.OVERDUE, at__gte=start, at__lte=cutoff
        ):
            steps.append(
                _step(
                    at=ev.at,
                    kind="followup",
                    label="重点监控回访逾期",
                    unit=unit,
                    due=ev.at,
                    met=False,
                    url=url,
                    record=f"watchevent:{ev.pk}",
                )
            )
        due = e.next_followup_due
        if (
            e.status == "active"
            and due
            and start <= due < cutoff
            and not (e.last_followup_at and e.last_followup_at >= due)
        ):
            already = any(s["record"].startswith("watchevent:") and s["url"] == url for s in steps)
            if not already:
                steps.append(
                    _step(
                        at=due,
                        kind="followup",
                        label="重点监控回访到期未回访",
                        unit=unit,
                        due=due,
                        met=False,
                        url=url,
                        record=f"watch-due:{e.pk}",
                    )
                )
    return steps


def _screening(
    enterprise_id: int, start: datetime.datetime, cutoff: datetime.datetime, units: _Units
) -> list:
    steps = []
    tasks = ScreeningTask.objects.filter(
        enterprise_id=enterprise_id,
        campaign__start__lte=timezone.localdate(cutoff),
        campaign__end__gte=timezone.localdate(start),
    ).select_related("campaign")
    for t in tasks:
        due = datetime.datetime.combine(
            t.campaign.end, datetime.time(23, 59), tzinfo=timezone.get_current_timezone()
        )
        answered = t.answered_at if t.answered_at and t.answered_at <= cutoff else None
        label = f"排查（{t.campaign.name}）" + (f"：{t.get_result_display()}" if answered else "：未排查")
        steps.append(
            _step(
                at=datetime.datetime.combine(t.campaign.start, datetime.time(9), tzinfo=due.tzinfo),
                kind="screening",
                label=label,
                unit=units.pick(t.unit_id, t.town_id),
                due=due,
                done=answered,
                met=_met(due, t.answered_at, cutoff),
                url=reverse("screening-task", args=[t.pk]),
                record=f"screening:{t.pk}",
            )
        )
    return steps


def _reports(enterprise_id: int, start: datetime.datetime, cutoff: datetime.datetime, units: _Units) -> list:
    steps = []
    for r in ImmediateReport.objects.filter(
        enterprise_id=enterprise_id, drafted_at__gte=start, drafted_at__lte=cutoff
    ):
        done = r.submitted_at if r.submitted_at and r.submitted_at <= cutoff else None
        steps.append(
            _step(
                at=r.drafted_at,
                kind="immediate",
                label="即时报告报送" + ("" if done else "（事发时未报送）"),
                unit=units.pick(r.unit_id, r.town_id),
                due=r.due_at,
                done=done,
                met=_met(r.due_at, r.submitted_at, cutoff),
                url=reverse("report-detail", args=[r.pk]),
                record=f"immediate:{r.pk}",
            )
        )
    return steps


def build_trace(case: Case) -> dict:
    """The traced timeline of ``case`` (not saved): ``reason``, ``incident_at``, ``incident_on``,
    ``since``, ``window`` (the rule in words), ``steps`` in time order, ``missed`` (unit code →
    the steps it missed), ``units`` (code → name, every unit named), ``summary`` (per unit: steps,
    met, missed). Refuses a case with nothing to trace."""
    found = incident_of(case)
    if found is None:
        raise DomainError(NOT_TRACEABLE, code="invalid")
    reason, moment, what = found
    incident_on = timezone.localdate(moment)
    since = _months_before(incident_on, TRACE_MONTHS)
    start = datetime.datetime.combine(since, datetime.time(0), tzinfo=timezone.get_current_timezone())
    units = _Units()
    eid = case.enterprise_id
    steps = [
        *_signals(eid, start, moment, units),
        *_alerts(eid, start, moment, units),
        *_watch(eid, start, moment, units),
        *_screening(eid, start, moment, units),
        *_reports(eid, start, moment, units),
    ]
    steps.sort(key=lambda s: (str(s["at"]), s["kind"], s["record"]))
    lead = units.by_id.get(case.lead_unit_id)
    steps.append(
        _step(
            at=moment,
            kind="incident",
            label=f"事发：{what}",
            unit=lead,
            url=reverse("case-detail", args=[case.pk]),
            record=f"case:{case.pk}",
        )
    )
    missed: dict[str, list[dict]] = defaultdict(list)
    summary: dict[str, dict] = {}
    named: dict[str, str] = {}
    for s in steps:
        if not s["unit"]:
            continue
        named[s["unit"]] = s["unit_name"]
        row = summary.setdefault(
            s["unit"], {"unit": s["unit"], "unit_name": s["unit_name"], "steps": 0, "met": 0, "missed": 0}
        )
        if s["kind"] == "incident":
            continue
        row["steps"] += 1
        if s["met"] is True:
            row["met"] += 1
        elif s["met"] is False:
            row["missed"] += 1
            missed[s["unit"]].append(s)
    return {
        "case": case.number,
        "enterprise": case.enterprise.name,
        "reason": str(reason),
        "reason_label": str(TraceReason(reason).label),
        "incident_at": _iso(moment),
        "incident_on": incident_on.isoformat(),
        "since": since.isoformat(),
        "window": WINDOW_RULE,
        "clause": CLAUSE,
        "steps": steps,
        "missed": dict(missed),
        "units": named,
        "summary": sorted(summary.values(), key=lambda r: (-r["missed"], r["unit_name"])),
    }


def _next_number(year: int) -> str:
    prefix = f"ZC-{year}-"
    last = (
        Trace.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:03d}"


def save_trace(*, case: Case, actor: User, note: str = "", reason: str | None = None) -> Trace:
    """Keep the trace of ``case`` as it stands now (office only): numbered ZC-年-序号, with the
    units it names. ``reason`` defaults to what the case shows."""
    if not access.may_manage(actor):
        raise PermissionDenied(OFFICE_ONLY)
    data = build_trace(case)
    if reason and reason not in TraceReason.values:
        raise DomainError("倒查事由不正确", field="reason")
    note = (note or "").strip()
    if len(note) > 5000:
        raise DomainError("说明不超过 5000 字", field="note")
    for attempt in range(NUMBER_TRIES):
        try:
            with transaction.atomic(), acting(actor):
                trace = Trace.objects.create(
                    number=_next_number(timezone.localdate().year),
                    case=case,
                    enterprise_id=case.enterprise_id,
                    reason=reason or data["reason"],
                    incident_on=datetime.date.fromisoformat(data["incident_on"]),
                    since=datetime.date.fromisoformat(data["since"]),
                    steps=data["steps"],
                    missed=data["missed"],
                    note=note,
                    created_by=actor,
                )
                trace.units.set(Unit.objects.filter(code__in=list(data["units"])))
            return trace
        except IntegrityError:  # the number taken by another office user meanwhile
            if attempt == NUMBER_TRIES - 1:
                raise DomainError("责任倒查编号冲突，请重试", code="conflict") from None
    raise AssertionError("unreachable")


def trace_summary(trace: Trace) -> list[dict]:
    """Per unit of a saved trace: steps, met, missed (as ``build_trace``'s ``summary``)."""
    rows: dict[str, dict] = {}
    for s in trace.steps:
        if not s.get("unit") or s.get("kind") == "incident":
            continue
        row = rows.setdefault(
            s["unit"], {"unit": s["unit"], "unit_name": s["unit_name"], "steps": 0, "met": 0, "missed": 0}
        )
        row["steps"] += 1
        row["met"] += s.get("met") is True
        row["missed"] += s.get("met") is False
    return sorted(rows.values(), key=lambda r: (-r["missed"], r["unit_name"]))
