"""Review #18 on the conference's screens: the minutes' internal history stays with the office and the
leaders until issue (P2-5); the plenary pack is for the office and the leaders (P2-6); a unit sent the
issued minutes sees the meeting although not invited (P2-8)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anxin.conference.services import meetings as meeting_services
from anxin.conference.services import minutes as services
from anxin.conference.tests.factories_minutes import drafted, issued, item, meeting, signed

pytestmark = pytest.mark.django_db

INTERNAL = ("纪要送召集人审签", "召集人退回纪要", "召集人审签纪要", "起草会议纪要", "第三项表述要改")


def test_the_meeting_page_hides_the_minutes_review_from_invited_units(
    login, office, convener, renshe, leader
):
    """P2-5: drafted, submitted, returned with comments, submitted again, signed — an invited unit sees
    none of it on the meeting page (before or after issue); the office and the leaders see it all."""
    held = meeting(office, units=("hrss", "gov-luoxi"))
    minutes = drafted(office, held, item("construction"))
    services.minutes_submit(actor=office, minutes=minutes)
    services.minutes_return(actor=convener, minutes=minutes, comments="第三项表述要改")
    signed(office, convener, minutes)
    url = reverse("conference-meeting", args=[held.pk])
    unit_page = login(renshe).get(url).content.decode()
    for text in INTERNAL:
        assert text not in unit_page
    for persona in (office, leader):
        page = login(persona).get(url).content.decode()
        for text in INTERNAL:
            assert text in page
    services.minutes_issue(actor=office, minutes=minutes, reference="新欠薪联办纪〔2026〕3号")
    unit_page = login(renshe).get(url).content.decode()
    for text in INTERNAL:
        assert text not in unit_page
    assert "印发会议纪要" in unit_page  # the issue itself is no secret


def test_the_pack_is_for_the_office_and_the_leaders(login, office, convener, leader, renshe, luoxi):
    """P2-6: the pack lists every unit's decisions and overdue items: an invited unit gets 404 for the
    page and the Word, and the meeting page does not offer it."""
    held = meeting(office, units=("hrss", "gov-luoxi"))
    meeting_services.pack_prepare(actor=office, meeting=held)
    for persona in (renshe, luoxi):
        client = login(persona)
        assert client.get(reverse("conference-meeting-pack", args=[held.pk])).status_code == 404
        assert client.get(reverse("conference-meeting-pack-docx", args=[held.pk])).status_code == 404
        page = client.get(reverse("conference-meeting", args=[held.pk])).content.decode()
        assert reverse("conference-meeting-pack", args=[held.pk]) not in page
    for persona in (office, leader):
        client = login(persona)
        assert client.get(reverse("conference-meeting-pack", args=[held.pk])).status_code == 200
        assert client.get(reverse("conference-meeting-pack-docx", args=[held.pk])).status_code == 200
        page = client.get(reverse("conference-meeting", args=[held.pk])).content.decode()
        assert reverse("conference-meeting-pack", args=[held.pk]) in page


def test_a_unit_sent_the_issued_minutes_sees_the_meeting(login, office, convener, chengjian, caizheng):
    """P2-8: 城建局 owns a decision but was not invited: once the minutes are issued to it, the link to
    the meeting works (one ``meeting_get``, scoped by ``MeetingQuerySet``); a unit sent nothing: 404."""
    held = meeting(office, units=("hrss",))
    minutes = drafted(office, held, item("construction"))
    url = reverse("conference-meeting", args=[held.pk])
    assert login(chengjian).get(url).status_code == 404
    issued(office, convener, minutes)
    assert login(chengjian).get(url).status_code == 200
    assert login(chengjian).get(reverse("conference-minutes", args=[held.pk])).status_code == 200
    assert login(caizheng).get(url).status_code == 404
    assert held in meeting_services.Meeting.objects.for_user(chengjian)
