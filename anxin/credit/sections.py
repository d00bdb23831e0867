"""The pages credit composes from its own parts: the enterprise's 信用 tab and the 信用监管 overview.

Inside one app, not a seam: each part (listing, sanctions, publication, grades) appends its section in
its ``ready_*``; the composer renders them in order. A section is ``(request, enterprise) -> dict | None``
for the tab and ``(request) -> dict | None`` for the overview: the dict names the ``template`` to
include and whatever it reads; None leaves the section out (nothing to show, or not the user's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string

Section = Callable[..., dict | None]

TAB_SECTIONS: list[tuple[int, Section]] = []
OVERVIEW_CARDS: list[tuple[int, Section]] = []


def add(registry: list[tuple[int, Section]], order: int, section: Section) -> None:
    """Add once (``ready()`` may run again in tests)."""
    if all(existing is not section for _order, existing in registry):
        registry.append((order, section))
        registry.sort(key=lambda pair: pair[0])


def gather(registry: list[tuple[int, Section]], *args: Any) -> list[dict]:
    return [found for _order, section in registry if (found := section(*args)) is not None]


def render_tab(request: Any, enterprise: Any) -> str:
    return render_to_string(
        "credit/enterprise_tab.html",
        {"enterprise": enterprise, "sections": gather(TAB_SECTIONS, request, enterprise)},
        request=request,
    )


def enterprise_tabs(request: Any, enterprise: Any) -> list[dict]:
    if not request.user.has_perm("credit.view_listing"):
        return []
    return [{"key": "credit", "label": "信用", "render": render_tab}]


# Blocks on a listing's page from the other parts (sanctions: the tasks): ``(request, listing) -> dict | None``.
LISTING_SECTIONS: list[tuple[int, Section]] = []
