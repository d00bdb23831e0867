"""Factories for intake data: signals on a channel, by the office unless told otherwise."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from anxin.core.audit import system_actor
from anxin.intake import services
from anxin.intake.models import Channel

_refs = itertools.count(1)


def channel(code: str) -> Channel:
    return Channel.objects.get(code=code)


def signal(
    *,
    enterprise=None,
    channel_code: str = "hotline-12333",
    kind: str = "wage_complaint",
    received_at: datetime.datetime | None = None,
    actor=None,
    reference: str | None = None,
    **facts,
):
    facts.setdefault("summary", "工人反映工资未发")
    if enterprise is not None:
        facts.setdefault("employer_uscc", enterprise.uscc)
    return services.signal_record(
        actor=actor or system_actor(),
        channel=channel(channel_code),
        reference=f"R{next(_refs):06d}" if reference is None else reference,
        kind=kind,
        received_at=received_at or timezone.now() - datetime.timedelta(minutes=1),
        **facts,
    ).signal


def on_disk(settings, root) -> None:
    """Store uploads as files under ``root`` for this test (the test settings keep them in memory),
    so a test can see which files were written and which were removed again."""
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
