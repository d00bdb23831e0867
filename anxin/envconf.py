"""Read settings from environment variables and fail fast on a bad value.

Modelled on healthchecks' ``envbool``: a setting that is present but unreadable stops the
process at start-up with a message naming the variable, instead of running with a guess.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import overload

from django.core.exceptions import ImproperlyConfigured


class ImproperEnv(ImproperlyConfigured, RuntimeError):
    """An environment variable holds a value the settings cannot use (Django's ImproperlyConfigured)."""


@overload
def env_str(name: str, default: str) -> str: ...


@overload
def env_str(name: str, default: None = None) -> str | None: ...


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperEnv(f"{name}={value!r} is not a boolean (use true/false, 1/0, yes/no, on/off)")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperEnv(f"{name}={value!r} is not an integer") from None
    if minimum is not None and number < minimum:
        raise ImproperEnv(f"{name}={number} is below the minimum {minimum}")
    if maximum is not None and number > maximum:
        raise ImproperEnv(f"{name}={number} is above the maximum {maximum}")
    return number


def env_choice(name: str, default: str, choices: list[str]) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.upper() not in choices:
        raise ImproperEnv(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value.upper()


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_key(name: str, default: str | None) -> bytes:
    """A 256-bit key given as URL-safe or standard base64 (44 characters)."""
    value = os.environ.get(name) or default
    if not value:
        raise ImproperEnv(f"{name} is required: a base64-encoded 32-byte key")
    try:
        raw = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise ImproperEnv(f"{name} is not valid base64") from None
    if len(raw) != 32:
        raise ImproperEnv(f"{name} must decode to 32 bytes, got {len(raw)}")
    return raw


def load_dotenv(path: Path) -> None:
    """Read ``KEY=VALUE`` lines from a developer's ``.env`` (gitignored) into the environment.

    Variables already set win, so a deployment's own environment is never overridden; a
    production checkout simply has no ``.env``. ``make install`` writes ``DEBUG=true`` there.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ImproperEnv(f"{path}:{number}: expected KEY=VALUE")
        os.environ.setdefault(name.strip(), value.strip().strip("'\""))
