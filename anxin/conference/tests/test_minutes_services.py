"""The minutes' workflow (§二: 会议应形成会议纪要，经会议召集人审签后，印发有关单位贯彻落实) and each refusal:
drafting for a meeting not held, editing once submitted, signing by anyone but the convener, returning
without comments, issuing unsigned minutes."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from anxin.conference.models import (
    ChairPost,
    ConferencePost,
    DecisionStatus,
    MeetingEvent,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)
from anxin.conference.services import minutes as services
from anxin.conference.tests.factories_minutes import day, drafted, issued, item, meeting, signed, unit
from anxin.core.errors import DomainError
from anxin.notify.models import Notification

pytestmark = pytest.mark.django_db


def test_the_office_drafts_minutes_with_decisions(office):
    held = meeting(office)
    minutes = drafted(
        office, held, item("construction", co=("hrss", "construction")), item("gov-luoxi", subject="排查")
    )
    assert minutes.status == MinutesStatus.DRAFT
    first, second = minutes.decisions.order_by("seq")
    assert first.number == f"{held.number}-01" and first.status == DecisionStatus.DRAFT
    assert first.subject == first.result_required  # no subject: the result stands for it
    assert [u.code for u in first.co_units.all()] == ["hrss"]  # the owner is not its own co-unit
    assert second.owner.code == "gov-luoxi" and second.subject == "排查"
    assert MeetingEvent.objects.filter(meeting=held, action="draft").count() == 1


def test_minutes_without_decisions_are_allowed(office):
    minutes = services.minutes_draft(actor=office, meeting=meeting(office), text="通报情况。", decisions=[])
    assert minutes.decisions.count() == 0


def test_editing_a_draft_replaces_its_decisions_and_keeps_the_numbers(office):
    held = meeting(office)
    minutes = drafted(office, held, item("construction"), item("hrss"))
    number = minutes.decisions.get(seq=1).number
    services.minutes_draft(actor=office, meeting=held, text="改过的正文", decisions=[item("gov-luoxi")])
    minutes.refresh_from_db()
    assert minutes.text == "改过的正文"
    assert list(minutes.decisions.values_list("number", "owner__code")) == [(number, "gov-luoxi")]


def test_drafting_for_a_meeting_not_held_is_refused(office):
    scheduled = meeting(office, status=MeetingStatus.SCHEDULED)
    with pytest.raises(DomainError, match="召开后方可起草"):
        drafted(office, scheduled)
    assert not Minutes.objects.exists()


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"due": "2026-03-01"}, "早于会议日期"),
        ({"result": ""}, "工作要求"),
        ({"owner": "leaders"}, "成员单位或镇"),
        ({"owner": "office"}, "成员单位或镇"),
    ],
)
def test_a_bad_decision_is_refused_and_nothing_is_written(office, bad, words):
    owner = bad.pop("owner", "construction")
    with pytest.raises(DomainError, match=words):
        drafted(office, meeting(office), item(owner, **bad))
    assert not Minutes.objects.exists()


def test_only_the_office_drafts(chengjian, convener, office):
    with pytest.raises(PermissionDenied):
        drafted(chengjian, meeting(office))
    with pytest.raises(PermissionDenied):
        drafted(convener, meeting(office))


def test_submitting_notifies_the_convener_and_locks_the_minutes(
    office, convener, django_capture_on_commit_callbacks
):
    minutes = drafted(office, meeting(office))
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_submit(actor=office, minutes=minutes)
    assert minutes.status == MinutesStatus.SUBMITTED and minutes.submitted_at
    assert Notification.objects.filter(recipient=convener, subject__contains="待审签").exists()
    with pytest.raises(DomainError, match="不能修改"):
        services.minutes_draft(actor=office, meeting=minutes.meeting, text="再改", decisions=[])
    minutes.refresh_from_db()
    assert minutes.text == "会议研究了欠薪形势。"


def test_the_convener_signs_with_an_opinion(office, convener):
    minutes = signed(office, convener, drafted(office, meeting(office)))
    assert minutes.status == MinutesStatus.SIGNED
    assert minutes.signed_by == convener and minutes.sign_opinion == "同意"


@pytest.mark.parametrize("persona", ["office", "leader", "chengjian", "office_director"])
def test_signing_by_anyone_but_the_convener_is_refused(request, office, persona):
    minutes = drafted(office, meeting(office))
    services.minutes_submit(actor=office, minutes=minutes)
    with pytest.raises(PermissionDenied, match="召集人"):
        services.minutes_sign(actor=request.getfixturevalue(persona), minutes=minutes)
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.SUBMITTED and minutes.signed_at is None


def test_a_leader_whose_post_ended_cannot_sign(office, convener):
    ConferencePost.objects.filter(user=convener, post=ChairPost.CONVENER).update(active=False)
    minutes = drafted(office, meeting(office))
    services.minutes_submit(actor=office, minutes=minutes)
    with pytest.raises(PermissionDenied):
        services.minutes_sign(actor=convener, minutes=minutes)


def test_the_convener_cannot_sign_a_draft_not_submitted(office, convener):
    minutes = drafted(office, meeting(office))
    with pytest.raises(DomainError, match="起草中"):
        services.minutes_sign(actor=convener, minutes=minutes)


def test_returning_needs_comments_and_goes_back_to_the_office(office, convener):
    minutes = drafted(office, meeting(office))
    services.minutes_submit(actor=office, minutes=minutes)
    with pytest.raises(DomainError, match="修改意见"):
        services.minutes_return(actor=convener, minutes=minutes, comments="  ")
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.SUBMITTED
    services.minutes_return(actor=convener, minutes=minutes, comments="第二项时限过长")
    assert minutes.status == MinutesStatus.RETURNED and minutes.return_comments == "第二项时限过长"
    # the office edits and resubmits
    services.minutes_draft(
        actor=office, meeting=minutes.meeting, text="已按意见修改", decisions=[item(due="2026-03-31")]
    )
    services.minutes_submit(actor=office, minutes=minutes)
    assert minutes.status == MinutesStatus.SUBMITTED
    assert minutes.decisions.get().due_on == day("2026-03-31")


@pytest.mark.parametrize("stage", ["draft", "submitted", "returned"])
def test_issuing_unsigned_minutes_is_refused(office, convener, stage):
    minutes = drafted(office, meeting(office))
    if stage != "draft":
        services.minutes_submit(actor=office, minutes=minutes)
    if stage == "returned":
        services.minutes_return(actor=convener, minutes=minutes, comments="改")
    with pytest.raises(DomainError, match="未经召集人审签"):
        services.minutes_issue(actor=office, minutes=minutes, reference="新欠薪联办纪〔2026〕1号")
    minutes.refresh_from_db()
    assert minutes.status == stage and minutes.reference == ""
    assert minutes.decisions.get().status == DecisionStatus.DRAFT


def test_issuing_opens_the_decisions_and_notifies_each_unit(
    office, convener, chengjian, luoxi, django_capture_on_commit_callbacks
):
    held = meeting(office, units=("hrss",))
    minutes = drafted(office, held, item("construction", co=("gov-luoxi",)))
    signed(office, convener, minutes)
    assert services.suggest_minutes_reference(day("2026-03-05")) == "新欠薪联办纪〔2026〕1号"
    with django_capture_on_commit_callbacks(execute=True):
        services.minutes_issue(actor=office, minutes=minutes, reference="新欠薪联办纪〔2026〕1号")
    assert minutes.status == MinutesStatus.ISSUED and minutes.issued_on
    # default recipients: invited units plus owners and co-units
    assert {u.code for u in minutes.issued_to.all()} == {"hrss", "construction", "gov-luoxi"}
    decision = minutes.decisions.get()
    assert decision.status == DecisionStatus.OPEN
    assert decision.events.filter(action="open").exists()
    assert Notification.objects.filter(recipient=chengjian, subject__contains="交办议定事项").exists()
    assert Notification.objects.filter(recipient=luoxi, subject__contains="会议纪要印发").exists()
    assert services.suggest_minutes_reference(day("2026-03-05")) == "新欠薪联办纪〔2026〕2号"


def test_a_reference_is_used_once(office, convener):
    issued(office, convener, drafted(office, meeting(office)), reference="新欠薪联办纪〔2026〕7号")
    second = signed(office, convener, drafted(office, meeting(office)))
    with pytest.raises(DomainError, match="已使用"):
        services.minutes_issue(actor=office, minutes=second, reference="新欠薪联办纪〔2026〕7号")
    second.refresh_from_db()
    assert second.status == MinutesStatus.SIGNED


def test_the_office_may_name_the_units(office, convener):
    minutes = signed(office, convener, drafted(office, meeting(office)))
    services.minutes_issue(actor=office, minutes=minutes, reference="X1", units=[unit("finance")])
    assert [u.code for u in minutes.issued_to.all()] == ["finance"]


def test_issued_minutes_cannot_be_edited(office, convener):
    minutes = issued(office, convener, drafted(office, meeting(office)))
    with pytest.raises(DomainError, match="已印发"):
        services.minutes_draft(actor=office, meeting=minutes.meeting, text="改", decisions=[])


def test_a_reference_taken_at_the_same_moment_is_refused_not_a_crash(office, convener, monkeypatch):
    """P1-4: two issues with one 文号 at once — the second meets the unique constraint after passing the
    check; it is a DomainError (code "exists"), and the minutes stay signed."""
    first = signed(office, convener, drafted(office, meeting(office)))
    second = signed(office, convener, drafted(office, meeting(office)))
    recipients = services.default_recipients

    def racing(minutes):  # the other issue writes the 文号 after the check, before this write
        Minutes.objects.filter(pk=first.pk).update(reference="新欠薪联办纪〔2026〕9号")
        return recipients(minutes)

    monkeypatch.setattr(services, "default_recipients", racing)
    with pytest.raises(DomainError, match="已使用") as refused:
        services.minutes_issue(actor=office, minutes=second, reference="新欠薪联办纪〔2026〕9号")
    assert refused.value.code == "exists"
    second.refresh_from_db()
    assert second.status == MinutesStatus.SIGNED and second.reference == ""
    assert not second.issued_to.exists()
