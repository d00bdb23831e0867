"""Project screens: the project ledger and page, and what each persona may do with projects."""

from __future__ import annotations

import pytest

from anxin.core.models import SecurityEvent
from anxin.registry.models import Enterprise
from anxin.registry.tests.factories import enterprise, project


def _edit_payload(firm: Enterprise, **changes) -> dict:
    data = {
        "uscc": firm.uscc,
        "name": firm.name,
        "legal_rep": firm.legal_rep,
        "town": firm.town_id,
        "address": firm.address,
        "industry": firm.industry,
        "ownership": firm.ownership,
        "kinds": [k.pk for k in firm.kinds.all()],
        "employees": firm.employees,
        "status": firm.status,
        "contact_person": "",
        "contact_phone": "",
        "note": "",
    }
    data.update(changes)
    return data


# --- projects --------------------------------------------------------------------------------------


def test_water_department_sees_only_water_projects(world, login, shuili):
    content = login(shuili).get("/projects/").content.decode()
    assert "孟河河道整治项目" in content
    assert "罗溪安置房项目" not in content


def test_town_user_registers_a_project_by_contractor_code(world, login, luoxi):
    from anxin.org.models import Town
    from anxin.registry.models import Project, ProjectSupervisor

    response = login(luoxi).post(
        "/projects/new/",
        {
            "name": "罗溪新厂房",
            "town": Town.objects.get(code="luoxi").pk,
            "builder_name": "罗溪纺织有限公司",
            "builder_uscc": world.luoxi_factory.uscc,
            "general_contractor_uscc": world.luoxi_builder.uscc,
            "subcontractor_usccs": "",
            "supervisor": ProjectSupervisor.objects.get(code="construction").pk,
            "contract_amount": "1,234,567.89",
            "status": "active",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Project.objects.get(name="罗溪新厂房")
    assert created.contract_amount == 123456789
    assert created.builder == world.luoxi_factory


def test_project_form_asks_the_name_of_a_contractor_code_outside_the_users_ledger(world, login, luoxi):
    from anxin.org.models import Town
    from anxin.registry.models import ProjectSupervisor
    from anxin.registry.tests.factories import make_uscc

    response = login(luoxi).post(
        "/projects/new/",
        {
            "name": "x",
            "town": Town.objects.get(code="luoxi").pk,
            "builder_name": "x",
            "general_contractor_uscc": make_uscc(),
            "supervisor": ProjectSupervisor.objects.get(code="construction").pk,
            "contract_amount": "100",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "不在您可查看的企业台账中，请填写该单位的全称" in response.content.decode()
    assert "尚未登记" not in response.content.decode()


def test_home_shows_counts_of_the_scope(world, login, luoxi):
    content = login(luoxi).get("/").content.decode()
    assert "2 家企业" in content


def test_home_breaks_the_scope_down_by_status_and_kind(world, login, luoxi):
    import html
    import json
    import re

    enterprise(town="luoxi", kinds=("industrial",), name="罗溪停产厂有限公司", status="suspended")
    enterprise(town="xuejia", kinds=("catering",), name="薛家停产饭店有限公司", status="suspended")
    response = login(luoxi).get("/")
    content = response.content.decode()

    assert "3 家企业" in content
    assert re.search(r'href="/enterprises/\?status=suspended".*?1 家停产', content, re.S)
    status_rows = dict(re.findall(r'\?status=(\w+)">[^<]+</a></td><td class="text-end">(\d+)<', content))
    assert status_rows == {
        "operating": "2",
        "suspended": "1",
        "closed": "0",
        "deregistered": "0",
        "unreachable": "0",
    }
    kinds = dict(re.findall(r'\?kind=(\w+)">[^<]+ (\d+)</a>', content))
    assert (kinds["industrial"], kinds["construction"], kinds["labour_intensive"]) == ("2", "1", "1")
    assert kinds["catering"] == "0"  # 薛家's restaurant is outside 罗溪's scope
    chart = json.loads(
        html.unescape(
            re.search(r"data-chart='([^']+)' role=\"img\" aria-label=\"按企业类型统计\"", content)[1]
        )
    )
    assert dict(zip(chart["labels"], chart["values"], strict=True))["工业企业"] == 2


def test_not_found_page_is_in_chinese(world, login, luoxi):
    response = login(luoxi).get(f"/enterprises/{world.xuejia_factory.uscc}/")
    assert response.status_code == 404
    assert "未找到该页面或记录" in response.content.decode()


def test_forbidden_page_is_in_chinese(world, login, leader):
    response = login(leader).get("/enterprises/new/")
    assert response.status_code == 403
    assert "无权" in response.content.decode()


def _worker(firm, actor):
    from anxin.core.validators import id_check_digit
    from anxin.registry.services import worker_create

    first17 = "32041119851203456"
    return worker_create(
        actor=actor,
        employer=firm,
        name="王五",
        id_number=first17 + id_check_digit(first17),
        phone="13812345678",
    )


def test_workers_tab_masks_id_numbers_and_phones(world, login, luoxi):
    worker = _worker(world.luoxi_factory, luoxi)
    content = login(luoxi).get(f"/enterprises/{world.luoxi_factory.uscc}/?tab=workers").content.decode()
    assert "王五" in content
    assert worker.id_number_masked in content
    assert worker.id_number not in content
    assert "138****5678" in content
    assert "查看完整号码" not in content  # a town user may not reveal


def test_office_reveals_full_numbers_and_the_reveal_is_logged(world, login, office):
    worker = _worker(world.luoxi_factory, office)
    client = login(office)
    assert (
        "查看完整号码" in client.get(f"/enterprises/{world.luoxi_factory.uscc}/?tab=workers").content.decode()
    )
    response = client.post(f"/enterprises/{world.luoxi_factory.uscc}/workers/reveal/", HTTP_HX_REQUEST="true")
    assert worker.id_number in response.content.decode()
    event = SecurityEvent.objects.get(kind="sensitive_view", user=office)
    assert worker.pk in event.detail["workers"]


def test_reveal_is_refused_without_the_permission(world, login, luoxi):
    _worker(world.luoxi_factory, luoxi)
    response = login(luoxi).post(f"/enterprises/{world.luoxi_factory.uscc}/workers/reveal/")
    assert response.status_code == 403
    assert not SecurityEvent.objects.filter(kind="sensitive_view").exists()


def test_search_finds_a_code_typed_in_full_width_with_blanks(world, login, office):
    code = world.sanjing_developer.uscc
    typed = "".join(chr(ord(c) + 0xFEE0) for c in code[:8]) + " " + code[8:].lower()
    content = login(office).get("/enterprises/", {"q": typed}).content.decode()
    assert "三井置业有限公司" in content
    assert "三井小厨餐饮有限公司" not in content


def test_an_enterprise_page_opens_from_a_lower_case_code(world, login, office):
    response = login(office).get(f"/enterprises/{world.xuejia_factory.uscc.lower()}/")
    assert response.status_code == 200
    assert "薛家机械有限公司" in response.content.decode()


def test_list_filters_by_industry(world, login, office):
    content = login(office).get("/enterprises/?industry=H").content.decode()
    assert "三井小厨餐饮有限公司" in content
    assert "三井置业有限公司" not in content


# --- project screens by persona -------------------------------------------------------------------


def _project_payload(item, **changes) -> dict:
    """The project form as the edit page would post it back, with ``changes`` applied."""
    data = {
        "name": item.name,
        "permit_no": item.permit_no,
        "town": item.town_id,
        "address": item.address,
        "supervisor": item.supervisor_id,
        "builder_name": item.builder_name,
        "builder_uscc": item.builder.uscc if item.builder else "",
        "general_contractor_uscc": item.general_contractor.uscc,
        "subcontractor_usccs": "\n".join(s.uscc for s in item.subcontractors.all()),
        "contract_amount": str(item.contract_amount // 100),
        "start_date": item.start_date or "",
        "planned_end_date": item.planned_end_date or "",
        "actual_end_date": item.actual_end_date or "",
        "status": item.status,
        "note": item.note,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("office", 200), ("chengjian", 200), ("luoxi", 200), ("xuejia", 404), (None, 302)],
)
def test_project_edit_page_answers_each_persona_by_scope(world, login, request, persona, expected):
    user = request.getfixturevalue(persona) if persona else None
    response = login(user).get(f"/projects/{world.luoxi_project.pk}/edit/")
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/login/")
    if expected == 200:
        assert 'name="general_contractor_uscc"' in response.content.decode()


def test_town_user_edits_its_project_and_finds_the_change_in_the_history_tab(world, login, luoxi):
    client = login(luoxi)
    item = world.luoxi_project
    response = client.post(
        f"/projects/{item.pk}/edit/",
        _project_payload(item, contract_amount="2,000,000.50", status="stopped"),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/projects/{item.pk}/"
    item.refresh_from_db()
    assert (item.contract_amount, item.status) == (200_000_050, "stopped")
    history = client.get(f"/projects/{item.pk}/?tab=history").content.decode()
    assert "罗溪镇测试" in history
    assert "停工" in history
    assert "2,000,000.50" in history  # money in the history reads in yuan, not in fen
    assert "200000050" not in history


def test_water_department_cannot_move_its_project_out_of_its_line_through_the_form(world, login, shuili):
    from anxin.registry.models import ProjectSupervisor

    item = world.menghe_river
    construction = ProjectSupervisor.objects.get(code="construction")
    response = login(shuili).post(
        f"/projects/{item.pk}/edit/", _project_payload(item, supervisor=construction.pk)
    )
    assert response.status_code == 200
    assert "不在您的管辖范围内" in response.content.decode()
    item.refresh_from_db()
    assert item.supervisor.code == "water"


def test_town_user_cannot_move_its_project_to_another_town_through_the_form(world, login, luoxi):
    from anxin.org.models import Town

    item = world.luoxi_project
    response = login(luoxi).post(
        f"/projects/{item.pk}/edit/", _project_payload(item, town=Town.objects.get(code="xuejia").pk)
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.town.code == "luoxi"


@pytest.fixture
def project_filters_world(world):
    """Three projects apart: 罗溪 (城建, 在建), 孟河 (水利, 在建) and a stopped one in 薛家 (城建)."""
    world.xuejia_stopped = project(
        town="xuejia", contractor=world.luoxi_builder, name="薛家厂房扩建项目", status="stopped"
    )
    return world


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("town=xuejia", {"薛家厂房扩建项目"}),
        ("status=stopped", {"薛家厂房扩建项目"}),
        ("supervisor=water", {"孟河河道整治项目"}),
        ("q=安置房", {"罗溪安置房项目"}),
        ("q=罗溪建设工程", {"罗溪安置房项目", "薛家厂房扩建项目"}),  # by general contractor
        ("supervisor=construction&status=active", {"罗溪安置房项目"}),
    ],
)
def test_project_list_filters_by_town_status_supervisor_and_search(
    project_filters_world, login, office, query, shown
):
    content = login(office).get(f"/projects/?{query}").content.decode()
    every = {"罗溪安置房项目", "孟河河道整治项目", "薛家厂房扩建项目"}
    assert {name for name in every if name in content} == shown


def test_project_list_filters_never_widen_a_town_users_scope(project_filters_world, login, luoxi):
    content = login(luoxi).get("/projects/?town=xuejia").content.decode()
    assert "薛家厂房扩建项目" not in content


@pytest.mark.parametrize("persona", ["office", "chengjian"])
def test_office_and_construction_bureau_open_a_project_with_both_tabs(world, login, request, persona):
    client = login(request.getfixturevalue(persona))
    basic = client.get(f"/projects/{world.luoxi_project.pk}/")
    assert basic.status_code == 200
    assert "罗溪建设工程有限公司" in basic.content.decode()
    history = client.get(f"/projects/{world.luoxi_project.pk}/?tab=history")
    assert history.status_code == 200
    assert 'data-testid="history"' in history.content.decode()


def test_construction_bureau_opens_a_water_project_as_it_sees_all_projects(world, login, chengjian):
    response = login(chengjian).get(f"/projects/{world.menghe_river.pk}/")
    assert response.status_code == 200
    assert "孟河河道整治项目" in response.content.decode()


def test_water_department_gets_404_for_a_construction_project(world, login, shuili):
    assert login(shuili).get(f"/projects/{world.luoxi_project.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["chengjian", "luoxi"])
def test_project_list_query_count_is_the_same_for_3_and_30_rows(world, login, request, persona):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(request.getfixturevalue(persona))
    client.get("/projects/")  # the session's first request skips the idle check; warm it

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/projects/").status_code == 200
        return len(ctx.captured_queries)

    sub = enterprise(town="luoxi", kinds=("construction",))
    for index in range(3):
        project(contractor=world.luoxi_builder, subs=[sub], name=f"少量项目{index}")
    few = count()
    for index in range(27):
        project(contractor=world.luoxi_builder, subs=[sub], name=f"更多项目{index:02d}")
    assert count() == few
