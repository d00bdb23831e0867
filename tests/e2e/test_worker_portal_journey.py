"""A worker's journey on a phone: report arrears, get a code; an officer verifies and replies;
the worker sees the reply with code + phone and rates the outcome."""

from __future__ import annotations

import pytest
from captcha.models import CaptchaStore
from playwright.sync_api import expect

from anxin.intake import services
from anxin.intake.models import Signal
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import SCREENSHOTS, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


def _solve_captcha(page) -> None:
    key = page.locator("input[name=captcha_0]").input_value()
    page.fill("input[name=captcha_1]", CaptchaStore.objects.get(hashkey=key).response)


def _phone_shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_worker_reports_on_a_phone_officer_replies_worker_sees_the_reply_and_rates_it(
    live_server, browser, page, shot, world, luoxi
):
    phone = browser.new_context(**PHONE)
    worker = phone.new_page()
    try:
        worker.goto(f"{live_server.url}/public/")
        _phone_shot(worker, "portal-phone-home")
        worker.get_by_role("link", name="我要反映欠薪").click()
        expect(worker.get_by_role("heading", name="个人信息使用说明（提交前请阅读）")).to_be_visible()
        worker.fill("#id_employer_name", "罗溪纺织有限公司")
        worker.select_option("#id_town", label="罗溪镇")
        worker.fill("#id_period", "2026年9月至10月")
        worker.fill("#id_months_owed", "2")
        worker.fill("#id_amount", "8600")
        worker.fill("#id_workers", "3")
        worker.fill("#id_summary", "车间三人两个月工资没发<script>alert(1)</script>")
        worker.fill("#id_reporter_name", "王五")
        worker.fill("#id_reporter_phone", "139 1234 5678")
        worker.check("#id_consent")
        _solve_captcha(worker)
        _phone_shot(worker, "portal-phone-form")
        worker.get_by_role("button", name="提交").click()
        code_box = worker.get_by_test_id("tracking-code")
        expect(code_box).to_be_visible()
        code = code_box.get_attribute("data-code")
        assert code and len(code) == 16
        _phone_shot(worker, "portal-phone-code")

        # The officer of the town sees it in "我的待核实", verifies it and replies.
        sign_in(page, live_server, luoxi.username, PASSWORD)
        expect(page.get_by_test_id("signals-mine")).to_contain_text("1 条待核实")
        page.get_by_test_id("signals-mine").click()
        page.get_by_test_id("signal-table").get_by_role("link", name="罗溪纺织有限公司").first.wait_for()
        page.get_by_test_id("signal-table").locator("a", has_text="#").first.click()
        expect(page.get_by_test_id("signal-summary")).to_contain_text("<script>alert(1)</script>")
        page.get_by_role("button", name="开始核实").click()
        page.get_by_label("属实", exact=True).check()
        page.get_by_placeholder("核实情况：查了什么、结果如何").fill("走访车间，三名工人9、10月工资未发属实")
        page.get_by_role("button", name="记录核实结论").click()
        page.get_by_label("答复内容").fill("经核实属实，已责令企业于12月5日前足额支付。")
        page.get_by_test_id("reply-button").click()
        expect(page.get_by_test_id("public-reply")).to_contain_text("12月5日前")
        shot("officer-signal-replied")

        # The worker, in a fresh session, follows the report with code + phone.
        worker.context.clear_cookies()
        worker.goto(f"{live_server.url}/public/track/")
        worker.fill("#id_code", code.lower())
        worker.fill("#id_phone", "13912345678")
        _solve_captcha(worker)
        worker.get_by_role("button", name="查询").click()
        expect(worker.get_by_test_id("portal-reply")).to_contain_text("已责令企业于12月5日前足额支付")
        expect(worker.get_by_test_id("portal-steps")).to_contain_text("已核实")
        expect(worker.locator("body")).not_to_contain_text("走访车间")  # the internal finding stays inside
        _phone_shot(worker, "portal-phone-status")
        width = worker.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the status page scrolls sideways on a phone ({width}px)"
        expect(worker.get_by_test_id("rate-form")).to_have_count(0)  # not before closure

        # The town closes the report; the worker rates the outcome on the same page.
        services.signal_close(
            actor=luoxi, signal=Signal.objects.get(tracking_code=code), note="企业已于12月5日足额支付"
        )
        worker.reload()
        expect(worker.get_by_test_id("portal-steps")).to_contain_text("已办结")
        rate_form = worker.get_by_test_id("rate-form")
        expect(rate_form).to_be_visible()
        rate_form.get_by_label("满意", exact=True).check()
        rate_form.get_by_label("意见和建议（选填）").fill("处理很快，工资已经拿到了")
        rate_form.get_by_role("button", name="提交评价").click()
        expect(worker.get_by_test_id("portal-rating")).to_contain_text("满意：处理很快，工资已经拿到了")
        expect(worker.get_by_test_id("rate-form")).to_have_count(0)  # once only
        _phone_shot(worker, "portal-phone-rated")
        width = worker.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the rated status page scrolls sideways on a phone ({width}px)"
        rated = Signal.objects.get(tracking_code=code)
        assert (rated.satisfaction, rated.satisfaction_comment) == ("satisfied", "处理很快，工资已经拿到了")
    finally:
        phone.close()
