"""The full scan split into shards (issue #20): the ranges cover every enterprise once, the shards
run as tasks of the database queue leave what one scan leaves, the last shard closes the run, a
failed shard leaves it unfinished. (Two workers at once on PostgreSQL: test_shards_postgres.py.)"""

from __future__ import annotations

import datetime
import itertools
import logging
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import strategies as st

from anxin.monitoring import scan, shards
from anxin.monitoring.models import Alert, RiskAssessment, RiskChange, ScanRun, ScanShard
from anxin.monitoring.tests.factories import observe
from anxin.notify import queue
from anxin.notify.models import Notification
from anxin.registry.models import Enterprise
from anxin.registry.tests.factories import enterprise as make_enterprise

D = datetime.date
AS_OF = D(2026, 11, 25)
NOW = datetime.datetime(2026, 11, 25, 9, 30, tzinfo=timezone.get_current_timezone())
Status = ScanShard.Status


@pytest.fixture
def database_queue(settings):
    """Production's queue (django-tasks-db) instead of the tests' inline backend: enqueueing only
    writes task rows; ``queue.run_ready_tasks`` is what ``manage.py db_worker --batch`` does (in a
    transactional test: the worker opens and closes its own transactions and connection)."""
    settings.TASKS = {
        "default": {"BACKEND": "anxin.notify.queue.DatabaseBackend", "QUEUES": ["default", "scan"]}
    }


@pytest.fixture
def data(world):
    """The small world plus a dozen more enterprises, three of them with findings (red, orange by
    arrears, and a social-insurance arrear for screening points)."""
    more = [
        make_enterprise(town=("luoxi", "xuejia", "sanjing")[n % 3], name=f"分片测试{n:02d}有限公司")
        for n in range(12)
    ]
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    observe(more[4], "wage_arrears_months", "2026-10", 2)
    observe(more[9], "si_arrears_months", "2026-11", 2)
    return world


# --- the ranges ----------------------------------------------------------------------------------


@given(ids=st.sets(st.integers(min_value=1, max_value=10**9), max_size=300), count=st.integers(1, 40))
def test_shards_cover_every_enterprise_exactly_once_with_even_counts(ids, count):
    ordered = sorted(ids)
    bounds = shards.shard_bounds(ordered, count)
    members = [[i for i in ordered if lo <= i <= hi] for lo, hi in bounds]
    assert sorted(i for group in members for i in group) == ordered  # each id once, none left out
    assert len(bounds) == min(count, len(ordered))
    assert all(group for group in members)  # no empty shard
    if members:
        sizes = [len(group) for group in members]
        assert max(sizes) - min(sizes) <= 1  # even by count, not by id span
    for (_, hi), (lo, _) in itertools.pairwise(bounds):
        assert lo == hi + 1  # ranges touch: an id created between two is in exactly one


def test_shard_ranges_follow_the_ids_not_their_span():
    ids = [1, 2, 3, 4, 5, 6, 1000, 2000, 3000]  # an import left a gap
    assert shards.shard_bounds(ids, 3) == [(1, 3), (4, 6), (7, 3000)]


def test_a_shard_count_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        shards.shard_bounds([1, 2], 0)


def test_the_scan_of_an_id_range_assesses_exactly_the_enterprises_in_it(data):
    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    lo, hi = ids[3], ids[8]
    totals = scan.scan(as_of=AS_OF, id_range=(lo, hi), now=NOW)
    assert totals["assessed"] == 6
    assert set(RiskAssessment.objects.values_list("enterprise_id", flat=True)) == set(ids[3:9])


# --- a sharded full scan -------------------------------------------------------------------------


def _outcome() -> dict:
    """What a scan leaves that a reader sees: assessments, level changes and alerts."""
    return {
        "assessments": sorted(
            RiskAssessment.objects.values_list(
                "enterprise_id", "level", "points", "findings", "as_of", "digest"
            )
        ),
        "changes": sorted(
            RiskChange.objects.values_list(
                "enterprise_id", "from_level", "to_level", "points", "rules", "as_of"
            )
        ),
        "alerts": sorted(
            Alert.objects.values_list(
                "enterprise_id", "rule", "level", "status", "explanation", "town_id", "unit_id", "opened_at"
            )
        ),
        "evidence": sorted(
            (e, r, repr(ev)) for e, r, ev in Alert.objects.values_list("enterprise_id", "rule", "evidence")
        ),
    }


