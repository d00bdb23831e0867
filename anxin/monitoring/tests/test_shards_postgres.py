"""Two scan workers at once under PostgreSQL: each shard is run once, and the run is closed once.

django-tasks-db's worker claims a task with ``SELECT … FOR UPDATE SKIP LOCKED`` (``get_locked`` in
django_tasks_db/models.py): a second worker skips the row the first is claiming instead of waiting
for it and taking it too. The last shard closes the run under a row lock on the run. Both only mean
something when two connections really overlap, which SQLite (one writer at a time) never lets
happen — so this runs on PostgreSQL only.
"""

from __future__ import annotations

import collections
import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from anxin.monitoring import scan, shards
from anxin.monitoring.models import RiskAssessment, ScanShard
from anxin.notify import queue
from anxin.registry.models import Enterprise
from anxin.registry.tests.factories import enterprise as make_enterprise

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite runs one write transaction at a time, so two workers never overlap",
    ),
]

AS_OF = datetime.date(2026, 11, 25)
NOW = datetime.datetime(2026, 11, 25, 9, 30, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        "default": {"BACKEND": "anxin.notify.queue.DatabaseBackend", "QUEUES": ["default", "scan"]}
    }


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_shards_at_once_run_each_shard_once_and_close_the_run_once(
    world, database_queue, monkeypatch
):
    for n in range(17):
        make_enterprise(town=("luoxi", "xuejia", "sanjing")[n % 3], name=f"并发分片{n:02d}有限公司")
    run = scan.scan_district(as_of=AS_OF, now=NOW, full=True, shards=8)
    assert run.shards.count() == 8

    ran: list[tuple[int, str]] = []
    closed: list[int] = []
    claims: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()
    both_claiming = threading.Barrier(2, timeout=20)
    real_claim, real_shard_scan, real_close = DBTaskResult.claim, shards.shard_scan, shards._close

    def claim(self, worker_id):
        # Each worker's first claim waits, inside its claiming transaction (its task row locked),
        # for the other's: the second worker's SELECT … FOR UPDATE SKIP LOCKED must pass over the
        # row the first holds and take another. A plain FOR UPDATE would wait for that row here
        # and the barrier would time out.
        with lock:
            claims[threading.current_thread().name] += 1
            first = claims[threading.current_thread().name] == 1
        if first:
            both_claiming.wait()
        real_claim(self, worker_id)

    def shard_scan(*, shard_id, now=None):
        with lock:
            ran.append((shard_id, threading.current_thread().name))
        return real_shard_scan(shard_id=shard_id, now=now)

    def close(run, finished):
        with lock:
            closed.append(run.pk)
        real_close(run, finished)

    monkeypatch.setattr(DBTaskResult, "claim", claim)
    monkeypatch.setattr(shards, "shard_scan", shard_scan)
    monkeypatch.setattr(shards, "_close", close)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            queue.run_ready_tasks()  # db_worker --batch: claim, run, until the queue is empty
        except BaseException as exc:  # the test reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, name=f"scan-worker-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads) and not errors, errors
    per_shard = collections.Counter(shard_id for shard_id, _ in ran)
    assert sorted(per_shard) == sorted(run.shards.values_list("pk", flat=True))
    assert set(per_shard.values()) == {1}  # no shard run twice
    assert {name for _, name in ran} == {"scan-worker-0", "scan-worker-1"}  # both took part
    assert closed == [run.pk]  # closed once, by the last
    run.refresh_from_db()
    assert run.finished_at is not None and run.assessed == Enterprise.objects.count() == 24
    assert set(run.shards.values_list("status", flat=True)) == {ScanShard.Status.DONE}
    assert RiskAssessment.objects.count() == 24
