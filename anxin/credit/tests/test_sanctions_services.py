"""Joint sanctions' services: the district's measures, tasks opened on listing for the units whose
measure reaches the enterprise, lifted on removal (only what was applied), recorded by their own unit,
reminded and escalated once by ``tick``."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from anxin.core import seam
from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.core.tests.helpers import at
from anxin.credit.models import ListingEvent, SanctionMeasure, SanctionTask, TaskKind, TaskStatus
from anxin.credit.services.sanctions import (
    sanction_measures_load,
    sanction_task_done,
    sanction_tasks_open,
    sanction_tasks_sweep,
)
from anxin.credit.tests.factories_sanctions import listing_in_force
from anxin.notify.models import Notification

pytestmark = pytest.mark.django_db

EVERY_ENTERPRISE = {"procurement", "public-funds", "credit-publicity", "tax-preferences", "awards"}


def _codes(tasks: Any) -> set[str]:
    return {t.measure.code for t in tasks}


def _open(listing, kind=TaskKind.APPLY, now=None):
    return sanction_tasks_open(actor=system_actor(), listing=listing, kind=kind, now=now)


# --- the district's measures -------------------------------------------------------------------------


def test_the_district_file_loads_every_measure_with_its_unit_and_kinds(district):
    measures = {m.code: m for m in SanctionMeasure.objects.select_related("unit")}
    assert set(measures) == EVERY_ENTERPRISE | {"construction-bidding", "water-bidding"}
    assert measures["procurement"].unit.code == "finance"
    assert measures["construction-bidding"].enterprise_kinds == ["construction", "real_estate"]
    assert measures["water-bidding"].unit.code == "agriculture-water"
    assert all(m.active for m in measures.values())


def test_loading_the_district_twice_changes_nothing(district):
    before = list(SanctionMeasure.objects.order_by("code").values())
    call_command("load_district", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(SanctionMeasure.objects.order_by("code").values()) == before


def test_a_measure_of_an_unknown_unit_is_refused_naming_the_entry_and_field(district):
    data = {"credit_sanctions": [{"code": "x", "unit": "nobody", "name": "限制", "citation": "§三(十)"}]}
    with pytest.raises(DomainError, match=r"credit_sanctions 第 1 项（x）：实施单位 unit=nobody") as caught:
        sanction_measures_load(data=data, actor=system_actor())
    assert caught.value.field == "unit"


def test_a_measure_of_an_unknown_enterprise_kind_is_refused(district):
    data = {
        "credit_sanctions": [
            {
                "code": "y",
                "unit": "finance",
                "name": "限制",
                "citation": "§三(八)",
                "enterprise_kinds": ["ships"],
            }
        ]
    }
    with pytest.raises(
        DomainError, match=r"第 1 项（y）：适用企业类型 enterprise_kinds 中的 ships"
    ) as caught:
        sanction_measures_load(data=data, actor=system_actor())
    assert caught.value.field == "enterprise_kinds"


def test_a_measure_without_a_citation_is_refused(district):
    data = {"credit_sanctions": [{"code": "z", "unit": "finance", "name": "限制"}]}
    with pytest.raises(DomainError, match="缺少字段 citation"):
        sanction_measures_load(data=data, actor=system_actor())


def test_a_measure_removed_from_the_file_becomes_inactive_and_keeps_its_tasks(district):
    listing = listing_in_force()
    _open(listing)
    data = {
        "credit_sanctions": [
            {"code": "procurement", "unit": "finance", "name": "限制参与政府采购活动", "citation": "§三(八)"}
        ]
    }
    sanction_measures_load(data=data, actor=system_actor())
    awards = SanctionMeasure.objects.get(code="awards")
    assert not awards.active
    assert awards.tasks.count() == 1  # never deleted
    assert SanctionMeasure.objects.get(code="procurement").active
    # an inactive measure reaches no new listing
    assert _codes(_open(listing_in_force())) == {"procurement"}


def test_credit_loads_its_district_section_after_the_earlier_apps():
    sections = [app for app, _ in seam.contributions(seam.DISTRICT_SECTIONS)]
    earlier = ["core", "org", "registry", "intake", "monitoring", "money"]
    assert all(sections.index(app) < sections.index("credit") for app in earlier)


# --- tasks on listing --------------------------------------------------------------------------------


def test_listing_sends_a_task_to_each_unit_whose_measure_reaches_every_enterprise(district):
    listing = listing_in_force(kinds=("industrial",))
    tasks = _open(listing)
    assert _codes(tasks) == EVERY_ENTERPRISE  # 城建局 and 水利局 are not in an industrial firm's line
    assert {t.unit.code for t in tasks} == {"finance", "market", "tax", "economy"}
    assert all(t.status == TaskStatus.OPEN and t.kind == TaskKind.APPLY for t in tasks)


def test_a_construction_enterprise_reaches_chengjian_but_not_shuili(district):
    tasks = _open(listing_in_force(kinds=("construction",)))
    assert _codes(tasks) == EVERY_ENTERPRISE | {"construction-bidding"}


def test_only_a_water_construction_enterprise_reaches_shuili(district):
    tasks = _open(listing_in_force(kinds=("water_construction",)))
    assert _codes(tasks) == EVERY_ENTERPRISE | {"water-bidding"}
    assert SanctionTask.objects.filter(measure__code="water-bidding").count() == 1


def test_a_task_is_due_in_the_parameterised_working_days_with_its_basis(district):
    listing = listing_in_force(kinds=("construction",))
    with time_machine.travel(at("2026-12-01T09:00"), tick=False):  # a Tuesday
        task = _open(listing)[0]
    assert task.due_at == at("2026-12-15T23:59:59")  # 10 working days
    assert "sanction.task_working_days=10" in task.due_basis


def test_each_task_is_a_line_on_the_listing_and_a_notice_to_its_unit(
    district, chengjian, caizheng, django_capture_on_commit_callbacks
):
    listing = listing_in_force(kinds=("construction",))
    with django_capture_on_commit_callbacks(execute=True):
        tasks = _open(listing)
    events = ListingEvent.objects.filter(listing=listing, action="task_sent")
    assert events.count() == len(tasks)
    task = next(t for t in tasks if t.measure.code == "construction-bidding")
    assert events.filter(ref=f"task:{task.pk}", note__contains="区城建局").exists()
    note = Notification.objects.get(recipient=chengjian, topic="credit-sanction")
    assert (
        note.subject == f"{listing.number} 请实施联合惩戒措施：限制参与建设工程招标投标，依法限制建筑市场准入"
    )
    assert note.url == f"/credit/sanctions/{task.pk}/"
    assert Notification.objects.filter(recipient=caizheng, topic="credit-sanction").count() == 2


def test_opening_twice_opens_nothing_the_second_time(district):
    listing = listing_in_force()
    first = _open(listing)
    assert _open(listing) == []
    assert listing.sanction_tasks.count() == len(first)


def test_an_unknown_task_kind_is_refused(district):
    with pytest.raises(DomainError, match="实施"):
        _open(listing_in_force(), kind="pause")


# --- lifting ------------------------------------------------------------------------------------------


def _done(task, user, day=None, note="已限制（采购办〔2026〕3号）"):
    return sanction_task_done(
        actor=user, task=task, done_on=day or timezone.localdate(task.created_at), note=note
    )


def test_removal_lifts_only_what_was_applied_and_withdraws_the_rest(district, caizheng):
    listing = listing_in_force()
    tasks = {t.measure.code: t for t in _open(listing)}
    _done(tasks["procurement"], caizheng)
    _done(tasks["public-funds"], caizheng)
    lifts = _open(listing, kind=TaskKind.LIFT)
    assert _codes(lifts) == {"procurement", "public-funds"}
    assert all(t.kind == TaskKind.LIFT and t.unit.code == "finance" for t in lifts)
    withdrawn = SanctionTask.objects.filter(listing=listing, kind=TaskKind.APPLY, status=TaskStatus.CANCELLED)
    assert _codes(withdrawn) == EVERY_ENTERPRISE - {"procurement", "public-funds"}
    assert ListingEvent.objects.filter(listing=listing, action="task_cancel").count() == 3
    assert _open(listing, kind=TaskKind.LIFT) == []  # once


def test_a_listing_where_nothing_was_applied_sends_no_lift_task(district):
    listing = listing_in_force()
    _open(listing)
    assert _open(listing, kind=TaskKind.LIFT) == []
    assert not listing.sanction_tasks.filter(status=TaskStatus.OPEN).exists()


# --- recording a task --------------------------------------------------------------------------------


def _task(listing, code):
    return listing.sanction_tasks.get(measure__code=code, kind=TaskKind.APPLY)


def test_chengjian_records_its_task_and_the_office_is_told(
    district, chengjian, office, django_capture_on_commit_callbacks
):
    listing = listing_in_force(kinds=("construction",))
    _open(listing)
    task = _task(listing, "construction-bidding")
    with django_capture_on_commit_callbacks(execute=True):
        sanction_task_done(
            actor=chengjian, task=task, done_on=timezone.localdate(task.created_at), note="已在招投标平台限制"
        )
    task.refresh_from_db()
    assert (task.status, task.done_by, task.note) == (TaskStatus.DONE, chengjian, "已在招投标平台限制")
    assert ListingEvent.objects.filter(listing=listing, action="task_done", ref=f"task:{task.pk}").exists()
    assert Notification.objects.filter(
        recipient=office, subject__contains="区城建局已实施联合惩戒措施"
    ).exists()


def test_another_unit_cannot_record_a_task(district, caizheng, luoxi, renshe):
    listing = listing_in_force(kinds=("construction",))
    _open(listing)
    task = _task(listing, "construction-bidding")
    for user in (caizheng, luoxi, renshe):
        with pytest.raises(PermissionDenied, match="由区城建局办理"):
            _done(task, user)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_the_office_may_record_on_the_units_behalf(district, office):
    listing = listing_in_force()
    _open(listing)
    task = _done(_task(listing, "awards"), office)
    assert task.status == TaskStatus.DONE


def test_the_day_may_be_today_but_not_tomorrow(district, caizheng):
    with time_machine.travel(at("2026-12-01T09:00"), tick=False):
        listing = listing_in_force()
        _open(listing)
    task = _task(listing, "procurement")
    with time_machine.travel(at("2026-12-03T10:00"), tick=False):
        with pytest.raises(DomainError, match="晚于今天") as caught:
            _done(task, caizheng, datetime.date(2026, 12, 4))
        assert caught.value.field == "done_on"
        _done(task, caizheng, datetime.date(2026, 12, 3))


def test_the_day_may_be_the_day_sent_but_not_before(district, caizheng):
    with time_machine.travel(at("2026-12-01T09:00"), tick=False):
        listing = listing_in_force()
        _open(listing)
    first, second = _task(listing, "procurement"), _task(listing, "public-funds")
    with time_machine.travel(at("2026-12-03T10:00"), tick=False):
        with pytest.raises(DomainError, match="早于任务下达日 2026-12-01"):
            _done(first, caizheng, datetime.date(2026, 11, 30))
        _done(second, caizheng, datetime.date(2026, 12, 1))


def test_the_note_is_required(district, caizheng):
    listing = listing_in_force()
    _open(listing)
    with pytest.raises(DomainError, match="措施文号或办理情况") as caught:
        _done(_task(listing, "procurement"), caizheng, note="  ")
    assert caught.value.field == "note"


def test_a_task_is_recorded_once(district, caizheng):
    listing = listing_in_force()
    _open(listing)
    task = _done(_task(listing, "procurement"), caizheng)
    with pytest.raises(DomainError, match="已办理"):
        _done(task, caizheng)


def test_a_withdrawn_task_cannot_be_recorded(district, caizheng):
    listing = listing_in_force()
    _open(listing)
    _open(listing, kind=TaskKind.LIFT)
    with pytest.raises(DomainError, match="已撤回"):
        _done(_task(listing, "procurement"), caizheng)


# --- deadlines ---------------------------------------------------------------------------------------


def _sent_on_tuesday():
    with time_machine.travel(at("2026-12-01T09:00"), tick=False):  # due 2026-12-15
        listing = listing_in_force(kinds=("construction",))
        _open(listing)
    return listing, _task(listing, "construction-bidding")


def test_the_unit_is_reminded_once_two_working_days_before(
    district, chengjian, django_capture_on_commit_callbacks
):
    listing, task = _sent_on_tuesday()
    assert sanction_tasks_sweep(now=at("2026-12-10T08:00")) == 0  # Thu: due after the window
    with django_capture_on_commit_callbacks(execute=True):
        assert sanction_tasks_sweep(now=at("2026-12-11T08:00")) == 6  # Fri: each of the six tasks is due Tue
    task.refresh_from_db()
    assert task.reminded_at == at("2026-12-11T08:00")
    assert ListingEvent.objects.filter(listing=listing, action="task_remind", ref=f"task:{task.pk}").exists()
    assert Notification.objects.filter(recipient=chengjian, subject__contains="将于 2026-12-15 到期").exists()
    assert sanction_tasks_sweep(now=at("2026-12-14T08:00")) == 0


def test_an_overdue_task_is_escalated_to_the_office_once(
    district, office, chengjian, django_capture_on_commit_callbacks
):
    listing, task = _sent_on_tuesday()
    assert sanction_tasks_sweep(now=at("2026-12-15T23:59:00")) == 6  # the last day: reminders only
    task.refresh_from_db()
    assert task.escalated_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert sanction_tasks_sweep(now=at("2026-12-16T00:01")) == 6
    task.refresh_from_db()
    assert task.escalated_at == at("2026-12-16T00:01")
    text = "联合惩戒任务“实施惩戒：限制参与建设工程招标投标，依法限制建筑市场准入”（区城建局"
    assert Notification.objects.filter(recipient=office, subject__contains=text).exists()
    assert Notification.objects.filter(
        recipient=chengjian, subject__contains="已逾期（期限 2026-12-15），已报联席办"
    ).exists()
    assert sanction_tasks_sweep(now=at("2026-12-17T09:00")) == 0  # once
    assert ListingEvent.objects.filter(listing=listing, action="task_overdue").count() == 6


def test_a_done_task_is_never_escalated(district, chengjian):
    _listing, task = _sent_on_tuesday()
    with time_machine.travel(at("2026-12-02T09:00"), tick=False):
        _done(task, chengjian, datetime.date(2026, 12, 2))
    sanction_tasks_sweep(now=at("2026-12-20T09:00"))
    task.refresh_from_db()
    assert task.escalated_at is None and task.reminded_at is None


def test_the_sweep_is_registered_for_tick():
    labels = [s.label for s in seam.collect(seam.SWEEPS)]
    assert "联合惩戒任务到期提醒与逾期上报" in labels
