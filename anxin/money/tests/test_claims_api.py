"""Claims and payments over the API: yuan strings, masked ID numbers unless the role may see them,
refusals by field (400 for the request, 409 for a clash with the records on file), 403 for a role
that may not, 404 outside the scope, 405 for any change to the ledger, and the issue's spellings
without the trailing slash."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anxin.cases.tests.factories import open_case
from anxin.core.models import SecurityEvent
from anxin.money import services
from anxin.money.models import Claim, Payment
from anxin.money.tests.test_claims_views import claims_on, id_no, months_back


@pytest.fixture
def case(world, luoxi):
    return open_case(world.luoxi_factory, actor=luoxi)


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _claim(**kw):
    body = {
        "name": "张三",
        "id_number": id_no(9),
        "phone": "13812345678",
        "period_from": f"{months_back(2):%Y-%m}",
        "period_to": f"{months_back(0):%Y-%m}",
        "amount": "12345.67",
        "basis": "attendance",
    }
    body.update(kw)
    return body


# --- claims -------------------------------------------------------------------------------------------------


def test_the_lead_town_registers_a_claim_and_gets_it_back_in_yuan(api_client, luoxi, case):
    response = _as(api_client, luoxi).post(f"/api/v1/cases/{case.pk}/claims/", _claim(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["claimed"] == "12345.67" and body["amount"] == "12345.67"
    assert body["confirmed"] is None and body["paid"] == "0.00" and body["outstanding"] == "12345.67"
    assert body["status"] == "claimed" and body["months"] == 3
    assert body["id_number"] != id_no(9) and body["id_number"].endswith(id_no(9)[-4:])
    assert body["period_from"] == f"{months_back(2):%Y-%m}"


def test_the_list_shows_the_full_id_number_only_to_a_role_that_may_see_it(api_client, office, luoxi, case):
    claims_on(case, luoxi, n=1)
    town = _as(api_client, luoxi).get(f"/api/v1/cases/{case.pk}/claims/").json()
    assert town[0]["id_number"] != id_no(1)
    office_view = _as(api_client, office).get(f"/api/v1/cases/{case.pk}/claims/").json()
    assert office_view[0]["id_number"] == id_no(1)
    assert SecurityEvent.objects.filter(kind="sensitive_view", user=office).count() == 1
    assert not SecurityEvent.objects.filter(kind="sensitive_view", user=luoxi).exists()


def test_a_post_without_the_trailing_slash_registers_too(api_client, luoxi, case):
    response = _as(api_client, luoxi).post(f"/api/v1/cases/{case.pk}/claims", _claim(), format="json")
    assert response.status_code == 201


def test_a_bad_id_number_is_a_400_naming_the_field(api_client, luoxi, case):
    bad = id_no(9)[:-1] + ("0" if id_no(9)[-1] != "0" else "1")
    response = _as(api_client, luoxi).post(
        f"/api/v1/cases/{case.pk}/claims/", _claim(id_number=bad), format="json"
    )
    assert response.status_code == 400 and "id_number" in response.json()
    assert not Claim.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", 12.5])
def test_a_zero_negative_or_float_amount_is_a_400(api_client, luoxi, case, amount):
    response = _as(api_client, luoxi).post(
        f"/api/v1/cases/{case.pk}/claims/", _claim(amount=amount), format="json"
    )
    assert response.status_code == 400 and "amount" in response.json()


def test_a_period_ending_before_it_starts_is_a_400(api_client, luoxi, case):
    body = _claim(period_from=f"{months_back(0):%Y-%m}", period_to=f"{months_back(2):%Y-%m}")
    response = _as(api_client, luoxi).post(f"/api/v1/cases/{case.pk}/claims/", body, format="json")
    assert response.status_code == 400 and "period_to" in response.json()


def test_the_same_worker_twice_is_a_409_naming_the_id_number(api_client, luoxi, case):
    client = _as(api_client, luoxi)
    assert client.post(f"/api/v1/cases/{case.pk}/claims/", _claim(), format="json").status_code == 201
    again = client.post(f"/api/v1/cases/{case.pk}/claims/", _claim(name="张三丰"), format="json")
    assert again.status_code == 409 and "id_number" in again.json()
    assert Claim.objects.count() == 1


def test_a_leader_may_read_but_not_register(api_client, leader, luoxi, case):
    claims_on(case, luoxi, n=1)
    client = _as(api_client, leader)
    assert client.get(f"/api/v1/cases/{case.pk}/claims/").status_code == 200
    assert client.post(f"/api/v1/cases/{case.pk}/claims/", _claim(), format="json").status_code == 403


@pytest.mark.parametrize("persona", ["xuejia", "gongan"])
def test_another_town_and_the_police_get_a_404(request, api_client, luoxi, case, persona):
    claims_on(case, luoxi, n=1)
    client = _as(api_client, request.getfixturevalue(persona))
    assert client.get(f"/api/v1/cases/{case.pk}/claims/").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/payments/").status_code == 404


def test_renshe_confirms_at_another_amount_with_a_note(api_client, luoxi, renshe, case):
    (claim,) = claims_on(case, luoxi, n=1)
    response = _as(api_client, renshe).post(
        f"/api/v1/claims/{claim.pk}/confirm", {"amount": "9000.00", "note": "按考勤核减"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["confirmed"] == "9000.00" and response.json()["status"] == "confirmed"


def test_a_confirmed_amount_without_a_note_is_a_400(api_client, luoxi, renshe, case):
    (claim,) = claims_on(case, luoxi, n=1)
    response = _as(api_client, renshe).post(
        f"/api/v1/claims/{claim.pk}/confirm/", {"amount": "9000.00"}, format="json"
    )
    assert response.status_code == 400 and "note" in response.json()


def test_confirming_twice_is_a_409(api_client, luoxi, renshe, case):
    (claim,) = claims_on(case, luoxi, n=1)
    client = _as(api_client, renshe)
    assert client.post(f"/api/v1/claims/{claim.pk}/confirm/", {}, format="json").status_code == 200
    assert client.post(f"/api/v1/claims/{claim.pk}/confirm/", {}, format="json").status_code == 409


def test_the_town_may_not_confirm(api_client, luoxi, case):
    (claim,) = claims_on(case, luoxi, n=1)
    assert (
        _as(api_client, luoxi).post(f"/api/v1/claims/{claim.pk}/confirm/", {}, format="json").status_code
        == 403
    )


# --- payments -----------------------------------------------------------------------------------------------


def _payment(claim, **kw):
    body = {
        "claim": claim.pk,
        "amount": "3000.00",
        "paid_on": f"{timezone.localdate():%Y-%m-%d}",
        "source": "employer",
        "reference": "回单-1",
    }
    body.update(kw)
    return body


def test_the_town_records_a_payment_and_lists_it(api_client, luoxi, case):
    (claim,) = claims_on(case, luoxi, n=1)
    client = _as(api_client, luoxi)
    response = client.post(f"/api/v1/cases/{case.pk}/payments", _payment(claim), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "3000.00" and response.json()["source"] == "employer"
    listed = client.get(f"/api/v1/cases/{case.pk}/payments/").json()
    assert [p["reference"] for p in listed] == ["回单-1"]
    claims = client.get(f"/api/v1/cases/{case.pk}/claims/").json()
    assert (claims[0]["paid"], claims[0]["outstanding"]) == ("3000.00", "7000.00")


def test_a_payment_above_what_is_owed_is_a_409_naming_the_amount(api_client, luoxi, case):
    (claim,) = claims_on(case, luoxi, n=1)
    response = _as(api_client, luoxi).post(
        f"/api/v1/cases/{case.pk}/payments/", _payment(claim, amount="10000.01"), format="json"
    )
    assert response.status_code == 409 and "amount" in response.json()
    assert not Payment.objects.exists()


def test_a_payment_for_a_worker_of_another_case_is_a_404_naming_the_claim(api_client, world, luoxi, case):
    other = open_case(world.luoxi_builder, actor=luoxi)
    (claim,) = claims_on(other, luoxi, n=1)
    response = _as(api_client, luoxi).post(
        f"/api/v1/cases/{case.pk}/payments/", _payment(claim), format="json"
    )
    assert response.status_code == 404 and "claim" in response.json()


def test_an_unknown_source_is_a_400(api_client, luoxi, case):
    (claim,) = claims_on(case, luoxi, n=1)
    response = _as(api_client, luoxi).post(
        f"/api/v1/cases/{case.pk}/payments/", _payment(claim, source="closing"), format="json"
    )
    assert response.status_code == 400 and "source" in response.json()


def test_the_office_reverses_a_payment_with_a_reason(api_client, luoxi, office, case):
    (claim,) = claims_on(case, luoxi, n=1)
    payment = services.payment_record(
        actor=luoxi, claim=claim, amount=300_000, paid_on=timezone.localdate(), source="employer"
    )
    response = _as(api_client, office).post(
        f"/api/v1/payments/{payment.pk}/reverse", {"reason": "重复登记"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["reverses"] == payment.pk
    claim.refresh_from_db()
    assert claim.paid == 0


def test_a_reversal_without_a_reason_is_a_400(api_client, luoxi, office, case):
    (claim,) = claims_on(case, luoxi, n=1)
    payment = services.payment_record(
        actor=luoxi, claim=claim, amount=300_000, paid_on=timezone.localdate(), source="employer"
    )
    response = _as(api_client, office).post(
        f"/api/v1/payments/{payment.pk}/reverse/", {"reason": " "}, format="json"
    )
    assert response.status_code == 400 and "reason" in response.json()


def test_the_town_may_not_reverse(api_client, luoxi, case):
    (claim,) = claims_on(case, luoxi, n=1)
    payment = services.payment_record(
        actor=luoxi, claim=claim, amount=300_000, paid_on=timezone.localdate(), source="employer"
    )
    response = _as(api_client, luoxi).post(
        f"/api/v1/payments/{payment.pk}/reverse/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_ledger_has_no_update_path(api_client, office, luoxi, case, method):
    (claim,) = claims_on(case, luoxi, n=1)
    payment = services.payment_record(
        actor=luoxi, claim=claim, amount=300_000, paid_on=timezone.localdate(), source="employer"
    )
    client = _as(api_client, office)
    for url in (
        f"/api/v1/cases/{case.pk}/payments/",
        f"/api/v1/cases/{case.pk}/claims/",
        f"/api/v1/payments/{payment.pk}/reverse/",
        f"/api/v1/claims/{claim.pk}/confirm/",
    ):
        assert getattr(client, method)(url, {}, format="json").status_code == 405, url


def test_the_reference_lists_name_codes_in_chinese(api_client, luoxi):
    client = _as(api_client, luoxi)
    sources = {s["code"]: s["name"] for s in client.get("/api/v1/payment-sources/").json()}
    assert sources["general_contractor"] == "总承包单位支付" and "closing" not in sources
    assert set(sources) == {
        "employer",
        "general_contractor",
        "wage_deposit",
        "emergency_fund",
        "asset_realisation",
        "court_enforcement",
        "other",
    }
    bases = {b["code"]: b["name"] for b in client.get("/api/v1/claim-bases/").json()}
    assert bases["award"] == "仲裁裁决" and len(bases) == 6


def test_the_list_query_count_does_not_grow_with_the_workers(
    api_client, luoxi, case, django_assert_max_num_queries
):
    for claim in claims_on(case, luoxi, n=20):
        services.payment_record(
            actor=luoxi, claim=claim, amount=100, paid_on=timezone.localdate(), source="employer"
        )
    client = _as(api_client, luoxi)
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/cases/{case.pk}/claims/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/cases/{case.pk}/payments/").status_code == 200
