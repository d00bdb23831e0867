"""One form per legal measure, and a refused form brought into sight (issue #14 items 4, 5, 12): the
order-to-pay form shows only its own fields, takes the day the notice was served; a form refused
at the bottom of the case page comes back focused and on screen at 1366×768 — with JavaScript and
without it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anxin.cases import actions
from anxin.cases.models import LegalAction
from anxin.cases.tests.factories import open_case
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import SCREENSHOTS, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IN_VIEW = """sel => { const el = document.querySelector(sel); if (!el) { return false; }
  const r = el.getBoundingClientRect();
  return r.bottom > 0 && r.top < window.innerHeight && r.right > 0 && r.left < window.innerWidth; }"""


def in_sight(page, selector: str) -> None:
    """The element comes to lie within the window (the browser scrolls once the page has laid out);
    polled from here, as a page without JavaScript cannot run ``wait_for_function``."""
    for _ in range(50):
        if page.evaluate(IN_VIEW, selector):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{selector} is not in the window")


def test_the_order_to_pay_form_shows_only_its_fields_and_takes_the_day_served(
    live_server, page, shot, world, office, renshe
):
    case = open_case(world.luoxi_factory, actor=office, now=timezone.now() - datetime.timedelta(days=20))
    sign_in(page, live_server, renshe.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_test_id("action-kind-order").click()
    form = page.get_by_test_id("action-form-order")
    expect(form).to_be_visible()
    names = form.locator("input:visible, select:visible, textarea:visible").evaluate_all(
        "els => els.map(e => e.name)"
    )
    assert names == list(actions.FIELDS["order"])
    expect(form.locator("label.required")).to_have_text(["责令支付金额"])
    expect(form.locator("#action_order_amount")).to_have_attribute("required", "")
    expect(form.locator(".input-group-text")).to_have_text(["元"])
    # The other kinds' forms stay closed: none of their fields is on screen.
    expect(
        page.locator("[name=percent]:visible, [name=single_months]:visible, [name=unit]:visible")
    ).to_have_count(0)
    served = timezone.localdate() - datetime.timedelta(days=7)
    form.get_by_label("责令支付金额").fill("3万2")
    form.get_by_label("送达日期").fill(served.isoformat())
    form.get_by_label("文书编号").fill("新人社监〔2026〕9号")
    form.scroll_into_view_if_needed()
    shot("measure-form-order")
    form.get_by_role("button", name="发起").click()
    expect(page.get_by_test_id("action-status")).to_have_text("办理中")
    order = LegalAction.objects.get(kind="order")
    assert order.served_on == served and order.amount == 3_200_000
    assert order.pay_by > served


def _refuse_at_the_bottom(page, live_server, case):
    """The document form sits at the bottom of the case page: send it a text file calling itself a
    PDF, which only the server can refuse."""
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    papers = page.get_by_test_id("document-form")
    papers.get_by_label("文件").set_input_files(
        files=[{"name": "协议.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf at all"}]
    )
    papers.get_by_role("button", name="上传").click()
    page.wait_for_load_state("load")


def test_a_form_refused_at_the_bottom_of_the_case_page_is_focused_and_in_sight(
    live_server, page, world, office, luoxi
):
    case = open_case(world.luoxi_factory, actor=office)
    sign_in(page, live_server, luoxi.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert page.evaluate("document.body.scrollHeight") > 2 * 768  # the form is far below the top
    _refuse_at_the_bottom(page, live_server, case)
    error = page.locator("[data-error-focus]")
    expect(error).to_have_count(1)
    expect(page.get_by_test_id("field-error-file")).to_be_visible()
    page.wait_for_function(
        "document.activeElement && document.activeElement.hasAttribute('data-error-focus')"
    )
    assert page.evaluate("window.scrollY") > 0
    in_sight(page, "[data-error-focus]")
    in_sight(page, "[data-testid=field-error-file]")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "case-form-error-in-sight.png"))  # the window, as the user sees it


def test_without_javascript_the_refused_form_is_still_focused_and_in_sight(
    live_server, browser, world, office, luoxi
):
    case = open_case(world.luoxi_factory, actor=office)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        sign_in(page, live_server, luoxi.username, PASSWORD)
        _refuse_at_the_bottom(page, live_server, case)
        focused = page.evaluate("document.activeElement && document.activeElement.getAttribute('name')")
        assert focused == "file"  # autofocus: the browser's own, no script
        in_sight(page, "[data-testid=field-error-file]")
    finally:
        context.close()


def test_a_refused_measure_form_comes_back_open_and_focused(live_server, page, world, office, renshe):
    case = open_case(world.luoxi_factory, actor=office)
    sign_in(page, live_server, renshe.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_test_id("action-kind-penalty").click()
    form = page.get_by_test_id("action-form-penalty")
    form.get_by_label("罚款金额").fill("一些钱")  # passes the browser, not the server
    form.get_by_label("法律依据").fill("劳动保障监察条例 第三十条")
    form.get_by_role("button", name="发起").click()
    form = page.get_by_test_id("action-form-penalty")
    expect(form).to_be_visible()
    page.wait_for_function("document.activeElement && document.activeElement.name === 'amount'")
    expect(form.get_by_test_id("field-error-amount")).to_be_visible()
    in_sight(page, "[data-testid=action-form-penalty] [data-testid=field-error-amount]")


def test_the_alert_page_names_the_case_that_took_it(live_server, page, shot, world, office, luoxi):
    from anxin.monitoring.models import Alert
    from anxin.monitoring.tests.factories import red_alert

    alert = red_alert(world.luoxi_factory)
    others = list(Alert.objects.filter(enterprise=world.luoxi_factory).exclude(pk=alert.pk))
    case = open_case(world.luoxi_factory, actor=luoxi)  # by hand: every open alert goes with it
    sign_in(page, live_server, luoxi.username, PASSWORD)
    for each in [alert, *others]:
        page.goto(f"{live_server.url}/alerts/{each.pk}/")
        expect(page.get_by_test_id("related-case")).to_contain_text(case.number)
        expect(page.get_by_test_id("alert-events")).to_contain_text(f"已立案处置：同一企业立案 {case.number}")
    shot("alert-names-case")
    page.get_by_test_id("related-case").get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
