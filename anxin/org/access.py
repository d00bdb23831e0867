"""Who acts for a piece of district work: the office, the department it is routed to, the town it
lies in. Signals, alerts, immediate reports, watch entries and screening tasks all ask the same
question; they ask it here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from anxin.core.access import is_system, scope_of
from anxin.org.models import Role, Town, Unit, UnitKind, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.utils.functional import _StrOrPromise as StrOrPromise


def acts_for(actor: User, *, town_id: int | None, unit_ids: Iterable[int | None] = ()) -> bool:
    """The office (or the system), a department user of one of ``unit_ids``, a town user of ``town_id``."""
    if is_system(actor) or actor.has_role(Role.OFFICE):
        return True
    if actor.has_role(Role.DEPARTMENT) and actor.unit_id and actor.unit_id in {u for u in unit_ids if u}:
        return True
    return bool(actor.has_role(Role.TOWN) and town_id and town_id in actor.scope.town_ids)


def waiting_on(user: User, *, unit_field: str, town_field: str = "town_id") -> Q:
    """The rows that wait on the user's unit ("我的待办"): routed to the department, or in the town."""
    scope = scope_of(user)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    if user.has_role(Role.DEPARTMENT) and user.unit_id:
        q |= Q(**{unit_field: user.unit_id})
    if scope.town_ids:
        q |= Q(**{f"{town_field}__in": scope.town_ids})
    return q


# --- what a filter may offer: the towns and units inside the user's scope --------------------------


def towns_for(user: User | AnonymousUser | None) -> QuerySet[Town]:
    """The towns inside the user's scope, in the district's order: a town user its own; a
    department (whose line runs through every town) and the office all of them."""
    scope = scope_of(user)
    towns = Town.objects.order_by("order")
    if scope.everything or not scope.town_ids:
        return towns
    return towns.filter(pk__in=scope.town_ids)


def town_choices(user: User | AnonymousUser | None) -> list[tuple[str, StrOrPromise]]:
    """A filter's 镇/街道 choices (issue #14: a town user was offered all ten towns)."""
    return [("", _("全部镇/街道")), *towns_for(user).values_list("code", "name")]


def units_for(user: User | AnonymousUser | None, *, kinds: Iterable[str]) -> QuerySet[Unit]:
    """Units of these kinds a filter may offer the user: every department and the office, and the
    town governments of the towns inside the user's scope (a town user: its own)."""
    scope = scope_of(user)
    units = Unit.objects.filter(kind__in=kinds)
    if scope.everything or not scope.town_ids:
        return units
    return units.exclude(Q(kind=UnitKind.TOWN_GOVERNMENT) & ~Q(town_id__in=scope.town_ids))


def office_unit() -> Unit | None:
    """The joint-conference office (联席办): the unit documents are issued under and notices go to."""
    return Unit.objects.filter(kind=UnitKind.OFFICE).order_by("order", "pk").first()


def office_unit_ids() -> list[int]:
    """The office's unit ids, for notices to the office."""
    return list(Unit.objects.filter(kind=UnitKind.OFFICE).values_list("pk", flat=True))
