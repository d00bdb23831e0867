"""Joint sanctions' screens per persona: the tasks ledger (filters, Excel, a bounded number of
queries), a task's page and its form, the measures, 我的待办, the overview card, the enterprise's 信用
tab and a listing's block."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory

from anxin.core.audit import system_actor
from anxin.core.tests.helpers import at, sheet_rows
from anxin.credit import sanctions_views
from anxin.credit.models import TaskKind, TaskStatus
from anxin.credit.services.sanctions import sanction_task_done, sanction_tasks_open
from anxin.credit.tests.factories_sanctions import listing_in_force

pytestmark = pytest.mark.django_db


@pytest.fixture
def builder_listing(world):
    """罗溪建设 (a construction firm in 罗溪) listed on Tuesday 2026-12-01; tasks due 2026-12-15."""
    with time_machine.travel(at("2026-12-01T09:00"), tick=False):
        listing = listing_in_force(world.luoxi_builder)
        sanction_tasks_open(actor=system_actor(), listing=listing, kind=TaskKind.APPLY)
    return listing


def _task(listing, code):
    return listing.sanction_tasks.get(measure__code=code, kind=TaskKind.APPLY)


# --- the measures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["office", "chengjian", "luoxi", "xuejia", "renshe", "caizheng", "leader"]
)
def test_everyone_who_reads_credit_sees_the_measures(persona, request, login):
    response = login(request.getfixturevalue(persona)).get("/credit/sanctions/measures/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "限制参与政府采购活动" in text and "水利施工" in text
    assert 'data-testid="measure-table"' in text
    assert "<form" not in text.split("measure-table")[1]  # read-only


def test_the_public_is_sent_to_sign_in(login, district):
    response = login(None).get("/credit/sanctions/measures/")
    assert response.status_code == 302 and "/login" in response["Location"]


# --- the tasks ledger --------------------------------------------------------------------------------


def _listed(client: Any, **params: Any) -> set[str]:
    response = client.get("/credit/sanctions/", params)
    assert response.status_code == 200
    return {t.measure.code for t in response.context["page"]}


def test_each_persona_sees_the_tasks_of_the_listings_it_sees(
    builder_listing, world, login, office, chengjian, luoxi, xuejia, caizheng
):
    every = {
        "procurement",
        "public-funds",
        "credit-publicity",
        "tax-preferences",
        "awards",
        "construction-bidding",
    }
    assert _listed(login(office)) == every
    assert _listed(login(chengjian)) == every  # its line: construction
    assert _listed(login(luoxi)) == every  # its territory
    assert _listed(login(xuejia)) == set()
    assert _listed(login(caizheng)) == every  # the listing, through its own tasks


def test_caizheng_sees_a_listing_outside_its_line_through_its_task(world, caizheng, chengjian, xuejia):
    from anxin.credit.models import Listing

    listing = listing_in_force(world.xuejia_factory)
    assert not Listing.objects.for_user(caizheng).filter(pk=listing.pk).exists()
    sanction_tasks_open(actor=system_actor(), listing=listing, kind=TaskKind.APPLY)
    assert Listing.objects.for_user(caizheng).filter(pk=listing.pk).exists()
    assert not Listing.objects.for_user(chengjian).filter(pk=listing.pk).exists()  # an industrial firm
    assert Listing.objects.for_user(xuejia).filter(pk=listing.pk).exists()


def test_the_ledger_filters(builder_listing, login, office, chengjian):
    client = login(office)
    unit = chengjian.unit_id
    assert _listed(client, unit=unit) == {"construction-bidding"}
    assert _listed(client, q="政府采购") == {"procurement"}
    assert _listed(client, q=builder_listing.enterprise.uscc.lower()) == _listed(client)
    assert _listed(client, kind="lift") == set()
    sanction_task_done(
        actor=chengjian,
        task=_task(builder_listing, "construction-bidding"),
        done_on=datetime.date(2026, 12, 1),
        note="已限制",
    )
    assert _listed(client, status="done") == {"construction-bidding"}
    with time_machine.travel(at("2026-12-16T09:00"), tick=False):
        assert len(_listed(login(office), overdue="on")) == 5
    with time_machine.travel(at("2026-12-15T23:00"), tick=False):  # the last day: not yet overdue
        assert _listed(login(office), overdue="on") == set()


def test_the_ledger_exports_to_excel(builder_listing, login, office):
    response = login(office).get(
        "/credit/sanctions/", {"export": "xlsx", "unit": _task(builder_listing, "procurement").unit_id}
    )
    rows = sheet_rows(response)
    assert rows[0][0] == "联合惩戒任务台账"
    assert rows[3][:8] == (
        "名单编号",
        "企业",
        "统一社会信用代码",
        "实施单位",
        "惩戒措施",
        "依据",
        "事项",
        "状态",
    )
    assert {r[4] for r in rows[4:]} == {"限制参与政府采购活动", "限制申请财政性资金和政策性扶持"}
    assert rows[4][0] == builder_listing.number and rows[4][6] == "实施惩戒"


def test_an_auditor_may_read_but_not_export(builder_listing, login, auditor):
    client = login(auditor)
    assert client.get("/credit/sanctions/").status_code == 200
    response = client.get("/credit/sanctions/", {"export": "xlsx"})
    assert response.status_code == 302


@pytest.mark.parametrize("listings", [1, 6])
def test_the_ledger_query_count_does_not_grow_with_rows(
    world, login, office, luoxi, listings, django_assert_max_num_queries
):
    for _ in range(listings):
        listing = listing_in_force(kinds=("construction",))
        sanction_tasks_open(actor=system_actor(), listing=listing, kind=TaskKind.APPLY)
    for user in (office, luoxi):
        client = login(user)
        with django_assert_max_num_queries(13):
            assert client.get("/credit/sanctions/").status_code == 200


# --- a task's page -----------------------------------------------------------------------------------


def test_chengjian_records_its_task_on_its_page(builder_listing, login, chengjian):
    task = _task(builder_listing, "construction-bidding")
    client = login(chengjian)
    page = client.get(f"/credit/sanctions/{task.pk}/")
    assert page.status_code == 200 and 'data-testid="task-form"' in page.content.decode()
    with time_machine.travel(at("2026-12-03T10:00"), tick=False):
        client = login(chengjian)
        response = client.post(
            f"/credit/sanctions/{task.pk}/", {"done_on": "2026-12-02", "note": "新建招〔2026〕8号"}
        )
        assert response.status_code == 302
        shown = client.get(f"/credit/sanctions/{task.pk}/").content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_on == datetime.date(2026, 12, 2)
    assert (
        "新建招〔2026〕8号" in shown
        and "联合惩戒任务已办理" in shown
        and 'data-testid="task-form"' not in shown
    )


def test_a_refused_day_comes_back_with_the_rule(builder_listing, login, chengjian):
    task = _task(builder_listing, "construction-bidding")
    with time_machine.travel(at("2026-12-03T10:00"), tick=False):
        response = login(chengjian).post(
            f"/credit/sanctions/{task.pk}/", {"done_on": "2026-11-30", "note": "x"}
        )
    assert response.status_code == 400
    assert "早于任务下达日 2026-12-01" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_luoxi_reads_the_task_but_cannot_record_it(builder_listing, login, luoxi):
    task = _task(builder_listing, "construction-bidding")
    client = login(luoxi)
    page = client.get(f"/credit/sanctions/{task.pk}/")
    assert page.status_code == 200 and 'data-testid="task-form"' not in page.content.decode()
    response = client.post(f"/credit/sanctions/{task.pk}/", {"done_on": "2026-12-01", "note": "x"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_xuejia_does_not_find_the_task(builder_listing, login, xuejia):
    task = _task(builder_listing, "construction-bidding")
    assert login(xuejia).get(f"/credit/sanctions/{task.pk}/").status_code == 404


def test_caizheng_records_its_own_task_not_chengjians(builder_listing, login, caizheng):
    client = login(caizheng)
    mine, theirs = _task(builder_listing, "procurement"), _task(builder_listing, "construction-bidding")
    with time_machine.travel(at("2026-12-02T10:00"), tick=False):
        assert (
            client.post(f"/credit/sanctions/{theirs.pk}/", {"done_on": "2026-12-02", "note": "x"}).status_code
            == 403
        )
        response = client.post(
            f"/credit/sanctions/{mine.pk}/",
            {"done_on": "2026-12-02", "note": "已在采购平台限制", "next": "/credit/"},
        )
    assert response.status_code == 302 and response["Location"] == "/credit/"


def test_next_is_followed_only_within_the_site(builder_listing, login, caizheng):
    task = _task(builder_listing, "procurement")
    with time_machine.travel(at("2026-12-02T10:00"), tick=False):
        response = login(caizheng).post(
            f"/credit/sanctions/{task.pk}/",
            {"done_on": "2026-12-02", "note": "x", "next": "https://evil.example/"},
        )
    assert response["Location"] == f"/credit/sanctions/{task.pk}/"


# --- 我的待办, the overview, the 信用 tab, the listing's block -------------------------------------------


def test_my_todo_lists_my_units_open_tasks_overdue_in_red(builder_listing, login, chengjian, luoxi):
    with time_machine.travel(at("2026-12-16T09:00"), tick=False):
        text = login(chengjian).get("/cases/todo/").content.decode()
        assert 'data-testid="todo-sanctions"' in text
        assert "限制参与建设工程招标投标" in text and "已逾期" in text and builder_listing.number in text
        assert "限制参与政府采购活动" not in text  # 财政局's
        assert 'data-testid="todo-sanctions"' not in login(luoxi).get("/cases/todo/").content.decode()


def test_the_overview_card_counts_open_and_overdue_tasks_by_unit(builder_listing, login, office):
    with time_machine.travel(at("2026-12-16T09:00"), tick=False):
        response = login(office).get("/credit/")
    card = next(c for c in response.context["cards"] if c["template"] == "credit/_sanctions_card.html")
    by_unit = {r["name"]: r for r in card["rows"]}
    assert by_unit["区财政局"]["apply"] == 2 and by_unit["区财政局"]["overdue"] == 2
    assert card["open"] == 6 and card["overdue"] == 6
    assert 'data-testid="credit-card-sanctions"' in response.content.decode()


def test_the_credit_tab_shows_the_enterprises_tasks(builder_listing, world, login, luoxi, xuejia):
    response = login(luoxi).get(f"/enterprises/{world.luoxi_builder.uscc}/", {"tab": "credit"})
    text = response.content.decode()
    assert 'data-testid="credit-tab-sanctions"' in text and "限制参与建设工程招标投标" in text
    assert (
        login(xuejia).get(f"/enterprises/{world.luoxi_builder.uscc}/", {"tab": "credit"}).status_code == 404
    )


def test_the_listing_block_offers_the_form_to_the_units_own_tasks_only(builder_listing, chengjian, luoxi):
    request = RequestFactory().get(f"/credit/listings/{builder_listing.pk}/")
    request.user = chengjian
    section = sanctions_views.listing_section(request, builder_listing)
    assert section is not None
    mine = [t.measure.code for t in section["tasks"] if t.may_record]
    assert mine == ["construction-bidding"]
    html = render_to_string(section["template"], {"section": section}, request=request)
    assert html.count('data-testid="listing-sanction-form"') == 1
    request.user = luoxi
    section = sanctions_views.listing_section(request, builder_listing)
    assert section is not None and not any(t.may_record for t in section["tasks"])


def test_the_clause_map_names_each_measure_under_its_clause(login, office):
    text = login(office).get("/policy/").content.decode()
    assert "区农业局（水利局）：限制参与水利工程招标投标，依法限制水利建设市场准入" in text
    assert "区市场监督管理局：通过国家企业信用信息公示系统公示失信和行政处罚信息" in text


@pytest.mark.parametrize("persona", ["office", "chengjian", "luoxi", "caizheng"])
def test_the_menu_offers_the_tasks_and_the_measures(persona, request, login):
    text = login(request.getfixturevalue(persona)).get("/credit/sanctions/").content.decode()
    assert 'href="/credit/sanctions/"' in text and 'href="/credit/sanctions/measures/"' in text
