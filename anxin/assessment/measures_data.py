"""The computed measures (§五(三) 细化考核标准): for one unit and one period, how its work as Anxin saw
it went — signals verified, alerts handled, follow-ups made, immediate reports sent, cases closed,
periodic reports submitted, decisions completed, each within the deadline the ledger already stores;
publicity held, screening coverage, money recovered; and occurrence counts for deductions.

Every measure reads the ledgers through their own selectors for the unit's viewer
(``reports.figures.viewer_for``: a town its territory, a department its line), filtered to the records
the unit is **responsible** for (the ledger's 承办 filter: a signal's 条线部门, an alert's or immediate
report's 条线部门, a watch entry's 负责单位 — each else the government of its town; a case's 牵头单位),
so a town does not lose points for a department's late work in its territory, nor a department for
another's. Its numerator and denominator are counts anyone can make on the same ledger for the same
unit, filter and dates. Screening coverage stays the unit's own coverage (territory or line).

"Now" (what is not yet due, how late an undone one is) is ``measures.now()``: the ``now`` the scoring
was given, not the wall clock.

Which deadlines count in a period: **those that fell due in it** (both ends included, Asia/Shanghai):
a deadline that fell due is counted whether the work was done (on time or late) or not; a deadline
in the period still ahead of today counts only once the work is done (done early is met; not yet
due is not yet missed). Lateness is told in working days (the project's calendar, ``core.calendar``)
where the deadline is in working days, in calendar days or hours otherwise.

``register_all()`` is called from ``AssessmentConfig.ready_measures``."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Min, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from anxin.assessment import measures
from anxin.assessment.measures import (
    COUNT,
    SHARE,
    Measure,
    Result,
    as_iso,
    missed_first,
    parameter,
    register,
    share,
)
from anxin.core.deadlines import start_of
from anxin.org.models import Unit
from anxin.reports.figures import viewer_for

CLAUSE = "§五(三) 细化考核标准"


# --- shared helpers ---------------------------------------------------------------------------------


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start of ``start``, start of the day after ``end``) in the district's time."""
    return start_of(start), start_of(end + datetime.timedelta(days=1))


def _day(value: datetime.datetime | datetime.date | None) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


class WorkingDays:
    """Working days between two dates from the stored calendar, read once (one query) for the years
    asked about; a year with no calendar counts Monday–Friday (and says so)."""

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        from anxin.core.models import CalendarDay

        self.known = dict(
            CalendarDay.objects.filter(date__year__gte=first.year, date__year__lte=last.year).values_list(
                "date", "is_workday"
            )
        )
        self.years = {d.year for d in self.known}
        # working days counted from the first day of the first year: late() is a subtraction, not a walk
        # day by day (tens of thousands of undone signals, each months overdue, at city scale)
        self.origin = datetime.date(first.year, 1, 1)
        self.counted: list[int] = [0]
        for offset in range((datetime.date(last.year, 12, 31) - self.origin).days + 1):
            day = self.origin + datetime.timedelta(days=offset)
            self.counted.append(self.counted[-1] + self.is_workday(day))

    def is_workday(self, day: datetime.date) -> bool:
        return self.known[day] if day in self.known else day.weekday() < 5

    def _upto(self, day: datetime.date) -> int:
        """Working days from ``origin`` up to and including ``day`` (on or after ``origin``); beyond the
        table's last day, walked on from there."""
        index = (day - self.origin).days + 1
        if index < len(self.counted):
            return self.counted[index]
        count, cursor = self.counted[-1], self.origin + datetime.timedelta(days=len(self.counted) - 2)
        while cursor < day:
            cursor += datetime.timedelta(days=1)
            count += self.is_workday(cursor)
        return count

    def late(self, due: datetime.date, done: datetime.date) -> int:
        """Working days after ``due`` up to and including ``done`` (0 when done by the due day)."""
        if done <= due:
            return 0
        if self.origin <= due:
            return self._upto(done) - self._upto(due)
        count, day = 0, due
        while day < done:
            day += datetime.timedelta(days=1)
            count += self.is_workday(day)
        return count


def _late_note(
    calendar: WorkingDays, due: datetime.date, done: datetime.date | None, today: datetime.date
) -> str:
    until = done or today
    days = calendar.late(due, until)
    if done is None:
        return f"逾期未办，已超期 {days} 个工作日" if days else "逾期未办"
    return f"逾期 {days} 个工作日" if days else "逾期（当日超过期限时刻）"


