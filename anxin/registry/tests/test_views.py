"""Registry screens for every persona: what each one gets, and fixed query counts on lists."""

from __future__ import annotations

import io

import openpyxl
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


# --- who gets what -----------------------------------------------------------------------------

PERSONA_LIST = ["office", "leader", "chengjian", "luoxi", "xuejia", "auditor"]


@pytest.mark.parametrize("persona", PERSONA_LIST)
def test_enterprise_list_renders_for_every_district_role(world, login, request, persona):
    response = login(request.getfixturevalue(persona)).get("/enterprises/")
    assert response.status_code == 200


def test_public_visitor_is_sent_to_login(world, client):
    response = client.get("/enterprises/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_public_visitor_cannot_open_an_enterprise(world, client):
    response = client.get(f"/enterprises/{world.luoxi_factory.uscc}/")
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["sysadmin", "secadmin"])
def test_admin_roles_without_business_data_get_403_on_the_ledger(world, login, request, persona):
    assert login(request.getfixturevalue(persona)).get("/enterprises/").status_code == 403


def test_town_user_lists_only_its_own_enterprises(world, login, luoxi):
    content = login(luoxi).get("/enterprises/").content.decode()
    assert "罗溪纺织有限公司" in content
    assert "薛家机械有限公司" not in content
    assert "三井小厨餐饮有限公司" not in content


def test_town_user_gets_404_for_another_towns_enterprise(world, login, luoxi):
    client = login(luoxi)
    assert client.get(f"/enterprises/{world.xuejia_factory.uscc}/").status_code == 404
    assert client.get(f"/enterprises/{world.xuejia_factory.uscc}/edit/").status_code == 404
    assert client.get(f"/enterprises/{world.xuejia_factory.uscc}/?tab=history").status_code == 404


def test_town_user_gets_404_for_another_towns_project(world, login, xuejia):
    assert login(xuejia).get(f"/projects/{world.luoxi_project.pk}/").status_code == 404


def test_unknown_code_is_404_like_an_out_of_scope_one(world, login, luoxi):
    assert login(luoxi).get("/enterprises/91320411MA0000000X/").status_code == 404


def test_construction_department_sees_construction_across_towns_but_not_the_restaurant(
    world, login, chengjian
):
    client = login(chengjian)
    content = client.get("/enterprises/").content.decode()
    assert "三井置业有限公司" in content
    assert "罗溪建设工程有限公司" in content
    assert "三井小厨餐饮有限公司" not in content
    assert client.get(f"/enterprises/{world.sanjing_restaurant.uscc}/").status_code == 404


def test_office_opens_any_enterprise_with_every_tab(world, login, office):
    client = login(office)
    for tab in ("basic", "projects", "history"):
        response = client.get(f"/enterprises/{world.xuejia_factory.uscc}/?tab={tab}")
        assert response.status_code == 200


def test_leader_reads_but_cannot_edit(world, login, leader):
    client = login(leader)
    assert client.get(f"/enterprises/{world.luoxi_factory.uscc}/").status_code == 200
    assert client.get(f"/enterprises/{world.luoxi_factory.uscc}/edit/").status_code == 403
    assert client.get("/enterprises/new/").status_code == 403


def test_auditor_reads_but_cannot_edit(world, login, auditor):
    assert login(auditor).get(f"/enterprises/{world.luoxi_factory.uscc}/edit/").status_code == 403


def test_department_user_cannot_register_enterprises(world, login, chengjian):
    assert login(chengjian).get("/enterprises/new/").status_code == 403


# --- edit and history ---------------------------------------------------------------------------


def test_town_user_edits_its_enterprise_and_finds_the_change_in_history(world, login, luoxi):
    client = login(luoxi)
    firm = world.luoxi_factory
    response = client.post(f"/enterprises/{firm.uscc}/edit/", _edit_payload(firm, employees=321))
    assert response.status_code == 302
    firm.refresh_from_db()
    assert firm.employees == 321
    history = client.get(f"/enterprises/{firm.uscc}/?tab=history").content.decode()
    assert "321" in history
    assert "罗溪镇测试" in history


