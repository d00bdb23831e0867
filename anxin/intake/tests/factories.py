"""Factories for intake data: signals on a channel and enterprises' self-reports, made through
intake's services by the system unless told otherwise; an image to upload."""

from __future__ import annotations

import datetime
import io
import itertools
import threading
import time
from typing import Any

import factory
from django.db import connection
from django.utils import timezone
from PIL import Image

from anxin.core.audit import system_actor
from anxin.core.services import policy_parameter_set
from anxin.intake import services
from anxin.intake.models import Channel, Signal

_refs = itertools.count(1)


def channel(code: str) -> Channel:
    return Channel.objects.get(code=code)


class SignalFactory(factory.Factory):
    """A signal recorded on a channel (by code) through ``signal_record``, by the system unless
    ``actor`` is given; with ``enterprise`` it names that employer. Other keywords are the facts."""

    class Meta:
        model = Signal

    enterprise = None
    channel_code = "hotline-12333"
    kind = "wage_complaint"
    received_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=1))
    reference = factory.LazyFunction(lambda: f"R{next(_refs):06d}")
    summary = "工人反映工资未发"
    actor = None

    @classmethod
    def _create(cls, model_class: type[Signal], *, enterprise, channel_code: str, actor=None, **facts: Any):
        if enterprise is not None:
            facts.setdefault("employer_uscc", enterprise.uscc)
        return services.signal_record(
            actor=actor or system_actor(), channel=channel(channel_code), **facts
        ).signal


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
    values = {"received_at": received_at, "reference": reference}
    return SignalFactory(
        enterprise=enterprise,
        channel_code=channel_code,
        kind=kind,
        actor=actor,
        **{k: v for k, v in values.items() if v is not None},
        **facts,
    )


def self_report(enterprise, *, since, on, actor=None, plan=None, amount=500000, **extra):
    """An enterprise's arrears self-report (§四(一)) with, unless given, one repayment in 30 days."""
    return services.self_report_record(
        actor=actor or system_actor(),
        enterprise=enterprise,
        arrears_since=since,
        reported_on=on,
        workers=10,
        amount=amount,
        cause="订单款未回笼",
        plan=plan
        if plan is not None
        else [{"due_on": since + datetime.timedelta(days=30), "amount": amount}],
        **extra,
    )


def png() -> bytes:
    """A small valid PNG image, for an upload."""
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    return buffer.getvalue()


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


def portal_report(town, *, ip: str = "10.0.0.1"):
    """A worker's report on the public portal about 罗溪纺织有限公司 (the world's luoxi factory): one
    worker, 100 fen, no photos."""
    return services.portal_submit(
        facts={
            "employer_name": "罗溪纺织有限公司",
            "summary": "欠薪",
            "reporter_phone": "13912345678",
            "amount": 100,
            "workers": 1,
        },
        town=town,
        photos=[],
        ip=ip,
    )


# --- the portal under concurrent load (used here and by the PostgreSQL rate-limit test) ---------


def fire_submissions_at_once(*, town, count: int, ip: str, monkeypatch) -> list[object]:
    """``count`` portal submissions from one address in parallel threads (each its own connection).

    Every thread first passes the early, unlocked check (a barrier holds them there until all
    have), and each holds its transaction open a little after the binding check: without a lock
    they would all count the same attempts and all get in.
    """

    barrier = threading.Barrier(count, timeout=20)
    early_check, record = services.portal.portal_limited, services.portal.signal_record

    def early_check_then_wait(**kwargs):
        limited = early_check(**kwargs)
        barrier.wait()
        return limited

    def slow_record(**kwargs):
        time.sleep(0.15)  # widen the window between the check and the commit
        return record(**kwargs)

    monkeypatch.setattr(services.portal, "portal_limited", early_check_then_wait)
    monkeypatch.setattr(services.portal, "signal_record", slow_record)
    outcomes: list[object] = [None] * count

    def submit(index: int) -> None:
        try:
            outcomes[index] = services.portal_submit(
                facts={
                    "employer_name": "罗溪纺织有限公司",
                    "summary": f"同一来源并发提交 {index}",
                    "reporter_phone": f"1390000{index:04d}",
                    "amount": 100,
                    "workers": 1,
                },
                town=town,
                photos=[],
                ip=ip,
            )
        except Exception as exc:  # the test inspects whatever came out
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def set_submissions_per_hour(office, value: int) -> None:
    policy_parameter_set(
        actor=office,
        code="portal.submissions_per_hour",
        value=str(value),
        effective_from=timezone.localdate(),
        note="测试",
    )
