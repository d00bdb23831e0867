"""Domain events between apps, delivered after commit.

An earlier app must not import a later one (DESIGN: the flow). When an earlier app's change
matters to a later one — a new signal must re-assess its enterprise's risk — the earlier app
``publish``es one of the topics declared in ``core.seam.TOPICS``; after the transaction commits,
every receiver registered at ``seam.EVENT_RECEIVERS`` gets it. A failing receiver is logged,
never undoes the change that was committed.
"""

from __future__ import annotations

import logging

from django.db import transaction

from anxin.core import seam

logger = logging.getLogger(__name__)


def _dispatch(topic: str, payload: dict) -> None:
    for receiver in seam.collect(seam.EVENT_RECEIVERS):
        try:
            receiver(topic, payload)
        except Exception:
            logger.exception("event %s: receiver %r failed", topic, receiver)


def publish(topic: str, **payload: object) -> None:
    """Deliver ``topic`` (declared in ``seam.TOPICS``) with ``payload`` to every receiver once the
    current transaction commits. An undeclared topic raises at once."""
    seam.check_topic(topic)
    transaction.on_commit(lambda: _dispatch(topic, payload), robust=True)
