"""Background tasks of monitoring (django-tasks): each one a thin call of a service."""

from __future__ import annotations

import datetime

from django_tasks import task


@task(queue_name="scan")
def scan_shard(shard_id: int, now: str | None = None) -> dict:
    """Run one shard of a sharded full scan (``shards.shard_scan``) on the "scan" queue, which the
    scan workers listen to (deploy/anxin-scan@.service); ``now`` is the run's clock, ISO 8601."""
    from anxin.monitoring import shards

    return shards.shard_scan(shard_id=shard_id, now=datetime.datetime.fromisoformat(now) if now else None)
