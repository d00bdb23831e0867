"""Reads of periodic reports, scoped (DESIGN rule 3): a unit's own reports, the office's inbox of
every expected unit for a period, the roll-ups (each town over its territory, each department over
its line) computed with the same ``figures.figures_for`` a report is prefilled with."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from anxin.core.access import get_scoped_or_404, scope_of
from anxin.org.access import office_unit
from anxin.org.models import Unit, UnitKind
from anxin.reports import figures, periods
from anxin.reports.models import MissingReport, PeriodicReport, ReportStatus, ReportTemplate
from anxin.reports.services.periodic import expected_units, template_for

# The inbox's statuses (a unit's standing for one period).
ON_TIME, LATE, DRAFT, NONE = "on_time", "late", "draft", "none"
STANDING = {ON_TIME: "按时报送", LATE: "逾期报送", DRAFT: "草稿", NONE: "未报送"}


def sees_all(user: Any) -> bool:
    """The office and the leaders (and the auditors) read every unit's reports."""
    return scope_of(user).everything


def report_get(*, user: Any, pk: int) -> PeriodicReport:
    return get_scoped_or_404(
        PeriodicReport.objects.select_related(
            "unit", "template", "created_by", "submitted_by", "correction_of"
        ),
        user,
        pk=pk,
    )


def report_list(*, user: Any, period: str = "", unit: str = "") -> QuerySet[PeriodicReport]:
    """Reports the user sees (every version), newest period first; ``unit``: a unit's code."""
    rows = PeriodicReport.objects.for_user(user).select_related("unit", "template", "submitted_by")
    if period:
        rows = rows.filter(period=period)
    if unit:
        rows = rows.filter(unit__code=unit)
    return rows.order_by("-period", "unit__order", "-version")


def report_history(report: PeriodicReport) -> list:
    """Every event of every version of this unit's report for the period, oldest first."""
    from anxin.reports.models import ReportEvent

    return list(
        ReportEvent.objects.filter(report__unit_id=report.unit_id, report__period=report.period)
        .select_related("actor", "report")
        .order_by("at", "pk")
    )


def report_versions(report: PeriodicReport) -> list[PeriodicReport]:
    return list(
        PeriodicReport.objects.filter(unit_id=report.unit_id, period=report.period)
        .select_related("submitted_by")
        .order_by("-version")
    )


@dataclass
class PeriodRow:
    """One period on a unit's page: the period, the version in force or the draft, the flag."""

    period: periods.Period
    report: PeriodicReport | None
    draft: PeriodicReport | None
    missing: MissingReport | None

    @property
    def standing(self) -> str:
        return _standing(self.report, self.draft)


def _standing(current: PeriodicReport | None, draft: PeriodicReport | None) -> str:
    if current is not None:
        return LATE if current.late else ON_TIME
    if draft is not None:
        return DRAFT
    return NONE


def unit_periods(
    *, unit: Unit, template: ReportTemplate, today: datetime.date | None = None, n: int = 6
) -> list[PeriodRow]:
    """The unit's current and past periods with each one's report (2 queries)."""
    today = today or timezone.localdate()
    spans = periods.recent(template, today=today, n=n)
    keys = [s.key for s in spans]
    reports = list(
        PeriodicReport.objects.filter(unit=unit, period__in=keys)
        .exclude(status=ReportStatus.SUPERSEDED)
        .select_related("submitted_by")
    )
    missing = {m.period: m for m in MissingReport.objects.filter(unit=unit, period__in=keys)}
    rows = []
    for span in spans:
        mine = [r for r in reports if r.period == span.key]
        rows.append(
            PeriodRow(
                period=span,
                report=next((r for r in mine if r.status == ReportStatus.SUBMITTED), None),
                draft=next((r for r in mine if r.status == ReportStatus.DRAFT), None),
                missing=missing.get(span.key),
            )
        )
    return rows


@dataclass
class InboxRow:
    unit: Unit
    template: ReportTemplate
    report: PeriodicReport | None  # the version in force
    draft: PeriodicReport | None
    missing: MissingReport | None

    @property
    def standing(self) -> str:
        return _standing(self.report, self.draft)

    @property
    def standing_label(self) -> str:
        return STANDING[self.standing]

    @property
    def shown(self) -> PeriodicReport | None:
        return self.report or self.draft


