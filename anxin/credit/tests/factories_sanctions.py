"""Factories for the sanctions tests: a listing in force made directly (the listing part's services
decide listings; these tests start from a decided one)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.utils import timezone

from anxin.core.audit import system_actor
from anxin.credit.models import Condition, Listing, ListingOrigin, ListingStatus
from anxin.registry.tests.factories import enterprise as make_enterprise

_numbers = itertools.count(1)


def listing_in_force(
    enterprise: Any = None,
    *,
    term_start: datetime.date | None = None,
    term_end: datetime.date | None = None,
    town: str = "luoxi",
    kinds: tuple[str, ...] = ("industrial",),
    **fields: Any,
) -> Listing:
    """A listing decided 列入 on ``term_start`` (today) for three years, both days inclusive."""
    enterprise = enterprise or make_enterprise(town=town, kinds=kinds)
    start = term_start or timezone.localdate()
    end = term_end or start.replace(year=start.year + 3) - datetime.timedelta(days=1)
    actor = system_actor()
    return Listing.objects.create(
        number=fields.pop("number", f"XBSX-T{next(_numbers):05d}"),
        enterprise=enterprise,
        condition=Condition.ORDER_THRESHOLD,
        origin=ListingOrigin.MANUAL,
        reasons="拒不履行责令支付，拖欠数额达到拒不支付劳动报酬罪数额标准",
        status=ListingStatus.LISTED,
        proposed_by=actor,
        decided_on=start,
        decided_by=actor,
        decision_reasons="陈述申辩不成立，决定列入",
        term_start=start,
        term_end=end,
        term_basis="暂行办法 第十条：3 年（参数 blacklist.years=3）",
        **fields,
    )
