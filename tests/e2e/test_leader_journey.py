"""The leader's journey (issue 14, items 11 and 12): the special report leads with the office's text,
the leader marks it 已阅 and records a 批示 to two units; the named town reads it on the report and
finds the notice in an inbox grouped by kind and enterprise; the cockpit shows amounts owed and
recovered and states the red list's citation once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anxin.cases.tests.factories import open_case
from anxin.money.models import Payment
from anxin.monitoring import immediate, scan
from anxin.monitoring.models import ImmediateReport
from anxin.monitoring.tests.factories import observe
from anxin.notify.models import Notification
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BODY = (
    "一、基本情况。罗溪纺织有限公司拖欠36名工人9月、10月工资约86万元，工人已在厂门口聚集。\n"
    "二、研判意见。罗溪镇研判有可能引发集体上访或群体性事件。\n"
    "三、已采取的措施。镇分管领导到场约谈企业主，责令三日内提出支付方案；人社局已立案调查。\n"
    "四、建议。请区领导督促公安分局提前介入，防止企业主转移资产。"
)


def test_leader_reads_and_instructs_the_town_sees_it_and_the_cockpit_shows_the_money(
    live_server, page, shot, world, luoxi, office, leader
):
    for name in ("luoxi_factory", "xuejia_factory"):
        observe(getattr(world, name), "wage_arrears_months", "2026-11", 3)
        observe(getattr(world, name), "wage_arrears_amount", "2026-11", 8_600_000)
    scan.scan(as_of=datetime.date(2026, 11, 25))
    report = ImmediateReport.objects.get(enterprise=world.luoxi_factory)
    immediate.report_submit(
        actor=luoxi,
        report=report,
        mass_incident_risk=True,
        risk_judgement="36名工人聚集",
        measures="约谈企业主",
    )
    immediate.report_special(
        actor=office, report=report, title="关于罗溪纺织有限公司欠薪情况的专题报告", body=BODY
    )
    case = open_case(world.luoxi_factory, actor=office, amount_claimed=86_000_000)
    Payment.objects.create(
        case=case, amount=30_000_000, paid_on=timezone.localdate(), source="closing", recorded_by=office
    )

    sign_in(page, live_server, leader.username, PASSWORD)
    expect(page.get_by_test_id("shell-warning")).to_have_count(0)
    page.goto(f"{live_server.url}/cockpit/")
    to_read = page.get_by_test_id("cockpit-to-read")
    expect(to_read).to_contain_text("专题报告待您阅示")
    page.wait_for_selector(".chart svg")
    shot("leader-cockpit-to-read")
    to_read.get_by_role("link", name="关于罗溪纺织有限公司欠薪情况的专题报告").click()
    special = page.get_by_test_id("special-report")
    expect(special).to_contain_text("请区领导督促公安分局提前介入")
    # The office's text comes first, the machine's facts after it.
    top = special.bounding_box()["y"]
    assert top < page.get_by_test_id("machine-facts").bounding_box()["y"]
    shot("leader-special-report")

    page.get_by_test_id("mark-read").click()
    expect(page.get_by_test_id("read-by-me")).to_be_visible()
    form = page.get_by_test_id("instruct-form")
    form.get_by_label("批示内容").fill(
        "请公安分局提前介入，防止转移资产；罗溪镇做好工人稳控，确保春节前工资发放到位。"
    )
    form.get_by_label("公安分局").check()
    expect(form.get_by_label("罗溪镇")).to_be_checked()  # the responsible town is preselected
    form.get_by_role("button", name="批示并送达").click()
    expect(page.get_by_test_id("instruction")).to_contain_text("请公安分局提前介入")
    expect(page.get_by_test_id("readings")).to_contain_text(leader.display_name)
    shot("leader-special-report-instructed")

    page.goto(f"{live_server.url}/cockpit/")
    expect(page.get_by_test_id("cockpit-to-read")).to_have_count(0)  # read: no longer waiting
    expect(page.get_by_test_id("cockpit-money")).to_be_visible()
    expect(page.get_by_test_id("money-owed")).to_contain_text("860,000.00")
    expect(page.get_by_test_id("money-paid")).to_contain_text("300,000.00")
    expect(page.get_by_test_id("cockpit-red-basis")).to_contain_text("宝应")
    expect(page.get_by_test_id("cockpit-red-table")).not_to_contain_text("依据")
    page.wait_for_selector(".chart svg")
    shot("leader-cockpit")

    # The town: 28 notices of one kind, the 批示 still on top of its grouped inbox.
    for i in range(28):
        Notification.objects.create(
            recipient=luoxi,
            topic="signal-overdue",
            about="罗溪某建材经营部",
            subject=f"线索核实逾期：#{i + 1}",
        )
    Notification.objects.filter(topic="leader-instruction").update(created_at=timezone.now())
    page.context.clear_cookies()
    sign_in(page, live_server, luoxi.username, PASSWORD)
    page.goto(f"{live_server.url}/inbox/")
    inbox = page.get_by_test_id("inbox")
    expect(inbox.get_by_test_id("inbox-notice").first).to_contain_text("区领导批示")
    expect(inbox.get_by_test_id("inbox-group-count").first).to_be_visible()
    expect(page.get_by_test_id("inbox-kind-leader-instruction")).to_be_visible()
    shot("town-inbox-grouped")
    inbox.locator("summary", has_text="罗溪某建材经营部").click()
    expect(inbox.get_by_test_id("inbox-group-all")).to_contain_text("查看本组全部 28 条")
    shot("town-inbox-group-open")
    inbox.get_by_test_id("inbox-notice").first.click()
    expect(page.get_by_test_id("instruction")).to_contain_text("罗溪镇做好工人稳控")
    expect(page.get_by_test_id("instruct-form")).to_have_count(0)
    shot("town-special-report-instruction")
