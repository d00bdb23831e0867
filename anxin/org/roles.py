"""What each role may do: Django permissions granted to the role's group.

Scoping (which rows) is separate: ``User.scope`` and ``for_user``. These are the actions.
Three separate admin roles (三员分立): 系统管理员 keeps accounts and reference data running,
安全管理员 grants roles and unlocks accounts, 审计员 reads the audit trails of both.
"""

from __future__ import annotations

from anxin.org.models import Role

_VIEW_DISTRICT = [
    "registry.view_enterprise",
    "registry.view_project",
    "registry.view_worker",
    "org.view_town",
    "org.view_unit",
    "org.view_duty",
    "core.view_policyparameter",
    "core.view_calendarday",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICE: [
        *_VIEW_DISTRICT,
        "registry.add_enterprise",
        "registry.change_enterprise",
        "registry.import_enterprise",
        "registry.export_enterprise",
        "registry.add_project",
        "registry.change_project",
        "registry.export_project",
        "registry.add_worker",
        "registry.change_worker",
        "registry.view_worker_identity",
        "core.add_policyparameter",
        "core.change_calendarday",
        "auditlog.view_logentry",
    ],
    Role.LEADER: [
        *_VIEW_DISTRICT,
        "registry.export_enterprise",
        "registry.export_project",
        "auditlog.view_logentry",
    ],
    Role.DEPARTMENT: [
        *_VIEW_DISTRICT,
        "registry.change_enterprise",
        "registry.export_enterprise",
        "registry.add_project",
        "registry.change_project",
        "registry.export_project",
        "auditlog.view_logentry",
    ],
    Role.TOWN: [
        *_VIEW_DISTRICT,
        "registry.add_enterprise",
        "registry.change_enterprise",
        "registry.import_enterprise",
        "registry.export_enterprise",
        "registry.add_project",
        "registry.change_project",
        "registry.export_project",
        "registry.add_worker",
        "registry.change_worker",
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
    """The role's permissions: those above, plus what each later app grants through its
    ``AppConfig.role_permissions()`` hook (org never imports a later app)."""
    from django.apps import apps

    perms = list(ROLE_PERMISSIONS[role])
    for config in apps.get_app_configs():
        provider = getattr(config, "role_permissions", None)
        if provider is not None:
            perms.extend(provider().get(role, []))
    return list(dict.fromkeys(perms))


def role_from_text(text: str) -> str:
    """A role from its code (``town``) or Chinese name (``镇街用户``)."""
    text = (text or "").strip()
    for role in Role:
        if text in (role.value, str(role.label)):
            return role.value
    raise ValueError(text)
