"""Schemes for the scoring tests: built directly (the scheme editor has its own tests), activated."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from anxin.assessment.models import Indicator, Scheme, SchemeStatus
from anxin.org.models import User

BANDS = [
    {"grade": "优秀", "min": 90},
    {"grade": "良好", "min": 80},
    {"grade": "合格", "min": 60},
    {"grade": "不合格", "min": 0},
]


def scheme(
    *,
    year: int,
    group: str,
    by: User,
    indicators: list[dict[str, Any]],
    deduction_cap: str = "10",
    bonus_cap: str = "5",
    bands: list[dict] | None = None,
    status: str = SchemeStatus.ACTIVE,
) -> Scheme:
    """A scheme (active unless told) with the given indicator rows: ``{"code", "name", "kind",
    "measure", "points", "cap", "settings"}``."""
    made = Scheme.objects.create(
        year=year,
        group=group,
        title=f"{year}年度考核方案",
        status=status,
        deduction_cap=Decimal(deduction_cap),
        bonus_cap=Decimal(bonus_cap),
        grade_bands=bands or BANDS,
        created_by=by,
    )
    for order, row in enumerate(indicators):
        Indicator.objects.create(
            scheme=made,
            code=row["code"],
            name=row.get("name", row["code"]),
            kind=row["kind"],
            measure=row.get("measure", ""),
            points=Decimal(str(row["points"])),
            cap=None if row.get("cap") is None else Decimal(str(row["cap"])),
            settings=row.get("settings", {}),
            order=order,
        )
    return made
