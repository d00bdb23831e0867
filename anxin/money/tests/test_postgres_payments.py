"""Two officers paying the last yuan of one worker's claim at the same moment, on PostgreSQL with two
connections: exactly one payment is written, the other is refused as above what is outstanding, and
the worker has been paid exactly what they are owed — never more."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from anxin.cases.tests.factories import open_case
from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.money import services as money
from anxin.money.models import Claim, Payment
from anxin.money.services import ledger
from anxin.money.tests.factories_claims import confirmed

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two payments never race",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_two_payments_racing_for_the_last_yuan_one_wins_one_is_refused(world, monkeypatch):
    from anxin.org.services import user_save

    officers = [
        user_save(actor=system_actor(), username=f"t_pay{i}", unit=unit, role=role, full_name=f"支付{i}")
        for i, (unit, role) in enumerate([("gov-luoxi", "town"), ("office", "office")])
    ]
    case = open_case(world.luoxi_factory, actor=officers[1])
    (claim,) = confirmed(case, actor=officers[1], confirmer=officers[1], amounts=[1_000_000])
    money.payment_record(
        actor=officers[1], claim=claim, amount=999_900, paid_on=timezone.localdate(), source="employer"
    )
    barrier = threading.Barrier(2, timeout=10)
    check_date = ledger._check_date

    # Both have checked their payment and read the claim as ¥1.00 outstanding; then both write.
    def checked_then_wait(paid_on, *args, **kwargs):
        result = check_date(paid_on, *args, **kwargs)
        barrier.wait()
        return result

    monkeypatch.setattr(ledger, "_check_date", checked_then_wait)
    outcomes: list[object] = [None, None]

    def pay(index: int) -> None:
        try:
            stale = Claim.objects.select_related("case").get(pk=claim.pk)
            outcomes[index] = money.payment_record(
                actor=officers[index],
                claim=stale,
                amount=100,
                paid_on=timezone.localdate(),
                source="employer",
                reference=f"回单 {index}",
            )
        except Exception as exc:  # the test inspects whatever came out
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    won = [o for o in outcomes if isinstance(o, Payment)]
    lost = [o for o in outcomes if not isinstance(o, Payment)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], DomainError), repr(lost[0])
    assert "超过" in lost[0].message and "尚欠" in lost[0].message
    claim.refresh_from_db()
    assert claim.paid == claim.owed == 1_000_000
    assert Payment.objects.filter(claim=claim).count() == 2