def _calendar_late_note(due: datetime.date, done: datetime.date | None, today: datetime.date) -> str:
    days = ((done or today) - due).days
    if done is None:
        return f"逾期未办，已超期 {days} 日" if days else "逾期未办"
    return f"逾期 {days} 日" if days else "逾期（当日超过期限时刻）"


def _record(
    kind: str,
    pk: int | None,
    label: str,
    url: str,
    unit: Any,
    due: Any,
    done: Any,
    met: bool | None,
    note: str = "",
    **extra: Any,
) -> dict:
    return {
        "kind": kind,
        "id": pk,
        "label": label,
        "url": url,
        "unit": str(unit) if unit else "",
        "due": as_iso(due),
        "done": as_iso(done),
        "met": met,
        "note": note,
        **extra,
    }


def _share_result(records: list[dict], params: dict, note: str = "") -> Result:
    counted = [r for r in records if r["met"] is not None]
    met = sum(1 for r in counted if r["met"])
    return Result(
        value=share(met, len(counted)),
        numerator=met,
        denominator=len(counted),
        records=missed_first(records),
        params=params,
        note=note,
    )


def _count_result(records: list[dict], params: dict, note: str = "") -> Result:
    from decimal import Decimal

    return Result(
        value=Decimal(len(records)),
        numerator=len(records),
        denominator=None,
        records=missed_first(records),
        params=params,
        note=note,
    )


def _deadline_records(
    rows: Iterable[Any],
    *,
    kind: str,
    label: Callable[[Any], str],
    url: Callable[[Any], str],
    unit: Callable[[Any], Any],
    due: Callable[[Any], datetime.datetime],
    done: Callable[[Any], datetime.datetime | None],
    start: datetime.date,
    end: datetime.date,
    working: bool = True,
    key: Callable[[Any], Any] | None = None,
) -> list[dict]:
    """One record per row with a datetime deadline: met when done by the deadline; missed when done
    after it or not done and the deadline has passed; rows not yet due and not done are left out."""
    now = measures.now()
    today = timezone.localdate(now)
    calendar = WorkingDays(start, max(end, today)) if working else None
    records = []
    for row in rows:
        due_at, done_at = due(row), done(row)
        if done_at is None and due_at > now:
            continue  # not yet due, not yet done: not missed yet
        met = done_at is not None and done_at <= due_at
        note = ""
        if not met:
            due_day, done_day = _day(due_at), _day(done_at)
            assert due_day is not None
            note = (
                _late_note(calendar, due_day, done_day, today)
                if calendar is not None
                else _calendar_late_note(due_day, done_day, today)
            )
        pk = key(row) if key is not None else row.pk
        records.append(_record(kind, pk, label(row), url(row), unit(row), due_at, done_at, met, note))
    return records


# --- signals: verified within the deadline (intake's ``due_at``) ------------------------------------


SIGNALS_LISTED = 500  # missed signals listed one by one per line; the counts are always exact


@dataclass
class _Signals:
    """A unit's signals due in the period: exact counts (counted in the database) and the records
    listed (every missed one up to ``SIGNALS_LISTED``, then some met ones)."""

    records: list[dict]
    met: int
    counted: int

    @property
    def missed(self) -> int:
        return self.counted - self.met

    def note(self) -> str:
        listed = sum(1 for r in self.records if r["met"] is False)
        if listed < self.missed:
            return f"未按时 {self.missed} 条，逐条列出最早到期的 {listed} 条，完整清单见线索台账（按承办单位、逾期筛选）"
        return ""


def _signal_records(unit: Unit, start: datetime.date, end: datetime.date) -> _Signals:
    """Read once per scoring of the unit (``measures.remembered``): the share and the late count use it."""
    return measures.remembered(
        ("signals", unit.pk, start, end), lambda: _signal_records_read(unit, start, end)
    )


