"""The pages the conference composes from its own parts: the meeting's page and the plenary pack.

Inside one app, not a seam: the meetings part renders the meeting's page and prepares the pack; the
minutes part appends its blocks in its ``ready_*``. A section is ``(request, meeting) -> dict | None``
for the meeting page (the dict names the ``template`` to include and whatever it reads; None leaves
it out) and ``(meeting, start, end) -> dict`` for the pack (a JSON-able part of the snapshot: its
``key``, ``title`` and data; the pack's Word and page render each part by its ``template``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Section = Callable[..., dict | None]

MEETING_SECTIONS: list[tuple[int, Section]] = []
PACK_SECTIONS: list[tuple[int, Section]] = []


def add(registry: list[tuple[int, Section]], order: int, section: Section) -> None:
    """Add once (``ready()`` may run again in tests)."""
    if all(existing is not section for _order, existing in registry):
        registry.append((order, section))
        registry.sort(key=lambda pair: pair[0])


def gather(registry: list[tuple[int, Section]], *args: Any) -> list[dict]:
    return [found for _order, section in registry if (found := section(*args)) is not None]
