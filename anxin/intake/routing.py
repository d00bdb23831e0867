"""Who answers for a signal: the enterprise's town (§二 属地管理) and the line department (§三).

The department is the project's supervising department when the signal names a project; else
the unit of a duty whose line names one of the enterprise's kinds (城建局 for 建筑施工 and
房地产开发, 财政局 for 国有企业…); else the district file's ``intake.default_department``
(人社局, labour inspection §三(七)). Each choice records why, in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from anxin.org.models import Duty, Unit


@dataclass(frozen=True)
class Route:
    town_id: int | None
    unit_id: int | None
    note: str


class Router:
    """Routing tables read once (an import routes thousands of rows with them)."""

    def __init__(self):
        self.kind_units: list[tuple[str, Unit, Duty]] = []
        for duty in Duty.objects.select_related("unit").order_by("pk"):
            for code in duty.line_enterprise_kinds or []:
                self.kind_units.append((code, duty.unit, duty))
        code = default_department_code()
        self.default_unit = Unit.objects.filter(code=code).first()
        self.supervisor_units: dict[int, Unit] = {}
        self.enterprise_kinds: dict[int, list[str]] = {}

    def prime(self, enterprise_ids) -> None:
        from anxin.registry.models import Enterprise

        ids = [i for i in set(enterprise_ids) if i and i not in self.enterprise_kinds]
        for enterprise_id in ids:
            self.enterprise_kinds[enterprise_id] = []
        for enterprise_id, code in Enterprise.kinds.through.objects.filter(enterprise_id__in=ids).values_list(
            "enterprise_id", "enterprisekind__code"
        ):
            self.enterprise_kinds[enterprise_id].append(code)

    def route(self, *, enterprise=None, project=None, town=None) -> Route:
        parts = []
        town_id = None
        if enterprise is not None:
            town_id = enterprise.town_id
            parts.append("属地：企业所在镇/街道（§二 属地管理）")
        elif project is not None:
            town_id = project.town_id
            parts.append("属地：项目所在镇/街道（§二 属地管理）")
        elif town is not None:
            town_id = town.pk
            parts.append("属地：反映的用工地点（§二 属地管理）")
        unit = None
        if project is not None and project.supervisor.unit_id:
            unit = project.supervisor.unit
            parts.append(f"条线：项目主管部门“{project.supervisor.name}”")
        if unit is None and enterprise is not None:
            if enterprise.pk not in self.enterprise_kinds:
                self.prime([enterprise.pk])
            kinds = self.enterprise_kinds[enterprise.pk]
            for code, candidate, duty in self.kind_units:
                if code in kinds:
                    unit = candidate
                    parts.append(f"条线：{duty.citation} {duty.name}")
                    break
        if unit is None and self.default_unit is not None:
            unit = self.default_unit
            parts.append(f"条线：{unit.short_name or unit.name}（劳动保障监察，§三(七)）")
        return Route(town_id=town_id, unit_id=unit.pk if unit else None, note="；".join(parts))


def default_department_code() -> str:
    """``intake.default_department`` of the district file (read once per process)."""
    cached = getattr(default_department_code, "_cache", None)
    if cached is None:
        import yaml
        from django.conf import settings

        try:
            data = yaml.safe_load(settings.DISTRICT_FILE.read_text(encoding="utf-8")) or {}
        except OSError:
            data = {}
        cached = str((data.get("intake") or {}).get("default_department") or "hrss").strip()
        default_department_code._cache = cached
    return cached
