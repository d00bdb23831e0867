"""The meetings part's rules (§二): the office schedules (numbered, chair with a post, a plenary invites
every member unit), edits while scheduled, holds only on or after the day with everyone's attendance,
cancels with a reason; member units propose, the office schedules or declines with a reason; the posts'
role checks; the plenary interval flagged once per lapse with the clock moved."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from anxin.conference.models import (
    ChairPost,
    ConferencePost,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingProposal,
    MeetingStatus,
    PlenaryLapse,
    ProposalStatus,
    Topic,
)
from anxin.conference.services import meetings as services
from anxin.conference.tests.factories_meetings import PDF, at, attend_all, day, held_plenary, schedule, units
from anxin.core.errors import DomainError
from anxin.notify.models import Notification

pytestmark = pytest.mark.django_db


# --- scheduling ------------------------------------------------------------------------------------


def test_the_office_schedules_a_numbered_meeting_and_tells_the_invited(
    office, convener, chengjian, renshe, luoxi, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(office, on="2026-06-10", chair=convener)
    assert meeting.number == "HY-2026-001"
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.chair_post == ChairPost.CONVENER
    assert meeting.title == "会商协调重大欠薪案件专题会议"
    assert Notification.objects.filter(recipient=chengjian, subject__contains="会议通知").exists()
    assert Notification.objects.filter(recipient=renshe, subject__contains="会议通知").exists()
    assert not Notification.objects.filter(recipient=luoxi).exists()
    assert MeetingEvent.objects.filter(meeting=meeting, action="schedule").count() == 1
    assert schedule(office, on="2026-07-01").number == "HY-2026-002"


def test_a_plenary_invites_every_member_unit_by_default_and_is_named_for_its_quarter(office):
    meeting = schedule(office, kind=MeetingKind.PLENARY, on="2026-11-20", codes=())
    assert meeting.title == "2026年第四季度联席会议全体会议"
    invited = set(meeting.units.values_list("unit__code", flat=True))
    assert {u.code for u in services.member_units()} == invited
    assert {"construction", "hrss", "gov-luoxi"} <= invited
    assert "office" not in invited


@pytest.mark.parametrize("persona", ["leader", "chengjian", "luoxi"])
def test_only_the_office_schedules(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        schedule(user)
    assert not Meeting.objects.exists()


def test_a_chair_must_hold_a_post(office, renshe):
    with pytest.raises(DomainError, match="未担任召集人"):
        schedule(office, chair=renshe)
    assert not Meeting.objects.exists()


def test_a_topic_meeting_needs_a_topic_and_units(office):
    with pytest.raises(DomainError, match="至少选择一项议题"):
        schedule(office, topics=())
    with pytest.raises(DomainError, match="参会单位"):
        schedule(office, codes=())
    with pytest.raises(DomainError, match="不是联席会议成员单位"):
        schedule(office, codes=("office",))
    assert not Meeting.objects.exists()


def test_editing_records_what_changed_and_tells_old_and_new_units(
    office, chengjian, fayuan, django_capture_on_commit_callbacks
):
    meeting = schedule(office)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_edit(
            actor=office,
            meeting=meeting,
            date=day("2026-06-12"),
            place="区政府第二会议室",
            topics=[Topic.COORDINATION],
            units=units("hrss", "court"),
        )
    meeting.refresh_from_db()
    assert meeting.date == day("2026-06-12")
    assert set(meeting.units.values_list("unit__code", flat=True)) == {"hrss", "court"}
    event = MeetingEvent.objects.get(meeting=meeting, action="edit")
    assert "会议日期" in event.note and "地点" in event.note and "参会单位" in event.note
    assert Notification.objects.filter(recipient=chengjian, subject__contains="变更").exists()
    assert Notification.objects.filter(recipient=fayuan, subject__contains="变更").exists()


def test_papers_are_checked_by_content(office):
    meeting = schedule(office)
    stored = services.paper_add(actor=office, meeting=meeting, papers=[services.Paper("议程.pdf", PDF)])
    assert list(meeting.papers.all()) == stored
    with pytest.raises(DomainError):
        services.paper_add(actor=office, meeting=meeting, papers=[services.Paper("x.pdf", b"not a pdf")])
    assert meeting.papers.count() == 1


# --- attendance, holding, cancelling ---------------------------------------------------------------


def test_holding_in_the_future_is_refused(office, convener):
    meeting = schedule(office, on="2026-06-10", chair=convener)
    attend_all(office, meeting)
    with time_machine.travel(at("2026-06-09"), tick=False), pytest.raises(DomainError, match="尚未到来"):
        services.meeting_hold(actor=office, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_holding_needs_every_invited_units_attendance(office, convener):
    meeting = schedule(office, on="2026-06-10", chair=convener)
    hrss = units("hrss")[0]
    services.meeting_attendance(
        actor=office, meeting=meeting, rows=[{"unit": hrss.pk, "attended": True, "attendees": "李四（局长）"}]
    )
    with (
        time_machine.travel(at("2026-06-10", 17), tick=False),
        pytest.raises(DomainError, match="未登记出席情况"),
    ):
        services.meeting_hold(actor=office, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_holding_needs_a_chair(office):
    meeting = schedule(office, on="2026-06-10")
    attend_all(office, meeting)
    with time_machine.travel(at("2026-06-10", 17), tick=False), pytest.raises(DomainError, match="主持人"):
        services.meeting_hold(actor=office, meeting=meeting)


def test_attendance_asks_who_came_or_why_not(office):
    meeting = schedule(office)
    hrss = units("hrss")[0]
    with pytest.raises(DomainError, match="出席人员"):
        services.meeting_attendance(actor=office, meeting=meeting, rows=[{"unit": hrss.pk, "attended": True}])
    with pytest.raises(DomainError, match="缺席原因"):
        services.meeting_attendance(
            actor=office, meeting=meeting, rows=[{"unit": hrss.pk, "attended": False}]
        )
    other = units("court")[0]
    with pytest.raises(DomainError, match="不在本次会议的邀请名单"):
        services.meeting_attendance(
            actor=office, meeting=meeting, rows=[{"unit": other.pk, "attended": True, "attendees": "x"}]
        )
    assert not meeting.units.filter(attended__isnull=False).exists()


def test_a_held_meeting_records_the_chair_and_attendance(office, convener):
    meeting = held_plenary(office, convener, on="2026-06-10")
    assert meeting.status == MeetingStatus.HELD
    event = MeetingEvent.objects.get(meeting=meeting, action="hold")
    assert event.from_status == "scheduled" and event.to_status == "held"
    assert "联席会议召集人" in event.note and "出席单位 2 个" in event.note
    with pytest.raises(DomainError):
        services.meeting_edit(actor=office, meeting=meeting, date=meeting.date, place="x", topics=[])


def test_cancelling_needs_a_reason_and_tells_the_units(office, chengjian, django_capture_on_commit_callbacks):
    meeting = schedule(office)
    with pytest.raises(DomainError, match="取消原因"):
        services.meeting_cancel(actor=office, meeting=meeting, reason="  ")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(actor=office, meeting=meeting, reason="召集人临时出差")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.cancel_reason == "召集人临时出差"
    assert Notification.objects.filter(recipient=chengjian, subject__contains="会议取消").exists()


# --- proposals -------------------------------------------------------------------------------------


def test_a_member_unit_proposes_and_the_office_is_told(chengjian, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.proposal_make(
            actor=chengjian, subject="工地欠薪专项整治", reason="线索增多", topics=[Topic.CAMPAIGN]
        )
    assert proposal.unit == chengjian.unit and proposal.status == ProposalStatus.PENDING
    assert Notification.objects.filter(recipient=office, subject__contains="提议召开专题会议").exists()


def test_a_proposal_needs_a_reason(chengjian):
    with pytest.raises(DomainError, match="提议理由"):
        services.proposal_make(actor=chengjian, subject="工地欠薪", reason=" ")
    assert not MeetingProposal.objects.exists()


@pytest.mark.parametrize("persona", ["leader", "office", "auditor"])
def test_only_a_member_units_user_proposes(request, persona):
    with pytest.raises(PermissionDenied):
        services.proposal_make(actor=request.getfixturevalue(persona), subject="x", reason="y")
    assert not MeetingProposal.objects.exists()


def test_scheduling_from_a_proposal_links_it_and_tells_the_unit(
    office, chengjian, luoxi, django_capture_on_commit_callbacks
):
    proposal = services.proposal_make(actor=luoxi, subject="园区欠薪会商", reason="多家企业断缴社保")
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_schedule(
            actor=office,
            kind=MeetingKind.TOPIC,
            date=day("2026-06-20"),
            place="罗溪镇政府",
            topics=[Topic.COORDINATION],
            units=units("gov-luoxi", "hrss"),
            proposal=proposal,
        )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SCHEDULED and proposal.meeting == meeting
    assert proposal.answered_by == office
    assert Notification.objects.filter(recipient=luoxi, subject__contains="已安排").exists()
    with pytest.raises(DomainError, match="已处理"):
        services.proposal_decline(actor=office, proposal=proposal, reason="重复")


def test_declining_needs_a_reason_and_tells_the_unit(office, luoxi, django_capture_on_commit_callbacks):
    proposal = services.proposal_make(actor=luoxi, subject="园区欠薪会商", reason="多家企业断缴社保")
    with pytest.raises(DomainError, match="不予召开的理由"):
        services.proposal_decline(actor=office, proposal=proposal, reason="")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING
    with pytest.raises(PermissionDenied):
        services.proposal_decline(actor=luoxi, proposal=proposal, reason="撤回")
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decline(actor=office, proposal=proposal, reason="并入下次全体会议研究")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED and proposal.answer == "并入下次全体会议研究"
    assert Notification.objects.filter(recipient=luoxi, subject__contains="不予召开").exists()


# --- posts -----------------------------------------------------------------------------------------


def test_the_convener_must_be_a_leader(secadmin, renshe, leader):
    with pytest.raises(DomainError, match="区领导"):
        services.post_designate(actor=secadmin, post=ChairPost.CONVENER, user=renshe)
    post = services.post_designate(actor=secadmin, post=ChairPost.CONVENER, user=leader)
    assert post.active
    with pytest.raises(DomainError, match="已担任"):
        services.post_designate(actor=secadmin, post=ChairPost.CONVENER, user=leader)


def test_the_office_director_must_be_an_office_user(secadmin, office, leader, chengjian):
    with pytest.raises(DomainError, match="联席办人员"):
        services.post_designate(actor=secadmin, post=ChairPost.DIRECTOR, user=leader)
    assert services.post_designate(actor=secadmin, post=ChairPost.DIRECTOR, user=office).active


@pytest.mark.parametrize("persona", ["office", "leader", "chengjian", "sysadmin"])
def test_only_the_security_administrator_designates_posts(request, persona, office, leader):
    """P1-1: the office no longer designates the posts that sign minutes and approve its documents."""
    with pytest.raises(PermissionDenied):
        services.post_designate(actor=request.getfixturevalue(persona), post=ChairPost.CONVENER, user=leader)
    with pytest.raises(PermissionDenied):
        services.post_designate(actor=request.getfixturevalue(persona), post=ChairPost.DIRECTOR, user=office)
    assert not ConferencePost.objects.exists()


def test_no_one_appoints_themselves(secadmin, office):
    """P1-1: an office user holding manage_posts (e.g. given it by mistake) cannot make themselves 联席办主任,
    nor can the 安全管理员 hold a post by their own hand."""
    from django.contrib.auth.models import Permission

    office.user_permissions.add(Permission.objects.get(codename="manage_posts"))
    office = type(office).objects.get(pk=office.pk)  # fresh permission cache
    with pytest.raises(DomainError, match="不得任命自己"):
        services.post_designate(actor=office, post=ChairPost.DIRECTOR, user=office)
    assert not ConferencePost.objects.exists()


@pytest.mark.parametrize(
    ("post", "first", "second"), [("convener", "leader", "leader2"), ("director", "office", "office2")]
)
def test_one_active_convener_and_one_active_director(secadmin, request, post, first, second, district):
    """P1-1: a second holder of 召集人 / 联席办主任 is refused until the first's post is ended; the database
    holds the same rule (constraint conference_post_one_holder)."""
    from django.db import IntegrityError, transaction

    from anxin.org.tests.factories import UserFactory

    people = {
        "leader": lambda: request.getfixturevalue("leader"),
        "office": lambda: request.getfixturevalue("office"),
        "leader2": lambda: UserFactory(
            username="t_leader2", unit="leaders", role="leader", full_name="副区长"
        ),
        "office2": lambda: UserFactory(
            username="t_office2", unit="office", role="office", full_name="联席办二"
        ),
    }
    holder = services.post_designate(actor=secadmin, post=post, user=people[first]())
    other = people[second]()
    with pytest.raises(DomainError, match="只能有一名在任"):
        services.post_designate(actor=secadmin, post=post, user=other)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConferencePost.objects.create(post=post, user=other)
    services.post_end(actor=secadmin, post=holder, reason="调任")
    assert services.post_designate(actor=secadmin, post=post, user=other).active


def test_deputies_may_be_several(secadmin, leader, office):
    services.post_designate(actor=secadmin, post=ChairPost.DEPUTY, user=leader)
    assert services.post_designate(actor=secadmin, post=ChairPost.DEPUTY, user=office).active


def test_ending_a_post_keeps_it_with_the_reason(office, secadmin, convener):
    post = ConferencePost.objects.get(user=convener, post=ChairPost.CONVENER)
    with pytest.raises(PermissionDenied):
        services.post_end(actor=office, post=post, reason="工作调动")
    with pytest.raises(DomainError, match="原因"):
        services.post_end(actor=secadmin, post=post, reason="")
    services.post_end(actor=secadmin, post=post, reason="工作调动")
    post.refresh_from_db()
    assert not post.active and "工作调动" in post.note
    assert services.chair_post_of(convener) == ""


# --- the plenary interval --------------------------------------------------------------------------


def test_the_interval_is_not_flagged_inside_it(office, convener):
    held_plenary(office, convener, on="2026-03-10")
    with time_machine.travel(at("2026-06-10"), tick=False):
        assert services.plenary_interval_flag() == 0
        status = services.plenary_status()
    assert status["days"] == 92 and status["due"] == day("2026-06-10") and not status["over"]
    assert not PlenaryLapse.objects.exists()


def test_a_lapse_is_flagged_once_to_the_office_and_the_convener(
    office, convener, chengjian, django_capture_on_commit_callbacks
):
    held_plenary(office, convener, on="2026-03-10")
    with time_machine.travel(at("2026-06-11"), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.plenary_interval_flag() == 1
        assert services.plenary_interval_flag() == 0  # not again at the next tick
        status = services.plenary_status()
    assert status["over"] and status["days"] == 93
    lapse = PlenaryLapse.objects.get()
    assert lapse.since == day("2026-03-10") and lapse.interval_months == 3 and lapse.days == 93
    for user in (office, convener):
        notice = Notification.objects.get(recipient=user, topic="conference-interval")
        assert (
            "93 天" in notice.body
            and "meeting.plenary_interval_months=3" in notice.body
            and "§二" in notice.body
        )
    assert not Notification.objects.filter(recipient=chengjian, topic="conference-interval").exists()
    with time_machine.travel(at("2026-07-01"), tick=False):
        assert services.plenary_interval_flag() == 0


def test_a_new_plenary_clears_the_flag_and_a_later_lapse_is_flagged_afresh(office, convener):
    held_plenary(office, convener, on="2026-03-10")
    with time_machine.travel(at("2026-06-11"), tick=False):
        assert services.plenary_interval_flag() == 1
    held_plenary(office, convener, on="2026-06-15")
    with time_machine.travel(at("2026-06-16"), tick=False):
        status = services.plenary_status()
        assert not status["over"] and status["days"] == 1
        assert services.plenary_interval_flag() == 0
    with time_machine.travel(at("2026-09-16"), tick=False):
        assert services.plenary_interval_flag() == 1
    assert sorted(PlenaryLapse.objects.values_list("since", flat=True)) == [
        day("2026-03-10"),
        day("2026-06-15"),
    ]


def test_with_no_plenary_ever_the_interval_counts_from_first_use(office, secadmin):
    with time_machine.travel(at("2026-01-05"), tick=False):
        services.post_designate(actor=secadmin, post=ChairPost.DIRECTOR, user=office)
    with time_machine.travel(at("2026-04-05"), tick=False):
        assert services.plenary_interval_flag() == 0
    with time_machine.travel(at("2026-04-06"), tick=False):
        status = services.plenary_status()
        assert status["last"] is None and status["since"] == day("2026-01-05") and status["over"]
        assert services.plenary_interval_flag() == 1


def test_the_interval_follows_the_parameter(office, convener):
    from anxin.core.models import PolicyParameter

    PolicyParameter.objects.filter(code=services.INTERVAL).update(value="6")
    held_plenary(office, convener, on="2026-03-10")
    with time_machine.travel(at("2026-06-11"), tick=False):
        assert services.plenary_interval_flag() == 0
        assert services.plenary_status()["months"] == 6


def test_the_sweep_is_registered_with_tick(office, convener):
    from anxin.core import seam

    labels = [sweep.label for sweep in seam.collect(seam.SWEEPS)]
    assert "联席会议：全体会议超过召开周期提示" in labels


def test_days_since_counts_only_held_plenaries(office, convener):
    held_plenary(office, convener, on="2026-03-10")
    schedule(office, kind=MeetingKind.PLENARY, on="2026-05-01", codes=(), chair=convener)  # not held
    held = held_plenary(office, convener, on="2026-04-01", codes=("hrss",))
    topic = schedule(office, on="2026-05-20", chair=convener)
    attend_all(office, topic)
    with time_machine.travel(at("2026-05-20", 17), tick=False):
        services.meeting_hold(actor=office, meeting=topic)
        status = services.plenary_status()
    assert status["last"] == held and status["days"] == (day("2026-05-20") - day("2026-04-01")).days
    assert status["next_plenary"] is None


def test_the_clause_map_names_the_meetings_features_under_section_two(office):
    from anxin.core import seam

    items = [item for citation, item in seam.collect(seam.CLAUSE_ITEMS) if citation == "§二"]
    kinds = {item["kind"] for item in items}
    assert {"联席会议", "专题会议提议", "全体会议周期", "会议材料包", "联席会议职务"} <= kinds
    assert any("meeting.plenary_interval_months" in item["text"] for item in items)
