"""Field-level history of reports' records (django-auditlog). ``ReportEvent`` and
``OfficeDocumentEvent`` are append-only histories themselves."""

from auditlog.registry import auditlog

from anxin.reports.models import OfficeDocument, PeriodicReport, PublicityActivity, ReportTemplate

auditlog.register(ReportTemplate)
auditlog.register(PeriodicReport, exclude_fields=["figures"])
auditlog.register(OfficeDocument, exclude_fields=["data"], m2m_fields={"issued_to"})
auditlog.register(PublicityActivity, m2m_fields={"photos"})
