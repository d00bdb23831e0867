"""Concurrent intake writes under PostgreSQL: one signal per (channel, reference), one verdict.

SQLite serialises write transactions, so these races exist only on PostgreSQL.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.intake import services
from anxin.intake.models import Channel, Signal
from anxin.registry.tests.factories import enterprise

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two writers never race",
    ),
]


def _run_both(target) -> list[object]:
    outcomes: list[object] = [None, None]

    def run(index: int) -> None:
        try:
            outcomes[index] = target(index)
        except Exception as exc:  # the test inspects whatever came out
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_channels_sending_one_reference_at_once_leave_one_signal(district, monkeypatch):
    company = enterprise(town="luoxi")
    channel = Channel.objects.get(code="hotline-12333")
    barrier = threading.Barrier(2, timeout=10)
    insert = services.recording._bulk_insert

    # Both have looked for the reference and found nothing; now both insert.
    def insert_after_both_looked(signals):
        barrier.wait()
        return insert(signals)

    monkeypatch.setattr(services.recording, "_bulk_insert", insert_after_both_looked)
    received = timezone.now()

    def send(index: int):
        return services.signal_record(
            actor=system_actor(),
            channel=channel,
            reference="RACE-1",
            kind="wage_complaint",
            received_at=received,
            summary=f"第{index}次推送",
            employer_uscc=company.uscc,
        )

    outcomes = _run_both(send)
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], DomainError) and refused[0].field == "reference", repr(refused[0])
    assert Signal.objects.filter(channel=channel, reference="RACE-1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_officers_verifying_at_once_leave_one_verdict(district):
    company = enterprise(town="luoxi")
    signal = services.signal_record(
        actor=system_actor(),
        channel=Channel.objects.get(code="hotline-12333"),
        reference="RACE-2",
        kind="wage_complaint",
        received_at=timezone.now(),
        summary="并发核实",
        employer_uscc=company.uscc,
    ).signal
    barrier = threading.Barrier(2, timeout=10)
    results = ["substantiated", "unfounded"]

    def verify(index: int):
        stale = Signal.objects.get(pk=signal.pk)
        barrier.wait()
        return services.signal_verify(
            actor=system_actor(), signal=stale, result=results[index], note=f"第{index}人"
        )

    outcomes = _run_both(verify)
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], DomainError), outcomes
    assert refused[0].code == "conflict"
    signal.refresh_from_db()
    assert signal.events.filter(action="verify").count() == 1
