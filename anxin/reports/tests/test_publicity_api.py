"""``GET|POST /api/v1/publicity/``: a unit records for itself (a future date or an unknown kind is a 400),
the list is scoped like the screens (a unit sees its own, the office every unit's), an account that
records nothing is refused (403), no token is a 401."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from anxin.reports.models import PublicityActivity
from anxin.reports.tests.factories_office import NOW, activity

pytestmark = pytest.mark.django_db

BODY = {"date": "2026-11-18", "kind": "site", "title": "进工地宣传", "place": "某工地", "audience": 120}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_town_posts_an_activity_for_itself(api_client, luoxi):
    api_client.force_authenticate(luoxi)
    for url in (reverse("api:publicity"), "/api/v1/publicity"):
        response = api_client.post(url, {**BODY, "materials": 40}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["unit"] == "gov-luoxi" and response.json()["materials"] == 40
    assert PublicityActivity.objects.filter(unit_id=luoxi.unit_id).count() == 2


def test_a_future_date_is_refused_naming_the_field(api_client, luoxi):
    api_client.force_authenticate(luoxi)
    response = api_client.post(reverse("api:publicity"), {**BODY, "date": "2026-11-21"}, format="json")
    assert response.status_code == 409 and "不能晚于今天" in response.json()["date"][0]
    response = api_client.post(reverse("api:publicity"), {**BODY, "kind": "party"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    response = api_client.post(reverse("api:publicity"), {**BODY, "audience": "12"}, format="json")
    assert response.status_code == 400
    assert not PublicityActivity.objects.exists()


def test_the_office_cannot_post_for_a_unit(api_client, office):
    api_client.force_authenticate(office)
    response = api_client.post(reverse("api:publicity"), BODY, format="json")
    assert response.status_code == 403 and "detail" in response.json()


def test_no_token_is_a_401(api_client):
    assert api_client.get(reverse("api:publicity")).status_code == 401


def test_the_list_is_scoped(api_client, luoxi, xuejia, office):
    activity(luoxi, title="罗溪活动")
    activity(xuejia, title="薛家活动", kind="park")
    api_client.force_authenticate(luoxi)
    titles = [r["title"] for r in api_client.get(reverse("api:publicity")).json()["results"]]
    assert titles == ["罗溪活动"]
    api_client.force_authenticate(office)
    body = api_client.get(reverse("api:publicity")).json()
    assert body["count"] == 2
    body = api_client.get(reverse("api:publicity"), {"kind": "park"}).json()
    assert [r["title"] for r in body["results"]] == ["薛家活动"]
    assert api_client.get(reverse("api:publicity"), {"kind": "x"}).status_code == 400
    assert api_client.get(reverse("api:publicity"), {"date_from": "2026/11/01"}).status_code == 400
    assert api_client.get(reverse("api:publicity"), {"date_to": ""}).status_code == 400
    assert api_client.get(reverse("api:publicity"), {"kind": ""}).status_code == 400
