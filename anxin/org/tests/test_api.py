"""Reference data of the organisation over the API: each thing by a stable ``code`` and its ``name``."""

from __future__ import annotations

import pytest

from anxin.core.audit import system_actor
from anxin.org.services import token_issue

XINBEI_TOWNS = {
    "sanjing": "三井街道",
    "longhutang": "龙虎塘街道",
    "chunjiang": "春江街道",
    "weicun": "魏村街道",
    "xinqiao": "新桥街道",
    "menghe": "孟河镇",
    "xuejia": "薛家镇",
    "luoxi": "罗溪镇",
    "xixiashu": "西夏墅镇",
    "benniu": "奔牛镇",
}
REFERENCE_URLS = ["/api/v1/towns/", "/api/v1/units/", "/api/v1/roles/"]


@pytest.fixture
def client_for(api_client):
    """``client_for(user)`` → the API client sending that user's token."""

    def _for(user):
        key = token_issue(actor=system_actor(), user=user)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return api_client

    return _for


@pytest.mark.parametrize("url", REFERENCE_URLS)
def test_reference_data_needs_authentication(district, api_client, url):
    assert api_client.get(url).status_code in (401, 403)


@pytest.mark.parametrize("url", REFERENCE_URLS)
def test_every_reference_item_has_a_code_and_a_chinese_name(luoxi, client_for, url):
    items = client_for(luoxi).get(url).json()

    assert items
    assert all(item["code"] and item["name"] for item in items)


def test_the_ten_towns_of_xinbei_are_listed_by_code_and_name(luoxi, client_for):
    items = client_for(luoxi).get("/api/v1/towns/").json()

    assert {item["code"]: item["name"] for item in items} == XINBEI_TOWNS


def test_towns_are_listed_in_the_district_files_order(luoxi, client_for):
    items = client_for(luoxi).get("/api/v1/towns/").json()

    assert [item["code"] for item in items] == list(XINBEI_TOWNS)


def test_a_town_is_retrieved_by_its_code(luoxi, client_for):
    response = client_for(luoxi).get("/api/v1/towns/luoxi/")

    assert response.json()["name"] == "罗溪镇"


def test_units_include_the_office_departments_and_town_governments(office, client_for):
    codes = {item["code"] for item in client_for(office).get("/api/v1/units/").json()}

    assert {"office", "construction", "police", "gov-luoxi", "gov-xuejia"} <= codes


def test_a_town_government_unit_names_its_town_by_code(office, client_for):
    response = client_for(office).get("/api/v1/units/gov-luoxi/")

    assert response.json()["town"] == "luoxi"


def test_roles_include_the_town_user_role(luoxi, client_for):
    roles = client_for(luoxi).get("/api/v1/roles/").json()

    assert {"code": "town", "name": "镇街用户"} in roles


def test_roles_are_listed_with_their_chinese_names(luoxi, client_for):
    roles = {item["code"]: item["name"] for item in client_for(luoxi).get("/api/v1/roles/").json()}

    assert roles["office"] == "联席办"
    assert roles["department"] == "部门用户"
