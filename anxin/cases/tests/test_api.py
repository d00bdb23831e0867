"""The cases API: open from an alert or signals, filter, advance/skip/close, legal actions, scope."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from anxin.cases.models import Case, LegalAction
from anxin.cases.tests.factories import open_case
from anxin.cases.tests.factories import referral as referral_to_police
from anxin.intake.tests.factories import signal
from anxin.monitoring.tests.factories import red_alert


@pytest.fixture
def api(district):
    """``api(user)`` → an API client with that user's token (each call a fresh client)."""
    from rest_framework.test import APIClient

    from anxin.org.tests.helpers import api_token

    def _client(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        return client

    return _client


def test_open_from_an_alert_then_advance_skip_and_close(world, api, office, luoxi):
    alert = red_alert(world.luoxi_factory)
    client = api(office)
    response = client.post(
        "/api/v1/cases/", {"alert": alert.pk, "summary": "拖欠 3 个月", "workers": 9}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["stage"], body["lead_unit"], body["level"], body["workers"]) == (
        "facts",
        "gov-luoxi",
        "red",
        9,
    )
    case_id = body["id"]
    town = api(luoxi)
    moved = town.post(f"/api/v1/cases/{case_id}/advance", {"action": "advance"}, format="json")
    assert moved.status_code == 200 and moved.json()["stage"] == "control"
    refused = town.post(f"/api/v1/cases/{case_id}/advance/", {"action": "skip"}, format="json")
    assert refused.status_code == 400 and "须说明理由" in refused.content.decode()
    guarded = town.post(f"/api/v1/cases/{case_id}/advance/", {"action": "advance"}, format="json")
    assert guarded.status_code == 409 and "一企一策" in guarded.content.decode()
    closed = town.post(
        f"/api/v1/cases/{case_id}/advance/",
        {"action": "close", "outcome": "paid", "amount_paid": "0.00", "reason": ""},
        format="json",
    )
    assert closed.status_code == 400 and "全额清偿或部分清偿须填写已支付金额" in closed.content.decode()
    unfounded = {"action": "close", "outcome": "unfounded", "amount_paid": "0", "reason": "核查不属实"}
    closed = town.post(f"/api/v1/cases/{case_id}/advance/", unfounded, format="json")
    assert closed.status_code == 200 and closed.json()["stage"] == "closed"


def test_open_from_signals_takes_their_workers_and_amounts(world, api, office):
    a = signal(enterprise=world.luoxi_factory, kind="wage_complaint", workers=4, amount=300_000)
    b = signal(enterprise=world.luoxi_factory, kind="wage_complaint", workers=6, amount=500_000)
    response = api(office).post(
        "/api/v1/cases/", {"signals": [a.pk, b.pk], "summary": "两条举报"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["workers"], response.json()["amount_claimed"]) == (6, "8000.00")
    assert response.json()["origin"] == "signals"


@pytest.mark.parametrize(
    "extra",
    [
        {"alert": 2**70},
        {"project": 2**64},
        {"signals": [2**80]},
        {"workers": 10**12},
        {"alert": 0},
    ],
)
def test_numbers_past_the_columns_are_field_errors_not_server_errors(world, api, office, extra):
    """Found by the API fuzz test: a number too large for the database answered 500."""
    body = {"enterprise_uscc": world.luoxi_factory.uscc, "summary": "超大数字", **extra}
    response = api(office).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 400 and set(extra) <= set(response.json())
    assert not Case.objects.exists()


def test_the_services_refuse_more_workers_than_the_bound(world, office):
    from anxin.cases import services
    from anxin.cases.models import MAX_WORKERS
    from anxin.core.errors import DomainError

    with pytest.raises(DomainError, match="涉及人数不能超过"):
        services.case_open(
            actor=office, enterprise=world.luoxi_factory, summary="人数过多", workers=MAX_WORKERS + 1
        )
    assert not Case.objects.exists()
    case = open_case(world.luoxi_factory)
    with pytest.raises(DomainError, match="涉及人数不能超过"):
        services.case_update(actor=office, case=case, workers=MAX_WORKERS + 1)
    case.refresh_from_db()
    assert case.workers <= MAX_WORKERS


def test_the_action_service_refuses_figures_past_their_bounds(world, office):
    from anxin.cases import actions
    from anxin.cases.models import MAX_MONTHS, MAX_WORKERS
    from anxin.core.errors import DomainError

    case = open_case(world.luoxi_factory, actor=office)
    for field, extra in (
        ("workers", {"workers": MAX_WORKERS + 1}),
        ("percent", {"percent": 1001}),
        ("single_months", {"single_months": MAX_MONTHS + 1}),
    ):
        with pytest.raises(DomainError) as refused:
            actions.action_request(actor=office, case=case, kind="order", amount=100, **extra)
        assert refused.value.field == field
    assert not LegalAction.objects.exists()


def test_bad_open_requests_are_refused_and_write_nothing(world, api, office, leader):
    client = api(office)
    assert client.post("/api/v1/cases/", {"summary": "x"}, format="json").status_code == 400
    assert client.post("/api/v1/cases/", {"alert": 99999, "summary": "x"}, format="json").status_code == 404
    bad = client.post(
        "/api/v1/cases/",
        {"enterprise_uscc": world.luoxi_factory.uscc, "summary": "x", "amount_claimed": 12.5},
        format="json",
    )
    assert bad.status_code == 400 and "浮点数" in bad.content.decode()
    assert (
        api(leader)
        .post("/api/v1/cases/", {"enterprise_uscc": world.luoxi_factory.uscc, "summary": "x"}, format="json")
        .status_code
        == 403
    )
    assert not Case.objects.exists()


def test_list_filters_and_scope(world, api, office, xuejia, gongan):
    luoxi_case = open_case(world.luoxi_factory, actor=office)
    xuejia_case = open_case(world.xuejia_factory, actor=office)
    Case.objects.filter(pk=xuejia_case.pk).update(stage_due_at=timezone.now() - datetime.timedelta(days=1))
    client = api(office)
    by_enterprise = client.get("/api/v1/cases/", {"enterprise": world.luoxi_factory.uscc}).json()["results"]
    assert [c["id"] for c in by_enterprise] == [luoxi_case.pk]
    overdue = client.get("/api/v1/cases/", {"overdue": "true"}).json()["results"]
    assert [c["id"] for c in overdue] == [xuejia_case.pk]
    assert client.get("/api/v1/cases/", {"stage": "nonsense"}).status_code == 400
    assert [c["id"] for c in client.get("/api/v1/cases/", {"stage": "facts"}).json()["results"]] == [
        xuejia_case.pk,
        luoxi_case.pk,
    ]
    town = api(xuejia)
    assert [c["id"] for c in town.get("/api/v1/cases/").json()["results"]] == [xuejia_case.pk]
    assert town.get(f"/api/v1/cases/{luoxi_case.pk}/").status_code == 404
    assert api(gongan).get("/api/v1/cases/").json()["results"] == []


def test_actions_under_a_case(world, api, office, renshe, luoxi):
    case = open_case(world.luoxi_factory, actor=office)
    hrss = api(renshe)
    pay_by = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    made = hrss.post(
        f"/api/v1/cases/{case.pk}/actions/",
        {"kind": "order", "amount": "120000.00", "pay_by": pay_by},
        format="json",
    )
    assert made.status_code == 201, made.content
    assert (made.json()["unit"], made.json()["amount"], made.json()["status"]) == (
        "hrss",
        "120000.00",
        "open",
    )
    town_try = api(luoxi).post(
        f"/api/v1/cases/{case.pk}/actions/", {"kind": "penalty", "amount": "1000"}, format="json"
    )
    assert town_try.status_code == 403
    LegalAction.objects.filter(pk=made.json()["id"]).update(
        pay_by=timezone.localdate() - datetime.timedelta(days=1)
    )
    from anxin.cases.actions import orders_lapse

    orders_lapse()
    short = hrss.post(
        f"/api/v1/cases/{case.pk}/actions/",
        {
            "kind": "referral",
            "workers": 1,
            "amount": "9999.99",
            "single_months": 3,
            "single_amount": "9999.99",
        },
        format="json",
    )
    assert short.status_code == 409 and "¥9,999.99（须≥¥10,000.00，未达到）" in short.content.decode()
    listed = hrss.get(f"/api/v1/cases/{case.pk}/actions/").json()
    assert [(a["kind"], a["status"]) for a in listed] == [("order", "lapsed")]


def test_the_police_list_and_accept_their_referral_over_the_api(
    world, api, office, renshe, gongan, jianchayuan
):

    case = open_case(world.luoxi_factory, actor=office)
    order, referral = referral_to_police(case, renshe)
    police = api(gongan)
    mine = police.get("/api/v1/case-actions/", {"mine": "true"}).json()["results"]
    assert [a["id"] for a in mine] == [referral.pk]
    # the order the referral rests on is its evidence: readable (#14 item 9), not theirs to act on
    assert police.get(f"/api/v1/case-actions/{order.pk}/").status_code == 200
    assert (
        police.post(
            f"/api/v1/case-actions/{order.pk}/steps/",
            {"step": "payment", "on": timezone.localdate().isoformat(), "amount": "1.00"},
            format="json",
        ).status_code
        == 403
    )
    bad = police.post(
        f"/api/v1/case-actions/{referral.pk}/steps/", {"step": "award", "on": "2026-11-26"}, format="json"
    )
    assert bad.status_code == 409  # not a step of a referral
    accepted = police.post(
        f"/api/v1/case-actions/{referral.pk}/steps/",
        {"step": "accepted", "on": timezone.localdate().isoformat(), "note": "已立案侦查"},
        format="json",
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    copy = api(jianchayuan)
    assert sorted(a["id"] for a in copy.get("/api/v1/case-actions/").json()["results"]) == [
        order.pk,
        referral.pk,
    ]
    refused = copy.post(
        f"/api/v1/case-actions/{referral.pk}/steps/",
        {"step": "result", "on": timezone.localdate().isoformat(), "note": "x"},
        format="json",
    )
    assert refused.status_code == 403


def test_a_project_case_is_opened_over_the_api_and_may_draw_the_deposit(world, api, office, renshe, xuejia):
    client = api(office)
    body = {
        "enterprise_uscc": world.luoxi_builder.uscc,
        "summary": "项目拖欠农民工工资",
        "amount_claimed": "50000",
    }
    missing = client.post("/api/v1/cases/", body | {"project": 999_999}, format="json")
    assert missing.status_code == 404 and "project" in missing.json()
    not_a_party = client.post(
        "/api/v1/cases/",
        body | {"enterprise_uscc": world.luoxi_factory.uscc, "project": world.luoxi_project.pk},
        format="json",
    )
    assert not_a_party.status_code == 409 and "不是此工程项目" in not_a_party.content.decode()
    other_town = api(xuejia).post("/api/v1/cases/", body | {"project": world.luoxi_project.pk}, format="json")
    assert other_town.status_code == 404 and "enterprise_uscc" in other_town.json()
    # 人社局 sees every enterprise but has no project line: the project itself is out of its scope
    from anxin.registry.models import Project

    assert not Project.objects.for_user(renshe).filter(pk=world.luoxi_project.pk).exists()
    no_line = api(renshe).post("/api/v1/cases/", body | {"project": world.luoxi_project.pk}, format="json")
    assert no_line.status_code == 404 and "project" in no_line.json()
    assert Case.objects.count() == 0
    made = client.post("/api/v1/cases/", body | {"project": world.luoxi_project.pk}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["project"] == world.luoxi_project.pk and made.json()["lead_unit"] == "gov-luoxi"
    draw = api(renshe).post(
        f"/api/v1/cases/{made.json()['id']}/actions/", {"kind": "deposit", "amount": "30000"}, format="json"
    )
    assert draw.status_code == 201 and draw.json()["unit"] == "construction"


def test_a_second_active_order_is_a_409_and_writes_nothing(world, api, office, renshe):
    case = open_case(world.luoxi_factory, actor=office)
    hrss = api(renshe)
    order = {
        "kind": "order",
        "amount": "1000",
        "pay_by": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
    }
    assert hrss.post(f"/api/v1/cases/{case.pk}/actions/", order, format="json").status_code == 201
    again = hrss.post(f"/api/v1/cases/{case.pk}/actions/", order, format="json")
    assert again.status_code == 409 and "已有办理中的" in again.content.decode()
    assert LegalAction.objects.filter(case=case).count() == 1
