"""``manage.py security_recover`` (issue #13, finding 2): an operator locked out of the UI puts
the security parameters back to their shipped defaults and unlocks an account from the shell,
with the recovery recorded as a security event."""

from __future__ import annotations

import io

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.utils import timezone

from anxin.core.models import PolicyParameter, SecurityEvent, SecurityEventKind
from anxin.core.policy import param
from anxin.core.services import policy_parameter_set
from anxin.org.tests.factories import PASSWORD

IP = "10.32.4.17"
DEFAULTS = {
    "security.lockout_failures": 5,
    "security.lockout_minutes": 30,
    "security.session_idle_minutes": 30,
}


def _run(*args):
    out = io.StringIO()
    call_command("security_recover", *args, stdout=out)
    return out.getvalue()


def _break_everything():
    """The state of the review: bad values stored (before the bounds, or by a database edit)."""
    PolicyParameter.objects.filter(code="security.lockout_failures").update(value="0")
    PolicyParameter.objects.filter(code="security.lockout_minutes").update(value=str(10**40))
    PolicyParameter.objects.filter(code="security.session_idle_minutes").update(value="0")


def _lock(client, user):
    for _ in range(5):
        client.post("/login/", {"username": user.username, "password": "Wrong@password1"}, REMOTE_ADDR=IP)


def _values():
    return {code: param(code) for code in DEFAULTS}


def test_recovery_restores_a_broken_set_to_the_shipped_defaults(district):
    _break_everything()
    output = _run("--reason", "参数误设导致无法登录")
    assert _values() == DEFAULTS
    assert "security.lockout_failures" in output and "0 → 5" in output
    for code in DEFAULTS:
        row = PolicyParameter.objects.filter(code=code).order_by("-effective_from").first()
        assert row is not None
        assert row.effective_from == timezone.localdate()


def test_recovery_corrects_a_bad_value_registered_for_today(office):
    policy_parameter_set(
        actor=office,
        code="security.lockout_minutes",
        value="1440",
        effective_from=timezone.localdate(),
        note="x",
        confirm_large_change=True,  # 48 times the default: on purpose
    )
    PolicyParameter.objects.filter(
        code="security.lockout_minutes", effective_from=timezone.localdate()
    ).update(value=str(10**40))
    _run("--reason", "误设")
    rows = PolicyParameter.objects.filter(
        code="security.lockout_minutes", effective_from=timezone.localdate()
    )
    assert [r.value for r in rows] == ["30"]
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.PARAMETER_CHANGE).order_by("pk").last()
    assert event is not None
    assert event.detail["correction"] is True
    assert "误设" in event.detail["reason"]


def test_recovery_is_a_recovery_security_event_with_the_reason(district):
    _break_everything()
    _run("--reason", "参数误设导致无法登录")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.RECOVERY)
    assert event.detail["reason"] == "参数误设导致无法登录"
    assert {r["code"] for r in event.detail["restored"]} == set(DEFAULTS)
    assert "参数误设导致无法登录" in event.summary
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PARAMETER_CHANGE).count() == 3


def test_recovery_lets_the_office_log_in_again(client, office):
    _break_everything()
    _run("--reason", "参数误设导致无法登录")
    response = client.post("/login/", {"username": office.username, "password": PASSWORD}, REMOTE_ADDR=IP)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_recovery_unlocks_a_locked_user_with_the_event(client, office):
    _lock(client, office)
    assert client.post("/login/", {"username": office.username, "password": PASSWORD}).status_code == 429
    output = _run("--reason", "联席办账户被锁", "--unlock", office.username)
    assert not AccessAttempt.objects.filter(username=office.username).exists()
    assert f"已解除账户 {office.username} 的登录锁定" in output
    event = SecurityEvent.objects.get(kind=SecurityEventKind.RECOVERY)
    assert event.detail["unlocked"][office.username] >= 1
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.UNLOCK, username=office.username).exists()
    response = client.post("/login/", {"username": office.username, "password": PASSWORD}, REMOTE_ADDR=IP)
    assert response.status_code == 302


def test_only_unlock_leaves_the_parameters_as_they_are(client, office, luoxi):
    policy_parameter_set(
        actor=office,
        code="security.lockout_failures",
        value="3",
        effective_from=timezone.localdate(),
        note="x",
    )
    _lock(client, luoxi)
    _run("--reason", "解锁", "--unlock", luoxi.username, "--only-unlock")
    assert param("security.lockout_failures") == 3
    assert not AccessAttempt.objects.filter(username=luoxi.username).exists()


def test_recovery_without_a_reason_is_refused_and_changes_nothing(district):
    _break_everything()
    with pytest.raises(CommandError) as excinfo:
        _run()
    assert "--reason" in str(excinfo.value)
    assert PolicyParameter.objects.get(code="security.lockout_failures").value == "0"
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.RECOVERY).exists()


def test_check_reports_values_out_of_bounds_and_changes_nothing(district):
    _break_everything()
    out = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("security_recover", "--check", stdout=out)
    assert "3 项安全参数超出允许范围" in str(excinfo.value)
    text = out.getvalue()
    assert "登录失败锁定次数（security.lockout_failures）：现行 0 次" in text
    assert "超出允许范围，系统实际按 3 执行" in text
    assert PolicyParameter.objects.get(code="security.lockout_failures").value == "0"
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.RECOVERY).exists()


def test_check_on_a_sound_set_says_so(district):
    output = _run("--check")
    assert "安全参数均在允许范围内" in output
    assert output.count("—— 正常") == 3
