"""Domain events between apps, delivered after commit.

An earlier app must not import a later one (DESIGN: the flow). When an earlier app's change
matters to a later one — a new signal must re-assess its enterprise's risk — the earlier app
``publish``es a topic; after the transaction commits, every AppConfig with an
``on_event(topic, payload)`` method receives it. A failing receiver is logged, never undoes the
change that was committed.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import transaction

logger = logging.getLogger(__name__)


def _dispatch(topic: str, payload: dict) -> None:
    for config in apps.get_app_configs():
        receiver = getattr(config, "on_event", None)
        if receiver is None:
            continue
        try:
            receiver(topic, payload)
        except Exception:
            logger.exception("event %s: receiver %s failed", topic, config.label)


def publish(topic: str, **payload) -> None:
    """Deliver ``topic`` with ``payload`` to every receiver once the current transaction commits."""
    transaction.on_commit(lambda: _dispatch(topic, payload), robust=True)
