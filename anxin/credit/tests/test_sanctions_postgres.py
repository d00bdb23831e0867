"""Races on PostgreSQL with real threads (one connection each): two officers of the unit record the
same task at once — one is recorded, the other is told someone else did it and writes nothing; two
``tick`` runs at once escalate an overdue task once."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from anxin.core.audit import system_actor
from anxin.core.tests.helpers import at, at_once
from anxin.credit.models import ListingEvent, SanctionTask, TaskKind, TaskStatus
from anxin.credit.services.sanctions import sanction_tasks_open, sanction_tasks_sweep
from anxin.credit.tests.factories_sanctions import listing_in_force
from anxin.notify.models import Notification
from anxin.org.tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two requests never race",
    ),
]


def _clients(*users: Any) -> list[Client]:
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


@pytest.mark.django_db(transaction=True)
def test_two_officers_record_the_same_task_once(world, chengjian):
    other = UserFactory(username="t_chengjian2", unit="construction", role="department", full_name="城建局二")
    listing = listing_in_force(world.luoxi_builder)
    sanction_tasks_open(actor=system_actor(), listing=listing, kind=TaskKind.APPLY)
    task = listing.sanction_tasks.get(measure__code="construction-bidding")
    day = datetime.date.today().isoformat()
    answers = at_once(
        _clients(chengjian, other),
        lambda c: c.post(f"/credit/sanctions/{task.pk}/", {"done_on": day, "note": "已限制"}),
    )
    statuses = sorted(getattr(a, "status_code", repr(a)) for a in answers)
    assert statuses == [302, 400], answers
    assert ListingEvent.objects.filter(listing=listing, action="task_done").count() == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


@pytest.mark.django_db(transaction=True)
def test_two_ticks_escalate_an_overdue_task_once(world, office):
    with time_machine.travel(at("2026-12-01T09:00"), tick=False):
        listing = listing_in_force(world.luoxi_builder)
        sanction_tasks_open(actor=system_actor(), listing=listing, kind=TaskKind.APPLY)
    answers = at_once([1, 2], lambda _i: sanction_tasks_sweep(now=at("2026-12-16T09:00")))
    assert sum(answers) == 6, answers  # each task by one of the two
    assert SanctionTask.objects.filter(escalated_at__isnull=False).count() == 6
    assert ListingEvent.objects.filter(listing=listing, action="task_overdue").count() == 6
    assert Notification.objects.filter(recipient=office, topic="credit-sanction-overdue").count() == 6
