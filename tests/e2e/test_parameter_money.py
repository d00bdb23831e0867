"""The office changes a money parameter (issue #14, item 2): the box takes yuan with 元 beside it,
the confirmation says the amount back in words and figures beside the current one, and a change of
more than ten times asks for a second tick before anything is written."""

from __future__ import annotations

import pytest
import time_machine
from playwright.sync_api import expect

from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@time_machine.travel("2026-11-25 10:00 +0800", tick=True)
def test_the_office_types_8wan_sees_it_said_back_and_a_tenfold_slip_asks_again(
    live_server, page, shot, office
):
    from anxin.core.models import PolicyParameter

    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(f"{live_server.url}/settings/parameters/crime.multi_amount/")
    box = page.locator("#id_value")
    expect(box.locator("xpath=..").locator(".input-group-text")).to_have_text("元")
    box.fill("8万")
    page.fill("#id_effective_from", "2027-01-01")
    page.fill("#id_note", "省高院新标准")
    shot("parameter-money-form")
    page.get_by_role("button", name="下一步：核对").click()
    expect(page.get_by_test_id("new-value")).to_have_text("8万元（80,000.00 元）")
    expect(page.get_by_test_id("old-value")).to_have_text("6万元（60,000.00 元）")
    expect(page.get_by_test_id("large-change")).to_have_count(0)
    shot("parameter-money-confirm")
    page.get_by_role("button", name="确认登记").click()
    expect(page.get_by_test_id("parameter-history")).to_contain_text("80,000.00 元")
    assert (
        PolicyParameter.objects.get(code="crime.multi_amount", effective_from="2027-01-01").value == "8000000"
    )

    # 300万元 typed as 30: more than ten times smaller, a second tick is asked for
    page.goto(f"{live_server.url}/settings/parameters/deposit.exempt_below/")
    page.fill("#id_value", "30")
    page.fill("#id_effective_from", "2027-01-01")
    page.fill("#id_note", "测试")
    page.get_by_role("button", name="下一步：核对").click()
    warning = page.get_by_test_id("large-change")
    expect(warning).to_contain_text("变化超过 10 倍")
    expect(warning).to_contain_text("300万元（3,000,000.00 元）")
    expect(page.get_by_test_id("new-value")).to_have_text("30元（30.00 元）")
    shot("parameter-money-confirm-tenfold")
    page.get_by_label("我已核对，确认变化超过 10 倍").check()
    page.get_by_role("button", name="确认登记").click()
    expect(page.get_by_test_id("parameter-history")).to_contain_text("30.00 元")


def _unit_beside(page, box_id: str) -> None:
    """The 元 sits on the same line as the box, right of it, inside the page's width."""
    box = page.locator(f"#{box_id}").bounding_box()
    unit = page.locator(f"#{box_id} + .input-group-text")
    expect(unit).to_have_text("元")
    beside = unit.bounding_box()
    assert box is not None and beside is not None
    assert abs(beside["y"] - box["y"]) < 2 and beside["x"] >= box["x"] + box["width"] - 1
    assert beside["x"] + beside["width"] <= page.viewport_size["width"]


def test_the_worker_portal_shows_yuan_beside_the_amount_on_a_phone(live_server, page, shot, district):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/public/report/")
    _unit_beside(page, "id_amount")
    page.locator("#id_amount").scroll_into_view_if_needed()
    shot("portal-report-amount-yuan-390")


def test_the_project_form_shows_yuan_beside_the_contract_amount(live_server, page, shot, office):
    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(f"{live_server.url}/projects/new/")
    _unit_beside(page, "id_contract_amount")
    shot("project-form-amount-yuan")
