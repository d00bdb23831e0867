"""The minutes and decisions over the API: the whole way from draft to acceptance, with and without the
trailing slash; bad input (400, nothing changed), who may (403), the state (409), the scope (404)."""

from __future__ import annotations

import pytest

from anxin.conference.models import DecisionStatus, Minutes, MinutesStatus
from anxin.conference.tests.factories_minutes import drafted, issued, item, meeting, open_decision

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


DRAFT = {
    "text": "会议部署春节前专项行动。",
    "decisions": [
        {"owner": "construction", "due": "2026-04-30", "result": "完成专户排查", "co_units": ["hrss"]},
        {"owner": "gov-luoxi", "due": "2026-05-31", "result": "上门核查", "subject": "隐患企业排查"},
    ],
}


def test_from_draft_to_acceptance(api_client, office, convener, chengjian):
    held = meeting(office)
    client = _as(api_client, office)
    response = client.post(f"{BASE}/meetings/{held.pk}/minutes", DRAFT, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "draft" and len(body["decisions"]) == 2
    assert body["decisions"][0]["co_units"] == ["hrss"]
    assert client.post(f"{BASE}/meetings/{held.pk}/minutes/submit", {}, format="json").status_code == 200
    # the office cannot sign
    assert client.post(f"{BASE}/meetings/{held.pk}/minutes/sign", {}, format="json").status_code == 403
    response = _as(api_client, convener).post(
        f"{BASE}/meetings/{held.pk}/minutes/sign/", {"opinion": "同意"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "signed"
    response = _as(api_client, office).post(
        f"{BASE}/meetings/{held.pk}/minutes/issue", {"reference": "新欠薪联办纪〔2026〕1号"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "issued"
    assert set(response.json()["issued_to"]) >= {"construction", "hrss", "gov-luoxi"}
    # 城建局 sees its decision and completes it
    client = _as(api_client, chengjian)
    listed = client.get(f"{BASE}/decisions/", {"owner": "construction"}).json()
    assert listed["count"] == 1
    decision_id = listed["results"][0]["id"]
    assert (
        client.post(
            f"{BASE}/decisions/{decision_id}/progress", {"text": "已排查一半"}, format="json"
        ).status_code
        == 200
    )
    response = client.post(f"{BASE}/decisions/{decision_id}/complete", {"result": "全部完成"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "reported"
    response = _as(api_client, office).post(
        f"{BASE}/decisions/{decision_id}/send-back", {"reason": "材料不全"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "open"
    _as(api_client, chengjian).post(
        f"{BASE}/decisions/{decision_id}/complete/", {"result": "补齐材料"}, format="json"
    )
    response = _as(api_client, office).post(f"{BASE}/decisions/{decision_id}/accept", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "done"
    detail = _as(api_client, office).get(f"{BASE}/decisions/{decision_id}/").json()
    assert [r["kind"] for r in detail["reports"]] == ["progress", "completion", "completion"]
    assert detail["reports"][1]["accepted"] is False and detail["reports"][2]["accepted"] is True


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"decisions": []}, 400, "text"),
        ({"text": 5}, 400, "text"),
        ({"text": "x", "decisions": [{"owner": "construction", "due": "2026-04-30"}]}, 400, "decisions"),
        # well formed, but naming no unit (404) or clashing with the records (409: before the meeting, no member)
        (
            {"text": "x", "decisions": [{"owner": "nowhere", "due": "2026-04-30", "result": "r"}]},
            404,
            "decisions",
        ),
        (
            {"text": "x", "decisions": [{"owner": "construction", "due": "2026-01-01", "result": "r"}]},
            409,
            "decisions",
        ),
        (
            {"text": "x", "decisions": [{"owner": "leaders", "due": "2026-04-30", "result": "r"}]},
            409,
            "decisions",
        ),
    ],
)
def test_a_bad_draft_is_refused_and_nothing_is_written(api_client, office, payload, code, field):
    held = meeting(office)
    response = _as(api_client, office).post(f"{BASE}/meetings/{held.pk}/minutes/", payload, format="json")
    assert response.status_code == code and field in response.json(), response.json()
    assert not Minutes.objects.exists()


def test_drafting_for_a_meeting_not_held_is_a_409(api_client, office):
    held = meeting(office, status="scheduled")
    response = _as(api_client, office).post(f"{BASE}/meetings/{held.pk}/minutes", DRAFT, format="json")
    assert response.status_code == 409 and "召开后" in str(response.json())


def test_issuing_unsigned_minutes_is_a_409(api_client, office):
    held = meeting(office)
    drafted(office, held)
    response = _as(api_client, office).post(
        f"{BASE}/meetings/{held.pk}/minutes/issue", {"reference": "X"}, format="json"
    )
    assert response.status_code == 409 and "未经召集人审签" in str(response.json())
    assert Minutes.objects.get().status == MinutesStatus.DRAFT


def test_returning_without_comments_is_a_400(api_client, office, convener):
    held = meeting(office)
    minutes = drafted(office, held)
    _as(api_client, office).post(f"{BASE}/meetings/{held.pk}/minutes/submit", {}, format="json")
    response = _as(api_client, convener).post(
        f"{BASE}/meetings/{held.pk}/minutes/return", {"comments": ""}, format="json"
    )
    assert response.status_code == 400 and "comments" in response.json()
    response = _as(api_client, convener).post(
        f"{BASE}/meetings/{held.pk}/minutes/return", {"comments": "改"}, format="json"
    )
    assert response.status_code == 200
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.RETURNED


def test_a_department_cannot_draft_and_a_unit_not_invited_gets_a_404(api_client, office, renshe, caizheng):
    held = meeting(office)  # 人社局 invited, 财政局 not
    assert (
        _as(api_client, renshe).post(f"{BASE}/meetings/{held.pk}/minutes", DRAFT, format="json").status_code
        == 403
    )
    assert (
        _as(api_client, caizheng).post(f"{BASE}/meetings/{held.pk}/minutes", DRAFT, format="json").status_code
        == 404
    )
    assert not Minutes.objects.exists()


def test_decisions_are_scoped_and_filtered(api_client, office, convener, chengjian, luoxi):
    decision = open_decision(office, convener, item("construction", due="2026-04-30"))
    assert _as(api_client, luoxi).get(f"{BASE}/decisions/").json()["count"] == 0
    assert _as(api_client, luoxi).get(f"{BASE}/decisions/{decision.pk}/").status_code == 404
    client = _as(api_client, office)
    assert client.get(f"{BASE}/decisions/", {"overdue": "true"}).json()["count"] == 1  # past 2026-04-30 today
    assert client.get(f"{BASE}/decisions/", {"status": "done"}).json()["count"] == 0
    assert client.get(f"{BASE}/decisions/", {"status": "nonsense"}).status_code == 400
    assert client.get(f"{BASE}/decisions/", {"owner": "nowhere"}).status_code == 404
    assert client.get(f"{BASE}/decisions/", {"overdue": "maybe"}).status_code == 400


def test_decision_refusals_over_the_api(api_client, office, convener, chengjian, renshe):
    decision = open_decision(office, convener, item("construction", co=("hrss",)))
    response = _as(api_client, chengjian).post(
        f"{BASE}/decisions/{decision.pk}/complete", {"result": ""}, format="json"
    )
    assert response.status_code == 400 and "result" in response.json()
    response = _as(api_client, renshe).post(
        f"{BASE}/decisions/{decision.pk}/complete", {"result": "我做了"}, format="json"
    )
    assert response.status_code == 403 and "detail" in response.json()
    response = _as(api_client, office).post(f"{BASE}/decisions/{decision.pk}/accept", {}, format="json")
    assert response.status_code == 409
    _as(api_client, chengjian).post(
        f"{BASE}/decisions/{decision.pk}/complete", {"result": "完成"}, format="json"
    )
    response = _as(api_client, office).post(
        f"{BASE}/decisions/{decision.pk}/send-back", {"reason": ""}, format="json"
    )
    assert response.status_code == 400
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.REPORTED


def test_issued_minutes_show_to_a_unit_it_was_sent_to(api_client, office, convener, luoxi):
    held = meeting(office)
    issued(office, convener, drafted(office, held))
    response = _as(api_client, luoxi).post(f"{BASE}/meetings/{held.pk}/minutes/submit", {}, format="json")
    assert response.status_code == 403  # it reads, the office acts


def test_issuing_to_no_unit_is_a_400(api_client, office, convener):
    held = meeting(office)
    signed_minutes = drafted(office, held)
    from anxin.conference.tests.factories_minutes import signed

    signed(office, convener, signed_minutes)
    response = _as(api_client, office).post(
        f"{BASE}/meetings/{held.pk}/minutes/issue", {"reference": "X", "units": []}, format="json"
    )
    assert response.status_code == 400 and "units" in response.json()
    response = _as(api_client, office).post(
        f"{BASE}/meetings/{held.pk}/minutes/issue", {"reference": "X", "units": ["nowhere"]}, format="json"
    )
    assert response.status_code == 404
    signed_minutes.refresh_from_db()
    assert signed_minutes.status == MinutesStatus.SIGNED
