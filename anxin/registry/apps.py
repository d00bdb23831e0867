from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """The registry the network watches: enterprises, construction projects, workers."""

    name = "anxin.registry"
    label = "registry"
    verbose_name = "企业与项目"

    def ready(self) -> None:
        from anxin.registry import audit  # noqa: F401  (auditlog registration)

    def load_district(self, data: dict, *, actor, log) -> None:
        from anxin.registry import services

        services.district_load_registry(data=data, actor=actor, log=log)

    def importers(self) -> dict:
        from anxin.registry.importing import enterprise_import

        return {"enterprises": enterprise_import}

    def menu(self, user) -> list[dict]:
        items = []
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
