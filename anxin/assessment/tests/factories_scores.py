"""Test measures and schemes for the scoring part's tests: measures with known results (the real
measures have their own tests against the ledgers), a town and a department scheme using them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from anxin.assessment import measures
from anxin.assessment.models import IndicatorKind, Scheme
from anxin.assessment.tests.factories_scoring import scheme
from anxin.org.models import User

NOW = timezone.make_aware(datetime.datetime(2026, 6, 30, 10, 0))
YEAR = 2026
KEYS = ("t_verify", "t_publicity", "t_late")


def _records(unit_code: str) -> list[dict]:
    return [
        {
            "kind": "signal",
            "id": 101,
            "label": f"XS-2026-0101 {unit_code} 欠薪线索",
            "url": "/signals/101/",
            "unit": unit_code,
            "due": "2026-03-02",
            "done": "2026-03-03",
            "met": False,
            "note": "逾期 1 个工作日",
        },
        {
            "kind": "signal",
            "id": 102,
            "label": "XS-2026-0102 按时核查",
            "url": "/signals/102/",
            "unit": unit_code,
            "due": "2026-04-01",
            "done": "2026-03-30",
            "met": True,
            "note": "",
        },
    ]


def _verify(unit, start, end, settings):
    n, d = (3, 4) if unit.code == "gov-luoxi" else (4, 4)
    return measures.Result(
        value=measures.share(n, d),
        numerator=n,
        denominator=d,
        records=_records(unit.code),
        params={
            "signal.verify_days": {
                "name": "线索核查时限",
                "value": "5",
                "unit": "个工作日",
                "citation": "§三(一)",
            }
        },
    )


def _publicity(unit, start, end, settings):
    return measures.Result(value=Decimal(2), numerator=2)


def _late(unit, start, end, settings):
    count = 1 if unit.code == "gov-luoxi" else 0
    return measures.Result(value=Decimal(count), numerator=count, records=_records(unit.code)[:count])


def register() -> None:
    measures.register(
        measures.Measure(
            "t_verify", "测试：线索按时核查", measures.SHARE, "§五(三)", "按时核查数 ÷ 应核查数", _verify
        )
    )
    measures.register(
        measures.Measure(
            "t_publicity", "测试：宣传活动", measures.COUNT, "§五(三)", "宣传活动次数", _publicity
        )
    )
    measures.register(
        measures.Measure("t_late", "测试：逾期核查", measures.COUNT, "§五(三)", "逾期核查次数", _late)
    )


def unregister() -> None:
    for key in KEYS:
        measures.MEASURES.pop(key, None)


ROWS = [
    {
        "code": "verify",
        "name": "线索按时核查",
        "kind": IndicatorKind.COMPUTED,
        "measure": "t_verify",
        "points": 60,
        "settings": {"full_at": 1, "zero_at": 0.5},
    },
    {
        "code": "publicity",
        "name": "宣传活动",
        "kind": IndicatorKind.COMPUTED,
        "measure": "t_publicity",
        "points": 20,
        "settings": {"target": 4},
    },
    {"code": "leadership", "name": "领导重视", "kind": IndicatorKind.MANUAL, "points": 20},
    {
        "code": "late",
        "name": "逾期核查",
        "kind": IndicatorKind.DEDUCTION,
        "measure": "t_late",
        "points": 2,
        "cap": 5,
    },
    {"code": "innovation", "name": "工作创新", "kind": IndicatorKind.BONUS, "points": 3, "cap": 3},
]


def town_scheme(by: User, **kw: Any) -> Scheme:
    made = scheme(year=YEAR, group="town", by=by, indicators=kw.pop("indicators", ROWS), **kw)
    made.indicators.filter(kind=IndicatorKind.MANUAL).update(criteria="主要负责人牵头")
    return made


def department_scheme(by: User, **kw: Any) -> Scheme:
    return scheme(year=YEAR, group="department", by=by, indicators=kw.pop("indicators", ROWS), **kw)
