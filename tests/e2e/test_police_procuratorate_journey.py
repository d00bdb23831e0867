"""#14 item 9: 公安分局 and 检察院 sign in and find their referrals — the police's sent to them, the
procuratorate's copied to it — on the home page, with only the cards and menu entries for their
work; the referral's page carries the enterprise, the workers and amounts, the order to pay with
its proof of service, and the 移送书. Screenshots at 1366×768, looked at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from anxin.cases.actions import document_attach
from anxin.cases.tests.factories import open_case, referral
from anxin.intake.tests.factories import png
from anxin.org.tests.factories import PASSWORD
from tests.e2e.pages import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def referred(world, office, renshe):
    case = open_case(world.luoxi_factory, actor=office)
    order, made = referral(case, renshe)
    document_attach(
        actor=renshe, case=case, action=order, kind="service", title="送达回证（企业签收）", name="s.png",
        content=png(),
    )  # fmt: skip
    return made


def test_the_police_find_the_referral_and_its_file(live_server, page, shot, referred, gongan):
    sign_in(page, live_server, gongan.username, PASSWORD)
    panel = page.get_by_test_id("home-referrals")
    expect(panel).to_contain_text("移送本局的涉嫌拒不支付劳动报酬罪案件")
    expect(panel).to_contain_text(referred.case.enterprise.name)
    expect(page.get_by_test_id("risk-red")).to_have_count(0)
    expect(page.get_by_role("link", name="企业台账")).to_have_count(0)
    expect(page.get_by_test_id("menu-cases")).to_have_count(0)  # 我的待办 alone, no 案件台账 dropdown
    shot("home-police")
    panel.get_by_test_id("home-referral-link").click()
    expect(page.get_by_test_id("action-enterprise")).to_contain_text("法定代表人")
    expect(page.get_by_test_id("referral-order")).to_contain_text("逾期未履行")
    expect(page.get_by_test_id("referral-order-paper")).to_have_text("送达回证（企业签收）")
    expect(page.get_by_test_id("referral-evidence")).to_contain_text("送达回证（企业签收）")
    with page.expect_download() as download:
        page.get_by_test_id("referral-letter-docx").click()
    assert download.value.suggested_filename.startswith("涉嫌犯罪案件移送书")
    shot("referral-police")


def test_the_procuratorate_finds_the_copy_under_its_own_heading(
    live_server, page, shot, referred, jianchayuan
):
    sign_in(page, live_server, jianchayuan.username, PASSWORD)
    panel = page.get_by_test_id("home-referrals")
    expect(panel).to_contain_text("抄送本院的移送案件")
    expect(panel).to_contain_text(referred.case.enterprise.name)
    expect(page.get_by_test_id("case-todo-count")).to_have_count(0)
    shot("home-procuratorate")
    page.goto(f"{live_server.url}/cases/todo/")
    expect(page.get_by_test_id("todo-copies-title")).to_have_text("抄送本院备案的移送案件")
    expect(page.get_by_text("没有待办理的措施")).to_have_count(0)
    shot("todo-procuratorate")
