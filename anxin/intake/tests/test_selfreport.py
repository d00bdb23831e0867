"""Enterprise self-reports (§四(一)): on time within five days, recorded as a signal, refused out of scope."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from anxin.core.errors import ScopeViolation
from anxin.intake.models import SelfReport, Signal
from anxin.intake.tests.factories import self_report
from anxin.org.models import Unit

TZ = timezone.get_current_timezone()


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


# --- self-reports (§四(一)) ---------------------------------------------------------------------


def test_a_self_report_on_day_five_is_on_time(world):
    report = self_report(world.luoxi_factory, since=datetime.date(2026, 11, 1), on=datetime.date(2026, 11, 6))
    assert report.on_time and report.deadline == datetime.date(2026, 11, 6)
    assert report.parameter_evidence["code"] == "self_report.deadline_days"
    assert report.parameter_evidence["value"] == "5"


def test_a_self_report_on_day_six_is_late(world):
    report = self_report(world.luoxi_factory, since=datetime.date(2026, 11, 1), on=datetime.date(2026, 11, 7))
    assert not report.on_time
    assert "逾期报告" in report.signal.summary


def test_a_self_report_records_a_signal_on_the_self_report_channel(world):
    report = self_report(world.luoxi_builder, since=datetime.date(2026, 11, 1), on=datetime.date(2026, 11, 3))
    s = report.signal
    assert s.channel.is_self_report and s.kind == "arrears_report"
    assert (s.enterprise, s.assigned_unit.code, s.amount) == (world.luoxi_builder, "construction", 500000)
    assert report.instalments.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"on": timezone.localdate() + datetime.timedelta(days=1)}, "reported_on"),
        ({"since": datetime.date(2026, 11, 10), "on": datetime.date(2026, 11, 5)}, "arrears_since"),
        ({"plan": [{"due_on": datetime.date(2026, 12, 1), "amount": 600000}]}, "plan"),
        ({"plan": []}, "plan"),
        ({"amount": 0}, "amount"),
    ],
)
def test_a_bad_self_report_is_refused_and_writes_nothing(world, changes, field):
    args = {"since": datetime.date(2026, 11, 1), "on": datetime.date(2026, 11, 3), **changes}
    with pytest.raises(ValidationError) as caught:
        self_report(world.luoxi_factory, **args)
    assert field in caught.value.message_dict
    assert not SelfReport.objects.exists() and not Signal.objects.exists()


def test_a_town_cannot_file_a_self_report_for_another_town(world, luoxi):
    # A town user has no add_selfreport permission at all; a department outside the line is refused by scope.
    with pytest.raises(PermissionDenied):
        self_report(
            world.xuejia_factory, since=datetime.date(2026, 11, 1), on=datetime.date(2026, 11, 3), actor=luoxi
        )


def test_a_department_outside_the_line_cannot_file_a_self_report(world, shuili):
    with pytest.raises(ScopeViolation):
        self_report(
            world.luoxi_factory, since=datetime.date(2026, 11, 1), on=datetime.date(2026, 11, 3), actor=shuili
        )
    assert not SelfReport.objects.exists()


def test_office_unit_exists_for_overdue_notices(district):
    assert Unit.objects.filter(kind="office").exists()
