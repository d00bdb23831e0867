"""The registry over the REST API: enterprises by uscc, projects; scoped like the screens.

Token auth (``Authorization: Token …``) and session auth; a user sees its territory or line;
an object outside it is a 404; bad input is a 400 with field messages, never a 500.
"""

from __future__ import annotations

import json
import re

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anxin.core.audit import system_actor
from anxin.org.services import token_issue
from anxin.registry.models import Enterprise, Project
from anxin.registry.tests.factories import enterprise, make_uscc, project

ENTERPRISES = "/api/v1/enterprises/"
PROJECTS = "/api/v1/projects/"


@pytest.fixture
def as_user(api_client):
    """``as_user(user)`` → the API client sending that user's token."""

    def _as(user):
        key = token_issue(actor=system_actor(), user=user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api_client

    return _as


def names(response) -> set[str]:
    return {item["name"] for item in response.json()["results"]}


def enterprise_payload(**fields) -> dict:
    data = {
        "uscc": make_uscc(),
        "name": "罗溪接口测试有限公司",
        "legal_rep": "赵六",
        "town": "luoxi",
        "address": "罗溪镇接口路1号",
        "industry": "C",
        "kinds": ["industrial", "labour_intensive"],
        "employees": 80,
    }
    data.update(fields)
    return data


def project_payload(contractor: Enterprise, **fields) -> dict:
    data = {
        "name": "罗溪接口测试项目",
        "town": "luoxi",
        "builder_name": "某建设单位",
        "general_contractor": contractor.uscc,
        "supervisor": "construction",
        "contract_amount": "12,345.67",
    }
    data.update(fields)
    return data


# --- authentication ------------------------------------------------------------------------------


def test_token_authenticates_a_request(world, office, as_user):
    response = as_user(office).get(ENTERPRISES)

    assert response.status_code == 200
    assert response.json()["count"] == Enterprise.objects.count()


def test_session_login_authenticates_a_request(world, office, login):
    response = login(office).get(ENTERPRISES)

    assert response.status_code == 200


@pytest.mark.parametrize("url", [ENTERPRISES, PROJECTS])
def test_unauthenticated_request_is_refused(world, api_client, url):
    assert api_client.get(url).status_code in (401, 403)


def test_unknown_token_is_refused(world, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)

    assert api_client.get(ENTERPRISES).status_code == 401


def test_token_of_a_deactivated_user_is_refused(world, luoxi, as_user):
    client = as_user(luoxi)
    luoxi.is_active = False
    luoxi.save(update_fields=["is_active"])

    assert client.get(ENTERPRISES).status_code == 401


# --- enterprises: reading, scoped ----------------------------------------------------------------


def test_town_user_lists_only_enterprises_of_its_town(world, luoxi, as_user):
    response = as_user(luoxi).get(ENTERPRISES)

    assert names(response) == {"罗溪纺织有限公司", "罗溪建设工程有限公司"}


def test_construction_department_lists_construction_and_real_estate_across_towns(world, chengjian, as_user):
    seen = names(as_user(chengjian).get(ENTERPRISES))

    assert {"罗溪建设工程有限公司", "三井置业有限公司"} <= seen


def test_construction_department_does_not_list_the_sanjing_restaurant(world, chengjian, as_user):
    seen = names(as_user(chengjian).get(ENTERPRISES))

    assert "三井小厨餐饮有限公司" not in seen


def test_list_filters_by_uscc(world, office, as_user):
    response = as_user(office).get(ENTERPRISES, {"uscc": world.xuejia_factory.uscc.lower()})

    assert names(response) == {"薛家机械有限公司"}


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(lambda code: _fullwidth(code), id="full-width"),
        pytest.param(lambda code: f"{code[:6]} {code[6:12]}\u3000{code[12:]}", id="inner-blanks"),
        pytest.param(lambda code: f"\t{_fullwidth(code.lower()[:9])}{code.lower()[9:]} ", id="mixed"),
    ],
)
def test_uscc_filter_reads_the_code_as_the_validator_does(world, office, as_user, typed):
    response = as_user(office).get(ENTERPRISES, {"uscc": typed(world.xuejia_factory.uscc)})

    assert names(response) == {"薛家机械有限公司"}


