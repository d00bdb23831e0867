"""The draw: reproducible from the record, refused with the database unchanged."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from anxin.assessment import access
from anxin.assessment.models import SpotCheck, SpotCheckEvent, SpotCheckItem, SpotCheckUnit
from anxin.assessment.services import spotchecks as services
from anxin.assessment.tests.factories_spotchecks import drawn
from anxin.core.errors import DomainError

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (SpotCheck, SpotCheckUnit, SpotCheckItem, SpotCheckEvent))


def test_same_seed_and_population_give_the_same_units():
    codes = [f"u{n:02d}" for n in range(30)]
    first = services.draw_units("种子-1", codes, 5)
    assert first == services.draw_units("种子-1", list(reversed(codes)), 5)  # sorted before drawing
    assert len(set(first)) == 5 and set(first) <= set(codes)


def test_different_seeds_usually_give_different_units():
    codes = [f"u{n:02d}" for n in range(30)]
    draws = {tuple(services.draw_units(str(seed), codes, 5)) for seed in range(20)}
    assert len(draws) > 15


def test_items_are_reproducible_and_depend_on_the_unit():
    pool = [f"enterprise:{n}" for n in range(1, 40)] + ["project:3", "project:12"]
    a = services.draw_items("s", "gov-luoxi", pool, 3)
    assert a == services.draw_items("s", "gov-luoxi", list(reversed(pool)), 3)
    assert len(a) == 3 and set(a) <= set(pool)
    assert services.draw_items("s", "gov-luoxi", ["enterprise:1"], 3) == ["enterprise:1"]  # fewer than asked


def test_draw_records_seed_population_who_and_when(office, world):
    spot_check = services.draw(title="三月抽查", seed="12345678", units=3, actor=office)
    population = sorted(access.assessed_units().values_list("code", flat=True))
    assert spot_check.population == population
    assert spot_check.drawn == services.draw_units("12345678", population, 3)
    assert spot_check.drawn_by == office and spot_check.drawn_at
    assert spot_check.number == f"CC-{spot_check.year}-001"
    assert spot_check.items_per_unit == 3  # parameter spotcheck.items_per_unit
    assert [cu.unit.code for cu in spot_check.units.order_by("order")] == spot_check.drawn
    second = services.draw(title="四月抽查", seed="x", units=1, actor=office)
    assert second.number == f"CC-{second.year}-002"


def test_items_are_drawn_within_the_town_territory(office, world):
    spot_check = drawn(office, codes=("gov-luoxi",), per_unit=5)
    check_unit = spot_check.units.get()
    expected = sorted(
        [
            f"enterprise:{world.luoxi_factory.pk}",
            f"enterprise:{world.luoxi_builder.pk}",
            f"project:{world.luoxi_project.pk}",
        ]
    )
    assert sorted(check_unit.population) == expected
    items = list(check_unit.items.all())
    assert len(items) == 3  # fewer than 5 available: all of them
    assert {i.enterprise_id for i in items if i.enterprise_id} == {
        world.luoxi_factory.pk,
        world.luoxi_builder.pk,
    }
    assert world.xuejia_factory.pk not in {i.enterprise_id for i in items}


def test_a_department_draws_in_its_line(office, world):
    spot_check = drawn(office, codes=("construction",), per_unit=10)
    population = spot_check.units.get().population
    assert f"project:{world.luoxi_project.pk}" in population
    assert f"enterprise:{world.xuejia_factory.pk}" not in population


def test_a_unit_without_items_is_checked_on_its_own_ledger(office, district):
    spot_check = drawn(office, codes=("police",), per_unit=3)
    (item,) = spot_check.units.get().items.all()
    assert item.enterprise_id is None and item.project_id is None and "台账" in item.subject


def test_the_record_re_runs_to_the_same_draw(office, world):
    spot_check = services.draw(title="抽查", seed="abc", units=4, actor=office)
    again = services.redraw(spot_check)
    assert again.same
    assert again.units == spot_check.drawn
    # a tampered record shows
    SpotCheck.objects.filter(pk=spot_check.pk).update(seed="abd")
    spot_check.refresh_from_db()
    assert not services.redraw(spot_check).same


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"seed": "  "}, "seed"),
        ({"units": 0}, "units"),
        ({"units": 999}, "units"),
        ({"population": ["gov-luoxi", "nowhere"]}, "population"),
        ({"population": ["office"]}, "population"),  # not assessed
        ({"title": ""}, "title"),
    ],
)
def test_refusals_leave_the_database_unchanged(office, world, kwargs, field):
    before = _counts()
    args = {"title": "抽查", "seed": "1", "units": 2, "actor": office, **kwargs}
    with pytest.raises(DomainError) as refused:
        services.draw(**args)
    assert refused.value.field == field
    assert _counts() == before


def test_only_the_office_draws(luoxi, leader, world):
    for user in (luoxi, leader):
        with pytest.raises(PermissionDenied):
            services.draw(title="抽查", seed="1", units=1, actor=user)
    assert SpotCheck.objects.count() == 0


def test_demo_loads_once(office, world):
    from django.contrib.auth import get_user_model

    from anxin.assessment import spotchecks_demo

    get_user_model().objects.filter(pk=office.pk).update(username="office")
    office.refresh_from_db()
    lines: list[str] = []
    spotchecks_demo.load(actor=office, log=lines.append)
    spotchecks_demo.load(actor=office, log=lines.append)
    spot_check = SpotCheck.objects.get()
    assert spot_check.is_demo and spot_check.units.count() == 2
    from anxin.assessment.models import Rectification

    rect = Rectification.objects.get(item__check_unit__spot_check=spot_check)
    assert rect.unit.code == "gov-luoxi"  # 罗溪镇 has a demo login: it can answer
    assert "gov-luoxi" in spot_check.drawn and services.redraw(spot_check).same
    assert "罗溪镇" in lines[0] and "gov-" not in lines[0]
    assert "已存在" in lines[-1]
    assert spotchecks_demo.real_data() == []