@pytest.mark.django_db(transaction=True)
def test_a_sharded_full_scan_run_by_the_queue_leaves_what_one_scan_leaves(data, database_queue):
    before = _outcome()  # (each observation was re-assessed on its commit, as of today)
    with transaction.atomic():  # the scan in one go, recorded, then undone
        totals = scan.scan(as_of=AS_OF, now=NOW)
        in_one_go = _outcome()
        transaction.set_rollback(True)
    assert _outcome() == before != in_one_go and in_one_go["alerts"]

    run = scan.scan_district(as_of=AS_OF, now=NOW, full=True, shards=4, reason="分片测试")
    assert run.finished_at is None and run.mode == ScanRun.Mode.FULL
    assert list(run.shards.values_list("status", flat=True)) == [Status.PENDING] * 4
    tasks = DBTaskResult.objects.filter(task_path="anxin.monitoring.tasks.scan_shard")
    assert sorted(tasks.values_list("queue_name", flat=True)) == ["scan"] * 4
    assert _outcome() == before  # queued, not run here

    queue.run_ready_tasks()  # the worker (db_worker --batch), committing as in production

    run.refresh_from_db()
    assert run.finished_at is not None and run.seconds is not None
    assert run.assessed == Enterprise.objects.count() == 19
    assert set(run.shards.values_list("status", flat=True)) == {Status.DONE}
    assert _outcome() == in_one_go
    assert (run.assessed, run.changed, run.opened) == (
        totals["assessed"],
        totals["changed"],
        totals["opened"],
    )


def test_the_last_shard_to_finish_closes_the_run_with_the_totals(
    data, luoxi, database_queue, django_capture_on_commit_callbacks
):
    run = scan.scan_district(as_of=AS_OF, now=NOW, full=True, shards=3)
    first, second, third = run.shards.order_by("-lo")  # any order: here the last range first
    for shard in (first, second):
        shards.shard_scan(shard_id=shard.pk, now=NOW)
        run.refresh_from_db()
        assert run.finished_at is None and run.assessed == 0
    with django_capture_on_commit_callbacks(execute=True) as announced:
        shards.shard_scan(shard_id=third.pk, now=NOW)  # the world's red factory is in the first range
    assert announced and Notification.objects.filter(recipient=luoxi, topic="alert").exists()  # on commit
    run.refresh_from_db()
    done = list(run.shards.values_list("assessed", "status"))
    assert [status for _, status in done] == [Status.DONE] * 3
    assert run.finished_at is not None
    assert run.assessed == sum(count for count, _ in done) == 19
    assert run.finished_at == max(run.shards.values_list("finished_at", flat=True))
    # A shard delivered again (a retry, a task re-queued by hand) does not run twice.
    assert shards.shard_scan(shard_id=third.pk, now=NOW) == {"skipped": Status.DONE}


@pytest.mark.django_db(transaction=True)
def test_a_failed_shard_leaves_the_run_unfinished_and_the_next_tick_compares_with_the_last_complete_scan(
    data, database_queue, monkeypatch
):
    scan.scan_district(as_of=D(2026, 11, 24), now=NOW, full=True)  # yesterday's complete scan
    run = scan.scan_district(as_of=AS_OF, now=NOW, full=True, shards=3)
    broken = run.shards.order_by("lo")[1]
    real_scan = scan.scan

    def scan_failing_in_the_middle(**kwargs):
        if kwargs.get("id_range") == (broken.lo, broken.hi):
            raise RuntimeError("数据库连接中断")
        return real_scan(**kwargs)

    monkeypatch.setattr(scan, "scan", scan_failing_in_the_middle)
    queue.run_ready_tasks()

    broken.refresh_from_db()
    assert broken.status == Status.FAILED and "RuntimeError: 数据库连接中断" in broken.error
    assert broken.finished_at is not None
    assert sorted(run.shards.values_list("status", flat=True)) == [Status.DONE, Status.DONE, Status.FAILED]
    failed_task = DBTaskResult.objects.get(status="FAILED")
    assert "数据库连接中断" in failed_task.traceback
    run.refresh_from_db()
    assert run.finished_at is None and run.assessed == 0
    assert shards.in_flight() is None  # nothing left running: the tick does not wait for it

    # The last complete scan is still yesterday's: today's tick is that scan's next day (the same
    # basis: what is due by today, or changed since it began; a basis change would make it full).
    monkeypatch.setattr(scan, "scan", real_scan)
    again = scan.scan_district(as_of=AS_OF, now=NOW)
    assert again.mode == ScanRun.Mode.DAY and "11-24 → 11-25" in again.reason, again.reason

    # Re-running the failed shard is harmless, and as the last one it closes its run.
    shards.shard_scan(shard_id=broken.pk, now=NOW)
    run.refresh_from_db()
    assert run.finished_at is not None and run.assessed == 19


