"""The scoring API: ``GET /api/v1/assessment/schemes/`` (with indicators) and ``GET
/api/v1/assessment/scores/?year=&unit=`` (each line's indicator, value, points and records), scoped
as the pages."""

from __future__ import annotations

import pytest
import time_machine

from anxin.assessment.models import Score
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


def test_money_lines_are_shown_in_yuan_on_the_page_and_in_the_api(api_client, login, office):
    """Sums above ¥21,474,836.47 (2^31 fen) are stored (BigInteger) and shown as yuan."""
    from decimal import Decimal

    from anxin.assessment import measures
    from anxin.assessment.models import IndicatorKind

    big_paid, big_owed = 3_000_000_000_12, 4_000_000_000_00

    def compute(unit, start, end, settings):
        return measures.Result(
            value=measures.share(big_paid, big_owed), numerator=big_paid, denominator=big_owed
        )

    measures.register(
        measures.Measure(
            "t_money", "测试：追回", measures.SHARE, "§四(六)", "已付 ÷ 确认", compute, money=True
        )
    )
    try:
        f.town_scheme(
            office,
            indicators=[
                {"code": "recovered", "kind": IndicatorKind.COMPUTED, "measure": "t_money", "points": 100}
            ],
        )
        with time_machine.travel(f.NOW):
            scoring.score_year(year=2026)
        score = Score.objects.get(unit__code="gov-luoxi")
        item = score.items.get()
        assert (item.numerator, item.denominator, item.value) == (big_paid, big_owed, Decimal("0.7500"))
        page = login(office).get(f"/assessment/scores/{score.pk}/").content.decode()
        assert "3,000,000,000.12 元 / 4,000,000,000.00 元" in page
        api_client.force_authenticate(office)
        body = api_client.get("/api/v1/assessment/scores/?year=2026&unit=gov-luoxi").json()
        (line,) = body["results"][0]["items"]
        assert line["money"] is True and line["numerator"] == big_paid
        assert (line["numerator_yuan"], line["denominator_yuan"]) == ("3000000000.12", "4000000000.00")
    finally:
        measures.MEASURES.pop("t_money", None)
