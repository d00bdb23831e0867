"""What a computed indicator measures (§五(三) 细化考核标准): a registry of measures, each computing, for
one unit and one period, a value with the records behind it.

Inside one app, not a seam: each part of the app registers its measures in its ``ready_<part>()``
(``register(Measure(...))``); the scoring reads ``get(key)``. A measure reads the earlier apps through
their own selectors, as the unit's users see them (``reports.figures.viewer_for(unit)``), so that its
value equals what the ledgers show for the same unit, period and filter.

``kind`` says how the scoring turns the result into points:

- ``share`` — ``value = numerator / denominator`` (0–1; e.g. signals verified within the deadline out of
  those due in the period); the indicator's ``settings`` ``full_at`` / ``zero_at`` give full marks at or
  above ``full_at``, none at or below ``zero_at``, linear between; nothing due (denominator 0) is full
  marks, said so in the line.
- ``count`` — ``value = numerator`` (e.g. publicity activities held); ``settings["target"]`` gives full
  marks at or above the target, pro rata below. As a deduction or bonus item: ``points`` per
  occurrence, at most the item's ``cap``.
- ``points`` — the value is already points (e.g. the deductions the office set on findings); as a
  deduction or bonus item it counts as it is, at most the item's ``cap``.

A record is a dict (JSON): ``kind`` (e.g. "signal"), ``id``, ``label`` (number and subject), ``url``
(its page), ``unit`` (the unit that had to act), ``due`` and ``done`` (ISO dates or datetimes, or
None), ``met`` (True, False, or None where no deadline applies), ``note`` (e.g. "逾期 1 个工作日").
Missed ones first. ``params``: each policy parameter the measure used, ``{code: {"name", "value",
"unit", "citation"}}``, so the score shows which clause and value decided."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from anxin.core.errors import DomainError
from anxin.org.models import Unit

SHARE, COUNT, POINTS = "share", "count", "points"


@dataclass
class Result:
    """What a measure found: see the module."""

    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None
    records: list[dict] = field(default_factory=list)
    params: dict[str, dict] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Measure:
    """One measure: ``key`` (what an indicator's ``measure`` names), its Chinese ``label``, its
    ``kind`` (share, count, points), the ``clause`` it answers, ``formula`` in words (shown on the
    score page), the unit ``groups`` it suits (town, department) and ``compute(unit, start, end,
    settings) -> Result`` for the period ``start``..``end`` (both included)."""

    key: str
    label: str
    kind: str
    clause: str
    formula: str
    compute: Callable[[Unit, datetime.date, datetime.date, dict], Result]
    groups: tuple[str, ...] = ("town", "department")
    money: bool = False  # numerator and denominator are fen (shown as yuan)


MEASURES: dict[str, Measure] = {}

_NOW: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar(
    "assessment_now", default=None
)


@contextlib.contextmanager
def as_of(moment: datetime.datetime) -> Iterator[None]:
    """Measures computed inside see ``moment`` as now (the ``now`` the scoring was given, e.g. ``tick
    --now``): what is not yet due, and how late an undone one is, are told against it."""
    token = _NOW.set(moment)
    memo = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(memo)
        _NOW.reset(token)


_MEMO: contextvars.ContextVar[dict | None] = contextvars.ContextVar("assessment_measures_memo", default=None)


def remembered(key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, once per ``as_of`` block for the same ``key``: two measures reading the same records
    of one unit and period (the on-time share and the count of the late ones) read them once. Outside
    ``as_of`` nothing is remembered."""
    memo = _MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def now() -> datetime.datetime:
    """The moment the measures are computed at: ``as_of``'s, else the wall clock."""
    from django.utils import timezone

    return _NOW.get() or timezone.now()


def today() -> datetime.date:
    """The district's local date of ``now()``."""
    from django.utils import timezone

    return timezone.localdate(now())


def register(measure: Measure) -> None:
    """Add or replace (``ready()`` may run again in tests) a measure under its key."""
    if measure.kind not in (SHARE, COUNT, POINTS):
        raise ValueError(f"measure {measure.key}: unknown kind {measure.kind!r}")
    MEASURES[measure.key] = measure


def get(key: str) -> Measure:
    """The measure named ``key``, or a refusal in Chinese (a scheme naming an unknown measure)."""
    try:
        return MEASURES[key]
    except KeyError:
        raise DomainError(
            f"计算口径“{key}”不存在，请在考核方案中选择系统提供的口径。", code="invalid"
        ) from None


def is_money(key: str) -> bool:
    """Whether the measure named ``key`` counts fen (its numerator and denominator shown as yuan)."""
    measure = MEASURES.get(key) if key else None
    return bool(measure and measure.money)


def choices() -> list[tuple[str, str]]:
    """(key, label) of every measure, for the scheme editor."""
    return sorted(((m.key, m.label) for m in MEASURES.values()), key=lambda pair: pair[0])


def parameter(code: str, *, on: datetime.date) -> dict:
    """A policy parameter as a measure reports it in ``params``: name, value, unit, citation."""
    from anxin.core.policy import param_record

    record = param_record(code, on=on)
    return {"name": record.name, "value": str(record.value), "unit": record.unit, "citation": record.citation}


def share(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator to four places; None when nothing was due."""
    if denominator <= 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"))


def missed_first(records: list[dict]) -> list[dict]:
    """Records with the missed ones (``met`` False) first, then by due date."""
    return sorted(
        records, key=lambda r: (r.get("met") is not False, str(r.get("due") or ""), str(r.get("label")))
    )


def as_iso(value: Any) -> str | None:
    """A date (ISO) or a datetime (the district's local time, to the minute: "2026-06-01 18:00") as
    text for a record; None stays None. Local time, because the record is read by the unit and printed
    on the score page as it is."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()