def test_uscc_filter_never_widens_a_town_users_scope(world, luoxi, as_user):
    response = as_user(luoxi).get(ENTERPRISES, {"uscc": _fullwidth(world.xuejia_factory.uscc)})

    assert response.json()["results"] == []


def test_list_filters_by_town_code(world, office, as_user):
    response = as_user(office).get(ENTERPRISES, {"town": "sanjing"})

    assert names(response) == {"三井小厨餐饮有限公司", "三井置业有限公司"}


def test_list_filters_by_kind_code(world, office, as_user):
    response = as_user(office).get(ENTERPRISES, {"kind": "labour_dispatch"})

    assert names(response) == {"薛家劳务派遣有限公司"}


def test_town_filter_cannot_widen_a_town_users_scope(world, luoxi, as_user):
    response = as_user(luoxi).get(ENTERPRISES, {"town": "xuejia"})

    assert response.json()["count"] == 0


def test_enterprise_is_retrieved_by_uscc(world, office, as_user):
    response = as_user(office).get(f"{ENTERPRISES}{world.luoxi_factory.uscc}/")

    body = response.json()
    assert response.status_code == 200
    assert (body["uscc"], body["name"], body["town"], body["town_name"]) == (
        world.luoxi_factory.uscc,
        "罗溪纺织有限公司",
        "luoxi",
        "罗溪镇",
    )
    assert body["kinds"] == ["industrial", "labour_intensive"]


def test_another_towns_enterprise_is_404_on_retrieve(world, luoxi, as_user):
    response = as_user(luoxi).get(f"{ENTERPRISES}{world.xuejia_factory.uscc}/")

    assert response.status_code == 404


def test_another_towns_enterprise_is_404_on_update(world, luoxi, as_user):
    response = as_user(luoxi).patch(
        f"{ENTERPRISES}{world.xuejia_factory.uscc}/", {"employees": 1}, format="json"
    )

    assert response.status_code == 404
    assert Enterprise.objects.get(pk=world.xuejia_factory.pk).employees == 50


def test_enterprise_outside_a_departments_line_is_404(world, chengjian, as_user):
    response = as_user(chengjian).get(f"{ENTERPRISES}{world.sanjing_restaurant.uscc}/")

    assert response.status_code == 404


# --- enterprises: writing -----------------------------------------------------------------------


def test_create_with_codes_for_town_and_kinds_returns_201(district, office, as_user):
    payload = enterprise_payload()

    response = as_user(office).post(ENTERPRISES, payload, format="json")

    assert response.status_code == 201, response.json()
    enterprise = Enterprise.objects.get(uscc=payload["uscc"])
    assert enterprise.town.code == "luoxi"
    assert {k.code for k in enterprise.kinds.all()} == {"industrial", "labour_intensive"}


def test_create_records_the_api_user_in_the_audit_log(district, office, as_user):
    payload = enterprise_payload()

    as_user(office).post(ENTERPRISES, payload, format="json")

    enterprise = Enterprise.objects.get(uscc=payload["uscc"])
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Enterprise),
        object_pk=str(enterprise.pk),
        action=LogEntry.Action.CREATE,
    )
    assert entry.actor == office


def test_create_stores_a_lower_case_uscc_normalised(district, office, as_user):
    code = make_uscc()

    response = as_user(office).post(ENTERPRISES, enterprise_payload(uscc=f" {code.lower()} "), format="json")

    assert response.json()["uscc"] == code


def test_create_with_a_bad_check_character_is_400_on_uscc(district, office, as_user):
    code = make_uscc()
    wrong = code[:17] + ("0" if code[17] != "0" else "1")

    response = as_user(office).post(ENTERPRISES, enterprise_payload(uscc=wrong), format="json")

    assert response.status_code == 400
    assert "校验位" in response.json()["uscc"][0]


