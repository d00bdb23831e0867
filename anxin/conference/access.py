"""Who may do what in the conference (shared by every part of the app).

Reading: the office and the leaders see everything; a unit sees the meetings it is invited to, the
issued minutes sent to it, the decisions it owns or co-handles, its own proposals (the querysets).
Managing meetings, drafting minutes, following decisions is the office's (``conference.manage_meetings``).
Signing minutes is the convener's only: a leader (role 区领导) holding the active post 召集人
(``ConferencePost``) — a permission alone is not enough. Approving the office's analysis and circulars
(reports) is the office director's: an office user holding the post 联席办主任. A decision's progress
and completion are reported by its owner unit."""

from __future__ import annotations

from typing import Any

from anxin.conference.models import ChairPost, ConferencePost
from anxin.core.access import is_system, scope_of
from anxin.org.models import Role


def _holds(user: Any, post: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return ConferencePost.objects.filter(user_id=user.pk, post=post, active=True).exists()


def may_manage(user: Any) -> bool:
    """Schedule meetings, draft and issue minutes, accept decisions, issue 督办通知: the office."""
    if is_system(user):
        return True
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("conference.manage_meetings"))


def is_convener(user: Any) -> bool:
    """The convener (召集人): a leader holding the post — the only one who signs minutes."""
    return (
        getattr(user, "role", "") == Role.LEADER
        and user.has_perm("conference.sign_minutes")
        and _holds(user, ChairPost.CONVENER)
    )


def is_office_director(user: Any) -> bool:
    """The office director (联席办主任): an office user holding the post; approves the office's
    analysis and circulars."""
    return getattr(user, "role", "") == Role.OFFICE and _holds(user, ChairPost.DIRECTOR)


def may_handle_decision(user: Any, decision: Any) -> bool:
    """Report a decision's progress or completion: a user of its owner unit (the office may report on
    the owner's behalf)."""
    if is_system(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.has_perm("conference.handle_decision"):
        return False
    return decision.owner_id == getattr(user, "unit_id", None) or (
        scope_of(user).everything and may_manage(user)
    )


def may_propose(user: Any) -> bool:
    """Propose a topic meeting: a member unit's user (a department or a town)."""
    unit = getattr(user, "unit", None)
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perm("conference.propose_meeting")
        and unit is not None
        and unit.is_member
    )
