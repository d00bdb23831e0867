"""The demo's deposits: one held in full, one fixed on the smallest contract, one late (flagged by the
sweep); loading twice adds nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from anxin.sites.models import Deposit, DepositEvent, DepositStatus
from anxin.sites.services import deposits as services

pytestmark = pytest.mark.django_db


def _load() -> None:
    with override_settings(DEBUG=True):  # the demo refuses production settings
        call_command("load_demo", stdout=io.StringIO())


def test_the_demo_has_a_held_an_exempt_or_fixed_and_a_late_deposit(district):
    _load()
    deposits = Deposit.objects.all()
    assert deposits.count() == 3
    statuses = sorted(deposits.values_list("status", flat=True))
    assert DepositStatus.HELD in statuses
    held = deposits.get(status=DepositStatus.HELD)
    assert services.balance_of(held) == held.required
    assert services.deposits_sweep() >= 1  # the late one
    events = DepositEvent.objects.count()
    _load()
    assert Deposit.objects.count() == 3 and DepositEvent.objects.count() == events
