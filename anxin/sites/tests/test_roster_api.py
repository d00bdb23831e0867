"""The roster over the API: the list paged with masked ID numbers unless the role may see them, ``?q=``
and ``?on_site=``; a worker put on the roster (201), refusals by field (400 for the request, 409 against
the roster on file), 403 for a town, 404 outside the scope; the leave; the spellings without the slash."""

from __future__ import annotations

from typing import Any

import pytest

from anxin.core.models import SecurityEvent, SecurityEventKind
from anxin.sites.models import RosterEntry
from anxin.sites.tests.factories_roster import add, days_ago, id_number, site

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(district):
    return site()


def _as(api_client: Any, user: Any) -> Any:
    api_client.force_authenticate(user)
    return api_client


def _body(s: Any, n: int = 1, **kw: Any) -> dict:
    body = {
        "name": f"工人{n}",
        "id_number": id_number(n),
        "phone": f"138{n:08d}",
        "employer": s.gc.uscc,
        "team": "木工班",
        "trade": "木工",
        "start_date": days_ago(5).isoformat(),
    }
    body.update(kw)
    return body


def _url(s: Any, suffix: str = "") -> str:
    return f"/api/v1/projects/{s.project.pk}/workers/{suffix}"


def test_the_supervising_department_adds_a_worker(api_client, chengjian, s):
    response = _as(api_client, chengjian).post(_url(s), _body(s, employer=s.sub.uscc), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["employer"] == s.sub.uscc and body["on_site"] is True and body["leave_date"] is None
    assert body["start_date"] == days_ago(5).isoformat() and body["team"] == "木工班"
    assert RosterEntry.objects.get(pk=body["id"]).added_by == chengjian


def test_the_slashless_spelling_answers_the_same(api_client, office, s):
    response = _as(api_client, office).post(_url(s).rstrip("/"), _body(s), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id_number": "320411199001010000"}, "id_number"),
        ({"phone": "12"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"employer": "bad"}, "employer"),
        ({"name": 5}, "name"),
        ({"start_date": "2026-13-01"}, "start_date"),
    ],
)
def test_a_malformed_request_is_a_400_by_field(api_client, office, s, change, field):
    response = _as(api_client, office).post(_url(s), _body(s, **change), format="json")
    assert response.status_code == 400 and field in response.json()
    assert not RosterEntry.objects.exists()


def test_an_employer_of_another_project_or_a_future_start_is_a_400(api_client, office, s):
    client = _as(api_client, office)
    response = client.post(_url(s), _body(s, employer=s.other.uscc), format="json")
    assert response.status_code == 400 and "不是本项目" in response.json()["employer"][0]
    response = client.post(_url(s), _body(s, start_date=days_ago(-1).isoformat()), format="json")
    assert response.status_code == 400 and "start_date" in response.json()
    assert not RosterEntry.objects.exists()


def test_a_worker_already_on_site_or_an_overlapping_stretch_is_a_409(api_client, office, s):
    add(s, 1, start_date=days_ago(30), leave_date=days_ago(20))
    add(s, 2)
    client = _as(api_client, office)
    response = client.post(_url(s), _body(s, 2), format="json")
    assert response.status_code == 409 and "尚未退场" in response.json()["id_number"][0]
    response = client.post(_url(s), _body(s, 1, start_date=days_ago(25).isoformat()), format="json")
    assert response.status_code == 409 and "重叠" in response.json()["id_number"][0]
    assert RosterEntry.objects.count() == 2


def test_a_town_reads_but_may_not_add_and_another_town_sees_nothing(api_client, luoxi, xuejia, s):
    add(s, 1)
    assert _as(api_client, luoxi).get(_url(s)).status_code == 200
    assert _as(api_client, luoxi).post(_url(s), _body(s, 2), format="json").status_code == 403
    assert _as(api_client, xuejia).get(_url(s)).status_code == 404
    assert _as(api_client, xuejia).post(_url(s), _body(s, 2), format="json").status_code == 404
    assert RosterEntry.objects.count() == 1


def test_a_department_of_another_line_gets_a_404(api_client, shuili, s):
    assert _as(api_client, shuili).get(_url(s)).status_code == 404
    assert _as(api_client, shuili).post(_url(s), _body(s), format="json").status_code == 404


def test_an_unknown_project_is_a_404_and_anonymous_a_401(api_client, office, s):
    assert _as(api_client, office).get("/api/v1/projects/999999/workers/").status_code == 404
    api_client.force_authenticate(None)
    assert api_client.get(_url(s)).status_code == 401


def test_the_list_is_paged_masked_for_a_town_and_full_for_the_office(api_client, office, luoxi, s):
    add(s, 1)
    add(s, 2, start_date=days_ago(9), leave_date=days_ago(3))
    town = _as(api_client, luoxi).get(_url(s)).json()
    assert town["count"] == 2 and {w["id_number"] for w in town["results"]}.isdisjoint(
        {id_number(1), id_number(2)}
    )
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.SENSITIVE_VIEW).exists()
    full = _as(api_client, office).get(_url(s)).json()
    assert {w["id_number"] for w in full["results"]} == {id_number(1), id_number(2)}
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SENSITIVE_VIEW, user=office).exists()


def test_the_list_filters_by_on_site_and_by_name_or_id_number(api_client, office, s):
    add(s, 1, name="张三")
    add(s, 2, name="李四", start_date=days_ago(9), leave_date=days_ago(3))
    client = _as(api_client, office)
    names = lambda query: [w["name"] for w in client.get(_url(s), query).json()["results"]]  # noqa: E731
    assert names({"on_site": "1"}) == ["张三"]
    assert names({"on_site": "false"}) == ["李四"]
    assert names({"q": "李"}) == ["李四"]
    assert names({"q": id_number(1)}) == ["张三"]
    assert client.get(_url(s), {"on_site": "maybe"}).status_code == 400


def test_a_worker_leaves_through_the_api_once(api_client, chengjian, s):
    entry = add(s, 1, start_date=days_ago(10))
    client = _as(api_client, chengjian)
    response = client.post(
        _url(s, f"{entry.pk}/leave"), {"leave_date": days_ago(1).isoformat()}, format="json"
    )
    assert response.status_code == 200 and response.json()["leave_date"] == days_ago(1).isoformat()
    assert response.json()["on_site"] is False
    again = client.post(_url(s, f"{entry.pk}/leave/"), {"leave_date": days_ago(0).isoformat()}, format="json")
    assert again.status_code == 409 and "leave_date" in again.json()


def test_a_leave_before_the_start_is_a_400_a_town_a_403_an_unknown_worker_a_404(api_client, office, luoxi, s):
    entry = add(s, 1, start_date=days_ago(10))
    leave = {"leave_date": days_ago(11).isoformat()}
    assert (
        _as(api_client, office).post(_url(s, f"{entry.pk}/leave/"), leave, format="json").status_code == 400
    )
    assert _as(api_client, luoxi).post(_url(s, f"{entry.pk}/leave/"), leave, format="json").status_code == 403
    other = site()
    url = f"/api/v1/projects/{other.project.pk}/workers/{entry.pk}/leave/"
    assert _as(api_client, office).post(url, leave, format="json").status_code == 404
    entry.refresh_from_db()
    assert entry.leave_date is None
