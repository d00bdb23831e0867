"""Factories for monitoring data: observations recorded through the service, and alerts raised the
way the district raises them — by a scan over what was observed or reported."""

from __future__ import annotations

import datetime
from typing import Any

import factory

from anxin.core.audit import system_actor
from anxin.core.tests.helpers import at
from anxin.monitoring import scan, services
from anxin.monitoring.models import Alert, Indicator
from anxin.registry.tests.factories import EnterpriseFactory

__all__ = ["AlertFactory", "at", "complaints_alert", "observe", "red_alert"]


def observe(enterprise, code: str, month: str, value: int, actor=None):
    """Record one monthly observation of an indicator (by code) for ``enterprise``: ``"2026-11"``."""
    y, m = map(int, month.split("-"))
    return services.observations_record(
        actor=actor or system_actor(),
        rows=[(enterprise, Indicator.objects.get(code=code), datetime.date(y, m, 1), value)],
    )


class AlertFactory(factory.Factory):
    """A red alert (``IMMEDIATE_ARREARS_2M``, §五(二)): wages owed ``months`` months as observed
    for November 2026, then a scan of that one enterprise as of 25 November."""

    class Meta:
        model = Alert

    enterprise = factory.SubFactory(EnterpriseFactory)
    months = 3

    @classmethod
    def _create(cls, model_class: type[Alert], *, enterprise, months: int, **_: Any) -> Alert:
        observe(enterprise, "wage_arrears_months", "2026-11", months)
        scan.scan(as_of=datetime.date(2026, 11, 25), enterprise_ids=[enterprise.pk])
        return Alert.objects.get(enterprise=enterprise, rule="IMMEDIATE_ARREARS_2M")


def red_alert(enterprise) -> Alert:
    return AlertFactory(enterprise=enterprise)


def complaints_alert(enterprise, office, django_capture_on_commit_callbacks) -> Alert:
    """Three verified complaints within a month (5, 3 and 12 workers): a red alert whose evidence
    names the workers and the amounts."""
    from anxin.intake.services import signal_verify
    from anxin.intake.tests.factories import signal

    for day, workers, amount in ((2, 5, 2_000_000), (9, 3, 900_000), (16, 12, 4_100_000)):
        with django_capture_on_commit_callbacks(execute=True):
            s = signal(
                enterprise=enterprise,
                received_at=at(f"2026-11-{day:02d}T10:00"),
                workers=workers,
                amount=amount,
            )
            signal_verify(actor=office, signal=s, result="substantiated", note="属实")
    return Alert.objects.get(enterprise=enterprise, rule="IMMEDIATE_COMPLAINTS_3")
