"""What each role may do: Django permissions granted to the role's group.

Scoping (which rows) is separate: ``User.scope`` and ``for_user``. These are the actions.
Three separate admin roles (三员分立): 系统管理员 keeps accounts and reference data running,
安全管理员 grants roles, unlocks accounts and alone edits the three administrators' own accounts
(``org.manage_admin_accounts``), 审计员 reads the audit trails of both.
"""

from __future__ import annotations

from anxin.core import seam
from anxin.org.models import Role

_VIEW_DISTRICT = [
    "org.view_town",
    "org.view_unit",
    "org.view_duty",
    "core.view_policyparameter",
    "core.view_calendarday",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICE: [
        *_VIEW_DISTRICT,
        "core.add_policyparameter",
        "core.change_calendarday",
        "auditlog.view_logentry",
    ],
    Role.LEADER: [
        *_VIEW_DISTRICT,
        "auditlog.view_logentry",
    ],
    Role.DEPARTMENT: [
        *_VIEW_DISTRICT,
        "auditlog.view_logentry",
    ],
    Role.TOWN: [
        *_VIEW_DISTRICT,
        "auditlog.view_logentry",
    ],
    Role.SYSADMIN: [
        "org.view_user",
        "org.add_user",
        "org.change_user",
        "org.view_town",
        "org.view_unit",
        "org.view_duty",
        "core.view_policyparameter",
        "core.view_calendarday",
    ],
    Role.SECADMIN: [
        "org.view_user",
        "org.assign_role",
        "org.manage_admin_accounts",
        "core.view_securityevent",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
    ],
    Role.AUDITOR: [
        *_VIEW_DISTRICT,
        "core.view_securityevent",
        "auditlog.view_logentry",
        "org.view_user",
    ],
}

# Roles that use the Django admin (/admin/) for their work.
STAFF_ROLES = {Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR}


def role_permissions(role: str) -> list[str]:
    """The role's permissions: those above, plus what each later app grants at
    ``seam.ROLE_PERMISSIONS`` (org never imports a later app)."""
    perms = list(ROLE_PERMISSIONS[role]) + seam.role_permissions(role)
    return list(dict.fromkeys(perms))


def role_from_text(text: str) -> str:
    """A role from its code (``town``) or Chinese name (``镇街用户``)."""
    text = (text or "").strip()
    for role in Role:
        if text in (role.value, str(role.label)):
            return role.value
    raise ValueError(text)
