"""Accessibility: axe-core (vendored, injected by the test, never loaded by the product) finds no
serious or critical WCAG 2.1 A/AA violation on the public portal at 390 px and on the ten most used
officer pages at 1366×768, each seen as the persona who uses it (on the demo district's data).

A failure lists every violation as ``page · rule (impact): help`` then one line per element
(its CSS selector and what axe found), so whoever changed a template sees what to fix.
Screenshots of every page checked: tests/e2e/screenshots/a11y-*.png.
"""

from __future__ import annotations

import io
import re

import pytest
from captcha.models import CaptchaStore
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import expect

from anxin.cases.models import Case, LegalAction
from anxin.intake.models import Signal
from anxin.monitoring.models import Alert
from anxin.org.demo import DEMO_PASSWORD
from anxin.org.models import User
from anxin.registry.models import Enterprise
from tests.e2e import axe
from tests.e2e.pages import SCREENSHOTS

pytestmark = [pytest.mark.e2e]
live = pytest.mark.django_db(transaction=True)

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
# Pages whose forms sit folded in <details>: opened before the check, so their forms are checked.
FOLDED = {"case-detail", "signal-detail", "alert-detail", "legal-action", "enterprise-detail"}
DESK = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}


class Checker:
    """Checks pages one after the other and keeps every violation, so one run names them all."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.checked: list[str] = []

    def check(self, page, name: str, *, open_details: bool = False) -> None:
        page.wait_for_load_state("load")
        if open_details:  # the forms folded into <details> (case page, measure page) are checked too
            page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"a11y-{name}.png"), full_page=True)
        found = axe.violations(page)
        self.checked.append(name)
        if found:
            self.failures.append(axe.report(f"{name} ({page.url})", found))

    def verdict(self) -> None:
        assert not self.failures, (
            f"axe-core {axe.AXE_VERSION} found serious/critical WCAG 2.1 A/AA violations on "
            f"{len(self.failures)} of {len(self.checked)} pages:\n\n" + "\n\n".join(self.failures)
        )


def _solve_captcha(page) -> None:
    key = page.locator("input[name=captcha_0]").input_value()
    page.fill("input[name=captcha_1]", CaptchaStore.objects.get(hashkey=key).response)


def _load_demo() -> None:
    with override_settings(DEBUG=True):  # the demo refuses production settings
        call_command("load_demo", stdout=io.StringIO())


def _signed_in(browser, live_server, username: str):
    context = browser.new_context(**DESK)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/(password/)?$"))
    return context, page


@live
def test_the_portal_on_a_phone_has_no_serious_accessibility_violation(live_server, browser, district):
    checker = Checker()
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/public/")
        checker.check(page, "portal-home")
        page.goto(f"{live_server.url}/public/report/")
        checker.check(page, "portal-report")
        # A refused form: the errors must be announced and tied to their fields too.
        page.get_by_role("button", name="提交").click()
        page.wait_for_load_state("load")
        checker.check(page, "portal-report-errors")

        page.goto(f"{live_server.url}/public/report/")
        page.fill("#id_employer_name", "罗溪纺织有限公司")
        page.select_option("#id_town", label="罗溪镇")
        page.fill("#id_period", "2026年9月至10月")
        page.fill("#id_months_owed", "2")
        page.fill("#id_amount", "8600")
        page.fill("#id_workers", "3")
        page.fill("#id_summary", "车间三人两个月工资没发")
        page.fill("#id_reporter_name", "王五")
        page.fill("#id_reporter_phone", "13912345678")
        page.check("#id_consent")
        _solve_captcha(page)
        page.get_by_role("button", name="提交").click()
        code_box = page.get_by_test_id("tracking-code")
        expect(code_box).to_be_visible()
        code = code_box.get_attribute("data-code")
        checker.check(page, "portal-code")

        page.goto(f"{live_server.url}/public/track/")
        checker.check(page, "portal-track")
        page.fill("#id_code", code)
        page.fill("#id_phone", "13912345678")
        _solve_captcha(page)
        page.get_by_role("button", name="查询").click()
        expect(page.get_by_test_id("portal-steps")).to_be_visible()
        checker.check(page, "portal-status")
    finally:
        context.close()
    checker.verdict()


@live
def test_the_ten_most_used_officer_pages_have_no_serious_accessibility_violation(
    live_server, browser, district
):
    _load_demo()
    # The town that leads a demo case plays the town (the demo opens cases in the red enterprises' towns).
    town, town_case = next(
        (u, case)
        for u in User.objects.filter(username__in=["luoxi", "xuejia", "sanjing"]).order_by("username")
        if (case := Case.objects.for_user(u).order_by("pk").first())
    )
    signal = Signal.objects.for_user(town).order_by("pk").first()
    order = LegalAction.objects.filter(kind="order").order_by("pk").first()
    enterprise = Enterprise.objects.for_user(town).order_by("pk").first()
    alert = Alert.objects.order_by("pk").first()
    pages = {
        # persona: [(name, path)]; one browser context per persona, its page reused
        town.username: [
            ("home-town", "/"),
            ("signal-list", "/signals/"),
            ("signal-detail", f"/signals/{signal.pk}/"),
            ("case-detail", f"/cases/{town_case.pk}/"),
            ("enterprise-detail", f"/enterprises/{enterprise.uscc}/"),
        ],
        "office": [
            ("home-office", "/"),
            ("signal-triage", "/signals/triage/"),
            ("alert-list", "/alerts/"),
            ("alert-detail", f"/alerts/{alert.pk}/"),
            ("case-ledger", "/cases/"),
            ("inbox", "/inbox/"),
        ],
        "renshe": [("legal-action", f"/cases/actions/{order.pk}/")],
        "leader": [("cockpit", "/cockpit/")],
    }
    checker = Checker()
    for username, visits in pages.items():
        context, page = _signed_in(browser, live_server, username)
        try:
            for name, path in visits:
                response = page.goto(f"{live_server.url}{path}")
                assert response.ok, f"{username} {path} answered {response.status}"
                checker.check(page, name, open_details=name in FOLDED)
        finally:
            context.close()
    assert len(checker.checked) == 13
    checker.verdict()


def test_axe_is_a_test_asset_that_no_page_of_the_product_loads():
    """axe-core is vendored for the browser tests only: no template or product script names it."""
    root = axe.AXE_JS.parents[4]
    assert axe.AXE_JS.is_file()
    sources = [*root.glob("anxin/**/templates/**/*.html"), *root.glob("static/anxin/**/*.js")]
    assert sources
    named = re.compile(r"axe-core|axe(\.min)?\.js", re.IGNORECASE)
    loading = [str(p.relative_to(root)) for p in sources if named.search(p.read_text(encoding="utf-8"))]
    assert not loading, f"product files that load axe-core: {loading}"
