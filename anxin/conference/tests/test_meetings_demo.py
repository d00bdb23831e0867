"""The meetings part's demo data: the posts, last quarter's plenary held with attendance, 城建局's
proposal scheduled, a town's proposal pending, the next plenary scheduled; loaded once."""

from __future__ import annotations

import pytest

from anxin.conference import demo
from anxin.conference.models import (
    ChairPost,
    ConferencePost,
    Meeting,
    MeetingKind,
    MeetingProposal,
    MeetingStatus,
    ProposalStatus,
)
from anxin.core.audit import system_actor
from anxin.org import demo as org_demo

pytestmark = pytest.mark.django_db


def test_the_demo_tells_the_conference_story_once(district):
    lines: list[str] = []
    org_demo.load(actor=system_actor(), log=lines.append)
    demo.load(actor=system_actor(), log=lines.append)
    assert ConferencePost.objects.filter(
        user__username="leader", post=ChairPost.CONVENER, active=True
    ).exists()
    assert ConferencePost.objects.filter(
        user__username="zhuren", post=ChairPost.DIRECTOR, active=True
    ).exists()
    held = Meeting.objects.get(is_demo=True, kind=MeetingKind.PLENARY, status=MeetingStatus.HELD)
    assert not held.units.filter(attended__isnull=True).exists()
    assert held.chair is not None and held.chair.username == "leader"
    topic = Meeting.objects.get(is_demo=True, kind=MeetingKind.TOPIC)
    assert topic.status == MeetingStatus.SCHEDULED
    assert MeetingProposal.objects.get(meeting=topic).unit.code == "construction"
    pending = MeetingProposal.objects.get(status=ProposalStatus.PENDING)
    assert pending.unit.kind == "town_government"
    assert (
        Meeting.objects.filter(is_demo=True, kind=MeetingKind.PLENARY, status=MeetingStatus.SCHEDULED).count()
        == 1
    )
    assert demo.real_data() == []
    count = Meeting.objects.count()
    demo.load(actor=system_actor(), log=lines.append)
    assert Meeting.objects.count() == count
