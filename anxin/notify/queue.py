"""The task queue: django-tasks with its database backend (django-tasks-db), the database as queue.

Production runs the worker as its own service (``manage.py db_worker``, deploy/anxin-tasks.service).
``make run`` starts one process only, so with ``OPTIONS["drain_in_process"]`` (on when DEBUG is on)
the web process itself runs what it queued: right after each enqueue commits, a short thread takes
the ready tasks one by one, exactly as the worker would, and ends when none is left. The request
that queued them never waits for it. Production leaves the option off: a slow gateway must hold a
worker, not a gunicorn process.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import connections, transaction
from django.utils.crypto import get_random_string
from django_tasks_db import DatabaseBackend as _DatabaseBackend

logger = logging.getLogger(__name__)


class DatabaseBackend(_DatabaseBackend):
    """django-tasks-db's backend; ``OPTIONS={"drain_in_process": True}`` adds the in-process drain."""

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        result: Any = super().enqueue(task, args, kwargs)
        if self.options.get("drain_in_process"):
            # After commit: the drain's own connection must see the task row.
            transaction.on_commit(lambda: drain_in_thread(self.alias), robust=True)
        return result


def run_ready_tasks(backend_name: str = "default") -> None:
    """Run every task of the database backend that is ready now, in this thread, then return
    (``db_worker --batch`` without its signal handlers, which only a main thread may set)."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=backend_name,
        startup_delay=False,
        max_tasks=None,
        worker_id=f"drain-{get_random_string(12)}",
        excluded_queue_names=[],
    ).run()


_lock = threading.Lock()
_again = threading.Event()
_threads: list[threading.Thread] = []


def drain_in_thread(backend_name: str = "default") -> threading.Thread | None:
    """Start the drain unless one is running (that one runs again before it stops, so a task
    queued meanwhile is not left behind). Returns the thread started, if any."""
    _again.set()
    if not _lock.acquire(blocking=False):
        return None

    def drain() -> None:
        try:
            while _again.is_set():
                _again.clear()
                run_ready_tasks(backend_name)
        except Exception:
            logger.exception("in-process task drain failed; the tick sweep sends what is left")
        finally:
            connections.close_all()
            _lock.release()
        if _again.is_set():  # queued while this drain was stopping, by a caller who found it running
            drain_in_thread(backend_name)

    # Not a daemon: a management command that queued a message (tick, load_demo) waits for it
    # to be handed over before the process ends.
    thread = threading.Thread(target=drain, name="anxin-task-drain")
    _threads[:] = [t for t in _threads if t.is_alive()] + [thread]
    thread.start()
    return thread


def wait_for_drains(timeout: float = 30) -> None:
    """Wait for the drains started so far (tests, and anyone who must see the result)."""
    for thread in list(_threads):
        thread.join(timeout)
