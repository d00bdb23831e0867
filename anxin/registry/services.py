"""Writes of the registry: enterprises, projects, workers, and the district's reference data."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from anxin.core.access import require_perm
from anxin.core.audit import acting
from anxin.core.crypto import blind_index
from anxin.core.errors import DomainError, ScopeViolation
from anxin.core.validators import normalize_phone, normalize_uscc, validate_id_number
from anxin.org.models import Unit, User
from anxin.registry.models import (
    Enterprise,
    EnterpriseKind,
    Project,
    ProjectSupervisor,
    Worker,
)

ENTERPRISE_FIELDS = (
    "uscc",
    "name",
    "legal_rep",
    "contact_person",
    "contact_phone",
    "town",
    "address",
    "industry",
    "ownership",
    "employees",
    "status",
    "note",
)
PROJECT_FIELDS = (
    "name",
    "permit_no",
    "town",
    "address",
    "builder_name",
    "builder",
    "general_contractor",
    "contract_amount",
    "start_date",
    "planned_end_date",
    "actual_end_date",
    "supervisor",
    "status",
    "note",
)


def _nolog(_message: str) -> None:
    return None


def district_load_registry(*, data: dict, actor: User, log=_nolog) -> None:
    """Enterprise kinds and project supervisors from the district file (idempotent)."""
    with transaction.atomic(), acting(actor):
        for order, item in enumerate(data.get("enterprise_kinds") or [], start=1):
            EnterpriseKind.objects.update_or_create(
                code=item["code"],
                defaults={"name": item["name"], "citation": item.get("citation", ""), "order": order},
            )
        for order, item in enumerate(data.get("project_supervisors") or [], start=1):
            unit = Unit.objects.filter(code=item["unit"]).first() if item.get("unit") else None
            ProjectSupervisor.objects.update_or_create(
                code=item["code"], defaults={"name": item["name"], "unit": unit, "order": order}
            )
    known_kinds = set(EnterpriseKind.objects.values_list("code", flat=True))
    known_supervisors = set(ProjectSupervisor.objects.values_list("code", flat=True))
    for duty in data.get("duties") or []:
        unknown = set(duty.get("line_enterprise_kinds") or []) - known_kinds
        unknown |= set(duty.get("line_project_supervisors") or []) - known_supervisors
        if unknown:
            raise DomainError(
                _("职责“%(code)s”引用了未知代码：%(codes)s") % {"code": duty["code"], "codes": unknown}
            )
    log(f"企业类型 {len(known_kinds)} 种，项目主管部门 {len(known_supervisors)} 个")


def _save_unique_uscc(enterprise: Enterprise) -> None:
    """Save; a concurrent insert of the same code (past full_clean's check) is a field error too."""
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError:
        if Enterprise.objects.filter(uscc=enterprise.uscc).exclude(pk=enterprise.pk).exists():
            raise ValidationError({"uscc": _("该统一社会信用代码已登记")}) from None
        raise


def _check_in_scope(actor: User, queryset, obj, what: str) -> None:
    """NetBox's re-check after a write: a saved object must lie inside the actor's scope."""
    if not queryset.for_user(actor).filter(pk=obj.pk).exists():
        raise ScopeViolation(_("该%(what)s不在您的管辖范围内，不能保存") % {"what": what}, code="scope")


@transaction.atomic
def enterprise_create(
    *, actor: User, kinds: list[EnterpriseKind] | None = None, is_demo: bool = False, **fields
) -> Enterprise:
    """Register an enterprise. Refused outside the actor's scope or with invalid data.

    ``is_demo`` is set only here, by ``load_demo``: it marks rows the demo may be loaded over.
    """
    require_perm(actor, "registry.add_enterprise")
    unknown = set(fields) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise TypeError(f"unknown enterprise fields: {sorted(unknown)}")
    fields["uscc"] = normalize_uscc(fields.get("uscc"))
    if fields.get("contact_phone"):
        fields["contact_phone"] = normalize_phone(fields["contact_phone"])
    enterprise = Enterprise(is_demo=is_demo, **fields)
    with acting(actor):
        enterprise.full_clean()
        _save_unique_uscc(enterprise)
        enterprise.kinds.set(kinds or [])
        _check_in_scope(actor, Enterprise.objects, enterprise, _("企业"))
    return enterprise


@transaction.atomic
def enterprise_update(
    *, actor: User, enterprise: Enterprise, kinds: list[EnterpriseKind] | None = None, **changes
) -> Enterprise:
    """Change an enterprise's data. The old and the new state must both be in the actor's scope."""
    require_perm(actor, "registry.change_enterprise")
    unknown = set(changes) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise TypeError(f"unknown enterprise fields: {sorted(unknown)}")
    _check_in_scope(actor, Enterprise.objects, enterprise, _("企业"))
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if "uscc" in changes:
        changes["uscc"] = normalize_uscc(changes["uscc"])
    if changes.get("contact_phone"):
        changes["contact_phone"] = normalize_phone(changes["contact_phone"])
    for field, value in changes.items():
        setattr(locked, field, value)
    with acting(actor):
        locked.full_clean()
        _save_unique_uscc(locked)
        if kinds is not None and set(kinds) != set(locked.kinds.all()):
            locked.kinds.set(kinds)
        _check_in_scope(actor, Enterprise.objects, locked, _("企业"))
    return locked


@transaction.atomic
def project_create(
    *, actor: User, subcontractors: list[Enterprise] | None = None, is_demo: bool = False, **fields
) -> Project:
    """Register a construction project with its general contractor and subcontractors."""
    require_perm(actor, "registry.add_project")
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    project = Project(is_demo=is_demo, **fields)
    with acting(actor):
        project.full_clean()
        _check_contractors(project, subcontractors or [])
        project.save()
        project.subcontractors.set(subcontractors or [])
        _check_in_scope(actor, Project.objects, project, _("工程项目"))
    return project


@transaction.atomic
def project_update(
    *, actor: User, project: Project, subcontractors: list[Enterprise] | None = None, **changes
) -> Project:
    require_perm(actor, "registry.change_project")
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    _check_in_scope(actor, Project.objects, project, _("工程项目"))
    locked = Project.objects.select_for_update().get(pk=project.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    with acting(actor):
        locked.full_clean()
        subs = list(subcontractors) if subcontractors is not None else list(locked.subcontractors.all())
        _check_contractors(locked, subs)
        locked.save()
        if subcontractors is not None and set(subcontractors) != set(locked.subcontractors.all()):
            locked.subcontractors.set(subcontractors)
        _check_in_scope(actor, Project.objects, locked, _("工程项目"))
    return locked


def _check_contractors(project: Project, subcontractors: list[Enterprise]) -> None:
    if any(sub.pk == project.general_contractor_id for sub in subcontractors):
        raise ValidationError({"subcontractors": _("总承包单位不能同时作为本项目的分包单位")})


@transaction.atomic
def worker_create(
    *,
    actor: User,
    employer: Enterprise,
    name: str,
    id_number: str = "",
    phone: str = "",
    project: Project | None = None,
    job: str = "",
) -> Worker:
    """Register a worker; the ID number and phone are stored encrypted with blind indexes."""
    require_perm(actor, "registry.add_worker")
    _check_in_scope(actor, Enterprise.objects, employer, _("企业"))
    id_number = validate_id_number(id_number) if id_number else ""
    phone = normalize_phone(phone) if phone else ""
    worker = Worker(
        employer=employer,
        name=(name or "").strip(),
        id_number=id_number,
        id_number_index=blind_index(id_number, purpose="id_number") if id_number else "",
        phone=phone,
        phone_index=blind_index(phone, purpose="phone") if phone else "",
        project=project,
        job=job,
    )
    with acting(actor):
        worker.full_clean()
        worker.save()
    return worker


def worker_find_by_id_number(*, user, id_number: str):
    """Workers in the user's scope with this ID number (exact match through the blind index)."""
    normalized = validate_id_number(id_number)
    return Worker.objects.for_user(user).filter(id_number_index=blind_index(normalized, purpose="id_number"))
