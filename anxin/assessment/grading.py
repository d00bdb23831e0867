"""The arithmetic every part shares: caps, totals and grades (§五(三); 国办发〔2023〕33号's A/B/C style).

``total = base − min(deductions, deduction_cap) + min(bonus, bonus_cap)``; the grade is the first band
(from the top) whose ``min`` the total reaches; a confirmed veto gives the lowest band whatever the
points. Points are ``Decimal`` with two places, rounded half up."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from anxin.core.errors import DomainError

CENT = Decimal("0.01")


def points(value: Any) -> Decimal:
    """Two places, rounded half up."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def capped(amount: Decimal, cap: Decimal | None) -> Decimal:
    """``amount`` (≥ 0) held at ``cap`` (None: no cap)."""
    amount = max(Decimal(0), amount)
    return points(amount if cap is None else min(amount, cap))


def validate_bands(bands: Any) -> list[dict]:
    """The bands as given, checked: a non-empty list of ``{"grade", "min"}`` with distinct names,
    strictly falling minimums, the last at 0. Raises ``DomainError`` in Chinese otherwise."""
    if not isinstance(bands, list) or not bands:
        raise DomainError("等次划分不能为空：至少设一个等次（如“合格，0 分以上”）。", code="invalid")
    seen: set[str] = set()
    last: Decimal | None = None
    cleaned = []
    for index, band in enumerate(bands, start=1):
        if not isinstance(band, dict) or not str(band.get("grade", "")).strip():
            raise DomainError(f"等次划分第 {index} 行缺少等次名称。", code="invalid")
        grade = str(band["grade"]).strip()
        try:
            minimum = points(band.get("min"))
        except Exception as exc:
            raise DomainError(f"等次“{grade}”的最低分不是数字。", code="invalid") from exc
        if grade in seen:
            raise DomainError(f"等次“{grade}”重复。", code="invalid")
        if last is not None and minimum >= last:
            raise DomainError(f"等次“{grade}”的最低分须低于上一等次（{last} 分）。", code="invalid")
        seen.add(grade)
        last = minimum
        cleaned.append({"grade": grade, "min": float(minimum)})
    if last != 0:
        raise DomainError("最低等次的最低分须为 0，使任何得分都有等次。", code="invalid")
    return cleaned


def grade_for(total: Decimal, bands: Iterable[dict], *, vetoed: bool = False) -> str:
    """The band ``total`` falls in; the lowest band when ``vetoed``."""
    ordered = list(bands)
    if not ordered:
        return ""
    if vetoed:
        return str(ordered[-1]["grade"])
    for band in ordered:
        if total >= points(band["min"]):
            return str(band["grade"])
    return str(ordered[-1]["grade"])


def total_of(
    base: Decimal, deductions: Decimal, bonus: Decimal, *, deduction_cap: Decimal, bonus_cap: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """(deductions after cap, bonus after cap, total)."""
    taken = capped(deductions, deduction_cap)
    added = capped(bonus, bonus_cap)
    return taken, added, points(base - taken + added)
