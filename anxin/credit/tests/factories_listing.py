"""Factories for the listing procedure: a case that meets a listing condition (a lapsed order to pay,
the amount at Jiangsu's threshold or a serious incident), and a listing taken through its steps by
人社局 with the clock moved."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from typing import cast
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from anxin.cases.models import Case, Incident
from anxin.cases.tests.factories import lapsed_order, open_case
from anxin.core import seam
from anxin.credit import services
from anxin.credit.models import Listing, PersonRole
from anxin.org.models import User
from anxin.registry.models import Enterprise
from anxin.registry.tests.factories import EnterpriseFactory

TZ = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_serial = itertools.count(1)


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def id_number(birth: str = "19800101", serial: int | None = None) -> str:
    """A valid 居民身份证号码 (Jiangsu, Changzhou) with a distinct sequence per call."""
    n = next(_serial) if serial is None else serial
    first17 = f"320411{birth}{n % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def pledge(name: str = "信用承诺书.pdf") -> services.Paper:
    return services.Paper(name=name, content=PDF)


def new_enterprise(**fields: object) -> Enterprise:
    """An enterprise through the registry's factory (by default a factory in 罗溪)."""
    return cast("Enterprise", EnterpriseFactory(**fields))


def listable_case(
    renshe: User,
    enterprise: Enterprise | None = None,
    *,
    town: str = "luoxi",
    workers: int = 12,
    amount: int = 12_000_000,
) -> Case:
    """A case of ``enterprise`` (a new one in ``town``) with 12 workers owed ¥120,000 (Jiangsu's
    threshold for several workers is 10 and ¥60,000) and its order to pay lapsed."""
    enterprise = enterprise or new_enterprise(town=town)
    case = open_case(enterprise, workers=workers, amount_claimed=amount, separate=True)
    lapsed_order(case, renshe)
    return case


def serious_incident(
    case: Case, actor: User, *, kind: str = Incident.Kind.MASS, serious: bool = True
) -> Incident:
    return Incident.objects.create(
        case=case,
        kind=kind,
        occurred_at=timezone.now(),
        place="罗溪镇政府门口",
        people=30,
        serious=serious,
        command_post="罗溪镇现场指挥部",
        measures="疏导劝离",
        recorded_at=timezone.now(),
        recorded_by=actor,
    )


def legal_rep(listing: Listing, actor: User, *, name: str = "张三") -> None:
    services.listed_person_add(
        actor=actor, listing=listing, role=PersonRole.LEGAL_REP, name=name, id_number=id_number()
    )


def proposed(
    renshe: User,
    case: Case | None = None,
    *,
    on: str = "2026-03-02T09:00",
    condition: str = "order_threshold",
) -> Listing:
    """A listing proposed by 人社局 on ``on`` (a Monday) with the legal representative registered."""
    with time_machine.travel(at(on), tick=False):
        case = case or listable_case(renshe)
        listing = services.listing_propose(
            actor=renshe, condition=condition, reasons="拒不履行责令支付，数额达到标准", case=case
        )
        legal_rep(listing, renshe)
    return listing


def served(renshe: User, listing: Listing, *, on: str = "2026-03-02") -> Listing:
    with time_machine.travel(at(f"{on}T10:00"), tick=False):
        return services.listing_serve_notice(
            actor=renshe,
            listing=listing,
            served_on=day(on),
            reference="新人社信告〔2026〕1号",
            method="直接送达",
        )


def listed(
    renshe: User, case: Case | None = None, *, on: str = "2026-03-02", decided: str = "2026-03-20"
) -> Listing:
    """Proposed and served on ``on``, decided 列入 on ``decided`` (after the defence period)."""
    listing = served(renshe, proposed(renshe, case, on=f"{on}T09:00"), on=on)
    with time_machine.travel(at(f"{decided}T10:00"), tick=False):
        return services.listing_decide(
            actor=renshe,
            listing=listing,
            decision="list",
            reasons="经复核，符合列入条件",
            reference="新人社信决〔2026〕1号",
        )


def _all_paid(ids: list[int]) -> dict[int, int]:
    return dict.fromkeys(ids, 12_000_000)


@pytest.fixture
def paid_in_full() -> Iterator[None]:
    """The arrears of every case paid in full (¥120,000), as the app that records payments tells."""
    seam.register(seam.CASE_PAID, _all_paid, app="credit-test-paid")
    yield
    store = seam._store(seam.CASE_PAID)
    store.entries[:] = [e for e in store.entries if e[0] != "credit-test-paid"]
