"""Meetings over the API: the office schedules (with and without the trailing slash), bad bodies are a
400 in Chinese, a chair with no post a 409, other roles a 403; reads are scoped (a unit sees the
meetings it is invited to; outside: 404)."""

from __future__ import annotations

import pytest

from anxin.conference.models import Meeting, MeetingKind
from anxin.conference.services import meetings as services
from anxin.conference.tests.factories_meetings import schedule

pytestmark = pytest.mark.django_db

BASE = "/api/v1/meetings/"


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_the_office_schedules_a_meeting(api_client, office, convener):
    body = {
        "kind": "topic",
        "date": "2026-06-20",
        "place": "区政府第一会议室",
        "topics": ["coordination", "campaign"],
        "units_invited": ["construction", "hrss"],
        "chair": convener.username,
        "start_time": "09:30",
        "agenda": "会商",
    }
    response = _as(api_client, office).post(BASE, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    meeting = Meeting.objects.get()
    assert data["id"] == meeting.pk and data["number"] == meeting.number
    assert data["chair"] == convener.username and data["chair_post"] == "convener"
    assert {u["unit"] for u in data["units_invited"]} == {"construction", "hrss"}
    assert data["title"] == "会商协调重大欠薪案件专题会议"


def test_post_without_the_trailing_slash(api_client, office):
    response = _as(api_client, office).post(
        "/api/v1/meetings", {"kind": "plenary", "date": "2026-09-10", "place": "会议室"}, format="json"
    )
    assert response.status_code == 201
    assert len(response.json()["units_invited"]) == len(services.member_units())


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"kind": "board", "date": "2026-06-20", "place": "x"}, "kind", "plenary"),
        ({"kind": "topic", "date": "20/06/2026", "place": "x", "topics": ["major"]}, "date", "YYYY-MM-DD"),
        (
            {"kind": "topic", "date": "2026-06-20", "place": "x", "topics": ["party"]},
            "topics",
            "未知的议题代码",
        ),
        (
            {
                "kind": "topic",
                "date": "2026-06-20",
                "place": "x",
                "topics": ["major"],
                "units_invited": ["nowhere"],
            },
            "units_invited",
            "未知的单位代码",
        ),
        ({"kind": "topic", "date": "2026-06-20", "place": "x", "chair": "nobody"}, "chair", "未找到用户"),
    ],
)
def test_bad_bodies_are_400_in_chinese(api_client, office, body, field, words):
    response = _as(api_client, office).post(BASE, body, format="json")
    assert response.status_code == 400
    assert words in str(response.json())
    assert not Meeting.objects.exists()


def test_a_rule_the_records_refuse_is_409(api_client, office, renshe):
    body = {
        "kind": "topic",
        "date": "2026-06-20",
        "place": "x",
        "topics": ["major"],
        "chair": renshe.username,
    }
    response = _as(api_client, office).post(BASE, body, format="json")
    assert response.status_code == 409 and "未担任" in response.json()["chair"][0]
    body = {"kind": "topic", "date": "2026-06-20", "place": "x", "topics": []}
    response = _as(api_client, office).post(BASE, body, format="json")
    assert response.status_code in (400, 409) and "议题" in str(response.json())
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("persona", ["leader", "chengjian", "luoxi"])
def test_only_the_office_posts(request, api_client, persona):
    body = {"kind": "plenary", "date": "2026-09-10", "place": "会议室"}
    response = _as(api_client, request.getfixturevalue(persona)).post(BASE, body, format="json")
    assert response.status_code == 403 and "联席办" in response.json()["detail"]
    assert not Meeting.objects.exists()


def test_reads_are_scoped(api_client, office, leader, chengjian, luoxi):
    meeting = schedule(office, on="2026-06-10")  # 城建局 and 人社局
    plenary = schedule(office, kind=MeetingKind.PLENARY, on="2026-09-10", codes=())
    assert {r["id"] for r in _as(api_client, leader).get(BASE).json()["results"]} == {meeting.pk, plenary.pk}
    assert {r["id"] for r in _as(api_client, chengjian).get(BASE).json()["results"]} == {
        meeting.pk,
        plenary.pk,
    }
    assert {r["id"] for r in _as(api_client, luoxi).get(BASE).json()["results"]} == {plenary.pk}
    assert _as(api_client, luoxi).get(f"{BASE}{meeting.pk}/").status_code == 404
    detail = _as(api_client, chengjian).get(f"{BASE}{meeting.pk}/")
    assert detail.status_code == 200 and detail.json()["number"] == meeting.number


def test_the_list_filters(api_client, office):
    meeting = schedule(office, on="2026-06-10")
    plenary = schedule(office, kind=MeetingKind.PLENARY, on="2027-03-10", codes=())
    client = _as(api_client, office)
    assert [r["id"] for r in client.get(BASE, {"kind": "plenary"}).json()["results"]] == [plenary.pk]
    assert [r["id"] for r in client.get(BASE, {"year": "2026"}).json()["results"]] == [meeting.pk]
    assert [r["id"] for r in client.get(BASE, {"status": "scheduled"}).json()["results"]] == [
        plenary.pk,
        meeting.pk,
    ]
    assert client.get(BASE, {"kind": "nonsense"}).status_code == 400
    assert client.get(BASE, {"year": "abc"}).status_code == 400
    assert client.get(BASE, {"year": "0"}).status_code == 400


def test_the_detail_route_is_named_for_the_minutes_part(office):
    from django.urls import reverse

    assert reverse("api:meeting-detail", args=[7]) == "/api/v1/meetings/7/"


def test_anonymous_is_refused(api_client):
    assert api_client.get(BASE).status_code in (401, 403)
