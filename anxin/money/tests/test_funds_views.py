"""The emergency funds' screens: every persona's access to the fund list and pages (a town sees its
own fund, 财政局 and the office every fund, the police none), the ledger's filters and export, query
counts, the request page listing every failing precondition, 财政局's approval, the home card, the
proceeds form showing the allocation, the 周转金 menu entry."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from anxin.money import services
from anxin.money.models import Advance, FundEntry, Proceeds
from anxin.money.tests.funds_factories import (
    approved,
    district_fund,
    fill,
    ready_case,
    request_kwargs,
    town_fund,
)

TODAY = timezone.localdate


@pytest.fixture
def setup(world, luoxi, renshe, caizheng):
    case, claims = ready_case(world, lead=luoxi, renshe=renshe)
    fill(town_fund(), 10_000_000, actor=caizheng)
    return case, claims, town_fund()


# --- the fund list and pages by persona -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["office", "caizheng", "leader", "auditor"])
def test_the_office_the_finance_bureau_leaders_and_auditors_see_every_fund(login, setup, who, request):
    page = login(request.getfixturevalue(who)).get(reverse("fund-list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="fund-row-district"' in body and 'data-testid="fund-row-town-xuejia"' in body
    assert (
        login(request.getfixturevalue(who)).get(reverse("fund-detail", args=["town-xuejia"])).status_code
        == 200
    )


def test_a_town_sees_only_its_own_fund(login, setup, luoxi):
    body = login(luoxi).get(reverse("fund-list")).content.decode()
    assert 'data-testid="fund-row-town-luoxi"' in body and "fund-row-district" not in body
    assert "¥100,000.00" in body
    assert login(luoxi).get(reverse("fund-detail", args=["town-luoxi"])).status_code == 200
    assert login(luoxi).get(reverse("fund-detail", args=["district"])).status_code == 404
    assert login(luoxi).get(reverse("fund-detail", args=["town-xuejia"])).status_code == 404


@pytest.mark.parametrize("who", ["gongan", "chengjian", "renshe"])
def test_departments_without_the_funds_duty_see_no_fund(login, setup, who, request):
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("fund-list")).status_code == 404
    assert client.get(reverse("fund-detail", args=["district"])).status_code == 404
    assert client.get(reverse("fund-detail", args=["town-luoxi"])).status_code == 404


def test_the_menu_offers_funds_to_who_sees_one(login, setup, luoxi, caizheng, gongan):
    url = reverse("fund-list")
    assert url in login(caizheng).get(reverse("home")).content.decode()
    assert url in login(luoxi).get(reverse("home")).content.decode()
    assert url not in login(gongan).get(reverse("home")).content.decode()


def test_anonymous_is_sent_to_log_in(client, setup):
    assert client.get(reverse("fund-list")).status_code == 302


# --- the fund page ----------------------------------------------------------------------------------------


def test_the_fund_page_shows_balance_ledger_chart_and_advances_with_overdue_ones_highlighted(
    login, setup, luoxi, caizheng
):
    case, claims, fund = setup
    advance = approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    Advance.objects.filter(pk=advance.pk).update(
        paid_on=TODAY() - datetime.timedelta(days=181), repay_due_on=TODAY() - datetime.timedelta(days=1)
    )
    body = login(caizheng).get(reverse("fund-detail", args=[fund.code])).content.decode()
    assert 'data-testid="fund-balance">¥91,000.00' in body
    assert 'data-testid="fund-chart"' in body and "财政拨入" in body and "垫付支出" in body
    assert 'data-testid="advance-overdue"' in body and "181 日" in body
    assert 'data-testid="fund-appropriate-card"' in body
    assert 'data-testid="fund-write-off-card"' not in body  # the office's decision


def test_the_office_gets_the_write_off_form_with_a_confirmation(login, setup, luoxi, caizheng, office):
    case, claims, fund = setup
    approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    body = login(office).get(reverse("fund-detail", args=[fund.code])).content.decode()
    assert 'data-testid="fund-write-off"' in body and "data-confirm=" in body
    assert 'name="amount"' in body and "元" in body


def test_the_ledger_filters_by_kind_and_date(login, setup, luoxi, caizheng):
    case, claims, fund = setup
    approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    url = reverse("fund-detail", args=[fund.code])
    body = login(caizheng).get(url, {"kind": "advance"}).content.decode()
    assert "共 <strong>1</strong> 笔" in body
    future = (TODAY() + datetime.timedelta(days=1)).isoformat()
    assert "没有符合条件的台账记录" in login(caizheng).get(url, {"date_from": future}).content.decode()


def test_the_ledger_exports_numbers_in_yuan(login, setup, caizheng):
    _case, _claims, fund = setup
    answer = login(caizheng).get(reverse("fund-detail", args=[fund.code]), {"export": "xlsx"})
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == 1]
    assert values and values[0][3] == 100000 and values[0][4] == 100000


def test_a_town_appropriation_is_refused_on_the_page(login, setup, luoxi):
    _case, _claims, fund = setup
    answer = login(luoxi).post(
        reverse("fund-appropriate", args=[fund.code]),
        {"amount": "10", "date": TODAY().isoformat(), "reference": "x"},
    )
    assert answer.status_code == 302 and FundEntry.objects.count() == 1


def test_the_finance_bureau_appropriates_on_the_page_and_a_bad_amount_is_a_form_error(login, setup, caizheng):
    _case, _claims, fund = setup
    url = reverse("fund-appropriate", args=[fund.code])
    bad = login(caizheng).post(url, {"amount": "0", "date": TODAY().isoformat(), "reference": "x"})
    assert bad.status_code == 200 and "is-invalid" in bad.content.decode()
    assert FundEntry.objects.count() == 1
    good = login(caizheng).post(
        url, {"amount": "5万", "date": TODAY().isoformat(), "reference": "新财〔2026〕9号"}
    )
    assert good.status_code == 302 and services.funds.balance(fund) == 10_000_000 + 5_000_000


def test_the_fund_list_and_page_keep_their_query_counts(
    login, setup, luoxi, caizheng, django_assert_max_num_queries
):
    case, claims, fund = setup
    approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    for other in ("district", "town-xuejia", "town-sanjing"):
        fill(
            district_fund() if other == "district" else type(fund).objects.get(code=other),
            100_000,
            actor=caizheng,
        )
    client = login(caizheng)
    client.get(reverse("fund-list"))  # warm the session
    with django_assert_max_num_queries(16):  # 13 for the frame (session, user, menu, inbox…), 2 for the funds
        assert client.get(reverse("fund-list")).status_code == 200
    with django_assert_max_num_queries(24):
        assert client.get(reverse("fund-detail", args=[fund.code])).status_code == 200


def test_the_fund_pages_query_count_does_not_grow_with_its_advances(
    world, login, setup, luoxi, renshe, caizheng
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case, claims, fund = setup
    client = login(caizheng)
    url = reverse("fund-detail", args=[fund.code])

    def count() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    count()  # the session's first request reads the idle-timeout parameter
    one = count()
    for _n in range(3):
        other, more = ready_case(world, lead=luoxi, renshe=renshe, separate=True)
        approved(luoxi, caizheng, **request_kwargs(other, fund, more))
    assert count() == one


# --- the request page -------------------------------------------------------------------------------------


def test_the_request_page_offers_the_towns_fund_and_shows_each_workers_cap(login, setup, luoxi):
    case, claims, _fund = setup
    body = login(luoxi).get(reverse("advance-new", args=[case.pk])).content.decode()
    assert "罗溪镇欠薪应急周转资金" in body and "区欠薪应急周转资金" not in body.replace("新北区", "")
    assert f'data-testid="cap-{claims[0].pk}">¥3,000.00' in body
    assert "30%" in body and "元" in body


def test_a_refused_request_lists_every_failing_precondition_with_its_clause(login, setup, luoxi):
    case, claims, fund = setup
    answer = login(luoxi).post(
        reverse("advance-new", args=[case.pk]),
        {"fund": fund.code, f"amount_{claims[0].pk}": "3000"},
    )
    body = answer.content.decode()
    assert answer.status_code == 200 and 'data-testid="advance-refused"' in body
    for code in ("situation", "hardship", "incident_risk"):
        assert f'data-testid="failed-{code}"' in body
    assert "§四(八)" in body and not Advance.objects.exists()


def test_an_accepted_request_goes_to_its_page(login, setup, luoxi):
    case, claims, fund = setup
    answer = login(luoxi).post(
        reverse("advance-new", args=[case.pk]),
        {
            "fund": fund.code,
            "situation": "absconded",
            "hardship": "on",
            "incident_risk": "on",
            f"amount_{claims[0].pk}": "3,000",
            f"amount_{claims[1].pk}": "6000.00",
        },
    )
    advance = Advance.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("advance-detail", args=[advance.pk])
    assert advance.amount == 900_000


def test_another_town_cannot_open_the_request_page(login, setup, xuejia, gongan):
    case, _claims, _fund = setup
    assert login(xuejia).get(reverse("advance-new", args=[case.pk])).status_code == 404


# --- the advance page and 财政局's decision ---------------------------------------------------------------


def test_the_finance_bureau_approves_on_the_advance_page(login, setup, luoxi, caizheng):
    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    page = login(caizheng).get(reverse("advance-detail", args=[advance.pk])).content.decode()
    assert 'data-testid="advance-approve"' in page and "fund.max_share_percent" in page
    answer = login(caizheng).post(
        reverse("advance-approve", args=[advance.pk]), {"paid_on": TODAY().isoformat()}
    )
    assert answer.status_code == 302
    advance.refresh_from_db()
    assert advance.status == "approved"


def test_the_office_sees_the_request_but_no_approve_button(login, setup, luoxi, office):
    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    page = login(office).get(reverse("advance-detail", args=[advance.pk]))
    assert page.status_code == 200 and 'data-testid="advance-approve"' not in page.content.decode()
    login(office).post(reverse("advance-approve", args=[advance.pk]), {"paid_on": TODAY().isoformat()})
    advance.refresh_from_db()
    assert advance.status == "submitted"


def test_the_advance_page_is_404_outside_the_scope(login, setup, luoxi, xuejia, gongan):
    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    for user in (xuejia, gongan):
        assert login(user).get(reverse("advance-detail", args=[advance.pk])).status_code == 404


def test_the_finance_bureaus_home_lists_the_requests_to_review(login, setup, luoxi, caizheng, office):
    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    body = login(caizheng).get(reverse("home")).content.decode()
    assert "待审核的周转金申请" in body and advance.number in body
    assert "待审核的周转金申请" not in login(office).get(reverse("home")).content.decode()


def test_the_requests_to_review_are_on_the_finance_bureaus_todo_board(login, setup, luoxi, caizheng, office):
    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    body = login(caizheng).get(reverse("case-todo")).content.decode()
    assert 'data-testid="finance-pending"' in body and advance.number in body
    assert 'data-testid="finance-pending"' not in login(office).get(reverse("case-todo")).content.decode()


# --- proceeds ---------------------------------------------------------------------------------------------


def test_recorded_proceeds_show_their_allocation(login, setup, luoxi, caizheng):
    case, claims, fund = setup
    approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    form = login(luoxi).get(reverse("proceeds-new", args=[case.pk])).content.decode()
    assert "未归还 ¥9,000.00" in form
    answer = login(luoxi).post(
        reverse("proceeds-new", args=[case.pk]),
        {
            "amount": "12000",
            "received_on": TODAY().isoformat(),
            "source": "court_enforcement",
            "reference": "执1",
        },
    )
    proceeds = Proceeds.objects.get()
    assert answer["Location"] == reverse("proceeds-detail", args=[proceeds.pk])
    body = login(luoxi).get(answer["Location"]).content.decode()
    assert "偿还应急周转金" in body and "支付劳动者" in body and "¥9,000.00" in body


def test_the_case_partial_lists_advances_and_proceeds(rf, setup, luoxi, caizheng):
    from django.template.loader import render_to_string

    from anxin.money.funds_views import case_advances_context

    case, claims, fund = setup
    approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    services.proceeds_record(actor=luoxi, case=case, amount=100_000, received_on=TODAY(), source="employer")
    request = rf.get("/")
    request.user = luoxi
    body = render_to_string(
        "money/_case_advances.html", case_advances_context(request, case), request=request
    )
    assert 'data-testid="case-advance-new"' in body and 'data-testid="case-proceeds-new"' in body
    assert "ZZJ" in body and "偿还应急周转金" in body


def test_the_request_page_lists_only_confirmed_workers_unless_the_court_has_the_case(login, setup, luoxi):
    from anxin.cases import actions
    from anxin.money.tests.funds_factories import claims_on

    case, _claims, _fund = setup
    (waiting,) = claims_on(case, actor=luoxi, amounts=[1_000_000])
    url = reverse("advance-new", args=[case.pk])
    assert f'data-testid="cap-{waiting.pk}"' not in login(luoxi).get(url).content.decode()
    actions.action_request(actor=luoxi, case=case, kind="court")
    assert f'data-testid="cap-{waiting.pk}"' in login(luoxi).get(url).content.decode()


def test_the_clause_map_names_the_funds_under_their_clauses(login, district, office):
    body = login(office).get(reverse("policy-clauses")).content.decode()
    assert "执行款、变现款先偿还周转金垫付" in body and "财政局审核拨付周转金" in body
    assert "fund.max_per_worker" in body or "应急周转金垫付上限（每名劳动者）" in body


def test_the_case_money_tab_lists_the_advances_and_offers_the_request(login, setup, luoxi, caizheng):
    case, claims, fund = setup
    advance = approved(luoxi, caizheng, **request_kwargs(case, fund, claims))
    body = login(luoxi).get(reverse("case-detail", args=[case.pk]) + "?tab=money").content.decode()
    assert 'data-testid="case-advances"' in body and advance.number in body
    assert 'data-testid="case-proceeds-new"' in body


def test_the_advance_page_shows_money_parameters_in_yuan(login, setup, luoxi):
    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    page = login(luoxi).get(reverse("advance-detail", args=[advance.pk])).content.decode()
    assert "fund.max_per_worker</a> = ¥20,000.00" in page and "2000000分" not in page
