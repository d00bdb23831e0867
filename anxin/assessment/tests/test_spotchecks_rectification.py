"""Inspection and rectification: who records, answer/accept/return rules, escalation once with the
clock moved, the measure rectification_overdue."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anxin.assessment import measures
from anxin.assessment.models import (
    ItemResult,
    Rectification,
    RectificationEvent,
    RectificationStatus,
    SpotCheckStatus,
)
from anxin.assessment.services import spotchecks as services
from anxin.assessment.tests.factories_spotchecks import checking, drawn, rectification, with_problem
from anxin.core.errors import DomainError
from anxin.intake.tests.factories import png
from anxin.notify.models import Notification
from anxin.org.models import Unit

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_inspectors_are_office_or_department_users_not_the_unit_checked(office, luoxi, renshe, world):
    spot_check = drawn(office)
    check_unit = spot_check.units.get()
    with pytest.raises(DomainError):
        services.assign_inspectors(actor=office, check_unit=check_unit, inspectors=[luoxi])
    assert not check_unit.inspectors.exists()
    with pytest.raises(PermissionDenied):
        services.assign_inspectors(actor=renshe, check_unit=check_unit, inspectors=[renshe])
    services.assign_inspectors(actor=office, check_unit=check_unit, inspectors=[renshe])
    assert list(check_unit.inspectors.all()) == [renshe]


def test_checking_starts_only_with_inspectors(office, renshe, world):
    spot_check = drawn(office)
    with pytest.raises(DomainError):
        services.start(actor=office, spot_check=spot_check)
    spot_check.refresh_from_db()
    assert spot_check.status == SpotCheckStatus.DRAWN
    services.assign_inspectors(actor=office, check_unit=spot_check.units.get(), inspectors=[renshe])
    services.start(actor=office, spot_check=spot_check)
    assert spot_check.status == SpotCheckStatus.CHECKING


def test_only_assigned_inspectors_or_the_office_record(office, renshe, chengjian, world):
    spot_check = checking(office, renshe)
    item = spot_check.units.get().items.order_by("pk")[0]
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.record_item(
            actor=chengjian, item=item, result=ItemResult.OK, observations="", checked_on=today
        )
    with pytest.raises(DomainError):  # a problem needs its observations
        services.record_item(
            actor=renshe, item=item, result=ItemResult.PROBLEM, observations="", checked_on=today
        )
    item.refresh_from_db()
    assert item.result == ItemResult.PENDING
    services.record_item(
        actor=renshe,
        item=item,
        result=ItemResult.PROBLEM,
        observations="未按月支付",
        checked_on=today,
        photos=[services.Paper("现场.png", png())],
        papers=[services.Paper("笔录.pdf", PDF)],
    )
    item.refresh_from_db()
    assert item.result == ItemResult.PROBLEM and item.checked_by == renshe and item.files.count() == 2


def test_a_rectification_is_set_from_a_problem_with_the_default_due(office, renshe, world):
    spot_check, item = with_problem(office, renshe)
    ok_item = spot_check.units.get().items.exclude(pk=item.pk)[0]
    with pytest.raises(DomainError):
        services.set_rectification(actor=office, item=ok_item, requirement="整改")
    item.refresh_from_db()
    rect = services.set_rectification(actor=office, item=item, requirement="补发工资")
    assert rect.due == timezone.localdate() + datetime.timedelta(days=30)  # spotcheck.rectification_days
    assert rect.unit.code == "gov-luoxi" and rect.status == RectificationStatus.OPEN
    event = rect.events.get()
    assert "spotcheck.rectification_days=30" in event.note
    with pytest.raises(DomainError):
        services.set_rectification(actor=office, item=item, requirement="x", due=timezone.localdate())


def test_answer_own_unit_only_then_accept_or_return(office, renshe, luoxi, xuejia, world):
    rect = rectification(office, renshe)
    with pytest.raises(PermissionDenied):
        services.answer_rectification(actor=xuejia, rectification=rect, answer="已整改")
    with pytest.raises(PermissionDenied):
        services.answer_rectification(actor=office, rectification=rect, answer="已整改")
    with pytest.raises(DomainError):  # the office cannot accept what was not answered
        services.accept_rectification(actor=office, rectification=rect)
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.OPEN
    services.answer_rectification(actor=luoxi, rectification=rect, answer="已建立台账并补发")
    assert rect.status == RectificationStatus.ANSWERED and rect.answered_at
    with pytest.raises(PermissionDenied):
        services.return_rectification(actor=luoxi, rectification=rect, reason="x")
    with pytest.raises(DomainError):  # a reason is required
        services.return_rectification(actor=office, rectification=rect, reason=" ")
    services.return_rectification(actor=office, rectification=rect, reason="佐证不足")
    assert rect.status == RectificationStatus.RETURNED
    services.answer_rectification(actor=luoxi, rectification=rect, answer="补充了工资发放凭证")
    services.accept_rectification(actor=office, rectification=rect, opinion="同意")
    assert rect.status == RectificationStatus.ACCEPTED and rect.accepted_at
    actions = list(rect.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["set", "answer", "return", "answer", "accept"]


def test_overdue_rectification_escalates_once(office, renshe, world, django_capture_on_commit_callbacks):
    rect = rectification(office, renshe)
    office_unit = Unit.objects.get(code="office")
    assert services.rectifications_escalate() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.rectifications_escalate() == 1
        assert services.rectifications_escalate() == 0  # once only
    rect.refresh_from_db()
    assert rect.escalated_at is not None
    event = rect.events.get(action="escalate")
    assert "§五(三)" in event.note and "spotcheck.rectification_days=30" in event.note
    notice = Notification.objects.filter(recipient__unit=office_unit, subject__contains="逾期未整改")
    assert notice.exists()


def test_an_answered_item_does_not_escalate(office, renshe, luoxi, world):
    rect = rectification(office, renshe)
    services.answer_rectification(actor=luoxi, rectification=rect, answer="已整改")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=40), tick=False):
        assert services.rectifications_escalate() == 0
    assert not RectificationEvent.objects.filter(action="escalate").exists()


def test_measure_counts_rectifications_gone_overdue(office, renshe, luoxi, world):
    rect = rectification(office, renshe)
    measure = measures.get("rectification_overdue")
    assert measure.kind == measures.COUNT
    unit = rect.unit
    year = rect.due.year
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    assert measure.compute(unit, start, end, {}).value == 0  # not yet due
    with time_machine.travel(timezone.now() + datetime.timedelta(days=32), tick=False):
        result = measure.compute(unit, start, end, {})
        assert result.value == 1 and result.numerator == 1
        (record,) = result.records
        assert record["id"] == rect.pk and record["met"] is False
        assert "spotcheck.rectification_days" in result.params
        other = Unit.objects.get(code="gov-xuejia")
        assert measure.compute(other, start, end, {}).value == 0


def test_measure_on_time_answer_is_not_overdue(office, renshe, luoxi, world):
    rect = rectification(office, renshe)
    services.answer_rectification(actor=luoxi, rectification=rect, answer="已整改")
    services.accept_rectification(actor=office, rectification=rect)
    year = rect.due.year
    with time_machine.travel(timezone.now() + datetime.timedelta(days=32), tick=False):
        result = measures.get("rectification_overdue").compute(
            rect.unit, datetime.date(year, 1, 1), datetime.date(year, 12, 31), {}
        )
    assert result.value == 0
    assert Rectification.objects.count() == 1


def test_a_problem_with_a_rectification_or_finding_cannot_be_flipped(office, renshe, world):
    from anxin.assessment.models import Finding, FindingSource
    from anxin.assessment.services import findings

    spot_check, item = with_problem(office, renshe, codes=("gov-luoxi",))
    item.refresh_from_db()
    today = timezone.localdate()
    services.set_rectification(actor=office, item=item, requirement="补发工资")
    with pytest.raises(DomainError) as refused:
        services.record_item(actor=renshe, item=item, result=ItemResult.OK, observations="", checked_on=today)
    assert refused.value.field == "result" and "整改事项" in refused.value.message
    item.refresh_from_db()
    assert item.result == ItemResult.PROBLEM and item.observations
    # still a problem: its observations may be corrected
    services.record_item(
        actor=renshe, item=item, result=ItemResult.PROBLEM, observations="台账缺失（补正）", checked_on=today
    )
    # a finding alone also holds it
    other = spot_check.units.get().items.exclude(pk=item.pk).order_by("pk")[0]
    services.record_item(
        actor=renshe, item=other, result=ItemResult.PROBLEM, observations="未按月支付", checked_on=today
    )
    findings.record_finding(
        unit=other.check_unit.unit,
        year=spot_check.year,
        source=FindingSource.SPOT_CHECK,
        text="抽查发现未按月支付",
        deduction="1",
        actor=office,
        spot_item=other,
    )
    with pytest.raises(DomainError):
        services.record_item(
            actor=renshe, item=other, result=ItemResult.OK, observations="", checked_on=today
        )
    other.refresh_from_db()
    assert other.result == ItemResult.PROBLEM and Finding.objects.count() == 1


def test_inspection_date_bound_is_the_local_draw_day(office, renshe, world):
    # drawn at 01:00 on 2 March in the district (17:00 on 1 March UTC)
    at = datetime.datetime(2026, 3, 1, 17, 0, tzinfo=datetime.UTC)
    spot_check = services.draw(
        title="抽查", seed="1", units=1, population=["gov-luoxi"], items_per_unit=1, actor=office, now=at
    )
    services.assign_inspectors(actor=office, check_unit=spot_check.units.get(), inspectors=[renshe], now=at)
    services.start(actor=office, spot_check=spot_check, now=at)
    item = spot_check.units.get().items.get()
    later = at + datetime.timedelta(hours=2)
    with pytest.raises(DomainError) as refused:
        services.record_item(
            actor=renshe,
            item=item,
            result=ItemResult.OK,
            observations="",
            checked_on=datetime.date(2026, 3, 1),
            now=later,
        )
    assert refused.value.field == "checked_on"
    item.refresh_from_db()
    assert item.result == ItemResult.PENDING
    services.record_item(
        actor=renshe,
        item=item,
        result=ItemResult.OK,
        observations="",
        checked_on=datetime.date(2026, 3, 2),
        now=later,
    )


def _measure(rect, *, year=None):
    year = year or rect.due.year
    return measures.get("rectification_overdue").compute(
        rect.unit, datetime.date(year, 1, 1), datetime.date(year, 12, 31), {}
    )


def test_returning_an_answer_in_time_sets_a_new_due_day_and_is_not_overdue(office, renshe, luoxi, world):
    rect = rectification(office, renshe)
    first_due = rect.due
    services.answer_rectification(actor=luoxi, rectification=rect, answer="已整改")  # in time
    later = timezone.now() + datetime.timedelta(days=35)  # the office returns it after the due day
    with time_machine.travel(later, tick=False):
        with pytest.raises(DomainError) as refused:  # a new due day must lie ahead
            services.return_rectification(
                actor=office, rectification=rect, reason="佐证不足", due=timezone.localdate()
            )
        assert refused.value.field == "due"
        rect.refresh_from_db()
        assert rect.status == RectificationStatus.ANSWERED and rect.due == first_due
        services.return_rectification(actor=office, rectification=rect, reason="佐证不足")
        assert rect.due == timezone.localdate() + datetime.timedelta(days=30)  # spotcheck.rectification_days
        assert rect.status == RectificationStatus.RETURNED and rect.escalated_at is None
        assert "spotcheck.rectification_days=30" in rect.events.get(action="return").note
        assert services.rectifications_escalate() == 0  # not escalated at once
        assert _measure(rect, year=first_due.year).value == 0
    # not answered by the new due day: overdue on that day, escalated, counted once
    with time_machine.travel(later + datetime.timedelta(days=32), tick=False):
        assert services.rectifications_escalate() == 1
        rect.refresh_from_db()
        assert rect.overdue_due == rect.due
        result = _measure(rect)
        assert result.value == 1 and result.records[0]["due"] == rect.due.isoformat()


def test_an_item_overdue_before_a_return_stays_counted_by_its_first_due_day(office, renshe, luoxi, world):
    rect = rectification(office, renshe)
    first_due = rect.due
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31), tick=False):
        assert services.rectifications_escalate() == 1
        services.answer_rectification(actor=luoxi, rectification=rect, answer="迟报的整改情况")
        services.return_rectification(actor=office, rectification=rect, reason="佐证不足")
        rect.refresh_from_db()
        assert rect.escalated_at is None and rect.overdue_due == first_due and rect.due > first_due
        services.answer_rectification(actor=luoxi, rectification=rect, answer="补充凭证")  # in time now
        services.accept_rectification(actor=office, rectification=rect)
        result = _measure(rect, year=first_due.year)
    assert result.value == 1 and result.records[0]["due"] == first_due.isoformat()


def test_a_late_answer_without_escalation_is_counted(office, renshe, luoxi, world):
    rect = rectification(office, renshe)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=33), tick=False):
        services.answer_rectification(actor=luoxi, rectification=rect, answer="迟报")
        rect.refresh_from_db()
        assert rect.overdue_due == rect.due and "计为逾期" in rect.events.get(action="answer").note
        assert _measure(rect).value == 1
