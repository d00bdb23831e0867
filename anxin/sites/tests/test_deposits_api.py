"""The deposit API: GET carries ``required`` with its computation; POSTs answer with and without the
trailing slash; 400 for a malformed request, 404 out of scope or unknown, 409 for what the records on
file refuse, 403 for a role that may not; nothing written on a refusal."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anxin.money.models import Payment, PaymentSource
from anxin.sites.models import Deposit, DepositEvent, DepositStatus
from anxin.sites.tests.factories_deposits import case_with_grounds, held, required, with_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(world):
    return with_contract(world.luoxi_project)


def client_for(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_get_carries_the_required_amount_and_its_computation(api_client, site, chengjian):
    answer = client_for(api_client, chengjian).get(f"/api/v1/projects/{site.pk}/deposits/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["required"]["amount"] == "1000000.00"
    assert body["required"]["provisional"] is True
    assert body["required"]["rate"] == "2.00"
    assert any(s["clause"].startswith("工程建设领域") for s in body["required"]["steps"])
    assert {p["code"] for p in body["required"]["params"]} >= {"deposit.tier1_upper", "deposit.cap"}
    assert body["deposits"] == []


def test_post_fixes_and_records_then_get_shows_the_ledger(api_client, site, chengjian):
    api = client_for(api_client, chengjian)
    today = timezone.localdate().isoformat()
    made = api.post(
        f"/api/v1/projects/{site.pk}/deposits",  # without the slash
        {
            "contract_signed_on": today,
            "form": "guarantee",
            "amount": "1000000.00",
            "deposited_on": today,
            "bank": "江苏银行",
            "reference": "BH-1",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["status"] == "held"
    assert made.json()["balance"] == "1000000.00"
    body = api.get(f"/api/v1/projects/{site.pk}/deposits/").json()
    assert body["required"]["provisional"] is False
    (deposit,) = body["deposits"]
    assert [e["kind"] for e in deposit["events"]] == ["require", "deposit"]


def test_a_refused_record_writes_nothing_not_even_the_requirement(api_client, site, chengjian):
    answer = client_for(api_client, chengjian).post(
        f"/api/v1/projects/{site.pk}/deposits/",
        {
            "contract_signed_on": timezone.localdate().isoformat(),
            "form": "cash",
            "amount": "1.00",
            "deposited_on": "2000-01-01",
            "bank": "银行",
            "reference": "R",
        },
        format="json",
    )
    assert answer.status_code == 409
    assert "deposited_on" in answer.json()
    assert not Deposit.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {},  # no contract date yet
        {"contract_signed_on": "2026-13-01"},
        {"contract_signed_on": "2026-01-01", "form": "cash"},  # amount and date missing
        {"contract_signed_on": "2026-01-01", "form": "cash", "amount": 12.5, "deposited_on": "2026-01-02"},
    ],
)
def test_malformed_posts_are_400(api_client, site, chengjian, payload):
    answer = client_for(api_client, chengjian).post(
        f"/api/v1/projects/{site.pk}/deposits/", payload, format="json"
    )
    assert answer.status_code == 400
    assert not Deposit.objects.exists()


def test_a_second_requirement_is_409(api_client, site, chengjian):
    required(site, chengjian)
    answer = client_for(api_client, chengjian).post(
        f"/api/v1/projects/{site.pk}/deposits/", {"contract_signed_on": "2026-01-01"}, format="json"
    )
    assert answer.status_code == 400  # already fixed: the request must record a deposit


def test_out_of_scope_is_404_and_a_town_may_read_but_not_write(api_client, site, chengjian, xuejia, luoxi):
    assert client_for(api_client, xuejia).get(f"/api/v1/projects/{site.pk}/deposits/").status_code == 404
    assert client_for(api_client, luoxi).get(f"/api/v1/projects/{site.pk}/deposits/").status_code == 200
    refused = client_for(api_client, luoxi).post(
        f"/api/v1/projects/{site.pk}/deposits/", {"contract_signed_on": "2026-01-01"}, format="json"
    )
    assert refused.status_code == 403
    assert client_for(api_client, chengjian).get("/api/v1/projects/999999/deposits/").status_code == 404


def test_anonymous_is_401(api_client, site):
    assert api_client.get(f"/api/v1/projects/{site.pk}/deposits/").status_code == 401


def test_draw_payment_and_top_up_over_the_api(api_client, site, chengjian, luoxi, renshe):
    deposit = held(site, chengjian)
    case, _claims = case_with_grounds(site, luoxi=luoxi, renshe=renshe)
    api = client_for(api_client, chengjian)
    too_much = api.post(
        f"/api/v1/deposits/{deposit.pk}/draws", {"case": case.pk, "amount": "6000.00"}, format="json"
    )
    assert too_much.status_code == 409 and "amount" in too_much.json()
    draw = api.post(
        f"/api/v1/deposits/{deposit.pk}/draws", {"case": case.pk, "amount": "5000.00"}, format="json"
    )
    assert draw.status_code == 201, draw.json()
    assert draw.json()["status"] == "ordered"
    paid = api.post(
        f"/api/v1/deposit-draws/{draw.json()['id']}/paid",
        {"paid_on": timezone.localdate().isoformat(), "reference": "回单"},
        format="json",
    )
    assert paid.status_code == 200, paid.json()
    assert paid.json()["paid_amount"] == "5000.00"
    assert paid.json()["topup_due_on"]
    assert set(Payment.objects.filter(case=case).values_list("source", flat=True)) == {
        PaymentSource.WAGE_DEPOSIT
    }
    again = api.post(
        f"/api/v1/deposit-draws/{draw.json()['id']}/paid/",
        {"paid_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert again.status_code == 409
    top = api.post(
        f"/api/v1/deposits/{deposit.pk}/top-ups/",
        {"amount": "5000.00", "on": timezone.localdate().isoformat()},
        format="json",
    )
    assert top.status_code == 201
    assert top.json()["balance_after"] == "1000000.00"


def test_draw_for_an_unknown_case_is_404(api_client, site, chengjian):
    deposit = held(site, chengjian)
    answer = client_for(api_client, chengjian).post(
        f"/api/v1/deposits/{deposit.pk}/draws/", {"case": 999999, "amount": "1.00"}, format="json"
    )
    assert answer.status_code == 404


def test_return_over_the_api(api_client, site, chengjian):
    deposit = held(site, chengjian)
    api = client_for(api_client, chengjian)
    missing = api.post(f"/api/v1/deposits/{deposit.pk}/return", {"action": "request"}, format="json")
    assert missing.status_code == 400
    started = api.post(
        f"/api/v1/deposits/{deposit.pk}/return",
        {"action": "request", "completed_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert started.status_code == 200
    assert started.json()["status"] == DepositStatus.NOTICE
    early = api.post(
        f"/api/v1/deposits/{deposit.pk}/return/",
        {"action": "approve", "returned_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert early.status_code == 409
    assert DepositEvent.objects.filter(deposit=deposit, kind="return").count() == 0


def test_deposits_out_of_scope_are_404(api_client, site, chengjian, xuejia):
    deposit = held(site, chengjian)
    answer = client_for(api_client, xuejia).post(
        f"/api/v1/deposits/{deposit.pk}/top-ups", {"amount": "1.00", "on": "2026-01-01"}, format="json"
    )
    assert answer.status_code == 404
