"""The figures a periodic report, a roll-up and the office's analysis are prefilled with (§五(二)).

Each figure is computed from Anxin's own records **through the same selectors the ledgers use**, for
one unit's scope (a town: its territory; a department: its line and its assignments; the office: the
whole district) and one period (first and last day, both inclusive, Asia/Shanghai), so a report says
exactly what the ledger shows for the same scope and dates — and links there (``link``).

``FIGURES`` is the catalogue, in the order a report prints them; a template names the codes it uses.
``figures_for(unit, start, end, codes)`` computes them for a unit as its users would see them
(``viewer_for``: an unsaved user of the unit with the role its kind gets, so ``for_user`` scopes the
queries exactly as for a real user of the unit). The result is what ``PeriodicReport.figures`` keeps:
``{code: {"label", "value", "unit", "group", "link", "basis"}}``.

The periodic part fills the catalogue; the office part reads it for the district and per unit."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from anxin.org.models import Role, Unit, UnitKind, User

# The role a unit's report is computed as (its users' role).
ROLE_OF_KIND = {
    UnitKind.TOWN_GOVERNMENT: Role.TOWN,
    UnitKind.DEPARTMENT: Role.DEPARTMENT,
    UnitKind.OFFICE: Role.OFFICE,
    UnitKind.LEADERSHIP: Role.LEADER,
}


@dataclass(frozen=True)
class Figure:
    """One figure: its code, label, unit of measure (件, 家, 人, 元…), the group it is printed under,
    ``compute(viewer, start, end) -> int`` (fen for money: shown and exported as yuan), and
    ``link(start, end) -> str`` (the ledger filtered to the same dates; the viewer's own scope does
    the rest) or None when no ledger shows it."""

    code: str
    label: str
    unit: str
    group: str
    compute: Callable[[Any, datetime.date, datetime.date], int]
    link: Callable[[datetime.date, datetime.date], str] | None = None
    money: bool = False


def viewer_for(unit: Unit) -> User:
    """An unsaved user of ``unit`` with the role its kind gets: ``for_user(viewer)`` sees what the
    unit's users see. Never saved, never logged in; has no permissions (figures use scopes only)."""
    role = ROLE_OF_KIND.get(unit.kind, "")  # type: ignore[call-overload]
    return User(username=f"report-viewer-{unit.code}", unit=unit, role=role, is_active=True)


def _ledger(url_name: str, **params: Any) -> Callable[[datetime.date, datetime.date], str]:
    def link(start: datetime.date, end: datetime.date) -> str:
        query = {k: v for k, v in params.items() if v not in ("", None)}
        query.update(date_from=start.isoformat(), date_to=end.isoformat())
        return f"{reverse(url_name)}?{urlencode(query)}"

    return link


def _signals_received(viewer: Any, start: datetime.date, end: datetime.date) -> int:
    from anxin.intake.selectors import signal_list

    return signal_list(user=viewer, date_from=start, date_to=end).count()


FIGURES: dict[str, Figure] = {
    f.code: f
    for f in (
        Figure(
            "signals_received",
            "收到欠薪线索",
            "条",
            "线索",
            _signals_received,
            _ledger("signal-list"),
        ),
    )
}


def figures_for(
    unit: Unit, start: datetime.date, end: datetime.date, codes: list[str] | None = None
) -> dict[str, dict]:
    """The figures ``codes`` (all when None) for ``unit`` over ``start`` … ``end``, as a report keeps them."""
    viewer = viewer_for(unit)
    basis = f"{unit.name}可见范围，{start.isoformat()} 至 {end.isoformat()}"
    found: dict[str, dict] = {}
    for code in codes if codes is not None else list(FIGURES):
        figure = FIGURES[code]
        found[code] = {
            "label": figure.label,
            "value": figure.compute(viewer, start, end),
            "unit": figure.unit,
            "group": figure.group,
            "money": figure.money,
            "link": figure.link(start, end) if figure.link else "",
            "basis": basis,
        }
    return found
