"""Reads of the registry, already scoped to the user (DESIGN rule 3)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from anxin.core.validators import normalize_uscc
from anxin.org.models import Town
from anxin.registry.models import Enterprise, EnterpriseKind, EnterpriseStatus, Project, ProjectStatus, Worker


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
        .order_by("-start_date", "name")
    )


def enterprise_summary(*, user) -> dict:
    """Counts for the home page: by status, by kind, by town, within the user's scope."""
    scoped = Enterprise.objects.for_user(user)
    by_status = dict(scoped.order_by().values_list("status").annotate(n=Count("pk")))
    kinds = EnterpriseKind.objects.order_by("order").annotate(
        n=Count("enterprises", filter=Q(enterprises__in=scoped.values("pk")))
    )
    towns = Town.objects.order_by("order").annotate(
        n=Count("enterprises", filter=Q(enterprises__in=scoped.values("pk")))
    )
    return {
        "total": sum(by_status.values()),
        "by_status": [(label, by_status.get(value, 0), value) for value, label in EnterpriseStatus.choices],
        "by_kind": [(k.name, k.n, k.code) for k in kinds],
        "by_town": [(t.name, t.n, t.code) for t in towns if t.n],
    }


def project_list(
    *, user, q: str = "", town: str = "", status: str = "", supervisor: str = ""
) -> QuerySet[Project]:
    qs = Project.objects.for_user(user).select_related("town", "general_contractor", "supervisor")
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(general_contractor__name__icontains=q)
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
        ).prefetch_related("subcontractors"),
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
