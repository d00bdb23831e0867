"""Workers' money from claim to closure (§三(八), §四(六)(八)): 财政局 funds the town's emergency
fund, the town records two workers' claims, 人社局 confirms them, the town asks the town fund for an
advance — refused for a missing precondition, then accepted —, 财政局 approves and the workers are
paid, the court's proceeds repay the fund first and pay the rest, and the case closes 全额清偿."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anxin.cases import services as case_services
from anxin.cases.models import Case
from anxin.core.validators import id_check_digit
from anxin.money.models import Advance, Claim, Fund, FundEntry
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def accept_next_dialog(page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())


def _id(n: int) -> str:
    body = f"32041119880{n}15{n:03d}"
    return body + id_check_digit(body)


def _as(page, live_server, user) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, user.username, PASSWORD)


def test_claims_an_advance_the_court_s_proceeds_and_closure(
    live_server, page, shot, world, office, luoxi, renshe, caizheng
):
    case = case_services.case_open(
        actor=office, enterprise=world.luoxi_factory, summary="企业主失联，拖欠 2 名工人 3 个月工资"
    )
    today = f"{timezone.localdate():%Y-%m-%d}"
    fund = Fund.objects.get(code="town-luoxi")
    case_money = f"{live_server.url}/cases/{case.pk}/?tab=money"

    # 财政局 appropriates money into 罗溪镇's fund.
    _as(page, live_server, caizheng)
    page.goto(f"{live_server.url}/money/funds/")
    page.get_by_role("link", name=fund.name).click()
    card = page.get_by_test_id("fund-appropriate-card")
    card.get_by_label("拨入金额").fill("100000")
    card.get_by_label("拨入日期").fill(today)
    card.get_by_label("拨款文号/凭证号").fill("罗财拨〔2026〕12号")
    accept_next_dialog(page)
    page.get_by_test_id("fund-appropriate").click()
    expect(page.get_by_test_id("fund-balance")).to_contain_text("100,000.00")

    # The town records the two workers' claims on the case's 资金 tab.
    _as(page, live_server, luoxi)
    page.goto(case_money)
    for name, n, amount in (("王建国", 1, "15600"), ("李秀英", 2, "12000")):
        form = page.get_by_test_id("claim-form")
        form.get_by_label("姓名").fill(name)
        form.get_by_label("身份证号").fill(_id(n))
        form.get_by_label("欠薪起始月").fill("2026-08")
        form.get_by_label("欠薪截止月").fill("2026-10")
        form.get_by_label("申报金额（元）").fill(amount)
        form.get_by_label("认定依据").select_option("attendance")
        form.get_by_role("button", name="登记").click()
        expect(page.get_by_test_id("claims-table")).to_contain_text(name)
    expect(page.get_by_test_id("money-claimed")).to_contain_text("27,600.00")
    shot("money-claims-registered")

    # 人社局 confirms the list.
    _as(page, live_server, renshe)
    page.goto(case_money)
    accept_next_dialog(page)
    page.get_by_test_id("claims-confirm-all").click()
    expect(page.get_by_test_id("money-confirmed")).to_contain_text("27,600.00")
    shot("money-claims-confirmed")

    # The town asks its fund for an advance: refused without assets available for enforcement.
    _as(page, live_server, luoxi)
    page.goto(case_money)
    page.get_by_test_id("case-advance-new").click()
    expect(page.get_by_label("申请的周转金")).to_have_value(fund.code)  # a town asks its own fund first
    page.get_by_label("王建国 垫付金额").fill("4680")
    page.get_by_label("李秀英 垫付金额").fill("3600")
    page.get_by_label("企业经营者逃逸").check()
    page.get_by_label("劳动者生活临时困难").check()
    page.get_by_label("可能引发群体性突发事件").check()
    accept_next_dialog(page)
    page.get_by_test_id("advance-submit").click()
    expect(page.get_by_test_id("advance-refused")).to_be_visible()
    expect(page.get_by_test_id("failed-assets")).to_contain_text("§四(八)")
    assert not Advance.objects.exists()
    shot("money-advance-refused")
    page.get_by_label("可供执行的资产").fill("厂房内机器设备 12 台已登记，法院诉前保全申请已提交")
    accept_next_dialog(page)
    page.get_by_test_id("advance-submit").click()
    expect(page.get_by_test_id("advance-checks")).to_be_visible()
    advance = Advance.objects.get()
    assert advance.status == "submitted" and advance.amount == 828_000

    # 财政局 approves: the fund pays the two workers.
    _as(page, live_server, caizheng)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("finance-pending")).to_contain_text(advance.number)
    page.get_by_role("link", name=advance.number, exact=False).first.click()
    approve = page.get_by_test_id("advance-approve-card")
    approve.get_by_label("拨付日期").fill(today)
    accept_next_dialog(page)
    page.get_by_test_id("advance-approve").click()
    expect(page.get_by_test_id("advance-items")).to_contain_text("王建国")
    shot("money-advance-approved")
    assert FundEntry.objects.filter(fund=fund).order_by("-seq").first().balance_after == 10_000_000 - 828_000

    # The court's proceeds: the fund is repaid first, the workers get the rest.
    _as(page, live_server, luoxi)
    page.goto(case_money)
    expect(page.get_by_test_id("money-paid")).to_contain_text("8,280.00")
    page.get_by_test_id("case-proceeds-new").click()
    page.get_by_label("到账金额").fill("27600")
    page.get_by_label("到账日期").fill(today)
    page.get_by_label("来源").select_option("court_enforcement")
    page.get_by_label("执行款编号/凭证号").fill("（2026）苏0411执1234号")
    accept_next_dialog(page)
    page.get_by_test_id("proceeds-submit").click()
    expect(page.get_by_test_id("proceeds-amount")).to_contain_text("27,600.00")
    expect(page.get_by_test_id("proceeds-unallocated")).to_contain_text("0.00")
    shot("money-proceeds-allocated")
    assert FundEntry.objects.filter(fund=fund).order_by("-seq").first().balance_after == 10_000_000
    assert all(c.outstanding == 0 for c in Claim.objects.filter(case=case))

    # The town closes the case 全额清偿: the amount paid is the ledger's.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator("summary", has_text="结案").click()
    close = page.get_by_test_id("close-form")
    close.get_by_label("结案方式").select_option("paid")
    expect(close.get_by_label("已支付金额")).to_have_value("27,600.00")
    close.get_by_label("结案说明").fill("周转金已由法院执行款归还，工人工资全部支付")
    accept_next_dialog(page)
    close.get_by_role("button", name="结案").click()
    expect(page.get_by_test_id("case-stage")).to_have_text("结案")
    shot("money-case-closed")
    assert Case.objects.get(pk=case.pk).outcome == "paid"
