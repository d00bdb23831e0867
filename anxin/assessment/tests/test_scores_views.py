"""The scoring screens per persona (office, leader, auditor, a department, the town itself, another
town): the scoreboard (units × indicators, chart, Excel 台账, query count independent of the number of
units), a score page with every point explained (404 for another unit's), my-score, the home panel,
the scheme pages and editor, the hand-score form, 重新计算."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anxin.assessment.models import HandScore, Scheme, SchemeStatus, Score
from anxin.assessment.services import scoring
from anxin.assessment.tests import factories_scores as f
from anxin.org.models import Unit

pytestmark = pytest.mark.django_db

BOARD = "/assessment/scores/?year=2026&group=town"


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


def _score(code: str) -> Score:
    return Score.objects.get(unit__code=code, year=2026)


def _towns() -> int:
    return Unit.objects.filter(kind="town_government", is_member=True).count()


# --- the scoreboard -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["office", "leader", "auditor"])
def test_the_office_leaders_and_auditors_see_every_town_on_the_scoreboard(request, login, scored, persona):
    body = login(request.getfixturevalue(persona)).get(BOARD).content.decode()
    assert body.count('data-testid="board-gov-') == _towns()
    assert "线索按时核查" in body and "data-chart=" in body and "echarts.min.js" in body
    assert "<script>" not in body.split("data-chart", 1)[1].split("</main>")[0]  # no inline script (CSP)
    luoxi_row = body.split('data-testid="board-gov-luoxi"')[1].split("</tr>")[0]
    assert "38.00" in luoxi_row and "不合格" in luoxi_row and "预评" in luoxi_row


@pytest.mark.parametrize("persona", ["luoxi", "chengjian"])
def test_a_unit_is_sent_from_the_scoreboard_to_its_own_score(request, login, scored, persona):
    answer = login(request.getfixturevalue(persona)).get(BOARD)
    assert answer.status_code == 302 and answer.url == "/assessment/my-score/"


def test_the_scoreboard_ranks_by_total_and_filters(login, office, scored):
    body = login(office).get(BOARD + "&q=罗溪").content.decode()
    assert body.count('data-testid="board-gov-') == 1
    full = login(office).get(BOARD).content.decode()
    assert full.index("board-gov-xuejia") < full.index("board-gov-luoxi")


def test_the_scoreboard_ranks_as_the_ranking_page_vetoed_last_and_stored_ranks_after_lock(
    login, office, luoxi, scored
):
    from decimal import Decimal

    from anxin.assessment import scoring_selectors
    from anxin.assessment.models import ScoreStatus
    from anxin.assessment.services.final import ranked

    Score.objects.filter(unit__code="gov-luoxi").update(total=Decimal("99"), vetoed=True)
    board = scoring_selectors.scoreboard(user=office, year=2026, group="town")
    expected = ranked(list(Score.objects.filter(year=2026).select_related("unit")))
    assert [(r.score.pk, r.rank) for r in board.rows] == [(s.pk, n) for s, n in expected]
    assert board.rows[-1].score.unit.code == "gov-luoxi" and board.rows[-1].rank == len(board.rows)
    # a town sees its own row with its rank among all towns
    (own,) = scoring_selectors.scoreboard(user=luoxi, year=2026, group="town").rows
    assert own.rank == len(board.rows)
    # locked: the stored ranks, in rank order (whatever the totals say now)
    for n, score in enumerate(Score.objects.filter(year=2026).order_by("unit__order", "pk"), start=1):
        Score.objects.filter(pk=score.pk).update(status=ScoreStatus.LOCKED, rank=n)
    locked = scoring_selectors.scoreboard(user=office, year=2026, group="town")
    assert [r.rank for r in locked.rows] == list(range(1, len(locked.rows) + 1))
    assert [r.score.rank for r in locked.rows] == [r.rank for r in locked.rows]


def test_the_scoreboard_queries_do_not_grow_with_the_units(login, office, scored):
    client = login(office)
    client.get(BOARD)
    with CaptureQueriesContext(connection) as every:
        assert client.get(BOARD).status_code == 200
    Score.objects.exclude(unit__code__in=["gov-luoxi", "gov-xuejia"]).delete()
    with CaptureQueriesContext(connection) as two:
        assert client.get(BOARD).status_code == 200
    assert len(every) == len(two) and len(every) <= 25


def test_the_scoreboard_exports_a_ledger_that_opens(login, office, scored):
    answer = login(office).get(BOARD + "&export=xlsx")
    sheet: Any = openpyxl.load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == _towns()
    header = [c.value for c in sheet[4]]
    assert header[:3] == ["排名", "单位", "线索按时核查（60分）"] and "总分" in header
    luoxi = next(r for r in rows if r[1] == "罗溪镇人民政府")
    assert luoxi[header.index("总分")] == 38 and luoxi[header.index("等次")] == "不合格"


def test_an_auditor_cannot_export_and_the_leader_can(login, auditor, leader, scored):
    assert login(auditor).get(BOARD + "&export=xlsx").status_code == 302
    assert login(leader).get(BOARD + "&export=xlsx")["Content-Type"].startswith("application/vnd.openxml")


def test_the_office_recomputes_and_others_may_not(login, office, leader, scored):
    Score.objects.all().delete()
    assert (
        login(leader).post("/assessment/scores/recompute/", {"year": 2026, "group": "town"}).status_code
        == 403
    )
    assert not Score.objects.exists()
    body = login(office).get(BOARD).content.decode()
    assert 'data-testid="board-recompute"' in body and "data-confirm=" in body
    answer = login(office).post("/assessment/scores/recompute/", {"year": 2026, "group": "town"})
    assert answer.status_code == 302 and Score.objects.count() == _towns()


# --- a score ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["office", "leader", "auditor", "luoxi"])
def test_a_score_page_explains_every_point(request, login, scored, persona):
    body = (
        login(request.getfixturevalue(persona))
        .get(f"/assessment/scores/{_score('gov-luoxi').pk}/")
        .content.decode()
    )
    line = body.split('data-testid="line-verify"')[1].split('data-testid="line-publicity"')[0]
    assert "75.0%" in line and "3 / 4" in line and "30.00 / 60.00" in line
    assert "线索核查时限 = 5个工作日（§三(一)）" in line
    assert line.index('data-testid="record-missed"') < line.index('data-testid="record"')
    assert 'href="/signals/101/"' in line and "逾期 1 个工作日" in line
    assert "各项合计 2.00 分，扣分上限 10.00 分，实扣 2.00 分" in body
    assert 'data-testid="score-total">38.00' in body and 'data-testid="score-grade">不合格' in body


@pytest.mark.parametrize("persona", ["xuejia", "chengjian"])
def test_another_units_score_is_not_found(request, login, scored, persona):
    answer = login(request.getfixturevalue(persona)).get(f"/assessment/scores/{_score('gov-luoxi').pk}/")
    assert answer.status_code == 404


def test_the_score_page_has_a_bounded_number_of_queries(login, office, scored, django_assert_max_num_queries):
    client = login(office)
    with django_assert_max_num_queries(25):
        assert client.get(f"/assessment/scores/{_score('gov-luoxi').pk}/").status_code == 200


def test_the_office_offers_hand_scoring_on_the_page_and_units_do_not_get_it(login, office, luoxi, scored):
    url = f"/assessment/scores/{_score('gov-luoxi').pk}/"
    assert 'data-testid="hand-leadership"' in login(office).get(url).content.decode()
    assert 'data-testid="hand-leadership"' not in login(luoxi).get(url).content.decode()


def test_my_score_goes_to_the_units_own_score(login, luoxi, office, xuejia, scored):
    assert login(luoxi).get("/assessment/my-score/").url == f"/assessment/scores/{_score('gov-luoxi').pk}/"
    assert login(office).get("/assessment/my-score/").url == "/assessment/scores/"
    Score.objects.filter(unit__code="gov-xuejia").delete()
    assert 'data-testid="my-score-none"' in login(xuejia).get("/assessment/my-score/").content.decode()


def test_the_home_panel_shows_the_towns_total_and_the_lines_losing_most(login, luoxi, office, scored):
    body = login(luoxi).get("/").content.decode()
    panel = body.split('data-testid="home-assessment"')[1].split("</ul>")[0]
    assert "38.00" in panel and "线索按时核查：失 30.00 分" in panel and "领导重视：失 20.00 分" in panel
    assert 'data-testid="home-assessment"' not in login(office).get("/").content.decode()


# --- hand scores -----------------------------------------------------------------------------------


def test_the_office_scores_by_hand_on_the_form(login, office, scored):
    lead = scored.indicators.get(code="leadership")
    luoxi = Unit.objects.get(code="gov-luoxi")
    url = f"/assessment/hand-scores/{lead.pk}/{luoxi.pk}/"
    client = login(office)
    refused = client.post(url, {"points": "25", "note": "太多"})
    assert refused.status_code == 400 and "最多 20.00 分" in refused.content.decode()
    assert not HandScore.objects.exists()
    missing_note = client.post(url, {"points": "5", "note": ""})
    assert missing_note.status_code == 400 and not HandScore.objects.exists()
    with time_machine.travel(f.NOW):
        done = client.post(url, {"points": "18", "note": "主要负责人牵头"})
    assert done.status_code == 302 and _score("gov-luoxi").total == 56


def test_a_unit_cannot_open_the_hand_score_form(login, luoxi, scored):
    lead = scored.indicators.get(code="leadership")
    unit = Unit.objects.get(code="gov-luoxi")
    assert login(luoxi).get(f"/assessment/hand-scores/{lead.pk}/{unit.pk}/").status_code == 403


# --- schemes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["office", "leader", "auditor", "luoxi", "chengjian"])
def test_every_role_reads_the_schemes(request, login, scored, persona):
    client = login(request.getfixturevalue(persona))
    assert "2026年度考核方案" in client.get("/assessment/schemes/").content.decode()
    page = client.get(f"/assessment/schemes/{scored.pk}/").content.decode()
    assert (
        'data-testid="indicator-verify"' in page
        and "测试：线索按时核查" in page
        and "达到 100% 得满分" in page
    )
    assert ('data-testid="scheme-new-version"' in page) == (persona == "office")


def test_the_editor_saves_a_draft_and_says_what_is_wrong_in_chinese(login, office, scored):
    client = login(office)
    answer = client.post(f"/assessment/schemes/{scored.pk}/new-version/")
    draft = Scheme.objects.get(status=SchemeStatus.DRAFT)
    assert answer.url == f"/assessment/schemes/{draft.pk}/edit/"
    page = client.get(answer.url).content.decode()
    assert page.count('data-testid="indicator-row"') == len(f.ROWS) + 1
    form = {
        "title": "修订方案",
        "deduction_cap": "10",
        "bonus_cap": "5",
        "grade_bands": "优秀 90\n合格 60\n不合格 0",
        "note": "",
        "ind-TOTAL_FORMS": "2",
        "ind-INITIAL_FORMS": "0",
        "ind-MIN_NUM_FORMS": "0",
        "ind-MAX_NUM_FORMS": "80",
        "ind-0-code": "verify",
        "ind-0-name": "线索按时核查",
        "ind-0-kind": "computed",
        "ind-0-measure": "t_verify",
        "ind-0-points": "80",
        "ind-0-settings": '{"full_at": 0.9, "zero_at": 0.5}',
        "ind-1-code": "leadership",
        "ind-1-name": "领导重视",
        "ind-1-kind": "manual",
        "ind-1-points": "20",
        "ind-1-criteria": "",
    }
    bad = client.post(f"/assessment/schemes/{draft.pk}/edit/", form)
    assert bad.status_code == 400 and "人工评分的指标须写明评分标准" in bad.content.decode()
    assert draft.indicators.count() == len(f.ROWS)
    good = client.post(f"/assessment/schemes/{draft.pk}/edit/", {**form, "ind-1-criteria": "牵头部署"})
    assert good.status_code == 302
    assert list(draft.indicators.values_list("code", flat=True)) == ["verify", "leadership"]
    page = client.get(f"/assessment/schemes/{draft.pk}/").content.decode()
    assert 'data-testid="scheme-activate"' in page and "确认启用" in page
    with time_machine.travel(f.NOW):
        client.post(f"/assessment/schemes/{draft.pk}/activate/")
    draft.refresh_from_db()
    scored.refresh_from_db()
    assert draft.status == SchemeStatus.ACTIVE and scored.status == SchemeStatus.SUPERSEDED
    assert _score("gov-xuejia").total == 80


def test_a_unit_cannot_edit_or_activate(login, luoxi, scored):
    client = login(luoxi)
    assert client.get(f"/assessment/schemes/{scored.pk}/edit/").status_code == 403
    assert client.post(f"/assessment/schemes/{scored.pk}/new-version/").status_code == 403
    assert Scheme.objects.count() == 1
