"""A red enterprise: the home page counts it, its page explains why, the town acknowledges the
alert and submits the immediate report, the office sends the special report, a leader reads it."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from anxin.monitoring import scan
from anxin.monitoring.models import Alert
from anxin.monitoring.tests.factories import observe
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import nav, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_red_enterprise_explained_acknowledged_reported_and_read_by_a_leader(
    live_server, page, shot, world, luoxi, office, leader
):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    observe(world.luoxi_factory, "si_arrears_months", "2026-11", 2)
    scan.scan(as_of=datetime.date(2026, 11, 25))

    sign_in(page, live_server, luoxi.username, PASSWORD)
    expect(page.get_by_test_id("risk-red")).to_contain_text("1 家红色风险企业")
    shot("warning-town-home")
    page.get_by_role("link", name="驾驶舱").click()
    expect(page.get_by_test_id("cockpit-red-table")).to_contain_text("罗溪纺织有限公司")
    expect(page.get_by_test_id("cockpit-red-table")).to_contain_text("拖欠工资 3 个月")
    page.wait_for_selector(".chart svg")
    shot("warning-cockpit")
    page.get_by_test_id("cockpit-red").click()
    page.get_by_test_id("risk-table").get_by_role("link", name="罗溪纺织有限公司").first.click()
    risk = page.get_by_test_id("enterprise-risk")
    expect(risk).to_contain_text("拖欠工资 3 个月")
    expect(risk).to_contain_text("社保连续欠缴 2 个月")
    expect(risk).to_contain_text("§五(二)")
    shot("warning-enterprise-risk")
    # Each piece of evidence opens the monthly figures it came from (监测数据台账).
    risk.get_by_role("link", name="拖欠工资月数").first.click()
    expect(page.get_by_test_id("observation-table")).to_contain_text("罗溪纺织有限公司")
    expect(page.get_by_test_id("enterprise-filter")).to_contain_text(world.luoxi_factory.uscc)
    shot("warning-observation-ledger")

    alert = Alert.objects.get(enterprise=world.luoxi_factory, rule="IMMEDIATE_ARREARS_2M")
    page.goto(f"{live_server.url}/alerts/{alert.pk}/")
    expect(page.get_by_test_id("alert-explanation")).to_contain_text("≥2")
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_test_id("alert-events")).to_contain_text("签收")
    shot("warning-alert-acknowledged")

    # The red enterprise was proposed for the watch list: the town confirms it and files a follow-up.
    nav(page, "monitoring", "重点监控")
    page.get_by_test_id("watch-table").get_by_role("link", name="罗溪纺织有限公司").click()
    page.get_by_role("button", name="确认纳入重点监控").click()
    expect(page.get_by_test_id("watch-status")).to_have_text("重点监控中")
    followup = page.get_by_test_id("followup-form")
    followup.get_by_label("工资支付情况").fill("9、10月工资仍未发放，企业称月底前支付一个月")
    followup.get_by_label("采取的措施").fill("约谈企业主，要求提供资金来源")
    followup.get_by_role("button", name="保存回访").click()
    expect(page.get_by_test_id("followups")).to_contain_text("9、10月工资仍未发放")
    shot("warning-watch-followup")

    nav(page, "monitoring", "即时报告")
    page.get_by_test_id("report-table").get_by_role("link", name="罗溪纺织有限公司").click()
    form = page.get_by_test_id("report-form")
    form.get_by_label("有可能").check()
    form.get_by_label("涉及人数").fill("36")
    form.get_by_label("研判意见").fill("36名工人两个月未领工资，已在厂门口聚集")
    form.get_by_label("已采取的措施").fill("镇分管领导到场，约谈企业主，责令三日内提出支付方案")
    page.once("dialog", lambda dialog: dialog.accept())
    form.get_by_role("button", name="报送联席办").click()
    expect(page.get_by_test_id("report-status")).to_have_text("已报送联席办")
    shot("warning-report-submitted")

    page.context.clear_cookies()
    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(f"{live_server.url}/reports/?status=submitted")
    page.get_by_test_id("report-table").get_by_role("link", name="罗溪纺织有限公司").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("special-form").get_by_role("button", name="报送区领导").click()
    expect(page.get_by_test_id("special-report")).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, live_server, leader.username, PASSWORD)
    expect(page.get_by_test_id("inbox-unread")).to_be_visible()
    page.get_by_test_id("inbox-bell").click()
    inbox = page.get_by_test_id("inbox")
    expect(inbox).to_contain_text("专题报告：关于罗溪纺织有限公司欠薪情况的专题报告")
    shot("warning-leader-inbox")
    inbox.get_by_role("link").first.click()
    expect(page.get_by_test_id("special-report")).to_contain_text("36名工人")
    shot("warning-leader-special-report")
