"""Reads of the meetings part, scoped to the user (``Meeting.objects.for_user``: the office and the
leaders every meeting, a unit those it is invited to; proposals: a unit its own): the list with its
filters, one meeting with what its page shows, the month's calendar, the proposals, the posts."""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from anxin.conference.models import (
    ConferencePost,
    Meeting,
    MeetingPack,
    MeetingProposal,
    MeetingUnit,
    ProposalStatus,
)
from anxin.conference.workflow import DRAFT, MEETING_LABELS, RETURN, SIGN, SUBMIT
from anxin.core.access import get_scoped_or_404, scope_of


def meeting_list(
    *, user: Any, q: str = "", kind: str = "", status: str = "", year: str | int = ""
) -> QuerySet[Meeting]:
    rows = (
        Meeting.objects.for_user(user)
        .select_related("chair")
        .annotate(
            invited=Count("units", distinct=True),
            present=Count("units", filter=Q(units__attended=True), distinct=True),
        )
        .order_by("-date", "-pk")
    )
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(number__icontains=q) | Q(place__icontains=q))
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if year and str(year).isdigit() and 1 <= int(year) <= 9999:
        rows = rows.filter(date__year=int(year))
    return rows


def meeting_get(*, user: Any, pk: int) -> Meeting:
    return get_scoped_or_404(Meeting.objects.select_related("chair", "created_by"), user, pk=pk)


MINUTES_INTERNAL = (DRAFT, SUBMIT, SIGN, RETURN)  # the minutes' drafting and review, before issue


def meeting_page(meeting: Meeting, *, user: Any) -> dict:
    """What the meeting's page shows besides the meeting: the invited units with attendance, the
    papers, the latest pack, the history (actions named in Chinese), the proposal it answers. The
    minutes' internal history (drafted, submitted, signed, returned with comments) only to those who
    see everything (the office and the leaders), as the minutes' page does."""
    history = meeting.events.select_related("actor").order_by("at", "pk")
    if not scope_of(user).everything:
        history = history.exclude(action__in=MINUTES_INTERNAL)
    events = list(history)
    for event in events:
        event.label = MEETING_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
    return {
        "invited": list(MeetingUnit.objects.filter(meeting=meeting).select_related("unit")),
        "papers": list(meeting.papers.order_by("pk")),
        "pack": MeetingPack.objects.filter(meeting=meeting)
        .select_related("prepared_by")
        .order_by("-prepared_at", "-pk")
        .first(),
        "events": events,
        "proposals": list(meeting.proposals.select_related("unit")),
    }


def month_of(text: str | None, today: datetime.date | None = None) -> datetime.date:
    """``YYYY-MM`` → the month's first day (this month when missing or malformed)."""
    today = today or timezone.localdate()
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


def calendar_month(*, user: Any, month: datetime.date) -> dict:
    """The month grid (weeks from Monday), each day with the meetings the user sees on it. One query."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    meetings = list(
        Meeting.objects.for_user(user)
        .filter(date__gte=first, date__lte=last)
        .order_by("date", "start_time", "pk")
    )
    by_day: dict[datetime.date, list[Meeting]] = {}
    for meeting in meetings:
        by_day.setdefault(meeting.date, []).append(meeting)
    weeks = [
        [{"day": day, "in_month": day.month == first.month, "meetings": by_day.get(day, [])} for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (last + datetime.timedelta(days=1)).replace(day=1)
    return {"month": first, "weeks": weeks, "count": len(meetings), "previous": previous, "next": following}


def proposal_list(*, user: Any, status: str = "") -> QuerySet[MeetingProposal]:
    rows = MeetingProposal.objects.for_user(user).select_related("unit", "proposed_by", "meeting")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def proposal_get(*, user: Any, pk: int) -> MeetingProposal:
    return get_scoped_or_404(
        MeetingProposal.objects.select_related(
            "unit", "proposed_by", "meeting", "answered_by"
        ).prefetch_related("units_suggested"),
        user,
        pk=pk,
    )


def pending_proposals(*, user: Any) -> QuerySet[MeetingProposal]:
    return proposal_list(user=user, status=ProposalStatus.PENDING)


def posts() -> dict:
    """The posts in force and ended (history), with their holders."""
    rows = list(
        ConferencePost.objects.select_related("user", "user__unit").order_by(
            "-active", "post", "-appointed_on", "-pk"
        )
    )
    return {"active": [p for p in rows if p.active], "ended": [p for p in rows if not p.active]}


def unit_attendance_prefetch() -> Prefetch:
    return Prefetch("units", queryset=MeetingUnit.objects.select_related("unit"))
