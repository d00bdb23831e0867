"""Two officers advancing the same case at the same moment, on PostgreSQL with two connections:
exactly one wins, the other is told "已被他人处理", and the case has one move, not two."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from anxin.cases import services
from anxin.cases.models import Case, CaseEvent
from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.registry.tests.factories import enterprise

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two moves never race",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_advances_one_wins_one_is_told(district, monkeypatch):
    from anxin.org.services import user_save

    firm = enterprise(town="luoxi", name="并发推进测试有限公司")
    case = services.case_open(actor=system_actor(), enterprise=firm, summary="并发测试")
    officers = [
        user_save(actor=system_actor(), username=f"t_move{i}", unit=unit, role=role, full_name=f"推进{i}")
        for i, (unit, role) in enumerate([("gov-luoxi", "town"), ("office", "office")])
    ]
    barrier = threading.Barrier(2, timeout=10)
    due = services.stages.stage_due

    # Both have read the case at "查明事实" and computed the next deadline; then both write.
    def due_then_wait(stage, now):
        result = due(stage, now)
        barrier.wait()
        return result

    monkeypatch.setattr(services.stages, "stage_due", due_then_wait)
    outcomes: list[object] = [None, None]

    def advance(index: int) -> None:
        try:
            stale = Case.objects.get(pk=case.pk)
            outcomes[index] = services.case_move(actor=officers[index], case=stale, action="advance")
        except Exception as exc:  # the test inspects whatever came out
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=advance, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    won = [o for o in outcomes if isinstance(o, Case)]
    lost = [o for o in outcomes if not isinstance(o, Case)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], DomainError) and lost[0].code == "conflict", repr(lost[0])
    assert "已被他人处理" in lost[0].message
    assert Case.objects.get(pk=case.pk).stage == "control"
    assert CaseEvent.objects.filter(case=case, kind="move").count() == 1
