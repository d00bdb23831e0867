"""A case from a red alert to its closure: the office opens it, the town records site control and
a mediation, 人社局 orders payment and downloads the Word notice, the order lapses, a referral
reaches 公安分局 (copied to 检察院), the police accept it, and the town closes the case."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anxin.cases.actions import orders_lapse
from anxin.cases.models import Case, LegalAction
from anxin.monitoring import scan
from anxin.monitoring.models import Alert
from anxin.monitoring.tests.factories import observe
from anxin.org.models import Unit
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import nav, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def accept_next_dialog(page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())


def test_a_case_from_red_alert_to_closure(live_server, page, shot, world, office, luoxi, renshe, gongan):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=datetime.date(2026, 11, 25))
    alert = Alert.objects.get(enterprise=world.luoxi_factory, rule="IMMEDIATE_ARREARS_2M")

    # The office opens the case from the red alert.
    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(f"{live_server.url}/alerts/{alert.pk}/")
    page.get_by_test_id("alert-open-case").click()
    expect(page.get_by_test_id("case-from-alert")).to_contain_text("拖欠工资 3 个月")
    page.get_by_label("涉及人数").fill("12")
    page.get_by_label("登记欠薪金额（元）").fill("120,000.00")
    page.get_by_label("企业突然关停").check()
    shot("case-open-form")
    page.get_by_test_id("case-open").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("查明事实")
    expect(page.get_by_test_id("stage-due")).to_be_visible()
    shot("case-opened")
    case = Case.objects.get()
    case_url = f"{live_server.url}/cases/{case.pk}/"

    # The town leads: site control (a sudden closure, the seal in the village's custody), the plan.
    page.context.clear_cookies()
    sign_in(page, live_server, luoxi.username, PASSWORD)
    page.goto(case_url)
    page.get_by_test_id("move-advance").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("控制现场")
    page.get_by_text("登记现场处置", exact=True).click()
    incident = page.get_by_test_id("incident-form")
    incident.get_by_label("类型").select_option("closure")
    incident.get_by_label("地点").fill("罗溪镇工业园 3 号厂房")
    incident.get_by_label("现场指挥部及到场人员").fill("镇现场指挥部：分管镇长、派出所所长、人社局监察大队")
    incident.get_by_label("采取的措施").fill("封存财务账册和考勤卡，登记工人诉求")
    incident.get_by_role("button", name="登记").click()
    expect(page.get_by_test_id("incident")).to_contain_text("企业突然关停")
    page.get_by_text("登记财产控制", exact=True).click()
    asset = page.get_by_test_id("asset-form")
    asset.get_by_label("财物").select_option("seal")
    asset.get_by_label("保管方式").select_option("entrusted")
    asset.get_by_label("保管人/保管单位").fill("罗溪镇某村村民委员会")
    asset.get_by_label("委托保管协议编号").fill("罗委保〔2026〕3号")
    asset.get_by_label("保管费").fill("500")
    asset.get_by_role("button", name="登记").click()
    expect(page.get_by_test_id("assets")).to_contain_text("罗委保〔2026〕3号")
    page.get_by_label("工作措施").fill("约谈企业主；清点设备并协调变现；工资优先支付")
    page.get_by_label("责任人及分工").fill("分管镇长总负责；劳动保障所核对工资清单")
    page.get_by_label("时间安排").fill("五个工作日内提出支付方案")
    page.get_by_role("button", name="保存方案").click()
    page.get_by_test_id("plan-submit").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("待审批")
    shot("case-site-control")

    # A red case: the office approves the plan before mediation.
    page.context.clear_cookies()
    sign_in(page, live_server, office.username, PASSWORD)
    page.goto(case_url)
    page.get_by_test_id("plan-approve").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("已批准")

    # The town mediates, records the agreement and finishes the mediation.
    page.context.clear_cookies()
    sign_in(page, live_server, luoxi.username, PASSWORD)
    page.goto(case_url)
    page.get_by_test_id("move-advance").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("协调调解")
    page.get_by_test_id("action-kind-mediation").click()
    form = page.get_by_test_id("action-form-mediation")
    form.get_by_label("调解主持单位").select_option(label=Unit.objects.get(code="gov-luoxi").name)
    form.get_by_role("button", name="发起").click()
    expect(page.get_by_test_id("action-status")).to_have_text("办理中")
    handle = page.get_by_test_id("action-handle")
    handle.get_by_label("事项").select_option("agreement")
    handle.get_by_label("说明").fill("企业同意先支付 3 万元，其余待设备变现后支付")
    handle.get_by_role("button", name="登记进展").click()
    papers = page.get_by_test_id("action-document-form")
    papers.get_by_label("文书类型").select_option("agreement")
    papers.get_by_label("标题").fill("罗溪镇调解协议书")
    papers.get_by_label("文件").set_input_files(
        files=[{"name": "调解协议书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}]
    )
    papers.get_by_role("button", name="上传").click()
    expect(page.get_by_test_id("action-documents")).to_contain_text("罗溪镇调解协议书")
    page.get_by_label("办理结果").fill("达成调解协议：先付 3 万元")
    accept_next_dialog(page)
    page.get_by_role("button", name="办结").click()
    expect(page.get_by_test_id("action-status")).to_have_text("已办结")
    shot("case-mediation")

    # 人社局 orders payment and downloads the Word notice.
    page.context.clear_cookies()
    sign_in(page, live_server, renshe.username, PASSWORD)
    page.goto(case_url)
    page.get_by_test_id("action-kind-order").click()
    form = page.get_by_test_id("action-form-order")
    form.get_by_label("责令支付金额").fill("90000")
    form.get_by_label("涉及人数").fill("12")
    form.get_by_label("限期支付日期").fill((timezone.localdate() + datetime.timedelta(days=5)).isoformat())
    form.get_by_label("文书编号").fill("新人社监〔2026〕8号")
    form.get_by_role("button", name="发起").click()
    expect(page.get_by_test_id("action-status")).to_have_text("办理中")
    with page.expect_download() as download:
        page.get_by_test_id("notice-docx").click()
    assert download.value.suggested_filename.endswith(".docx")
    assert "限期支付工资通知书" in download.value.suggested_filename
    shot("case-order-to-pay")

    # The date passes unpaid: tick lapses the order and the case offers the next steps.
    order = LegalAction.objects.get(kind="order")
    LegalAction.objects.filter(pk=order.pk).update(pay_by=timezone.localdate() - datetime.timedelta(days=1))
    assert orders_lapse() == 1
    page.goto(case_url)
    expect(page.get_by_test_id("next-steps")).to_contain_text("移送公安")

    # The referral: the threshold is checked and shown; 公安分局 gets it, 检察院 a copy.
    page.get_by_test_id("action-kind-referral").click()
    form = page.get_by_test_id("action-form-referral")
    form.get_by_label("拖欠劳动报酬总额").fill("90000")
    form.get_by_label("被拒不支付劳动报酬的人数").fill("12")
    form.get_by_label("拖欠最多的一名劳动者：月数").fill("3")
    form.get_by_label("该劳动者被拖欠金额").fill("10000")
    form.get_by_role("button", name="发起").click()
    expect(page.get_by_test_id("action-conditions")).to_contain_text("单人标准（达到）")
    expect(page.get_by_test_id("action-copy")).to_contain_text("区检察院")
    shot("case-referral")

    # The police find it in their to-do list and accept it.
    page.context.clear_cookies()
    sign_in(page, live_server, gongan.username, PASSWORD)
    nav(page, "cases", "我的待办")
    page.get_by_test_id("todo-actions").get_by_role("link", name="移送公安（涉嫌拒不支付劳动报酬罪）").click()
    handle = page.get_by_test_id("action-handle")
    handle.get_by_label("事项").select_option("accepted")
    handle.get_by_label("说明").fill("已立案侦查")
    handle.get_by_role("button", name="登记进展").click()
    expect(page.get_by_test_id("action-status")).to_have_text("已受理/立案")
    shot("case-police-accepted")
    assert page.goto(case_url).status == 404  # the police see the referral, not the case file

    # The town closes the case: part paid, the rest in the criminal procedure.
    page.context.clear_cookies()
    sign_in(page, live_server, luoxi.username, PASSWORD)
    page.goto(case_url)
    page.get_by_test_id("case-moves").locator("summary", has_text="结案").click()
    close = page.get_by_test_id("close-form")
    close.get_by_label("结案方式").select_option("partly")
    close.get_by_label("已支付金额").fill("30000")
    close.get_by_label("结案说明").fill("调解协议已履行 3 万元，其余随刑事程序追缴")
    accept_next_dialog(page)
    close.get_by_role("button", name="结案").click()
    expect(page.get_by_test_id("case-outcome")).to_contain_text("部分清偿并转入司法程序")
    expect(page.get_by_test_id("case-timeline")).to_contain_text("移送公安")
    shot("case-closed")

    # The office's cockpit counts it among the quarter's 三个确保.
    page.context.clear_cookies()
    sign_in(page, live_server, office.username, PASSWORD)
    page.get_by_role("link", name="驾驶舱").click()
    ensures = page.get_by_test_id("three-ensures")
    expect(page.get_by_test_id("ensure-referrals")).to_have_text("1")
    expect(ensures).to_contain_text("本季结案 1 件，按期 1 件")
    ensures.scroll_into_view_if_needed()
    shot("case-cockpit-three-ensures")
