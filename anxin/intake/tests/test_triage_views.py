"""Issue #14 item 12, the office's triage: a code that is not found stays in the box to be
corrected; an unmatched signal is linked by searching the enterprises by name; a suspected
duplicate shows both signals side by side."""

from __future__ import annotations

import pytest

from anxin.intake.models import Signal
from anxin.intake.tests.factories import signal
from anxin.intake.views import TRIAGE_FIND_LIMIT
from anxin.registry.tests.factories import enterprise

pytestmark = pytest.mark.django_db

TYPO = "91320411MA1XXXXXX0"


def test_a_code_not_found_stays_in_the_box(world, login, office):
    s = signal(employer_name="罗溪某建设队", employer_uscc="", town=world.luoxi_builder.town)
    row = login(office).post(
        f"/signals/{s.pk}/triage/match/", {"uscc": TYPO, "queue": "unmatched"}, HTTP_HX_REQUEST="true"
    )
    html = row.content.decode()
    assert "未找到" in html
    assert f'value="{TYPO}"' in html


def test_a_matched_row_does_not_echo_the_code(world, login, office):
    s = signal(employer_name="罗溪某建设队", town=world.luoxi_builder.town)
    row = login(office).post(
        f"/signals/{s.pk}/triage/match/",
        {"uscc": world.luoxi_builder.uscc, "queue": "unmatched"},
        HTTP_HX_REQUEST="true",
    )
    assert "已处理" in row.content.decode()
    assert Signal.objects.get(pk=s.pk).enterprise_id == world.luoxi_builder.pk


def test_the_unmatched_row_offers_a_name_search_prefilled_with_the_named_employer(world, login, office):
    s = signal(employer_name="罗溪建设", town=world.luoxi_builder.town)
    html = login(office).get("/signals/triage/").content.decode()
    assert f'hx-get="/signals/{s.pk}/triage/find/"' in html
    assert 'name="name"' in html and 'value="罗溪建设"' in html


def test_name_search_finds_by_part_of_the_name_and_links_with_one_click(world, login, office):
    s = signal(employer_name="罗溪某建设队", town=world.luoxi_builder.town)
    client = login(office)
    found = client.get(f"/signals/{s.pk}/triage/find/", {"name": "建设工程"}, HTTP_HX_REQUEST="true")
    html = found.content.decode()
    assert world.luoxi_builder.name in html and world.luoxi_factory.name not in html
    assert f'name="uscc" value="{world.luoxi_builder.uscc}"' in html
    assert f'hx-post="/signals/{s.pk}/triage/match/"' in html
    # The button posts the enterprise's code: the signal is linked.
    client.post(f"/signals/{s.pk}/triage/match/", {"uscc": world.luoxi_builder.uscc, "queue": "unmatched"})
    assert Signal.objects.get(pk=s.pk).enterprise_id == world.luoxi_builder.pk


def test_name_search_says_when_nothing_matches(world, login, office):
    s = signal(employer_name="某某公司", town=world.luoxi_builder.town)
    html = login(office).get(
        f"/signals/{s.pk}/triage/find/", {"name": "不存在的名字"}, HTTP_HX_REQUEST="true"
    )
    assert "没有名称含“不存在的名字”的企业" in html.content.decode()


def test_name_search_lists_a_limited_number(world, login, office, django_assert_max_num_queries):
    for i in range(TRIAGE_FIND_LIMIT + 3):
        enterprise(town="luoxi", name=f"罗溪测试{i:02d}号有限公司")
    s = signal(employer_name="罗溪测试", town=world.luoxi_builder.town)
    client = login(office)
    with django_assert_max_num_queries(12):
        response = client.get(f"/signals/{s.pk}/triage/find/", {"name": "罗溪测试"}, HTTP_HX_REQUEST="true")
    assert len(response.context["found"]) == TRIAGE_FIND_LIMIT
    assert "只列出前" in response.content.decode()


def test_name_search_without_htmx_is_a_page(world, login, office):
    s = signal(employer_name="罗溪某建设队", town=world.luoxi_builder.town)
    page = login(office).get(f"/signals/{s.pk}/triage/find/", {"name": "罗溪"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<html" in html and world.luoxi_builder.name in html


@pytest.mark.parametrize("persona", ["chengjian", "luoxi", "xuejia"])
def test_only_the_office_searches_from_triage(world, login, request, persona):
    s = signal(employer_name="罗溪某建设队", town=world.luoxi_builder.town)
    response = login(request.getfixturevalue(persona)).get(f"/signals/{s.pk}/triage/find/", {"name": "罗溪"})
    assert response.status_code == 403


def test_the_public_is_sent_to_login(world, client):
    s = signal(employer_name="罗溪某建设队", town=world.luoxi_builder.town)
    response = client.get(f"/signals/{s.pk}/triage/find/", {"name": "罗溪"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_matching_finds_only_enterprises_in_the_users_scope(world, luoxi):
    from anxin.intake.forms import MatchForm

    assert MatchForm({"uscc": world.luoxi_factory.uscc}, user=luoxi).is_valid()
    form = MatchForm({"uscc": world.xuejia_factory.uscc}, user=luoxi)
    assert not form.is_valid() and "未找到" in form.errors["uscc"][0]


# --- a suspected duplicate: both sides ------------------------------------------------------------


def _pair(world, firm=None):
    firm = firm or world.xuejia_factory
    first = signal(enterprise=firm, summary="12333：工人反映欠薪", workers=12, period="2026年9—10月")
    twin = signal(enterprise=firm, channel_code="petition", summary="信访：同一批工人", workers=14)
    twin.refresh_from_db()
    assert twin.duplicate_of_id == first.pk
    return first, twin


def test_a_suspected_duplicate_shows_both_signals_side_by_side(world, login, office):
    first, twin = _pair(world)
    response = login(office).get("/signals/triage/", {"queue": "duplicates"})
    html = response.content.decode()
    assert 'data-testid="duplicate-pair"' in html
    # The key facts of each side: channel, summary, workers, period.
    for text in (
        "12333：工人反映欠薪",
        "信访：同一批工人",
        "2026年9—10月",
        first.channel.name,
        twin.channel.name,
    ):
        assert text in html
    assert "<td>12</td>" in html and "<td>14</td>" in html


def test_the_pair_after_a_refused_merge_still_shows_both(world, login, office):
    first, twin = _pair(world)
    Signal.objects.filter(pk=first.pk).update(enterprise=world.luoxi_factory)  # no longer the same firm
    row = login(office).post(
        f"/signals/{twin.pk}/triage/merge/", {"queue": "duplicates"}, HTTP_HX_REQUEST="true"
    )
    html = row.content.decode()
    assert 'role="alert"' in html and 'data-testid="duplicate-pair"' in html and "12333：工人反映欠薪" in html


@pytest.mark.parametrize(("persona", "sees"), [("office", True), ("luoxi", False), ("xuejia", True)])
def test_the_other_side_is_shown_only_in_scope(world, request, persona, sees):
    from anxin.intake.selectors import visible_originals

    _first, twin = _pair(world)
    user = request.getfixturevalue(persona)
    assert (twin.duplicate_of_id in visible_originals(user=user, signals=[twin])) is sees


def test_the_duplicates_queue_query_count_is_bounded(world, login, office, django_assert_max_num_queries):
    for i in range(6):
        _pair(world, enterprise(town="xuejia", name=f"薛家测试{i}号有限公司"))
    client = login(office)
    with django_assert_max_num_queries(16):
        assert client.get("/signals/triage/", {"queue": "duplicates"}).status_code == 200
