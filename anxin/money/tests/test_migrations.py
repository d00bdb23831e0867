"""The move into money keeps every row: instalments keep their table's rows (renamed to
money_instalment) and every case's typed amount paid becomes a closing entry of the ledger — and
back again when the migrations are unapplied. Run with Django's MigrationExecutor on the test
database (transactional: SQLite alters tables outside a transaction)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps
from django.utils import timezone

from anxin.cases.tests.factories import open_case
from anxin.money import services as money
from anxin.money.tests.factories import closed_case, mediation

BEFORE = [("cases", "0003_route_basis_duty_names"), ("money", None)]
AFTER = [("cases", "0005_amount_paid_moves_to_money"), ("money", "0003_payments_from_closing")]


def _migrate(targets: Sequence[tuple[str, str | None]]) -> StateApps:
    """Migrate the test database to ``targets``; the historical apps of the cases part of it."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    ContentType.objects.clear_cache()
    nodes = [(app, name) for app, name in targets if name is not None]
    return executor.loader.project_state(nodes).apps


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.fixture
def latest_after():
    """Leave the test database at the latest migrations, whatever the test did: the transactional
    tests that run after this one on the same worker need every table (money 0004's funds, claims)."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


@pytest.mark.django_db(transaction=True)
def test_instalments_and_amounts_paid_survive_the_move_both_ways(latest_after, world, luoxi, sifa):
    paid_case = closed_case(world.luoxi_factory, actor=luoxi, amount_paid=12_000_000)
    action = mediation(world.luoxi_factory, lead=luoxi)
    typed = open_case(world.xuejia_factory)  # by the system account; its amount is typed below
    first, second = money.instalments_set(
        actor=sifa,
        action=action,
        rows=[(datetime.date(2026, 12, 10), 3_000_000), (datetime.date(2027, 1, 11), 6_000_000)],
    )
    money.instalment_paid(actor=sifa, instalment=first, paid_on=timezone.localdate(), note="转账")
    instalment_type = ContentType.objects.get(app_label="money", model="instalment").pk

    # back to before the move: the rows are in cases_instalment, the amount is on the case again
    old = _migrate(BEFORE)
    assert "cases_instalment" in _tables() and "money_instalment" not in _tables()
    OldCase = old.get_model("cases", "Case")
    OldInstalment = old.get_model("cases", "Instalment")
    assert OldCase.objects.get(pk=paid_case.pk).amount_paid == 12_000_000
    assert sorted(OldInstalment.objects.values_list("pk", "amount", "paid_note")) == [
        (first.pk, 3_000_000, "转账"),
        (second.pk, 6_000_000, ""),
    ]
    assert old.get_model("contenttypes", "ContentType").objects.get(pk=instalment_type).app_label == "cases"

    # data written the old way: one more instalment, an amount on a case nobody is recorded as closing
    added = OldInstalment.objects.create(action_id=action.pk, due_on=datetime.date(2027, 2, 10), amount=100)
    OldCase.objects.filter(pk=paid_case.pk).update(closed_by=None)
    OldCase.objects.filter(pk=typed.pk).update(amount_paid=50_000)

    new = _migrate(AFTER)
    assert "money_instalment" in _tables() and "cases_instalment" not in _tables()
    Instalment = new.get_model("money", "Instalment")
    assert sorted(Instalment.objects.values_list("pk", "amount", "paid_on")) == [
        (first.pk, 3_000_000, timezone.localdate()),
        (second.pk, 6_000_000, None),
        (added.pk, 100, None),
    ]
    assert ContentType.objects.get(pk=instalment_type).app_label == "money"
    Payment = new.get_model("money", "Payment")
    closing = Payment.objects.get(case_id=paid_case.pk)
    case = new.get_model("cases", "Case").objects.get(pk=paid_case.pk)
    assert (closing.amount, closing.source, closing.reverses_id) == (12_000_000, "closing", None)
    assert closing.paid_on == timezone.localtime(case.closed_at).date()
    assert closing.recorded_by.username == "system"  # nobody recorded as closing it
    entry = Payment.objects.get(case_id=typed.pk)  # an open case: dated by its last change
    assert (entry.amount, entry.recorded_by.username) == (50_000, "system")
    assert (
        entry.paid_on
        == timezone.localtime(new.get_model("cases", "Case").objects.get(pk=typed.pk).updated_at).date()
    )
    assert Payment.objects.count() == 2
