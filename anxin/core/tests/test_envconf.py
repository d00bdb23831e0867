"""Settings from the environment fail fast on a bad value (healthchecks' envbool habit)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from anxin.envconf import ImproperEnv, env_bool, env_int, env_key, env_list, env_str

PROJECT = Path(__file__).resolve().parents[3]
VAR = "ANXIN_TEST_VAR"
KEY_BYTES = bytes([0xFB, 0xFF]) * 16  # encodes with "+" and "/" (standard) or "-" and "_" (URL-safe)


# --- env_bool --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1", "true", "True", "yes", "ON", " true "])
def test_env_bool_reads_true(monkeypatch, text):
    monkeypatch.setenv(VAR, text)
    assert env_bool(VAR, False) is True


@pytest.mark.parametrize("text", ["0", "false", "FALSE", "no", "off"])
def test_env_bool_reads_false(monkeypatch, text):
    monkeypatch.setenv(VAR, text)
    assert env_bool(VAR, True) is False


@pytest.mark.parametrize("text", [None, ""])
def test_env_bool_unset_or_empty_gives_the_default(monkeypatch, text):
    if text is None:
        monkeypatch.delenv(VAR, raising=False)
    else:
        monkeypatch.setenv(VAR, text)
    assert env_bool(VAR, True) is True


@pytest.mark.parametrize("text", ["maybe", "2", "真", "t"])
def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch, text):
    monkeypatch.setenv(VAR, text)
    with pytest.raises(ImproperEnv, match=VAR):
        env_bool(VAR, False)


# --- env_int ---------------------------------------------------------------------------------


def test_env_int_reads_an_integer(monkeypatch):
    monkeypatch.setenv(VAR, "12")
    assert env_int(VAR, 3) == 12


def test_env_int_unset_gives_the_default(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert env_int(VAR, 3) == 3


@pytest.mark.parametrize("text", ["ten", "1.5", "0x10"])
def test_env_int_refuses_a_non_integer(monkeypatch, text):
    monkeypatch.setenv(VAR, text)
    with pytest.raises(ImproperEnv, match=VAR):
        env_int(VAR, 3)


def test_env_int_refuses_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv(VAR, "6")
    with pytest.raises(ImproperEnv, match="minimum 8"):
        env_int(VAR, 10, minimum=8)


def test_env_int_accepts_the_minimum_itself(monkeypatch):
    monkeypatch.setenv(VAR, "8")
    assert env_int(VAR, 10, minimum=8) == 8


# --- env_list and env_str --------------------------------------------------------------------


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv(VAR, " anxin.example.gov.cn, 10.0.0.5 ,, localhost ")
    assert env_list(VAR, []) == ["anxin.example.gov.cn", "10.0.0.5", "localhost"]


@pytest.mark.parametrize("text", [None, "", "   "])
def test_env_list_unset_or_blank_gives_the_default(monkeypatch, text):
    if text is None:
        monkeypatch.delenv(VAR, raising=False)
    else:
        monkeypatch.setenv(VAR, text)
    assert env_list(VAR, ["127.0.0.1"]) == ["127.0.0.1"]


def test_env_str_empty_gives_the_default(monkeypatch):
    monkeypatch.setenv(VAR, "")
    assert env_str(VAR, "fallback") == "fallback"


# --- env_key ---------------------------------------------------------------------------------


def test_env_key_reads_a_url_safe_base64_key(monkeypatch):
    monkeypatch.setenv(VAR, base64.urlsafe_b64encode(KEY_BYTES).decode())
    assert env_key(VAR, None) == KEY_BYTES


def test_env_key_reads_a_standard_base64_key(monkeypatch):
    monkeypatch.setenv(VAR, base64.b64encode(KEY_BYTES).decode())
    assert env_key(VAR, None) == KEY_BYTES


def test_env_key_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert env_key(VAR, base64.b64encode(KEY_BYTES).decode()) == KEY_BYTES


def test_env_key_is_required_without_a_default(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    with pytest.raises(ImproperEnv, match="required"):
        env_key(VAR, None)


@pytest.mark.parametrize("text", ["abc", "密钥密钥", "not base64 at all!"])
def test_env_key_refuses_text_that_is_not_base64(monkeypatch, text):
    monkeypatch.setenv(VAR, text)
    with pytest.raises(ImproperEnv, match=VAR):
        env_key(VAR, None)


@pytest.mark.parametrize("size", [16, 31, 33, 64])
def test_env_key_refuses_a_key_of_the_wrong_size(monkeypatch, size):
    monkeypatch.setenv(VAR, base64.b64encode(os.urandom(size)).decode())
    with pytest.raises(ImproperEnv, match="32 bytes"):
        env_key(VAR, None)


# --- settings start-up (a fresh interpreter each) --------------------------------------------

GOOD_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60,
    "FIELD_ENCRYPTION_KEY": base64.b64encode(KEY_BYTES).decode(),
    "ALLOWED_HOSTS": "anxin.example.gov.cn",
}


def _import_settings(**env: str | None) -> subprocess.CompletedProcess:
    """Import ``anxin.settings`` in a clean interpreter with only the given variables set."""
    environment = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(PROJECT), **GOOD_ENV}
    for name, value in env.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, "-c", "import anxin.settings"],
        env=environment,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_settings_import_with_a_complete_production_environment():
    result = _import_settings()
    assert result.returncode == 0, result.stderr


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    result = _import_settings(SECRET_KEY=None)
    assert result.returncode != 0
    assert "ImproperEnv" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_settings_start_without_secret_key_in_debug():
    result = _import_settings(SECRET_KEY=None, FIELD_ENCRYPTION_KEY=None, DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_settings_refuse_to_start_without_field_encryption_key_when_debug_is_off():
    result = _import_settings(FIELD_ENCRYPTION_KEY=None)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr


@pytest.mark.parametrize("url", ["mysql://user:pw@db/anxin", "oracle://db/anxin", "nosuchdb://x"])
def test_settings_refuse_a_database_url_other_than_sqlite_or_postgresql(url):
    result = _import_settings(DATABASE_URL=url)
    assert result.returncode != 0
    assert "ImproperEnv" in result.stderr
    assert "DATABASE_URL" in result.stderr


def test_settings_refuse_a_bad_boolean():
    result = _import_settings(DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SECRET_KEY": "short-key"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"PASSWORD_MIN_CLASSES": "5"}, "PASSWORD_MIN_CLASSES"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
    ],
)
def test_production_settings_refuse_weak_or_unreadable_values(env, named):
    result = _import_settings(**env)
    assert result.returncode != 0
    assert named in result.stderr


def _run_with_settings(code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` after ``django.setup()`` with the production settings module."""
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(PROJECT),
        "DJANGO_SETTINGS_MODULE": "anxin.settings",
        **GOOD_ENV,
        **env,
    }
    return subprocess.run(  # noqa: S603 (the test's own code)
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        env=environment,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_hash_new_passwords_with_argon2(tmp_path):
    result = _run_with_settings(
        "from django.conf import settings\n"
        "from django.contrib.auth.hashers import make_password\n"
        "print(settings.PASSWORD_HASHERS[0])\n"
        "print(make_password('Kx7#mVq2pLw9').split('$')[0])",
        DATABASE_URL=f"sqlite:///{tmp_path / 'h.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.contrib.auth.hashers.Argon2PasswordHasher", "argon2"]


def test_sqlite_connections_use_write_ahead_logging_and_foreign_keys(tmp_path):
    result = _run_with_settings(
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA journal_mode')\n"
        "    print(cursor.fetchone()[0])\n"
        "    cursor.execute('PRAGMA foreign_keys')\n"
        "    print(cursor.fetchone()[0])",
        DATABASE_URL=f"sqlite:///{tmp_path / 'wal.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "1"]
    header = (tmp_path / "wal.sqlite3").read_bytes()[:100]
    assert header[18:20] == bytes([2, 2])  # the file itself is marked WAL (read/write versions 2)


def test_dotenv_sets_missing_variables_but_never_overrides(tmp_path, monkeypatch):
    from anxin.envconf import load_dotenv

    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nANXIN_T_ONE=1\nANXIN_T_TWO='two'\n", encoding="utf-8")
    monkeypatch.delenv("ANXIN_T_ONE", raising=False)
    monkeypatch.setenv("ANXIN_T_TWO", "kept")
    load_dotenv(env_file)
    assert os.environ["ANXIN_T_ONE"] == "1"
    assert os.environ["ANXIN_T_TWO"] == "kept"
    monkeypatch.delenv("ANXIN_T_ONE")


def test_dotenv_with_a_bad_line_fails_fast(tmp_path):
    from anxin.envconf import load_dotenv

    env_file = tmp_path / ".env"
    env_file.write_text("NOT A SETTING\n", encoding="utf-8")
    with pytest.raises(ImproperEnv, match=":1:"):
        load_dotenv(env_file)
