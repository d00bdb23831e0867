"""Two uploads of the same month at the same moment, on PostgreSQL with real threads (one connection
each): both are kept, as versions 1 and 2 (the month's row lock orders them), the month points at the
later one, and the 未足额 signal is raised once."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from anxin.core.tests.helpers import at_once
from anxin.intake.models import Signal
from anxin.registry.models import Project
from anxin.sites.models import Payroll, PayrollMonth
from anxin.sites.services import payroll_submit
from anxin.sites.tests.factories_payroll import roster_entry, row

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises write transactions, so two uploads never race",
    ),
]

NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_one_month_at_once_are_two_versions_and_one_signal(world: Any, chengjian: Any) -> None:
    Project.objects.filter(pk=world.luoxi_project.pk).update(start_date=datetime.date(2026, 1, 5))
    project = Project.objects.select_related("general_contractor").get(pk=world.luoxi_project.pk)
    roster_entry(project, 1)
    roster_entry(project, 2)
    with time_machine.travel(NOW, tick=False):
        answers = at_once(
            [0, 1],
            lambda n: payroll_submit(
                actor=chengjian,
                project=project,
                month=datetime.date(2026, 10, 1),
                rows=[row(1, paid=0, paid_on=None), row(2, paid=500_000 + n)],
            ),
        )
    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert sorted(Payroll.objects.values_list("version", flat=True)) == [1, 2]
    month = PayrollMonth.objects.get()
    assert month.payroll is not None and month.payroll.version == 2
    assert Signal.objects.filter(kind="payroll_short").count() == 1
