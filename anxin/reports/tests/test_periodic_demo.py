"""The demo's periodic reports: the period last ended submitted by 城建局 on time and by 罗溪镇 late
(or the period before, while the due day is still ahead), 薛家镇's draft; loading twice adds nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from anxin.reports.models import PeriodicReport, ReportStatus

pytestmark = pytest.mark.django_db


def _load() -> None:
    with override_settings(DEBUG=True):  # the demo refuses production settings
        call_command("load_demo", stdout=io.StringIO())


def test_the_demo_has_an_on_time_a_late_report_and_a_draft(district):
    _load()
    submitted = PeriodicReport.objects.filter(status=ReportStatus.SUBMITTED).select_related("unit")
    assert {r.unit.code: r.late for r in submitted} == {"construction": False, "gov-luoxi": True}
    draft = PeriodicReport.objects.get(status=ReportStatus.DRAFT)
    assert draft.unit.code == "gov-xuejia" and draft.narrative.get("risk")
    assert all(r.is_demo for r in PeriodicReport.objects.all())
    _load()
    assert PeriodicReport.objects.count() == 3
