from collections.abc import Callable
from typing import Any

from django.apps import AppConfig

from anxin.core import seam


class CoreConfig(AppConfig):
    """Shared kernel: money, validators, calendar, policy parameters, access, audit."""

    name = "anxin.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from anxin.core import signals  # noqa: F401  (security events for login/logout/lockout)
        from anxin.core.models import CalendarDay, PolicyParameter

        auditlog.register(PolicyParameter)
        auditlog.register(CalendarDay)

        label = self.label
        seam.register(seam.DISTRICT_SECTIONS, self.load_district, app=label)
        seam.register(seam.SWEEPS, self.sweeps, app=label)
        seam.register(seam.MENU, self.menu, app=label)
        from anxin.core.exchange_parts import PARTS

        for part in PARTS:  # the policy parameters and the calendar, to a portal host on its own database
            seam.register(seam.EXCHANGE_PARTS, part, app=label)
        for group in (
            seam.MenuGroup("settings", "设置", "adjustments", 80),
            seam.MenuGroup("security", "安全审计", "shield-lock", 90),
        ):
            seam.register(seam.MENU_GROUPS, group, app=label)

    def load_district(self, data: dict, *, actor: Any, log: Callable[[str], None]) -> None:
        """Seed the policy parameters (with the district's overrides) and the working-day calendar."""
        from anxin.core import services

        services.policy_seed_defaults(actor=actor, overrides=data.get("policy_parameters") or {}, log=log)
        services.calendar_seed_from_package(actor=actor, log=log)

    def sweeps(self) -> list[seam.Sweep]:
        from anxin.core import services
        from anxin.core.once import once_purge

        return [
            seam.Sweep("清理过期的导入暂存文件", services.import_uploads_purge),
            seam.Sweep("清理过期的表单令牌与幂等键", once_purge),
        ]

    def menu(self, user: Any) -> list[dict]:
        items = [{"label": "工作台", "url_name": "home", "icon": "home", "order": 0}]
        if user.has_perm("core.view_policyparameter"):
            items.append(
                {
                    "label": "政策参数",
                    "group": "settings",
                    "url_name": "parameter-list",
                    "icon": "adjustments",
                    "order": 80,
                }
            )
        if user.has_perm("core.view_calendarday"):
            items.append(
                {
                    "label": "工作日历",
                    "group": "settings",
                    "url_name": "calendar",
                    "icon": "calendar",
                    "order": 81,
                }
            )
        if user.has_perm("core.view_securityevent"):
            items.append(
                {
                    "label": "安全事件",
                    "group": "security",
                    "url_name": "security-events",
                    "icon": "shield-lock",
                    "order": 90,
                }
            )
        if user.has_perm("auditlog.view_logentry") and user.has_perm("core.view_securityevent"):
            items.append(
                {
                    "label": "审计日志",
                    "group": "security",
                    "url_name": "audit-log",
                    "icon": "history",
                    "order": 91,
                }
            )
        if user.is_staff:
            items.append({"label": "系统管理", "url_name": "admin:index", "icon": "settings", "order": 99})
        return items
