"""Writes of the registry: enterprises, projects, workers, and the district's reference data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
    ContractorReference,
    Enterprise,
    EnterpriseKind,
    PartyRole,
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
        _link_waiting_references(enterprise)
    return enterprise


def _link_waiting_references(enterprise: Enterprise) -> None:
    """Projects that named this code before it was registered now point at the enterprise."""
    for ref in ContractorReference.objects.filter(
        uscc=enterprise.uscc, enterprise__isnull=True
    ).select_related("project"):
        ref.enterprise = enterprise
        ref.save(update_fields=["enterprise", "updated_at"])
        project = ref.project
        if ref.role == PartyRole.GENERAL and project.general_contractor_id is None:
            project.general_contractor = enterprise
            project.save(update_fields=["general_contractor", "updated_at"])
        elif ref.role == PartyRole.BUILDER and project.builder_id is None:
            project.builder = enterprise
            project.save(update_fields=["builder", "updated_at"])
        elif ref.role == PartyRole.SUB:
            project.subcontractors.add(enterprise)


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


@dataclass(frozen=True)
class Named:
    """A project party named by code and typed name, by a user who cannot see that enterprise
    (a contractor of another town, or one not registered yet). The project links the registered
    enterprise at once if there is one, or when it is registered; the user's answer is the same."""

    role: str  # PartyRole
    uscc: str
    name: str


Links = dict[tuple[str, str], Enterprise | None]


def _resolve(named: list[Named]) -> Links:
    """The registered enterprise of each named party, looked up for the system, not the user."""
    codes = {n.uscc for n in named}
    found = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=codes)} if codes else {}
    return {(n.role, n.uscc): found.get(n.uscc) for n in named}


def _apply_named(
    project: Project, named: list[Named], links: Links, subcontractors: list[Enterprise]
) -> list[Enterprise]:
    """Point the project's own fields at the named parties' enterprises; the subcontractors too."""
    subs = list(subcontractors)
    for n in named:
        linked = links[(n.role, n.uscc)]
        if n.role == PartyRole.GENERAL:
            project.general_contractor = linked
        elif n.role == PartyRole.BUILDER:
            project.builder = linked
        elif linked is not None and linked not in subs:
            subs.append(linked)
    return subs


def _sync_references(project: Project, named: list[Named] | None, links: Links) -> None:
    """Keep a reference for each named party (upserted with its typed name) and for each party
    still on the project that was named that way before; drop the rest."""
    if named is not None:
        for n in named:
            ContractorReference.objects.update_or_create(
                project=project,
                role=n.role,
                uscc=n.uscc,
                defaults={"name": n.name, "enterprise": links[(n.role, n.uscc)]},
            )
    given = {(n.role, n.uscc) for n in named or ()}
    general = project.general_contractor.uscc if project.general_contractor else None
    builder = project.builder.uscc if project.builder else None
    subs = set(project.subcontractors.values_list("uscc", flat=True))
    for ref in ContractorReference.objects.filter(project=project):
        pending_kept = ref.enterprise_id is None and (named is None or (ref.role, ref.uscc) in given)
        on_project = {
            PartyRole.GENERAL: ref.uscc == general or (general is None and pending_kept),
            PartyRole.BUILDER: ref.uscc == builder or (builder is None and pending_kept),
            PartyRole.SUB: ref.uscc in subs or pending_kept,
        }[PartyRole(ref.role)]
        if not on_project:
            ref.delete()


def _require_general(project: Project, named: list[Named]) -> None:
    if project.general_contractor is None and not any(n.role == PartyRole.GENERAL for n in named):
        raise ValidationError({"general_contractor": _("请填写施工总承包单位")})


@transaction.atomic
def project_create(
    *,
    actor: User,
    subcontractors: list[Enterprise] | None = None,
    named: list[Named] | None = None,
    is_demo: bool = False,
    **fields,
) -> Project:
    """Register a construction project with its general contractor and subcontractors.

    ``named``: parties the actor named by code and typed name because it cannot see them (see
    ``Named``); the others come as enterprises (``general_contractor``, ``builder``, subs)."""
    require_perm(actor, "registry.add_project")
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    named = list(named or [])
    links = _resolve(named)
    project = Project(is_demo=is_demo, **fields)
    subs = _apply_named(project, named, links, subcontractors or [])
    _require_general(project, named)
    with acting(actor):
        project.full_clean()
        _check_contractors(project, subs, named)
        project.save()
        project.subcontractors.set(subs)
        _sync_references(project, named, links)
        _check_in_scope(actor, Project.objects, project, _("工程项目"))
    return project


@transaction.atomic
def project_update(
    *,
    actor: User,
    project: Project,
    subcontractors: list[Enterprise] | None = None,
    named: list[Named] | None = None,
    **changes,
) -> Project:
    """Change a project. ``named`` (when given) is the whole list of parties named by code and
    name; ``subcontractors`` (when given) the whole list of those given as enterprises."""
    require_perm(actor, "registry.change_project")
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    _check_in_scope(actor, Project.objects, project, _("工程项目"))
    locked = Project.objects.select_for_update().get(pk=project.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    links = _resolve(list(named or []))
    with acting(actor):
        if subcontractors is not None or named is not None:
            given = list(subcontractors) if subcontractors is not None else list(locked.subcontractors.all())
            subs = _apply_named(locked, list(named or []), links, given)
        else:
            subs = list(locked.subcontractors.all())
        if named is not None:
            _require_general(locked, named)
        elif (
            locked.general_contractor is None
            and not locked.contractor_references.filter(role=PartyRole.GENERAL).exists()
        ):
            raise ValidationError({"general_contractor": _("请填写施工总承包单位")})
        locked.full_clean()
        _check_contractors(locked, subs, list(named or []))
        locked.save()
        if set(subs) != set(locked.subcontractors.all()):
            locked.subcontractors.set(subs)
        _sync_references(locked, named, links)
        _check_in_scope(actor, Project.objects, locked, _("工程项目"))
    return locked


def _check_contractors(
    project: Project, subcontractors: list[Enterprise], named: Sequence[Named] = ()
) -> None:
    general = {project.general_contractor.uscc} if project.general_contractor else set()
    general |= {n.uscc for n in named if n.role == PartyRole.GENERAL}
    subs = {s.uscc for s in subcontractors} | {n.uscc for n in named if n.role == PartyRole.SUB}
    if general & subs:
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