def test_create_with_an_unknown_town_is_400_on_town(district, office, as_user):
    response = as_user(office).post(ENTERPRISES, enterprise_payload(town="mars"), format="json")

    assert response.status_code == 400
    assert "town" in response.json()


def test_create_with_an_unknown_kind_is_400_on_kinds(district, office, as_user):
    response = as_user(office).post(
        ENTERPRISES, enterprise_payload(kinds=["industrial", "alien"]), format="json"
    )

    assert response.status_code == 400
    assert "kinds" in response.json()


def test_create_with_a_registered_uscc_is_409_on_uscc(world, office, as_user):
    payload = enterprise_payload(uscc=world.luoxi_factory.uscc)

    response = as_user(office).post(ENTERPRISES, payload, format="json")

    assert response.status_code == 409
    assert response.json()["uscc"] == ["该统一社会信用代码已登记"]


@pytest.mark.parametrize(
    "field, value",
    [("employees", -1), ("employees", "很多"), ("industry", "Z"), ("contact_phone", "12345"), ("name", "")],
)
def test_create_with_an_invalid_field_is_400_naming_it(district, office, as_user, field, value):
    response = as_user(office).post(ENTERPRISES, enterprise_payload(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_town_user_cannot_create_an_enterprise_in_another_town(district, luoxi, as_user):
    payload = enterprise_payload(town="xuejia")

    response = as_user(luoxi).post(ENTERPRISES, payload, format="json")

    assert response.status_code == 403
    assert not Enterprise.objects.filter(uscc=payload["uscc"]).exists()


def test_town_user_creates_an_enterprise_in_its_own_town(district, luoxi, as_user):
    response = as_user(luoxi).post(ENTERPRISES, enterprise_payload(), format="json")

    assert response.status_code == 201


def test_patch_by_uscc_updates_the_enterprise(world, luoxi, as_user):
    url = f"{ENTERPRISES}{world.luoxi_factory.uscc}/"

    response = as_user(luoxi).patch(url, {"employees": 321, "status": "suspended"}, format="json")

    assert response.status_code == 200
    world.luoxi_factory.refresh_from_db()
    assert (world.luoxi_factory.employees, world.luoxi_factory.status) == (321, "suspended")


def test_patch_cannot_move_an_enterprise_out_of_a_town_users_territory(world, luoxi, as_user):
    url = f"{ENTERPRISES}{world.luoxi_factory.uscc}/"

    response = as_user(luoxi).patch(url, {"town": "xuejia"}, format="json")

    assert response.status_code == 403
    assert Enterprise.objects.get(pk=world.luoxi_factory.pk).town.code == "luoxi"


def test_patch_to_another_enterprises_uscc_is_409(world, office, as_user):
    url = f"{ENTERPRISES}{world.luoxi_factory.uscc}/"

    response = as_user(office).patch(url, {"uscc": world.xuejia_factory.uscc}, format="json")

    assert response.status_code == 409
    assert "uscc" in response.json()


def test_read_only_leader_cannot_create(district, leader, as_user):
    response = as_user(leader).post(ENTERPRISES, enterprise_payload(), format="json")

    assert response.status_code == 403


def test_read_only_leader_cannot_update(world, leader, as_user):
    url = f"{ENTERPRISES}{world.luoxi_factory.uscc}/"

    response = as_user(leader).patch(url, {"employees": 1}, format="json")

    assert response.status_code == 403


def test_read_only_leader_can_list(world, leader, as_user):
    response = as_user(leader).get(ENTERPRISES)
    assert response.status_code == 200
    listed = {row["uscc"] for row in response.json()["results"]}
    assert {world.luoxi_factory.uscc, world.xuejia_factory.uscc, world.menghe_water.uscc} <= listed


def test_enterprises_cannot_be_deleted_over_the_api(world, office, as_user):
    response = as_user(office).delete(f"{ENTERPRISES}{world.luoxi_factory.uscc}/")

    assert response.status_code in (403, 405)
    assert Enterprise.objects.filter(pk=world.luoxi_factory.pk).exists()


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_enterprise_list_query_count_does_not_grow_with_the_rows(world, office, as_user):
    client = as_user(office)
    before = queries_for(client, ENTERPRISES)
    for _ in range(5):
        enterprise(town="luoxi", kinds=("construction", "industrial"))

    assert queries_for(client, ENTERPRISES) == before


# --- projects -----------------------------------------------------------------------------------


def test_project_contract_amount_is_a_yuan_string_with_two_decimals(world, office, as_user):
    response = as_user(office).get(f"{PROJECTS}{world.luoxi_project.pk}/")

    assert response.json()["contract_amount"] == "1000000.00"


def test_project_general_contractor_is_shown_by_uscc(world, office, as_user):
    response = as_user(office).get(f"{PROJECTS}{world.luoxi_project.pk}/")

    assert response.json()["general_contractor"] == world.luoxi_builder.uscc


def test_project_create_accepts_a_grouped_yuan_amount(world, office, as_user):
    response = as_user(office).post(PROJECTS, project_payload(world.luoxi_builder), format="json")

    assert response.status_code == 201, response.json()
    assert Project.objects.get(pk=response.json()["id"]).contract_amount == 1_234_567
    assert response.json()["contract_amount"] == "12345.67"


def test_project_create_finds_the_general_contractor_by_uscc(world, office, as_user):
    payload = project_payload(world.luoxi_builder, general_contractor=world.luoxi_builder.uscc.lower())

    response = as_user(office).post(PROJECTS, payload, format="json")

    assert Project.objects.get(pk=response.json()["id"]).general_contractor == world.luoxi_builder


@pytest.mark.parametrize("amount", ["1.234", "12,34.5", "abc", 1234.5])
def test_project_create_refuses_an_ambiguous_amount(world, office, as_user, amount):
    payload = project_payload(world.luoxi_builder, contract_amount=amount)

    response = as_user(office).post(PROJECTS, payload, format="json")

    assert response.status_code == 400
    assert "contract_amount" in response.json()


def test_project_create_with_an_unregistered_contractor_is_404_naming_the_field(world, office, as_user):
    payload = project_payload(world.luoxi_builder, general_contractor=make_uscc())

    response = as_user(office).post(PROJECTS, payload, format="json")

    assert response.status_code == 404
    assert "尚未登记" in response.json()["general_contractor"][0]


def test_a_town_gets_one_answer_for_another_towns_contractor_and_an_unregistered_one(world, luoxi, as_user):
    """Issue #13 finding 6: over the API too, a town cannot learn whether a code is registered
    in another town: both answers are the same 404, naming no enterprise."""
    client = as_user(luoxi)
    elsewhere, nowhere = world.xuejia_factory.uscc, make_uscc()

    first = client.post(
        PROJECTS, project_payload(world.luoxi_builder, general_contractor=elsewhere), format="json"
    )
    second = client.post(
        PROJECTS, project_payload(world.luoxi_builder, general_contractor=nowhere), format="json"
    )

    assert first.status_code == second.status_code == 404
    assert first.content.decode().replace(elsewhere, "CODE") == second.content.decode().replace(
        nowhere, "CODE"
    )
    assert world.xuejia_factory.name not in first.content.decode()
    subs = client.post(
        PROJECTS, project_payload(world.luoxi_builder, subcontractors=[elsewhere]), format="json"
    )
    assert subs.status_code == 404 and "subcontractors" in subs.json()


def test_a_town_keeps_a_contractor_on_file_that_it_cannot_see(world, luoxi, as_user):
    on_file = project(contractor=world.xuejia_factory)
    response = as_user(luoxi).patch(
        f"{PROJECTS}{on_file.pk}/",
        {"general_contractor": world.xuejia_factory.uscc, "note": "保留原总包"},
        format="json",
    )
    assert response.status_code == 200, response.content


def test_project_create_with_an_invalid_contractor_code_is_400(world, office, as_user):
    payload = project_payload(world.luoxi_builder, general_contractor="not-a-code")

    response = as_user(office).post(PROJECTS, payload, format="json")

    assert response.status_code == 400
    assert "general_contractor" in response.json()


def test_project_end_before_start_is_400(world, office, as_user):
    payload = project_payload(world.luoxi_builder, start_date="2026-05-01", planned_end_date="2026-04-01")

    response = as_user(office).post(PROJECTS, payload, format="json")

    assert response.status_code == 400


def test_project_patch_changes_the_amount(world, chengjian, as_user):
    url = f"{PROJECTS}{world.luoxi_project.pk}/"

    response = as_user(chengjian).patch(url, {"contract_amount": "2,000,000.50"}, format="json")

    assert response.status_code == 200
    assert Project.objects.get(pk=world.luoxi_project.pk).contract_amount == 200_000_050


def test_project_list_query_count_does_not_grow_with_the_rows(world, office, as_user):
    client = as_user(office)
    before = queries_for(client, PROJECTS)
    for _ in range(5):
        builder = enterprise(town="luoxi", kinds=("real_estate",))
        project(contractor=world.luoxi_builder, builder=builder, subs=[enterprise(town="luoxi")])

    assert queries_for(client, PROJECTS) == before


def test_town_user_lists_only_projects_of_its_town(world, luoxi, as_user):
    response = as_user(luoxi).get(PROJECTS)

    assert names(response) == {"罗溪安置房项目"}


def test_another_towns_project_is_404(world, luoxi, as_user):
    response = as_user(luoxi).get(f"{PROJECTS}{world.menghe_river.pk}/")

    assert response.status_code == 404


def test_read_only_leader_cannot_create_a_project(world, leader, as_user):
    response = as_user(leader).post(PROJECTS, project_payload(world.luoxi_builder), format="json")

    assert response.status_code == 403


def test_project_patch_cannot_move_it_to_another_town(world, luoxi, as_user):
    url = f"{PROJECTS}{world.luoxi_project.pk}/"

    response = as_user(luoxi).patch(url, {"town": "xuejia"}, format="json")

    assert response.status_code == 403
    assert "不在您的管辖范围内" in json.dumps(response.json(), ensure_ascii=False)
    assert Project.objects.get(pk=world.luoxi_project.pk).town.code == "luoxi"


def test_project_patch_cannot_move_it_out_of_a_departments_line(world, shuili, as_user):
    url = f"{PROJECTS}{world.menghe_river.pk}/"

    response = as_user(shuili).patch(url, {"supervisor": "construction"}, format="json")

    assert response.status_code == 403
    assert Project.objects.get(pk=world.menghe_river.pk).supervisor.code == "water"


@pytest.fixture
def three_projects(world):
    project(town="xuejia", contractor=world.luoxi_builder, name="薛家厂房扩建项目", status="stopped")
    return world


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"town": "xuejia"}, {"薛家厂房扩建项目"}),
        ({"status": "stopped"}, {"薛家厂房扩建项目"}),
        ({"supervisor": "water"}, {"孟河河道整治项目"}),
        ({"q": "安置房"}, {"罗溪安置房项目"}),
        ({"q": "罗溪建设工程"}, {"罗溪安置房项目", "薛家厂房扩建项目"}),
        ({"supervisor": "construction", "status": "active"}, {"罗溪安置房项目"}),
    ],
)
def test_project_list_filters_by_town_status_supervisor_and_search(
    three_projects, office, as_user, query, shown
):
    response = as_user(office).get(PROJECTS, query)

    assert names(response) == shown


