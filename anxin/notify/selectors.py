"""Reads of notify that a screen or an export uses."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from anxin.notify.models import Notification, SmsMessage, topic_label

GROUP_SHOWN = 5  # the newest notices an opened group lists; the rest are one link away


def inbox_notices(*, user: Any, unread: bool = False, kind: str = "", about: str | None = None) -> QuerySet:
    """The user's own notices, newest first, filtered by read state, kind (topic) and — for one
    group opened whole — the enterprise it concerns."""
    notices = Notification.objects.filter(recipient=user)
    if unread:
        notices = notices.filter(read_at__isnull=True)
    if kind:
        notices = notices.filter(topic=kind)
    if about is not None:
        notices = notices.filter(about=about)
    return notices


def inbox_groups(notices: QuerySet) -> QuerySet:
    """The notices grouped by kind and enterprise, the group with the newest notice first: each row
    has ``topic``, ``about``, ``n``, ``unread``, ``latest``. One query (paginated by the caller)."""
    return (
        notices.order_by()
        .values("topic", "about")
        .annotate(
            n=Count("pk"),
            unread=Count("pk", filter=Q(read_at__isnull=True)),
            latest=Max("created_at"),
            last=Max("pk"),
        )
        .order_by("-latest", "-last")
    )


def inbox_fill(notices: QuerySet, groups: list[dict]) -> list[dict]:
    """The newest ``GROUP_SHOWN`` notices of each group of a page, in one query; each group gets
    ``items``, its ``label`` and, for a group of one, ``single``."""
    if not groups:
        return groups
    wanted = Q(pk__in=[])
    for group in groups:
        wanted |= Q(topic=group["topic"], about=group["about"])
    rows = (
        notices.filter(wanted)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("topic"), F("about")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=GROUP_SHOWN)
        .order_by("-created_at", "-pk")
    )
    by_key: dict[tuple[str, str], list] = {}
    for notice in rows:
        by_key.setdefault((notice.topic, notice.about), []).append(notice)
    for group in groups:
        group["items"] = by_key.get((group["topic"], group["about"]), [])
        group["label"] = topic_label(group["topic"]) or "其他"
        group["single"] = group["n"] == 1 and len(group["items"]) == 1
    return groups


def inbox_kinds(notices: QuerySet) -> list[dict]:
    """The kinds the inbox holds, for its filter: code, Chinese name, count, unread — one query."""
    rows = (
        notices.order_by()
        .values("topic")
        .annotate(n=Count("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
        .order_by("topic")
    )
    kinds = [{**row, "label": topic_label(row["topic"]) or "其他"} for row in rows]
    return sorted(kinds, key=lambda k: (-k["n"], k["label"]))


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
