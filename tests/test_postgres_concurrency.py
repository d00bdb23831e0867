"""Concurrent writes under PostgreSQL: a race on a unique code is a field error, not a crash.

Two clerks registering the same 统一社会信用代码 at the same moment both pass ``full_clean()``'s
uniqueness check; the database's unique index lets only one insert through. The loser must get
the same ``ValidationError`` on ``uscc`` a form shows, never a raw ``IntegrityError`` (a 500).
SQLite serialises writers (one write transaction at a time), so the race only exists here.
"""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from anxin.core.audit import system_actor
from anxin.org.models import Town
from anxin.registry import services
from anxin.registry.models import Enterprise, EnterpriseKind
from anxin.registry.tests.factories import make_uscc

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two inserts never race",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creates_of_one_uscc_leave_one_enterprise_and_one_field_error(district, monkeypatch):
    code = make_uscc()
    actor = system_actor()
    town = Town.objects.get(code="luoxi")
    kinds = list(EnterpriseKind.objects.filter(code="industrial"))
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[object] = [None, None]

    # Line the two up just after full_clean()'s uniqueness check and before the INSERT, so both
    # have seen the code as free: the race the unique index has to decide, every time.
    full_clean = Enterprise.full_clean

    def full_clean_then_wait(self, *args, **kwargs):
        full_clean(self, *args, **kwargs)
        barrier.wait()

    monkeypatch.setattr(Enterprise, "full_clean", full_clean_then_wait)

    def register(index: int) -> None:
        try:
            outcomes[index] = services.enterprise_create(
                actor=actor,
                kinds=kinds,
                uscc=code,
                name=f"并发登记测试{index}有限公司",
                legal_rep="张三",
                town=town,
                address="罗溪镇并发路1号",
                industry="C",
            )
        except Exception as exc:  # the test inspects whatever came out
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    created = [o for o in outcomes if isinstance(o, Enterprise)]
    refused = [o for o in outcomes if not isinstance(o, Enterprise)]
    assert len(created) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], ValidationError), repr(refused[0])
    assert "uscc" in refused[0].message_dict
    assert Enterprise.objects.filter(uscc=code).count() == 1
