"""A town user's journey: sign in, see only the town's enterprises, edit one, find it in history."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import nav, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_town_user_sees_only_its_enterprises_edits_one_and_finds_it_in_history(
    live_server, page, shot, world, luoxi
):
    sign_in(page, live_server, luoxi.username, PASSWORD)
    expect(page.get_by_test_id("current-user")).to_have_text("罗溪镇测试")
    expect(page.get_by_test_id("enterprise-total")).to_contain_text("2 家企业")
    shot("town-home")

    nav(page, "ledger", "企业台账")
    table = page.get_by_test_id("enterprise-table")
    expect(table).to_contain_text("罗溪纺织有限公司")
    expect(table).to_contain_text("罗溪建设工程有限公司")
    expect(table).not_to_contain_text("薛家机械有限公司")
    expect(table).not_to_contain_text("三井小厨餐饮有限公司")
    expect(page.get_by_test_id("result-count")).to_contain_text("共 2 条")
    shot("town-enterprise-list")

    # Search narrows the list in place (htmx).
    page.get_by_placeholder("企业名称、统一社会信用代码或法定代表人").fill("纺织")
    expect(table).not_to_contain_text("罗溪建设工程有限公司")

    page.get_by_role("link", name="罗溪纺织有限公司").click()
    expect(page.get_by_test_id("enterprise-town")).to_have_text("罗溪镇")
    page.get_by_role("link", name="修改").click()
    page.fill("#id_employees", "432")
    page.fill("#id_contact_person", "刘联络")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("enterprise-employees")).to_have_text("432")
    shot("town-enterprise-detail")

    page.get_by_role("link", name="变更记录").click()
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("罗溪镇测试")
    expect(history).to_contain_text("432")
    expect(history).to_contain_text("刘联络")
    shot("town-enterprise-history")

    # Another town's enterprise is not found, not forbidden.
    response = page.goto(f"{live_server.url}/enterprises/{world.xuejia_factory.uscc}/")
    assert response.status == 404


def test_wrong_password_shows_a_chinese_error(live_server, page, shot, luoxi):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", luoxi.username)
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    expect(page.get_by_test_id("login-error")).to_contain_text("用户名或密码不正确")
    shot("login-error")


def test_list_page_works_on_a_phone_width(live_server, page, shot, world, office):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(f"{live_server.url}/enterprises/")
    expect(page.get_by_test_id("enterprise-table")).to_contain_text("三井置业有限公司")
    shot("office-enterprise-list-phone")
