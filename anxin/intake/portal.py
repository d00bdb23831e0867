"""Helpers of the public portal that do not write (the captcha challenge)."""

from __future__ import annotations

import secrets

DIGITS = "23456789"  # no 0/1, which look like O/I on a small screen


def digits_challenge() -> tuple[str, str]:
    """django-simple-captcha challenge: four digits to type back."""
    text = "".join(secrets.choice(DIGITS) for _i in range(4))
    return text, text
