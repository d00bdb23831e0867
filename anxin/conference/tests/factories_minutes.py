"""Meetings made directly (the meetings part builds their screens), minutes taken through their steps
by the office and the convener, and the clock."""

from __future__ import annotations

import datetime
import itertools
from zoneinfo import ZoneInfo

from anxin.conference.models import Decision, Meeting, MeetingStatus, MeetingUnit, Minutes
from anxin.conference.services import minutes as services
from anxin.org.models import Unit, User

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_serial = itertools.count(1)


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def meeting(
    office: User,
    *,
    on: str = "2026-03-02",
    status: str = MeetingStatus.HELD,
    kind: str = "plenary",
    units: tuple[str, ...] = ("construction", "hrss", "gov-luoxi"),
    title: str = "2026年第一季度联席会议全体会议",
    chair: User | None = None,
) -> Meeting:
    n = next(_serial)
    found = Meeting.objects.create(
        number=f"HY-2026-{n:03d}",
        kind=kind,
        title=title,
        date=day(on),
        place="区政府第一会议室",
        status=status,
        chair=chair,
        chair_post="convener" if chair else "",
        created_by=office,
    )
    for code in units:
        MeetingUnit.objects.create(meeting=found, unit=unit(code), attended=True, attendees=f"{code}负责同志")
    return found


def item(
    owner: str = "construction",
    *,
    due: str = "2026-04-30",
    result: str = "完成在建项目专用账户排查",
    subject: str = "",
    co: tuple[str, ...] = (),
) -> services.DecisionInput:
    return services.DecisionInput(
        result=result, subject=subject, owner=unit(owner), due=day(due), co_units=[unit(c) for c in co]
    )


def drafted(
    office: User, held: Meeting, *items: services.DecisionInput, text: str = "会议研究了欠薪形势。"
) -> Minutes:
    return services.minutes_draft(actor=office, meeting=held, text=text, decisions=list(items or [item()]))


def signed(office: User, convener: User, minutes: Minutes) -> Minutes:
    services.minutes_submit(actor=office, minutes=minutes)
    return services.minutes_sign(actor=convener, minutes=minutes, opinion="同意")


def issued(
    office: User, convener: User, minutes: Minutes, reference: str = "新欠薪联办纪〔2026〕1号"
) -> Minutes:
    signed(office, convener, minutes)
    return services.minutes_issue(actor=office, minutes=minutes, reference=reference)


def open_decision(
    office: User, convener: User, *items: services.DecisionInput, on: str = "2026-03-02"
) -> Decision:
    """An issued decision (the first of the minutes)."""
    held = meeting(office, on=on)
    minutes = issued(
        office, convener, drafted(office, held, *items), reference=f"新欠薪联办纪〔2026〕{held.pk}号"
    )
    return minutes.decisions.order_by("seq").first()  # type: ignore[return-value]
