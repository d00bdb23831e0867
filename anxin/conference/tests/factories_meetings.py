"""Factories for the meetings part: units by code, a meeting scheduled by the office, a plenary held
on a day (attendance of every invited unit recorded, the clock moved to the day)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import time_machine

from anxin.conference.models import Meeting, MeetingKind, Topic
from anxin.conference.services import meetings as services
from anxin.org.models import Unit, User

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def at(text: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day(text), datetime.time(hour), tzinfo=TZ)


def units(*codes: str) -> list[Unit]:
    found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    return [found[c] for c in codes]


def schedule(
    office: User,
    *,
    kind: str = MeetingKind.TOPIC,
    on: str = "2026-06-10",
    codes: tuple[str, ...] = ("construction", "hrss"),
    chair: User | None = None,
    topics: tuple[str, ...] = (Topic.COORDINATION,),
    now: str | None = None,
) -> Meeting:
    with time_machine.travel(at(now or "2026-06-01"), tick=False):
        return services.meeting_schedule(
            actor=office,
            kind=kind,
            date=day(on),
            place="区联席办会议室",
            chair=chair,
            topics=list(topics),
            units=units(*codes) if codes else None,
        )


def attend_all(office: User, meeting: Meeting) -> None:
    services.meeting_attendance(
        actor=office,
        meeting=meeting,
        rows=[
            {"unit": mu.unit_id, "attended": True, "attendees": "张三（副局长）"}
            for mu in meeting.units.all()
        ],
    )


def held_plenary(
    office: User, chair: User, *, on: str, codes: tuple[str, ...] = ("construction", "hrss")
) -> Meeting:
    """A plenary scheduled a week before ``on`` and held on ``on``."""
    scheduled = (day(on) - datetime.timedelta(days=7)).isoformat()
    meeting = schedule(office, kind=MeetingKind.PLENARY, on=on, codes=codes, chair=chair, now=scheduled)
    attend_all(office, meeting)
    with time_machine.travel(at(on, 17), tick=False):
        services.meeting_hold(actor=office, meeting=meeting)
    meeting.refresh_from_db()
    return meeting
