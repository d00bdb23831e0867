"""What the browser tests share besides fixtures: signing in, the menu, where screenshots go."""

from __future__ import annotations

from pathlib import Path

SCREENSHOTS = Path(__file__).parent / "screenshots"


def sign_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def nav(page, group: str, label: str) -> None:
    """Open a menu group's dropdown (``group`` is its key, e.g. ``"ledger"``) and follow ``label``."""
    toggle = page.get_by_test_id(f"menu-{group}")
    if toggle.count():
        toggle.click()
        page.locator(".dropdown-menu.show").get_by_role("link", name=label).click()
    else:  # a group of one is shown as its item alone (core.context_processors.menu_for)
        page.locator("#navbar-menu").get_by_role("link", name=label).first.click()
