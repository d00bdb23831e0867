"""Reads of the minutes for screens, the API and the Word 纪要, each scoped: the office and the
leaders see minutes at every stage; a unit sees the meetings it is invited to and the issued minutes
sent to it (``Meeting``/``Minutes.objects.for_user``). Outside the scope is a 404.
``meeting_get`` is the meetings part's, the one definition."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from anxin.conference.meetings_selectors import meeting_get as meeting_get  # the one definition
from anxin.conference.models import Decision, Meeting, MeetingUnit, Minutes, MinutesStatus
from anxin.org.models import Unit


def decisions_of(minutes: Minutes) -> list[Decision]:
    return list(
        minutes.decisions.select_related("owner")
        .prefetch_related(Prefetch("co_units", queryset=Unit.objects.order_by("order", "code")))
        .order_by("seq")
    )


def minutes_for(*, user: Any, meeting: Meeting) -> Minutes | None:
    """The meeting's minutes as the user may read them (None: none yet, or not sent to the unit)."""
    return (
        Minutes.objects.for_user(user)
        .filter(meeting=meeting)
        .select_related("drafted_by", "signed_by", "issued_by")
        .first()
    )


def attendance(meeting: Meeting) -> QuerySet[MeetingUnit]:
    return meeting.units.select_related("unit").order_by("unit__order", "unit__code")


def awaiting_signature(*, user: Any) -> QuerySet[Minutes]:
    """Minutes submitted to the convener, oldest first (the convener's home)."""
    return (
        Minutes.objects.for_user(user)
        .filter(status=MinutesStatus.SUBMITTED)
        .select_related("meeting")
        .order_by("submitted_at", "pk")
    )
