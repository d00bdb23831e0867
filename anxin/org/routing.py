"""Who answers for an enterprise (a signal, an alert, a screening task): the enterprise's town
(§二 属地管理) and the line department (§三).

The department is the project's supervising department when a signal names a project; else
the unit the district file names for the signal's kind (``intake.route_by_kind``: 社保欠费 →
税务, §三(十四)); else the unit of the first duty in ``intake.route_by_duty`` whose line names
one of the enterprise's kinds (城建局 for 建筑施工 and 房地产开发, 水利局, 财政局 for 国有企业);
else, when the reporter names a construction site or project that is not registered (or the
signal is a 工程款结算 dispute), the unit of the duty ``intake.route_sites_by_duty`` (城建局,
§三(九)); else, when nothing places the matter (no project, no enterprise, no town: the worker
answered 不清楚), the office's triage ``intake.triage_department`` (联席办, §三(一)), which finds
the town; else ``intake.default_department`` (人社局, labour inspection §三(七)). Each choice
records why.

It lives in org (units and their duties) so that intake and monitoring, both later in the flow,
may use it. It reads no later app: the enterprises' kinds come from the caller (``kinds_of``, a
registry selector) or are filled in by the caller (``enterprise_kinds``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from django.conf import settings

from anxin.org.models import Duty, Unit

# enterprise ids → (enterprise id, kind code) pairs
KindsReader = Callable[[list[int]], Iterable[tuple[int, str]]]


@dataclass(frozen=True)
class Route:
    town_id: int | None
    unit_id: int | None
    note: str


class Router:
    """Routing tables read once (an import routes thousands of rows with them).

    ``kinds_of`` reads the kinds of enterprises not yet in ``enterprise_kinds``; a caller that
    fills ``enterprise_kinds`` itself (the scan) needs none.
    """

    def __init__(self, *, kinds_of: KindsReader | None = None):
        config = routing_settings()
        self.kinds_of = kinds_of
        units = {u.code: u for u in Unit.objects.all()}
        self.kind_units: list[tuple[str, Unit, Duty]] = []
        site_code = config["route_sites_by_duty"]
        wanted = [*config["route_by_duty"], *([site_code] if site_code else [])]
        duties = {d.code: d for d in Duty.objects.select_related("unit").filter(code__in=wanted)}  # one read
        for duty_code in config["route_by_duty"]:
            duty = duties.get(duty_code)
            if duty is None:
                continue
            for code in duty.line_enterprise_kinds or []:
                self.kind_units.append((code, duty.unit, duty))
        self.signal_kind_units = {
            kind: units[code] for kind, code in config["route_by_kind"].items() if code in units
        }
        self.default_unit = units.get(config["default_department"])
        self.triage_unit = units.get(config["triage_department"])
        self.site_duty: Duty | None = duties.get(site_code) if site_code else None
        self.supervisor_units: dict[int, Unit] = {}
        self.enterprise_kinds: dict[int, list[str]] = {}

    def tables(self) -> tuple:
        """The routing tables as plain values: a change to them (a duty moved to another unit, the
        district file's routing) is a reason to re-route every open alert."""
        return (
            sorted((code, unit.pk, duty.code) for code, unit, duty in self.kind_units),
            sorted((kind, unit.pk) for kind, unit in self.signal_kind_units.items()),
            self.default_unit.pk if self.default_unit else None,
        )

    def prime(self, enterprise_ids: Iterable[int | None]) -> None:
        ids = [i for i in set(enterprise_ids) if i and i not in self.enterprise_kinds]
        if not ids:
            return
        if self.kinds_of is None:
            raise TypeError(
                "Router(kinds_of=...) is needed to read the kinds of enterprises it was not given"
            )
        for enterprise_id in ids:
            self.enterprise_kinds[enterprise_id] = []
        for enterprise_id, code in self.kinds_of(ids):
            self.enterprise_kinds[enterprise_id].append(code)

    def route(
        self,
        *,
        enterprise: Any = None,
        project: Any = None,
        town: Any = None,
        kind: str = "",
        site_named: bool = False,
    ) -> Route:
        """``site_named``: the reporter named a construction site or project that is not a
        registered ``project`` (the worker's statement), or the kind is a construction matter —
        the construction line answers for it unless the enterprise's own line already does."""
        parts = []
        town_id = None
        if project is not None:
            # A site's wages are its town's matter, wherever the contractor is registered.
            town_id = project.town_id
            parts.append("属地：项目所在镇/街道（§二 属地管理）")
        elif enterprise is not None:
            town_id = enterprise.town_id
            parts.append("属地：企业所在镇/街道（§二 属地管理）")
        elif town is not None:
            town_id = town.pk
            parts.append("属地：反映的用工地点（§二 属地管理）")
        else:
            parts.append("属地：不明（未给出用工地点的镇/街道），由联席办分拣确定（§三(一)）")
        unit = None
        if project is not None and project.supervisor.unit_id:
            unit = project.supervisor.unit
            parts.append(f"条线：项目主管部门“{project.supervisor.name}”")
        if unit is None and kind in self.signal_kind_units:
            unit = self.signal_kind_units[kind]
            parts.append(f"条线：{unit.short_name or unit.name}（线索类型）")
        if unit is None and enterprise is not None:
            if enterprise.pk not in self.enterprise_kinds:
                self.prime([enterprise.pk])
            kinds = self.enterprise_kinds[enterprise.pk]
            for code, candidate, duty in self.kind_units:
                if code in kinds:
                    unit = candidate
                    parts.append(f"条线：{duty.citation} {duty.name}")
                    break
        if unit is None and project is None and site_named and self.site_duty is not None:
            unit = self.site_duty.unit
            parts.append(
                f"条线：{self.site_duty.citation} {self.site_duty.name}（反映涉及建设工程项目或工地）"
            )
        placed = project is not None or enterprise is not None or town is not None
        if unit is None and not placed and self.triage_unit is not None:
            unit = self.triage_unit
            parts.append(f"条线：{unit.short_name or unit.name}分拣（属地不明，§三(一)）")
        if unit is None and self.default_unit is not None:
            unit = self.default_unit
            parts.append(f"条线：{unit.short_name or unit.name}（劳动保障监察，§三(七)）")
        return Route(town_id=town_id, unit_id=unit.pk if unit else None, note="；".join(parts))


_ROUTING_CACHE: dict[str, dict] = {}


def routing_settings() -> dict:
    """The routing settings in the district file's ``intake`` section (read once per process)."""
    cached = _ROUTING_CACHE.get("settings")
    if cached is None:
        try:
            data = yaml.safe_load(settings.DISTRICT_FILE.read_text(encoding="utf-8")) or {}
        except OSError:
            data = {}
        section = data.get("intake") or {}
        cached = {
            "default_department": str(section.get("default_department") or "hrss").strip(),
            "route_by_kind": dict(section.get("route_by_kind") or {}),
            "route_by_duty": list(section.get("route_by_duty") or []),
            "route_sites_by_duty": str(section.get("route_sites_by_duty") or "").strip(),
            "triage_department": str(section.get("triage_department") or "").strip(),
        }
        _ROUTING_CACHE["settings"] = cached
    return cached
