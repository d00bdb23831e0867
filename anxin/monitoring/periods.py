"""Which sensitive period (敏感时期, §三(一)) is in force on a day.

Read by the watch list (follow-ups come round faster while one lasts) and by the sensitive-period
screens and services. A module of its own so that both ``watch`` and ``sensitive`` import it at
the top: ``sensitive`` calls ``watch`` (declaring a period reschedules the follow-ups), so
``watch`` must not import ``sensitive``."""

from __future__ import annotations

import datetime

from django.utils import timezone

from anxin.monitoring.models import SensitivePeriod


def active_period(on: datetime.date | None = None) -> SensitivePeriod | None:
    on = on or timezone.localdate()
    return SensitivePeriod.objects.filter(start__lte=on, end__gte=on).order_by("-start").first()
