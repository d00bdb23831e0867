"""Monitoring screens and API for each persona: the risk tab, alerts, import, bulk observations."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.core.models import SecurityEvent
from anxin.core.tests.helpers import sheet_rows
from anxin.intake.services import self_report_record, signal_verify
from anxin.intake.tests.factories import signal
from anxin.monitoring import scan
from anxin.monitoring.importing import observation_import
from anxin.monitoring.models import Alert, Indicator, Observation
from anxin.monitoring.tests.factories import observe
from anxin.org.tests.helpers import api_token
from anxin.registry.tests.factories import enterprise, make_uscc

D = datetime.date


@pytest.fixture
def red(world):
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    observe(world.luoxi_factory, "si_arrears_months", "2026-11", 1)
    scan.scan(as_of=D(2026, 11, 25))
    return Alert.objects.get(enterprise=world.luoxi_factory, rule="IMMEDIATE_ARREARS_2M")


def _auth(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return api_client


def test_the_enterprise_page_explains_its_level(world, red, login, luoxi):
    page = login(luoxi).get(f"/enterprises/{world.luoxi_factory.uscc}/", {"tab": "risk"}).content.decode()
    assert "红色" in page
    assert "拖欠工资 3 个月" in page and "≥2" in page and "§五(二)" in page
    assert "immediate.arrears_months" in page


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("office", True),
        ("leader", True),
        ("luoxi", True),
        ("xuejia", False),
        ("chengjian", False),
        ("renshe", True),
    ],
)
def test_who_sees_the_alert(request, red, login, persona, sees):
    client = login(request.getfixturevalue(persona))
    assert (client.get(f"/alerts/{red.pk}/").status_code == 200) is sees
    listed = {a.pk for a in client.get("/alerts/").context["page"]}
    assert (red.pk in listed) is sees


def test_admin_roles_see_no_alerts(red, login, sysadmin):
    assert login(sysadmin).get("/alerts/").status_code == 403


def test_acknowledge_and_handle_through_the_page(red, login, luoxi):
    client = login(luoxi)
    client.post(f"/alerts/{red.pk}/acknowledge/")
    response = client.post(f"/alerts/{red.pk}/handle/", {"note": "已约谈"}, follow=True)
    assert "已记录处置情况" in response.content.decode()
    assert Alert.objects.get(pk=red.pk).status == "handled"


def test_the_leader_reads_but_cannot_act(red, login, leader):
    client = login(leader)
    assert 'data-testid="alert-actions"' not in client.get(f"/alerts/{red.pk}/").content.decode()
    client.post(f"/alerts/{red.pk}/acknowledge/")
    assert Alert.objects.get(pk=red.pk).status == "open"


@pytest.mark.parametrize("extra", [2, 30])
def test_the_alert_ledger_query_count_is_bounded(world, login, office, extra, django_assert_max_num_queries):
    for n in range(extra):
        e = enterprise(town="luoxi", name=f"预警企业{n}")
        observe(e, "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    client = login(office)
    with django_assert_max_num_queries(16):
        assert client.get("/alerts/").status_code == 200


def test_the_ledger_exports(world, red, login, office, luoxi):
    observe(world.xuejia_factory, "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=D(2026, 11, 25))
    xuejia_red = Alert.objects.get(enterprise=world.xuejia_factory, rule="IMMEDIATE_ARREARS_2M")

    response = login(office).get("/alerts/", {"export": "xlsx", "level": "red"})
    assert response.status_code == 200
    rows = sheet_rows(response)
    assert rows[0][0] == "风险预警台账"
    header = (
        "编号",
        "生成时间",
        "企业",
        "统一社会信用代码",
        "镇/街道",
        "条线部门",
        "等级",
        "规则",
        "说明",
        "状态",
        "处置期限",
        "处置情况",
        "失信",
    )
    assert rows[3] == header
    exported = {row[0]: row for row in rows[4:]}
    assert red.pk in exported and xuejia_red.pk in exported
    assert all(row[6] == "红色" for row in exported.values())  # the level filter holds
    mine = exported[red.pk]
    assert mine[2:5] == ("罗溪纺织有限公司", world.luoxi_factory.uscc, "罗溪镇")
    assert mine[9] == "待签收"
    assert mine[12] == "否"  # not on the joint-punishment list (issue 17)

    # A town exports its own territory only.
    town_rows = sheet_rows(login(luoxi).get("/alerts/", {"export": "xlsx"}))
    town_ids = {row[0] for row in town_rows[4:]}
    assert {row[6] for row in town_rows[4:]} == {"红色", "黄色"}  # unfiltered: the yellow ones too
    assert red.pk in town_ids and xuejia_red.pk not in town_ids


def test_the_office_rescans_on_demand(world, login, office, luoxi):
    observe(world.xuejia_factory, "wage_arrears_months", "2026-11", 2)
    response = login(office).post("/alerts/scan/", follow=True)
    assert "已重评" in response.content.decode()
    assert login(luoxi).post("/alerts/scan/").status_code == 403


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["统一社会信用代码", "月份", "数值", "指标"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_import_observations_with_row_errors_then_success(world, login, office):
    bad = _csv(
        [
            [world.luoxi_factory.uscc, "2026-13", "3", ""],
            ["91320411MA1XXXXXX0", "2026-10", "1", ""],
            [world.luoxi_factory.uscc, "2026-10", "-1", ""],
        ]
    )
    result = observation_import(
        actor=system_actor(), content=bad, filename="x.csv", dry_run=False, indicator="wage_arrears_months"
    )
    assert {(e.row, e.column) for e in result.errors} == {(2, "月份"), (3, "统一社会信用代码"), (4, "数值")}
    assert not Observation.objects.exists()
    good = _csv(
        [
            [world.luoxi_factory.uscc, "2026-10", "12,000.50", "wage_arrears_amount"],
            [world.luoxi_factory.uscc, "2026年11月", "是", "private_lending"],
        ]
    )
    result = observation_import(actor=system_actor(), content=good, filename="x.csv", dry_run=False)
    assert result.created == 2
    assert Observation.objects.get(indicator__code="wage_arrears_amount").value == 1200050
    again = observation_import(actor=system_actor(), content=good, filename="x.csv", dry_run=False)
    assert again.unchanged == 2


def test_a_town_imports_only_its_enterprises(world, luoxi):
    content = _csv([[world.xuejia_factory.uscc, "2026-10", "3", "electricity_kwh"]])
    result = observation_import(actor=luoxi, content=content, filename="x.csv", dry_run=True)
    assert [e.message for e in result.errors] == ["该企业未登记，或不在您的管辖范围内"]
    # a code registered nowhere gets the very same answer (no existence oracle, issue #13)
    nowhere = _csv([[make_uscc(), "2026-10", "3", "electricity_kwh"]])
    again = observation_import(actor=luoxi, content=nowhere, filename="x.csv", dry_run=True)
    assert [e.message for e in again.errors] == [e.message for e in result.errors]


def test_the_import_screen(world, login, office):
    client = login(office)
    upload = io.BytesIO(_csv([[world.luoxi_factory.uscc, "2026-10", "3", ""]]))
    upload.name = "w.csv"
    preview = client.post(
        "/observations/import/",
        {"indicator": Indicator.objects.get(code="wage_arrears_months").pk, "file": upload},
    )
    assert preview.context["result"].ok
    client.post("/observations/import/confirm/", {"token": preview.context["pending"]["token"]})
    assert Observation.objects.count() == 1


def test_bulk_observations_api(world, api_client, renshe):
    client = _auth(api_client, renshe)
    body = [
        {
            "enterprise_uscc": world.luoxi_factory.uscc,
            "indicator": "wage_arrears_months",
            "month": "2026-11",
            "value": "2",
        },
        {
            "enterprise_uscc": world.luoxi_factory.uscc,
            "indicator": "wage_arrears_amount",
            "month": "2026-11",
            "value": "86000.00",
        },
    ]
    response = client.post("/api/v1/observations/", body, format="json")
    assert response.status_code == 200 and response.json()["created"] == 2
    assert client.post("/api/v1/observations/", body, format="json").json()["unchanged"] == 2
    bad = client.post(
        "/api/v1/observations/", [{**body[0], "indicator": "nope", "month": "2026-1x"}], format="json"
    )
    assert bad.status_code == 400 and "indicator" in bad.json()[0] and "month" in bad.json()[0]


@pytest.mark.parametrize(("code", "status"), [("invalid", 400), ("conflict", 409)])
def test_a_refusal_of_the_recording_goes_through_the_global_error_handler(
    world, api_client, office, monkeypatch, code, status
):
    def refuse(**_kwargs):
        raise DomainError("数值不能为负数", code=code, field="value")

    monkeypatch.setattr("anxin.monitoring.services.observations_record", refuse)
    item = {
        "enterprise_uscc": world.luoxi_factory.uscc,
        "indicator": "wage_arrears_months",
        "month": "2026-11",
        "value": "2",
    }
    response = _auth(api_client, office).post("/api/v1/observations/", [item], format="json")
    assert response.status_code == status and response.json() == {"value": ["数值不能为负数"]}
    assert not Observation.objects.exists()


def test_bulk_observations_respect_scope(world, api_client, luoxi):
    body = [
        {
            "enterprise_uscc": world.xuejia_factory.uscc,
            "indicator": "wage_arrears_months",
            "month": "2026-11",
            "value": "2",
        }
    ]
    response = _auth(api_client, luoxi).post("/api/v1/observations/", body, format="json")
    # a town may not report arrears figures (403); the enterprise is not its own either
    assert response.status_code == 403 and not Observation.objects.exists()
    assert response.json()[0]["enterprise_uscc"] == ["未找到该企业，或该企业不在您的管辖范围内"]


def test_indicators_rules_alerts_and_risk_over_the_api(world, red, api_client, luoxi, xuejia):
    client = _auth(api_client, luoxi)
    assert {i["code"] for i in client.get("/api/v1/indicators/").json()} >= {
        "wage_arrears_months",
        "electricity_kwh",
    }
    rules = {r["code"]: r for r in client.get("/api/v1/rules/").json()}
    assert rules["IMMEDIATE_COMPLAINTS_3"]["params"] == ["immediate.complaints"]
    alerts = client.get(
        "/api/v1/alerts/",
        {"enterprise": world.luoxi_factory.uscc, "rule": "IMMEDIATE_ARREARS_2M", "status": "open"},
    ).json()
    assert [a["id"] for a in alerts["results"]] == [red.pk]
    risk = client.get(f"/api/v1/enterprises/{world.luoxi_factory.uscc}/risk/").json()
    assert risk["level"] == "red" and any(f["rule"] == "IMMEDIATE_ARREARS_2M" for f in risk["findings"])
    assert (
        _auth(api_client, xuejia).get(f"/api/v1/enterprises/{world.luoxi_factory.uscc}/risk/").status_code
        == 404
    )


def test_a_town_cannot_report_its_own_arrears_figures(world, luoxi, api_client):
    content = _csv([[world.luoxi_factory.uscc, "2026-10", "0", "wage_arrears_months"]])
    result = observation_import(actor=luoxi, content=content, filename="x.csv", dry_run=True)
    assert [e.column for e in result.errors] == ["指标"] and "劳动保障监察" not in result.errors[0].message
    grid = _csv([[world.luoxi_factory.uscc, "2026-10", "1200", "electricity_kwh"]])
    assert observation_import(actor=luoxi, content=grid, filename="x.csv", dry_run=False).created == 1
    body = [
        {
            "enterprise_uscc": world.luoxi_factory.uscc,
            "indicator": "si_arrears_months",
            "month": "2026-11",
            "value": "0",
        }
    ]
    assert _auth(api_client, luoxi).post("/api/v1/observations/", body, format="json").status_code == 403


def test_api_evidence_lists_only_signals_the_user_may_open(world, api_client, office, luoxi):
    # A verified complaint about the 罗溪 builder on a 三井 site is the 三井 town's signal.
    s = signal(enterprise=world.luoxi_builder, project=world.luoxi_project, months_owed=3)
    signal_verify(actor=office, signal=s, result="substantiated", note="属实")
    scan.scan(as_of=datetime.date.today())
    visible = set(
        __import__("anxin.intake.models", fromlist=["Signal"])
        .Signal.objects.for_user(luoxi)
        .values_list("pk", flat=True)
    )
    for alert in (
        _auth(api_client, luoxi)
        .get("/api/v1/alerts/", {"enterprise": world.luoxi_builder.uscc})
        .json()["results"]
    ):
        assert set(alert["evidence"]["evidence"]["signals"]) <= visible


def test_bulk_observations_dry_run_reports_counts_and_writes_nothing(world, api_client, renshe):
    client = _auth(api_client, renshe)
    item = {
        "enterprise_uscc": world.luoxi_factory.uscc,
        "indicator": "wage_arrears_months",
        "month": "2026-11",
    }
    client.post("/api/v1/observations/", [{**item, "value": "1"}], format="json")
    events = SecurityEvent.objects.count()
    body = [
        {**item, "value": "3"},  # an update
        {**item, "month": "2026-10", "value": "2"},  # new
        {**item, "indicator": "wage_arrears_amount", "value": "86000.00"},  # new
    ]
    response = client.post("/api/v1/observations/?dry_run=1", body, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "dry_run": True,
        "ok": True,
        "rows": 3,
        "created": 2,
        "updated": 1,
        "unchanged": 0,
        "errors": [],
    }
    assert Observation.objects.count() == 1 and Observation.objects.get().value == 1
    assert SecurityEvent.objects.count() == events  # not logged as an import either
    assert not Alert.objects.exists()


def test_bulk_observations_dry_run_lists_the_errors_of_each_row(world, api_client, luoxi):
    client = _auth(api_client, luoxi)
    good = {
        "enterprise_uscc": world.luoxi_factory.uscc,
        "indicator": "electricity_kwh",
        "month": "2026-11",
        "value": "1200",
    }
    body = [
        good,
        {**good, "indicator": "nope"},
        {**good, "enterprise_uscc": world.xuejia_factory.uscc},  # another town's enterprise
        {**good, "indicator": "si_arrears_months", "value": "0"},  # not the town's to report
        {**good, "month": "2026-1x", "value": "-5"},
        good,  # a repeat of row 1
    ]
    response = client.post("/api/v1/observations/", body, format="json", QUERY_STRING="dry_run=true")
    data = response.json()
    # 403 as the real run would answer (row 4 is an indicator the town may not report), with the report
    assert response.status_code == 403 and data["dry_run"] and not data["ok"] and data["rows"] == 6
    errors = {e["row"]: e for e in data["errors"]}
    assert set(errors) == {2, 3, 4, 5, 6}
    assert "未知的指标" in errors[2]["indicator"][0]
    assert errors[3]["enterprise_uscc"] == ["未找到该企业，或该企业不在您的管辖范围内"]
    assert "不能报送" in errors[4]["indicator"][0]
    assert "month" in errors[5] and "value" in errors[5]
    assert "与第 1 项重复" in errors[6]["non_field_errors"][0]
    assert not Observation.objects.exists()
    # The same body without the dry run is refused as a whole, row by row.
    refused = client.post("/api/v1/observations/", body, format="json")
    assert refused.status_code == 403 and len(refused.json()) == 6 and refused.json()[0] == {}
    assert not Observation.objects.exists()


@pytest.mark.parametrize("item", ["文本", 12, ["enterprise_uscc", "month"], None])
def test_bulk_observations_dry_run_reports_an_item_that_is_not_an_object(world, api_client, renshe, item):
    """Found by the API fuzz test: a row that is not an object answered 500 on a dry run."""
    response = _auth(api_client, renshe).post("/api/v1/observations/?dry_run=1", [item], format="json")
    assert response.status_code == 400
    data = response.json()
    assert not data["ok"] and data["errors"][0]["row"] == 1 and data["errors"][0]["non_field_errors"]
    assert not Observation.objects.exists()


def test_bulk_observations_dry_run_reports_malformed_items(world, api_client, renshe):
    response = _auth(api_client, renshe).post(
        "/api/v1/observations/?dry_run=1", [{"indicator": "wage_arrears_months"}], format="json"
    )
    data = response.json()
    assert response.status_code == 400 and not data["ok"]
    assert set(data["errors"][0]) >= {"row", "enterprise_uscc", "month", "value"}


def test_the_late_self_report_evidence_is_shown_on_the_risk_tab_and_the_alert(world, login, luoxi, office):
    report = self_report_record(
        actor=system_actor(),
        enterprise=world.luoxi_factory,
        arrears_since=D(2026, 9, 2),
        reported_on=D(2026, 9, 15),
        workers=10,
        amount=500_000,
        cause="订单款未回笼",
        plan=[{"due_on": D(2026, 10, 15), "amount": 500_000}],
    )
    assert report.deadline == D(2026, 9, 7) and not report.on_time
    scan.scan(as_of=D(2026, 11, 25))
    alert = Alert.objects.get(enterprise=world.luoxi_factory, rule="LATE_SELF_REPORT")
    expected = (
        "2026-09-02 开始拖欠",
        "应于 2026-09-07 前报告（5 日，参数",
        "self_report.deadline_days</a>=5",
        "2026-09-15 送达人社局",
        "逾期 8 日",
        f"线索 #{report.signal_id}",
    )
    for client in (login(luoxi), login(office)):
        tab = client.get(f"/enterprises/{world.luoxi_factory.uscc}/", {"tab": "risk"}).content.decode()
        page = client.get(f"/alerts/{alert.pk}/").content.decode()
        for html in (tab, page):
            assert 'data-testid="self-report-evidence"' in html
            assert all(part in html for part in expected), [p for p in expected if p not in html]


def test_the_api_alert_list_reads_the_evidence_signals_once_per_page(
    world, api_client, office, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """Each alert's evidence lists only the signals the caller may open: one read for the page, not
    one per alert (a page is 50 alerts; the load benchmark, issue #20)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anxin.monitoring.tests.factories import complaints_alert

    client = _auth(api_client, office)
    complaints_alert(world.luoxi_factory, office, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as one:
        first = client.get("/api/v1/alerts/").json()["results"]  # the complaints rule and others it fires
    for n in range(3):
        complaints_alert(enterprise(name=f"投诉企业{n}"), office, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(len(one)):
        alerts = client.get("/api/v1/alerts/").json()["results"]
    assert len(alerts) == 4 * len(first)
    complaints = [a for a in alerts if a["rule"] == "IMMEDIATE_COMPLAINTS_3"]
    assert len(complaints) == 4 and all(len(a["evidence"]["evidence"]["signals"]) == 3 for a in complaints)
