"""Publicity's demo data: a few activities of 罗溪镇, 城建局 and 司法局, marked as demo, loaded once."""

from __future__ import annotations

import pytest

from anxin.core.audit import system_actor
from anxin.org.tests.factories import UserFactory
from anxin.reports import publicity_demo
from anxin.reports.models import PublicityActivity

pytestmark = pytest.mark.django_db


def test_the_demo_activities_load_once(district):
    for username, unit, role in (("luoxi", "gov-luoxi", "town"), ("chengjian", "construction", "department"),
                                 ("sifa", "justice", "department")):  # fmt: skip
        UserFactory(username=username, unit=unit, role=role, full_name=username)
    said: list[str] = []
    publicity_demo.load(actor=system_actor(), log=said.append)
    rows = PublicityActivity.objects.all()
    assert rows.count() == len(publicity_demo.ACTIVITIES)
    assert set(rows.values_list("unit__code", flat=True)) == {"gov-luoxi", "construction", "justice"}
    assert all(rows.values_list("is_demo", flat=True))
    assert publicity_demo.real_data() == []
    publicity_demo.load(actor=system_actor(), log=said.append)
    assert PublicityActivity.objects.count() == len(publicity_demo.ACTIVITIES)
    assert "未重复载入" in said[-1]
