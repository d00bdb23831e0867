"""Money parameters in yuan, said back, and the tenfold check (issue #14, item 2): the office typed
``80000`` meaning 8万元 into a box that took 分 and stored 800 元 after a confirmation that did not
show the amount. The box now takes yuan with 元 beside it, every change is shown back in words and
figures beside the current value, and a change of more than ten times (up or down) is refused —
by the service, whoever calls it — unless it is confirmed again."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.core.models import PolicyParameter, SecurityEvent, SecurityEventKind
from anxin.core.policy import param
from anxin.core.services import LargeChange, policy_parameter_check, policy_parameter_set

MONEY = "deposit.exempt_below"  # 300万元 (300,000,000 分), bounds 0～1亿元
CRIME = "crime.multi_amount"  # 6万元 (6,000,000 分), bounds 3万～10万元
LATER = datetime.date(2027, 1, 1)


def _url(code):
    return f"/settings/parameters/{code}/"


def _set(actor, code, value, *, effective_from=LATER, **extra):
    return policy_parameter_set(
        actor=actor,
        code=code,
        value=value,
        effective_from=effective_from,
        note="区联席会议纪要〔2026〕5号",
        **extra,
    )


def _changes():
    return SecurityEvent.objects.filter(kind=SecurityEventKind.PARAMETER_CHANGE)


def _form(value, **extra):
    return {"value": value, "effective_from": LATER.isoformat(), "note": "区联席会议纪要〔2026〕5号"} | extra


# --- the service: more than ten times, up or down, is refused without the explicit flag --------


@pytest.mark.parametrize(
    ("code", "value"),
    [
        (MONEY, "29999999"),  # 299,999.99 元 for 300万元: just over ten times smaller
        ("immediate.report_hours", "2"),  # 2 hours for 24: twelve times smaller
        ("security.lockout_minutes", "301"),  # 301 minutes for 30
        ("screen.points_tax_drop", "0"),  # to zero: no factor at all
    ],
)
def test_a_change_of_more_than_ten_times_is_refused_without_the_flag_and_nothing_is_written(
    office, code, value
):
    before = (PolicyParameter.objects.filter(code=code).count(), _changes().count())
    with pytest.raises(LargeChange) as excinfo:
        _set(office, code, value)
    assert excinfo.value.field == "confirm_large_change"
    assert "变化超过 10 倍" in excinfo.value.message
    assert "我已核对，确认变化超过 10 倍" in excinfo.value.message
    assert (PolicyParameter.objects.filter(code=code).count(), _changes().count()) == before


def test_the_refusal_says_both_amounts_in_words_and_figures(office):
    with pytest.raises(DomainError) as excinfo:
        _set(office, MONEY, "8000000")  # 8万元 for 300万元: 37.5 times smaller
    message = excinfo.value.message
    assert "8万元（80,000.00 元）" in message
    assert "300万元（3,000,000.00 元）" in message
    assert "37.5 分之一" in message


@pytest.mark.parametrize(("code", "value"), [(MONEY, "30000000"), ("immediate.complaints", "30")])
def test_exactly_ten_times_is_not_more_than_ten_and_passes(office, code, value):
    assert _set(office, code, value).value == value


def test_with_the_flag_the_change_is_written_and_the_event_says_it_was_confirmed(office):
    row = _set(office, MONEY, "29999999", confirm_large_change=True)
    assert row.value == "29999999"
    event = _changes().get()
    assert event.detail["large_change_confirmed"] is True
    assert event.detail["factor"].startswith("10.000000")


def test_the_check_measures_against_the_value_in_force_on_the_effective_date(office):
    code = "immediate.report_hours"  # 24 hours
    _set(office, code, "100")  # from 2027-01-01
    later = policy_parameter_check(
        code=code, value="12", effective_from=LATER + datetime.timedelta(days=1), note="x"
    )
    assert later.old == "100" and not later.large
    with pytest.raises(
        LargeChange
    ) as excinfo:  # before 2027 the value in force is 24: 2 is twelve times less
        policy_parameter_check(code=code, value="2", effective_from=datetime.date(2026, 12, 20), note="x")
    assert excinfo.value.change.old == "24"


def test_a_same_day_correction_is_measured_against_the_value_it_corrects(office):
    today = timezone.localdate()
    _set(office, CRIME, "3000000", effective_from=today)  # 3万元 today, where 8万 was meant
    change = policy_parameter_check(
        code=CRIME, value="8000000", effective_from=today, correct=True, correction_reason="误将8万填为3万"
    )
    assert (change.old_shown, change.value_shown) == ("3万元（30,000.00 元）", "8万元（80,000.00 元）")


def test_the_recovery_command_restores_defaults_however_far_with_the_flag(office):
    from django.core.management import call_command

    today = timezone.localdate()
    _set(office, "security.lockout_minutes", "1440", effective_from=today, confirm_large_change=True)
    call_command("security_recover", "--reason", "等保演练", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert param("security.lockout_minutes") == 30


# --- the page: yuan in, 元 beside the box, the value shown back, a second tick for tenfold -------


def test_a_money_parameter_is_typed_in_yuan_with_yuan_beside_the_box(login, office):
    html = login(office).get(_url(CRIME)).content.decode()
    assert "新取值（元）" in html
    assert '<span class="input-group-text">元</span>' in html
    assert "允许范围：30,000.00～100,000.00 元" in html
    assert "以“分”为单位" not in html


def test_the_confirmation_repeats_the_new_amount_in_words_and_figures_beside_the_current_one(login, office):
    response = login(office).post(_url(CRIME), _form("8万"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "确认登记新取值" in html
    assert "8万元（80,000.00 元）" in html  # the new value
    assert "6万元（60,000.00 元）" in html  # the current value beside it
    assert 'name="value" value="80000.00"' in html  # read back in yuan
    assert 'data-testid="large-change"' not in html
    assert param(CRIME, on=LATER) == 6000000  # nothing written yet


def test_the_confirmed_amount_is_stored_in_fen(login, office):
    client = login(office)
    response = client.post(_url(CRIME), {**_form("80000.00"), "confirmed": "1"})
    assert response.status_code == 302
    assert PolicyParameter.objects.get(code=CRIME, effective_from=LATER).value == "8000000"
    assert "8万元" in client.get(_url(CRIME)).content.decode()


def test_80000_typed_for_the_criminal_referral_amount_is_80000_yuan_not_800(login, office):
    login(office).post(_url(CRIME), {**_form("80000"), "confirmed": "1"})
    assert param(CRIME, on=LATER) == 8_000_000


def test_a_tenfold_change_asks_again_on_the_page(login, office):
    response = login(office).post(_url(MONEY), _form("30"))  # 30 元 for 300万元
    html = response.content.decode()
    assert 'data-testid="large-change"' in html
    assert "30元（30.00 元）" in html and "300万元（3,000,000.00 元）" in html
    assert 'name="confirm_large_change"' in html


def test_a_tenfold_change_confirmed_without_the_second_tick_is_refused_and_asked_again(login, office):
    before = PolicyParameter.objects.filter(code=MONEY).count()
    response = login(office).post(_url(MONEY), {**_form("30"), "confirmed": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="large-change-error"' in html
    assert "autofocus" in html
    assert PolicyParameter.objects.filter(code=MONEY).count() == before


def test_a_tenfold_change_with_the_second_tick_is_written(login, office):
    response = login(office).post(
        _url(MONEY), {**_form("30"), "confirmed": "1", "confirm_large_change": "on"}
    )
    assert response.status_code == 302
    assert PolicyParameter.objects.get(code=MONEY, effective_from=LATER).value == "3000"


def test_the_same_day_correction_shows_the_amounts_in_words_and_figures(login, office):
    today = timezone.localdate()
    _set(office, CRIME, "3000000", effective_from=today)
    response = login(office).post(
        _url(CRIME),
        _form("8万", effective_from=today.isoformat(), correct="on", correction_reason="误将8万填为3万"),
    )
    html = response.content.decode()
    assert "确认更正当日取值" in html
    assert "<del>3万元（30,000.00 元）</del>" in html
    assert "8万元（80,000.00 元）" in html


def test_a_corrected_money_row_says_old_and_new_in_yuan(office):
    today = timezone.localdate()
    _set(office, CRIME, "3000000", effective_from=today)
    row = policy_parameter_set(
        actor=office,
        code=CRIME,
        value="8000000",
        effective_from=today,
        correct=True,
        correction_reason="误将8万填为3万",
    )
    assert "原取值 3万元（30,000.00 元） → 8万元（80,000.00 元）" in row.note
    assert "3000000" not in row.note


def test_a_money_value_that_is_not_an_amount_is_a_form_error(login, office):
    response = login(office).post(_url(CRIME), _form("八万"))
    assert response.status_code == 200
    assert "无法识别" in response.content.decode()


@pytest.mark.parametrize("persona", ["luoxi", "xuejia", "chengjian", "leader"])
def test_other_personas_cannot_post_a_confirmed_change(request, login, persona):
    response = login(request.getfixturevalue(persona)).post(
        _url(MONEY), {**_form("30"), "confirmed": "1", "confirm_large_change": "on"}
    )
    assert response.status_code == 403
    assert not PolicyParameter.objects.filter(code=MONEY, effective_from=LATER).exists()


def test_the_public_is_sent_to_the_login(district):
    response = Client().post(_url(MONEY), {**_form("30"), "confirmed": "1", "confirm_large_change": "on"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not PolicyParameter.objects.filter(code=MONEY, effective_from=LATER).exists()


def test_a_pending_money_value_is_listed_in_yuan(login, office):
    _set(office, CRIME, "8000000")
    html = login(office).get("/settings/parameters/").content.decode()
    assert "8万元（80,000.00 元）" in html
    assert "8000000 分" not in html


def test_the_security_event_says_a_money_change_in_yuan(office):
    _set(office, "crime.multi_amount", "8000000")  # the service takes fen; the page reads yuan
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.PARAMETER_CHANGE).latest("pk")
    assert "8万元（80,000.00 元）" in event.summary and "6万元（60,000.00 元）" in event.summary
