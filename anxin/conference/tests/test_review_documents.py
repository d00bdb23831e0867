"""Review #18 P3-9: the conference's Word documents print the local (Asia/Shanghai) day of a moment,
not its UTC day — a signature at 07:30 on 6 March local is 23:30 on 5 March UTC."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.urls import reverse
from docx import Document

from anxin.conference.services import meetings as meeting_services
from anxin.conference.services import minutes as services
from anxin.conference.tests.factories_minutes import at, drafted, item, meeting

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_minutes_print_the_local_day_of_the_signature(login, office, convener):
    held = meeting(office)
    minutes = drafted(office, held, item("construction"))
    services.minutes_submit(actor=office, minutes=minutes, now=at("2026-03-05T18:00"))
    services.minutes_sign(actor=convener, minutes=minutes, opinion="同意", now=at("2026-03-06T07:30"))
    text = _text(login(office).get(reverse("conference-minutes-word", args=[held.pk])).content)
    assert "于2026年3月6日审签" in text
    assert "2026年3月5日" not in text


def test_the_pack_prints_the_local_day_it_was_prepared(login, office):
    held = meeting(office, on="2026-08-20")
    with time_machine.travel(at("2026-09-02T07:00"), tick=False):
        meeting_services.pack_prepare(actor=office, meeting=held, now=at("2026-09-02T07:00"))
        text = _text(login(office).get(reverse("conference-meeting-pack-docx", args=[held.pk])).content)
    assert "2026年9月2日" in text
    assert "2026年9月1日" not in text
