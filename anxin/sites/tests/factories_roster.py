"""Test helpers for the roster and the special account: a project with its general contractor and one
subcontractor, a worker's fields as typed, workers put on the roster."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from anxin.core.audit import system_actor
from anxin.money.tests.factories_claims import id_number
from anxin.registry.tests.factories import enterprise, project
from anxin.sites import services
from anxin.sites.models import RosterEntry

__all__ = ["add", "days_ago", "id_number", "site", "worker"]


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def site(
    *,
    town: str = "luoxi",
    supervisor: str = "construction",
    started: int | None = 60,
    status: str = "active",
    name: str = "",
) -> SimpleNamespace:
    """A project in ``town`` under ``supervisor`` started ``started`` days ago, with a general
    contractor (``gc``) and one subcontractor (``sub``); ``other``: a firm of neither."""
    kind = "water_construction" if supervisor == "water" else "construction"
    gc = enterprise(town=town, kinds=(kind,), industry="E")
    sub = enterprise(town=town, kinds=(kind,), industry="E")
    other = enterprise(town=town, kinds=(kind,), industry="E")
    fields: dict[str, Any] = {"status": status}
    if started is not None:
        fields["start_date"] = days_ago(started)
    if name:
        fields["name"] = name
    p = project(town=town, contractor=gc, supervisor=supervisor, subs=[sub], **fields)
    return SimpleNamespace(project=p, gc=gc, sub=sub, other=other)


def worker(n: int = 1, *, employer: Any, **kw: Any) -> dict[str, Any]:
    """Worker ``n``'s fields as ``roster_add`` takes them: on site since 10 days ago."""
    values: dict[str, Any] = {
        "name": f"工人{n}",
        "id_number": id_number(n),
        "phone": f"138{n:08d}",
        "employer": employer,
        "team": "木工班",
        "trade": "木工",
        "start_date": days_ago(10),
        "leave_date": None,
    }
    values.update(kw)
    return values


def add(s: SimpleNamespace, n: int = 1, *, actor: Any = None, **kw: Any) -> RosterEntry:
    """Worker ``n`` on the roster of ``s.project`` (employed by its general contractor by default)."""
    kw.setdefault("employer", s.gc)
    return services.roster_add(actor=actor or system_actor(), project=s.project, **worker(n, **kw))
