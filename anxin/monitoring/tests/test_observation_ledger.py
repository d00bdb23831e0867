"""监测数据台账: every monthly value in scope, filtered, exported with its filters, linked from the
risk explanation; who may read it; a bounded number of queries."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from openpyxl import load_workbook

from anxin.monitoring import scan
from anxin.monitoring.tests.factories import observe


@pytest.fixture
def data(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-10", 2)
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    observe(world.luoxi_factory, "electricity_kwh", "2026-11", 12000)
    observe(world.xuejia_factory, "wage_arrears_months", "2026-11", 1)
    return world


def listed(client, **query) -> list[tuple]:
    response = client.get("/observations/", query)
    assert response.status_code == 200
    return [(o.enterprise.name, o.indicator.code, f"{o.month:%Y-%m}") for o in response.context["page"]]


def test_the_ledger_lists_the_scope_newest_month_first_and_filters(data, login, office, luoxi):
    town = login(luoxi)
    assert set(listed(town)) == {  # 罗溪 sees its own enterprise only
        ("罗溪纺织有限公司", "wage_arrears_months", "2026-11"),
        ("罗溪纺织有限公司", "electricity_kwh", "2026-11"),
        ("罗溪纺织有限公司", "wage_arrears_months", "2026-10"),
    }
    assert [r[2] for r in listed(town)] == ["2026-11", "2026-11", "2026-10"]  # newest month first
    everyone = login(office)
    assert len(listed(everyone)) == 4
    assert listed(everyone, indicator="electricity_kwh") == [
        ("罗溪纺织有限公司", "electricity_kwh", "2026-11")
    ]
    assert {r[0] for r in listed(everyone, town="xuejia")} == {"薛家机械有限公司"}
    assert listed(everyone, month_from="2026-10", month_to="2026-10") == [
        ("罗溪纺织有限公司", "wage_arrears_months", "2026-10")
    ]
    assert len(listed(everyone, q="罗溪纺织")) == 3
    assert len(listed(everyone, q=f" {data.luoxi_factory.uscc.lower()} ")) == 3  # a code as typed
    assert len(listed(everyone, enterprise=data.xuejia_factory.uscc.lower())) == 1
    # an invalid filter is left out and said so, the others still apply
    response = everyone.get("/observations/", {"town": "nowhere", "indicator": "electricity_kwh"})
    assert len(response.context["page"].object_list) == 1
    assert 'data-testid="filter-errors"' in response.content.decode()


def test_the_export_carries_the_filters(data, login, office, auditor):
    response = login(office).get(
        "/observations/", {"export": "xlsx", "town": "luoxi", "indicator": "wage_arrears_months"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "罗溪纺织有限公司" in values and "薛家机械有限公司" not in values
    assert any("镇/街道=罗溪镇" in str(v) for v in values)  # the filters are written into the file
    assert login(auditor).get("/observations/", {"export": "xlsx"}).status_code == 302  # reads, no export


@pytest.mark.parametrize(
    ("persona", "status"),
    [("office", 200), ("leader", 200), ("luoxi", 200), ("renshe", 200), ("auditor", 200), ("sysadmin", 403)],
)
def test_who_reads_the_ledger(data, login, request, persona, status):
    assert login(request.getfixturevalue(persona)).get("/observations/").status_code == status


def test_an_anonymous_visitor_is_sent_to_log_in(data, client):
    response = client.get("/observations/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("extra", [2, 30])
def test_the_ledger_query_count_does_not_grow_with_rows(
    world, login, office, extra, django_assert_max_num_queries
):
    for n in range(extra):
        observe(world.luoxi_factory, "electricity_kwh", f"20{24 + n // 12}-{n % 12 + 1:02d}", 1000 + n)
    client = login(office)
    client.get("/observations/")
    with django_assert_max_num_queries(16):
        assert client.get("/observations/").status_code == 200


def test_the_risk_explanation_links_each_observation_to_the_ledger(world, login, luoxi):

    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    scan.scan(enterprise_ids=[world.luoxi_factory.pk])
    page = login(luoxi).get(f"/enterprises/{world.luoxi_factory.uscc}/", {"tab": "risk"}).content.decode()
    assert f"/observations/?enterprise={world.luoxi_factory.uscc}&amp;indicator=wage_arrears_months" in page


def test_the_menu_tells_the_ledger_from_the_import(district, luoxi):
    labels = {i["url_name"]: i["label"] for i in apps.get_app_config("monitoring").menu(luoxi)}
    assert labels["observation-list"] == "监测数据台账"
    assert labels["observation-import"] == "监测数据导入"
