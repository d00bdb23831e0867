"""Password policy, with Chinese messages: a minimum length, character classes, not the username,
not a common password, none of the patterns tried first (keyboard runs, sequences, repeats, common
words with look-alike substitutions)."""

from __future__ import annotations

import itertools
import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CLASSES = [
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"[0-9]"), "数字"),
    (re.compile(r"[^a-zA-Z0-9]"), "符号"),
]


class CharacterClassValidator:
    """At least ``min_classes`` of: lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user: object = None) -> None:
        present = sum(1 for pattern, _label in _CLASSES if pattern.search(password))
        if present < self.min_classes:
            raise ValidationError(
                _("密码须至少包含小写字母、大写字母、数字、符号中的 %(n)d 类") % {"n": self.min_classes},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return _("密码须至少包含小写字母、大写字母、数字、符号中的 %(n)d 类") % {"n": self.min_classes}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message.

    Django 5.2 changed this message's id (``%d`` instead of ``%(min_length)d``) and its zh_Hans
    catalogue has no translation for the new id, so the stock validator answers in English.
    """

    def get_error_message(self) -> str:
        return _("密码长度太短，至少需要 %(n)d 个字符") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(n)d 个字符") % {"n": self.min_length}


class UsernameValidator:
    """The password must not contain the username, in any case, forwards or backwards.

    Usernames shorter than ``min_length`` are not checked (every password would contain "li").
    """

    def __init__(self, min_length: int = 3):
        self.min_length = min_length

    def validate(self, password: str, user: object = None) -> None:
        username = str(getattr(user, "username", "") or "").lower()
        if len(username) < self.min_length:
            return
        text = password.lower()
        if username in text or username[::-1] in text:
            raise ValidationError(
                _("密码不能包含用户名（不区分大小写，倒写也不行）"), code="password_has_username"
            )

    def get_help_text(self) -> str:
        return _("密码不能包含用户名")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Django's list of 20,000 common passwords, with a Chinese message."""

    def get_error_message(self) -> str:
        return _("密码过于常见，容易被猜中，请换一个")

    def get_help_text(self) -> str:
        return _("密码不能是常用密码")


# Keys next to each other, along a row or down a column of a US keyboard (a Chinese office's too).
_KEYBOARD_WALKS = (
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "qazwsxedcrfvtgbyhnujmik,ol.p;/",
)
# The shifted digits, so that "!QAZ@WSX" is seen as "1qaz2wsx".
_UNSHIFT = str.maketrans("!@#$%^&*()", "1234567890")
# Words that are the first guess of anyone trying passwords, and the system's own name.
COMMON_WORDS = ("password", "passwd", "admin", "anxin", "welcome", "letmein", "iloveyou", "woaini", "root")
# Simple look-alike substitutions (p@ssw0rd); "1" and "!" stand for "i" or for "l".
_UNLEET = (
    str.maketrans({"@": "a", "4": "a", "0": "o", "3": "e", "$": "s", "5": "s", "7": "t", "1": "i", "!": "i"}),
    str.maketrans({"@": "a", "4": "a", "0": "o", "3": "e", "$": "s", "5": "s", "7": "t", "1": "l", "!": "l"}),
)


def _keyboard_runs(length: int) -> frozenset[str]:
    runs: set[str] = set()
    for walk in _KEYBOARD_WALKS:
        for text in (walk, walk[::-1]):
            runs.update(text[i : i + length] for i in range(len(text) - length + 1))
    return frozenset(runs)


def _has_sequence(text: str, length: int) -> bool:
    """``length`` or more letters or digits in a row, each one up (or each one down) from the last."""
    for step in (1, -1):
        run = 1
        for previous, current in itertools.pairwise(text):
            same_kind = (previous.isdigit() and current.isdigit()) or (
                previous.isascii() and previous.isalpha() and current.isascii() and current.isalpha()
            )
            run = run + 1 if same_kind and ord(current) - ord(previous) == step else 1
            if run >= length:
                return True
    return False


def _has_repeat(text: str, length: int) -> bool:
    return any(text[i : i + length] == text[i] * length for i in range(len(text) - length + 1))


class PatternValidator:
    """Refuse the patterns password crackers try first: keyboard runs (qwerty, asdf, 1qaz2wsx),
    ascending or descending sequences (1234, abcd, 9876), one character repeated (aaaa), and the
    common words, also with look-alike substitutions and a year appended (P@ssw0rd2024, Admin@123).
    ``min_run`` is the length from which a run, a sequence or a repeat counts."""

    def __init__(self, min_run: int = 4):
        self.min_run = min_run
        self.keyboard_runs = _keyboard_runs(min_run)

    def validate(self, password: str, user: object = None) -> None:
        text = password.lower()
        errors = []
        unshifted = text.translate(_UNSHIFT)
        if any(unshifted[i : i + self.min_run] in self.keyboard_runs for i in range(len(text))):
            errors.append(
                ValidationError(
                    _("密码不能包含键盘上相邻的按键（如 qwer、asdf、1qaz2wsx）"), code="password_keyboard"
                )
            )
        if _has_sequence(text, self.min_run):
            errors.append(
                ValidationError(
                    _("密码不能包含 %(n)d 个及以上的连续字符（如 1234、abcd、9876）") % {"n": self.min_run},
                    code="password_sequence",
                )
            )
        if _has_repeat(text, self.min_run):
            errors.append(
                ValidationError(
                    _("密码不能包含同一字符连续重复 %(n)d 次及以上（如 aaaa、1111）") % {"n": self.min_run},
                    code="password_repeat",
                )
            )
        variants = {text, *(text.translate(table) for table in _UNLEET)}
        if any(word in variant for word in COMMON_WORDS for variant in variants):
            errors.append(
                ValidationError(
                    _("密码不能包含常见单词或其变形（如 password、p@ssw0rd、admin、anxin、welcome）"),
                    code="password_common_word",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _("密码不能包含键盘连键、连续或重复的字符、常见单词（如 qwerty、1234、aaaa、p@ssw0rd）")
