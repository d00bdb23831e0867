"""Issue #14 item 12: 我的待办 holds only what the user's own unit must act on. The office saw every
unit's legal actions there; now it sees the office's own, and the district's overview of every unit
is a separate view (全区概览) for those who see the whole district."""

from __future__ import annotations

import pytest

from anxin.cases import actions
from anxin.cases.tests.factories import open_case
from anxin.org.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(world, luoxi, office):
    """A case in 罗溪 led by 罗溪镇 with a mediation (司法局) and a court action (法院), and a case
    led by the office itself."""
    town_case = open_case(world.luoxi_factory, actor=office)
    mediation = actions.action_request(actor=luoxi, case=town_case, kind="mediation")
    court = actions.action_request(actor=luoxi, case=town_case, kind="court")
    office_case = open_case(world.xuejia_factory, actor=office, lead_unit=Unit.objects.get(code="office"))
    return town_case, office_case, mediation, court


def _listed(response):
    return {a.pk for a in response.context["actions"]}, {c.pk for c in response.context["cases"]}


@pytest.mark.parametrize(
    ("persona", "sees_actions", "sees_cases"),
    [
        ("office", set(), {"office_case"}),
        ("leader", set(), set()),
        ("sifa", {"mediation"}, set()),
        ("fayuan", {"court"}, set()),
        ("luoxi", set(), {"town_case"}),
        ("xuejia", set(), {"office_case"}),  # in its town
        ("chengjian", set(), set()),
    ],
)
def test_my_todo_lists_only_what_my_unit_must_act_on(
    login, request, spread, persona, sees_actions, sees_cases
):
    town_case, office_case, mediation, court = spread
    named = {"town_case": town_case, "office_case": office_case, "mediation": mediation, "court": court}
    response = login(request.getfixturevalue(persona)).get("/cases/todo/")
    assert response.status_code == 200
    listed_actions, listed_cases = _listed(response)
    assert listed_actions == {named[n].pk for n in sees_actions}
    assert listed_cases == {named[n].pk for n in sees_cases}
    assert response.context["overview"] is False


@pytest.mark.parametrize("persona", ["office", "leader"])
def test_the_district_overview_is_a_separate_view(login, request, spread, persona):
    town_case, office_case, mediation, court = spread
    client = login(request.getfixturevalue(persona))
    mine = client.get("/cases/todo/").content.decode()
    assert 'href="/cases/todo/?view=all"' in mine
    # The office handles legal actions itself; the leaders' unit handles none, so its own list is not shown.
    assert ("本单位待办理的法律措施" in mine) is (persona == "office")
    response = client.get("/cases/todo/", {"view": "all"})
    listed_actions, listed_cases = _listed(response)
    assert listed_actions == {mediation.pk, court.pk}
    assert listed_cases == {town_case.pk, office_case.pk}
    html = response.content.decode()
    assert "全区待办理的法律措施" in html and "全区办理中的案件" in html


@pytest.mark.parametrize("persona", ["luoxi", "sifa", "chengjian"])
def test_a_unit_cannot_open_the_district_overview(login, request, spread, persona):
    _town_case, _office_case, mediation, _court = spread
    response = login(request.getfixturevalue(persona)).get("/cases/todo/", {"view": "all"})
    assert response.context["overview"] is False
    assert 'data-testid="todo-overview"' not in response.content.decode()
    if persona == "sifa":
        assert _listed(response)[0] == {mediation.pk}


def test_the_offices_home_card_counts_its_own_actions(login, office, spread):
    home = login(office).get("/").content.decode()
    assert 'data-testid="case-todo-count">0 项法律措施待办理' in home
    # The cases card stays the district's, labelled so, and opens the overview.
    assert "全区办理中的案件 2 件" in home and 'href="/cases/todo/?view=all"' in home


def test_the_todo_query_count_is_bounded(login, office, spread, django_assert_max_num_queries):
    client = login(office)
    with django_assert_max_num_queries(20):
        assert client.get("/cases/todo/", {"view": "all"}).status_code == 200
