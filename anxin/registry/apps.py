from django.apps import AppConfig

from anxin.core import seam


class RegistryConfig(AppConfig):
    """The registry the network watches: enterprises, construction projects, workers."""

    name = "anxin.registry"
    label = "registry"
    verbose_name = "企业与项目"

    def ready(self) -> None:
        from anxin.registry import (
            audit,  # noqa: F401  (auditlog registration)
            demo,
        )

        label = self.label
        seam.register(seam.DISTRICT_SECTIONS, self.load_district, app=label)
        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=label)
        seam.register(seam.IMPORTERS, self.importers, app=label)
        seam.register(seam.MENU, self.menu, app=label)
        seam.register(seam.MENU_GROUPS, seam.MenuGroup("ledger", "台账", "building-factory-2", 10), app=label)
        seam.register(seam.HOME_PANELS, self.home_panels, app=label)
        seam.register(seam.DEMO_DATA, seam.DemoData(load=demo.load, real_data=demo.real_data), app=label)

    def load_district(self, data: dict, *, actor, log) -> None:
        from anxin.registry import services

        services.district_load_registry(data=data, actor=actor, log=log)

    def role_permissions(self) -> dict[str, list[str]]:
        """What each role may do with enterprises, projects and workers (org's table names none of it)."""
        from anxin.org.models import Role

        view = ["registry.view_enterprise", "registry.view_project", "registry.view_worker"]
        export = ["registry.export_enterprise", "registry.export_project"]
        edit_projects = ["registry.add_project", "registry.change_project"]
        return {
            Role.OFFICE: [
                *view,
                "registry.add_enterprise",
                "registry.change_enterprise",
                "registry.import_enterprise",
                *export,
                *edit_projects,
                "registry.add_worker",
                "registry.change_worker",
                "registry.view_worker_identity",
            ],
            Role.LEADER: [*view, *export],
            Role.DEPARTMENT: [*view, "registry.change_enterprise", *export, *edit_projects],
            Role.TOWN: [
                *view,
                "registry.add_enterprise",
                "registry.change_enterprise",
                "registry.import_enterprise",
                *export,
                *edit_projects,
                "registry.add_worker",
                "registry.change_worker",
            ],
            Role.AUDITOR: view,
        }

    def importers(self) -> dict:
        from anxin.registry.importing import enterprise_import

        return {"enterprises": enterprise_import}

    def menu(self, user) -> list[dict]:
        from anxin.core.access import scope_of

        items = []
        if scope_of(user).nothing:  # no territory, no line: the ledgers would be empty (公安分局, 检察院)
            return items
        if user.has_perm("registry.view_enterprise"):
            items.append(
                {
                    "label": "企业台账",
                    "group": "ledger",
                    "url_name": "enterprise-list",
                    "icon": "building-factory-2",
                    "order": 10,
                }
            )
        if user.has_perm("registry.view_project"):
            items.append(
                {
                    "label": "工程项目",
                    "group": "ledger",
                    "url_name": "project-list",
                    "icon": "crane",
                    "order": 11,
                }
            )
        return items

    def home_panels(self, request) -> list[dict]:
        """Enterprises and projects in the user's scope, by status and kind."""
        import json

        from anxin.core.access import scope_of
        from anxin.registry import selectors

        user = request.user
        if not user.has_perm("registry.view_enterprise") or scope_of(user).nothing:
            return []
        enterprises = selectors.enterprise_summary(user=user)
        projects = selectors.project_summary(user=user)
        kind_chart = json.dumps(
            {
                "type": "bar",
                "labels": [k[0] for k in enterprises["by_kind"]],
                "values": [k[1] for k in enterprises["by_kind"]],
            },
            ensure_ascii=False,
        )
        town_chart = json.dumps(
            {
                "type": "pie",
                "labels": [t[0] for t in enterprises["by_town"]],
                "values": [t[1] for t in enterprises["by_town"]],
            },
            ensure_ascii=False,
        )
        return [
            {
                "template": "registry/_home_panel.html",
                "enterprises": enterprises,
                "projects": projects,
                "kind_chart": kind_chart,
                "town_chart": town_chart,
            }
        ]
