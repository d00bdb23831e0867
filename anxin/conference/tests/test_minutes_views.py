"""The minutes' screens per persona: the office drafts, submits and issues; the convener signs or
returns; a leader without the post reads only; a unit reads issued minutes sent to it (404 before and
otherwise); the public is sent to log in. The Word 纪要 prints what was recorded."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document

from anxin.conference import minutes_views, sections
from anxin.conference.models import DecisionStatus, Minutes, MinutesStatus
from anxin.conference.services import minutes as services
from anxin.conference.tests.factories_minutes import drafted, issued, item, meeting, signed
from anxin.core.models import SecurityEvent

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture
def held(office):
    return meeting(office, units=("hrss", "gov-luoxi"))


def test_the_office_drafts_on_the_form(login, office, held):
    client = login(office)
    url = reverse("conference-minutes-edit", args=[held.pk])
    assert client.get(url).status_code == 200
    data = {
        "text": "会议研究部署了春节前专项行动。",
        "d-TOTAL_FORMS": "2",
        "d-INITIAL_FORMS": "0",
        "d-0-subject": "专户排查",
        "d-0-result": "完成全部在建项目专户排查",
        "d-0-owner": str(services.owner_units()[0].pk),
        "d-0-due": "2026-04-30",
        "d-1-subject": "",
        "d-1-result": "",
        "d-1-owner": "",
        "d-1-due": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    minutes = Minutes.objects.get(meeting=held)
    assert minutes.decisions.count() == 1  # the blank row is left out
    page = client.get(reverse("conference-minutes", args=[held.pk])).content.decode()
    assert "会议研究部署了春节前专项行动" in page and "送召集人审签" in page


def test_a_bad_decision_comes_back_on_the_form(login, office, held):
    client = login(office)
    url = reverse("conference-minutes-edit", args=[held.pk])
    data = {
        "text": "正文",
        "d-TOTAL_FORMS": "1",
        "d-INITIAL_FORMS": "0",
        "d-0-result": "要求",
        "d-0-owner": str(services.owner_units()[0].pk),
        "d-0-due": "2026-01-01",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and "早于会议日期" in response.content.decode()
    assert not Minutes.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("convener", 403), ("leader", 403), ("chengjian", 404), ("luoxi", 403)],
)
def test_only_the_office_opens_the_draft_form(request, login, held, persona, status):
    # 罗溪镇 is invited (it sees the meeting) but drafting is the office's
    response = login(request.getfixturevalue(persona)).get(reverse("conference-minutes-edit", args=[held.pk]))
    assert response.status_code == status


def test_the_convener_signs_on_the_page(login, office, convener, held):
    minutes = drafted(office, held)
    services.minutes_submit(actor=office, minutes=minutes)
    client = login(convener)
    page = client.get(reverse("conference-minutes", args=[held.pk])).content.decode()
    assert 'data-testid="minutes-sign"' in page
    response = client.post(reverse("conference-minutes-act", args=[held.pk, "sign"]), {"opinion": "同意"})
    assert response.status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.SIGNED


def test_returning_without_comments_comes_back_with_the_reason(login, office, convener, held):
    minutes = drafted(office, held)
    services.minutes_submit(actor=office, minutes=minutes)
    response = login(convener).post(
        reverse("conference-minutes-act", args=[held.pk, "return"]), {"comments": ""}
    )
    assert response.status_code == 400
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["leader", "office"])
def test_signing_on_the_page_by_anyone_but_the_convener_is_forbidden(request, login, office, held, persona):
    minutes = drafted(office, held)
    services.minutes_submit(actor=office, minutes=minutes)
    user = request.getfixturevalue(persona)
    page = login(user).get(reverse("conference-minutes", args=[held.pk])).content.decode()
    assert 'data-testid="minutes-sign"' not in page
    response = login(user).post(reverse("conference-minutes-act", args=[held.pk, "sign"]), {"opinion": ""})
    assert response.status_code == 403
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.SUBMITTED


def test_the_office_issues_on_the_page(login, office, convener, held):
    minutes = signed(office, convener, drafted(office, held, item("construction")))
    client = login(office)
    page = client.get(reverse("conference-minutes", args=[held.pk])).content.decode()
    assert "新欠薪联办纪〔2026〕1号" in page  # the suggested number
    units = [str(u.pk) for u in services.default_recipients(minutes)]
    response = client.post(
        reverse("conference-minutes-act", args=[held.pk, "issue"]),
        {"reference": "新欠薪联办纪〔2026〕1号", "units": units},
    )
    assert response.status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.ISSUED
    assert minutes.decisions.get().status == DecisionStatus.OPEN


def test_issuing_unsigned_minutes_on_the_page_is_refused(login, office, held):
    minutes = drafted(office, held)
    response = login(office).post(
        reverse("conference-minutes-act", args=[held.pk, "issue"]),
        {"reference": "X", "units": [str(services.owner_units()[0].pk)]},
    )
    assert response.status_code == 400 and "未经召集人审签" in response.content.decode()
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.DRAFT


@pytest.mark.parametrize(
    ("persona", "before", "after"),
    [
        ("office", 200, 200),
        ("convener", 200, 200),
        ("leader", 200, 200),
        ("luoxi", 404, 200),  # invited: issued to it
        ("chengjian", 404, 200),  # the owner of a decision: issued to it
        ("renshe", 404, 200),  # invited
        ("caizheng", 404, 404),  # neither invited nor named
    ],
)
def test_who_reads_the_minutes(request, login, office, convener, held, persona, before, after):
    minutes = drafted(office, held, item("construction"))
    client = login(request.getfixturevalue(persona))
    url = reverse("conference-minutes", args=[held.pk])
    assert client.get(url).status_code == before
    issued(office, convener, minutes)
    assert client.get(url).status_code == after


def test_the_public_is_sent_to_log_in(login, office, held):
    drafted(office, held)
    response = login(None).get(reverse("conference-minutes", args=[held.pk]))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_word_prints_what_was_recorded(login, office, convener, held):
    minutes = drafted(
        office, held, item("construction", result="完成专户排查", co=("hrss",)), text="第一稿正文"
    )
    client = login(office)
    url = reverse("conference-minutes-word", args=[held.pk])
    draft = _text(client.get(url).content)
    assert "征求意见稿" in draft and "第一稿正文" in draft and "完成专户排查" in draft
    services.minutes_draft(
        actor=office, meeting=held, text="改过的正文", decisions=[item("gov-luoxi", result="上门核查")]
    )
    changed = _text(client.get(url).content)
    assert "改过的正文" in changed and "第一稿正文" not in changed and "上门核查" in changed
    issued(office, convener, minutes, reference="新欠薪联办纪〔2026〕5号")
    final = _text(client.get(url).content)
    assert "征求意见稿" not in final
    assert "新欠薪联办纪〔2026〕5号" in final
    assert "区领导测试" in final  # the signer
    assert "区政府第一会议室" in final and "区人社局" in final  # place and attendance
    assert "罗溪镇" in final and "主送" in final
    assert SecurityEvent.objects.filter(summary__contains="导出会议纪要").exists()


def test_the_meeting_page_sections(rf, office, convener, held):
    drafted(office, held)
    request = rf.get("/")
    request.user = office
    found = sections.gather(sections.MEETING_SECTIONS, request, held)
    templates = [s["template"] for s in found]
    assert "conference/_minutes_block.html" in templates and "conference/_minutes_decisions.html" in templates
    block = minutes_views.meeting_section_minutes(request, held)
    assert block is not None and block["may_submit"]


def test_the_minutes_page_shows_the_history_of_edits(login, office, held):
    drafted(office, held, text="第一稿")
    services.minutes_draft(actor=office, meeting=held, text="第二稿", decisions=[item()])
    page = login(office).get(reverse("conference-minutes", args=[held.pk])).content.decode()
    assert 'data-testid="minutes-events"' in page and page.count("起草会议纪要") >= 2
    assert "第一稿" in page  # the text's change in the audit history
