"""Reads of notify that a screen or an export uses."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from anxin.notify.models import SmsMessage


def sms_list(
    *,
    user: Any,
    status: str = "",
    topic: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[SmsMessage]:
    """The outbox, newest first. Not scoped by unit: the permission to read it is the office's,
    which sends to every unit (``user`` is taken as every ledger's selector takes it)."""
    messages = SmsMessage.objects.defer("phone").select_related("resent_by")
    if status:
        messages = messages.filter(status=status)
    if topic:
        messages = messages.filter(topic=topic)
    if date_from:
        messages = messages.filter(created_at__date__gte=date_from)
    if date_to:
        messages = messages.filter(created_at__date__lte=date_to)
    return messages


def sms_topics() -> list[str]:
    """The categories the outbox holds, for its filter."""
    return sorted(set(SmsMessage.objects.exclude(topic="").values_list("topic", flat=True).distinct()))
