"""What the office's analysis and circular are drafted from (§五(二)), and the reads of the documents.

``analysis_data`` and ``circular_data`` build the snapshot a document keeps (``OfficeDocument.data``):
every figure comes from ``figures.figures_for`` (the same catalogue and selectors as the units'
periodic reports) or from the earlier apps' selectors as the office sees them (``figures.viewer_for``
on the office unit), so the document says what the ledgers say for the same dates. The snapshot is
plain JSON (dates as ISO text, money in fen with ``money`` set), printed as recorded by the page and
the Word document.

``expected_units`` and ``submission_status`` are the periodic part's: the units the active templates
apply to (``periodic_selectors.reporting_units``) and each one's standing as the office's inbox shows
it (``periodic_selectors.standings``), so the inbox, the analysis and the circular agree."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from anxin.core.access import get_scoped_or_404
from anxin.core.policy import param_record
from anxin.org.access import office_unit as org_office_unit
from anxin.org.models import Unit, UnitKind
from anxin.reports import figures, periodic_selectors, periods
from anxin.reports.models import (
    DocumentKind,
    DocumentStatus,
    OfficeDocument,
    PublicityActivity,
    PublicityKind,
)
from anxin.reports.periodic_selectors import STANDING
from anxin.reports.publicity_selectors import counts_by_unit

FREQUENCY = "report.frequency_months"
DUE_DAY = "report.due_day"
TREND_PERIODS = 6

# The figures compared with the previous period, and how the comparison names them.
HEADLINE = {
    "signals_received": "收到欠薪线索",
    "signals_substantiated": "经核实属实的线索",
    "alerts_opened": "风险预警",
    "cases_opened": "立案",
    "cases_closed": "结案",
    "money_recovered": "追回工资",
    "workers_paid": "获得清偿的劳动者",
    "immediate_reports": "即时报告",
    "incidents": "群体性事件等突发事件",
    "publicity_activities": "宣传活动",
}
TOP = 10


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
    found = org_office_unit()
    assert found is not None, "the district file has no office unit"
    return found


def expected_units() -> list[Unit]:
    """The units that report each period: the periodic part's definition
    (``periodic_selectors.reporting_units``: the active templates of the district file decide)."""
    return [unit for unit, _template in periodic_selectors.reporting_units()]


def submission_status(period: str) -> list[dict]:
    """Each expected unit's standing for ``period`` as the office's inbox shows it (按时报送 / 逾期报送 /
    草稿 / 未报送, ``periodic_selectors.standings``), with its due day and the version in force."""
    rows = []
    for row in periodic_selectors.standings(period, periodic_selectors.reporting_units()):
        report = row.report
        due = report.due_on if report is not None else periods.period_of(period, row.template).due_on
        rows.append(
            {
                "unit": row.unit.code,
                "name": row.unit.name,
                "kind": row.unit.kind,
                "status": row.standing,
                "label": row.standing_label,
                "submitted_at": (
                    timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M")
                    if report is not None and report.submitted_at
                    else ""
                ),
                "due_on": due.isoformat(),
                "flagged": row.missing is not None,
                "version": report.version if report is not None else None,
                "report": report.pk if report is not None else None,
            }
        )
    return rows


def submission_summary(rows: list[dict]) -> dict[str, int]:
    found = dict.fromkeys(STANDING, 0)
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
    spans = [periods.period_of(period)]
    while len(spans) < TREND_PERIODS:
        spans.append(periods.period_of(spans[-1].previous()))
    spans.reverse()
    keys = [span.key for span in spans]
    series: dict[str, dict] = {}
    for span in spans:
        for code, figure in _figures(office, span.start, span.end).items():
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


def _param(code: str, on: datetime.date) -> dict:
    record = param_record(code, on=on)
    return {
        "code": code,
        "value": str(record.value),
        "name": record.name,
        "citation": record.citation,
        "since": f"{record.effective_from:%Y-%m-%d}",
    }


def _basics(period: str) -> tuple[datetime.date, datetime.date, dict]:
    """The period (``periods.period_of``: the parameters ``report.frequency_months`` and
    ``report.due_day``, as the units' reports read them) and the parameters it was computed with."""
    span = periods.period_of(period)
    today = timezone.localdate()
    return (
        span.start,
        span.end,
        {
            "period": span.key,
            "start": span.start.isoformat(),
            "end": span.end.isoformat(),
            "due_on": span.due_on.isoformat(),
            "params": [_param(FREQUENCY, today), _param(DUE_DAY, today)],
            "composed_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        },
    )


def _previous(office: Unit, period: str) -> dict:
    """The district's headline figures of the period before (what the body's comparison reads)."""
    before = periods.period_of(periods.period_of(period).previous())
    codes = [code for code in HEADLINE if code in figures.FIGURES]
    return {
        "period": before.key,
        "start": before.start.isoformat(),
        "end": before.end.isoformat(),
        "figures": figures.figures_for(office, before.start, before.end, codes),
    }


def analysis_data(period: str, today: datetime.date | None = None) -> dict:
    """The analysis's snapshot for ``period`` (see the module)."""
    start, end, data = _basics(period)
    office = office_unit()
    viewer = figures.viewer_for(office)
    units = expected_units()
    submissions = submission_status(period)
    data.update(
        district=_figures(office, start, end),
        previous=_previous(office, period),
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
    submissions = submission_status(period)
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
        previous=_previous(office, period),
        submissions=submissions,
        submission_summary=submission_summary(submissions),
        publicity=publicity,
    )
    return data


def data_for(kind: str, period: str, today: datetime.date | None = None) -> dict:
    return analysis_data(period, today) if kind == DocumentKind.ANALYSIS else circular_data(period, today)
