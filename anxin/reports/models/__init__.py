"""Reports' records (§五(二), §四(九)): periodic reports, the office's analysis and circulars,
publicity activities."""

from anxin.reports.models.files import ReportsFile
from anxin.reports.models.office import DocumentKind, DocumentStatus, OfficeDocument, OfficeDocumentEvent
from anxin.reports.models.periodic import (
    MissingReport,
    PeriodicReport,
    ReportEvent,
    ReportStatus,
    ReportTemplate,
)
from anxin.reports.models.publicity import PublicityActivity, PublicityKind

__all__ = [
    "DocumentKind",
    "DocumentStatus",
    "MissingReport",
    "OfficeDocument",
    "OfficeDocumentEvent",
    "PeriodicReport",
    "PublicityActivity",
    "PublicityKind",
    "ReportEvent",
    "ReportStatus",
    "ReportTemplate",
    "ReportsFile",
]