def _signal_records_read(unit: Unit, start: datetime.date, end: datetime.date) -> _Signals:
    from anxin.intake.selectors import signal_list

    low, high = _bounds(start, end)
    now = measures.now()
    scope = signal_list(user=viewer_for(unit), responsible=unit.code).filter(
        due_at__gte=low, due_at__lt=high, merged_into__isnull=True
    )
    # one narrow pass for the counts (three columns, no joins for names, no decryption of the
    # reporters' fields), then the printed columns only for the signals listed
    missed: list[tuple] = []
    met_rows: list[tuple] = []
    for pk, due_at, verified_at in scope.order_by("due_at", "pk").values_list("pk", "due_at", "verified_at"):
        if due_at is None or (verified_at is None and due_at > now):
            continue  # not yet due, not yet done: not counted yet
        if verified_at is not None and verified_at <= due_at:
            met_rows.append((due_at, pk))
        else:
            missed.append((due_at, pk))
    listed = [pk for _due, pk in missed[:SIGNALS_LISTED]]
    listed += [pk for _due, pk in sorted(met_rows, reverse=True)[: scoring_kept()]]
    columns = (
        "pk", "reference", "enterprise_id", "enterprise__name", "employer_name", "employer_uscc",
        "assigned_unit__name", "town__name", "due_at", "verified_at",
    )  # fmt: skip
    rows = scope.filter(pk__in=listed).order_by("due_at", "pk").values(*columns) if listed else []
    detail = reverse("signal-detail", args=[0]).rstrip("/").rsplit("/", 1)[0]
    records = _deadline_records(
        rows,
        kind="signal",
        label=lambda s: (
            f"线索 {s['reference'] or s['pk']}："
            f"{s['enterprise__name'] if s['enterprise_id'] else (s['employer_name'] or s['employer_uscc'])}"
        ),
        url=lambda s: f"{detail}/{s['pk']}/",
        unit=lambda s: s["assigned_unit__name"] or s["town__name"],
        due=lambda s: s["due_at"],
        done=lambda s: s["verified_at"],
        start=start,
        end=end,
        key=lambda s: s["pk"],
    )
    return _Signals(records=records, met=len(met_rows), counted=len(met_rows) + len(missed))


def scoring_kept() -> int:
    """How many met records a line keeps (the scoring's own limit)."""
    from anxin.assessment.services.scoring import MET_RECORDS_KEPT

    return MET_RECORDS_KEPT


def _signal_params(end: datetime.date) -> dict:
    return {"signal.verify_working_days": parameter("signal.verify_working_days", on=end)}