@pytest.mark.django_db(transaction=True)
def test_the_tick_queues_shards_when_asked_and_waits_for_them(data, database_queue, settings):
    settings.SCAN_SHARDS = 2
    assert scan.scan_sweep(now=NOW) == 0  # queued: the workers assess
    assert ScanRun.objects.count() == 1 and ScanShard.objects.count() == 2
    assert scan.scan_sweep(now=NOW) == 0  # under way: not queued again
    assert ScanRun.objects.count() == 1 and ScanShard.objects.count() == 2
    queue.run_ready_tasks()
    assert ScanRun.objects.get().finished_at is not None
    scan.scan_sweep(now=NOW)  # after it: the usual changed-only scan, in this process
    latest = ScanRun.objects.order_by("-started_at").first()
    assert latest.mode == ScanRun.Mode.CHANGED and not latest.shards.exists()


def test_a_run_abandoned_by_its_workers_does_not_block_the_tick_for_ever(data, database_queue, settings):
    settings.SCAN_SHARDS = 2
    scan.scan_sweep(now=NOW)
    ScanShard.objects.update(status=Status.RUNNING)  # a worker killed mid-shard
    assert shards.in_flight() is not None
    ScanRun.objects.update(started_at=timezone.now() - shards.PATIENCE - datetime.timedelta(minutes=1))
    assert shards.in_flight() is None
    scan.scan_sweep(now=NOW)
    assert ScanRun.objects.count() == 2  # the tick queued the district again


def test_without_shards_the_tick_scans_in_its_own_process(data, database_queue):
    assert scan.scan_sweep(now=NOW) == 19
    assert not ScanShard.objects.exists() and not DBTaskResult.objects.exists()


def test_a_district_with_no_enterprise_is_a_finished_run_with_no_shard(district, database_queue):
    run = scan.scan_district(as_of=AS_OF, now=NOW, full=True, shards=4)
    assert run.finished_at is not None and run.assessed == 0 and not run.shards.exists()


# --- manage.py scan --shards ------------------------------------------------------------------------


def test_the_command_queues_shards(data, database_queue):
    out = StringIO()
    call_command("scan", "--full", "--shards", "3", "--as-of", "2026-11-25", stdout=out)
    assert "已分成 3 个分片排入 scan 队列" in out.getvalue()
    assert DBTaskResult.objects.filter(queue_name="scan", status="READY").count() == 3


def test_the_command_waits_for_the_run_when_asked(data):
    out = StringIO()  # the tests' inline backend: the shards run as they are queued
    call_command("scan", "--shards", "3", "--wait", "--as-of", "2026-11-25", stdout=out)
    assert "已评估 19 家企业" in out.getvalue()


def test_the_command_says_which_shard_failed(data, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(scan, "scan", broken)
    with pytest.raises(CommandError, match=r"3 个分片失败.*磁盘已满"):
        call_command("scan", "--shards", "3", "--wait", "5", "--as-of", "2026-11-25", stdout=StringIO())


def test_the_command_refuses_wait_without_shards(data):
    with pytest.raises(CommandError, match="--wait 只能与 --shards 同用"):
        call_command("scan", "--wait", stdout=StringIO())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's one write lock: PostgreSQL locks rows")
@pytest.mark.django_db(transaction=True)
def test_on_sqlite_a_chunk_that_met_another_writer_runs_again_holding_the_write_lock(
    data, database_queue, monkeypatch, caplog
):
    with transaction.atomic():  # what one scan finds, then undone
        expected = scan.scan(as_of=AS_OF, now=NOW)
        in_one_go = _outcome()
        transaction.set_rollback(True)
    run = scan.scan_district(as_of=AS_OF, now=NOW, full=True, shards=1)
    real_load_facts, writes = scan.load_facts, []

    def load_facts_then_another_worker_commits(*args, **kwargs):
        facts = real_load_facts(*args, **kwargs)
        if not writes:  # once: while this chunk has read (without the write lock), another commits

            def other_worker():
                writes.append(ScanRun.objects.filter(pk=run.pk).update(reason="另一个工作进程的写入"))
                connection.close()

            thread = threading.Thread(target=other_worker)
            thread.start()
            thread.join(timeout=30)
        return facts

    monkeypatch.setattr(scan, "load_facts", load_facts_then_another_worker_commits)
    with caplog.at_level(logging.INFO, logger="anxin.monitoring.shards"):
        totals = shards.shard_scan(shard_id=run.shards.get().pk, now=NOW)

    assert writes == [1]  # the other write went through: this chunk did not hold the lock
    assert "again holding the write lock" in caplog.text  # its own write was refused, so it ran again
    assert totals == expected and _outcome() == in_one_go
    run.refresh_from_db()
    assert run.finished_at is not None and run.assessed == 19
