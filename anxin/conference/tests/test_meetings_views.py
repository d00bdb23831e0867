"""The meetings part's screens per persona: the office schedules and records; the leaders read every
meeting; a unit reads the meetings it is invited to (404 otherwise); the public is sent to log in.
The list's filters, pages and export, the calendar, the meeting page (attendance, hold, cancel with
confirmation, the minutes part's sections), proposals, posts, the home and cockpit panels, with
query-count bounds."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anxin.conference import sections
from anxin.conference.models import (
    ChairPost,
    ConferencePost,
    Meeting,
    MeetingKind,
    MeetingProposal,
    MeetingStatus,
    ProposalStatus,
)
from anxin.conference.services import meetings as services
from anxin.conference.tests.factories_meetings import PDF, at, held_plenary, schedule, units

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(office):
    """A topic meeting on 10 June inviting 城建局 and 人社局 (not 罗溪镇)."""
    return schedule(office, on="2026-06-10")


# --- access per persona ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("office", 200), ("leader", 200), ("chengjian", 200), ("renshe", 200), ("luoxi", 404), ("xuejia", 404)],
)
def test_the_meeting_page_per_persona(request, login, meeting, persona, status):
    response = login(request.getfixturevalue(persona)).get(reverse("conference-meeting", args=[meeting.pk]))
    assert response.status_code == status
    if status == 200:
        assert meeting.number in response.content.decode()


def test_the_public_is_sent_to_log_in(login, meeting):
    client = login(None)
    for url in (
        reverse("conference-meetings"),
        reverse("conference-calendar"),
        reverse("conference-meeting", args=[meeting.pk]),
        reverse("conference-proposals"),
        reverse("conference-posts"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("office", True), ("leader", True), ("chengjian", True), ("luoxi", False), ("xuejia", False)],
)
def test_the_list_shows_what_each_persona_sees(request, login, meeting, persona, sees):
    response = login(request.getfixturevalue(persona)).get(reverse("conference-meetings"))
    assert response.status_code == 200
    assert (meeting.number in response.content.decode()) is sees


@pytest.mark.parametrize("persona", ["leader", "chengjian"])
def test_only_the_office_schedules_and_records(request, login, meeting, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("conference-meeting-new")).status_code == 403
    assert client.get(reverse("conference-meeting-edit", args=[meeting.pk])).status_code == 403
    for do in ("attendance", "hold", "cancel", "pack", "paper"):
        response = client.post(reverse("conference-meeting-act", args=[meeting.pk, do]), {"reason": "x"})
        assert response.status_code == 403, do
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_a_unit_not_invited_gets_404_on_every_step(login, luoxi, meeting):
    client = login(luoxi)
    assert client.post(reverse("conference-meeting-act", args=[meeting.pk, "cancel"])).status_code == 404
    assert client.get(reverse("conference-meeting-pack-docx", args=[meeting.pk])).status_code == 404


# --- the list, export, calendar ----------------------------------------------------------------------


def test_the_list_filters_and_exports(login, office, meeting, convener):
    plenary = schedule(office, kind=MeetingKind.PLENARY, on="2026-09-10", codes=(), chair=convener)
    client = login(office)
    page = client.get(reverse("conference-meetings"), {"kind": "plenary"}).content.decode()
    assert plenary.number in page and meeting.number not in page
    page = client.get(reverse("conference-meetings"), {"q": meeting.number}).content.decode()
    assert meeting.number in page and plenary.number not in page
    page = client.get(reverse("conference-meetings"), {"year": "2025"}).content.decode()
    assert meeting.number not in page
    export = client.get(reverse("conference-meetings"), {"kind": "plenary", "export": "xlsx"})
    assert export.status_code == 200 and "spreadsheet" in export["Content-Type"]


def test_list_calendar_and_page_query_counts(login, office, convener, django_assert_max_num_queries):
    """The list and the calendar cost the same number of queries for 3 meetings as for 15 (no query
    per row); the page is bounded."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(2):
        schedule(office, on=f"2026-06-{n + 10:02d}", chair=convener)
    meeting = held_plenary(office, convener, on="2026-06-25")
    client = login(office)
    client.get(reverse("conference-meetings"))  # warm the session
    with CaptureQueriesContext(connection) as few_list:
        assert client.get(reverse("conference-meetings")).status_code == 200
    with CaptureQueriesContext(connection) as few_calendar:
        assert client.get(reverse("conference-calendar"), {"month": "2026-06"}).status_code == 200
    for n in range(12):
        schedule(office, on=f"2026-06-{n + 12:02d}", chair=convener)
    with django_assert_max_num_queries(len(few_list)):
        page = client.get(reverse("conference-meetings"))
    assert page.content.decode().count("HY-2026-") >= 15
    with django_assert_max_num_queries(len(few_calendar)):
        assert client.get(reverse("conference-calendar"), {"month": "2026-06"}).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(reverse("conference-meeting", args=[meeting.pk])).status_code == 200


