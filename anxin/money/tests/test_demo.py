"""The demo's money: claims confirmed and part paid on the demo cases, the funds appropriated; loading
twice adds nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from anxin.core import seam
from anxin.money.models import Advance, Claim, Fund, FundEntry, Payment
from anxin.money.services.funds import balance

pytestmark = pytest.mark.django_db


def _load() -> None:
    with override_settings(DEBUG=True):  # the demo refuses production settings
        call_command("load_demo", stdout=io.StringIO())


def test_the_demo_has_confirmed_claims_part_paid_and_funded_funds(district):
    _load()
    claims = Claim.objects.all()
    assert claims.count() >= 10
    assert not claims.filter(status="claimed").exists()
    assert Payment.objects.filter(claim__isnull=False).exists()
    case_ids = sorted(set(claims.values_list("case_id", flat=True)))
    money = seam.case_money(case_ids)
    assert all(m.paid and m.outstanding for m in money.values())
    district = Fund.objects.get(code="district")
    advances = Advance.objects.filter(fund=district)
    assert sorted(advances.values_list("status", flat=True)) == ["approved", "submitted"]
    paid_out = advances.get(status="approved").amount
    assert balance(district) == 100_000_000 - paid_out
    entries = FundEntry.objects.count()
    _load()
    assert Claim.objects.count() == claims.count() and FundEntry.objects.count() == entries
