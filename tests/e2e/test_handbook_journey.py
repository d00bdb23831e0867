"""The 计酬手册 and the site's notice board in a browser (issue #16 items 4 and 5): a worker opens their
own handbook on a 390 px phone by ID number and SMS code; a worker scans the board's QR code and
reports with JavaScript off, the project fixed; 城建局 keeps the board's contacts on the project's
告示牌 tab (1366 px)."""

from __future__ import annotations

import datetime
import re

import pytest
from captcha.models import CaptchaStore
from playwright.sync_api import expect

from anxin.intake.models import Signal
from anxin.notify.models import SmsMessage
from anxin.org.tests.factories import PASSWORD
from anxin.sites.handbook import board_of
from anxin.sites.tests.factories_handbook import payroll, rostered
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


def _shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"


def test_a_worker_opens_their_handbook_on_a_phone(live_server, browser, world):
    site = world.luoxi_project
    worker = rostered(site, n=21, name="张三", phone="13912345678", start=datetime.date(2026, 8, 5))
    mate = rostered(site, n=22, name="李四", phone="13800000022", start=datetime.date(2026, 8, 5))
    payroll(site, datetime.date(2026, 8, 1), [(worker, "22", 660_000, 660_000, datetime.date(2026, 9, 15)),
                                              (mate, "20", 600_000, 600_000, datetime.date(2026, 9, 15))])  # fmt: skip
    payroll(
        site, datetime.date(2026, 9, 1), [(worker, "21.5", 645_000, 545_000, datetime.date(2026, 10, 15))]
    )
    context = browser.new_context(**PHONE)
    phone = context.new_page()
    try:
        phone.goto(f"{live_server.url}/public/handbook/")
        phone.get_by_label("本人身份证号码").fill(worker.id_number)
        _solve_captcha(phone)
        _shot(phone, "handbook-390-ask")
        _fits(phone)
        phone.get_by_role("button", name="获取短信验证码").click()
        expect(phone.get_by_test_id("handbook-sent")).to_contain_text("验证码已通过短信发送")
        text = SmsMessage.objects.filter(text__contains="计酬手册").latest("pk").text
        found = re.search(r"验证码 (\d{6})", text)
        assert found is not None
        phone.get_by_label("短信验证码（6 位数字）").fill(found.group(1))
        phone.get_by_role("button", name="查看").click()
        expect(phone.get_by_test_id("handbook-who")).to_contain_text("张三")
        expect(phone.get_by_test_id("handbook-project")).to_contain_text("罗溪安置房项目")
        august = phone.locator('[data-testid=handbook-month][data-month="2026-08"]')
        expect(august).to_contain_text("6,600.00 元")
        september = phone.locator('[data-testid=handbook-month][data-month="2026-09"]')
        expect(september).to_contain_text("未足额 1,000.00 元")
        expect(phone.locator("main")).not_to_contain_text("李四")
        _shot(phone, "handbook-390-mine")
        _fits(phone)
        phone.get_by_test_id("handbook-leave").click()
        expect(phone.get_by_label("本人身份证号码")).to_be_visible()
    finally:
        context.close()


def test_a_worker_scans_the_board_and_reports_on_that_project_without_javascript(live_server, browser, world):
    site = world.menghe_river
    link = board_of(site).link.removeprefix("http://127.0.0.1:8000")
    context = browser.new_context(**{**PHONE, "java_script_enabled": False})
    worker = context.new_page()
    try:
        worker.goto(f"{live_server.url}{link}")
        fixed = worker.get_by_test_id("portal-project")
        expect(fixed).to_contain_text("孟河河道整治项目")
        expect(fixed).to_contain_text("孟河镇")
        expect(worker.locator("select[name=town]")).to_have_count(0)
        worker.get_by_label("用人单位名称").fill("某某劳务队")
        worker.get_by_label("拖欠工资的期间").fill("2026年9月至10月")
        worker.get_by_label("拖欠几个月").fill("2")
        worker.get_by_label("拖欠金额（估计即可）").fill("1万5")
        worker.get_by_label("被拖欠人数（含本人）").fill("3")
        worker.get_by_label("具体情况").fill("河道工地干完活，工资一直没发")
        worker.get_by_label("您的姓名").fill("王五")
        worker.get_by_label("手机号").fill("13912345679")
        worker.get_by_label("我已阅读并同意上方的个人信息使用说明").check()
        _solve_captcha(worker)
        _shot(worker, "board-qr-nojs-390-form")
        _fits(worker)
        worker.get_by_role("button", name="提交").click()
        code_box = worker.get_by_test_id("tracking-code")
        expect(code_box).to_be_visible()
        signal = Signal.objects.get(tracking_code=code_box.get_attribute("data-code"))
        assert signal.project == site and signal.town == site.town
        assert signal.assigned_unit.code == "agriculture-water"
        _shot(worker, "board-qr-nojs-390-done")
    finally:
        context.close()


def test_the_construction_bureau_keeps_the_board_on_the_project_page(
    live_server, page, shot, world, chengjian
):
    sign_in(page, live_server, chengjian.username, PASSWORD)
    page.goto(f"{live_server.url}/projects/{world.luoxi_project.pk}/?tab=board")
    expect(page.get_by_test_id("board-preview")).to_contain_text("劳动保障监察举报投诉电话：12333")
    page.get_by_label("姓名").first.fill("王建国")
    page.get_by_label("联系电话").first.fill("13905190001")
    page.get_by_label("姓名").nth(1).fill("李秀梅")
    page.get_by_label("联系电话").nth(1).fill("0519-85550001")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("board-preview")).to_contain_text("项目负责人")
    expect(page.get_by_test_id("board-preview")).to_contain_text("王建国 13905190001")
    expect(page.get_by_test_id("board-qr").locator("svg")).to_be_visible()
    shot("board-tab-1366")
    with page.expect_download() as fetched:
        page.get_by_test_id("board-pdf").click()
    assert fetched.value.suggested_filename == "维权信息告示牌-罗溪安置房项目.pdf"
