"""Reads of the registry, already scoped to the user (DESIGN rule 3)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from anxin.core.validators import normalize_uscc
from anxin.org.models import Town
from anxin.registry.models import (
    ContractorReference,
    Enterprise,
    EnterpriseKind,
    EnterpriseStatus,
    PartyRole,
    Project,
    ProjectStatus,
    Worker,
)


def enterprise_matches(q: str, *, via: str = "enterprise__") -> Q:
    """The search box of every ledger about enterprises: part of the name, or the whole 统一社会信用代码
    as typed (blanks, full-width characters and lower case normalised as the validator does)."""
    return Q(**{f"{via}name__icontains": q}) | Q(**{f"{via}uscc": normalize_uscc(q)})


def enterprise_kind_codes(enterprise_ids) -> list[tuple[int, str]]:
    """(enterprise id, kind code) for each kind of the given enterprises — what routing reads
    (``org.routing.Router(kinds_of=...)``). Not scoped: routing decides for the system, not for a
    reader."""
    return list(
        Enterprise.kinds.through.objects.filter(enterprise_id__in=enterprise_ids).values_list(
            "enterprise_id", "enterprisekind__code"
        )
    )


def enterprise_list(
    *, user, q: str = "", town: str = "", kind: str = "", status: str = "", industry: str = ""
) -> QuerySet[Enterprise]:
    """Enterprises the user may see, filtered; kinds prefetched, town joined (fixed query count)."""
    qs = Enterprise.objects.for_user(user).select_related("town")
    if q:
        code = normalize_uscc(q)
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__icontains=code) | Q(legal_rep__icontains=q))
    if town:
        qs = qs.filter(town__code=town)
    if kind:
        qs = qs.filter(pk__in=Enterprise.objects.filter(kinds__code=kind).values("pk"))
    if status:
        qs = qs.filter(status=status)
    if industry:
        qs = qs.filter(industry=industry)
    return qs.prefetch_related(Prefetch("kinds", queryset=EnterpriseKind.objects.order_by("order"))).order_by(
        "town__order", "name", "pk"
    )


def enterprise_get(*, user, uscc: str) -> Enterprise:
    from anxin.core.access import get_scoped_or_404

    return get_scoped_or_404(
        Enterprise.objects.select_related("town").prefetch_related("kinds"), user, uscc=normalize_uscc(uscc)
    )


def enterprises_openable(*, user, enterprises) -> set[int]:
    """The pks among ``enterprises`` whose page the user may open (one query, none for the office).

    Pages that name enterprises the user cannot open (a project's contractors registered in
    another town) show those names as plain text, not as links to a 404.
    """
    from anxin.core.access import scope_of

    firms = [e for e in enterprises if e is not None]
    scope = scope_of(user)
    if Enterprise.objects.none().sees_all(scope):
        return {e.pk for e in firms}
    # An enterprise of the user's own territory needs no query; only the others are asked.
    own = {e.pk for e in firms if e.town_id in scope.town_ids}
    others = {e.pk for e in firms} - own
    if others:
        own |= set(Enterprise.objects.for_user(user).filter(pk__in=others).values_list("pk", flat=True))
    return own


@dataclass(frozen=True)
class Party:
    """A party of a project as one reader sees it on the project page."""

    name: str
    uscc: str = ""  # set when the page links the enterprise
    waiting: bool = False  # named by code, not registered yet (shown to those who see everything)
    typed: str = ""  # the name typed by the registrant, when it differs (the same readers)


def project_parties(*, user, project: Project) -> dict[str, list[Party]]:
    """建设单位, 施工总承包单位 and 分包单位 of ``project`` as ``user`` may see them.

    An enterprise the reader may open is a link with its registered name. One the reader may not
    open shows the name typed by whoever named it by code (``ContractorReference``), so a town
    that named a contractor of another town sees its own words, never the stored name; without
    such a reference (named by someone who could see it), the registered name as before. Whether
    a named code is registered yet is shown only to readers who see every enterprise."""
    from anxin.core.access import scope_of

    refs = list(project.contractor_references.all())
    linked = [project.builder, project.general_contractor, *project.subcontractors.all()]
    openable = enterprises_openable(user=user, enterprises=linked)
    everything = Enterprise.objects.none().sees_all(scope_of(user))

    def party(role: str, enterprise: Enterprise | None, ref: ContractorReference | None) -> Party:
        if enterprise is not None and enterprise.pk in openable:
            typed = ref.name if ref is not None and everything and ref.name != enterprise.name else ""
            return Party(name=enterprise.name, uscc=enterprise.uscc, typed=typed)
        if ref is not None:
            return Party(name=ref.name, waiting=everything and ref.enterprise_id is None)
        return Party(name=enterprise.name if enterprise else "")

    def ref_for(role: str, enterprise: Enterprise | None) -> ContractorReference | None:
        for ref in refs:
            if ref.role == role and (enterprise is None or ref.uscc == enterprise.uscc):
                return ref
        return None

    builder, general = project.builder, project.general_contractor
    builder_ref = ref_for(PartyRole.BUILDER, builder)
    parties = {
        # the builder always by the project's own words (建设单位), linked when the reader may open it
        "builder": [
            Party(
                name=project.builder_name,
                uscc=builder.uscc if builder is not None and builder.pk in openable else "",
                waiting=everything and builder is None and builder_ref is not None,
            )
        ],
        "general": [party(PartyRole.GENERAL, general, ref_for(PartyRole.GENERAL, general))],
        "subs": [party(PartyRole.SUB, s, ref_for(PartyRole.SUB, s)) for s in project.subcontractors.all()],
    }
    parties["subs"] += [
        party(PartyRole.SUB, None, ref)
        for ref in refs
        if ref.role == PartyRole.SUB and ref.enterprise_id is None
    ]
    return parties


def enterprise_projects(*, user, enterprise: Enterprise) -> QuerySet[Project]:
    """The projects of an enterprise (as contractor, subcontractor or builder) the user may see."""
    return (
        Project.objects.for_user(user)
        .filter(
            Q(general_contractor=enterprise)
            | Q(builder=enterprise)
            | Q(
                pk__in=Project.subcontractors.through.objects.filter(enterprise=enterprise).values(
                    "project_id"
                )
            )
        )
        .select_related("town", "general_contractor", "supervisor")
        .prefetch_related("contractor_references")
        .order_by("-start_date", "name")
    )


def enterprise_summary(*, user) -> dict:
    """Counts for the home page: by status, by kind, by town, within the user's scope.

    Grouped over the scoped enterprises themselves (status and town in one pass, kinds through
    the link table joined to them) instead of annotating every town and kind with a count
    filtered by ``IN (scope)``: at 100,000 enterprises each of those hashed the whole scope
    (130–260 ms per count, issue #20). The same figures: an enterprise counts once in its status
    and its town, and once in each of its kinds."""
    scoped = Enterprise.objects.for_user(user).order_by()
    by_status: dict[str, int] = {}
    by_town: dict[int, int] = {}
    for town_id, status, n in scoped.values_list("town_id", "status").annotate(n=Count("pk")):
        by_status[status] = by_status.get(status, 0) + n
        if town_id is not None:
            by_town[town_id] = by_town.get(town_id, 0) + n
    by_kind = dict(scoped.filter(kinds__isnull=False).values_list("kinds").annotate(n=Count("pk")))
    kinds = EnterpriseKind.objects.order_by("order")
    towns = Town.objects.order_by("order")
    return {
        "total": sum(by_status.values()),
        "by_status": [(label, by_status.get(value, 0), value) for value, label in EnterpriseStatus.choices],
        "by_kind": [(k.name, by_kind.get(k.pk, 0), k.code) for k in kinds],
        "by_town": [(t.name, by_town[t.pk], t.code) for t in towns if by_town.get(t.pk)],
    }


def project_list(
    *, user, q: str = "", town: str = "", status: str = "", supervisor: str = ""
) -> QuerySet[Project]:
    qs = (
        Project.objects.for_user(user)
        .select_related("town", "general_contractor", "supervisor")
        .prefetch_related("contractor_references")
    )
    if q:
        # The general contractor by the name the list shows: the typed one where it was named so.
        named = ContractorReference.objects.filter(role=PartyRole.GENERAL)
        qs = qs.filter(
            Q(name__icontains=q)
            | (Q(general_contractor__name__icontains=q) & ~Q(pk__in=named.values("project_id")))
            | Q(pk__in=named.filter(name__icontains=q).values("project_id"))
            | Q(builder_name__icontains=q)
            | Q(permit_no__icontains=q)
        )
    if town:
        qs = qs.filter(town__code=town)
    if status:
        qs = qs.filter(status=status)
    if supervisor:
        qs = qs.filter(supervisor__code=supervisor)
    return qs.order_by("town__order", "name", "pk")


def may_hold_projects(user) -> bool:
    """Whether any project could lie in the user's scope (a territory, all projects or a
    supervisor's line). A department without a project line (人社局, 公安分局…) could register a
    project only to have the scope re-check refuse it, so it is not offered the form."""
    from anxin.core.access import scope_of

    scope = scope_of(user)
    return bool(scope.everything or scope.all_projects or scope.town_ids or scope.project_supervisor_codes)


def project_get(*, user, pk: int) -> Project:
    from anxin.core.access import get_scoped_or_404

    return get_scoped_or_404(
        Project.objects.select_related(
            "town", "general_contractor", "builder", "supervisor"
        ).prefetch_related("subcontractors", "contractor_references"),
        user,
        pk=pk,
    )


def project_summary(*, user) -> dict:
    scoped = Project.objects.for_user(user)
    by_status = dict(scoped.order_by().values_list("status").annotate(n=Count("pk")))
    return {
        "total": sum(by_status.values()),
        "by_status": [(label, by_status.get(value, 0), value) for value, label in ProjectStatus.choices],
    }


def enterprise_workers(*, user, enterprise: Enterprise) -> QuerySet[Worker]:
    """Workers registered at an enterprise, within the user's scope."""
    return (
        Worker.objects.for_user(user)
        .filter(employer=enterprise)
        .select_related("project")
        .order_by("name", "pk")
    )
