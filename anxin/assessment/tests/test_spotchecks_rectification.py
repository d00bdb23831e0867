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