def test_construction_department_lists_every_project(three_projects, chengjian, as_user):
    response = as_user(chengjian).get(PROJECTS)

    assert names(response) == {"罗溪安置房项目", "孟河河道整治项目", "薛家厂房扩建项目"}


def test_water_department_lists_only_water_projects(three_projects, shuili, as_user):
    response = as_user(shuili).get(PROJECTS)

    assert names(response) == {"孟河河道整治项目"}


def test_water_department_gets_404_for_a_construction_project(world, shuili, as_user):
    response = as_user(shuili).get(f"{PROJECTS}{world.luoxi_project.pk}/")

    assert response.status_code == 404


def test_construction_department_retrieves_a_project_with_its_contractors_by_uscc(world, chengjian, as_user):
    response = as_user(chengjian).get(f"{PROJECTS}{world.menghe_river.pk}/")

    assert response.status_code == 200
    assert response.json()["general_contractor"] == world.menghe_water.uscc
    assert response.json()["supervisor"] == "water"


def test_department_without_a_line_lists_no_projects(world, gongan, as_user):
    response = as_user(gongan).get(PROJECTS)

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_construction_department_registers_a_project(world, chengjian, as_user):
    response = as_user(chengjian).post(PROJECTS, project_payload(world.luoxi_builder), format="json")

    assert response.status_code == 201, response.content
    assert Project.objects.filter(name="罗溪接口测试项目", town__code="luoxi").exists()


