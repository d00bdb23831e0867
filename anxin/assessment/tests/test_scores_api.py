"""The scoring API: ``GET /api/v1/assessment/schemes/`` (with indicators) and ``GET
/api/v1/assessment/scores/?year=&unit=`` (each line's indicator, value, points and records), scoped
as the pages."""

from __future__ import annotations

import pytest
import time_machine

from anxin.assessment.services import scoring
from anxin.assessment.tests import factories_scores as f
from anxin.org.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _measures():
    f.register()
    yield
    f.unregister()


@pytest.fixture
def scored(office):
    scheme = f.town_scheme(office)
    with time_machine.travel(f.NOW):
        scoring.score_year(year=2026)
    return scheme


def test_the_schemes_come_with_their_indicators(api_client, luoxi, scored):
    api_client.force_authenticate(luoxi)
    body = api_client.get("/api/v1/assessment/schemes/?year=2026").json()
    scheme = body["results"][0]
    assert scheme["group"] == "town" and scheme["status"] == "active"
    assert [i["code"] for i in scheme["indicators"]] == [r["code"] for r in f.ROWS]
    assert scheme["indicators"][0]["settings"] == {"full_at": 1, "zero_at": 0.5}
    assert scheme["grade_bands"][0] == {"grade": "优秀", "min": 90}


def test_the_office_reads_every_units_score_with_its_lines_and_records(api_client, office, scored):
    api_client.force_authenticate(office)
    body = api_client.get("/api/v1/assessment/scores/?year=2026&unit=gov-luoxi").json()
    assert body["count"] == 1
    score = body["results"][0]
    assert score["unit"] == "gov-luoxi" and score["total"] == "38.00" and score["grade"] == "不合格"
    verify = next(i for i in score["items"] if i["code"] == "verify")
    assert verify["kind"] == "computed" and verify["value"] == "0.7500" and verify["points"] == "30.00"
    assert [r["id"] for r in verify["records"]] == [101, 102] and verify["records"][0]["met"] is False
    assert (
        api_client.get("/api/v1/assessment/scores/?year=2026").json()["count"]
        == Unit.objects.filter(kind="town_government", is_member=True).count()
    )


def test_a_town_reads_its_own_score_only(api_client, luoxi, scored):
    api_client.force_authenticate(luoxi)
    assert [s["unit"] for s in api_client.get("/api/v1/assessment/scores/").json()["results"]] == [
        "gov-luoxi"
    ]
    assert api_client.get("/api/v1/assessment/scores/?unit=gov-xuejia").json()["count"] == 0


def test_a_bad_year_is_refused(api_client, office, scored):
    api_client.force_authenticate(office)
    assert api_client.get("/api/v1/assessment/scores/?year=abc").status_code == 400
    assert api_client.get("/api/v1/assessment/schemes/?group=village").status_code == 400


def test_no_login_no_scores(api_client, scored):
    assert api_client.get("/api/v1/assessment/scores/").status_code in (401, 403)
