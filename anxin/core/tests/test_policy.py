"""Policy parameters (DESIGN rule 1): the value in force on a day, its source, and its changes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.core.models import ParameterType, PolicyParameter, SecurityEvent, SecurityEventKind
from anxin.core.policy import UnknownParameter, param, param_record
from anxin.core.policy_defaults import DEFAULT_EFFECTIVE_FROM, DEFAULTS
from anxin.core.services import policy_parameter_set, policy_seed_defaults

CODE = "immediate.complaints"
LATER = datetime.date(2027, 1, 1)


def _set(actor, *, code=CODE, value="4", effective_from=LATER, note="区联席会议纪要〔2026〕5号"):
    return policy_parameter_set(actor=actor, code=code, value=value, effective_from=effective_from, note=note)


# --- reading ---------------------------------------------------------------------------------


def test_param_returns_the_default_value_from_its_effective_date(district):
    assert param(CODE, on=DEFAULT_EFFECTIVE_FROM) == 3


def test_a_later_value_is_not_in_force_the_day_before_it_takes_effect(office):
    _set(office)
    assert param(CODE, on=LATER - datetime.timedelta(days=1)) == 3


def test_a_later_value_is_in_force_from_its_effective_date(office):
    _set(office)
    assert param(CODE, on=LATER) == 4
    assert param(CODE, on=LATER + datetime.timedelta(days=400)) == 4


def test_param_record_names_its_citation_and_date(district):
    record = param_record(CODE, on=datetime.date(2026, 6, 1))
    assert record.effective_from == DEFAULT_EFFECTIVE_FROM
    assert "§五(二)" in record.as_evidence()["citation"]


def test_unknown_code_raises_unknown_parameter_with_a_chinese_message(district):
    with pytest.raises(UnknownParameter) as excinfo:
        param("no.such.parameter", on=datetime.date(2026, 6, 1))
    assert "政策参数" in excinfo.value.message
    assert "no.such.parameter" in excinfo.value.message


def test_a_date_before_any_value_raises_unknown_parameter_naming_the_date(district):
    before = DEFAULT_EFFECTIVE_FROM - datetime.timedelta(days=1)
    with pytest.raises(UnknownParameter) as excinfo:
        param(CODE, on=before)
    assert "没有生效的取值" in excinfo.value.message
    assert before.isoformat() in excinfo.value.message


def test_unknown_parameter_is_a_domain_error(district):
    with pytest.raises(DomainError):
        param("no.such.parameter")


# --- seeding ---------------------------------------------------------------------------------


def test_seeding_defaults_twice_creates_nothing_the_second_time(district):
    count = PolicyParameter.objects.count()
    assert policy_seed_defaults(actor=system_actor()) == 0
    assert PolicyParameter.objects.count() == count


def test_every_default_is_seeded_once(district):
    for item in DEFAULTS:
        assert (
            PolicyParameter.objects.filter(code=item["code"], effective_from=DEFAULT_EFFECTIVE_FROM).count()
            == 1
        )


def test_seeding_never_overwrites_an_office_change(office):
    _set(office, value="6", effective_from=datetime.date(2026, 1, 1))
    policy_seed_defaults(actor=system_actor(), overrides={CODE: "9"})
    assert param(CODE, on=datetime.date(2026, 6, 1)) == 6
    assert not PolicyParameter.objects.filter(code=CODE, value="9").exists()


def test_district_override_applies_when_a_parameter_is_first_seeded(district):
    PolicyParameter.objects.filter(code=CODE).delete()
    created = policy_seed_defaults(actor=system_actor(), overrides={CODE: "4"})
    assert created == 1
    assert param(CODE, on=datetime.date(2026, 6, 1)) == 4


def test_district_override_does_not_change_an_existing_parameter(district):
    policy_seed_defaults(actor=system_actor(), overrides={CODE: "4"})
    assert param(CODE, on=datetime.date(2026, 6, 1)) == 3


def test_unknown_override_code_is_refused_and_named(district):
    with pytest.raises(DomainError) as excinfo:
        policy_seed_defaults(actor=system_actor(), overrides={"no.such.parameter": "1"})
    assert "no.such.parameter" in excinfo.value.message


def test_invalid_override_value_is_refused(district):
    PolicyParameter.objects.filter(code=CODE).delete()
    with pytest.raises(DomainError):
        policy_seed_defaults(actor=system_actor(), overrides={CODE: "三"})
    assert not PolicyParameter.objects.filter(code=CODE).exists()


# --- changing a value ------------------------------------------------------------------------


@pytest.mark.parametrize("note", ["", "   "])
def test_a_change_without_a_note_is_refused(office, note):
    with pytest.raises(DomainError) as excinfo:
        _set(office, note=note)
    assert excinfo.value.field == "note"
    assert not PolicyParameter.objects.filter(code=CODE, effective_from=LATER).exists()


@pytest.mark.parametrize("value", ["3.5", "三", "abc", ""])
def test_a_non_integer_for_an_int_parameter_is_refused(office, value):
    with pytest.raises(DomainError) as excinfo:
        _set(office, value=value)
    assert excinfo.value.field == "value"
    assert not PolicyParameter.objects.filter(code=CODE, effective_from=LATER).exists()


def test_a_negative_value_is_refused(office):
    with pytest.raises(DomainError) as excinfo:
        _set(office, value="-1")
    assert "负数" in excinfo.value.message
    assert not PolicyParameter.objects.filter(code=CODE, effective_from=LATER).exists()


def test_a_negative_money_value_is_refused(office):
    with pytest.raises(DomainError):
        _set(office, code="crime.single_worker_amount", value="-100")


def test_a_second_value_on_the_same_effective_date_is_refused_and_changes_nothing(office):
    _set(office, value="4")
    rows = PolicyParameter.objects.count()
    events = SecurityEvent.objects.filter(kind=SecurityEventKind.PARAMETER_CHANGE).count()
    with pytest.raises(DomainError) as excinfo:
        _set(office, value="5")
    assert excinfo.value.field == "effective_from"
    assert PolicyParameter.objects.count() == rows
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PARAMETER_CHANGE).count() == events
    assert param(CODE, on=LATER) == 4


def test_changing_an_unknown_code_is_refused(office):
    with pytest.raises(DomainError):
        _set(office, code="no.such.parameter")


def test_a_change_keeps_name_unit_and_citation_and_records_who(office):
    row = _set(office)
    default = PolicyParameter.objects.get(code=CODE, effective_from=DEFAULT_EFFECTIVE_FROM)
    assert (row.name, row.unit, row.citation) == (default.name, default.unit, default.citation)
    assert row.created_by == office
    assert row.to_confirm is False


def test_a_change_may_give_its_own_citation(office):
    row = policy_parameter_set(
        actor=office, code=CODE, value="4", effective_from=LATER, note="调整", citation=" 区政府令第1号 "
    )
    assert row.citation == "区政府令第1号"


def test_a_change_writes_a_parameter_change_security_event(office):
    _set(office, value="4")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PARAMETER_CHANGE)
    assert event.user == office
    assert event.detail == {"code": CODE, "old": "3", "new": "4", "effective_from": "2027-01-01"}


def test_a_change_writes_an_audit_log_entry_with_the_actor(office):
    row = _set(office)
    entry = LogEntry.objects.get_for_object(row).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == office


# --- the shipped defaults --------------------------------------------------------------------


@pytest.mark.parametrize("item", DEFAULTS, ids=[d["code"] for d in DEFAULTS])
def test_every_default_has_a_citation_a_unit_and_a_value_of_its_type(item):
    assert item["citation"].strip()
    assert item["unit"].strip()
    assert item["type"] in ParameterType.values
    expected = {"int": int, "money": int, "decimal": Decimal, "bool": bool, "text": str}[item["type"]]
    assert isinstance(PolicyParameter(value=item["value"], value_type=item["type"]).typed_value, expected)


def test_default_codes_are_unique():
    codes = [d["code"] for d in DEFAULTS]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(
    ("code", "value", "clause"),
    [
        ("self_report.deadline_days", 5, "§四(一)"),
        ("immediate.arrears_months", 2, "§五(二)"),
        ("immediate.complaints", 3, "§五(二)"),
        ("meeting.plenary_interval_months", 3, "§二"),
    ],
)
def test_parameters_named_in_the_opinions_have_their_values_and_clauses(district, code, value, clause):
    record = param_record(code, on=datetime.date(2026, 6, 1))
    assert record.typed_value == value
    assert clause in record.citation
