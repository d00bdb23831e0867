"""The declared seam between apps: unknown points and topics raise, and the flow holds underneath —
no app loops over the app configs, and no earlier app names a later app's module, URL or
permission."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from anxin.core import events, seam

ROOT = Path(settings.BASE_DIR) / "anxin"
# The flow (DESIGN): an app may use the ones before it, never the ones after it.
FLOW = [app.split(".")[1] for app in settings.INSTALLED_APPS if app.startswith("anxin.")]


def test_the_flow_is_the_installed_order():
    assert FLOW[:3] == ["core", "org", "notify"]
    assert FLOW.index("registry") < FLOW.index("intake") < FLOW.index("monitoring") < FLOW.index("cases")


@pytest.mark.parametrize("verb", [seam.collect, seam.contributions])
def test_asking_for_an_undeclared_point_raises(verb):
    with pytest.raises(KeyError, match="Invalid extension point: menus"):
        verb("menus")


def test_registering_at_an_undeclared_point_raises():
    with pytest.raises(KeyError, match="Invalid extension point: home_panel"):
        seam.register("home_panel", lambda request: [], app="test")


def test_a_function_point_refuses_a_contribution_that_is_not_callable():
    with pytest.raises(TypeError, match="must be callable"):
        seam.register(seam.MENU, [{"label": "x"}], app="test")


def test_publishing_an_undeclared_topic_raises_before_anything_is_queued(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(KeyError, match="Invalid event topic"),
    ):
        events.publish("signal.changed", enterprise_ids=[1])
    assert callbacks == []


def test_a_page_that_offers_no_actions_is_refused(rf):
    with pytest.raises(KeyError, match="Invalid page for actions"):
        seam.page_actions(rf.get("/"), "registry.enterprise", object())


def test_a_dict_point_refuses_a_key_offered_twice(monkeypatch):
    store = seam._STORES[seam.IMPORTERS]
    monkeypatch.setattr(store, "entries", [*store.entries, ("test", lambda: {"signals": object()})])
    with pytest.raises(ValueError, match="'signals' is offered twice"):
        seam.collect(seam.IMPORTERS)


def test_every_app_contributes_in_the_order_of_the_flow():
    sections = [app for app, _ in seam.contributions(seam.DISTRICT_SECTIONS)]
    # assessment: the veto conditions (traces part), then the default schemes (scores part)
    assert sections == [
        "core",
        "org",
        "registry",
        "intake",
        "monitoring",
        "money",
        "credit",
        "reports",
        "assessment",
        "assessment",
    ]
    demo = [app for app, _ in seam.contributions(seam.DEMO_DATA)]
    # conference: meetings, then minutes; reports: periodic reports, then publicity; assessment: spot checks,
    # then the scoring (the year's provisional scores computed from everything before)
    assert demo == [
        "org",
        "registry",
        "intake",
        "monitoring",
        "cases",
        "money",
        "sites",
        "credit",
        "conference",
        "conference",
        "reports",
        "reports",
        "assessment",
        "assessment",
    ]
    assert {g.key for g in seam.collect(seam.MENU_GROUPS)} == {
        "ledger",
        "monitoring",
        "intake",
        "cases",
        "credit",
        "conference",
        "reports",
        "assessment",
        "settings",
        "security",
    }


def test_registering_twice_keeps_one_contribution():
    before = seam.contributions(seam.SWEEPS)
    app, provider = before[0]
    seam.register(seam.SWEEPS, provider, app=app)
    assert seam.contributions(seam.SWEEPS) == before


def test_a_menu_item_naming_an_undeclared_group_raises(monkeypatch, office):
    from anxin.core.context_processors import menu_for

    store = seam._STORES[seam.MENU]
    item = {"label": "x", "url_name": "home", "group": "money", "order": 1}
    monkeypatch.setattr(store, "entries", [*store.entries, ("test", lambda user: [item])])
    with pytest.raises(KeyError, match="Invalid menu group: money"):
        menu_for(office, "/")


# --- the flow holds underneath ---------------------------------------------------------------------


_TYPE_CHECKING_BLOCK = re.compile(r"^if TYPE_CHECKING:.*\n(?:(?:[ \t]+.*)?\n)*", re.M)


def _sources(app: str) -> Iterator[tuple[Path, str]]:
    """The app's own code and templates (not its tests or migrations). An ``if TYPE_CHECKING:``
    block is left out: it names the user model (settings.AUTH_USER_MODEL, org's) for the type
    checker only, and is never imported at run time."""
    for path in sorted((ROOT / app).rglob("*")):
        if path.suffix not in (".py", ".html") or {"tests", "migrations"} & set(path.parts):
            continue
        text = path.read_text(encoding="utf-8")
        yield path, _TYPE_CHECKING_BLOCK.sub("", text) if path.suffix == ".py" else text


def test_no_module_loops_over_the_app_configs_but_the_seam():
    found = [
        str(path.relative_to(ROOT))
        for app in FLOW
        for path, text in _sources(app)
        if "get_app_configs" in text and path.name != "seam.py"
    ]
    assert found == []


def _url_names(urlconf: str) -> set[str]:
    names: set[str] = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(pattern.name)

    walk(get_resolver(urlconf).url_patterns)
    return names


def _later_names(app: str) -> tuple[list[str], set[str]]:
    later = FLOW[FLOW.index(app) + 1 :]
    urls: set[str] = set()
    for other in later:
        if (ROOT / other / "urls.py").exists():
            urls |= _url_names(f"anxin.{other}.urls")
    own = set()
    for mine in FLOW[: FLOW.index(app) + 1]:
        if (ROOT / mine / "urls.py").exists():
            own |= _url_names(f"anxin.{mine}.urls")
    return later, urls - own


@pytest.mark.parametrize("app", FLOW)
def test_an_earlier_app_names_no_later_app(app):
    """No module, import, URL name or permission of a later app in an earlier app's code or
    templates: the later app contributes through the seam."""
    later, later_urls = _later_names(app)
    problems = []
    for path, text in _sources(app):
        for other in later:
            if re.search(rf"\banxin\.{other}\b|\bperms\.{other}\.|[\"']{other}\.\w+_\w+[\"']", text):
                problems.append(f"{path.relative_to(ROOT)} names {other}")
        for name in re.findall(r"""(?:\{%\s*url|reverse\(|redirect\()\s*["']([\w:-]+)["']""", text):
            if name in later_urls:
                problems.append(f"{path.relative_to(ROOT)} reverses {name}")
    assert problems == []
