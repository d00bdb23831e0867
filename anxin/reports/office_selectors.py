"""What the office's analysis and circular are drafted from (§五(二)), and the reads of the documents.

``analysis_data`` and ``circular_data`` build the snapshot a document keeps (``OfficeDocument.data``):
every figure comes from ``figures.figures_for`` (the same catalogue and selectors as the units'
periodic reports) or from the earlier apps' selectors as the office sees them (``figures.viewer_for``
on the office unit), so the document says what the ledgers say for the same dates. The snapshot is
plain JSON (dates as ISO text, money in fen with ``money`` set), printed as recorded by the page and
the Word document.

``expected_units`` and ``submission_status`` read the units' periodic reports (``PeriodicReport`` in
force, ``MissingReport``); the periodic part owns those rows."""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from anxin.core.access import get_scoped_or_404
from anxin.core.policy import param_record
from anxin.org.models import Unit, UnitKind
from anxin.reports import figures, office_periods
from anxin.reports.models import (
    DocumentKind,
    DocumentStatus,
    MissingReport,
    OfficeDocument,
    PeriodicReport,
    PublicityActivity,
    PublicityKind,
    ReportStatus,
)
from anxin.reports.publicity_selectors import counts_by_unit

DUE_DAY = "report.due_day"
TREND_PERIODS = 6
TOP = 10

ON_TIME, LATE, MISSING, PENDING = "on_time", "late", "missing", "pending"
SUBMISSION_LABELS = {ON_TIME: "按时报送", LATE: "逾期补报", MISSING: "逾期未报", PENDING: "未到截止日"}


# --- the documents ------------------------------------------------------------------------------------


def document_list(
    *, user: Any, kind: str = "", period: str = "", status: str = ""
) -> QuerySet[OfficeDocument]:
    """The documents the user sees (the office and the leaders: all; a member unit: the circulars
    issued to it), newest period first."""
    rows = OfficeDocument.objects.for_user(user).select_related("drafted_by", "approved_by")
    if kind:
        rows = rows.filter(kind=kind)
    if period:
        rows = rows.filter(period=period)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-period", "kind", "pk").distinct()


def document_get(*, user: Any, pk: int) -> OfficeDocument:
    return get_scoped_or_404(
        OfficeDocument.objects.select_related("drafted_by", "approved_by", "issued_by"), user, pk=pk
    )


def awaiting_approval() -> QuerySet[OfficeDocument]:
    """Documents sent to the office director (the director's home panel)."""
    return OfficeDocument.objects.filter(status=DocumentStatus.SUBMITTED).select_related("drafted_by")


# --- the units and their submissions --------------------------------------------------------------------


def office_unit() -> Unit:
    return Unit.objects.filter(kind=UnitKind.OFFICE).order_by("order", "pk").first()  # type: ignore[return-value]


def expected_units() -> list[Unit]:
    """The units that report each period: the member units of kinds department and town government
    (the periodic part's templates say the same; point this at theirs when they differ)."""
    return list(
        Unit.objects.filter(
            is_member=True, kind__in=[UnitKind.DEPARTMENT, UnitKind.TOWN_GOVERNMENT]
        ).order_by("kind", "order", "code")
    )


def due_on(period: str) -> tuple[datetime.date, dict]:
    """The submission deadline of ``period``: day ``report.due_day`` of the month after it."""
    _start, end = office_periods.bounds(period)
    after = end + datetime.timedelta(days=1)
    record = param_record(DUE_DAY, on=after)
    day = min(int(record.typed_value), calendar.monthrange(after.year, after.month)[1])
    return after.replace(day=day), {
        "code": DUE_DAY,
        "value": str(record.value),
        "name": record.name,
        "citation": record.citation,
        "since": f"{record.effective_from:%Y-%m-%d}",
    }


