"""Audit-log registration for the registry (personal data masked in diffs)."""

from auditlog.registry import auditlog

from anxin.registry.models import Enterprise, EnterpriseKind, Project, ProjectSupervisor, Worker

auditlog.register(Enterprise, m2m_fields={"kinds"}, exclude_fields=["created_at", "updated_at"])
auditlog.register(Project, m2m_fields={"subcontractors"}, exclude_fields=["created_at", "updated_at"])
auditlog.register(
    Worker,
    exclude_fields=["created_at", "updated_at", "id_number_index", "phone_index"],
    mask_fields=["id_number", "phone"],
)
auditlog.register(EnterpriseKind)
auditlog.register(ProjectSupervisor)