def signals_verified_on_time(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> Result:
    found = _signal_records(unit, start, end)
    return Result(
        value=share(found.met, found.counted),
        numerator=found.met,
        denominator=found.counted,
        records=missed_first(found.records),
        params=_signal_params(end),
        note=found.note(),
    )


def late_verifications(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> Result:
    from decimal import Decimal

    found = _signal_records(unit, start, end)
    return Result(
        value=Decimal(found.missed),
        numerator=found.missed,
        denominator=None,
        records=missed_first([r for r in found.records if r["met"] is False]),
        params=_signal_params(end),
        note=found.note(),
    )


# --- alerts: handled (closed) by their deadline ------------------------------------------------------


def _alert_records(unit: Unit, start: datetime.date, end: datetime.date) -> list[dict]:
    from anxin.monitoring.selectors import alert_list

    low, high = _bounds(start, end)
    rows = (
        alert_list(user=viewer_for(unit), responsible=unit.code)
        .filter(due_at__gte=low, due_at__lt=high)
        .order_by("due_at", "pk")
    )
    return _deadline_records(
        rows,
        kind="alert",
        label=lambda a: f"预警 {a.rule}：{a.enterprise.name}",
        url=lambda a: reverse("alert-detail", args=[a.pk]),
        unit=lambda a: a.unit or a.town,
        due=lambda a: a.due_at,
        done=lambda a: a.closed_at,
        start=start,
        end=end,
    )


def alerts_handled_on_time(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> Result:
    params = {"alert.handle_working_days": parameter("alert.handle_working_days", on=end)}
    return _share_result(_alert_records(unit, start, end), params)


# --- watch-list follow-ups ---------------------------------------------------------------------------

FOLLOWUP_CODES = {
    "red": "watch.followup_days_red",
    "orange": "watch.followup_days_orange",
    "yellow": "watch.followup_days_yellow",
}


def _followup_days(end: datetime.date) -> tuple[dict[str, int], dict]:
    params = {code: parameter(code, on=end) for code in FOLLOWUP_CODES.values()}
    days = {level: int(params[code]["value"]) for level, code in FOLLOWUP_CODES.items()}
    return days, params


def followups_on_time(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> Result:
    """Each follow-up that fell due in the period: the first ``N`` days after the confirmation, each
    next ``N`` days after the last visit (``N`` by the level the last visit recorded, the parameter
    ``watch.followup_days_<level>``); the one still pending is the entry's stored next date (which
    already holds any tightening for a sensitive period). Met when a visit was made by that day."""
    from anxin.monitoring.models import FollowUp, WatchStatus
    from anxin.monitoring.selectors import watch_list

    days, params = _followup_days(end)
    today = measures.today()
    entries = list(
        watch_list(user=viewer_for(unit), status="", responsible=unit.code)
        .filter(confirmed_at__isnull=False)
        .order_by("pk")
    )
    visits: dict[int, list[Any]] = {}
    for visit in (
        FollowUp.objects.filter(entry__in=[e.pk for e in entries], visited_on__lte=max(end, today))
        .only("entry_id", "visited_on", "level")
        .order_by("visited_on", "pk")
    ):
        visits.setdefault(visit.entry_id, []).append(visit)
    records: list[dict] = []
    for entry in entries:
        url = reverse("watch-detail", args=[entry.pk])
        who = entry.owner_unit or entry.unit or entry.town
        label = f"重点监控：{entry.enterprise.name}"
        anchor = _day(entry.confirmed_at)
        level = entry.level
        assert anchor is not None
        closed = _day(entry.closed_at)
        for visit in visits.get(entry.pk, []):
            due = anchor + datetime.timedelta(days=days.get(level, days["yellow"]))
            if start <= due <= end:
                met = visit.visited_on <= due
                note = "" if met else _calendar_late_note(due, visit.visited_on, today)
                records.append(
                    _record("followup", entry.pk, label, url, who, due, visit.visited_on, met, note)
                )
            anchor, level = visit.visited_on, visit.level
        # The follow-up still to make: the stored date while the entry is watched; none once it left.
        if entry.status == WatchStatus.ACTIVE and entry.next_followup_due is not None:
            due = _day(entry.next_followup_due)
        else:
            due = anchor + datetime.timedelta(days=days.get(level, days["yellow"]))
            if closed is None or closed <= due:
                continue
        assert due is not None
        if start <= due <= end and due < today:
            note = _calendar_late_note(due, None, today)
            records.append(_record("followup", entry.pk, label, url, who, due, None, False, note))
    return _share_result(records, params)


# --- immediate reports: submitted by their deadline ---------------------------------------------------


def immediate_reports_on_time(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> Result:
    """Reports closed by the office without being submitted (无群体性风险, nothing to send) are left out."""
    from anxin.monitoring.models.reports import ReportStatus
    from anxin.monitoring.selectors import report_list

    low, high = _bounds(start, end)
    rows = (
        report_list(user=viewer_for(unit), responsible=unit.code)
        .filter(due_at__gte=low, due_at__lt=high)
        .exclude(status=ReportStatus.CLOSED, submitted_at__isnull=True)
        .order_by("due_at", "pk")
    )
    records = _deadline_records(
        rows,
        kind="immediate_report",
        label=lambda r: f"即时报告：{r.enterprise.name}",
        url=lambda r: reverse("report-detail", args=[r.pk]),
        unit=lambda r: r.unit or r.town,
        due=lambda r: r.due_at,
        done=lambda r: r.submitted_at,
        start=start,
        end=end,
        working=False,
    )
    params = {"immediate.report_hours": parameter("immediate.report_hours", on=end)}
    return _share_result(records, params)


# --- cases: closed by their deadline (办结期限) -------------------------------------------------------


def _case_records(unit: Unit, start: datetime.date, end: datetime.date) -> list[dict]:
    from anxin.cases.selectors import case_list

    low, high = _bounds(start, end)
    rows = (
        case_list(user=viewer_for(unit), lead=unit.code)
        .filter(deadline_at__gte=low, deadline_at__lt=high)
        .order_by("deadline_at", "pk")
    )
    return _deadline_records(
        rows,
        kind="case",
        label=lambda c: f"案件 {c.number}：{c.enterprise.name}",
        url=lambda c: reverse("case-detail", args=[c.pk]),
        unit=lambda c: c.lead_unit,
        due=lambda c: c.deadline_at,
        done=lambda c: c.closed_at,
        start=start,
        end=end,
    )


def _case_params(end: datetime.date) -> dict:
    return {
        code: parameter(code, on=end)
        for code in ("inspection.investigation_working_days", "inspection.extension_working_days")
    }


def cases_closed_on_time(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> Result:
    return _share_result(_case_records(unit, start, end), _case_params(end))


def overdue_cases(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> Result:
    missed = [r for r in _case_records(unit, start, end) if r["met"] is False]
    return _count_result(missed, _case_params(end))


# --- periodic reports: first submitted by the due day -------------------------------------------------


def _periods_due(template: Any, start: datetime.date, end: datetime.date) -> list[Any]:
    """The report periods of ``template`` whose due day falls in ``start``..``end``."""
    from anxin.reports import periods

    rule = periods._rule(template, end)
    months = rule[0]
    found = []
    index = (start.year - 1) * 12  # a period due in the range began at most a year and a month before
    last = end.year * 12 + end.month - 1
    while index <= last:
        year, month = divmod(index, 12)
        if month % months == 0:
            span = periods.period_of(f"{year:04d}-{month + 1:02d}", template, on=end, rule=rule)
            if start <= span.due_on <= end:
                found.append(span)
        index += 1
    return found


def periodic_reports_on_time(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> Result:
    from anxin.reports.periodic_selectors import report_list, unit_template
    from anxin.reports.periods import CITATION

    params = {code: parameter(code, on=end) for code in ("report.frequency_months", "report.due_day")}
    template = unit_template(unit)
    if template is None:
        return Result(value=None, numerator=0, denominator=0, params=params, note="该单位不在定期报告范围内")
    spans = _periods_due(template, start, end)
    today = measures.today()
    firsts = {
        period: (first, pk)
        for period, first, pk in report_list(user=viewer_for(unit), unit=unit.code)
        .filter(period__in=[s.key for s in spans])
        .exclude(first_submitted_at__isnull=True, submitted_at__isnull=True)
        .order_by()
        .values("period")
        .annotate(first=Min(Coalesce("first_submitted_at", "submitted_at")), report_pk=Min("pk"))
        .values_list("period", "first", "report_pk")
    }
    mine_url = reverse("periodic-mine")
    records = []
    for span in spans:
        first, report_pk = firsts.get(span.key, (None, None))
        done = _day(first)
        if done is None and span.due_on >= today:
            continue
        met = done is not None and done <= span.due_on
        note = "" if met else _calendar_late_note(span.due_on, done, today)
        if done is None:
            note = f"未报送（{note}）"
        records.append(
            _record(
                "periodic_report",
                report_pk,
                f"{span.label}定期报告（{span.basis}）",
                reverse("periodic-detail", args=[report_pk]) if report_pk else mine_url,
                unit,
                span.due_on,
                first,
                met,
                note,
                period=span.key,
            )
        )
    return _share_result(records, params, note=f"依据 {CITATION}")


# --- conference decisions the unit owns --------------------------------------------------------------


def decisions_on_time(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> Result:
    """Met: reported complete by the due date and accepted by the office; reported by the due date and
    still awaiting acceptance: shown, not counted yet; otherwise (late, sent back, not done) missed."""
    from anxin.conference.decisions_selectors import decision_list
    from anxin.conference.models import DecisionStatus

    today = measures.today()
    rows = (
        decision_list(user=viewer_for(unit), owner=unit)
        .filter(due_on__gte=start, due_on__lte=end)
        .order_by("due_on", "pk")
    )
    records = []
    for d in rows:
        done = d.completed_on if d.status in (DecisionStatus.REPORTED, DecisionStatus.DONE) else None
        if done is None and d.due_on >= today:
            continue
        on_time = done is not None and done <= d.due_on
        if d.status == DecisionStatus.DONE and on_time:
            met, note = True, f"{d.accepted_on:%Y-%m-%d} 验收" if d.accepted_on else ""
        elif d.status == DecisionStatus.REPORTED and on_time:
            met, note = None, "已按期报完成，待验收（暂不计入）"
        else:
            met, note = False, _calendar_late_note(d.due_on, done, today)
        records.append(
            _record(
                "decision",
                d.pk,
                f"议定事项 {d.number}：{d.subject[:30]}",
                reverse("conference-decision", args=[d.pk]),
                unit,
                d.due_on,
                done,
                met,
                note,
            )
        )
    return _share_result(records, {})


# --- publicity held -----------------------------------------------------------------------------------


def publicity_held(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> Result:
    from decimal import Decimal

    from anxin.reports.publicity_selectors import publicity_list

    rows = publicity_list(
        user=viewer_for(unit), unit=unit.code, date_from=start, date_to=end, withdrawn="no"
    ).order_by("date", "pk")
    records = [
        _record(
            "publicity",
            p.pk,
            f"{p.date:%Y-%m-%d} {p.title}",
            reverse("reports-publicity", args=[p.pk]),
            unit,
            None,
            p.date,
            None,
            f"{p.get_kind_display()}，受众 {p.audience} 人",
        )
        for p in rows
    ]
    return Result(value=Decimal(len(records)), numerator=len(records), records=records)


# --- screening coverage -------------------------------------------------------------------------------


def screening_coverage(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> Result:
    """Operating enterprises the unit sees (企业库) whose screening task of any campaign was answered in
    the period (as ``reports.figures._screened`` counts screened enterprises) out of all of them."""
    from anxin.monitoring.selectors import screening_task_list
    from anxin.registry.models import Enterprise, EnterpriseStatus

    viewer = viewer_for(unit)
    enterprises = list(
        Enterprise.objects.for_user(viewer)
        .filter(status=EnterpriseStatus.OPERATING)
        .order_by("name", "pk")
        .values_list("pk", "uscc", "name")
    )
    screened = dict(
        screening_task_list(user=viewer, campaign=None, date_from=start, date_to=end)
        .exclude(result="pending")
        .order_by()
        .values("enterprise_id")
        .annotate(first=Min("answered_at"))
        .values_list("enterprise_id", "first")
    )
    records = [
        _record(
            "enterprise",
            pk,
            name,
            reverse("enterprise-detail", args=[uscc]),
            unit,
            None,
            screened.get(pk),
            pk in screened,
            "" if pk in screened else "本期未排查",
        )
        for pk, uscc, name in enterprises
    ]
    return _share_result(records, {})


# --- arrears recovered --------------------------------------------------------------------------------


def _yuan(fen: int) -> str:
    from anxin.core.money import format_yuan

    return f"{format_yuan(fen)} 元"


def arrears_recovered(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> Result:
    """Claims confirmed by 人社局 in the period on the cases the unit handles (牵头单位; 工资清偿台账):
    fen paid on them by the end of the period (entries less reversals) out of fen confirmed, per case.
    Numerator and denominator are fen (the measure is ``money``: shown as yuan)."""
    from anxin.money.claims_views import claim_list
    from anxin.money.models import ClaimStatus, Payment

    low, high = _bounds(start, end)
    claims = claim_list(user=viewer_for(unit), status=ClaimStatus.CONFIRMED).filter(
        case__lead_unit=unit, confirmed_at__gte=low, confirmed_at__lt=high
    )
    owed = {
        row["case_id"]: row
        for row in claims.order_by()
        .values("case_id", "case__number", "case__enterprise__name")
        .annotate(confirmed=Sum("confirmed_amount"))
    }
    paid_rows = (
        Payment.objects.filter(claim__in=claims.values("pk"), paid_on__lte=end)
        .order_by()
        .values("case_id")
        .annotate(
            entries=Sum("amount", filter=Q(reverses__isnull=True)),
            taken_back=Sum("amount", filter=Q(reverses__isnull=False)),
        )
    )
    paid = {r["case_id"]: int(r["entries"] or 0) - int(r["taken_back"] or 0) for r in paid_rows}
    records = []
    total_owed = total_paid = 0
    for case_id, row in owed.items():
        confirmed = int(row["confirmed"] or 0)
        got = min(paid.get(case_id, 0), confirmed)
        total_owed += confirmed
        total_paid += got
        records.append(
            _record(
                "case",
                case_id,
                f"案件 {row['case__number']}：{row['case__enterprise__name']}（确认 {_yuan(confirmed)}，已付 {_yuan(got)}）",
                reverse("case-detail", args=[case_id]),
                "",
                None,
                None,
                got >= confirmed,
                "" if got >= confirmed else f"尚欠 {_yuan(confirmed - got)}",
                confirmed_fen=confirmed,
                paid_fen=got,
            )
        )
    return Result(
        value=share(total_paid, total_owed),
        numerator=total_paid,
        denominator=total_owed,
        records=missed_first(records),
        note=f"已付 {_yuan(total_paid)} ÷ 确认 {_yuan(total_owed)}（金额以分计算）",
    )


# --- workers' reports closed and rated dissatisfied ---------------------------------------------------


def dissatisfied_closures(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> Result:
    """§五(二)、§五(三): a worker's report closed (办结) by this unit in the period whose closing the
    worker rated 不满意 or answered 仍未拿到工资 — each closing once, a report reopened and closed
    again counting again, against the unit that closed it (intake's ``ReportClosure``; the same
    rows as ``intake.selectors.closures_by_unit``)."""
    from decimal import Decimal

    from anxin.intake.models import ReportClosure, Satisfaction

    low, high = _bounds(start, end)
    rows = (
        ReportClosure.objects.for_user(viewer_for(unit))
        .filter(unit=unit, closed_at__gte=low, closed_at__lt=high)
        .filter(Q(rating=Satisfaction.DISSATISFIED) | Q(still_unpaid=True))
        .order_by("closed_at", "pk")
    )
    count = rows.count()
    detail = reverse("signal-detail", args=[0]).rstrip("/").rsplit("/", 1)[0]
    records = []
    listed = rows.values(
        "pk", "signal_id", "signal__reference", "signal__enterprise__name", "signal__employer_name",
        "closed_at", "rating", "still_unpaid",
    )[:SIGNALS_LISTED]  # fmt: skip
    for row in listed:
        said = [label for flag, label in ((row["rating"] == Satisfaction.DISSATISFIED, "不满意"),
                                          (row["still_unpaid"], "仍未拿到工资")) if flag]  # fmt: skip
        records.append(
            {
                "kind": "closure",
                "id": row["signal_id"],
                "label": (
                    f"群众反映 {row['signal__reference'] or row['signal_id']}："
                    f"{row['signal__enterprise__name'] or row['signal__employer_name'] or ''}"
                ),
                "url": f"{detail}/{row['signal_id']}/",
                "unit": unit.name,
                "due": None,
                "done": as_iso(row["closed_at"]),
                "met": False,
                "note": "反映人评价：" + "、".join(said),
            }
        )
    return Result(
        value=Decimal(count),
        numerator=count,
        denominator=None,
        records=records,
        params={},
        note="" if count <= SIGNALS_LISTED else f"列出前 {SIGNALS_LISTED} 条",
    )


# --- the catalogue ------------------------------------------------------------------------------------

# key → (label, kind, clause, formula, compute, default settings, groups)
CATALOGUE: list[tuple[str, str, str, str, str, Callable[..., Result], dict, tuple[str, ...]]] = [
    (
        "signals_verified_on_time",
        "欠薪线索按期核实率",
        SHARE,
        "§三(一)、§五(三)",
        "按期核实率 = 期限内核实的线索数 ÷ 本单位承办（分派的条线部门，未分派的为属地镇街）、"
        "本期到期应核实的线索数（核实期限为线索登记时按参数 "
        "signal.verify_working_days 个工作日算出并保存的期限；到期未核实计为逾期；尚未到期且未核实的不计）",
        signals_verified_on_time,
        {"full_at": "1.00", "zero_at": "0.60"},
        ("town", "department"),
    ),
    (
        "alerts_handled_on_time",
        "风险预警按期处置率",
        SHARE,
        "§四(二)、§五(三)",
        "按期处置率 = 处置期限内办结（处置或排除）的预警数 ÷ 本单位承办（条线部门，未指定的为属地镇街）、"
        "本期到期的预警数（处置期限：参数 "
        "alert.handle_working_days 个工作日，预警生成时保存）",
        alerts_handled_on_time,
        {"full_at": "1.00", "zero_at": "0.60"},
        ("town", "department"),
    ),
    (
        "followups_on_time",
        "重点监控企业按期回访率",
        SHARE,
        "§四(二)(三)、§五(二)、§五(三)",
        "按期回访率 = 按期完成的回访次数 ÷ 本单位负责（负责单位，未指定的为条线部门或属地镇街）、"
        "本期到期的回访次数（回访周期：参数 watch.followup_days_red / "
        "orange / yellow 日，自确认纳入或上次回访起算；到期未回访计为逾期）",
        followups_on_time,
        {"full_at": "1.00", "zero_at": "0.50"},
        ("town", "department"),
    ),
    (
        "immediate_reports_on_time",
        "即时报告按时报送率",
        SHARE,
        "§五(二)、§五(三)",
        "按时报送率 = 期限内报送的即时报告数 ÷ 本单位应报送（条线部门，未指定的为属地镇街）、"
        "本期到期的即时报告数（报送时限：参数 immediate.report_hours "
        "小时；联席办未经报送即关闭的不计）",
        immediate_reports_on_time,
        {"full_at": "1.00", "zero_at": "0.50"},
        ("town", "department"),
    ),
    (
        "cases_closed_on_time",
        "欠薪案件按期办结率",
        SHARE,
        "§四(五)、§五(三)",
        "按期办结率 = 办结期限内结案的案件数 ÷ 本单位牵头、本期办结期限到期的案件数（办结期限：参数 "
        "inspection.investigation_working_days 个工作日，延长的按 inspection.extension_working_days）",
        cases_closed_on_time,
        {"full_at": "1.00", "zero_at": "0.60"},
        ("town", "department"),
    ),
    (
        "periodic_reports_on_time",
        "定期报告按时报送率",
        SHARE,
        "§五(二)、§五(三)",
        "按时报送率 = 报送截止日前首次报送的报告期数 ÷ 本期截止日到期的报告期数（报送周期和截止日：参数 "
        "report.frequency_months、report.due_day 或模板设置；未报送计为逾期）",
        periodic_reports_on_time,
        {"full_at": "1.00", "zero_at": "0.50"},
        ("town", "department"),
    ),
    (
        "decisions_on_time",
        "联席会议议定事项按期完成率",
        SHARE,
        "§二、§五(三)",
        "按期完成率 = 完成时限前报完成并经联席办验收的议定事项数 ÷ 本期到期的本单位牵头议定事项数"
        "（按期报完成、尚待验收的暂不计入）",
        decisions_on_time,
        {"full_at": "1.00", "zero_at": "0.50"},
        ("town", "department"),
    ),
    (
        "publicity_held",
        "开展宣传活动次数",
        COUNT,
        "§四(九)、§五(三)",
        "宣传活动次数 = 本单位登记、活动日期在本期、未撤销的宣传活动数（宣传活动台账）",
        publicity_held,
        {"target": "4"},
        ("town", "department"),
    ),
    (
        "screening_coverage",
        "排查摸底覆盖率",
        SHARE,
        "§四(一)、§五(三)",
        "排查覆盖率 = 本期排查任务已答复的在营企业数 ÷ 本单位可见的在营企业数（企业库）",
        screening_coverage,
        {"full_at": "0.95", "zero_at": "0.50"},
        ("town", "department"),
    ),
    (
        "arrears_recovered",
        "为劳动者追回欠薪比例",
        SHARE,
        "§四(六)、§五(三)",
        "追回比例 = 本单位牵头案件中本期确认的工资债权截至期末已支付金额 ÷ 确认金额（工资清偿台账，按分计算，冲正扣减）",
        arrears_recovered,
        {"full_at": "0.90", "zero_at": "0.30"},
        ("town", "department"),
    ),
    (
        "late_verifications",
        "线索逾期核实（次）",
        COUNT,
        "§三(一)、§五(三)",
        "逾期核实次数 = 本期到期、超过核实期限才核实或到期仍未核实的线索数（核实期限：参数 "
        "signal.verify_working_days 个工作日）；作扣分项时每次扣分，累计不超过上限",
        late_verifications,
        {},
        ("town", "department"),
    ),
    (
        "overdue_cases",
        "案件超期未结（件）",
        COUNT,
        "§四(五)、§五(三)",
        "超期案件数 = 本期办结期限到期、超期结案或到期仍未结案的案件数（办结期限：参数 "
        "inspection.investigation_working_days 个工作日）；作扣分项时每件扣分，累计不超过上限",
        overdue_cases,
        {},
        ("town", "department"),
    ),
    (
        "dissatisfied_closures",
        "群众反映不满意办结（次）",
        COUNT,
        "§五(二)、§五(三)",
        "不满意办结次数 = 本单位本期办结、反映人评价“不满意”或称“仍未拿到工资”的群众反映办结次数（每次办结各计一次，"
        "重新办理后再办结的再计）；作扣分项时每次扣分，累计不超过上限",
        dissatisfied_closures,
        {},
        ("town", "department"),
    ),
]

DEFAULT_SETTINGS: dict[str, dict] = {row[0]: row[6] for row in CATALOGUE}
MONEY = {"arrears_recovered"}  # numerator and denominator in fen


def register_all() -> None:
    for key, label, kind, clause, formula, compute, _settings, groups in CATALOGUE:
        register(
            Measure(
                key=key,
                label=label,
                kind=kind,
                clause=clause,
                formula=formula,
                compute=compute,
                groups=groups,
                money=key in MONEY,
            )
        )
