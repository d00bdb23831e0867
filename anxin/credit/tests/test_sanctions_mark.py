"""The 失信 mark (issue 17 §2): the enterprise page and every enterprise list show it while the
enterprise is listed, to every persona that sees the enterprise, and not from the day after the
term; the exports carry a 失信 column and the API ``blacklisted``."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from anxin.cases.tests.factories import open_case
from anxin.core.credit_mark import standings
from anxin.core.tests.helpers import at, sheet_rows
from anxin.credit.tests.factories_sanctions import listing_in_force
from anxin.intake.tests.factories import self_report, signal
from anxin.monitoring import scan
from anxin.monitoring.tests.factories import observe

pytestmark = pytest.mark.django_db

MARK = 'data-testid="credit-mark"'
LAST_DAY = datetime.date(2026, 12, 20)


@pytest.fixture
def listed(world: Any) -> Any:
    """罗溪纺织 (罗溪, industrial) at red risk with an alert, a watch proposal, a case and a signal,
    listed until 2026-12-20 (its term's last day)."""
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=datetime.date(2026, 11, 25))
    open_case(world.luoxi_factory)
    signal(enterprise=world.luoxi_factory)
    self_report(world.luoxi_factory, since=datetime.date(2026, 11, 1), on=datetime.date(2026, 11, 4))
    listing_in_force(world.luoxi_factory, term_start=datetime.date(2023, 12, 21), term_end=LAST_DAY)
    return world


LISTS = [
    "/enterprises/",
    "/risk/",
    "/alerts/",
    "/watch/",
    "/cases/",
    "/signals/",
    "/observations/",
    "/self-reports/",
]


def _marked_on(client: Any, url: str, name: str) -> bool:
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.content.decode()
    assert name in text, url
    row = text[text.index(name) :][:400]
    return MARK in row


@pytest.mark.parametrize("persona", ["office", "luoxi", "leader"])
def test_every_list_marks_the_listed_enterprise_on_its_terms_last_day(listed, login, request, persona):
    user = request.getfixturevalue(persona)
    with time_machine.travel(at("2026-12-20T18:00"), tick=False):
        client = login(user)
        for url in LISTS:
            assert _marked_on(client, url, "罗溪纺织有限公司"), url
        page = client.get(f"/enterprises/{listed.luoxi_factory.uscc}/").content.decode()
        heading = page[page.index('<h2 class="page-title">') :].split("</h2>")[0]
        assert MARK in heading and "罗溪纺织有限公司" in heading


@pytest.mark.parametrize("persona", ["office", "luoxi"])
def test_the_mark_is_gone_the_day_after_the_term(listed, login, request, persona):
    user = request.getfixturevalue(persona)
    with time_machine.travel(at("2026-12-21T08:00"), tick=False):
        client = login(user)
        for url in LISTS:
            assert not _marked_on(client, url, "罗溪纺织有限公司"), url
        assert MARK not in client.get(f"/enterprises/{listed.luoxi_factory.uscc}/").content.decode()


def test_an_unlisted_enterprise_carries_no_mark(listed, login, office):
    with time_machine.travel(at("2026-12-20T18:00"), tick=False):
        assert not _marked_on(login(office), "/enterprises/", "薛家机械有限公司")


def test_a_persona_that_does_not_see_the_enterprise_does_not_learn_of_it(listed, login, xuejia, chengjian):
    with time_machine.travel(at("2026-12-20T18:00"), tick=False):
        for user in (xuejia, chengjian):  # another town; a line that is not the factory's
            client = login(user)
            assert "罗溪纺织有限公司" not in client.get("/enterprises/").content.decode()
            assert client.get(f"/enterprises/{listed.luoxi_factory.uscc}/").status_code == 404


def test_the_sites_dashboard_marks_a_listed_general_contractor(world, login, office, chengjian):
    world.luoxi_project.start_date = datetime.date(2026, 6, 1)
    world.luoxi_project.save(update_fields=["start_date"])
    listing_in_force(world.luoxi_builder)
    for user in (office, chengjian):
        assert _marked_on(login(user), "/sites/", "罗溪建设工程有限公司")


def test_the_exports_say_shixin_yes_or_no(listed, login, office):
    with time_machine.travel(at("2026-12-20T18:00"), tick=False):
        client = login(office)
        for url, name_col in (("/enterprises/", 1), ("/cases/", 2), ("/alerts/", 2), ("/signals/", 5)):
            rows = sheet_rows(client.get(url, {"export": "xlsx"}))
            header = rows[3]
            assert header[-1] == "失信", url
            by_name = {r[name_col]: r[-1] for r in rows[4:]}
            assert by_name["罗溪纺织有限公司"] == "是", url
            assert all(v == "否" for k, v in by_name.items() if k != "罗溪纺织有限公司"), url


def test_the_api_says_blacklisted_while_listed(listed, api_client, office):
    api_client.force_authenticate(office)
    uscc = listed.luoxi_factory.uscc
    with time_machine.travel(at("2026-12-20T18:00"), tick=False):
        rows = api_client.get("/api/v1/enterprises/").json()["results"]
        assert {r["uscc"]: r["blacklisted"] for r in rows}[uscc] is True
        assert api_client.get(f"/api/v1/enterprises/{uscc}/").json()["blacklisted"] is True
        assert (
            api_client.get(f"/api/v1/enterprises/{listed.xuejia_factory.uscc}/").json()["blacklisted"]
            is False
        )
    with time_machine.travel(at("2026-12-21T08:00"), tick=False):
        assert api_client.get(f"/api/v1/enterprises/{uscc}/").json()["blacklisted"] is False


@pytest.mark.parametrize("extra", [2, 25])
def test_the_api_list_reads_the_mark_once_per_page(
    world, api_client, office, extra, django_assert_max_num_queries
):
    from anxin.registry.tests.factories import enterprise

    for index in range(extra):
        listing_in_force(enterprise(name=f"批量失信{index:03d}有限公司"))
    api_client.force_authenticate(office)
    with django_assert_max_num_queries(12):
        assert api_client.get("/api/v1/enterprises/").status_code == 200


def test_the_schema_types_blacklisted_as_a_boolean(district):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    field = schema["components"]["schemas"]["Enterprise"]["properties"]["blacklisted"]
    assert field["type"] == "boolean" and field["readOnly"] is True


def test_standings_read_nothing_for_no_ids(django_assert_num_queries, district):
    with django_assert_num_queries(0):
        assert standings([]) == {}
        assert standings([None]) == {}


def test_standings_read_once_for_a_page(listed, django_assert_num_queries):
    ids = [listed.luoxi_factory.pk, listed.xuejia_factory.pk, listed.luoxi_builder.pk]
    with django_assert_num_queries(1):
        found = standings(ids, on=LAST_DAY)
    assert set(found) == {listed.luoxi_factory.pk}
    assert found[listed.luoxi_factory.pk].listed_until == LAST_DAY
    assert standings(ids, on=LAST_DAY + datetime.timedelta(days=1)) == {}
