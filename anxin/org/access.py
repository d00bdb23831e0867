"""Who acts for a piece of district work: the office, the department it is routed to, the town it
lies in. Signals, alerts, immediate reports, watch entries and screening tasks all ask the same
question; they ask it here."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from anxin.core.access import is_system, scope_of
from anxin.org.models import Role, User


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
