"""A double click writes once (issue #13): the case page's action form, double-clicked, starts one
legal action — the first click disables the button (提交中…), and the server would refuse the same
form's token a second time anyway."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from anxin.cases import actions
from anxin.cases.models import LegalAction
from anxin.cases.tests.factories import open_case
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_double_click_on_the_action_form_starts_one_action(
    live_server, page, shot, world, office, luoxi, monkeypatch
):
    case = open_case(world.luoxi_factory, actor=office)
    request = actions.action_request

    def slow_request(**kwargs):  # a busy server: the first request is still running at the second click
        time.sleep(0.8)
        return request(**kwargs)

    monkeypatch.setattr(actions, "action_request", slow_request)
    sign_in(page, live_server, luoxi.username, PASSWORD)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_test_id("action-kind-court").click()
    form = page.get_by_test_id("action-form-court")
    form.locator("#action_court_details").fill("申请快立快审")
    button = form.locator("button[type=submit]")
    button.scroll_into_view_if_needed()
    # What the button shows once pressed, kept in sessionStorage: while the page navigates the test
    # cannot read the old page, the next page can.
    page.evaluate(
        """() => {
          const b = document.querySelector('[data-testid=action-form-court] button[type=submit]');
          new MutationObserver(() => sessionStorage.setItem('pressed', b.disabled + ' ' + b.textContent.trim()))
            .observe(b, {attributes: true, childList: true, subtree: true});
        }"""
    )
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # A person's double click: the second click lands a moment later, while the first request runs.
    page.mouse.click(x, y)
    page.wait_for_timeout(200)
    page.mouse.click(x, y)
    expect(page.get_by_test_id("action-status")).to_have_text("办理中")
    shot("once-action-double-click")
    monkeypatch.undo()
    assert LegalAction.objects.filter(case=case, kind="court").count() == 1
    assert page.evaluate("() => sessionStorage.getItem('pressed')") == "true 提交中…"

    # The same kind again is refused on the case page, which offers 另行发起 with a reason.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_test_id("action-kind-court").click()
    form = page.get_by_test_id("action-form-court")
    form.get_by_role("button", name="发起").click()
    expect(page.get_by_test_id("action-form-court")).to_contain_text("本案已有办理中的“法院绿色通道”")
    form = page.get_by_test_id("action-form-court")
    form.locator("#action_court_another").check()
    form.locator("#action_court_another_reason").fill("另一批 5 名工人另案起诉")
    form.get_by_role("button", name="发起").click()
    expect(page.get_by_test_id("action-another")).to_contain_text("另一批 5 名工人另案起诉")
    assert LegalAction.objects.filter(case=case, kind="court").count() == 2


def test_without_javascript_the_server_lets_the_double_click_through_once(
    live_server, browser, world, office, luoxi, monkeypatch
):
    """No script to disable the button: both clicks reach the server with the same form token; the
    second waits for the first and is sent to the action it started, with the message."""
    case = open_case(world.luoxi_factory, actor=office)
    request = actions.action_request

    def slow_request(**kwargs):
        time.sleep(0.8)
        return request(**kwargs)

    monkeypatch.setattr(actions, "action_request", slow_request)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        sign_in(page, live_server, luoxi.username, PASSWORD)
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        page.get_by_test_id("action-kind-court").click()
        form = page.get_by_test_id("action-form-court")
        button = form.locator("button[type=submit]")
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.click(x, y)
        page.wait_for_timeout(200)
        page.mouse.click(x, y)
        expect(page.get_by_test_id("action-status")).to_have_text("办理中")
        expect(page.get_by_role("alert").filter(has_text="该表单已提交，请勿重复提交")).to_be_visible()
        assert LegalAction.objects.filter(case=case, kind="court").count() == 1
    finally:
        context.close()