def submission_status(period: str, units: list[Unit], today: datetime.date | None = None) -> list[dict]:
    """Each unit's report for ``period``: 按时报送 (the version in force submitted by its due day),
    逾期补报 (submitted after it, or after being flagged missing), 逾期未报 (flagged missing, or past the
    deadline with nothing submitted), 未到截止日. Two queries."""
    today = today or timezone.localdate()
    deadline, _info = due_on(period)
    ids = [u.pk for u in units]
    reports = {
        r.unit_id: r
        for r in PeriodicReport.objects.filter(period=period, unit_id__in=ids, status=ReportStatus.SUBMITTED)
    }
    flagged = {m.unit_id: m for m in MissingReport.objects.filter(period=period, unit_id__in=ids)}
    rows = []
    for unit in units:
        report = reports.get(unit.pk)
        if report is not None:
            late = report.late or unit.pk in flagged
            state = LATE if late else ON_TIME
            when = (
                timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M")
                if report.submitted_at
                else ""
            )
        else:
            state = MISSING if unit.pk in flagged or today > deadline else PENDING
            when = ""
        rows.append(
            {
                "unit": unit.code,
                "name": unit.name,
                "kind": unit.kind,
                "status": state,
                "label": SUBMISSION_LABELS[state],
                "submitted_at": when,
                "due_on": (report.due_on if report is not None else deadline).isoformat(),
                "version": report.version if report is not None else None,
                "report": report.pk if report is not None else None,
            }
        )
    return rows


def submission_summary(rows: list[dict]) -> dict[str, int]:
    found = dict.fromkeys(SUBMISSION_LABELS, 0)
    for row in rows:
        found[row["status"]] += 1
    return found


# --- the snapshot ---------------------------------------------------------------------------------------


def _figures(unit: Unit, start: datetime.date, end: datetime.date) -> dict:
    return figures.figures_for(unit, start, end)


def _by_industry(viewer: Any, start: datetime.date, end: datetime.date) -> list[dict]:
    """Signals received, alerts raised and cases opened in the period by the enterprise's kind (an
    enterprise of two kinds counts under each), through the ledgers' selectors as the office sees them."""
    from anxin.cases.selectors import case_list
    from anxin.intake.selectors import signal_list
    from anxin.monitoring.selectors import alert_list
    from anxin.registry.models import EnterpriseKind

    def grouped(rows: QuerySet) -> dict[str, int]:
        return dict(
            rows.filter(enterprise__kinds__isnull=False)
            .order_by()
            .values_list("enterprise__kinds__code")
            .annotate(n=Count("pk", distinct=True))
        )

    signals = grouped(signal_list(user=viewer, date_from=start, date_to=end))
    alerts = grouped(alert_list(user=viewer).filter(opened_on__gte=start, opened_on__lte=end))
    cases = grouped(case_list(user=viewer).filter(opened_at__date__gte=start, opened_at__date__lte=end))
    rows = []
    for kind in EnterpriseKind.objects.order_by("pk"):
        row = {
            "code": kind.code,
            "name": kind.name,
            "signals": signals.get(kind.code, 0),
            "alerts": alerts.get(kind.code, 0),
            "cases": cases.get(kind.code, 0),
        }
        if row["signals"] or row["alerts"] or row["cases"]:
            rows.append(row)
    return rows


def _trends(office: Unit, period: str) -> dict:
    """The district's figures over the last ``TREND_PERIODS`` periods (oldest first)."""
    keys = office_periods.previous(period, TREND_PERIODS)
    series: dict[str, dict] = {}
    for key in keys:
        start, end = office_periods.bounds(key)
        for code, figure in _figures(office, start, end).items():
            entry = series.setdefault(
                code,
                {"label": figure["label"], "unit": figure["unit"], "money": figure["money"], "values": []},
            )
            entry["values"].append(figure["value"])
    return {"periods": keys, "series": series}


def _top_risks(viewer: Any, start: datetime.date, end: datetime.date) -> dict:
    from anxin.cases.models import Incident
    from anxin.cases.selectors import case_list
    from anxin.monitoring.rules import LEVEL_NAMES, RULES_BY_CODE
    from anxin.monitoring.selectors import alert_list, risk_enterprise_list

    enterprises = [
        {
            "name": r.enterprise.name,
            "uscc": r.enterprise.uscc,
            "town": r.enterprise.town.name,
            "level": LEVEL_NAMES.get(r.level, r.level),
            "points": r.points,
        }
        for r in risk_enterprise_list(user=viewer).filter(level__in=["red", "orange"])[:TOP]
    ]
    level_order = {"red": 0, "orange": 1, "yellow": 2}
    open_alerts = sorted(
        alert_list(user=viewer, active=True).order_by("due_at", "pk")[:200],
        key=lambda a: (level_order.get(a.level, 3), a.due_at),
    )[:TOP]
    alerts = [
        {
            "enterprise": a.enterprise.name,
            "rule": getattr(RULES_BY_CODE.get(a.rule), "name", a.rule),
            "level": LEVEL_NAMES.get(a.level, a.level),
            "status": a.get_status_display(),
            "opened_on": a.opened_on.isoformat(),
            "due": timezone.localtime(a.due_at).date().isoformat(),
        }
        for a in open_alerts
    ]
    visible = case_list(user=viewer).values("pk")
    incidents = [
        {
            "case": i.case.number,
            "enterprise": i.case.enterprise.name,
            "kind": i.get_kind_display(),
            "occurred": timezone.localtime(i.occurred_at).strftime("%Y-%m-%d %H:%M"),
            "place": i.place,
            "people": i.people,
            "serious": i.serious,
        }
        for i in Incident.objects.filter(
            case__in=visible, occurred_at__date__gte=start, occurred_at__date__lte=end
        )
        .select_related("case__enterprise")
        .order_by("occurred_at", "pk")[:50]
    ]
    return {"enterprises": enterprises, "alerts": alerts, "incidents": incidents}


