"""The demo district: deterministic, valid, covering every town and kind; never over real data."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from anxin.core.validators import validate_uscc
from anxin.org import demo as org_demo
from anxin.org.models import Town, User
from anxin.registry import demo
from anxin.registry.models import Enterprise, EnterpriseKind, Project
from anxin.registry.tests.factories import enterprise


def _run(**kwargs) -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=out, **kwargs)
    return out.getvalue()


def test_demo_rows_are_deterministic_and_valid(district):
    towns = list(Town.objects.values_list("code", flat=True))
    names = dict(Town.objects.values_list("code", "name"))
    first = demo.enterprises(towns, names)
    assert first == demo.enterprises(towns, names)
    assert len(first) == 300
    assert len({row["uscc"] for row in first}) == 300
    assert all(validate_uscc(row["uscc"], check_org_code=True) == row["uscc"] for row in first)
    assert {row["town"] for row in first} == set(towns)
    assert {k for row in first for k in row["kinds"]} == set(
        EnterpriseKind.objects.values_list("code", flat=True)
    )
    assert any(row["town"] == "sanjing" and row["kinds"] == ["catering"] for row in first)


def test_load_demo_creates_the_district_and_prints_every_login(district):
    output = _run()
    assert Enterprise.objects.filter(is_demo=True).count() == 300
    assert Project.objects.filter(is_demo=True).count() == 40
    for persona in org_demo.PERSONAS:
        assert persona.username in output
        assert User.objects.get(username=persona.username).check_password(org_demo.DEMO_PASSWORD)
    assert org_demo.DEMO_PASSWORD in output


def test_load_demo_twice_does_not_duplicate(district):
    _run()
    _run()
    assert Enterprise.objects.count() == 300


def test_load_demo_refuses_a_database_with_real_data(district):
    enterprise(town="luoxi", name="真实企业有限公司")
    with pytest.raises(CommandError, match="非演示数据"):
        _run()
    assert Enterprise.objects.count() == 1


def test_load_demo_refuses_production_settings(district):
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", stdout=io.StringIO())
    assert not Enterprise.objects.exists()
