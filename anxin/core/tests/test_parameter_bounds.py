"""Bounds of the policy parameters (issue #13, finding 2): every definition has a minimum and a
maximum with its reason; a value outside them, or one that overflows, is refused with a Chinese
message at the service, on the parameters page and in the district file — nothing is written —
and a bad value already stored never breaks the login."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.core.models import ParameterType, PolicyParameter, SecurityEvent, SecurityEventKind
from anxin.core.policy import clean_parameter_value, parameter_bounds
from anxin.core.policy_defaults import DEFAULT_EFFECTIVE_FROM, DEFAULTS
from anxin.core.services import policy_parameter_set, policy_seed_defaults
from anxin.org.tests.factories import PASSWORD

LATER = datetime.date(2027, 1, 1)
HUGE = str(10**40)
# The values of the review (issue #13): each locked out or broke the district.
ISSUE_VALUES = [
    ("security.lockout_minutes", HUGE),
    ("security.lockout_failures", "0"),
    ("security.session_idle_minutes", "0"),
]
OVERFLOWS = [
    HUGE,
    "1e309",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "9" * 5000,
    "1" + "0" * 19,
    "5_000",
    "0x10",
]
NUMERIC = [d for d in DEFAULTS if d["type"] in ("int", "money", "decimal")]


def _set(actor, code, value, *, effective_from=LATER):
    return policy_parameter_set(
        actor=actor,
        code=code,
        value=value,
        effective_from=effective_from,
        note="等保测评整改",
        confirm_large_change=True,  # these tests are about the bounds, not the tenfold check
    )


def _written(code):
    return PolicyParameter.objects.filter(code=code).count(), SecurityEvent.objects.filter(
        kind=SecurityEventKind.PARAMETER_CHANGE
    ).count()


# --- the definitions ---------------------------------------------------------------------------


@pytest.mark.parametrize("item", NUMERIC, ids=[d["code"] for d in NUMERIC])
def test_every_numeric_definition_has_a_minimum_a_maximum_and_a_chinese_reason(item):
    if item["type"] == ParameterType.DECIMAL:  # a rate: its bounds written as exact decimals ("0.50")
        assert isinstance(item.get("places"), int)
    else:
        assert isinstance(item["min"], int) and isinstance(item["max"], int)
    low, high = Decimal(str(item["min"])), Decimal(str(item["max"]))
    assert 0 <= low < high
    assert len(item["bounds_reason"]) >= 8
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in item["bounds_reason"]) >= 6  # said in Chinese


@pytest.mark.parametrize("item", DEFAULTS, ids=[d["code"] for d in DEFAULTS])
def test_every_shipped_default_lies_within_its_own_bounds(item):
    assert clean_parameter_value(item["code"], item["type"], item["value"]) == item["value"]


def test_money_bounds_are_said_in_yuan_as_the_office_types_them():
    for item in (d for d in DEFAULTS if d["type"] == ParameterType.MONEY):
        assert "分" not in item["bounds_reason"]
        bounds = parameter_bounds(item["code"])
        assert bounds is not None
        assert bounds.describe().endswith(" 元") and "分" not in bounds.describe()
    single = parameter_bounds("crime.single_worker_amount")
    assert single is not None and single.describe() == "5,000.00～20,000.00 元"


@pytest.mark.parametrize(
    ("code", "low", "high"),
    [
        ("security.lockout_failures", 3, 10),
        ("security.lockout_minutes", 5, 1440),
        ("security.session_idle_minutes", 5, 480),
    ],
)
def test_security_bounds_are_those_that_keep_the_district_able_to_log_in(code, low, high):
    bounds = parameter_bounds(code)
    assert bounds is not None
    assert (bounds.minimum, bounds.maximum) == (low, high)


# --- the service ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "value"), ISSUE_VALUES)
def test_the_values_of_the_review_are_refused_by_the_service_and_nothing_is_written(office, code, value):
    before = _written(code)
    with pytest.raises(DomainError) as excinfo:
        _set(office, code, value, effective_from=timezone.localdate())
    assert excinfo.value.field == "value"
    assert "之间" in excinfo.value.message
    assert _written(code) == before


def test_a_lockout_at_zero_failures_is_refused_saying_it_would_lock_everyone_out(office):
    with pytest.raises(DomainError) as excinfo:
        _set(office, "security.lockout_failures", "0")
    assert "3～10 次" in excinfo.value.message
    assert "锁在门外" in excinfo.value.message


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("security.lockout_failures", "2"),
        ("security.lockout_failures", "11"),
        ("security.lockout_minutes", "4"),
        ("security.lockout_minutes", "1441"),
        ("security.session_idle_minutes", "4"),
        ("security.session_idle_minutes", "481"),
        ("compensation.min_percent", "49"),
        ("crime.single_worker_amount", "100"),  # 1 元: stored in 分, the bound is 5,000 元
        ("watch.sensitive_percent", "0"),
        ("portal.submissions_per_hour", "0"),
    ],
)
def test_a_value_just_outside_the_bounds_is_refused(office, code, value):
    before = _written(code)
    with pytest.raises(DomainError) as excinfo:
        _set(office, code, value)
    assert excinfo.value.field == "value"
    assert _written(code) == before


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("security.lockout_failures", "3"),
        ("security.lockout_failures", "10"),
        ("security.lockout_minutes", "1440"),
        ("security.session_idle_minutes", "5"),
        ("security.session_idle_minutes", "480"),
    ],
)
def test_the_bounds_themselves_are_accepted(office, code, value):
    assert _set(office, code, value).value == value


@pytest.mark.parametrize("value", OVERFLOWS)
def test_an_overflowing_value_is_a_domain_error_and_nothing_is_written(office, value):
    code = "security.lockout_minutes"
    before = _written(code)
    with pytest.raises(DomainError) as excinfo:
        _set(office, code, value)
    assert excinfo.value.field == "value"
    assert len(excinfo.value.message) < 300  # never echoes a 5,000-digit number back
    assert _written(code) == before


@pytest.mark.parametrize(("value", "stored"), [("-0", "0"), ("+0", "0"), ("007", "7"), ("１５", "15")])
def test_zero_and_padding_games_are_stored_as_the_plain_number(office, value, stored):
    assert _set(office, "screen.points_tax_drop", value).value == stored


def test_negative_zero_is_zero_and_so_below_a_security_minimum(office):
    with pytest.raises(DomainError):
        _set(office, "security.lockout_failures", "-0")


@pytest.fixture
def decimal_parameter(office):
    """A decimal parameter (none ships today): the kind must still refuse NaN and overflow."""
    return PolicyParameter.objects.create(
        code="test.rate",
        name="测试比率",
        value="1.5",
        value_type=ParameterType.DECIMAL,
        unit="倍",
        effective_from=DEFAULT_EFFECTIVE_FROM,
        citation="测试",
    )


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "1e309", "1E+400", "-1.0", "9" * 40 + ".5"])
def test_a_decimal_parameter_refuses_nan_infinity_and_overflow(decimal_parameter, office, value):
    with pytest.raises(DomainError) as excinfo:
        _set(office, "test.rate", value)
    assert excinfo.value.field == "value"
    assert PolicyParameter.objects.filter(code="test.rate").count() == 1


def test_a_decimal_parameter_stores_negative_zero_as_zero(decimal_parameter, office):
    assert _set(office, "test.rate", "-0.00").value == "0.00"
    assert PolicyParameter.objects.get(code="test.rate", effective_from=LATER).typed_value == Decimal("0")


def test_a_citation_longer_than_its_column_is_refused_not_a_database_error(office):
    with pytest.raises(DomainError) as excinfo:
        policy_parameter_set(
            actor=office,
            code="immediate.complaints",
            value="4",
            effective_from=LATER,
            note="调整",
            citation="依据" * 101,
        )
    assert excinfo.value.field == "citation"


# --- the parameters page (the office persona) ------------------------------------------------------


def _post(client, code, value, **extra):
    data = {"value": value, "effective_from": timezone.localdate().isoformat(), "note": "等保测评整改"}
    data.update(extra)
    return client.post(f"/settings/parameters/{code}/", data)


@pytest.mark.parametrize(("code", "value"), ISSUE_VALUES)
def test_the_values_of_the_review_are_a_form_error_on_the_page_and_nothing_is_written(
    login, office, code, value
):
    before = _written(code)
    response = _post(login(office), code, value)
    assert response.status_code == 200
    html = response.content.decode()
    assert "的取值须在" in html
    assert "invalid-feedback" in html
    assert _written(code) == before


@pytest.mark.parametrize("value", OVERFLOWS[:8])
def test_an_overflowing_value_on_the_page_is_a_form_error_not_a_500(login, office, value):
    code = "security.lockout_minutes"
    before = _written(code)
    response = _post(login(office), code, value)
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert _written(code) == before


def test_the_page_shows_the_bounds_and_their_reason(login, office):
    html = login(office).get("/settings/parameters/security.lockout_failures/").content.decode()
    assert "允许范围" in html
    assert "3～10 次" in html
    assert "锁在门外" in html


# --- the district file --------------------------------------------------------------------------


def test_an_override_outside_the_bounds_is_refused_naming_the_code(district):
    PolicyParameter.objects.filter(code="security.lockout_failures").delete()
    with pytest.raises(DomainError) as excinfo:
        policy_seed_defaults(actor=system_actor(), overrides={"security.lockout_failures": 0})
    assert "security.lockout_failures" in excinfo.value.message
    assert "3～10 次" in excinfo.value.message
    assert not PolicyParameter.objects.filter(code="security.lockout_failures").exists()


def test_a_bad_override_is_refused_even_where_the_parameter_already_exists(district):
    with pytest.raises(DomainError) as excinfo:
        policy_seed_defaults(actor=system_actor(), overrides={"security.lockout_minutes": 10**40})
    assert "security.lockout_minutes" in excinfo.value.message


def test_load_district_refuses_a_file_with_an_override_outside_the_bounds(district, tmp_path):
    data = yaml.safe_load(settings.DISTRICT_FILE.read_text(encoding="utf-8"))
    data["policy_parameters"] = {"security.session_idle_minutes": 0}
    path = tmp_path / "district.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        call_command("load_district", "--file", str(path), stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert "security.session_idle_minutes" in str(excinfo.value)


# --- a bad value already stored (before the bounds, or by hand) never breaks the login -------------------


def _store(code, value):
    """Write a value the service would refuse, as an old row or a database edit would have."""
    PolicyParameter.objects.filter(code=code).update(value=value)


def _login(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR="10.32.4.17")


@pytest.mark.parametrize("value", [HUGE, "1e309", "NaN", "abc", "-5", "0"])
def test_a_stored_out_of_range_lockout_time_does_not_break_the_login(client, office, value):
    _store("security.lockout_minutes", value)
    response = _login(client, office.username)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_stored_lockout_at_zero_failures_does_not_lock_the_office_out(client, office):
    _store("security.lockout_failures", "0")
    _login(client, office.username, "Wrong@password1")
    response = _login(client, office.username)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_stored_idle_timeout_of_zero_does_not_log_everyone_out(client, office):
    _store("security.session_idle_minutes", "0")
    _login(client, office.username)
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize(
    ("code", "value", "kept"),
    [
        ("security.lockout_minutes", HUGE, 1440),
        ("security.lockout_minutes", "1e309", 1440),
        ("security.lockout_minutes", "NaN", 30),
        ("security.lockout_failures", "0", 3),
        ("security.lockout_failures", "-0", 3),
        ("security.session_idle_minutes", "0", 5),
        ("security.session_idle_minutes", "abc", 30),
    ],
)
def test_the_security_readers_clamp_a_stored_value_to_the_bounds_and_log_it(
    district, caplog, code, value, kept
):
    from anxin.core.security import security_parameter

    _store(code, value)
    with caplog.at_level("WARNING", logger="anxin.security"):
        assert security_parameter(code) == kept
    assert code in caplog.text


def test_the_parameter_list_marks_a_stored_value_outside_the_bounds(login, office):
    _store("security.lockout_failures", "0")
    html = login(office).get("/settings/parameters/").content.decode()
    assert "超出允许范围" in html
