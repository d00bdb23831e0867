"""A year ready for the finalisation tests: a town scheme and a department scheme in use, each with
two manual indicators, a deduction and a bonus scored by hand, so totals are known without measures."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from anxin.assessment.models import HandScore, Indicator, IndicatorKind, Scheme
from anxin.assessment.tests.factories_scoring import scheme
from anxin.org.models import Unit, User

YEAR = 2026
ROWS = [
    {"code": "work", "name": "日常工作", "kind": IndicatorKind.MANUAL, "points": 80},
    {"code": "lead", "name": "领导重视", "kind": IndicatorKind.MANUAL, "points": 20},
    {"code": "late", "name": "迟报扣分", "kind": IndicatorKind.DEDUCTION, "points": 1, "cap": 5},
    {"code": "extra", "name": "创新加分", "kind": IndicatorKind.BONUS, "points": 1, "cap": 3},
]


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, 0))


def schemes(office: User, year: int = YEAR) -> dict[str, Scheme]:
    return {
        group: scheme(year=year, group=group, by=office, indicators=[dict(r) for r in ROWS])
        for group in ("town", "department")
    }


def hand(office: User, unit_code: str, points: dict[str, str | int], year: int = YEAR) -> None:
    """The office's hand scores of one unit: ``{"work": 75, "lead": 18, "late": 2}``."""
    unit = Unit.objects.get(code=unit_code)
    for code, value in points.items():
        indicator = Indicator.objects.get(scheme__year=year, scheme__group=_group(unit), code=code)
        HandScore.objects.create(
            indicator=indicator, unit=unit, points=Decimal(str(value)), note="测试评分", scored_by=office
        )


def _group(unit: Unit) -> str:
    from anxin.assessment.access import group_of

    group = group_of(unit)
    assert group is not None
    return group
