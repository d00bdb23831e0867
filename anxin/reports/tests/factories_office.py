"""Builders for the office part's tests: publicity activities, a small valid photo, periodic-report
rows (the submission status the documents read), and documents moved along their workflow."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.utils import timezone

from anxin.org.models import Unit
from anxin.reports.models import (
    MissingReport,
    OfficeDocument,
    PeriodicReport,
    PublicityActivity,
    ReportStatus,
    ReportTemplate,
)
from anxin.reports.services import publicity as publicity_services

TODAY = datetime.date(2026, 11, 20)
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


def png(colour: str = "red") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def photo(name: str = "现场.png") -> publicity_services.Photo:
    return publicity_services.Photo(name=name, content=png())


def activity(
    user: Any,
    *,
    date: datetime.date | None = None,
    kind: str = "law",
    audience: int = 50,
    materials: int = 10,
    title: str = "普法宣传进社区",
    photos: Any = (),
    today: datetime.date = TODAY,
) -> PublicityActivity:
    return publicity_services.publicity_record(
        actor=user,
        date=date or TODAY - datetime.timedelta(days=3),
        kind=kind,
        title=title,
        place="罗溪镇文化广场",
        audience=audience,
        materials=materials,
        description="发放宣传手册",
        photos=photos,
        today=today,
    )


def template() -> ReportTemplate:
    found, _ = ReportTemplate.objects.get_or_create(
        code="test-monthly",
        defaults={"name": "测试月报", "unit_kinds": ["department", "town_government"], "figures": []},
    )
    return found


def submitted(
    unit_code: str, period: str, *, at: datetime.datetime, by: Any, due: datetime.date
) -> PeriodicReport:
    """A submitted report of ``unit_code`` for ``period`` (rows as the periodic part writes them)."""
    from anxin.reports import periods
    from anxin.reports.services.periodic import template_for

    span = periods.period_of(period)
    start, end = span.start, span.end
    unit = Unit.objects.get(code=unit_code)
    return PeriodicReport.objects.create(
        unit=unit,
        template=template_for(unit) or template(),
        period=period,
        period_start=start,
        period_end=end,
        due_on=due,
        status=ReportStatus.SUBMITTED,
        created_by=by,
        submitted_by=by,
        submitted_at=at,
    )


def missing(unit_code: str, period: str, *, due: datetime.date) -> MissingReport:
    from anxin.reports.services.periodic import template_for

    unit = Unit.objects.get(code=unit_code)
    return MissingReport.objects.create(
        unit=unit, template=template_for(unit) or template(), period=period, due_on=due,
        flagged_at=timezone.now(),
    )  # fmt: skip


# --- the office's documents -----------------------------------------------------------------------------

PERIOD = "2026-11"  # composed on 8 December, after the due day (5 December)
AFTER = datetime.datetime(2026, 12, 8, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Shanghai


def composed(office: Any, kind: str = "analysis", period: str = PERIOD) -> OfficeDocument:
    from anxin.reports.services import office as office_services

    return office_services.document_compose(actor=office, kind=kind, period=period)


def approved(office: Any, director: Any, kind: str = "analysis") -> OfficeDocument:
    from anxin.reports.services import office as office_services

    document = composed(office, kind)
    office_services.document_submit(actor=office, document=document)
    office_services.document_approve(actor=director, document=document)
    return document


def issued(
    office: Any, director: Any, kind: str = "circular", reference: str = "新欠薪联办〔2026〕12号"
) -> OfficeDocument:
    from anxin.reports.services import office as office_services

    document = approved(office, director, kind)
    office_services.document_issue(actor=office, document=document, reference=reference)
    return document