def reporting_units() -> list[tuple[Unit, ReportTemplate]]:
    """The units that report (§五(二)): the member units of the kinds an active template of the
    district file applies to, each with its template (the first by code), in template then unit order.
    The one definition the inbox, the roll-up and the office's analysis and circular use."""
    found: list[tuple[Unit, ReportTemplate]] = []
    taken: set[int] = set()
    for template in ReportTemplate.objects.filter(active=True).order_by("code"):
        for unit in expected_units(template):
            if unit.pk not in taken:
                taken.add(unit.pk)
                found.append((unit, template))
    return found


def standings(period: str, pairs: list[tuple[Unit, ReportTemplate]]) -> list[InboxRow]:
    """Each unit's standing for ``period`` (按时报送 / 逾期报送 / 草稿 / 未报送): its version in force, its
    draft, its missing flag. Two queries."""
    rows = [InboxRow(unit=u, template=t, report=None, draft=None, missing=None) for u, t in pairs]
    ids = [u.pk for u, _t in pairs]
    reports = (
        PeriodicReport.objects.filter(period=period, unit_id__in=ids)
        .exclude(status=ReportStatus.SUPERSEDED)
        .select_related("submitted_by")
    )
    current = {r.unit_id: r for r in reports if r.status == ReportStatus.SUBMITTED}
    drafts = {r.unit_id: r for r in reports if r.status == ReportStatus.DRAFT}
    missing = {m.unit_id: m for m in MissingReport.objects.filter(period=period, unit_id__in=ids)}
    for row in rows:
        row.report, row.draft, row.missing = (
            current.get(row.unit.pk),
            drafts.get(row.unit.pk),
            missing.get(row.unit.pk),
        )
    return rows


def inbox(*, user: Any, period: str, kind: str = "", status: str = "") -> dict:
    """For ``period``: every expected unit (``reporting_units``) with its standing, the version in
    force, the submitted time; the counts. Units the user does not see are left out (a unit user sees
    its own row). A bounded number of queries."""
    everyone = sees_all(user)
    own = scope_of(user).unit_id
    pairs = [(u, t) for u, t in reporting_units() if everyone or u.pk == own]
    rows = standings(period, pairs)
    counts = {key: sum(1 for r in rows if r.standing == key) for key in STANDING}
    if kind:
        rows = [r for r in rows if r.unit.kind == kind]
    if status in STANDING:
        rows = [r for r in rows if r.standing == status]
    return {"rows": rows, "counts": counts, "expected": sum(counts.values())}


# --- roll-ups -----------------------------------------------------------------------------------------


BY = {"town": "各镇（街道）属地汇总", "line": "各部门条线汇总"}


def rollup_codes() -> list[str]:
    """The figures a roll-up shows: those of the active templates, in catalogue order."""
    wanted: set[str] = set()
    for template in ReportTemplate.objects.filter(active=True):
        wanted.update(template.figures or [])
    return [code for code in figures.FIGURES if code in wanted] or list(figures.FIGURES)


def rollup(*, user: Any, period: periods.Period, by: str) -> dict:
    """Each town over its territory (``by="town"``) or each department over its line (``"line"``),
    computed with ``figures_for`` for the period (never from typed numbers), with the unit's report
    for the period and its standing (``standings``), and the district total (the office's scope) for
    those who see every unit. A unit user gets its own row only."""
    kind = UnitKind.TOWN_GOVERNMENT if by == "town" else UnitKind.DEPARTMENT
    codes = rollup_codes()
    everyone = sees_all(user)
    own = scope_of(user).unit_id
    pairs = [(u, t) for u, t in reporting_units() if u.kind == kind and (everyone or u.pk == own)]
    pairs.sort(key=lambda pair: (pair[0].order, pair[0].code))
    rows = [
        {
            "unit": row.unit,
            "standing": row,  # the unit's report for the period, as the inbox shows it
            "figures": figures.figures_for(row.unit, period.start, period.end, codes),
        }
        for row in standings(period.key, pairs)
    ]
    total = None
    if everyone:
        office = office_unit()
        if office is not None:
            total = figures.figures_for(office, period.start, period.end, codes)
    columns = [{"code": c, **_head(c)} for c in codes]
    return {"rows": rows, "total": total, "columns": columns, "codes": codes}


def _head(code: str) -> dict:
    f = figures.FIGURES[code]
    return {"label": f.label, "unit": f.unit, "group": f.group, "money": f.money}


def unit_template(unit: Unit | None) -> ReportTemplate | None:
    return template_for(unit) if unit is not None else None