def test_a_department_without_a_project_line_cannot_register_a_project(world, renshe, as_user):
    response = as_user(renshe).post(PROJECTS, project_payload(world.luoxi_builder), format="json")

    assert response.status_code == 403
    assert "工程项目监管条线" in response.json()["detail"]
    assert not Project.objects.filter(name="罗溪接口测试项目").exists()


# --- schema and docs ----------------------------------------------------------------------------


def test_schema_is_an_openapi_document(office, as_user):
    response = as_user(office).get("/api/v1/schema/", {"format": "json"})

    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/enterprises/{uscc}/" in document["paths"]


def test_schema_describes_money_as_a_yuan_string(office, as_user):
    document = as_user(office).get("/api/v1/schema/", {"format": "json"}).json()

    amount = document["components"]["schemas"]["Project"]["properties"]["contract_amount"]
    assert amount["type"] == "string"


def test_docs_page_loads_nothing_from_outside_the_site(office, login):
    response = login(office).get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    external = re.findall(r"""(?:src|href)\s*=\s*["']\s*((?:https?:)?//[^"']*)""", html, flags=re.I)
    assert external == []


def test_docs_page_turns_off_swagger_uis_online_validator(office, login):
    # Swagger UI otherwise shows a badge image fetched from https://validator.swagger.io with the
    # schema's address in the query: a request to the internet from the district intranet.
    client = login(office)
    html = client.get("/api/v1/docs/").content.decode()
    # The split view (for the CSP) serves the page's own script from ?script.
    script_url = re.search(r'<script src="([^"]*\?script[^"]*)"', html).group(1).replace("&amp;", "&")
    script = client.get(script_url).content.decode()
    settings = json.loads(re.search(r"const swaggerSettings = (\{.*?\});", script, flags=re.S).group(1))
    assert settings.get("validatorUrl", "unset") is None


def test_api_docs_page_has_no_inline_script_for_the_csp(api_client, office):
    api_client.force_authenticate(office)
    html = api_client.get("/api/v1/docs/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts)


def test_project_supervisors_are_listed_by_code_and_name(api_client, office):
    api_client.force_authenticate(office)
    body = api_client.get("/api/v1/project-supervisors/").json()
    assert {(item["code"], item["name"]) for item in body} == {
        ("construction", "城建"),
        ("water", "水利"),
        ("transport", "交通"),
    }


def test_schema_and_docs_need_a_login(api_client):
    assert api_client.get("/api/v1/schema/").status_code in (401, 403)
    assert api_client.get("/api/v1/docs/").status_code in (401, 403)


def test_nul_characters_are_a_400_not_a_500(api_client, luoxi):
    api_client.force_authenticate(luoxi)
    response = api_client.post(
        "/api/v1/enterprises/",
        {
            "uscc": "91320411MA00000000",
            "name": "x",
            "legal_rep": "x",
            "town": "luo\x00xi",
            "address": "x",
            "industry": "C",
            "kinds": ["indus\x00trial"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert api_client.get("/api/v1/enterprises/", {"uscc": "9132\x00"}).status_code == 400
