"""Backup and restore, tested end to end instead of only documented (the restore drill CI runs).

The demo district (every app's demo data) plus an uploaded file is backed up with ``manage.py
backup`` and restored with ``manage.py restore`` into a fresh database (SQLite: another file;
PostgreSQL: a new database, created and dropped here) and a fresh media directory. Then, read
directly from the restored database: the count of every table equals the live one, a worker's ID
number decrypts with the key to the same text, and the file's bytes are the same.

The SQLite round trip runs in every SQLite run, the PostgreSQL one in every PostgreSQL run (CI runs
``make test`` on both); each is skipped on the other database with the reason printed.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from anxin.core import backup
from anxin.core.audit import system_actor
from anxin.core.crypto import decrypt
from anxin.intake.models import Signal
from anxin.intake.services import attachment_store
from anxin.registry.models import Worker

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OTHER_KEY = base64.urlsafe_b64encode(b"k" * 32)

needs_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite round trip; the PostgreSQL run has its own below"
)


def _quiet() -> object:
    return open("/dev/null", "w")


@pytest.fixture
def media(settings, tmp_path):
    """Uploads stored as files (the test settings keep them in memory)."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def demo(district, media):
    """The demo district, a worker's ID number (encrypted) and a signal's uploaded PDF."""
    call_command("load_demo", allow_production=True, stdout=_quiet())
    worker = Worker.objects.exclude(id_number_index="").order_by("pk").first()
    assert worker is not None and worker.id_number
    signal = Signal.objects.order_by("pk").first()
    attachment = attachment_store(actor=system_actor(), signal=signal, name="欠薪材料.pdf", content=PDF)
    return {"worker": worker, "file": attachment.file.name}


def live_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        result = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names from the schema
            result[table] = cursor.fetchone()[0]
        return result


