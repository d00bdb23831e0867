"""#14 item 9: 公安分局 and 检察院 — home cards and menu only for the work their unit does, their
referrals (and copies) on their home page, and the referral's page with what they need: the
enterprise, the workers and amounts, the order to pay with its proof of service, the 移送书."""

from __future__ import annotations

import io

import pytest
from docx import Document

from anxin.cases.actions import document_attach
from anxin.cases.tests.factories import lapsed_order, open_case, referral
from anxin.intake.tests.factories import png

RISK_CARD = 'data-testid="risk-red"'
CASE_CARD = 'data-testid="case-home-cases"'


@pytest.fixture
def referred(world, office, renshe):
    """A referral to the police (copy to the procuratorate) whose order's proof of service is filed."""
    case = open_case(world.luoxi_factory, actor=office)
    order, made = referral(case, renshe)
    served = document_attach(
        actor=renshe, case=case, action=order, kind="service", title="送达回证（企业签收）", name="s.png",
        content=png(),
    )  # fmt: skip
    return case, order, made, served


def menu_labels(response) -> set[str]:
    return {
        item.get("label")
        for entry in response.context["menu"]
        for item in [entry, *entry.get("children", [])]
    }


def test_the_police_home_shows_their_referrals_and_no_card_they_never_fill(referred, login, gongan):
    _case, _order, made, _served = referred
    response = login(gongan).get("/")
    page = response.content.decode()
    assert 'data-testid="home-referrals"' in page and "移送本局的涉嫌拒不支付劳动报酬罪案件" in page
    assert f'href="/cases/actions/{made.pk}/"' in page and made.case.enterprise.name in page
    assert "1 件移送案件待审查" in page
    assert RISK_CARD not in page and CASE_CARD not in page and 'data-testid="signals-mine"' not in page
    labels = menu_labels(response)
    assert "我的待办" in labels and "预警线索" in labels  # its channel (§三(十三)) feeds signals
    assert not labels & {"驾驶舱", "企业台账", "工程项目", "风险预警", "风险企业", "案件台账", "欠薪报告"}


def test_the_procuratorate_home_shows_the_copied_referral_under_its_own_heading(referred, login, jianchayuan):
    _case, _order, made, _served = referred
    client = login(jianchayuan)
    page = client.get("/").content.decode()
    assert "抄送本院的移送案件" in page and f'href="/cases/actions/{made.pk}/"' in page
    assert 'data-testid="case-todo-count"' not in page and RISK_CARD not in page  # it handles nothing
    todo = client.get("/cases/todo/").content.decode()
    assert "抄送本院备案的移送案件" in todo and made.case.enterprise.name in todo
    assert "没有待办理的措施" not in todo and "待办理的法律措施" not in todo


@pytest.mark.parametrize("persona", ["office", "chengjian", "luoxi", "xuejia", "renshe"])
def test_units_with_a_territory_or_a_line_keep_their_zero_cards_and_get_no_referral_panel(
    world, login, persona, request
):
    response = login(request.getfixturevalue(persona)).get("/")
    page = response.content.decode()
    assert RISK_CARD in page and CASE_CARD in page  # zero or not: it is their work
    assert 'data-testid="home-referrals"' not in page
    assert "案件台账" in menu_labels(response)


def test_the_public_gets_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_police_home_counts_queries_not_referrals(
    world, office, renshe, login, gongan, django_assert_max_num_queries
):
    from anxin.registry.tests.factories import EnterpriseFactory

    for n in range(4):
        case = open_case(EnterpriseFactory(name=f"测试企业{n}有限公司"), actor=office)
        referral(case, renshe)
    client = login(gongan)
    client.get("/")
    # 40 before issue #19; the assessment's home and to-do panels (the unit's own provisional score, its
    # rectification items, its objections) add a fixed few, not one per referral
    with django_assert_max_num_queries(44):
        page = client.get("/").content.decode()
    assert page.count('data-testid="home-referral-link"') == 4


@pytest.mark.parametrize("persona", ["gongan", "jianchayuan"])
def test_the_referral_page_holds_what_the_police_and_procuratorate_need(referred, login, persona, request):
    case, order, made, served = referred
    client = login(request.getfixturevalue(persona))
    page = client.get(f"/cases/actions/{made.pk}/").content.decode()
    enterprise = case.enterprise
    assert f"法定代表人：{enterprise.legal_rep}" in page and f"地址：{enterprise.address}" in page
    assert 'data-testid="referral-file"' in page and "120,000.00" in page and "12</strong> 人" in page
    assert f'href="/cases/actions/{order.pk}/notice.docx"' in page
    assert f'href="/cases/documents/{served.pk}/"' in page and "送达回证（企业签收）" in page
    assert "送达回证未上传" not in page
    assert f'href="/cases/actions/{made.pk}/referral.docx"' in page
    # and each link opens for them
    assert client.get(f"/cases/actions/{order.pk}/notice.docx").status_code == 200
    assert client.get(f"/cases/documents/{served.pk}/").status_code == 200
    letter = client.get(f"/cases/actions/{made.pk}/referral.docx")
    assert letter.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(letter.content)).paragraphs)
    assert "涉嫌犯罪案件移送书" in text and "常州市公安局新北分局：" in text


@pytest.mark.parametrize("persona", ["xuejia", "chengjian"])
def test_the_referral_and_its_papers_stay_out_of_other_units_reach(referred, login, persona, request):
    _case, order, made, served = referred
    client = login(request.getfixturevalue(persona))
    for url in (
        f"/cases/actions/{made.pk}/",
        f"/cases/actions/{made.pk}/referral.docx",
        f"/cases/actions/{order.pk}/notice.docx",
        f"/cases/documents/{served.pk}/",
    ):
        assert client.get(url).status_code == 404, url


def test_the_police_do_not_see_an_order_of_a_case_not_referred_to_them(world, office, renshe, login, gongan):
    case = open_case(world.luoxi_factory, actor=office)
    order = lapsed_order(case, renshe)
    assert login(gongan).get(f"/cases/actions/{order.pk}/").status_code == 404


def test_a_unit_that_handles_no_action_gets_no_action_card_and_no_copies_list(world, login, shuili):
    """水利局 watches its line (zero cards still shown) but no legal action is ever routed to it."""
    client = login(shuili)
    response = client.get("/")
    page = response.content.decode()
    assert 'data-testid="case-todo-count"' not in page and CASE_CARD in page and RISK_CARD in page
    assert "我的待办" not in menu_labels(response)
    todo = client.get("/cases/todo/").content.decode()
    assert 'data-testid="todo-copies"' not in todo and "待办理的法律措施" not in todo
    assert 'data-testid="todo-cases"' in todo