def test_an_edit_through_the_screen_is_audited_with_the_actor_and_the_client_address(world, login, luoxi):
    from auditlog.models import LogEntry

    firm = world.luoxi_factory
    response = login(luoxi).post(
        f"/enterprises/{firm.uscc}/edit/",
        _edit_payload(firm, employees=77),
        REMOTE_ADDR="10.32.4.17",
        HTTP_X_FORWARDED_FOR="1.2.3.4",  # no proxy in front: a client-sent header is not believed
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(firm).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == luoxi
    assert entry.remote_addr == "10.32.4.17"
    assert entry.changes_dict["employees"] == ["50", "77"]
    history = login(luoxi).get(f"/enterprises/{firm.uscc}/?tab=history").content.decode()
    assert "罗溪镇测试（10.32.4.17）" in history


def test_edit_with_an_invalid_phone_shows_a_chinese_error_and_changes_nothing(world, login, luoxi):
    client = login(luoxi)
    firm = world.luoxi_factory
    response = client.post(f"/enterprises/{firm.uscc}/edit/", _edit_payload(firm, contact_phone="12345"))
    assert response.status_code == 200
    assert "电话" in response.content.decode() or "号码" in response.content.decode()
    firm.refresh_from_db()
    assert firm.contact_phone == ""


def test_town_user_cannot_pick_another_town_in_the_form(world, login, luoxi):
    from anxin.org.models import Town

    firm = world.luoxi_factory
    xuejia_town = Town.objects.get(code="xuejia")
    response = login(luoxi).post(f"/enterprises/{firm.uscc}/edit/", _edit_payload(firm, town=xuejia_town.pk))
    assert response.status_code == 200
    firm.refresh_from_db()
    assert firm.town.code == "luoxi"


def test_town_user_registers_an_enterprise_through_the_form(world, login, luoxi):
    from anxin.org.models import Town
    from anxin.registry.tests.factories import make_uscc

    code = make_uscc()
    payload = {
        "uscc": code.lower(),
        "name": "罗溪新办企业有限公司",
        "legal_rep": "赵六",
        "town": Town.objects.get(code="luoxi").pk,
        "address": "罗溪镇",
        "industry": "C",
        "ownership": "private",
        "employees": 12,
        "status": "operating",
    }
    response = login(luoxi).post("/enterprises/new/", payload)
    assert response.status_code == 302
    assert Enterprise.objects.filter(uscc=code, town__code="luoxi").exists()


def test_form_reports_a_bad_check_character_in_chinese(world, login, luoxi):
    from anxin.org.models import Town

    response = login(luoxi).post(
        "/enterprises/new/",
        {
            "uscc": "91320411MA00000000",
            "name": "x",
            "legal_rep": "x",
            "town": Town.objects.get(code="luoxi").pk,
            "address": "x",
            "industry": "C",
            "ownership": "private",
            "employees": 1,
            "status": "operating",
        },
    )
    assert response.status_code == 200
    assert "校验" in response.content.decode()


# --- lists: filters, htmx, query counts, export -----------------------------------------------------


def test_list_filters_by_kind_and_search(world, login, office):
    client = login(office)
    content = client.get("/enterprises/?kind=catering").content.decode()
    assert "三井小厨餐饮有限公司" in content
    assert "罗溪纺织有限公司" not in content
    assert "三井置业有限公司" in client.get("/enterprises/?q=置业").content.decode()


def test_htmx_request_gets_only_the_table(world, login, office):
    response = login(office).get("/enterprises/?q=置业", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "三井置业有限公司" in content
    assert "<html" not in content


def test_bad_page_number_gives_a_page_not_an_error(world, login, office):
    too_far = login(office).get("/enterprises/?page=9999")
    assert too_far.status_code == 200
    assert too_far.context["page"].number == too_far.context["paginator"].num_pages  # the last page
    not_a_number = login(office).get("/enterprises/?page=abc")
    assert not_a_number.status_code == 200
    assert not_a_number.context["page"].number == 1
    assert "罗溪纺织有限公司" in not_a_number.content.decode()


@pytest.mark.parametrize("extra", [3, 40])
def test_enterprise_list_query_count_does_not_grow_with_rows(
    world, login, office, extra, django_assert_max_num_queries
):
    for index in range(extra):
        enterprise(
            town="luoxi", kinds=("industrial", "labour_intensive"), name=f"批量企业{index:03d}有限公司"
        )
    client = login(office)
    with django_assert_max_num_queries(15):
        response = client.get("/enterprises/")
    assert response.status_code == 200


@pytest.mark.parametrize("extra", [3, 40])
def test_project_list_query_count_does_not_grow_with_rows(
    world, login, office, extra, django_assert_max_num_queries
):
    builder = enterprise(town="luoxi", kinds=("construction",))
    for index in range(extra):
        project(contractor=builder, name=f"批量项目{index:03d}")
    client = login(office)
    with django_assert_max_num_queries(15):
        response = client.get("/projects/")
    assert response.status_code == 200


def test_town_list_query_count_is_bounded_too(world, login, luoxi, django_assert_max_num_queries):
    for index in range(30):
        enterprise(town="luoxi", name=f"罗溪批量{index:03d}有限公司")
    client = login(luoxi)
    with django_assert_max_num_queries(16):  # +1: the 失信 mark's one read for the page (issue 17)
        client.get("/enterprises/")


def test_export_contains_the_filtered_scope_and_is_logged(world, login, luoxi):
    response = login(luoxi).get("/enterprises/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = {row[1] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert names == {"罗溪纺织有限公司", "罗溪建设工程有限公司"}
    event = SecurityEvent.objects.filter(kind="export", user=luoxi).get()
    assert "企业台账" in event.summary


def test_export_applies_the_filters(world, login, office):
    response = login(office).get("/enterprises/?kind=catering&export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert [r[1] for r in rows] == ["三井小厨餐饮有限公司"]
    assert "企业类型=住宿餐饮" in sheet["A2"].value


def test_project_export_has_money_in_yuan(world, login, office):
    response = login(office).get("/projects/?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    amounts = [r[6] for r in sheet.iter_rows(min_row=5, values_only=True)]
    assert 1_000_000 in amounts  # 100,000,000 fen


# --- access table: persona × page for the registry's write screens ---------------------------------

ACCESS_PERSONAS = [
    "office",
    "leader",
    "chengjian",
    "renshe",
    "luoxi",
    "xuejia",
    "sysadmin",
    "secadmin",
    "auditor",
    None,
]
# Page → expected status per persona (same order). 403: the role may not; 404: the role may, but
# the object lies outside the user's scope; 302: to the login page. The enterprise is 罗溪建设工程
# (建筑施工, 罗溪) and the project 罗溪安置房项目 (城建, 罗溪).
ACCESS_TABLE = {
    # office, leader, chengjian, renshe, luoxi, xuejia, sysadmin, secadmin, auditor, anonymous
    "enterprise-create": [200, 403, 403, 403, 200, 200, 403, 403, 403, 302],
    "enterprise-edit": [200, 403, 200, 200, 200, 404, 403, 403, 403, 302],
    "enterprise-import": [200, 403, 403, 403, 200, 200, 403, 403, 403, 302],
    "enterprise-import-template": [200, 403, 403, 403, 200, 200, 403, 403, 403, 302],
    "project-create": [200, 403, 200, 403, 200, 200, 403, 403, 403, 302],
    "project-edit": [200, 403, 200, 404, 200, 404, 403, 403, 403, 302],
}


def _access_url(page: str, world) -> str:
    return {
        "enterprise-create": "/enterprises/new/",
        "enterprise-edit": f"/enterprises/{world.luoxi_builder.uscc}/edit/",
        "enterprise-import": "/enterprises/import/",
        "enterprise-import-template": "/enterprises/import/template.xlsx",
        "project-create": "/projects/new/",
        "project-edit": f"/projects/{world.luoxi_project.pk}/edit/",
    }[page]


@pytest.mark.parametrize(
    ("page", "persona", "expected"),
    [
        (page, persona, status)
        for page, statuses in ACCESS_TABLE.items()
        for persona, status in zip(ACCESS_PERSONAS, statuses, strict=True)
    ],
)
def test_access_table_for_the_registry_write_screens(world, login, request, page, persona, expected):
    user = request.getfixturevalue(persona) if persona else None
    response = login(user).get(_access_url(page, world))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/login/")


def test_a_department_without_a_project_line_is_not_offered_the_project_form(world, login, renshe, chengjian):
    assert "登记项目" not in login(renshe).get("/projects/").content.decode()
    assert "登记项目" in login(chengjian).get("/projects/").content.decode()


def test_a_department_without_a_project_line_cannot_post_a_project(world, login, renshe):
    from anxin.org.models import Town
    from anxin.registry.models import Project, ProjectSupervisor

    response = login(renshe).post(
        "/projects/new/",
        {
            "name": "人社局登记的项目",
            "town": Town.objects.get(code="luoxi").pk,
            "builder_name": "x",
            "general_contractor_uscc": world.luoxi_builder.uscc,
            "supervisor": ProjectSupervisor.objects.get(code="construction").pk,
            "contract_amount": "100",
            "status": "active",
        },
    )
    assert response.status_code == 403
    assert not Project.objects.filter(name="人社局登记的项目").exists()


def _project_across_towns(world):
    """罗溪's project, built for 三井's developer, with 薛家's dispatch firm as a subcontractor."""
    project = world.luoxi_project
    project.builder, project.builder_name = world.sanjing_developer, world.sanjing_developer.name
    project.save(update_fields=["builder", "builder_name"])
    project.subcontractors.add(world.xuejia_dispatch)
    return project


def _links(page: str, firm) -> bool:
    return f'href="/enterprises/{firm.uscc}/"' in page


@pytest.mark.parametrize(
    "persona, linked, plain",
    [
        ("luoxi", ["luoxi_builder"], ["sanjing_developer", "xuejia_dispatch"]),
        ("office", ["luoxi_builder", "sanjing_developer", "xuejia_dispatch"], []),
        ("leader", ["luoxi_builder", "sanjing_developer", "xuejia_dispatch"], []),
        ("chengjian", ["luoxi_builder", "sanjing_developer", "xuejia_dispatch"], []),
    ],
)
def test_a_project_page_links_only_the_enterprises_the_reader_may_open(
    world, login, request, persona, linked, plain
):
    project = _project_across_towns(world)
    client = login(request.getfixturevalue(persona))
    page = client.get(f"/projects/{project.pk}/").content.decode()
    for name in linked + plain:
        firm = getattr(world, name)
        assert firm.name in page
        assert _links(page, firm) == (name in linked)
        # every link opens; every name left plain would have been a 404
        expected = 200 if name in linked else 404
        assert client.get(f"/enterprises/{firm.uscc}/").status_code == expected


def test_a_town_cannot_open_another_towns_project_at_all(world, login, xuejia):
    project = _project_across_towns(world)
    assert login(xuejia).get(f"/projects/{project.pk}/").status_code == 404
