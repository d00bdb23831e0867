"""The public portal's per-address limit under PostgreSQL, with submissions fired at once.

On PostgreSQL two transactions run side by side: without a lock each would count the same
earlier attempts and all would get in. The submissions queue on the address's bucket row
(``SELECT … FOR UPDATE``), so the limit holds. (SQLite runs one writer at a time; the same
scenario runs there in anxin/intake/tests/test_portal.py.)
"""

from __future__ import annotations

import pytest
from django.db import connection

from anxin.core.errors import DomainError
from anxin.intake.models import PortalAttempt, PortalBucket, Signal
from anxin.intake.tests.factories import fire_submissions_at_once, set_submissions_per_hour
from anxin.org.models import Town

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two writers never race",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_eight_submissions_at_once_from_one_address_let_in_only_the_limit(district, office, monkeypatch):
    set_submissions_per_hour(office, 3)
    outcomes = fire_submissions_at_once(
        town=Town.objects.get(code="luoxi"), count=8, ip="198.51.100.23", monkeypatch=monkeypatch
    )
    accepted = [o for o in outcomes if isinstance(o, Signal)]
    refused = [o for o in outcomes if isinstance(o, DomainError) and o.code == "rate_limited"]
    assert (len(accepted), len(refused)) == (3, 5), outcomes
    assert Signal.objects.count() == 3
    assert PortalAttempt.objects.filter(action="submit").count() == 3
    assert PortalBucket.objects.filter(action="submit").count() == 1  # one row per address and day


@pytest.mark.django_db(transaction=True)
def test_another_address_is_not_held_back_by_a_flood(district, office, monkeypatch):
    set_submissions_per_hour(office, 2)
    town = Town.objects.get(code="luoxi")
    first = fire_submissions_at_once(town=town, count=4, ip="198.51.100.1", monkeypatch=monkeypatch)
    monkeypatch.undo()
    second = fire_submissions_at_once(town=town, count=2, ip="198.51.100.2", monkeypatch=monkeypatch)
    assert sum(isinstance(o, Signal) for o in first) == 2
    assert all(isinstance(o, Signal) for o in second), second
    assert Signal.objects.count() == 4
