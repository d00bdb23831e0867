"""The router (who answers for an enterprise) reads org's duties and the district file, and takes
the enterprises' kinds from its caller: org reads no later app."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from anxin.org.models import Duty, Unit
from anxin.org.routing import Router


@dataclass(frozen=True)
class Placed:
    pk: int
    town_id: int | None


def test_an_enterprise_of_a_line_kind_goes_to_the_duty_s_unit_with_its_citation(district):
    duty = Duty.objects.select_related("unit").get(code="construction-line")
    router = Router(kinds_of=lambda ids: [(i, "construction") for i in ids])
    route = router.route(enterprise=Placed(pk=1, town_id=7))
    assert (route.town_id, route.unit_id) == (7, duty.unit_id)
    assert f"条线：{duty.citation} {duty.name}" in route.note


def test_an_enterprise_of_no_line_kind_goes_to_the_default_department(district):
    router = Router(kinds_of=lambda ids: [])
    route = router.route(enterprise=Placed(pk=1, town_id=None))
    assert route.unit_id == Unit.objects.get(code="hrss").pk
    assert "劳动保障监察，§三(七)" in route.note


def test_kinds_filled_in_by_the_caller_need_no_reader(district):
    router = Router()
    router.enterprise_kinds[1] = ["construction"]
    router.prime([1])
    assert (
        router.route(enterprise=Placed(pk=1, town_id=None)).unit_id
        == Duty.objects.get(code="construction-line").unit_id
    )


def test_a_router_without_a_reader_refuses_to_guess_an_enterprise_s_kinds(district):
    with pytest.raises(TypeError, match="kinds_of"):
        Router().route(enterprise=Placed(pk=1, town_id=None))


# --- a worker's report that names a site, or places nothing (issue #14 item 8) -------------------


def test_a_named_site_of_an_unknown_employer_goes_to_the_construction_line(district):
    duty = Duty.objects.select_related("unit").get(code="construction-line")
    town = Placed(pk=7, town_id=None)
    route = Router(kinds_of=lambda ids: []).route(town=town, kind="wage_complaint", site_named=True)
    assert (route.town_id, route.unit_id) == (7, duty.unit_id)
    assert f"条线：{duty.citation} {duty.name}（反映涉及建设工程项目或工地）" in route.note
    # Without the site it stays with labour inspection.
    plain = Router(kinds_of=lambda ids: []).route(town=town, kind="wage_complaint")
    assert plain.unit_id == Unit.objects.get(code="hrss").pk


def test_a_named_site_goes_to_the_construction_line_over_the_default_for_a_matched_firm(district):
    router = Router(kinds_of=lambda ids: [(i, "labour_dispatch") for i in ids])
    route = router.route(enterprise=Placed(pk=1, town_id=7), site_named=True)
    assert route.unit_id == Unit.objects.get(code="construction").pk


def test_the_enterprise_s_own_line_comes_before_a_named_site(district):
    router = Router(kinds_of=lambda ids: [(i, "water_construction") for i in ids])
    route = router.route(enterprise=Placed(pk=1, town_id=7), site_named=True)
    assert route.unit_id == Unit.objects.get(code="agriculture-water").pk


def test_a_report_nothing_places_goes_to_the_office_s_triage(district):
    route = Router(kinds_of=lambda ids: []).route(kind="wage_complaint")
    assert (route.town_id, route.unit_id) == (None, Unit.objects.get(code="office").pk)
    assert "属地：不明" in route.note and "联席办分拣" in route.note
    # A site named with no place: the construction line, the town still to be found.
    site = Router(kinds_of=lambda ids: []).route(kind="wage_complaint", site_named=True)
    assert (site.town_id, site.unit_id) == (None, Unit.objects.get(code="construction").pk)
