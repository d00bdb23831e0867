"""Reads of the shared kernel's own records, for its screens and exports."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from anxin.core.models import SecurityEvent


def security_event_list(
    *,
    user: Any,
    kind: str = "",
    q: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[SecurityEvent]:
    """Security events, newest first. Not scoped by unit: the view permission is for the auditors,
    who see every event (``user`` is taken as every ledger's selector takes it)."""
    events = SecurityEvent.objects.select_related("user").all()
    if kind:
        events = events.filter(kind=kind)
    if q:
        events = events.filter(username__icontains=q)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events
