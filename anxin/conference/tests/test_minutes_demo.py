"""The minutes' demo: for the demo plenary that was held, signed and issued minutes with three decisions
(城建局's open and due soon, one reported, one done); idempotent; nothing without such a meeting."""

from __future__ import annotations

import pytest

from anxin.conference import minutes_demo
from anxin.conference.models import DecisionStatus, Meeting, Minutes, MinutesStatus
from anxin.conference.tests.factories_minutes import meeting

pytestmark = pytest.mark.django_db


def test_nothing_without_a_held_demo_plenary(office):
    lines: list[str] = []
    minutes_demo.load(actor=office, log=lines.append)
    assert not Minutes.objects.exists() and "没有" in lines[0]


def test_the_demo_minutes(office, convener):
    office.username = "office"
    office.save()
    convener.username = "leader"
    convener.save()
    held = meeting(office, on="2026-09-15")
    Meeting.objects.filter(pk=held.pk).update(is_demo=True)
    minutes_demo.load(actor=office, log=lambda line: None)
    minutes = Minutes.objects.get(meeting=held)
    assert minutes.status == MinutesStatus.ISSUED and minutes.signed_by == convener
    statuses = list(minutes.decisions.order_by("seq").values_list("owner__code", "status"))
    assert statuses == [
        ("construction", DecisionStatus.OPEN),
        ("gov-luoxi", DecisionStatus.REPORTED),
        ("finance", DecisionStatus.DONE),
    ]
    minutes_demo.load(actor=office, log=lambda line: None)
    assert Minutes.objects.count() == 1 and minutes_demo.real_data() == []