def _immediate_reports(viewer: Any, start: datetime.date, end: datetime.date) -> list[dict]:
    from anxin.monitoring.rules import RULES_BY_CODE
    from anxin.monitoring.selectors import report_list

    return [
        {
            "enterprise": r.enterprise.name,
            "town": r.town.name if r.town else "",
            "rule": getattr(RULES_BY_CODE.get(r.rule), "name", r.rule),
            "status": r.get_status_display(),
            "workers": r.workers,
            "amount": r.amount,
            "drafted": timezone.localtime(r.drafted_at).strftime("%Y-%m-%d"),
            "submitted": timezone.localtime(r.submitted_at).strftime("%Y-%m-%d") if r.submitted_at else "",
        }
        for r in report_list(user=viewer)
        .filter(drafted_at__date__gte=start, drafted_at__date__lte=end)
        .order_by("drafted_at", "pk")
    ]


def _basics(period: str) -> tuple[datetime.date, datetime.date, dict]:
    start, end = office_periods.bounds(period)
    _months, frequency = office_periods.frequency(start)
    deadline, due_info = due_on(period)
    return (
        start,
        end,
        {
            "period": period,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "due_on": deadline.isoformat(),
            "params": [frequency, due_info],
            "composed_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        },
    )


def analysis_data(period: str, today: datetime.date | None = None) -> dict:
    """The analysis's snapshot for ``period`` (see the module)."""
    start, end, data = _basics(period)
    office = office_unit()
    viewer = figures.viewer_for(office)
    units = expected_units()
    submissions = submission_status(period, units, today)
    data.update(
        district=_figures(office, start, end),
        towns=[
            {"unit": u.code, "name": u.name, "figures": _figures(u, start, end)}
            for u in units
            if u.kind == UnitKind.TOWN_GOVERNMENT
        ],
        lines=[
            {"unit": u.code, "name": u.name, "figures": _figures(u, start, end)}
            for u in units
            if u.kind == UnitKind.DEPARTMENT
        ],
        industries=_by_industry(viewer, start, end),
        trends=_trends(office, period),
        risks=_top_risks(viewer, start, end),
        submissions=submissions,
        submission_summary=submission_summary(submissions),
        immediate_reports=_immediate_reports(viewer, start, end),
    )
    return data


def circular_data(period: str, today: datetime.date | None = None) -> dict:
    """The circular's snapshot for ``period``: the district's figures, each unit's submission status
    and its publicity counts (withdrawn activities left out)."""
    start, end, data = _basics(period)
    office = office_unit()
    units = expected_units()
    submissions = submission_status(period, units, today)
    counts = counts_by_unit(PublicityActivity.objects.all(), start, end)
    publicity = []
    for unit in units:
        entry = counts.get(unit.pk, {"activities": 0, "audience": 0, "materials": 0, "kinds": {}})
        publicity.append(
            {
                "unit": unit.code,
                "name": unit.name,
                "activities": entry["activities"],
                "audience": entry["audience"],
                "materials": entry["materials"],
                "kinds": {str(PublicityKind(k).label): n for k, n in entry["kinds"].items()},
            }
        )
    data.update(
        district=_figures(office, start, end),
        submissions=submissions,
        submission_summary=submission_summary(submissions),
        publicity=publicity,
    )
    return data


def data_for(kind: str, period: str, today: datetime.date | None = None) -> dict:
    return analysis_data(period, today) if kind == DocumentKind.ANALYSIS else circular_data(period, today)