def check_round_trip(dest: Path, restored_media: Path, demo: dict, query) -> None:
    """What the restore wrote, read without the restore command's own checks."""
    live = live_counts()
    assert len(live) > 50 and sum(live.values()) > 1000  # the demo, not an empty shell
    restored = {t: query(f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in live}  # noqa: S608
    assert restored == live
    worker = demo["worker"]
    [(token,)] = query(f"SELECT id_number FROM registry_worker WHERE id = {worker.pk}")  # noqa: S608
    assert token != worker.id_number  # stored encrypted…
    assert decrypt(token, context="registry.worker.id_number") == worker.id_number  # …and opens with the key
    name = demo["file"]
    assert (restored_media / name).read_bytes() == PDF
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"] == live and name in manifest["media"]["files"]
    assert manifest["anxin"]["version"] and manifest["key"]["included"] is False
    assert {p["column"] for p in manifest["key"]["probes"]} >= {"id_number", "reporter_phone"}


@needs_sqlite
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_every_table_a_decryptable_id_number_and_the_uploaded_file(demo, tmp_path):
    dest, target, restored_media = (
        tmp_path / "backup",
        tmp_path / "restored.sqlite3",
        tmp_path / "restored-media",
    )
    call_command("backup", str(dest), stdout=_quiet())
    assert sorted(p.name for p in dest.iterdir()) == ["database.sqlite3", "manifest.json", "media"]
    call_command("restore", str(dest), database=str(target), media_root=str(restored_media), stdout=_quiet())

    restored = sqlite3.connect(target)
    try:
        check_round_trip(dest, restored_media, demo, lambda sql: restored.execute(sql).fetchall())
    finally:
        restored.close()


@pytest.fixture
def pg_restore_target():
    """A new, empty PostgreSQL database beside the test database; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"[:63]
    params = backup.pg_params(connection.settings_dict, "postgres")
    with backup.pg_connect(params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    try:
        yield name
    finally:
        with backup.pg_connect(params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (pg_dump/pg_restore): runs with DATABASE_URL"
)
def test_postgresql_backup_restores_every_table_a_decryptable_id_number_and_the_uploaded_file(
    demo, tmp_path, pg_restore_target
):
    dest, restored_media = tmp_path / "backup", tmp_path / "restored-media"
    call_command("backup", str(dest), stdout=_quiet())
    assert sorted(p.name for p in dest.iterdir()) == ["database.dump", "manifest.json", "media"]
    call_command(
        "restore", str(dest), database=pg_restore_target, media_root=str(restored_media), stdout=_quiet()
    )

    params = backup.pg_params(connection.settings_dict, pg_restore_target)
    with backup.pg_connect(params) as restored:
        check_round_trip(dest, restored_media, demo, lambda sql: restored.execute(sql).fetchall())
        with pytest.raises(CommandError, match="不是空库"):  # a second restore over it is refused
            call_command(
                "restore",
                str(dest),
                database=pg_restore_target,
                media_root=str(tmp_path / "m2"),
                stdout=_quiet(),
            )


# --- refusals: the restore never writes over data, never with the wrong key, never from a damaged backup ---


@pytest.fixture
def small_backup(district, media, tmp_path):
    """A backup of the district (no demo) with one encrypted value and one file."""
    from anxin.registry.tests.factories import WorkerFactory, enterprise

    WorkerFactory(employer=enterprise(), id_number="320402199001011239", phone="13912345678")
    (media / "intake").mkdir(parents=True)
    (media / "intake" / "a.pdf").write_bytes(PDF)
    dest = tmp_path / "backup"
    call_command("backup", str(dest), stdout=_quiet())
    return dest


@pytest.fixture
def restore_target(tmp_path, request):
    """Where a restore may write: a new SQLite file, or a new empty PostgreSQL database."""
    if connection.vendor == "sqlite":
        return str(tmp_path / "restored.sqlite3")
    return request.getfixturevalue("pg_restore_target")


def _restore(dest: Path, database: str, media_root: Path) -> None:
    call_command("restore", str(dest), database=database, media_root=str(media_root), stdout=_quiet())


@pytest.mark.django_db(transaction=True)
def test_a_restore_with_another_key_is_refused_before_anything_is_written(
    small_backup, restore_target, tmp_path
):
    with (
        override_settings(FIELD_ENCRYPTION_KEY=base64.urlsafe_b64decode(OTHER_KEY)),
        pytest.raises(CommandError, match="不是备份时的密钥"),
    ):
        _restore(small_backup, restore_target, tmp_path / "restored-media")
    assert not (tmp_path / "restored-media").exists() and not (tmp_path / "restored.sqlite3").exists()


@pytest.mark.django_db(transaction=True)
def test_a_backup_with_the_key_refuses_an_environment_without_it(
    settings, media, district, restore_target, tmp_path
):
    dest = tmp_path / "with-key"
    call_command("backup", str(dest), include_key=True, stdout=_quiet())
    key_file = dest / "field-encryption.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert base64.urlsafe_b64decode(key_file.read_text().strip()) == settings.FIELD_ENCRYPTION_KEY
    assert json.loads((dest / "manifest.json").read_text())["key"]["included"] is True
    settings.FIELD_ENCRYPTION_KEY = base64.urlsafe_b64decode(OTHER_KEY)
    with pytest.raises(CommandError, match=r"field-encryption\.key 的内容"):
        _restore(dest, restore_target, tmp_path / "restored-media")


@pytest.mark.django_db(transaction=True)
def test_a_damaged_file_in_the_backup_is_refused(small_backup, restore_target, tmp_path):
    (small_backup / "media" / "intake" / "a.pdf").write_bytes(b"%PDF-1.4 changed")
    with pytest.raises(CommandError, match="缺失或已损坏"):
        _restore(small_backup, restore_target, tmp_path / "restored-media")


@pytest.mark.django_db(transaction=True)
def test_a_restore_never_writes_over_existing_data(small_backup, restore_target, tmp_path):
    busy = tmp_path / "busy-media"
    busy.mkdir()
    (busy / "x").write_text("x")
    with pytest.raises(CommandError, match="不为空"):
        _restore(small_backup, restore_target, busy)
    live = connection.settings_dict["NAME"]  # the test database itself, full of the district
    with pytest.raises(CommandError, match="已存在" if connection.vendor == "sqlite" else "不是空库"):
        _restore(small_backup, live, tmp_path / "restored-media")
    with pytest.raises(CommandError, match="已存在且不为空"):
        call_command("backup", str(small_backup), stdout=_quiet())


@pytest.mark.django_db(transaction=True)
def test_the_restore_checks_what_it_wrote_against_the_manifest(small_backup, restore_target, tmp_path):
    manifest_path = small_backup / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["tables"]["registry_worker"] += 1  # as if the copy had lost a row
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match=r"registry_worker：备份 \d+ 行，恢复后 \d+"):
        _restore(small_backup, restore_target, tmp_path / "restored-media")


def test_postgres_tools_that_are_missing_are_named_with_how_to_install_them(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(backup.BackupError, match=r"未找到 pg_dump.*postgresql-client"):
        backup.pg_tool("pg_dump")


def test_the_key_fingerprint_names_the_key_without_revealing_it(settings):
    fingerprint = backup.key_fingerprint(settings.FIELD_ENCRYPTION_KEY)
    assert len(fingerprint) == 16 and fingerprint != backup.key_fingerprint(b"k" * 32)
    assert base64.urlsafe_b64encode(settings.FIELD_ENCRYPTION_KEY).decode()[:8] not in fingerprint
