"""The periodic reports' API (§五(二)): list scoped and filtered, the draft prefilled for one's own
unit, submission with the narrative and yuan extras, with and without the trailing slash; the
refusals in Chinese (a future period, a period not ended, a locked report, another unit's report)."""

from __future__ import annotations

import pytest

from anxin.reports.models import PeriodicReport, ReportStatus
from anxin.reports.tests.factories_periodic import NARRATIVE, draft, submitted, travel

pytestmark = pytest.mark.django_db

BASE = "/api/v1/periodic-reports/"


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_a_unit_creates_its_draft_and_submits_it(api_client, luoxi):
    client = _as(api_client, luoxi)
    with travel("2026-12-02"):
        made = client.post(BASE.rstrip("/"), {"period": "2026-11"}, format="json")
        assert made.status_code == 201, made.json()
        body = made.json()
        assert body["status"] == "draft" and body["unit"] == "gov-luoxi" and body["due_on"] == "2026-12-05"
        figure = next(f for f in body["figures"] if f["code"] == "money_recovered")
        assert (
            figure["value"] == "0.00" and figure["unit"] == "元" and "date_from=2026-11-01" in figure["link"]
        )
        answer = client.post(
            f"{BASE}{body['id']}/submit",
            {"narrative": NARRATIVE, "extras": {"visits": "3", "coordinated": "2,500.00"}},
            format="json",
        )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "submitted" and answer.json()["extras"] == {
        "visits": "3",
        "coordinated": "2500.00",
    }
    assert PeriodicReport.objects.get(pk=body["id"]).extras["coordinated"] == 250_000


def test_the_refusals_say_why(api_client, luoxi, xuejia):
    client = _as(api_client, luoxi)
    with travel("2026-12-02"):
        future = client.post(BASE, {"period": "2027-01"}, format="json")
        assert future.status_code == 409 and "尚未开始" in str(future.json())
        assert client.post(BASE, {"period": "2026/11"}, format="json").status_code == 400
        running = client.post(BASE, {"period": "2026-12"}, format="json").json()
        not_ended = client.post(f"{BASE}{running['id']}/submit/", {"narrative": NARRATIVE}, format="json")
        assert not_ended.status_code == 409 and "报告期尚未结束" in str(not_ended.json())
        missing = client.post(BASE, {"period": "2026-11"}, format="json").json()
        empty = client.post(f"{BASE}{missing['id']}/submit/", {"narrative": {"risk": "平稳"}}, format="json")
        assert empty.status_code == 409 and "请填写" in str(empty.json())
    other = draft(xuejia)
    with travel("2026-12-02"):
        assert (
            client.post(f"{BASE}{other.pk}/submit/", {"narrative": NARRATIVE}, format="json").status_code
            == 404
        )
        assert client.get(f"{BASE}{other.pk}/").status_code == 404


def test_submitting_a_locked_report_is_a_conflict(api_client, luoxi):
    report = submitted(luoxi)
    with travel("2026-12-03"):
        answer = _as(api_client, luoxi).post(
            f"{BASE}{report.pk}/submit/", {"narrative": NARRATIVE}, format="json"
        )
    assert answer.status_code == 409 and "已锁定" in str(answer.json())
    assert PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_the_list_is_scoped_and_filtered(api_client, luoxi, xuejia, office):
    mine = submitted(luoxi)
    theirs = draft(xuejia)
    assert [r["id"] for r in _as(api_client, luoxi).get(BASE).json()["results"]] == [mine.pk]
    everyone = _as(api_client, office).get(BASE, {"period": "2026-11"}).json()["results"]
    assert {r["id"] for r in everyone} == {mine.pk, theirs.pk}
    one = _as(api_client, office).get(BASE, {"unit": "gov-xuejia"}).json()["results"]
    assert [r["id"] for r in one] == [theirs.pk]
    assert _as(api_client, office).get(BASE, {"period": "nonsense"}).status_code == 400
    assert _as(api_client, office).get(BASE, {"period": ""}).status_code == 400
    assert _as(api_client, office).get(f"{BASE}{mine.pk}/").json()["status"] == "submitted"


def test_the_office_cannot_draft_for_a_unit(api_client, office):
    with travel("2026-12-02"):
        answer = _as(api_client, office).post(BASE, {"period": "2026-11"}, format="json")
    assert answer.status_code in (400, 403)
    assert not PeriodicReport.objects.exists()


def test_anonymous_is_refused(api_client):
    assert api_client.get(BASE).status_code == 401
    assert api_client.post(BASE, {"period": "2026-11"}, format="json").status_code == 401
