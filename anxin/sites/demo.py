"""The sites' demo data (``manage.py load_demo``): one contribution, its parts in the order they need
each other — rosters and accounts, then the payrolls read from the rosters, then the deposits, then
the notice boards' contacts. Each part is idempotent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def load(*, actor: Any, log: Callable[[str], None]) -> None:
    from anxin.sites import demo_deposits, demo_handbook, demo_payroll, demo_roster

    for part in (demo_roster, demo_payroll, demo_deposits, demo_handbook):
        part.load(actor=actor, log=log)
