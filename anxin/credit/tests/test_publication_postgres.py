"""Races on PostgreSQL with real threads (one connection each): two gatherings of one period make one
list with each entry once; two publications of one list publish it once."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection

from anxin.core.errors import DomainError
from anxin.core.tests.helpers import at_once
from anxin.credit.models import PublicationBatch, PublicationEntry, PublicationEvent
from anxin.credit.services import publication as services
from anxin.credit.tests.factories_publication import at, gathered, wage_case

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two requests never race",
    ),
]

Q3 = datetime.date(2026, 7, 1)
AFTER = datetime.date(2026, 10, 10)


@pytest.mark.django_db(transaction=True)
def test_two_gatherings_at_once_make_one_list_with_each_entry_once(renshe, office):
    wage_case(datetime.date(2026, 8, 3), renshe)
    wage_case(datetime.date(2026, 8, 4), renshe)

    def gather(actor):
        with time_machine.travel(at(AFTER), tick=False):
            return services.batch_gather(actor=actor, period_start=Q3)

    answers = at_once([renshe, office], gather)
    made = [a for a in answers if isinstance(a, tuple)]
    refused = [a for a in answers if isinstance(a, DomainError)]
    assert len(made) + len(refused) == 2 and made, answers
    assert all(r.code == "conflict" for r in refused)
    assert PublicationBatch.objects.filter(period_start=Q3).count() == 1
    assert PublicationEntry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_publications_at_once_publish_once(renshe, office):
    wage_case(datetime.date(2026, 8, 3), renshe)
    batch = gathered(renshe, Q3, on=AFTER)
    with time_machine.travel(at(AFTER), tick=False):
        services.entry_keep(actor=renshe, entry=batch.entries.get())

    def publish(actor):
        with time_machine.travel(at(AFTER), tick=False):
            return services.batch_publish(actor=actor, batch=PublicationBatch.objects.get(pk=batch.pk))

    answers = at_once([renshe, office], publish)
    assert sum(isinstance(a, PublicationBatch) for a in answers) == 1, answers
    assert sum(isinstance(a, DomainError) for a in answers) == 1, answers
    assert PublicationEvent.objects.filter(batch=batch, action="publish", entry=None).count() == 1
    assert PublicationEvent.objects.filter(batch=batch, action="publish").exclude(entry=None).count() == 1
