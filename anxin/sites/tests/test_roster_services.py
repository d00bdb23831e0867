"""The roster's rules (条例 第二十八条, §三(九)(十)): who keeps it, a valid ID (GB 11643) and phone, an
employer that is the project's general contractor or a subcontractor, a worker once at a time on a
project, dates not in the future and a leave not before the start; every refusal writes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from anxin.core.crypto import blind_index
from anxin.core.errors import DomainError
from anxin.sites import services
from anxin.sites.models import RosterEntry
from anxin.sites.services import RosterRefused, WorkerInput
from anxin.sites.tests.factories_roster import add, days_ago, id_number, site, worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(district):
    return site()


def _refused(s: Any, actor: Any, field: str, code: str = "invalid", **kw: Any) -> DomainError:
    kw.setdefault("employer", s.gc)
    with pytest.raises(DomainError) as caught:
        services.roster_add(actor=actor, project=s.project, **worker(**kw))
    assert caught.value.field == field, caught.value.message
    assert caught.value.code == code
    assert not RosterEntry.objects.filter(project=s.project, name=kw.get("name", "工人1")).exists()
    return caught.value


def test_a_worker_is_put_on_the_roster_with_id_and_phone_encrypted_and_indexed(s, chengjian):
    entry = add(s, 1, actor=chengjian, id_number=id_number(1).lower(), phone="138 0000 0001")
    entry.refresh_from_db()
    assert entry.id_number == id_number(1)
    assert entry.id_number_index == blind_index(id_number(1), purpose="id_number")
    assert entry.phone == "13800000001" and entry.phone_index == blind_index("13800000001", purpose="phone")
    assert entry.employer == s.gc and entry.leave_date is None and entry.added_by == chengjian
    assert entry.id_number_masked == id_number(1)[:4] + "*" * 10 + id_number(1)[-4:]
    log = LogEntry.objects.get_for_object(entry).get()
    assert log.actor == chengjian and "id_number" not in log.changes_dict


def test_the_employer_may_be_a_subcontractor_given_by_its_credit_code(s, office):
    entry = add(s, 1, actor=office, employer=s.sub.uscc)
    assert entry.employer == s.sub


def test_an_employer_that_is_neither_the_general_contractor_nor_a_subcontractor_is_refused(s, office):
    error = _refused(s, office, "employer", employer=s.other)
    assert "不是本项目的施工总承包单位或分包单位" in error.message
    _refused(s, office, "employer", employer="91320411MA0000000X")
    _refused(s, office, "employer", employer="")


def test_an_id_number_with_a_wrong_check_digit_is_refused(s, office):
    wrong = id_number(1)[:17] + ("0" if id_number(1)[17] != "0" else "1")
    error = _refused(s, office, "id_number", id_number=wrong)
    assert "校验位" in error.message


def test_an_id_number_of_the_wrong_length_is_refused(s, office):
    _refused(s, office, "id_number", id_number="32041119900101")


def test_an_invalid_or_missing_phone_is_refused(s, office):
    _refused(s, office, "phone", phone="12345")
    _refused(s, office, "phone", phone="")


def test_a_missing_or_too_long_name_is_refused(s, office):
    _refused(s, office, "name", name="  ")
    _refused(s, office, "name", name="张" * 51)


def test_a_start_in_the_future_is_refused_today_is_accepted(s, office):
    _refused(s, office, "start_date", start_date=days_ago(-1))
    assert add(s, 1, actor=office, start_date=days_ago(0)).start_date == days_ago(0)


def test_a_leave_before_the_start_or_in_the_future_is_refused(s, office):
    _refused(s, office, "leave_date", start_date=days_ago(5), leave_date=days_ago(6))
    _refused(s, office, "leave_date", start_date=days_ago(5), leave_date=days_ago(-1))
    entry = add(s, 1, actor=office, start_date=days_ago(5), leave_date=days_ago(5))
    assert entry.leave_date == entry.start_date


def test_a_worker_already_on_site_cannot_be_added_again_a_conflict(s, office):
    add(s, 1, actor=office)
    error = _refused(s, office, "id_number", code="conflict", name="另一个名字", employer=s.sub)
    assert "尚未退场" in error.message
    assert RosterEntry.objects.filter(project=s.project).count() == 1


def test_a_new_stretch_may_not_overlap_an_earlier_one_even_by_the_leave_day(s, office):
    add(s, 1, actor=office, start_date=days_ago(30), leave_date=days_ago(20))
    # starting again on the day they left: the same day twice
    error = _refused(s, office, "id_number", code="conflict", name="工人1again", start_date=days_ago(20))
    assert "重叠" in error.message
    # a closed stretch inside the earlier one
    _refused(
        s,
        office,
        "id_number",
        code="conflict",
        name="工人1b",
        start_date=days_ago(40),
        leave_date=days_ago(25),
    )
    # the day after: a new stretch
    again = add(s, 1, actor=office, start_date=days_ago(19))
    assert RosterEntry.objects.filter(project=s.project, id_number_index=again.id_number_index).count() == 2


def test_an_earlier_stretch_before_the_first_one_is_accepted(s, office):
    add(s, 1, actor=office, start_date=days_ago(30), leave_date=days_ago(20))
    earlier = add(s, 1, actor=office, start_date=days_ago(50), leave_date=days_ago(31))
    assert earlier.pk


def test_the_same_worker_may_be_on_another_project_at_the_same_time(s, office):
    other = site()
    add(s, 1, actor=office)
    assert add(other, 1, actor=office).project == other.project


@pytest.mark.parametrize("persona", ["luoxi", "leader", "renshe", "auditor"])
def test_who_does_not_keep_the_roster_is_refused_and_nothing_is_written(s, request, persona):
    with pytest.raises(PermissionDenied):
        add(s, 1, actor=request.getfixturevalue(persona))
    assert not RosterEntry.objects.exists()


def test_shuili_keeps_only_water_projects_chengjian_every_project(district, chengjian, shuili):
    building, water = site(), site(town="menghe", supervisor="water")
    with pytest.raises(PermissionDenied):
        add(building, 1, actor=shuili)
    assert add(water, 3, actor=shuili).project == water.project  # §三(十): 水利局 on water works
    assert add(building, 4, actor=chengjian).project == building.project  # §三(九): 城建局, all projects
    assert RosterEntry.objects.count() == 2


# --- leave ----------------------------------------------------------------------------------------------


def test_a_worker_leaves_once_and_the_change_is_audited(s, chengjian):
    entry = add(s, 1, actor=chengjian, start_date=days_ago(10))
    services.roster_leave(actor=chengjian, entry=entry, leave_date=days_ago(2))
    entry.refresh_from_db()
    assert entry.leave_date == days_ago(2)
    assert LogEntry.objects.get_for_object(entry).filter(action=LogEntry.Action.UPDATE).count() == 1
    with pytest.raises(DomainError) as caught:
        services.roster_leave(actor=chengjian, entry=entry, leave_date=days_ago(1))
    assert caught.value.code == "conflict" and "已于" in caught.value.message
    entry.refresh_from_db()
    assert entry.leave_date == days_ago(2)


@pytest.mark.parametrize(("leave", "message"), [(11, "早于进场日期"), (-1, "晚于今天"), (None, "请填写")])
def test_a_leave_before_the_start_in_the_future_or_missing_is_refused(s, office, leave, message):
    entry = add(s, 1, actor=office, start_date=days_ago(10))
    with pytest.raises(DomainError) as caught:
        services.roster_leave(
            actor=office, entry=entry, leave_date=None if leave is None else days_ago(leave)
        )
    assert message in caught.value.message and caught.value.field == "leave_date"
    entry.refresh_from_db()
    assert entry.leave_date is None


def test_a_leave_on_the_start_day_is_accepted(s, office):
    entry = add(s, 1, actor=office, start_date=days_ago(10))
    assert services.roster_leave(actor=office, entry=entry, leave_date=days_ago(10)).leave_date == days_ago(
        10
    )


def test_a_town_cannot_record_a_leave(s, office, luoxi):
    entry = add(s, 1, actor=office)
    with pytest.raises(PermissionDenied):
        services.roster_leave(actor=luoxi, entry=entry, leave_date=days_ago(1))
    entry.refresh_from_db()
    assert entry.leave_date is None


# --- many at once ----------------------------------------------------------------------------------------


def _row(n: int, s: Any, **kw: Any) -> WorkerInput:
    values = worker(n, employer=s.gc)
    values.update(kw)
    return WorkerInput(**values)


def test_an_import_writes_every_row(s, office):
    made = services.roster_import(
        actor=office, project=s.project, rows=[_row(1, s), _row(2, s, employer=s.sub.uscc)]
    )
    assert [e.employer for e in made] == [s.gc, s.sub]


def test_an_import_with_a_bad_row_writes_none_and_names_each_row_and_field(s, office):
    add(s, 9, actor=office)
    rows = [
        _row(1, s),
        _row(2, s, id_number="320411199001010000"),
        _row(3, s, employer=s.other),
        _row(1, s, name="重复"),
        _row(9, s),
    ]
    with pytest.raises(RosterRefused) as caught:
        services.roster_import(actor=office, project=s.project, rows=rows)
    problems = {(n, f) for n, f, _m in caught.value.problems}
    assert problems == {(2, "id_number"), (3, "employer"), (4, "id_number"), (5, "id_number")}
    assert "第 2 行" in caught.value.message
    assert RosterEntry.objects.filter(project=s.project).count() == 1


def test_an_import_of_two_stretches_of_one_worker_that_do_not_overlap_is_accepted(s, office):
    rows = [
        _row(1, s, start_date=days_ago(40), leave_date=days_ago(30)),
        _row(1, s, start_date=days_ago(29)),
    ]
    assert len(services.roster_import(actor=office, project=s.project, rows=rows)) == 2


def test_an_empty_import_is_refused(s, office):
    with pytest.raises(DomainError):
        services.roster_import(actor=office, project=s.project, rows=[])


def test_days_ago_helper_is_a_date():
    assert isinstance(days_ago(1), datetime.date)
