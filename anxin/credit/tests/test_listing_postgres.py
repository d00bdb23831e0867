"""Two officers proposing the same enterprise at the same moment, on PostgreSQL with two connections:
one procedure is opened, the other is told which one is under way (暂行办法: one procedure per
enterprise at a time — the row lock on the enterprise, then the database constraint)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.credit.models import Listing
from anxin.credit.services import listing as services
from anxin.credit.tests.factories_listing import listable_case, new_enterprise

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two proposals never race",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_proposals_one_opens_one_is_told(district, monkeypatch):
    from anxin.org.services import user_save

    officers = [
        user_save(actor=system_actor(), username=f"t_list{i}", unit=unit, role=role, full_name=f"提出{i}")
        for i, (unit, role) in enumerate([("hrss", "department"), ("office", "office")])
    ]
    firm = new_enterprise(name="并发列入测试有限公司")
    cases = [listable_case(officers[0], firm), listable_case(officers[0], firm)]
    barrier = threading.Barrier(2, timeout=10)
    check = services.condition_check

    # Both have checked the condition against the records; then both write.
    def check_then_wait(case, condition, *, on=None):
        result = check(case, condition, on=on)
        barrier.wait()
        return result

    monkeypatch.setattr(services, "condition_check", check_then_wait)
    outcomes: list[object] = [None, None]

    def propose(index: int) -> None:
        try:
            outcomes[index] = services.listing_propose(
                actor=officers[index], condition="order_threshold", reasons="并发提出", case=cases[index]
            )
        except Exception as exc:  # the test inspects whatever came out
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=propose, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    won = [o for o in outcomes if isinstance(o, Listing)]
    lost = [o for o in outcomes if not isinstance(o, Listing)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], DomainError) and lost[0].code == "conflict", repr(lost[0])
    assert won[0].number in lost[0].message
    assert Listing.objects.filter(enterprise=firm).count() == 1
