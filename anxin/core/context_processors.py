"""The page shell: menu by role (each app contributes its items), warnings, district name."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.urls import reverse

from anxin.core.calendar import request_coverage_warning


def _district() -> dict:
    import yaml

    cached = getattr(_district, "_cache", None)
    if cached is None:
        try:
            data = yaml.safe_load(settings.DISTRICT_FILE.read_text(encoding="utf-8")) or {}
        except OSError:
            data = {}
        cached = data.get("district", {})
        _district._cache = cached
    return cached


# Menu groups (label, icon, order): items naming a group become its dropdown, so the bar stays
# one line at 1366 px however many apps add screens.
GROUPS = {
    "ledger": ("台账", "building-factory-2", 10),
    "monitoring": ("监测预警", "alert-triangle", 15),
    "intake": ("信息汇集", "bell-ringing", 20),
    "cases": ("案件处置", "briefcase", 25),
    "settings": ("设置", "adjustments", 80),
    "security": ("安全审计", "shield-lock", 90),
}


def menu_for(user, path: str) -> list[dict]:
    items: list[dict] = []
    for config in apps.get_app_configs():
        provider = getattr(config, "menu", None)
        if provider is not None:
            items.extend(provider(user))
    items.sort(key=lambda item: item.get("order", 100))
    for item in items:
        item["url"] = reverse(item["url_name"])
        item["active"] = path == item["url"] if item["url"] == "/" else path.startswith(item["url"])
    entries: list[dict] = []
    groups: dict[str, dict] = {}
    for item in items:
        key = item.get("group")
        if key not in GROUPS:
            entries.append(item)
            continue
        if key not in groups:
            label, icon, order = GROUPS[key]
            groups[key] = {
                "label": label,
                "icon": icon,
                "order": order,
                "children": [],
                "active": False,
                "key": key,
            }
            entries.append(groups[key])
        groups[key]["children"].append(item)
        groups[key]["active"] = groups[key]["active"] or item["active"]
    for group in groups.values():  # a group of one is just that item
        if len(group["children"]) == 1:
            entries[entries.index(group)] = group["children"][0]
    entries.sort(key=lambda entry: entry.get("order", 100))
    return entries


def shell(request) -> dict:
    district = _district()
    context = {
        "district_name": district.get("name", ""),
        "district_opinions": district.get("opinions", "实施意见"),
        "menu": [],
        "shell_warnings": [],
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["menu"] = menu_for(user, request.path)
        if user.has_perm("core.change_calendarday"):  # the banner goes to who can fix it
            warning = request_coverage_warning(request)
            if warning:
                context["shell_warnings"].append(
                    {"text": warning, "url": reverse("calendar"), "link": "去补录工作日历"}
                )
    return context
