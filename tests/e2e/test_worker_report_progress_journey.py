"""Issue #14 items 1 and 7 in a real browser: the worker's phone has JavaScript off (a plain-form
portal on a poor network, 390 px). The case opened on the report is in mediation with a lapsed
order to pay: the worker sees that in plain words with the unit's phone, adds material; the town
tries to close the report and is refused, closes it with a reason the worker reads; the worker
rates 不满意 / 仍未拿到工资; the office sees the follow-up on its home page and the signal page."""

from __future__ import annotations

import pytest
from captcha.models import CaptchaStore
from playwright.sync_api import expect

from anxin.cases import services as case_services
from anxin.cases.tests.factories import lapsed_order, open_case
from anxin.intake import services
from anxin.intake.models import ReportClosure, Signal
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import SCREENSHOTS, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "java_script_enabled": False,
}


def _solve_captcha(page) -> None:
    key = page.locator("input[name=captcha_0]").input_value()
    page.fill("input[name=captcha_1]", CaptchaStore.objects.get(hashkey=key).response)


def _phone_shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"


def test_a_report_in_mediation_is_not_closed_and_dissatisfaction_reaches_the_office(
    live_server, browser, page, shot, world, luoxi, renshe, office
):
    report = services.portal_submit(
        facts={"employer_name": "罗溪纺织有限公司", "summary": "车间三人两个月工资没发",
               "reporter_phone": "13912345678", "amount": 860000, "workers": 3, "period": "2026年9月至10月",
               "months_owed": 2},
        town=world.luoxi_factory.town, photos=[], ip="10.3.3.3",
    )  # fmt: skip
    services.signal_verify(actor=luoxi, signal=report, result="substantiated", note="走访车间属实")
    case = open_case(world.luoxi_factory, actor=luoxi, signals=[report])
    lapsed_order(case, renshe)
    # A red case enters mediation with an approved plan (§四(三) 一企一策).
    case_services.plan_save(
        actor=luoxi, case=case, measures="约谈企业主", responsible="分管镇长", timeline="一周内"
    )
    case_services.plan_submit(actor=luoxi, case=case)
    case_services.plan_review(actor=office, case=case, approve=True, note="同意")
    case_services.case_move(actor=luoxi, case=case, action="skip", reason="现场稳定，直接调解")

    phone = browser.new_context(**PHONE)
    worker = phone.new_page()
    try:
        # The link in the SMS: the lookup with the code filled in; the worker types the phone.
        worker.goto(f"{live_server.url}/public/track/{report.tracking_code}/")
        expect(worker.locator("#id_code")).to_have_value(report.tracking_code)
        worker.fill("#id_phone", "13912345678")
        _solve_captcha(worker)
        worker.get_by_role("button", name="查询").click()
        progress = worker.get_by_test_id("portal-case")
        expect(progress).to_contain_text("正在调解")
        expect(progress).to_contain_text("已责令企业限期支付")
        expect(progress).to_contain_text("企业逾期未支付")
        expect(worker.get_by_test_id("portal-steps").locator(".step-item.active")).to_contain_text(
            "处理中（已立案）"
        )
        expect(worker.get_by_test_id("portal-unit")).to_contain_text("罗溪镇")
        expect(worker.get_by_test_id("portal-unit").get_by_role("link", name="12333")).to_be_visible()
        expect(worker.get_by_test_id("portal-rights")).to_contain_text("劳动仲裁")
        expect(worker.locator("body")).not_to_contain_text("走访车间属实")  # internal finding
        expect(worker.locator("body")).not_to_contain_text("现场稳定")  # internal reason
        _fits(worker)
        _phone_shot(worker, "portal-phone-case-progress")

        # Adding material: a plain multipart form.
        worker.get_by_label("补充说明").fill("老板昨天又说下个月再发")
        worker.get_by_test_id("material-submit").click()
        expect(worker.get_by_test_id("portal-added")).to_contain_text("老板昨天又说下个月再发")

        # The town replies, tries to close, is refused while the case is in mediation.
        sign_in(page, live_server, luoxi.username, PASSWORD)
        page.goto(f"{live_server.url}/signals/{report.pk}/")
        expect(page.get_by_test_id("signal-events")).to_contain_text("老板昨天又说下个月再发")
        expect(page.get_by_test_id("signal-cases")).to_contain_text(case.number)
        page.get_by_label("答复内容").fill("已立案处理，正在组织调解。")
        page.get_by_test_id("reply-button").click()
        close_form = page.get_by_test_id("close-form")
        expect(close_form.get_by_test_id("close-case-open")).to_contain_text("协调调解")
        close_form.get_by_label("办结情况").fill("已处理")
        page.once("dialog", lambda dialog: dialog.accept())
        close_form.get_by_role("button", name="办结").click()
        expect(page.locator(".alert-danger")).to_contain_text("尚未结案")
        assert Signal.objects.get(pk=report.pk).stage != "closed"
        shot("signal-close-refused-case-open")
        # Closing with a reason the worker reads.
        close_form = page.get_by_test_id("close-form")
        close_form.get_by_label("办结情况").fill("转案件办理")
        close_form.get_by_label("案件未结即办结的说明（反映人可见）").fill(
            "欠薪已立案，由案件继续追讨，进度见本页"
        )
        page.once("dialog", lambda dialog: dialog.accept())
        close_form.get_by_role("button", name="办结").click()
        expect(page.locator(".alert-success")).to_contain_text("已办结")

        # The worker reads the reason and says they are still unpaid.
        worker.reload()
        expect(worker.get_by_test_id("portal-open-case-reason")).to_contain_text("由案件继续追讨")
        rate = worker.get_by_test_id("rate-form")
        rate.get_by_label("不满意", exact=True).check()
        rate.get_by_label("仍未拿到工资").check()
        rate.get_by_label("意见和建议（选填）").fill("说是办结了，可是工资一分钱都没拿到！")
        rate.get_by_role("button", name="提交评价").click()
        expect(worker.get_by_test_id("portal-followup")).to_contain_text("已重新交办理单位处理")
        expect(worker.get_by_test_id("portal-steps")).to_contain_text("处理中")
        _fits(worker)
        _phone_shot(worker, "portal-phone-reopened")
    finally:
        phone.close()

    closure = ReportClosure.objects.get(signal=report)
    assert closure.unit == luoxi.unit and closure.dissatisfied and closure.case_open

    # The office sees the follow-up on its home page, in the list and on the signal page.
    page.context.clear_cookies()
    sign_in(page, live_server, office.username, PASSWORD)
    card = page.get_by_test_id("signals-followups")
    expect(card).to_contain_text("反映人不满意待回访 1 条")
    shot("office-home-followup")
    card.click()
    page.locator("a", has_text=f"#{report.pk}").first.click()
    banner = page.get_by_test_id("signal-followup")
    expect(banner).to_contain_text("反映人不满意，已重新转入处理")
    expect(banner).to_contain_text("portal.followup_working_days=5")
    expect(page.get_by_test_id("signal-closures")).to_contain_text("仍未拿到工资")
    shot("signal-followup")


