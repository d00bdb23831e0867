"""Who may do what in reports (shared by every part of the app).

A periodic report is written and submitted by its own unit (a department or a town user whose unit a
template applies to) — never for another unit; the office and the leaders read every unit's reports.
The office composes the analysis and the circular; the office director (``ConferencePost`` 联席办主任,
``conference.access.is_office_director``) approves them. Publicity is recorded by each unit for itself."""

from __future__ import annotations

from typing import Any

from anxin.conference.access import is_office_director
from anxin.core.access import is_system


def may_submit_for(user: Any, unit_id: int | None) -> bool:
    """Write and submit the report of ``unit_id``: a user of that very unit."""
    if is_system(user):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perm("reports.submit_report")
        and unit_id is not None
        and getattr(user, "unit_id", None) == unit_id
    )


def may_compose(user: Any) -> bool:
    """Draft, edit and issue the office's analysis and circular."""
    if is_system(user):
        return True
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("reports.compose_documents"))


def may_approve(user: Any) -> bool:
    """Approve or return the office's analysis and circular: the office director only."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perm("reports.approve_documents")
        and is_office_director(user)
    )


def may_record_publicity(user: Any, unit_id: int | None) -> bool:
    """Record or correct a publicity activity of ``unit_id``: a user of that unit."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perm("reports.record_publicity")
        and unit_id is not None
        and getattr(user, "unit_id", None) == unit_id
    )
