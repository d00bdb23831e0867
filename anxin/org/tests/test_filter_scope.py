"""Issue #14 item 12: a filter offers only what is inside the user's scope — a town user its own
town (it was offered all ten), a department its line; the office everything."""

from __future__ import annotations

from typing import Any

import pytest

from anxin.org.models import Town, Unit

pytestmark = pytest.mark.django_db

LEDGERS = [
    "/signals/",
    "/alerts/",
    "/risk/",
    "/reports/",
    "/watch/",
    "/observations/",
    "/cases/",
    "/enterprises/",
    "/projects/",
]


def _towns_offered(response: Any) -> list[str]:
    return [code for code, _label in response.context["form"].fields["town"].choices if code]


@pytest.mark.parametrize("path", LEDGERS)
@pytest.mark.parametrize(
    ("persona", "towns"),
    [("office", "all"), ("chengjian", "all"), ("luoxi", ["luoxi"]), ("xuejia", ["xuejia"])],
)
def test_the_town_filter_offers_only_the_towns_in_scope(district, login, request, path, persona, towns):
    response = login(request.getfixturevalue(persona)).get(path)
    if response.status_code == 403:  # a ledger this persona does not open
        return
    assert response.status_code == 200
    expected = (
        list(Town.objects.order_by("order").values_list("code", flat=True)) if towns == "all" else towns
    )
    assert _towns_offered(response) == expected
    html = response.content.decode()
    others = Town.objects.exclude(code__in=expected).values_list("name", flat=True)
    if towns != "all":
        select = html[html.index('name="town"') : html.index("</select>", html.index('name="town"'))]
        assert not [name for name in others if name in select]


def test_a_town_filter_value_outside_the_scope_is_ignored_not_obeyed(district, login, luoxi):
    response = login(luoxi).get("/signals/", {"town": "xuejia"})
    assert response.status_code == 200
    assert "town" in response.context["form"].errors


@pytest.mark.parametrize(
    ("persona", "own_town_gov", "other_town_gov"),
    [("office", True, True), ("chengjian", True, True), ("luoxi", True, False), ("xuejia", False, True)],
)
def test_the_case_lead_filter_offers_only_the_town_governments_in_scope(
    district, login, request, persona, own_town_gov, other_town_gov
):
    response = login(request.getfixturevalue(persona)).get("/cases/")
    leads = {code for code, _label in response.context["form"].fields["lead"].choices if code}
    assert ("gov-luoxi" in leads) is own_town_gov
    assert ("gov-xuejia" in leads) is other_town_gov
    # Every department stays: any of them may lead a case in the town.
    assert {"hrss", "construction"} <= leads
    assert set(Unit.objects.filter(kind="office").values_list("code", flat=True)) <= leads


def test_a_department_filters_enterprises_by_its_line_kinds_and_projects_by_all_supervisors(
    district, login, chengjian, shuili
):
    kinds = {c for c, _ in login(chengjian).get("/enterprises/").context["form"].fields["kind"].choices if c}
    assert kinds == {"construction", "real_estate"}
    # 城建局 sees every project (line_all_projects): every supervising department is offered.
    supervisors = login(chengjian).get("/projects/").context["form"].fields["supervisor"].choices
    assert len([c for c, _ in supervisors if c]) > 1
    # 水利局 sees the water projects only.
    water = login(shuili).get("/projects/").context["form"].fields["supervisor"].choices
    assert [c for c, _ in water if c] == ["water"]


def test_the_office_is_offered_every_kind(district, login, office):
    kinds = login(office).get("/enterprises/").context["form"].fields["kind"].choices
    assert len([c for c, _ in kinds if c]) > 2