def test_the_calendar_shows_the_months_meetings(login, office, chengjian, luoxi, meeting):
    page = login(chengjian).get(reverse("conference-calendar"), {"month": "2026-06"}).content.decode()
    assert meeting.title in page and "2026年6月" in page
    assert (
        meeting.title
        not in login(luoxi).get(reverse("conference-calendar"), {"month": "2026-06"}).content.decode()
    )
    assert (
        meeting.title
        not in login(chengjian).get(reverse("conference-calendar"), {"month": "2026-07"}).content.decode()
    )
    assert login(office).get(reverse("conference-calendar"), {"month": "garbage"}).status_code == 200


# --- scheduling and recording on the screens ---------------------------------------------------------


def test_the_office_schedules_on_the_screen(login, office, convener):
    hrss, court = units("hrss", "court")
    client = login(office)
    assert client.get(reverse("conference-meeting-new")).status_code == 200
    response = client.post(
        reverse("conference-meeting-new"),
        {
            "kind": "topic",
            "date": "2026-06-20",
            "start_time": "09:30",
            "place": "区政府第一会议室",
            "chair": str(convener.pk),
            "topics": ["coordination"],
            "units": [hrss.pk, court.pk],
            "agenda": "会商某案",
            "paper": SimpleUploadedFile("议程.pdf", PDF, content_type="application/pdf"),
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "conference-meeting", args=[meeting.pk]
    )
    assert meeting.chair == convener and meeting.papers.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "联席会议召集人" in page and "议程.pdf" in page


def test_a_refusal_comes_back_with_what_was_typed(login, office):
    response = login(office).post(
        reverse("conference-meeting-new"),
        {"kind": "topic", "date": "2026-06-20", "place": "某会议室", "topics": []},
    )
    assert response.status_code == 400
    assert "至少选择一项议题" in response.content.decode() and "某会议室" in response.content.decode()
    assert not Meeting.objects.exists()


def test_attendance_hold_and_cancel_on_the_page(login, office, convener, meeting):
    client = login(office)
    meeting.chair, meeting.chair_post = convener, ChairPost.CONVENER
    meeting.save()
    data = {}
    for mu in meeting.units.all():
        data[f"attended_{mu.unit_id}"] = "yes"
        data[f"attendees_{mu.unit_id}"] = "张三（副局长）"
    assert (
        client.post(reverse("conference-meeting-act", args=[meeting.pk, "attendance"]), data).status_code
        == 302
    )
    with time_machine.travel(at("2026-06-09"), tick=False):
        client = login(office)
        response = client.post(reverse("conference-meeting-act", args=[meeting.pk, "hold"]))
    assert response.status_code == 400 and "尚未到来" in response.content.decode()
    with time_machine.travel(at("2026-06-10", 17), tick=False):
        client = login(office)  # a day later: the idle session has ended
        assert client.post(reverse("conference-meeting-act", args=[meeting.pk, "hold"])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    page = login(office).get(reverse("conference-meeting", args=[meeting.pk])).content.decode()
    assert "登记召开" in page and "张三（副局长）" in page


def test_cancel_needs_a_reason_and_asks_for_confirmation(login, office, meeting):
    client = login(office)
    page = client.get(reverse("conference-meeting", args=[meeting.pk])).content.decode()
    assert 'data-testid="meeting-cancel-submit"' in page and "data-confirm" in page
    response = client.post(reverse("conference-meeting-act", args=[meeting.pk, "cancel"]), {"reason": ""})
    assert response.status_code == 400 and "取消原因" in response.content.decode()
    assert (
        client.post(
            reverse("conference-meeting-act", args=[meeting.pk, "cancel"]), {"reason": "改期"}
        ).status_code
        == 302
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED


def test_the_page_includes_the_sections_other_parts_add(login, office, meeting):
    def section(request, m):
        return {"template": "conference/_section.html", "key": "minutes", "title": "会议纪要（测试）"}

    sections.add(sections.MEETING_SECTIONS, 30, section)
    try:
        page = login(office).get(reverse("conference-meeting", args=[meeting.pk])).content.decode()
    finally:
        sections.MEETING_SECTIONS[:] = [p for p in sections.MEETING_SECTIONS if p[1] is not section]
    assert "会议纪要（测试）" in page


def test_edit_on_the_screen(login, office, meeting):
    client = login(office)
    form = client.get(reverse("conference-meeting-edit", args=[meeting.pk]))
    assert form.status_code == 200 and meeting.place in form.content.decode()
    hrss = units("hrss")[0]
    response = client.post(
        reverse("conference-meeting-edit", args=[meeting.pk]),
        {
            "date": "2026-06-11",
            "place": "新地点",
            "topics": ["coordination"],
            "units": [hrss.pk],
            "title": meeting.title,
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "新地点"


# --- proposals -----------------------------------------------------------------------------------------


def test_a_unit_proposes_and_sees_only_its_own(login, chengjian, luoxi, office):
    client = login(chengjian)
    assert client.get(reverse("conference-proposal-new")).status_code == 200
    response = client.post(
        reverse("conference-proposal-new"),
        {"subject": "工地专项整治", "reason": "线索增多", "topics": ["campaign"]},
    )
    proposal = MeetingProposal.objects.get()
    assert response.status_code == 302
    assert "工地专项整治" in client.get(reverse("conference-proposals")).content.decode()
    assert "工地专项整治" not in login(luoxi).get(reverse("conference-proposals")).content.decode()
    assert login(luoxi).get(reverse("conference-proposal", args=[proposal.pk])).status_code == 404
    assert login(office).get(reverse("conference-proposal", args=[proposal.pk])).status_code == 200
    assert login(office).get(reverse("conference-proposal-new")).status_code == 403


def test_a_proposal_without_a_reason_is_refused(login, chengjian):
    response = login(chengjian).post(
        reverse("conference-proposal-new"), {"subject": "工地专项整治", "reason": ""}
    )
    assert response.status_code == 400
    assert not MeetingProposal.objects.exists()


def test_the_office_schedules_from_a_proposal_with_the_form_prefilled(login, office, chengjian):
    proposal = services.proposal_make(
        actor=chengjian, subject="工地专项整治", reason="线索增多", topics=["campaign"]
    )
    client = login(office)
    form = client.get(reverse("conference-meeting-new"), {"proposal": proposal.pk}).content.decode()
    assert "工地专项整治" in form and 'data-testid="from-proposal"' in form
    response = client.post(
        reverse("conference-meeting-new"),
        {
            "proposal": proposal.pk,
            "kind": "topic",
            "title": "工地专项整治",
            "date": "2026-06-20",
            "place": "区住建会议室",
            "topics": ["campaign"],
            "units": [chengjian.unit_id],
        },
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SCHEDULED


def test_the_office_declines_with_a_reason(login, office, chengjian):
    proposal = services.proposal_make(actor=chengjian, subject="工地专项整治", reason="线索增多")
    client = login(office)
    assert client.post(reverse("conference-proposal", args=[proposal.pk]), {"reason": ""}).status_code == 400
    assert (
        login(chengjian).post(reverse("conference-proposal", args=[proposal.pk]), {"reason": "x"}).status_code
        == 403
    )
    client = login(office)
    assert (
        client.post(
            reverse("conference-proposal", args=[proposal.pk]), {"reason": "并入全体会议"}
        ).status_code
        == 302
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED


# --- posts ---------------------------------------------------------------------------------------------


def test_posts_page_for_the_security_administrator_only(login, office, leader, chengjian, secadmin):
    """P1-1: the posts are designated by the 安全管理员 (from the 设置 menu); the office gets 403."""
    assert login(chengjian).get(reverse("conference-posts")).status_code == 403
    assert login(leader).get(reverse("conference-posts")).status_code == 403
    assert login(office).get(reverse("conference-posts")).status_code == 403
    assert (
        login(office).post(reverse("conference-posts"), {"post": "director", "user": office.pk}).status_code
        == 403
    )
    assert not ConferencePost.objects.exists()
    client = login(secadmin)
    page = client.get(reverse("conference-posts")).content.decode()
    assert "联席会议职务" in page
    response = client.post(reverse("conference-posts"), {"post": "convener", "user": chengjian.pk})
    assert response.status_code == 400 and "区领导" in response.content.decode()
    assert (
        client.post(reverse("conference-posts"), {"post": "convener", "user": leader.pk}).status_code == 302
    )
    post = ConferencePost.objects.get(user=leader)
    assert client.post(reverse("conference-posts"), {"end": post.pk, "reason": "调任"}).status_code == 302
    page = client.get(reverse("conference-posts")).content.decode()
    assert "调任" in page


# --- panels and menu ---------------------------------------------------------------------------------


def test_the_home_and_cockpit_show_days_since_the_last_plenary(login, office, convener, chengjian, luoxi):
    held_plenary(office, convener, on="2026-03-10")
    services.proposal_make(actor=luoxi, subject="园区会商", reason="多家企业断缴")
    with time_machine.travel(at("2026-06-20"), tick=False):
        home = login(office).get(reverse("home")).content.decode()
        assert (
            "距上次全体会议 102 天" in home
            and "text-red" in home
            and "meeting.plenary_interval_months" in home
        )
        assert "园区会商" in home
        leader_home = login(convener).get(reverse("home")).content.decode()
        assert "距上次全体会议 102 天" in leader_home and "园区会商" not in leader_home
        assert "距上次全体会议" not in login(chengjian).get(reverse("home")).content.decode()
        cockpit = login(convener).get(reverse("cockpit")).content.decode()
        assert "距上次全体会议 102 天" in cockpit and "§二" in cockpit


def test_within_the_interval_the_figure_is_not_red(login, office, convener):
    held_plenary(office, convener, on="2026-03-10")
    with time_machine.travel(at("2026-04-01"), tick=False):
        home = login(office).get(reverse("home")).content.decode()
    assert "距上次全体会议 22 天" in home
    assert 'class="h1 m-0 text-red"' not in home


def test_the_menu_names_the_conference_pages(login, office, chengjian, secadmin):
    page = login(office).get(reverse("conference-meetings")).content.decode()
    for url in ("conference-calendar", "conference-proposals"):
        assert reverse(url) in page
    assert reverse("conference-posts") not in page
    assert (
        reverse("conference-posts")
        not in login(chengjian).get(reverse("conference-meetings")).content.decode()
    )
    assert reverse("conference-posts") in login(secadmin).get(reverse("home")).content.decode()
