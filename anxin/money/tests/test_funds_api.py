"""The emergency funds' API: funds with their balance by scope, appropriations, advance requests and
财政局's decision, proceeds answering with their allocation; refusals are 400 naming the field with
nothing written; ledger entries have no update path (405); POSTs work without the trailing slash."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anxin.money.models import Advance, Allocation, FundEntry, Payment, Proceeds
from anxin.money.tests.funds_factories import fill, ready_case, request_kwargs, town_fund


@pytest.fixture
def api(district):
    from rest_framework.test import APIClient

    from anxin.org.tests.helpers import api_token

    def _client(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        return client

    return _client


@pytest.fixture
def setup(world, luoxi, renshe, caizheng):
    case, claims = ready_case(world, lead=luoxi, renshe=renshe)
    fill(town_fund(), 10_000_000, actor=caizheng)
    return case, claims, town_fund()


def _body(case, fund, claims, **over):
    over = {("fund" if k == "fund_code" else k): v for k, v in over.items()}
    body = {
        "case": case.pk,
        "fund": fund.code,
        "situation": "absconded",
        "hardship": True,
        "incident_risk": True,
        "assets_available": "",
        "items": [{"claim": c.pk, "amount": f"{c.outstanding * 30 // 100 / 100:.2f}"} for c in claims],
    }
    body.update(over)
    return body


# --- who sees which fund ----------------------------------------------------------------------------------


def test_the_finance_bureau_and_the_office_list_every_fund_with_its_balance(api, setup, caizheng, office):
    for user in (caizheng, office):
        answer = api(user).get("/api/v1/funds/")
        assert answer.status_code == 200
        rows = {r["code"]: r for r in answer.json()}
        assert "district" in rows and rows["town-luoxi"]["balance"] == "100000.00"
        assert set(rows["district"]) == {"code", "name", "level", "town", "balance"}


def test_a_town_lists_only_its_own_fund(api, setup, luoxi):
    assert [r["code"] for r in api(luoxi).get("/api/v1/funds/").json()] == ["town-luoxi"]
    assert api(luoxi).get("/api/v1/funds/district/").status_code == 404


def test_the_police_see_no_fund(api, setup, gongan):
    assert api(gongan).get("/api/v1/funds/").json() == []
    assert api(gongan).get("/api/v1/funds/town-luoxi/").status_code == 404
    answer = api(gongan).post(
        "/api/v1/funds/town-luoxi/appropriations",
        {"amount": "1.00", "date": "2026-01-01", "reference": "x"},
        format="json",
    )
    assert answer.status_code == 404


def test_fund_situations_are_listed_with_code_and_name(api, district, luoxi):
    assert api(luoxi).get("/api/v1/fund-situations/").json() == [
        {"code": "absconded", "name": "企业经营者逃逸"},
        {"code": "assets_illiquid", "name": "资产一时难以变现"},
    ]


# --- appropriations ---------------------------------------------------------------------------------------


def test_the_finance_bureau_appropriates_without_the_trailing_slash(api, district, caizheng):
    today = timezone.localdate().isoformat()
    answer = api(caizheng).post(
        "/api/v1/funds/district/appropriations",
        {"amount": "250000.00", "date": today, "reference": "新财〔2026〕8号"},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert (answer.json()["amount"], answer.json()["balance_after"], answer.json()["kind"]) == (
        "250000.00",
        "250000.00",
        "appropriation",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0", "reference": "x"}, "amount"),
        ({"amount": "-5.00", "reference": "x"}, "amount"),
        ({"amount": 12.5, "reference": "x"}, "amount"),
        ({"amount": "10.00", "reference": " "}, "reference"),
        ({"amount": "10.00", "reference": "x", "date": "2999-01-01"}, "date"),
    ],
)
def test_a_bad_appropriation_is_400_naming_the_field_and_writes_nothing(api, district, caizheng, body, field):
    body = {"date": timezone.localdate().isoformat(), **body}
    answer = api(caizheng).post("/api/v1/funds/district/appropriations/", body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.content
    assert not FundEntry.objects.exists()


def test_a_town_cannot_appropriate(api, district, luoxi):
    answer = api(luoxi).post(
        "/api/v1/funds/town-luoxi/appropriations",
        {"amount": "10.00", "date": timezone.localdate().isoformat(), "reference": "x"},
        format="json",
    )
    assert answer.status_code == 403 and not FundEntry.objects.exists()


# --- advances ---------------------------------------------------------------------------------------------


def test_a_town_requests_and_the_finance_bureau_approves_over_the_api(api, setup, luoxi, caizheng):
    case, claims, fund = setup
    made = api(luoxi).post("/api/v1/fund-advances", _body(case, fund, claims), format="json")
    assert made.status_code == 201, made.content
    advance = made.json()
    assert (advance["status"], advance["amount"], advance["fund"]) == ("submitted", "9000.00", fund.code)
    assert {c["code"] for c in advance["checks"]} >= {
        "situation",
        "hardship",
        "established",
        "assets",
        "balance",
    }
    approved = api(caizheng).post(f"/api/v1/fund-advances/{advance['id']}/approve", {}, format="json")
    assert approved.status_code == 200, approved.content
    assert (approved.json()["status"], approved.json()["outstanding"]) == ("approved", "9000.00")
    assert all(item["paid"] for item in approved.json()["items"])
    assert Payment.objects.filter(case=case, source="emergency_fund").count() == 2


def test_unconfirmed_hardship_or_risk_is_400_naming_each_and_writes_nothing(api, setup, luoxi):
    case, claims, fund = setup
    answer = api(luoxi).post(
        "/api/v1/fund-advances/",
        _body(case, fund, claims, hardship=False, incident_risk=False),
        format="json",
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"hardship", "incident_risk"} and "§四(八)" in answer.json()["hardship"][0]
    assert not Advance.objects.exists()


def test_a_case_failing_its_preconditions_is_409_naming_each_and_writes_nothing(
    api, world, luoxi, renshe, caizheng
):
    case, claims = ready_case(world, lead=luoxi, renshe=renshe, assets=False)
    fund = town_fund()  # and empty: no balance either
    answer = api(luoxi).post("/api/v1/fund-advances/", _body(case, fund, claims), format="json")
    assert answer.status_code == 409
    (field, (message,)) = next(iter(answer.json().items()))
    assert field == "assets_available" and "可供执行的资产" in message and "周转金余额" in message
    assert not Advance.objects.exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"situation": "bankrupt"}, "situation"),
        ({"hardship": "yes"}, "hardship"),
        ({"items": [{"claim": 1, "amount": 1.5}]}, "items"),
        ({"fund_code": "nowhere"}, "fund"),
    ],
)
def test_bad_advance_input_is_400_naming_the_field(api, setup, luoxi, over, field):
    case, claims, fund = setup
    answer = api(luoxi).post("/api/v1/fund-advances/", _body(case, fund, claims, **over), format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.content
    assert not Advance.objects.exists()


def test_an_amount_above_the_cap_is_409_on_items(api, setup, luoxi):
    case, claims, fund = setup
    body = _body(case, fund, claims)
    body["items"][0]["amount"] = "3000.01"
    answer = api(luoxi).post("/api/v1/fund-advances/", body, format="json")
    assert answer.status_code == 409 and "30%" in answer.json()["items"][0]
    assert not Advance.objects.exists()


def test_a_claim_of_another_case_is_404_on_items(api, world, setup, luoxi, renshe):
    case, claims, fund = setup
    _other, (stranger,) = ready_case(world, lead=luoxi, renshe=renshe, amounts=(1_000_000,), separate=True)
    body = _body(case, fund, claims)
    body["items"].append({"claim": stranger.pk, "amount": "1.00"})
    answer = api(luoxi).post("/api/v1/fund-advances/", body, format="json")
    assert answer.status_code == 404 and "第 3 项" in answer.json()["items"][0]


def test_a_case_outside_the_scope_is_404(api, setup, xuejia):
    case, claims, fund = setup
    answer = api(xuejia).post("/api/v1/fund-advances/", _body(case, fund, claims), format="json")
    assert answer.status_code == 404 and not Advance.objects.exists()


def test_only_the_finance_bureau_approves_over_the_api(api, setup, luoxi, office):
    from anxin.money import services

    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    answer = api(office).post(f"/api/v1/fund-advances/{advance.pk}/approve/", {}, format="json")
    assert answer.status_code == 403 and "只有区财政局" in answer.content.decode()
    assert not FundEntry.objects.filter(advance=advance).exists()


def test_the_finance_bureau_returns_with_a_reason_and_a_second_decision_is_409(api, setup, luoxi, caizheng):
    from anxin.money import services

    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    assert (
        api(caizheng).post(f"/api/v1/fund-advances/{advance.pk}/return", {}, format="json").status_code == 400
    )
    answer = api(caizheng).post(
        f"/api/v1/fund-advances/{advance.pk}/return", {"reason": "材料不全"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["status"] == "returned"
    again = api(caizheng).post(f"/api/v1/fund-advances/{advance.pk}/approve", {}, format="json")
    assert again.status_code == 409


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_advances_and_funds_have_no_update_path(api, setup, luoxi, caizheng, method):
    from anxin.money import services

    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    client = api(caizheng)
    assert (
        getattr(client, method)(f"/api/v1/fund-advances/{advance.pk}/", {}, format="json").status_code == 405
    )
    assert getattr(client, method)(f"/api/v1/funds/{fund.code}/", {}, format="json").status_code == 405


# --- proceeds ---------------------------------------------------------------------------------------------


def test_proceeds_answer_with_their_allocation_fund_first(api, setup, luoxi, caizheng):
    from anxin.money import services

    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    services.advance_approve(actor=caizheng, advance=advance, paid_on=timezone.localdate())
    answer = api(luoxi).post(
        f"/api/v1/cases/{case.pk}/proceeds",
        {
            "amount": "10000.00",
            "received_on": timezone.localdate().isoformat(),
            "source": "court_enforcement",
            "reference": "执1号",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["unallocated"] == "0.00"
    assert [(a["kind"], a["amount"], a["fund"], a["advance"]) for a in body["allocation"]] == [
        ("fund", "9000.00", fund.code, advance.number),
        ("worker", "1000.00", None, None),
    ]
    assert body["allocation"][1]["claim"] == claims[0].pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0.00", "source": "employer"}, "amount"),
        ({"amount": "10.00", "source": "wage_deposit"}, "source"),
        ({"amount": "10.00", "source": "employer", "received_on": "2999-12-31"}, "received_on"),
    ],
)
def test_bad_proceeds_are_400_naming_the_field_and_write_nothing(api, setup, luoxi, body, field):
    case, _claims, _fund = setup
    body = {"received_on": timezone.localdate().isoformat(), **body}
    answer = api(luoxi).post(f"/api/v1/cases/{case.pk}/proceeds/", body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.content
    assert not Proceeds.objects.exists() and not Allocation.objects.exists()


def test_proceeds_on_a_case_outside_the_scope_are_404(api, setup, xuejia):
    case, _claims, _fund = setup
    answer = api(xuejia).post(
        f"/api/v1/cases/{case.pk}/proceeds",
        {"amount": "10.00", "received_on": timezone.localdate().isoformat(), "source": "employer"},
        format="json",
    )
    assert answer.status_code == 404


def test_advances_are_listed_by_scope(api, world, setup, luoxi, xuejia, caizheng, gongan):
    from anxin.money import services

    case, claims, fund = setup
    advance = services.advance_request(actor=luoxi, **request_kwargs(case, fund, claims))
    for user, seen in ((luoxi, [advance.pk]), (caizheng, [advance.pk]), (xuejia, []), (gongan, [])):
        answer = api(user).get("/api/v1/fund-advances/")
        assert answer.status_code == 200
        assert [row["id"] for row in answer.json()["results"]] == seen, user
    assert api(xuejia).get(f"/api/v1/fund-advances/{advance.pk}/").status_code == 404
