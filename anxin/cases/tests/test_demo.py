"""The demo opens with cases at three stages, once."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import override_settings

from anxin.cases.models import Case


def _run() -> str:
    out = io.StringIO()
    with override_settings(DEBUG=True):  # the demo refuses production settings
        call_command("load_demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_cases_at_three_stages_and_loading_twice_adds_none(district):
    output = _run()
    assert "已载入演示案件 3 件" in output
    # The cases demo opens the first three (later apps' demo data, loaded after it, may open their own).
    first = Case.objects.filter(pk__in=Case.objects.order_by("pk").values("pk")[:3])
    assert sorted(first.values_list("stage", flat=True)) == ["control", "facts", "mediation"]
    assert first.filter(actions__kind="order").count() == 1
    before = Case.objects.count()
    _run()
    assert Case.objects.count() == before
