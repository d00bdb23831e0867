"""The full risk scan split into shards run by any number of worker processes (issue #20).

A sharded full scan is one ``ScanRun`` and N ``ScanShard`` rows, each an inclusive range of
enterprise ids holding about the same number of enterprises, and one background task per shard on
the "scan" queue (``tasks.scan_shard``). Any ``manage.py db_worker --queue-name scan`` process, on
this machine or another one sharing the database, takes the next task: django-tasks-db claims a
task row with ``SELECT … FOR UPDATE SKIP LOCKED`` inside a transaction (``DBTaskResult.objects
.get_locked()`` in django_tasks_db/models.py, called by ``Worker.run`` in
django_tasks_db/management/commands/db_worker.py; on SQLite the same transaction is ``BEGIN
EXCLUSIVE``), so two workers never take the same task. The shard's own status moves by a
conditional update as well (pending/failed → running), so a task delivered twice — a retry, a
task enqueued again by hand — does not run a shard that is running or done.

Each shard runs the ordinary ``scan.scan`` over its range, one chunk of ``scan.CHUNK`` at a time
(each locked, written and announced on commit as in one process; on SQLite read without the write
lock first, see ``_scan_range``); re-running a shard is harmless, the scan is idempotent. The
shard that finishes last — decided under a row lock on the run — writes the run's totals and
``finished_at``. A shard that fails is marked failed with its error and the run stays
unfinished: an unfinished run is never "the last complete scan", so the next tick scans everyone
again.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import traceback
from collections import defaultdict
from collections.abc import Iterator, Sequence

from django.db import OperationalError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django_tasks_db.utils import is_locked_database_exception

from anxin.core.audit import guarded_update
from anxin.monitoring import scan as scanning
from anxin.monitoring.models import ScanRun, ScanShard
from anxin.registry.models import Enterprise

logger = logging.getLogger(__name__)
Status = ScanShard.Status
# A sharded run whose shards are still queued or running is not started again by the tick; after
# this long it is taken as abandoned (a worker killed mid-shard leaves its shard "running" forever).
PATIENCE = datetime.timedelta(hours=1)


def shard_bounds(ids: Sequence[int], shards: int) -> list[tuple[int, int]]:
    """Split the sorted, distinct ``ids`` into at most ``shards`` inclusive ranges with about the
    same number of ids each (not the same id span: deleted and imported enterprises leave the ids
    uneven). The ranges touch (each starts one past the previous end), so an enterprise created
    between them while the scan runs falls in one range, never in none or two."""
    if shards < 1:
        raise ValueError("shards must be at least 1")
    if not ids:
        return []
    count = min(shards, len(ids))
    ends = [ids[(len(ids) * (k + 1)) // count - 1] for k in range(count)]
    starts = [ids[0], *(end + 1 for end in ends[:-1])]
    return list(zip(starts, ends, strict=True))


def enqueue(run: ScanRun, *, shards: int, now: datetime.datetime) -> ScanRun:
    """Split the full scan ``run`` into shards and queue one task each; returns the run (finished
    already when there is no enterprise to scan). The shard rows and their tasks' rows are written
    in one transaction: a worker never meets a task whose shard is not there yet, and a crash
    leaves neither."""
    from anxin.monitoring.tasks import scan_shard

    ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
    bounds = shard_bounds(ids, shards)
    if not bounds:
        _close(run, timezone.now())
        return run
    with transaction.atomic():
        created = ScanShard.objects.bulk_create(ScanShard(run=run, lo=lo, hi=hi) for lo, hi in bounds)
        for shard in created:
            # The run's clock, not the worker's: the alerts a shard opens are stamped as in one process.
            scan_shard.enqueue(shard_id=shard.pk, now=now.isoformat())
    run.refresh_from_db()  # an inline backend (tests) has run the shards already
    return run


def shard_scan(*, shard_id: int, now: datetime.datetime | None = None) -> dict:
    """Run one shard (the task's body): claim it, scan its range as of its run's day, record the
    counts, and close the run if it was the last. A shard running elsewhere or done already is
    left alone (``{"skipped": status}``)."""
    shard = ScanShard.objects.select_related("run").get(pk=shard_id)
    claimable = ScanShard.objects.filter(status__in=[Status.PENDING, Status.FAILED])
    if not guarded_update(claimable, shard_id, status=Status.RUNNING, started_at=timezone.now(), error=""):
        shard.refresh_from_db(fields=["status"])
        return {"skipped": shard.status}
    run = shard.run
    try:
        totals = _scan_range(shard.lo, shard.hi, as_of=run.as_of, now=now or run.started_at)
    except Exception:
        # Recorded, then raised again: the task result says failed too, with the same traceback.
        ScanShard.objects.filter(pk=shard_id).update(
            status=Status.FAILED, finished_at=timezone.now(), error=traceback.format_exc()[-4000:]
        )
        raise
    with transaction.atomic():
        # The run's row lock first, then this shard's result, then the count of shards not done:
        # two shards finishing together take turns here, and only the second sees none left. (On
        # SQLite select_for_update is a no-op; the IMMEDIATE write transaction is the lock.)
        run = ScanRun.objects.select_for_update().get(pk=run.pk)
        finished = timezone.now()
        ScanShard.objects.filter(pk=shard_id).update(
            status=Status.DONE,
            assessed=totals["assessed"],
            changed=totals["changed"],
            opened=totals["opened"],
            finished_at=finished,
        )
        if run.finished_at is None and not run.shards.exclude(status=Status.DONE).exists():
            _close(run, finished)
    return totals


def _scan_range(lo: int, hi: int, *, as_of: datetime.date, now: datetime.datetime) -> dict:
    """``scan.scan`` over the ids ``lo``..``hi``, one call per chunk of ``scan.CHUNK`` (so a chunk
    can be run again alone), with the totals summed.

    On SQLite each chunk first runs in a DEFERRED transaction: it reads and assesses without the
    write lock, which an IMMEDIATE transaction (the project's SQLite setting) would hold from its
    first statement — and SQLite has one write lock, so two workers would only take turns. A chunk
    that writes nothing (an unchanged scan) never asks for the lock. A chunk that must write asks
    for it at its first write; if another worker committed since this chunk began reading, SQLite
    refuses ("database is locked": the chunk's snapshot is stale) instead of letting it write on
    what it read — the whole chunk rolls back (its notices with it: they are sent on commit) and
    runs again in an IMMEDIATE transaction, holding the lock from the start. PostgreSQL needs none
    of this: the chunk's row locks (SELECT … FOR UPDATE on its enterprises) serialise only
    re-assessments of the same enterprises."""
    ids = list(Enterprise.objects.filter(pk__gte=lo, pk__lte=hi).order_by("pk").values_list("pk", flat=True))
    pieces = shard_bounds(ids, -(-len(ids) // scanning.CHUNK)) if ids else []
    if pieces:  # the first and the last reach the shard's ends: one created meanwhile is not left out
        pieces[0], pieces[-1] = (lo, pieces[0][1]), (pieces[-1][0], hi)
    totals: dict[str, int] = defaultdict(int)
    for piece in pieces:
        if connection.vendor == "sqlite":
            try:
                with _deferred():
                    counts = scanning.scan(as_of=as_of, id_range=piece, now=now)
            except OperationalError as exc:
                if not is_locked_database_exception(exc):
                    raise
                logger.info("scan chunk %s–%s met another writer; again holding the write lock", *piece)
                counts = scanning.scan(as_of=as_of, id_range=piece, now=now)
        else:
            counts = scanning.scan(as_of=as_of, id_range=piece, now=now)
        for key, value in counts.items():
            totals[key] += value
    return dict(totals)


@contextlib.contextmanager
def _deferred() -> Iterator[None]:
    """This connection's transactions begin DEFERRED (SQLite) while inside; as
    django_tasks_db.utils.exclusive_transaction switches them to EXCLUSIVE to claim a task."""
    if connection.in_atomic_block:  # inside a caller's transaction: its mode stands
        yield
        return
    connection.ensure_connection()
    mode = connection.transaction_mode  # type: ignore[attr-defined]
    connection.transaction_mode = None  # type: ignore[attr-defined]
    try:
        yield
    finally:
        connection.transaction_mode = mode  # type: ignore[attr-defined]


def _close(run: ScanRun, finished: datetime.datetime) -> None:
    """The run's totals are its shards' sums; it is complete from now on."""
    sums = run.shards.aggregate(assessed=Sum("assessed"), changed=Sum("changed"), opened=Sum("opened"))
    run.assessed, run.changed, run.opened = (sums[key] or 0 for key in ("assessed", "changed", "opened"))
    run.finished_at = finished
    run.seconds = round((finished - run.started_at).total_seconds(), 2)
    run.save(update_fields=["assessed", "changed", "opened", "finished_at", "seconds"])


def in_flight(*, now: datetime.datetime | None = None) -> ScanRun | None:
    """The latest sharded run still under way (a shard queued or running, started within
    ``PATIENCE``): the tick leaves it to finish rather than queue the district again."""
    since = (now or timezone.now()) - PATIENCE
    return (
        ScanRun.objects.filter(
            finished_at__isnull=True,
            started_at__gte=since,
            shards__status__in=[Status.PENDING, Status.RUNNING],
        )
        .order_by("-started_at")
        .first()
    )
