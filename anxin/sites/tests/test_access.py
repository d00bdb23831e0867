"""Who keeps a project's site records (``access.may_manage``): the office, and the department that
supervises the project — not a department that only reads it, not a town."""

import pytest

from anxin.sites.access import may_hold_sites, may_manage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "construction", "water"),
    [
        ("office", True, True),
        ("chengjian", True, False),  # reads the water project, but it is 水利局's to keep (§三(十))
        ("shuili", False, True),
        ("luoxi", False, False),  # a town reads its projects' rosters, does not keep them
        ("renshe", False, False),
        ("leader", False, False),
        ("auditor", False, False),
    ],
)
def test_the_supervising_department_and_the_office_keep_the_records(
    world, request, persona, construction, water
):
    user = request.getfixturevalue(persona)
    assert may_manage(user, world.luoxi_project) is construction
    assert may_manage(user, world.menghe_river) is water


@pytest.mark.parametrize(
    ("persona", "holds"),
    [("office", True), ("chengjian", True), ("shuili", True), ("luoxi", False), ("renshe", False)],
)
def test_who_could_keep_any_site(district, request, persona, holds):
    assert may_hold_sites(request.getfixturevalue(persona)) is holds


@pytest.mark.parametrize(
    ("persona", "construction", "water"), [("chengjian", True, False), ("shuili", False, True)]
)
def test_the_deposit_follows_the_same_line_as_the_roster(world, request, persona, construction, water):
    from anxin.sites.services.deposits import may_manage_deposit

    user = request.getfixturevalue(persona)
    assert may_manage_deposit(user, world.luoxi_project) is construction
    assert may_manage_deposit(user, world.menghe_river) is water
