"""Who may do what in credit (shared by every part of the app).

Reading: a listing, a grade or an objection is seen by whoever sees its enterprise (its town, its
line); a unit holding a sanction task also sees that listing (``ListingQuerySet``). Deciding — the
listing procedure, early removal, objections, the publication's review, confirming grades — is for
人社局 (the unit holding the duty ``BLACKLIST_DUTY``, §三(七)) and the office only: every other unit
reads within its scope. A sanction task is done by its own unit."""

from __future__ import annotations

from typing import Any

from anxin.core.access import is_system, scope_of
from anxin.org.models import Duty, Unit

BLACKLIST_DUTY = "blacklist"  # 区人社局：拖欠工资企业“黑名单”与守法诚信等级评价 (district file)


def _authority(user: Any, perm: str) -> bool:
    if is_system(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.has_perm(perm):
        return False
    if scope_of(user).everything:  # the office (leaders and auditors hold no deciding permission)
        return True
    unit_id = getattr(user, "unit_id", None)
    if not unit_id:
        return False
    return Duty.objects.filter(unit_id=int(unit_id), code=BLACKLIST_DUTY).exists()


def may_decide(user: Any) -> bool:
    """Propose, serve, decide, remove listings; answer defences and objections."""
    return _authority(user, "credit.decide_listing")


def may_publish(user: Any) -> bool:
    """Review and publish the list of major violations."""
    return _authority(user, "credit.publish_violations")


def may_grade(user: Any) -> bool:
    """Compute, confirm and adjust integrity grades."""
    return _authority(user, "credit.grade_enterprises")


def may_handle_task(user: Any, task: Any) -> bool:
    """Record a sanction task as done: its own unit (or the office on its behalf)."""
    if is_system(user):
        return True
    if not user.has_perm("credit.handle_sanctiontask"):
        return False
    return task.unit_id == getattr(user, "unit_id", None) or scope_of(user).everything


def authority_units() -> list[Unit]:
    """The units that decide (人社局, by duty) — notices of a listing's steps go to them and the office."""
    return list(Unit.objects.filter(duties__code=BLACKLIST_DUTY).distinct())
