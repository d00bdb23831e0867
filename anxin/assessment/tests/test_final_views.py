"""The finalisation's screens, report and API, persona by persona (office, leader, auditor, a
department, the town itself, another town): the year page and its buttons with refusals, the
objection queue (scoped, Excel), the objection form and answer, the ranking and its Excel, the Word
report (征求意见稿 before locking, the recorded ranking after), ``POST …/scores/{id}/object``, the
home panels."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from anxin.assessment.models import AssessmentYear, Objection, ObjectionStatus, Score, ScoreItem, YearStatus
from anxin.assessment.services import final
from anxin.assessment.tests.factories_final import YEAR, at, hand, schemes

pytestmark = pytest.mark.django_db

OPEN_DAY = datetime.date(2027, 1, 4)


@pytest.fixture
def opened(office, luoxi):
    schemes(office)
    hand(office, "gov-luoxi", {"work": 75, "lead": 18, "late": 2, "extra": 1})  # 92
    hand(office, "gov-xuejia", {"work": 70, "lead": 10})  # 80
    hand(office, "construction", {"work": 70, "lead": 10})
    return final.finalise(year=YEAR, actor=office, now=at(OPEN_DAY))


@pytest.fixture
def on_open_day():
    with time_machine.travel(at(OPEN_DAY), tick=False):
        yield


def _item(unit_code: str, code: str) -> ScoreItem:
    return ScoreItem.objects.get(score__year=YEAR, score__unit__code=unit_code, indicator__code=code)


def _until() -> datetime.date:
    until = AssessmentYear.objects.get(year=YEAR).objection_until
    assert until is not None
    return until


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _rows(content: bytes) -> list[tuple]:
    sheet: Any = load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def _locked(office: Any) -> None:
    final.lock(year=YEAR, actor=office, now=at(_until() + datetime.timedelta(days=1)))


# --- the year page ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "buttons", "ranking"),
    [
        ("office", True, True),
        ("leader", False, True),
        ("auditor", False, True),
        ("chengjian", False, False),
        ("luoxi", False, False),
        ("xuejia", False, False),
    ],
)
def test_the_year_page_per_persona(login, opened, on_open_day, persona, buttons, ranking, request):
    response = login(request.getfixturevalue(persona)).get(reverse("assessment-year", args=[YEAR]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "终评公示（异议期）" in body and f"{_until():%Y-%m-%d}" in body
    assert ('data-testid="year-lock"' in body) is buttons
    assert ('data-testid="year-ranking"' in body) is ranking


def test_the_town_sees_its_own_score_and_a_link_to_object(login, opened, on_open_day, luoxi):
    body = login(luoxi).get(reverse("assessment-year", args=[YEAR])).content.decode()
    assert 'data-testid="year-own-score"' in body and "92.00 分" in body
    assert reverse("assessment-objection-new", args=[_item("gov-luoxi", "lead").pk]) in body


def test_the_finalise_button_shows_its_refusal_and_posting_it_is_refused(login, office):
    schemes(office)
    with time_machine.travel(at(datetime.date(2026, 12, 20)), tick=False):
        page = login(office).get(reverse("assessment-year", args=[YEAR])).content.decode()
        assert 'data-testid="finalise-refusals"' in page and "尚未结束" in page
        response = login(office).post(reverse("assessment-year-act", args=[YEAR, "finalise"]))
    assert response.status_code == 400 and "尚未结束" in response.content.decode()
    assert not AssessmentYear.objects.exists()


def test_the_office_finalises_and_locks_through_the_page(login, office, luoxi):
    schemes(office)
    with time_machine.travel(at(OPEN_DAY), tick=False):
        response = login(office).post(reverse("assessment-year-act", args=[YEAR, "finalise"]))
    assert response.status_code == 302
    assert AssessmentYear.objects.get(year=YEAR).status == YearStatus.OBJECTION
    with time_machine.travel(at(_until()), tick=False):
        response = login(office).post(reverse("assessment-year-act", args=[YEAR, "lock"]))
    assert response.status_code == 400 and "异议期届满后方可锁定" in response.content.decode()
    with time_machine.travel(at(_until() + datetime.timedelta(days=1)), tick=False):
        response = login(office).post(reverse("assessment-year-act", args=[YEAR, "lock"]))
    assert response.status_code == 302
    assert AssessmentYear.objects.get(year=YEAR).status == YearStatus.LOCKED


@pytest.mark.parametrize("persona", ["leader", "auditor", "chengjian", "luoxi"])
def test_only_the_office_posts_the_years_buttons(login, opened, on_open_day, persona, request):
    response = login(request.getfixturevalue(persona)).post(
        reverse("assessment-year-act", args=[YEAR, "lock"])
    )
    assert response.status_code == 403


# --- objections -------------------------------------------------------------------------------------


def test_the_town_objects_through_the_form_and_the_office_answers(
    login, opened, on_open_day, luoxi, office, django_capture_on_commit_callbacks
):
    item = _item("gov-luoxi", "lead")
    url = reverse("assessment-objection-new", args=[item.pk])
    page = login(luoxi).get(url).content.decode()
    assert 'data-testid="objection-form"' in page
    response = login(luoxi).post(url, {"reason": ""})
    assert response.status_code == 400 and not Objection.objects.exists()
    response = login(luoxi).post(url, {"reason": "会议记录漏计"})
    objection = Objection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "assessment-objection", args=[objection.pk]
    )
    assert "此项已有待答复的异议" in login(luoxi).get(url).content.decode()
    answer = reverse("assessment-objection-answer", args=[objection.pk])
    assert login(luoxi).post(answer, {"decision": "reject", "answer": "x"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = login(office).post(answer, {"decision": "uphold", "points_after": "20", "answer": "补计"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert Score.objects.get(year=YEAR, unit__code="gov-luoxi").total == Decimal("94.00")
    page = login(luoxi).get(reverse("assessment-objection", args=[objection.pk])).content.decode()
    assert "补计" in page and "调整为 20.00 分" in page


def test_an_answer_above_the_lines_full_marks_is_shown_on_the_form(login, opened, on_open_day, luoxi, office):
    objection = final.file_objection(item=_item("gov-luoxi", "lead"), reason="x", actor=luoxi)
    response = login(office).post(
        reverse("assessment-objection-answer", args=[objection.pk]),
        {"decision": "uphold", "points_after": "25", "answer": "x"},
    )
    assert response.status_code == 400 and "0 至 20.00 分" in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.PENDING


@pytest.mark.parametrize(
    ("persona", "status", "form"),
    [
        ("luoxi", 200, True),
        ("xuejia", 404, False),
        ("chengjian", 404, False),
        ("office", 200, False),
        ("leader", 200, False),
    ],
)
def test_the_objection_form_per_persona(login, opened, on_open_day, persona, status, form, request):
    response = login(request.getfixturevalue(persona)).get(
        reverse("assessment-objection-new", args=[_item("gov-luoxi", "lead").pk])
    )
    assert response.status_code == status
    if status == 200:
        assert ('data-testid="objection-form"' in response.content.decode()) is form


def test_the_queue_is_scoped_pending_first_and_exported(
    login, opened, on_open_day, luoxi, xuejia, office, auditor, django_assert_max_num_queries
):
    first = final.file_objection(item=_item("gov-luoxi", "work"), reason="早的", actor=luoxi)
    final.answer_objection(objection=first, uphold=False, answer="维持", actor=office)
    final.file_objection(item=_item("gov-luoxi", "lead"), reason="晚的", actor=luoxi)
    final.file_objection(item=_item("gov-xuejia", "lead"), reason="薛家的", actor=xuejia)
    client = login(office)
    with django_assert_max_num_queries(15):
        body = client.get(reverse("assessment-objections")).content.decode()
    assert body.index("待答复") < body.index("不予采纳")
    assert "薛家" in body
    own = login(luoxi).get(reverse("assessment-objections")).content.decode()
    assert "罗溪" in own and "薛家镇" not in own.split('data-testid="objection-table"')[1]
    response = login(office).get(reverse("assessment-objections"), {"export": "xlsx", "status": "pending"})
    assert response.status_code == 200
    values = [c for row in _rows(response.content) for c in row if c]
    assert "晚的" in values and "薛家的" in values and "早的" not in values
    assert login(auditor).get(reverse("assessment-objections"), {"export": "xlsx"}).status_code == 302


# --- ranking and report ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "page", "export"),
    [
        ("office", 200, 200),
        ("leader", 200, 200),
        ("auditor", 200, 302),
        ("chengjian", 403, 403),
        ("luoxi", 403, 403),
        ("xuejia", 403, 403),
    ],
)
def test_the_ranking_per_persona(login, opened, on_open_day, persona, page, export, request):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("assessment-ranking", args=[YEAR])).status_code == page
    assert client.get(reverse("assessment-ranking", args=[YEAR]), {"export": "xlsx"}).status_code == export


def test_the_ranking_excel_holds_the_locked_ranks(login, opened, office):
    _locked(office)
    response = login(office).get(reverse("assessment-ranking", args=[YEAR]), {"export": "xlsx"})
    rows = _rows(response.content)
    luoxi = next(r for r in rows if "罗溪镇" in str(r[2] or ""))
    assert luoxi[1] == 1 and luoxi[6] == 92 and luoxi[8] == "优秀"


def test_the_report_is_a_draft_before_locking_and_prints_the_ranking_after(login, opened, office, leader):
    with time_machine.travel(at(OPEN_DAY), tick=False):
        draft = _text(login(leader).get(reverse("assessment-report", args=[YEAR])).content)
    assert "征求意见稿" in draft
    objection = final.file_objection(
        item=_item("gov-luoxi", "lead"), reason="漏计", actor=_town_user(), now=at(OPEN_DAY)
    )
    final.answer_objection(
        objection=objection, uphold=False, answer="依据充分，维持原分", actor=office, now=at(OPEN_DAY)
    )
    _locked(office)
    text = _text(login(office).get(reverse("assessment-report", args=[YEAR])).content)
    assert "征求意见稿" not in text
    luoxi = Score.objects.get(year=YEAR, unit__code="gov-luoxi")
    assert luoxi.rank == 1 and "92.00" in text and "罗溪镇" in text
    assert "依据充分，维持原分" in text and "不予采纳" in text
    assert "2026年度考核方案" in text


@pytest.mark.parametrize(("persona", "status"), [("auditor", 403), ("luoxi", 403), ("chengjian", 403)])
def test_the_report_is_for_the_office_and_the_leaders(login, opened, persona, status, request):
    assert (
        login(request.getfixturevalue(persona)).get(reverse("assessment-report", args=[YEAR])).status_code
        == status
    )


def _town_user() -> Any:
    from anxin.org.models import User

    return User.objects.get(username="t_luoxi")


# --- API -------------------------------------------------------------------------------------------


def _object(api_client: Any, user: Any, score: Score, body: dict, slash: bool = False) -> Any:
    api_client.force_authenticate(user)
    url = f"/api/v1/assessment/scores/{score.pk}/object" + ("/" if slash else "")
    return api_client.post(url, body, format="json")


def test_the_api_takes_an_indicator_code_or_a_line_id(api_client, opened, on_open_day, luoxi):
    score = Score.objects.get(year=YEAR, unit__code="gov-luoxi")
    response = _object(api_client, luoxi, score, {"item": "lead", "reason": "漏计"})
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (
        data["indicator"] == "lead"
        and data["status"] == "pending"
        and data["objection_until"] == f"{_until()}"
    )
    response = _object(
        api_client, luoxi, score, {"item": _item("gov-luoxi", "work").pk, "reason": "x"}, slash=True
    )
    assert response.status_code == 201 and response.json()["indicator"] == "work"
    assert _object(api_client, luoxi, score, {"item": "lead", "reason": "再一次"}).status_code == 409
    assert _object(api_client, luoxi, score, {"item": "nope", "reason": "x"}).status_code == 404
    assert _object(api_client, luoxi, score, {"item": "extra", "reason": ""}).status_code == 400
    assert _object(api_client, luoxi, score, {"item": True, "reason": "x"}).status_code == 400
    assert Objection.objects.count() == 2


@pytest.mark.parametrize(
    ("persona", "status"), [("xuejia", 404), ("chengjian", 404), ("office", 403), ("leader", 403)]
)
def test_the_api_refuses_other_personas(api_client, opened, on_open_day, persona, status, request):
    score = Score.objects.get(year=YEAR, unit__code="gov-luoxi")
    response = _object(api_client, request.getfixturevalue(persona), score, {"item": "lead", "reason": "x"})
    assert response.status_code == status
    assert not Objection.objects.exists()


def test_the_api_refuses_after_the_period(api_client, opened, luoxi):
    score = Score.objects.get(year=YEAR, unit__code="gov-luoxi")
    with time_machine.travel(at(_until() + datetime.timedelta(days=1)), tick=False):
        response = _object(api_client, luoxi, score, {"item": "lead", "reason": "x"})
    assert response.status_code == 409 and "届满" in str(response.json())


# --- panels ----------------------------------------------------------------------------------------


def test_the_home_pages_show_pending_objections_and_the_units_final_score(
    login, opened, on_open_day, luoxi, office
):
    final.file_objection(item=_item("gov-luoxi", "lead"), reason="x", actor=luoxi)
    assert 'data-testid="home-objections-office"' in login(office).get(reverse("home")).content.decode()
    body = login(luoxi).get(reverse("home")).content.decode()
    assert 'data-testid="todo-final-score"' in body and "92.00 分" in body


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("persona", "status"), [("luoxi", 200), ("office", 200), ("leader", 200), ("xuejia", 404)]
)
def test_an_objections_evidence_is_kept_and_shown_to_who_sees_it(
    login, opened, on_open_day, luoxi, persona, status, request
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("assessment-objection-new", args=[_item("gov-luoxi", "lead").pk])
    paper = SimpleUploadedFile("会议记录.pdf", PDF, content_type="application/pdf")
    assert login(luoxi).post(url, {"reason": "见附件", "evidence": [paper]}).status_code == 302
    objection = Objection.objects.get()
    stored = objection.files.get()
    response = login(request.getfixturevalue(persona)).get(
        reverse("assessment-objection-file", args=[objection.pk, stored.pk])
    )
    assert response.status_code == status


def test_the_towns_year_page_reads_its_lines_indicators_in_one_query(login, opened, on_open_day, luoxi):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(luoxi)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("assessment-year", args=[YEAR])).content.decode()
    assert "领导重视" in body and "创新加分" in body
    indicator_reads = [q["sql"] for q in queries if 'FROM "assessment_scoreitem"' in q["sql"] or (
        'FROM "assessment_indicator"' in q["sql"])]  # fmt: skip
    assert len(indicator_reads) <= 1, indicator_reads
