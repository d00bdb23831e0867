"""The page shell: menu by role (each app contributes its items), warnings, district name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from anxin.core import seam
from anxin.core.calendar import request_coverage_warning

if TYPE_CHECKING:  # the user model (settings.AUTH_USER_MODEL), for the type checker only
    from anxin.org.models import User


_DISTRICT: dict[str, dict] = {}


def _district() -> dict:
    import yaml

    cached = _DISTRICT.get("district")
    if cached is None:
        try:
            data = yaml.safe_load(settings.DISTRICT_FILE.read_text(encoding="utf-8")) or {}
        except OSError:
            data = {}
        cached = data.get("district", {})
        _DISTRICT["district"] = cached
    return cached


def menu_for(user: User, path: str) -> list[dict]:
    """The top menu: every app's items (``seam.MENU``); items naming a group (``seam.MENU_GROUPS``,
    each app declares its own) become its dropdown, so the bar stays one line at 1366 px however
    many apps add screens. An item naming an undeclared group is an error."""
    groups_declared = {g.key: g for g in seam.collect(seam.MENU_GROUPS)}
    items: list[dict] = [dict(item) for item in seam.collect(seam.MENU, user)]
    items.sort(key=lambda item: item.get("order", 100))
    for item in items:
        item["url"] = reverse(item["url_name"])
        item["active"] = path == item["url"] if item["url"] == "/" else path.startswith(item["url"])
    entries: list[dict] = []
    groups: dict[str, dict] = {}
    for item in items:
        key = item.get("group")
        if key is None:
            entries.append(item)
            continue
        if key not in groups_declared:
            raise KeyError(f"Invalid menu group: {key} (declare it at seam.MENU_GROUPS)")
        if key not in groups:
            declared = groups_declared[key]
            groups[key] = {
                "label": declared.label,
                "icon": declared.icon,
                "order": declared.order,
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


# The pages where the missing-calendar banner can be acted on: 工作台 (where the day's work starts)
# and the calendar itself. Elsewhere it would only crowd every page of the office.
BANNER_PAGES = frozenset({"home", "calendar"})


def _banner_here(request: HttpRequest) -> bool:
    """The calendar banner goes to who can fix the calendar (``core.change_calendarday``; not the
    leaders, who read), and only on the pages where it can be acted on (``BANNER_PAGES``)."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name in BANNER_PAGES


def shell(request: HttpRequest) -> dict:
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
        if _banner_here(request) and user.has_perm("core.change_calendarday"):
            warning = request_coverage_warning(request)
            if warning:
                context["shell_warnings"].append(
                    {"text": warning, "url": reverse("calendar"), "link": "去补录工作日历"}
                )
    return context
