"""Spot-check rounds for the tests, built through the services (as the office would)."""

from __future__ import annotations

import datetime
from typing import Any

from anxin.assessment.models import ItemResult, Rectification, SpotCheck
from anxin.assessment.services import spotchecks as services


def drawn(
    office: Any, *, codes: tuple[str, ...] = ("gov-luoxi",), seed: str = "20260101", per_unit: int = 3
) -> SpotCheck:
    """A round drawn over exactly ``codes`` (every one drawn)."""
    return services.draw(
        title="测试抽查",
        seed=seed,
        units=len(codes),
        population=list(codes),
        items_per_unit=per_unit,
        actor=office,
    )


def checking(office: Any, inspector: Any, **kwargs: Any) -> SpotCheck:
    """A round in 检查中, ``inspector`` assigned to every unit."""
    spot_check = drawn(office, **kwargs)
    for check_unit in spot_check.units.all():
        services.assign_inspectors(actor=office, check_unit=check_unit, inspectors=[inspector])
    services.start(actor=office, spot_check=spot_check)
    return spot_check


def with_problem(office: Any, inspector: Any, **kwargs: Any) -> tuple[SpotCheck, Any]:
    """A checking round whose first item has a problem recorded; the others found fine."""
    spot_check = checking(office, inspector, **kwargs)
    items = [i for cu in spot_check.units.order_by("order") for i in cu.items.order_by("pk")]
    today = datetime.date.today()
    for n, item in enumerate(items):
        services.record_item(
            actor=inspector,
            item=item,
            result=ItemResult.PROBLEM if n == 0 else ItemResult.OK,
            observations="工资支付台账缺失，未按月足额支付" if n == 0 else "",
            checked_on=today,
        )
    return spot_check, items[0]


def rectification(office: Any, inspector: Any, **kwargs: Any) -> Rectification:
    _, item = with_problem(office, inspector, **kwargs)
    item.refresh_from_db()
    return services.set_rectification(actor=office, item=item, requirement="建立工资支付台账并补发工资")
