"""Correcting a parameter's value of today (issue #13, finding 2): a mistake made today can be
put right with a reason — the correction recorded (audit row old → new with the reason, a
PARAMETER_CHANGE event marked as a correction) and shown in the parameter's history — while a
value already in force on an earlier day is never rewritten."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.core.models import PolicyParameter, SecurityEvent, SecurityEventKind
from anxin.core.policy import param
from anxin.core.services import policy_parameter_set

CODE = "security.lockout_minutes"
DETAIL = f"/settings/parameters/{CODE}/"


def _today():
    return timezone.localdate()


def _set(actor, value, *, day=None, **extra):
    return policy_parameter_set(
        actor=actor,
        code=CODE,
        value=value,
        effective_from=day or _today(),
        note="等保测评整改",
        confirm_large_change=True,  # 600 minutes for 60: the slip these tests then correct
        **extra,
    )


def _correct(actor, value, *, day=None, reason="误将60分钟填为600分钟"):
    return policy_parameter_set(
        actor=actor,
        code=CODE,
        value=value,
        effective_from=day or _today(),
        correct=True,
        correction_reason=reason,
    )


def _events():
    return SecurityEvent.objects.filter(kind=SecurityEventKind.PARAMETER_CHANGE).order_by("pk")


# --- the service ---------------------------------------------------------------------------------


def test_a_value_of_today_can_be_corrected_with_a_reason(office):
    _set(office, "600")
    row = _correct(office, "60")
    assert row.value == "60"
    assert param(CODE) == 60
    assert PolicyParameter.objects.filter(code=CODE, effective_from=_today()).count() == 1


def test_a_correction_is_an_audit_row_with_old_new_and_the_reason(office):
    row = _set(office, "600")
    _correct(office, "60")
    entry = LogEntry.objects.get_for_object(row).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == office
    assert entry.changes_dict["value"] == ["600", "60"]
    assert "误将60分钟填为600分钟" in entry.changes_dict["note"][1]
    assert entry.additional_data == {
        "correction": True,
        "reason": "误将60分钟填为600分钟",
        "old": "600",
        "new": "60",
    }


def test_a_correction_is_a_parameter_change_event_marked_as_correction(office):
    _set(office, "600")
    _correct(office, "60")
    event = _events().last()
    assert event.user == office
    assert event.detail == {
        "code": CODE,
        "old": "600",
        "new": "60",
        "effective_from": _today().isoformat(),
        "correction": True,
        "reason": "误将60分钟填为600分钟",
    }
    assert "更正" in event.summary


def test_the_row_says_it_was_corrected_from_what_and_why(office):
    _set(office, "600")
    row = _correct(office, "60")
    assert "原取值 600 → 60 分钟" in row.note
    assert "误将60分钟填为600分钟" in row.note
    assert "等保测评整改" in row.note  # the reason of the value itself stays


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_correction_without_a_reason_is_refused_and_changes_nothing(office, reason):
    _set(office, "600")
    with pytest.raises(DomainError) as excinfo:
        _correct(office, "60", reason=reason)
    assert excinfo.value.field == "correction_reason"
    assert param(CODE) == 600
    assert not LogEntry.objects.filter(action=LogEntry.Action.UPDATE, object_repr__startswith=CODE).exists()


def test_without_asking_for_a_correction_a_taken_date_is_still_refused_and_says_how_to_correct(office):
    _set(office, "600")
    with pytest.raises(DomainError) as excinfo:
        _set(office, "60")
    assert excinfo.value.field == "effective_from"
    assert "更正当日取值" in excinfo.value.message
    assert param(CODE) == 600


def test_a_value_in_force_since_an_earlier_day_cannot_be_corrected(office):
    yesterday = _today() - datetime.timedelta(days=1)
    _set(office, "600", day=yesterday)
    events = _events().count()
    with pytest.raises(DomainError) as excinfo:
        _correct(office, "60", day=yesterday)
    assert excinfo.value.field == "effective_from"
    assert "不能更正" in excinfo.value.message
    assert PolicyParameter.objects.get(code=CODE, effective_from=yesterday).value == "600"
    assert _events().count() == events


def test_a_future_value_can_be_corrected(office):
    later = _today() + datetime.timedelta(days=10)
    _set(office, "600", day=later)
    assert _correct(office, "60", day=later).value == "60"
    assert param(CODE, on=later) == 60


def test_a_correction_is_checked_against_the_bounds_too(office):
    _set(office, "600")
    with pytest.raises(DomainError) as excinfo:
        _correct(office, str(10**40))
    assert excinfo.value.field == "value"
    assert param(CODE) == 600


def test_a_correction_of_a_date_with_no_value_is_refused(office):
    with pytest.raises(DomainError) as excinfo:
        _correct(office, "60")
    assert excinfo.value.field == "effective_from"
    assert not PolicyParameter.objects.filter(code=CODE, effective_from=_today()).exists()


def test_a_correction_to_the_same_value_is_refused(office):
    _set(office, "600")
    with pytest.raises(DomainError) as excinfo:
        _correct(office, "600")
    assert excinfo.value.field == "value"


# --- the parameters page (the office persona) ------------------------------------------------------


def _form(**overrides):
    data = {
        "value": "60",
        "effective_from": _today().isoformat(),
        "citation": "",
        "note": "",
        "correct": "on",
        "correction_reason": "误将60分钟填为600分钟",
    }
    data.update(overrides)
    return data


def test_the_page_asks_to_confirm_a_correction_repeating_old_and_new_values(login, office):
    _set(office, "600")
    response = login(office).post(DETAIL, _form())
    assert response.status_code == 200
    html = response.content.decode()
    assert "确认更正当日取值" in html
    assert "600 分钟" in html and "60 分钟" in html
    assert "误将60分钟填为600分钟" in html
    assert param(CODE) == 600  # nothing written before the confirmation


def test_a_confirmed_correction_on_the_page_replaces_the_value_and_shows_in_its_history(login, office):
    _set(office, "600")
    client = login(office)
    response = client.post(DETAIL, {**_form(), "confirmed": "1"}, REMOTE_ADDR="10.8.0.3")
    assert response.status_code == 302
    assert param(CODE) == 60
    event = _events().last()
    assert (event.user, event.ip, event.detail["correction"]) == (office, "10.8.0.3", True)
    html = client.get(DETAIL).content.decode()
    assert "已更正" in html
    assert "更正记录" in html
    assert "<del>600</del> → <ins>60</ins>" in html
    assert "误将60分钟填为600分钟" in html


def test_going_back_from_the_confirmation_writes_nothing(login, office):
    _set(office, "600")
    response = login(office).post(DETAIL, {**_form(), "back": "1"})
    assert response.status_code == 200
    assert "登记新取值" in response.content.decode()
    assert param(CODE) == 600


def test_a_correction_without_a_reason_on_the_page_is_a_form_error(login, office):
    _set(office, "600")
    response = login(office).post(DETAIL, {**_form(correction_reason=""), "confirmed": "1"})
    assert response.status_code == 200
    assert "更正当日取值须说明更正理由" in response.content.decode()
    assert param(CODE) == 600


def test_a_correction_of_a_past_value_on_the_page_is_refused(login, office):
    yesterday = _today() - datetime.timedelta(days=1)
    _set(office, "600", day=yesterday)
    response = login(office).post(DETAIL, _form(effective_from=yesterday.isoformat()))
    assert response.status_code == 200
    assert "不能更正" in response.content.decode()
    assert PolicyParameter.objects.get(code=CODE, effective_from=yesterday).value == "600"


def test_the_audit_log_page_shows_the_correction_to_the_auditor(login, office, auditor):
    _set(office, "600")
    _correct(office, "60")
    html = login(auditor).get("/security/audit/?model=policyparameter").content.decode()
    assert "600" in html and "误将60分钟填为600分钟" in html


def test_the_form_offers_today_as_the_effective_date_in_the_format_a_date_input_shows(login, office):
    html = login(office).get(DETAIL).content.decode()
    assert f'name="effective_from" value="{_today().isoformat()}"' in html
