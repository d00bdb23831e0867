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

Each shard runs the ordinary ``scan.scan`` over its range (chunks of ``scan.CHUNK``, each locked,
written and announced on commit as in one process); re-running a shard is harmless, the scan is
idempotent. The shard that finishes last — decided under a row lock on the run — writes the run's
totals and ``finished_at``. A shard that fails is marked failed with its error and the run stays
unfinished: an unfinished run is never "the last complete scan", so the next tick scans everyone
again.
"""

from __future__ import annotations

import datetime
import traceback
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from anxin.core.audit import guarded_update
from anxin.monitoring import scan as scanning
from anxin.monitoring.models import ScanRun, ScanShard
from anxin.registry.models import Enterprise

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
        totals = scanning.scan(as_of=run.as_of, id_range=(shard.lo, shard.hi), now=now or run.started_at)
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
