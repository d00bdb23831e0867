"""The page shell: menu by role (each app contributes its items), warnings, district name."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.urls import reverse

from anxin.core.calendar import coverage_warning


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
    return items


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
        if user.has_perm("core.change_calendarday") or user.has_perm("core.view_calendarday"):
            warning = coverage_warning()
            if warning and user.has_perm("core.change_calendarday"):
                context["shell_warnings"].append(warning)
    return context
