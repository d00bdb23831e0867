"""Objections to a grade or a listing: recorded with their due day, answered both ways (an upheld
objection changes the grade or revokes the listing and lifts its sanctions), refused where the rules
say so, reminded and escalated by the sweep — with the clock moved."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.credit.models import (
    GradeChange,
    ObjectionEvent,
    SanctionMeasure,
    SanctionTask,
)
from anxin.credit.services import objections as services
from anxin.credit.tests import factories_grades as f
from anxin.notify.models import Notification
from anxin.org.models import Unit

pytestmark = [pytest.mark.django_db]
D = datetime.date
MONDAY = f.at(D(2026, 6, 15))  # objections received on a Monday


@pytest.fixture
def grade_c(world):
    return f.graded(world.luoxi_factory, 2026, "C")


def record(actor, grade=None, listing=None, *, received_on=None, reasons="指令书已撤销", **kw):
    received_on = received_on or D(2026, 6, 15)
    enterprise = (grade or listing).enterprise
    return services.objection_record(
        actor=actor, enterprise=enterprise, grade=grade, listing=listing, received_on=received_on,
        reasons=reasons, **kw,
    )  # fmt: skip


def test_recording_sets_the_due_day_from_the_parameter(grade_c, renshe, django_capture_on_commit_callbacks):
    with time_machine.travel(MONDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        objection = record(renshe, grade_c)
    # 15 working days after Monday 15 June 2026, the Dragon Boat Festival (19 June) not counted: 7 July.
    assert objection.due_on == D(2026, 7, 7)
    assert "objection.answer_working_days=15" in objection.due_basis
    assert objection.status == "open" and objection.recorded_by == renshe
    (event,) = ObjectionEvent.objects.filter(objection=objection)
    assert event.action == "object" and "答复期限 2026-07-07" in event.note
    assert Notification.objects.filter(subject__contains="提出异议", recipient__unit__code="hrss").exists()


def test_recording_is_refused_without_reasons_in_the_future_or_twice(grade_c, renshe):
    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(DomainError, match="请填写企业提出异议的理由"):
            record(renshe, grade_c, reasons=" ")
        with pytest.raises(DomainError, match="不能晚于今天"):
            record(renshe, grade_c, received_on=D(2026, 6, 16))
        record(renshe, grade_c)
        with pytest.raises(DomainError, match="已有待答复的异议"):
            record(renshe, grade_c)


def test_recording_is_refused_for_another_enterprise_or_without_a_subject(grade_c, renshe, world):
    with pytest.raises(DomainError, match="被评价的企业本身"):
        services.objection_record(
            actor=renshe,
            enterprise=world.xuejia_factory,
            grade=grade_c,
            received_on=D(2026, 6, 1),
            reasons="x",
        )
    with pytest.raises(DomainError, match="二者选一"):
        services.objection_record(
            actor=renshe, enterprise=world.xuejia_factory, received_on=D(2026, 6, 1), reasons="x"
        )


@pytest.mark.parametrize("persona", ["chengjian", "luoxi", "caizheng"])
def test_only_renshe_and_the_office_record_and_answer(persona, request, grade_c, renshe):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied, match="人社局"):
        record(user, grade_c)
    with time_machine.travel(MONDAY, tick=False):
        objection = record(renshe, grade_c)
    with pytest.raises(PermissionDenied):
        services.objection_answer(actor=user, objection=objection, upheld=False, answer="x")


def test_an_objection_to_a_listing_not_in_force_is_refused(world, renshe):
    listing = f.listed(world.luoxi_builder, start=D(2026, 3, 1))
    listing.status = "expired"  # as the term's end leaves it (set up directly)
    with pytest.raises(DomainError, match=r"期满移出.*不能对其提出异议"):
        record(renshe, listing=listing)


def test_upheld_on_a_grade_changes_the_grade_in_force(grade_c, renshe):
    with time_machine.travel(MONDAY, tick=False):
        objection = record(renshe, grade_c)
    with time_machine.travel(f.at(D(2026, 7, 1)), tick=False):
        with pytest.raises(DomainError, match="请选择变更后的等级"):
            services.objection_answer(actor=renshe, objection=objection, upheld=True, answer="成立")
        with pytest.raises(DomainError, match="现为 C 级"):
            services.objection_answer(
                actor=renshe, objection=objection, upheld=True, answer="成立", new_grade="C"
            )
        with pytest.raises(DomainError, match="请填写答复意见"):
            services.objection_answer(
                actor=renshe, objection=objection, upheld=True, answer="", new_grade="B"
            )
        services.objection_answer(
            actor=renshe, objection=objection, upheld=True, answer="三份指令书中一份已撤销", new_grade="B"
        )
    assert objection.status == "upheld" and objection.answered_on == D(2026, 7, 1)
    assert objection.answer == "三份指令书中一份已撤销"
    grade_c.refresh_from_db()
    assert (grade_c.grade, grade_c.adjusted) == ("B", True)
    (change,) = GradeChange.objects.all()
    assert (change.from_grade, change.to_grade, change.source) == ("C", "B", "objection")
    with pytest.raises(DomainError, match=r"异议成立.*不能"):
        services.objection_answer(actor=renshe, objection=objection, upheld=False, answer="再答复")


def test_rejected_on_a_grade_keeps_it(grade_c, renshe):
    with time_machine.travel(MONDAY, tick=False):
        objection = record(renshe, grade_c)
        services.objection_answer(actor=renshe, objection=objection, upheld=False, answer="证据不足")
    grade_c.refresh_from_db()
    assert grade_c.grade == "C" and objection.status == "rejected"
    assert not GradeChange.objects.exists()
    assert ObjectionEvent.objects.filter(objection=objection, action="reject").exists()


def test_upheld_on_a_listing_revokes_it_and_lifts_its_sanctions(world, renshe, office):
    with time_machine.travel(f.at(D(2026, 3, 1)), tick=False):
        listing = f.listed(world.luoxi_builder, start=D(2026, 3, 1))
        finance = Unit.objects.get(code="finance")
        construction = Unit.objects.get(code="construction")
        done = SanctionMeasure.objects.create(
            code="t-procure", unit=finance, name="限制政府采购", citation="测试"
        )
        pending = SanctionMeasure.objects.create(
            code="t-bid", unit=construction, name="限制招投标", citation="测试"
        )
        for measure, status in ((done, "done"), (pending, "open")):
            SanctionTask.objects.create(
                listing=listing, measure=measure, unit=measure.unit, kind="apply", status=status,
                due_at=timezone.now(), due_basis="测试", done_on=D(2026, 3, 5) if status == "done" else None,
            )  # fmt: skip
    with time_machine.travel(MONDAY, tick=False):
        objection = record(renshe, listing=listing, reasons="已在责令期限内足额支付")
        services.objection_answer(actor=office, objection=objection, upheld=True, answer="支付凭证属实")
    listing.refresh_from_db()
    assert listing.status == "revoked" and listing.ended_on == D(2026, 6, 15)
    assert "异议成立" in listing.end_reasons
    assert listing.events.filter(action="revoke").exists()
    lifts = SanctionTask.objects.filter(listing=listing, kind="lift")
    assert [t.measure.code for t in lifts] == ["t-procure"]  # only what was applied is lifted
    assert SanctionTask.objects.get(listing=listing, measure=pending, kind="apply").status == "cancelled"
    assert not listing.in_force


def test_rejected_on_a_listing_keeps_it_in_force(world, renshe):
    with time_machine.travel(f.at(D(2026, 3, 1)), tick=False):
        listing = f.listed(world.luoxi_builder, start=D(2026, 3, 1))
    with time_machine.travel(MONDAY, tick=False):
        objection = record(renshe, listing=listing)
        services.objection_answer(actor=renshe, objection=objection, upheld=False, answer="理由不成立")
        listing.refresh_from_db()
        assert listing.status == "listed" and listing.in_force


def test_the_sweep_reminds_before_due_and_escalates_once_overdue(
    grade_c, renshe, office, django_capture_on_commit_callbacks
):
    with time_machine.travel(MONDAY, tick=False):
        objection = record(renshe, grade_c)  # due Tuesday 7 July

    def sweep(day):
        with time_machine.travel(f.at(day, 8), tick=False), django_capture_on_commit_callbacks(execute=True):
            return services.objections_sweep()

    # case.remind_working_days = 2: Friday 3 July is two working days before Tuesday 7 July.
    assert sweep(D(2026, 7, 2)) == 0  # Thursday, three working days before: not yet
    assert sweep(D(2026, 7, 3)) == 1  # Friday: reminded
    assert sweep(D(2026, 7, 4)) == 0  # once
    assert sweep(D(2026, 7, 7)) == 0  # the due day itself is not overdue
    assert sweep(D(2026, 7, 8)) == 1  # the day after: the office is told
    assert sweep(D(2026, 7, 9)) == 0
    objection.refresh_from_db()
    assert objection.reminded_at and objection.escalated_at
    assert Notification.objects.filter(
        subject__contains="逾期未答复", recipient__unit__kind="office"
    ).exists()


def test_an_answered_objection_is_not_swept(grade_c, renshe):
    with time_machine.travel(MONDAY, tick=False):
        objection = record(renshe, grade_c)
        services.objection_answer(actor=renshe, objection=objection, upheld=False, answer="不成立")
    with time_machine.travel(f.at(D(2026, 8, 1)), tick=False):
        assert services.objections_sweep() == 0
