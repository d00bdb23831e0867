"""Issue #13, finding 5: the password rules refuse the username and the common patterns, in Chinese."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.core.passwords import CommonPasswordValidator, PatternValidator, UsernameValidator
from anxin.org.models import User
from anxin.org.services import user_save


def _messages(password: str, username: str = "zhangwei") -> list[str]:
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize("password", ["Zhangwei#2026x", "ZHANGWEI@9x7k", "Xk9#iewgnahz!", "Q7!IeWgNaHz#"])
def test_a_password_containing_the_username_is_refused(password):
    assert "密码不能包含用户名（不区分大小写，倒写也不行）" in _messages(password)


def test_a_short_username_is_not_looked_for():
    UsernameValidator().validate("Kx7#liVq2pLw", User(username="li"))


def test_a_common_password_is_refused_in_chinese():
    with pytest.raises(ValidationError) as excinfo:
        CommonPasswordValidator().validate("iloveyou")
    assert excinfo.value.messages == ["密码过于常见，容易被猜中，请换一个"]


@pytest.mark.parametrize(
    "password",
    [
        "Qwerty#9Kx7m",
        "Hk#asdf9Lm2X",
        "1qaz2wsx#Kx9",
        "!QAZ@wsx9Kxm",
        "Zaq1#Kx9mLw7",
        "Mk#9Pzxcv72L",
        "Hk#poiu9Lm2X",
    ],
)
def test_a_keyboard_run_is_refused(password):
    assert "密码不能包含键盘上相邻的按键（如 qwer、asdf、1qaz2wsx）" in _messages(password)


@pytest.mark.parametrize(
    "password", ["Hk#1234mLq9X", "Hk#abcd9Lm2X", "Hk#9876mLqX", "Hk#DCBA9Lm2X", "Hk#Mnop9L2X"]
)
def test_an_ascending_or_descending_sequence_is_refused(password):
    assert "密码不能包含 4 个及以上的连续字符（如 1234、abcd、9876）" in _messages(password)


@pytest.mark.parametrize("password", ["Hk#aaaa9Lm2X", "Hk#1111mLq9X", "Hk#!!!!mLq9X", "Hk#AAAA9Lm2X"])
def test_one_character_repeated_four_times_is_refused(password):
    assert "密码不能包含同一字符连续重复 4 次及以上（如 aaaa、1111）" in _messages(password)


@pytest.mark.parametrize(
    "password",
    [
        "P@ssw0rd2024!",
        "Password#2026",
        "Admin@2025xK",
        "@dm1n#2026Kx",
        "Anxin@2026demo",
        "W3lc0me#2026",
        "Welcome!2025",
        "Letme1n#2026",
        "R00t#2026xKq",
    ],
)
def test_a_common_word_with_substitutions_and_a_year_is_refused(password):
    assert "密码不能包含常见单词或其变形（如 password、p@ssw0rd、admin、anxin、welcome）" in _messages(
        password
    )


@pytest.mark.parametrize(
    "password", ["Kx7#mVq2pLw9", "Hq7#mVqz2pLw", "Xinbei#Demo739", "Test@2026pass", "Clerk@2026pass"]
)
def test_a_strong_password_passes_every_rule(password):
    assert _messages(password) == []


def test_the_patterns_start_at_four():
    PatternValidator().validate("Hk#123mLq9X")  # three in a row is allowed
    PatternValidator().validate("Hk#aaa9Lm2X")


def test_the_account_service_refuses_a_pattern_with_the_chinese_reason(district):
    with pytest.raises(DomainError) as excinfo:
        user_save(
            actor=system_actor(), username="t_newcomer", unit="office", role="office", password="Qwer#2026xyZ"
        )
    assert excinfo.value.field == "password"
    assert "键盘上相邻的按键" in excinfo.value.message
    assert not User.objects.filter(username="t_newcomer").exists()


def test_the_demo_password_passes_the_rules_for_every_persona():
    from anxin.org.demo import DEMO_PASSWORD, PERSONAS

    for persona in PERSONAS:
        assert _messages(DEMO_PASSWORD, persona.username) == [], persona.username
