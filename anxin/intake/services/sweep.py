"""The intake's periodic sweeps (``manage.py tick``): overdue verification, and forgetting the
portal's rate-limit records."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from anxin.core.audit import acting, guarded_update, system_actor
from anxin.intake.models import PortalAttempt, PortalBucket, Signal, SignalEvent
from anxin.notify.services import notify_units
from anxin.org.models import Unit

Action = SignalEvent.Action


def signals_mark_overdue(*, now: datetime.datetime | None = None) -> int:
    """Mark open signals past their verification deadline (once each) and tell the office."""
    now = now or timezone.now()
    actor = system_actor()
    office_ids = list(Unit.objects.filter(kind="office").values_list("pk", flat=True))
    marked: list[Signal] = []
    with transaction.atomic(), acting(actor):
        for signal in (
            Signal.objects.overdue(now).filter(overdue_marked_at__isnull=True).select_related("channel")
        ):
            # Re-checked in the update: a signal verified since the select is not marked.
            still_open = Signal.objects.overdue(now).filter(overdue_marked_at__isnull=True)
            if guarded_update(still_open, signal.pk, overdue_marked_at=now) == 1:
                marked.append(signal)
        SignalEvent.objects.bulk_create(
            [
                SignalEvent(
                    signal=s,
                    action=Action.OVERDUE,
                    actor=actor,
                    at=now,
                    note=f"核实期限 {timezone.localtime(s.due_at):%Y-%m-%d %H:%M} 已过（{s.due_basis}）",
                )
                for s in marked
            ]
        )
        if marked:
            units = defaultdict(int)
            town_units = dict(
                Unit.objects.filter(town_id__in={s.town_id for s in marked}).values_list("town_id", "pk")
            )
            for s in marked:
                units[s.assigned_unit_id] += 1
                if s.town_id in town_units:
                    units[town_units[s.town_id]] += 1
            notify_units(
                unit_ids=office_ids,
                subject=f"线索核实逾期 {len(marked)} 条",
                body="；".join(
                    f"{s.employer_display}（{s.get_kind_display()}，期限 {timezone.localtime(s.due_at):%m-%d}）"
                    for s in marked[:10]
                ),
                url=reverse("signal-triage") + "?queue=overdue",
                topic="signal-overdue",
            )
            for unit_id, count in units.items():
                notify_units(
                    unit_ids=[unit_id],
                    subject=f"您单位有 {count} 条线索核实逾期，已报联席办",
                    url=reverse("signal-list") + "?mine=1&overdue=1",
                    topic="signal-overdue",
                )
    return len(marked)


def portal_attempts_purge(*, now: datetime.datetime | None = None) -> int:
    """Forget portal rate-limit records older than a day."""
    now = now or timezone.now()
    deleted, _detail = PortalAttempt.objects.filter(at__lt=now - datetime.timedelta(days=1)).delete()
    PortalBucket.objects.filter(day__lt=timezone.localdate(now) - datetime.timedelta(days=1)).delete()
    return deleted
