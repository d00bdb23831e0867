"""Audit-log registration for the registry (personal data masked in diffs)."""

from auditlog.registry import auditlog

from anxin.registry.models import (
    ContractorReference,
    Enterprise,
    EnterpriseKind,
    Project,
    ProjectSupervisor,
    Worker,
)


def _own_fields(model, *, drop=()) -> list[str]:
    """The model's own columns (reverse relations and bookkeeping left out of the diff)."""
    skip = {"id", "created_at", "updated_at", "is_demo", *drop}
    return [f.name for f in model._meta.concrete_fields if f.name not in skip]


auditlog.register(Enterprise, include_fields=_own_fields(Enterprise), m2m_fields={"kinds"})
auditlog.register(Project, include_fields=_own_fields(Project), m2m_fields={"subcontractors"})
auditlog.register(
    Worker,
    include_fields=_own_fields(Worker, drop=("id_number_index", "phone_index")),
    mask_fields=["id_number", "phone"],
)
auditlog.register(
    ContractorReference, include_fields=_own_fields(ContractorReference)
)  # who named which party by what name
auditlog.register(EnterpriseKind)
auditlog.register(ProjectSupervisor)