def test_a_worker_who_lost_the_code_recovers_it_by_phone_and_sms_code(live_server, browser, world):
    from anxin.notify.models import SmsMessage

    report = services.portal_submit(
        facts={"employer_name": "罗溪纺织有限公司", "summary": "工资没发", "reporter_phone": "13912345678",
               "amount": 100000, "workers": 1},
        town=world.luoxi_factory.town, photos=[], ip="10.4.4.4",
    )  # fmt: skip
    phone = browser.new_context(**PHONE)
    worker = phone.new_page()
    try:
        worker.goto(f"{live_server.url}/public/track/")
        worker.get_by_test_id("recover-link").click()
        worker.get_by_label("提交反映时填写的手机号").fill("139 1234 5678")
        _solve_captcha(worker)
        _fits(worker)
        _phone_shot(worker, "portal-phone-recover")
        worker.get_by_role("button", name="获取短信验证码").click()
        expect(worker.get_by_role("status")).to_contain_text("139****5678")
        import re

        sms = SmsMessage.objects.filter(text__contains="验证码").latest("pk").text
        worker.get_by_label("短信验证码（6 位数字）").fill(re.search(r"验证码 (\d{6})", sms).group(1))
        worker.get_by_role("button", name="确认").click()
        found = worker.get_by_test_id("recover-found")
        expect(found).to_contain_text(report.tracking_code)
        _fits(worker)
        _phone_shot(worker, "portal-phone-recovered")
        found.get_by_role("link").first.click()
        expect(worker.get_by_test_id("portal-steps")).to_contain_text("已受理登记")
    finally:
        phone.close()
