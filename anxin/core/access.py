"""One scoping door (DESIGN rule 3): what part of the district a user may see.

``Scope`` is computed by org from a user's role, unit and the unit's duties; every manager that
holds district data implements ``for_user(user)`` by reading it. core knows nothing of towns or
units beyond their ids and codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.http import Http404, HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    # The project's user model (settings.AUTH_USER_MODEL): read by the type checker only; at run
    # time core imports no app.
    from anxin.org.models import User

    class AuthedRequest(HttpRequest):
        """A request behind ``login_required``: its user is the project's user model."""

        user: User


@dataclass(frozen=True)
class Scope:
    """What a user may see. ``everything`` for the office, leaders and auditors."""

    everything: bool = False
    town_ids: frozenset[int] = field(default_factory=frozenset)
    # Department line (条线), from the unit's duties:
    all_enterprises: bool = False
    enterprise_kind_codes: frozenset[str] = field(default_factory=frozenset)
    all_projects: bool = False
    project_supervisor_codes: frozenset[str] = field(default_factory=frozenset)
    unit_id: int | None = None

    @property
    def nothing(self) -> bool:
        return not (
            self.everything
            or self.town_ids
            or self.all_enterprises
            or self.enterprise_kind_codes
            or self.all_projects
            or self.project_supervisor_codes
        )


NO_SCOPE = Scope()


def scope_of(user: User | AnonymousUser | None) -> Scope:
    """The user's scope; anonymous or inactive users see nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    scope: Scope = getattr(user, "scope", NO_SCOPE)  # org's User computes it; AnonymousUser has none
    return scope


class ScopedQuerySet(models.QuerySet):
    """A queryset of district data; subclasses say what a scope lets through."""

    def sees_all(self, scope: Scope) -> bool:
        return scope.everything

    def sees_none(self, scope: Scope) -> bool:
        """No territory and no line. Records assigned to a unit (a case it co-handles, a referral
        sent to it) override this to let a unit with no line see its assignments."""
        return scope.nothing

    def for_user(self, user):
        scope = scope_of(user)
        if self.sees_all(scope):
            return self.all()
        if self.sees_none(scope):
            return self.none()
        # A subquery of ids instead of DISTINCT over joins: the outer query stays orderable
        # and countable, and the scope joins run once.
        inner = self.model._base_manager.filter(self.scope_filter(scope)).values("pk")
        return self.filter(pk__in=inner)

    def scope_filter(self, scope: Scope) -> models.Q:  # pragma: no cover - abstract
        raise NotImplementedError


def get_scoped_or_404(queryset, user, **lookup):
    """Fetch one object through ``for_user``; outside the scope is a 404, never a 403."""
    from django.core.exceptions import ValidationError

    try:
        return queryset.for_user(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        # "AAA" or "null" where an id is expected names nothing: not found, as DRF answers.
        raise Http404 from None


def is_system(actor: User | None) -> bool:
    """The account that commands and periodic jobs act as."""
    from anxin.core.audit import SYSTEM_USERNAME

    return (
        actor is not None
        and getattr(actor, "username", None) == SYSTEM_USERNAME
        and not actor.has_usable_password()
    )


def require_perm(actor: User | None, perm: str) -> None:
    """Refuse a write the actor's role does not allow (the system actor may do anything)."""
    from django.core.exceptions import PermissionDenied

    if is_system(actor):
        return
    if actor is None or not actor.is_active or not actor.has_perm(perm):
        raise PermissionDenied(f"角色无此操作权限（{perm}）")
