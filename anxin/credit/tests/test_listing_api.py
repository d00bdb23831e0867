"""The joint-punishment list over the API: scoped reads, writes by 人社局 and the office only, the
rules' refusals as 409 naming the clause, bad bodies as 400, the POSTs with and without the slash."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from anxin.credit.models import Listing, ListingStatus
from anxin.credit.tests.factories_listing import (
    PDF,
    at,
    listable_case,
    listed,
    paid_in_full,  # noqa: F401  (a fixture)
    proposed,
    served,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/credit/listings/"


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_the_conditions_name_their_clause(api_client, renshe):
    answer = _as(api_client, renshe).get("/api/v1/credit/conditions/").json()
    assert {c["code"] for c in answer} == {"order_threshold", "order_incident"}
    assert all("第五条" in c["citation"] for c in answer)


def test_the_list_is_scoped_and_filtered(api_client, renshe, luoxi, xuejia):
    listing = proposed(renshe)
    other = listed(renshe, on="2026-04-01", decided="2026-04-20")
    client = _as(api_client, renshe)
    numbers = [r["number"] for r in client.get(BASE).json()["results"]]
    assert {listing.number, other.number} <= set(numbers)
    found = client.get(BASE, {"status": "listed"}).json()["results"]
    assert [r["number"] for r in found] == [other.number]
    assert found[0]["persons"][0]["id_number"].count("*") == 10
    found = client.get(BASE, {"enterprise": listing.enterprise.uscc}).json()["results"]
    assert [r["number"] for r in found] == [listing.number]
    assert client.get(BASE, {"status": "nonsense"}).status_code == 400
    assert {r["number"] for r in _as(api_client, luoxi).get(BASE).json()["results"]} >= {listing.number}
    assert _as(api_client, xuejia).get(BASE).json()["results"] == []


def test_the_list_needs_a_login(api_client):
    assert api_client.get(BASE).status_code == 401


def test_propose_by_case_and_by_enterprise(api_client, renshe):
    case = listable_case(renshe)
    client = _as(api_client, renshe)
    response = client.post(
        BASE, {"case": case.pk, "condition": "order_threshold", "reasons": "拒不支付"}, format="json"
    )
    assert response.status_code == 201 and response.json()["status"] == "proposed"
    assert any("多人标准（达到）" in line for line in response.json()["condition_lines"])
    second = listable_case(renshe)
    response = client.post(
        BASE.rstrip("/"),  # the spelling
        {"enterprise": second.enterprise.uscc, "condition": "order_threshold", "reasons": "拒不支付"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["case"] == second.pk


def test_propose_without_a_condition_is_a_400_naming_article_five(api_client, renshe):
    case = listable_case(renshe)
    response = _as(api_client, renshe).post(BASE, {"case": case.pk, "reasons": "欠薪"}, format="json")
    assert response.status_code == 400 and "第五条" in response.json()["condition"][0]
    assert not Listing.objects.exists()


def test_propose_when_the_condition_is_not_met_is_a_409(api_client, renshe):
    case = listable_case(renshe, workers=2, amount=100_000)
    response = _as(api_client, renshe).post(
        BASE, {"case": case.pk, "condition": "order_threshold", "reasons": "欠薪"}, format="json"
    )
    assert response.status_code == 409 and "第五条第（一）项" in str(response.json())


@pytest.mark.parametrize("persona", ["luoxi", "chengjian", "caizheng"])
def test_only_deciders_write(request, api_client, renshe, persona):
    case = listable_case(renshe)
    response = _as(api_client, request.getfixturevalue(persona)).post(
        BASE, {"case": case.pk, "condition": "order_threshold", "reasons": "欠薪"}, format="json"
    )
    assert response.status_code == 403


def test_a_listing_outside_the_scope_is_404(api_client, renshe, xuejia):
    listing = proposed(renshe)
    response = _as(api_client, xuejia).post(
        f"{BASE}{listing.pk}/serve-notice",
        {"served_on": "2026-03-02", "reference": "告", "method": "直接送达"},
        format="json",
    )
    assert response.status_code == 404


def test_serve_defend_and_decide(api_client, renshe):
    listing = proposed(renshe)
    client = _as(api_client, renshe)
    with time_machine.travel(at("2026-03-02T10:00"), tick=False):
        response = client.post(
            f"{BASE}{listing.pk}/serve-notice",
            {"served_on": "2026-03-02", "reference": "新人社信告〔2026〕3号", "method": "直接送达"},
            format="json",
        )
        assert response.status_code == 200 and response.json()["defence_due"] == "2026-03-09"
        response = client.post(
            f"{BASE}{listing.pk}/decide", {"decision": "list", "reasons": "符合"}, format="json"
        )
        assert response.status_code == 409 and "尚未届满" in str(response.json())
    with time_machine.travel(at("2026-03-10T10:00"), tick=False):
        response = client.post(
            f"{BASE}{listing.pk}/defence/",
            {"received_on": "2026-03-10", "summary": "迟到的申辩"},
            format="json",
        )
        assert response.status_code == 409 and "2026-03-09 届满" in str(response.json())
        response = client.post(
            f"{BASE}{listing.pk}/decide/", {"decision": "list", "reasons": "符合"}, format="json"
        )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "listed" and body["term_end"] == "2029-03-09" and body["blacklisted"] is True
    assert (
        client.post(
            f"{BASE}{listing.pk}/decide/", {"decision": "maybe", "reasons": "x"}, format="json"
        ).status_code
        == 400
    )


def _removal() -> dict:
    return {"reasons": "已清偿", "corrected_on": "2026-03-01", "pledge": _pledge()}


def _pledge():
    return SimpleUploadedFile("信用承诺书.pdf", PDF, content_type="application/pdf")


@pytest.mark.usefixtures("paid_in_full")
def test_remove_with_the_pledge_in_one_call(api_client, renshe):
    listing = listed(renshe, decided="2026-03-20")
    client = _as(api_client, renshe)
    with time_machine.travel(at("2026-09-19T10:00"), tick=False):
        response = client.post(f"{BASE}{listing.pk}/remove", _removal(), format="multipart")
        assert response.status_code == 409 and "最早 2026-09-20" in str(response.json())
    with time_machine.travel(at("2026-09-21T10:00"), tick=False):
        response = client.post(f"{BASE}{listing.pk}/remove/", _removal(), format="multipart")
    assert response.status_code == 200 and response.json()["status"] == ListingStatus.REMOVED
    assert response.json()["ended_on"] == "2026-09-21"


@pytest.mark.usefixtures("paid_in_full")
def test_remove_counts_the_minimum_from_the_correction_and_leaves_nothing_when_refused(api_client, renshe):
    listing = listed(renshe, decided="2026-03-20")
    client = _as(api_client, renshe)
    with time_machine.travel(at("2026-10-08T10:00"), tick=False):
        response = client.post(
            f"{BASE}{listing.pk}/remove/",
            {"reasons": "已清偿", "corrected_on": "2026-06-01", "pledge": _pledge()},
            format="multipart",
        )
    assert response.status_code == 409 and "最早 2026-12-01" in str(response.json())
    assert not listing.removals.exists()


def test_remove_with_arrears_outstanding_is_a_409(api_client, renshe):
    listing = listed(renshe, decided="2026-03-20")
    with time_machine.travel(at("2026-10-08T10:00"), tick=False):
        response = _as(api_client, renshe).post(f"{BASE}{listing.pk}/remove/", _removal(), format="multipart")
    assert response.status_code == 409 and "尚欠 ¥120,000.00" in str(response.json())


@pytest.mark.usefixtures("paid_in_full")
def test_remove_needs_the_pledge_and_a_multipart_body(api_client, renshe):
    listing = listed(renshe, decided="2026-03-20")
    client = _as(api_client, renshe)
    with time_machine.travel(at("2026-10-08T10:00"), tick=False):
        response = client.post(f"{BASE}{listing.pk}/remove/", {"reasons": "已清偿"}, format="multipart")
        assert (
            response.status_code == 400 and "pledge" in response.json() and "corrected_on" in response.json()
        )
        response = client.post(f"{BASE}{listing.pk}/remove/", {"reasons": "已清偿"}, format="json")
        assert response.status_code == 415
    listing.refresh_from_db()
    assert listing.status == ListingStatus.LISTED


def test_serving_twice_is_a_409(api_client, renshe):
    listing = served(renshe, proposed(renshe))
    with time_machine.travel(at("2026-03-03T10:00"), tick=False):
        response = _as(api_client, renshe).post(
            f"{BASE}{listing.pk}/serve-notice/",
            {"served_on": "2026-03-03", "reference": "告", "method": "直接送达"},
            format="json",
        )
    assert response.status_code == 409
