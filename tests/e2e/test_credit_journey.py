"""The joint-punishment list end to end (§三(七)(十)(十一); 拖欠农民工工资失信联合惩戒对象名单管理暂行办法):
a construction enterprise ignored an order to pay and owes twelve workers three months' wages (above
the criminal threshold); 人社局 sees on the case that it meets the listing condition and proposes it,
registers the legal representative, serves the notice; the enterprise's defence is recorded and
answered; deciding before the defence period ends is refused, the day after it the listing is
decided; 城建局 finds its restriction in 我的待办 and records it; the enterprise carries the 失信 mark
on its page; and the listing shows on the portal's public page on a phone — the legal
representative by name, never the ID number."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from anxin.cases import actions
from anxin.cases import services as case_services
from anxin.core.validators import id_check_digit
from anxin.credit.models import Listing, SanctionTask
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
BODY = "32041119750315021"
ID = BODY + id_check_digit(BODY)


def _as(page, live_server, user) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, user.username, PASSWORD)


def _accept_next_dialog(page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())


def _fill_date(page, form, label: str, day: datetime.date) -> None:
    form.get_by_label(label).fill(f"{day:%Y-%m-%d}")


def test_a_case_meets_the_condition_and_the_enterprise_is_listed_after_notice_and_defence(
    live_server, page, shot, browser, world, office, renshe, chengjian, luoxi
):
    builder = world.luoxi_builder
    # Monday 14 December: the order to pay, served on 20 November, lapsed on 1 December.
    with time_machine.travel("2026-12-14 09:00 +0800", tick=True):
        case = case_services.case_open(
            actor=office,
            enterprise=builder,
            summary="罗溪建设工程有限公司拖欠12名农民工3个月工资",
            workers=12,
            amount_claimed=12 * 3 * 5200 * 100,
            now=timezone.now() - datetime.timedelta(days=30),
        )
        actions.action_request(
            actor=renshe,
            case=case,
            kind="order",
            amount=case.amount_claimed,
            workers=12,
            issued_on=datetime.date(2026, 11, 20),
            served_on=datetime.date(2026, 11, 20),
            pay_by=datetime.date(2026, 11, 30),
            reference="新人社监令〔2026〕21号",
        )
        actions.orders_lapse()

        # 人社局 sees on the case that the condition is met, and proposes.
        _as(page, live_server, renshe)
        page.goto(f"{live_server.url}/cases/{case.pk}/?tab=credit")
        expect(page.get_by_test_id("case-credit-check-order_threshold")).to_contain_text("符合")
        shot("credit-01-case-meets-condition")
        page.get_by_test_id("case-credit-propose").click()
        _accept_next_dialog(page)
        page.get_by_test_id("listing-propose-submit").click()
        expect(page.get_by_test_id("listing-status")).to_have_text("拟列入（待告知）")
        listing = Listing.objects.get(enterprise=builder)
        listing_url = f"{live_server.url}/credit/listings/{listing.pk}/"

        # The legal representative, then the notice served today.
        person = page.get_by_test_id("listing-person-form")
        person.get_by_label("身份", exact=True).select_option("legal_rep")
        person.get_by_label("姓名", exact=True).fill("周建华")
        person.get_by_label("身份证号码", exact=True).fill(ID)
        page.get_by_test_id("listing-person-add").click()
        expect(page.get_by_test_id("listing-persons")).to_contain_text("周建华")
        expect(page.get_by_test_id("listing-persons")).not_to_contain_text(ID)
        serve = page.get_by_test_id("listing-serve-form")
        serve.get_by_label("告知书文号").fill("新人社拟惩告〔2026〕5号")
        _fill_date(page, serve, "送达日期", datetime.date(2026, 12, 14))
        serve.get_by_label("送达方式").select_option("直接送达")
        _accept_next_dialog(page)
        page.get_by_test_id("listing-serve").click()
        expect(page.get_by_test_id("listing-status")).to_have_text("已告知（陈述申辩期）")
        expect(page.get_by_test_id("listing-defence-due")).to_contain_text("2026-12-21")
        # The notice prints what was recorded.
        with page.expect_download() as notice:
            page.get_by_test_id("listing-document-notice").click()
        assert notice.value.suggested_filename.endswith(".docx")

    # Wednesday 16 December: the enterprise's written defence arrives; 人社局 records and answers it.
    with time_machine.travel("2026-12-16 10:00 +0800", tick=True):
        _as(page, live_server, renshe)
        page.goto(listing_url)
        defence = page.get_by_test_id("listing-defence-form")
        _fill_date(page, defence, "收到日期", datetime.date(2026, 12, 16))
        defence.get_by_label("陈述申辩内容").fill("工程款未结算，请求暂缓列入")
        page.get_by_test_id("listing-defence-record").click()
        expect(page.get_by_test_id("listing-defence")).to_contain_text("工程款未结算")
        answer = page.get_by_test_id("listing-answer-form")
        answer.get_by_text("不予采纳").click()
        answer.get_by_label("复核意见").fill("工程款结算纠纷不影响工资支付义务，不予采纳")
        page.get_by_test_id("listing-answer").click()
        expect(page.get_by_test_id("listing-defence")).to_contain_text("不予采纳")

    # Monday 21 December, the defence period's last day: a decision is refused.
    with time_machine.travel("2026-12-21 10:00 +0800", tick=True):
        _as(page, live_server, renshe)
        page.goto(listing_url)
        expect(page.get_by_test_id("listing-decision-problems")).to_contain_text("2026-12-21")
        shot("credit-02-defence-period-running")

    # Tuesday 22 December: the period is over; 人社局 decides to list.
    with time_machine.travel("2026-12-22 10:00 +0800", tick=True):
        _as(page, live_server, renshe)
        page.goto(listing_url)
        decide = page.get_by_test_id("listing-decide-form")
        decide.get_by_label("列入", exact=True).check()
        _fill_date(page, decide, "决定日期", datetime.date(2026, 12, 22))
        decide.get_by_label("决定书文号").fill("新人社惩决〔2026〕5号")
        decide.get_by_label("决定理由").fill("经告知和陈述申辩复核，符合列入条件")
        _accept_next_dialog(page)
        page.get_by_test_id("listing-decide").click()
        expect(page.get_by_test_id("listing-status")).to_have_text("已列入")
        expect(page.get_by_test_id("listing-term")).to_contain_text("2026-12-22 至 2029-12-21")
        expect(page.get_by_test_id("listing-sanctions")).to_contain_text("区城建局")
        shot("credit-03-listed")

        # 城建局 finds its restriction in 我的待办 and records it.
        _as(page, live_server, chengjian)
        page.goto(f"{live_server.url}/cases/todo/")
        panel = page.get_by_test_id("todo-sanctions")
        expect(panel).to_contain_text("罗溪建设工程有限公司")
        shot("credit-04-chengjian-todo")
        panel.get_by_role("link", name="登记实施").click()
        form = page.get_by_test_id("task-form")
        form.get_by_label("措施文号或办理情况").fill(
            "已在建设工程招投标监管平台限制其投标（新建〔2026〕9号）"
        )
        form.get_by_role("button", name="登记已实施").click()
        expect(page.get_by_test_id("task-done-on")).to_have_text("2026-12-22")
        task = SanctionTask.objects.get(listing=listing, unit__code="construction")
        assert task.status == "done"

        # The enterprise carries the 失信 mark for 城建局 too.
        page.goto(f"{live_server.url}/enterprises/{builder.uscc}/")
        expect(page.get_by_test_id("credit-mark").first).to_be_visible()
        shot("credit-05-enterprise-marked")

        # 罗溪镇, where the enterprise lies, reads the listing on the enterprise's 信用 tab — and may not decide.
        _as(page, live_server, luoxi)
        page.goto(f"{live_server.url}/enterprises/{builder.uscc}/?tab=credit")
        expect(page.get_by_test_id("credit-listed")).to_contain_text("2026-12-22 至 2029-12-21")
        expect(page.get_by_test_id("credit-tab-sanctions")).to_contain_text("区城建局")
        shot("credit-06-town-credit-tab")
        page.goto(listing_url)
        expect(page.get_by_test_id("listing-status")).to_have_text("已列入")
        expect(page.get_by_test_id("listing-removal-form")).to_have_count(0)

        # The public page, on a phone: the listing with the legal representative's name, no ID number.
        context = browser.new_context(**PHONE)
        phone = context.new_page()
        try:
            phone.goto(f"{live_server.url}/public/violations/")
            phone.get_by_label("单位名称或统一社会信用代码").fill("罗溪建设")
            phone.get_by_role("button", name="查询").click()
            listing_card = phone.get_by_test_id("public-listing")
            expect(listing_card).to_have_count(1)
            expect(listing_card).to_contain_text("罗溪建设工程有限公司")
            expect(listing_card).to_contain_text("周建华")
            expect(listing_card).to_contain_text("2029年12月21日")
            assert ID not in phone.content()
            SCREENSHOTS.mkdir(exist_ok=True)
            phone.screenshot(path=str(SCREENSHOTS / "credit-07-public-listing-390.png"), full_page=True)
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        finally:
            context.close()
