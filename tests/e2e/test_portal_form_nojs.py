"""The worker's report on a 390 px phone with JavaScript turned off (a phone form on a poor
network, issue #14): fill in an employer the worker cannot place (town 不清楚, address, site,
包工头), an amount as people say it ("3万2") and an iPhone photo; a refused submit shows every
error beside its box; the corrected one gives the tracking code, the handling unit and the amount
in figures; the code and phone then open the report's progress."""

from __future__ import annotations

from pathlib import Path

import pytest
from captcha.models import CaptchaStore
from playwright.sync_api import expect

from anxin.intake.models import Signal
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import SCREENSHOTS, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NO_JS_PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "java_script_enabled": False,
}
HEIC = Path(__file__).parents[2] / "anxin" / "core" / "tests" / "fixtures" / "iphone-64px.heic"


def _solve_captcha(page) -> None:
    key = page.locator("input[name=captcha_0]").input_value()
    page.fill("input[name=captcha_1]", CaptchaStore.objects.get(hashkey=key).response)


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"


def test_a_worker_reports_a_site_with_no_javascript_and_follows_it_by_code(
    live_server, browser, page, shot, world, office
):
    context = browser.new_context(**NO_JS_PHONE)
    worker = context.new_page()
    try:
        worker.goto(f"{live_server.url}/public/report/")
        expect(worker.locator("[data-captcha-refresh]")).to_be_hidden()  # it needs JavaScript
        worker.get_by_label("用人单位名称").fill("某某劳务队")
        worker.get_by_label("工作地点所在镇/街道").select_option(label="不清楚")
        worker.get_by_label("工作地点地址（选填）").fill("空港大道88号北侧工地")
        worker.get_by_label("工地/项目名称（建筑工地填写）").fill("空港产业园三期工地")
        worker.get_by_label("包工头或总包单位（选填）").fill("张三")
        worker.get_by_label("拖欠工资的期间").fill("2026年9月至10月")
        worker.get_by_label("拖欠几个月").fill("2")
        worker.get_by_label("拖欠金额（估计即可）").fill("3万2")
        worker.get_by_label("被拖欠人数（含本人）").fill("4")
        worker.get_by_label("具体情况").fill("工地干完活，包工头说总包没给钱")
        worker.get_by_label("您的姓名").fill("王五")
        worker.get_by_label("手机号").fill("1391234")  # too short: refused beside the box
        worker.get_by_label("照片（选填，最多3张）").set_input_files(str(HEIC))
        worker.get_by_label("我已阅读并同意上方的个人信息使用说明").check()
        _solve_captcha(worker)
        _shot(worker, "portal-nojs-390-form")
        _fits(worker)
        worker.get_by_role("button", name="提交").click()

        # Refused for the phone alone; what was typed is kept, the error sits under its box.
        expect(worker.get_by_test_id("portal-form-errors")).to_be_visible()
        phone_box = worker.get_by_label("手机号")
        expect(phone_box).to_have_attribute("aria-invalid", "true")
        expect(worker.locator("#id_reporter_phone_error")).to_be_visible()
        expect(worker.get_by_label("拖欠金额（估计即可）")).to_have_value("3万2")
        expect(worker.get_by_label("工作地点所在镇/街道")).to_have_value("unknown")
        expect(worker.locator("input[name=captcha_1]")).to_have_count(0)  # solved once already
        expect(worker.get_by_test_id("photos-reselect")).to_be_visible()  # a browser keeps no file
        summary = worker.get_by_test_id("portal-form-errors").get_by_role("link", name="手机号")
        expect(summary).to_have_attribute("href", "#id_reporter_phone")
        _shot(worker, "portal-nojs-390-refused")
        _fits(worker)
        phone_box.fill("139 1234 5678")
        worker.get_by_label("照片（选填，最多3张）").set_input_files(str(HEIC))  # files are not kept
        worker.get_by_role("button", name="提交").click()

        code_box = worker.get_by_test_id("tracking-code")
        expect(code_box).to_be_visible()
        code = code_box.get_attribute("data-code")
        assert code and len(code) == 16
        expect(worker.get_by_test_id("portal-done-amount")).to_have_text("32,000.00 元")
        handlers = worker.get_by_test_id("portal-done-handlers")
        expect(handlers).to_contain_text("区城建局（条线主管）")
        expect(handlers).to_contain_text("区联席办将根据地址和单位确定属地后转办")
        _shot(worker, "portal-nojs-390-done")
        _fits(worker)
        signal = Signal.objects.get(tracking_code=code)
        assert signal.amount == 3_200_000 and signal.town is None
        assert signal.assigned_unit.code == "construction"
        assert (signal.work_address, signal.contractor_name) == ("空港大道88号北侧工地", "张三")
        assert signal.attachments.get().content_type == "image/heic"

        # A fresh session: the code and the phone open the report's progress.
        context.clear_cookies()
        worker.goto(f"{live_server.url}/public/track/")
        worker.get_by_label("查询码").fill(code.lower())
        worker.get_by_label("提交时填写的手机号").fill("13912345678")
        _solve_captcha(worker)
        worker.get_by_role("button", name="查询").click()
        expect(worker.get_by_test_id("portal-steps")).to_contain_text("已受理登记")
        _shot(worker, "portal-nojs-390-status")
        _fits(worker)

        # The office sees what the worker said and the iPhone photo as a download (1366 px).
        sign_in(page, live_server, office.username, PASSWORD)
        page.goto(f"{live_server.url}/signals/{signal.pk}/")
        expect(page.get_by_test_id("signal-work-address")).to_have_text("空港大道88号北侧工地")
        expect(page.get_by_test_id("signal-contractor")).to_have_text("张三")
        download_link = page.get_by_test_id("attachment-download-only")
        expect(download_link).to_have_attribute("download", "")
        with page.expect_download() as fetched:
            download_link.click()
        assert fetched.value.suggested_filename == "iphone-64px.heic"
        shot("officer-signal-site-report-heic")
    finally:
        context.close()


def test_with_javascript_the_captcha_can_be_refreshed_in_place(live_server, browser, district):
    context = browser.new_context(**{**NO_JS_PHONE, "java_script_enabled": True})
    worker = context.new_page()
    try:
        worker.goto(f"{live_server.url}/public/report/")
        worker.get_by_label("用人单位名称").fill("某某劳务队")
        refresh = worker.get_by_role("button", name="换一张")
        expect(refresh).to_be_visible()
        before = worker.locator("input[name=captcha_0]").input_value()
        refresh.click()
        expect(worker.locator("input[name=captcha_0]")).not_to_have_value(before)
        expect(worker.get_by_label("用人单位名称")).to_have_value("某某劳务队")
    finally:
        context.close()
