"""Case data is district data: every change is in the audit log (who, when, from where, the diff)."""

from auditlog.registry import auditlog

from anxin.cases.models import AssetItem, Case, CaseDocument, Incident, LegalAction, Plan

auditlog.register(
    Case, exclude_fields=["created_at", "updated_at"], m2m_fields={"co_units", "signals", "alerts"}
)
auditlog.register(Plan)
auditlog.register(Incident)
auditlog.register(AssetItem)
auditlog.register(LegalAction)
auditlog.register(CaseDocument, exclude_fields=["file"])
