"""``GET /api/v1/credit/grades/?year=``: scoped like the enterprise, one year's grades with the
evidence's summary; bad parameters are 400s naming them."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from anxin.credit.services import grades as grade_services
from anxin.credit.tests import factories_grades as f

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/api/v1/credit/grades/"


@pytest.fixture
def computed(world, renshe):
    with time_machine.travel(f.at(D(2026, 6, 15)), tick=False):
        case = f.case_for(world.luoxi_factory)
        for day in (D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)):
            f.action(case, "order", day)
        grade_services.grades_compute(actor=renshe, year=2026)
    return world


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_the_year_s_grades_with_their_evidence(api_client, computed, office):
    answer = as_user(api_client, office).get(URL, {"year": "2026"})
    assert answer.status_code == 200
    rows = {row["enterprise"]: row for row in answer.json()["results"]}
    row = rows[computed.luoxi_factory.uscc]
    assert row["grade"] == "C" and row["computed"] == "C" and row["year"] == 2026
    assert row["enterprise_name"] == "罗溪纺织有限公司" and row["confirmed"] is False
    assert row["rules"] == ["C_VIOLATIONS"] and "被查处 3 次" in row["evidence_summary"]
    assert rows[computed.xuejia_factory.uscc]["grade"] == "A"
    assert rows[computed.xuejia_factory.uscc]["evidence_summary"] == "未因劳动保障违法行为被查处"


def test_scoped_like_the_enterprise(api_client, computed, xuejia):
    names = {row["enterprise_name"] for row in as_user(api_client, xuejia).get(URL).json()["results"]}
    assert names and all(name.startswith("薛家") for name in names)


def test_filters_grade_and_enterprise(api_client, computed, office):
    client = as_user(api_client, office)
    assert [r["grade"] for r in client.get(URL, {"grade": "C"}).json()["results"]] == ["C"]
    only = client.get(URL, {"enterprise": computed.xuejia_factory.uscc}).json()["results"]
    assert [r["enterprise"] for r in only] == [computed.xuejia_factory.uscc]


@pytest.mark.parametrize(("params", "field"), [({"year": "26"}, "year"), ({"grade": "D"}, "grade")])
def test_bad_parameters_are_400s_naming_them(api_client, computed, office, params, field):
    answer = as_user(api_client, office).get(URL, params)
    assert answer.status_code == 400 and field in answer.json()


def test_without_a_login_401(api_client, computed):
    assert api_client.get(URL).status_code == 401


def test_a_year_never_computed_is_empty(api_client, computed, office):
    assert as_user(api_client, office).get(URL, {"year": "2020"}).json()["results"] == []
