"""Who acts for routed work: the office, the routed department, the town; never read-only roles."""

from __future__ import annotations

from typing import Any

from anxin.core.audit import system_actor
from anxin.org.access import acts_for, waiting_on
from anxin.org.models import Town


def test_acts_for(office, leader, auditor, chengjian, luoxi, xuejia):
    luoxi_town = Town.objects.get(code="luoxi").pk
    route: dict[str, Any] = {"town_id": luoxi_town, "unit_ids": [chengjian.unit_id, None]}
    assert acts_for(office, **route) and acts_for(system_actor(), **route)
    assert acts_for(chengjian, **route) and acts_for(luoxi, **route)
    assert not acts_for(xuejia, **route)
    assert not acts_for(leader, **route) and not acts_for(auditor, **route)
    assert not acts_for(chengjian, town_id=luoxi_town, unit_ids=[None])


def test_waiting_on_is_everything_for_the_office_and_the_unit_or_town_otherwise(office, chengjian, luoxi):
    assert waiting_on(office, unit_field="unit_id").children == []
    assert ("unit_id", chengjian.unit_id) in waiting_on(chengjian, unit_field="unit_id").children
    children = waiting_on(luoxi, unit_field="unit_id").children
    assert any(isinstance(child, tuple) and child[0] == "town_id__in" for child in children)
