"""A spot-check item that found a problem becomes a finding against the unit (§五(三)): the office opens
the finding form from the item (unit, year and observations prefilled), the finding keeps the item and
counts under the ``findings`` deduction; only problem items, only the office."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from anxin.assessment import measures
from anxin.assessment.models import Finding, FindingSource
from anxin.assessment.tests.factories_spotchecks import with_problem

pytestmark = pytest.mark.django_db


def test_the_office_records_a_finding_from_a_problem_item_and_it_is_deducted(client, office, renshe, world):
    spot_check, item = with_problem(office, renshe)
    client.force_login(office)
    page = client.get(f"/assessment/spot-checks/{spot_check.pk}/").content.decode()
    assert f"?spot_item={item.pk}" in page and "认定为问题（扣分）" in page
    form = client.get(f"/assessment/findings/new/?spot_item={item.pk}").content.decode()
    assert "工资支付台账缺失" in form and spot_check.number in form
    answer = client.post(
        "/assessment/findings/new/",
        {
            "spot_item": item.pk,
            "unit": item.check_unit.unit_id,
            "year": spot_check.year,
            "text": "抽查发现工资支付台账缺失",
            "deduction": "1.5",
        },
    )
    assert answer.status_code == 302
    finding = Finding.objects.get()
    assert (finding.source, finding.spot_item_id, finding.unit.code) == (
        FindingSource.SPOT_CHECK,
        item.pk,
        "gov-luoxi",
    )
    assert finding.number in client.get(f"/assessment/spot-checks/{spot_check.pk}/").content.decode()
    year = spot_check.year
    found = measures.get("findings").compute(
        finding.unit, datetime.date(year, 1, 1), datetime.date(year, 12, 31), {}
    )
    assert found.value == Decimal("1.5") and [r["id"] for r in found.records] == [finding.pk]


def test_only_a_problem_item_and_only_the_office(client, office, renshe, luoxi, world):
    _round, item = with_problem(office, renshe)
    fine = item.check_unit.items.exclude(pk=item.pk).first()
    client.force_login(office)
    assert client.get(f"/assessment/findings/new/?spot_item={fine.pk}").status_code == 404
    assert client.get("/assessment/findings/new/?spot_item=x").status_code == 404
    for user in (renshe, luoxi):
        client.force_login(user)
        assert client.get(f"/assessment/findings/new/?spot_item={item.pk}").status_code == 403
    assert not Finding.objects.exists()
