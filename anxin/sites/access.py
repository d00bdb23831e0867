"""Who may do what on a construction project's site records (shared by every part of the app).

Reading follows the project's scope (registry's ``Project.objects.for_user``: its town, or its
supervising line). Keeping the roster, the special account and the payroll (``sites.manage_roster``)
is for the office and for the department that supervises the project (城建局 for building and
municipal works, 水利局 for water works, §三(九)(十)) — a town reads and exports but does not keep
them; a department outside the project's line never sees it (404, DESIGN rule 3)."""

from __future__ import annotations

from typing import Any

from anxin.core.access import is_system, scope_of
from anxin.registry.models import Project


def may_manage(user: Any, project: Project) -> bool:
    """Whether ``user`` keeps this project's roster, special account and payroll."""
    if is_system(user):
        return True
    if not user.has_perm("sites.manage_roster"):
        return False
    scope = scope_of(user)
    if scope.everything:
        return True
    # The supervising department keeps its own projects' records, even where it sees more (城建局
    # reads every project, but a water project's roster is 水利局's, §三(十)).
    return project.supervisor.unit_id == scope.unit_id or (
        project.supervisor.unit_id is None and project.supervisor.code in scope.project_supervisor_codes
    )


def may_hold_sites(user: Any) -> bool:
    """Whether any project could be the user's to keep (the office, or a supervising line)."""
    scope = scope_of(user)
    return user.has_perm("sites.manage_roster") and bool(
        scope.everything or scope.all_projects or scope.project_supervisor_codes
    )
