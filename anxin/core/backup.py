"""Backup and restore of a district's installation: database, uploaded files, and the proof that
the field-encryption key still opens the personal data (``manage.py backup`` / ``restore``).

A backup is a directory::

    manifest.json            what is in it: counts per table, file checksums, key fingerprint, version
    database.sqlite3         SQLite: a consistent copy by the online backup API (the service may run)
    database.dump            PostgreSQL: ``pg_dump -Fc`` of the snapshot the counts were taken in
    media/…                  a copy of MEDIA_ROOT (taken after the database, so every file a row names is in it)
    field-encryption.key     only with ``--include-key`` (otherwise the manifest says where the key lives)

A restore goes only into an empty target (a new SQLite file, an empty PostgreSQL database, an empty
media directory), refuses a key that is not the backup's, and then checks what it wrote against the
manifest: the count of every table, the checksum of every file, and one value of every encrypted
column decrypted with the configured key. Nothing here goes through Django's own connection to the
target: the target is another database than the one the process is configured for.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess  # pg_dump, pg_restore, git: argument lists, never a shell
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections

from anxin.core.crypto import EncryptedTextField, decrypt

FORMAT = "anxin-backup/1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA_DIR = "media"
KEY_FILE = "field-encryption.key"
KEY_SOURCE = "环境变量 FIELD_ENCRYPTION_KEY（生产部署：/etc/anxin/anxin.env；开发：内置开发密钥）"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, in Chinese, for the operator."""


# --- small helpers ---------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def key_fingerprint(key: bytes) -> str:
    """Names the key without revealing it: equal keys, equal fingerprints."""
    return hmac.new(key, b"anxin-backup:key-fingerprint", hashlib.sha256).hexdigest()[:16]


def _probe_digest(key: bytes, plaintext: str) -> str:
    """A keyed digest of a decrypted value: proves a later decryption gives the same text, and
    tells nothing to whoever holds the manifest without the key."""
    mac_key = hmac.new(key, b"anxin-backup:probe", hashlib.sha256).digest()
    return hmac.new(mac_key, plaintext.encode("utf-8"), hashlib.sha256).hexdigest()


def anxin_version() -> dict[str, str]:
    base = Path(settings.BASE_DIR)
    try:
        version = tomllib.loads((base / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        version = ""
    commit = os.environ.get("ANXIN_COMMIT", "")
    if not commit and shutil.which("git"):
        try:
            found = subprocess.run(  # noqa: S603
                ["git", "-C", str(base), "rev-parse", "HEAD"],  # noqa: S607
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
            commit = found.stdout.strip() if found.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError):
            commit = ""
    return {"version": str(version), "commit": commit}


def encrypted_columns() -> list[tuple[str, str, str, str]]:
    """Every encrypted column: (model label, table, pk column, column), in a stable order."""
    found: list[tuple[str, str, str, str]] = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                pk = model._meta.pk
                assert pk is not None and pk.column is not None and field.column is not None
                found.append((model._meta.label_lower, model._meta.db_table, pk.column, field.column))
    return sorted(found)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- the two database kinds --------------------------------------------------------------------------


@dataclass
class Source:
    """What a backup reads: one consistent view of the database (a cursor) and how to run a query on it."""

    vendor: str
    tables: Callable[[], list[str]]
    query: Callable[[str, tuple], list[tuple]]


@contextmanager
def _sqlite_source(path: Path) -> Iterator[Source]:
    conn = sqlite3.connect(str(path))
    try:

        def tables() -> list[str]:
            rows = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).fetchall()
            return [r[0] for r in rows]

        def query(sql: str, params: tuple) -> list[tuple]:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()

        yield Source("sqlite", tables, query)
    finally:
        conn.close()


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [r[0] for r in cursor.fetchall()]


def counts(source: Source) -> dict[str, int]:
    return {t: int(source.query(f"SELECT COUNT(*) FROM {_quote(t)}", ())[0][0]) for t in source.tables()}  # noqa: S608


def probes(source: Source, key: bytes) -> list[dict[str, Any]]:
    """For each encrypted column, its first non-empty value: which row, and the digest of its text."""
    present = set(source.tables())
    found = []
    for label, table, pk, column in encrypted_columns():
        if table not in present:
            continue
        rows = source.query(
            f"SELECT {_quote(pk)}, {_quote(column)} FROM {_quote(table)} "  # noqa: S608
            f"WHERE {_quote(column)} IS NOT NULL AND {_quote(column)} <> '' ORDER BY {_quote(pk)} LIMIT 1",
            (),
        )
        if not rows:
            continue
        row_pk, token = rows[0]
        plaintext = decrypt(token, context=f"{label}.{column}")
        found.append(
            {
                "model": label,
                "table": table,
                "pk_column": pk,
                "pk": row_pk,
                "column": column,
                "digest": _probe_digest(key, plaintext),
            }
        )
    return found


def check_probes(source: Source, manifest_probes: list[dict[str, Any]], key: bytes) -> list[str]:
    """Problems decrypting the manifest's probe values in ``source`` with ``key`` (empty: all good)."""
    problems = []
    for probe in manifest_probes:
        table, column, pk = probe["table"], probe["column"], probe["pk"]
        rows = source.query(
            f"SELECT {_quote(column)} FROM {_quote(table)} WHERE {_quote(probe['pk_column'])} = %s",  # noqa: S608
            (pk,),
        )
        if not rows:
            problems.append(f"{table} 中找不到第 {pk} 行")
            continue
        try:
            plaintext = decrypt(rows[0][0], context=f"{probe['model']}.{column}")
        except ValueError as exc:
            problems.append(f"{table}.{column} 第 {pk} 行无法解密：{exc}")
            continue
        if not hmac.compare_digest(_probe_digest(key, plaintext), probe["digest"]):
            problems.append(f"{table}.{column} 第 {pk} 行解密结果与备份时不同")
    return problems


# --- PostgreSQL ------------------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The path of a PostgreSQL client program, or a refusal that says how to get it."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"未找到 {name}（PostgreSQL 客户端工具）。请安装与数据库服务器同版本或更新的客户端，"
            f"例如 Debian 12：apt-get install postgresql-client-15，并确认 {name} 在 PATH 中。"
        )
    return path


def pg_params(settings_dict: dict[str, Any], dbname: str | None = None) -> dict[str, str]:
    """Connection parameters of a PostgreSQL database (another ``dbname`` on the same server)."""
    params = {
        "dbname": dbname or settings_dict["NAME"],
        "user": settings_dict.get("USER") or "",
        "password": settings_dict.get("PASSWORD") or "",
        "host": settings_dict.get("HOST") or "",
        "port": str(settings_dict.get("PORT") or ""),
    }
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        params["sslmode"] = str(sslmode)
    return {k: v for k, v in params.items() if v}


def pg_env(params: dict[str, str]) -> dict[str, str]:
    """The client programs read the connection from the environment (the password never on a command line)."""
    names = {
        "dbname": "PGDATABASE",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "host": "PGHOST",
        "port": "PGPORT",
        "sslmode": "PGSSLMODE",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[k]: v for k, v in params.items()})
    return env


@contextmanager
def pg_connect(params: dict[str, str], *, snapshot: bool = False) -> Iterator[Any]:
    import psycopg

    conn = psycopg.connect(**params)  # type: ignore[arg-type]  # psycopg takes its parameters as keywords
    try:
        if snapshot:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
        else:
            conn.autocommit = True
        yield conn
    finally:
        conn.close()


def _pg_source(conn: Any) -> Source:
    cursor = conn.cursor()

    def query(sql: str, params: tuple) -> list[tuple]:
        cursor.execute(sql, params)
        return list(cursor.fetchall())

    return Source("postgresql", lambda: _pg_tables(cursor), query)


def _run(argv: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what}失败（退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")


# --- backup ----------------------------------------------------------------------------------------------


def _media_files(root: Path) -> dict[str, dict[str, Any]]:
    files = {}
    if root.is_dir():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            files[path.relative_to(root).as_posix()] = {
                "size": path.stat().st_size,
                "sha256": sha256_file(path),
            }
    return files


def backup(dest: Path, *, include_key: bool = False, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Write a backup of the configured database, MEDIA_ROOT and (optionally) the key to ``dest``."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"备份目录 {dest} 已存在且不为空：请换一个新目录（备份从不覆盖旧备份）")
    connection = connections["default"]
    vendor = connection.vendor
    if vendor == "postgresql":
        pg_dump = pg_tool("pg_dump")  # before anything is written
    dest.mkdir(parents=True, exist_ok=True)
    dest.chmod(0o700)  # personal data, even encrypted: the operator's eyes only
    key: bytes = settings.FIELD_ENCRYPTION_KEY
    started = datetime.datetime.now(datetime.UTC)

    if vendor == "sqlite":
        source_path = Path(connection.settings_dict["NAME"])
        target = dest / SQLITE_FILE
        live = sqlite3.connect(str(source_path))
        copy = sqlite3.connect(str(target))
        try:
            live.backup(copy)  # one step: a consistent snapshot while the service keeps running
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            status = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
            live.close()
        if status != "ok":
            raise BackupError(f"备份副本完整性检查未通过：{status}")
        with _sqlite_source(target) as source:
            table_counts, key_probes = counts(source), probes(source, key)
        database: dict[str, Any] = {"vendor": "sqlite", "file": SQLITE_FILE}
        log(f"数据库（SQLite）：{source_path} → {target}")
    elif vendor == "postgresql":
        params = pg_params(connection.settings_dict)
        target = dest / PG_FILE
        # Count in the very snapshot pg_dump then writes (pg_export_snapshot): the manifest's
        # numbers are the dump's, however busy the service is meanwhile.
        with pg_connect(params, snapshot=True) as conn:
            source = _pg_source(conn)
            snapshot_id = source.query("SELECT pg_export_snapshot()", ())[0][0]
            server = source.query("SHOW server_version", ())[0][0]
            table_counts, key_probes = counts(source), probes(source, key)
            _run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot_id}", f"--file={target}"],
                pg_env(params),
                "pg_dump ",
            )
            conn.rollback()
        database = {"vendor": "postgresql", "file": PG_FILE, "server_version": server}
        log(f"数据库（PostgreSQL {server}）：{params['dbname']} → {target}（pg_dump -Fc）")
    else:  # pragma: no cover - settings refuse any other database
        raise BackupError(f"不支持的数据库：{vendor}")
    database.update({"sha256": sha256_file(target), "size": target.stat().st_size})

    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir():
        shutil.copytree(media_root, dest / MEDIA_DIR, copy_function=shutil.copy2)
    else:
        (dest / MEDIA_DIR).mkdir()
    files = _media_files(dest / MEDIA_DIR)
    log(f"上传文件：{media_root} → {dest / MEDIA_DIR}（{len(files)} 个）")

    if include_key:
        key_path = dest / KEY_FILE
        key_path.touch(mode=0o600)
        key_path.write_text(base64.urlsafe_b64encode(key).decode("ascii") + "\n", encoding="ascii")
        log(f"密钥：已写入 {key_path}（权限 0600）——此备份须按密钥的保管要求存放")
    else:
        log(f"密钥：未写入备份（来自{KEY_SOURCE}），指纹 {key_fingerprint(key)}；请另行保管密钥")

    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "anxin": anxin_version(),
        "database": database,
        "tables": table_counts,
        "media": {"root": str(media_root), "files": files},
        "key": {
            "fingerprint": key_fingerprint(key),
            "included": include_key,
            "file": KEY_FILE if include_key else "",
            "source": KEY_SOURCE,
            "probes": key_probes,
        },
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log(
        f"完成：{len(table_counts)} 张表、{sum(table_counts.values())} 行，{len(files)} 个文件，"
        f"{len(key_probes)} 个加密字段的核对值 → {dest / MANIFEST}"
    )
    return manifest


# --- restore ---------------------------------------------------------------------------------------------


def read_manifest(src: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{src} 中没有 {MANIFEST}：不是安薪备份目录") from None
    except json.JSONDecodeError as exc:
        raise BackupError(f"{src / MANIFEST} 无法读取：{exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式 {manifest.get('format')!r} 不是本版本能恢复的 {FORMAT}")
    return manifest


def _check_key(src: Path, manifest: dict[str, Any], key: bytes) -> None:
    """Refuse before writing anything when the configured key is not the backup's."""
    expected = manifest["key"]["fingerprint"]
    if manifest["key"].get("included"):
        stored = base64.urlsafe_b64decode((src / KEY_FILE).read_text(encoding="ascii").strip())
        if not hmac.compare_digest(stored, key):
            raise BackupError(
                f"当前 FIELD_ENCRYPTION_KEY（指纹 {key_fingerprint(key)}）不是备份中的密钥（指纹 {expected}）。"
                f"请先把运行环境的 FIELD_ENCRYPTION_KEY 设为 {src / KEY_FILE} 的内容，再恢复。"
            )
    elif key_fingerprint(key) != expected:
        raise BackupError(
            f"当前 FIELD_ENCRYPTION_KEY（指纹 {key_fingerprint(key)}）不是备份时的密钥（指纹 {expected}）：用它恢复，"
            f"加密的身份证号、手机号将无法读取。请设置备份时的密钥（{manifest['key'].get('source', KEY_SOURCE)}）后再恢复。"
        )


def _check_files(src: Path, manifest: dict[str, Any]) -> None:
    """The backup itself is whole: the database file and every media file match their checksums."""
    database = manifest["database"]
    path = src / database["file"]
    if not path.is_file() or sha256_file(path) != database["sha256"]:
        raise BackupError(f"数据库备份文件 {path} 缺失或已损坏（校验值不符）")
    bad = [
        name
        for name, info in manifest["media"]["files"].items()
        if not (src / MEDIA_DIR / name).is_file() or sha256_file(src / MEDIA_DIR / name) != info["sha256"]
    ]
    if bad:
        raise BackupError(f"备份中 {len(bad)} 个上传文件缺失或已损坏（校验值不符），例如 {bad[0]}")


def _compare_counts(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    return [
        f"{table}：备份 {count} 行，恢复后 {found.get(table, '（无此表）')}"
        for table, count in sorted(expected.items())
        if found.get(table) != count
    ]


def restore(
    src: Path,
    *,
    database: str | None = None,
    media_root: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Restore the backup in ``src`` into an empty database (``database``: a SQLite file path or a
    PostgreSQL database name on the configured server; default the configured one) and an empty
    media directory (default MEDIA_ROOT), then verify counts, files and the key."""
    src = Path(src)
    manifest = read_manifest(src)
    key: bytes = settings.FIELD_ENCRYPTION_KEY
    _check_key(src, manifest, key)
    _check_files(src, manifest)
    connection = connections["default"]
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(f"这是 {vendor} 数据库的备份，当前配置的数据库是 {connection.vendor}")
    media_target = Path(media_root or settings.MEDIA_ROOT)
    if media_target.exists() and (not media_target.is_dir() or any(media_target.iterdir())):
        raise BackupError(f"上传目录 {media_target} 不为空：只恢复到空目录（请先把旧目录移开）")

    if vendor == "sqlite":
        target = Path(database or connection.settings_dict["NAME"])
        if target.exists():
            raise BackupError(
                f"数据库文件 {target} 已存在：只恢复到新文件（请先停止服务，把旧文件及其 -wal、-shm 移开）"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        backup_copy = sqlite3.connect(str(src / SQLITE_FILE))
        restored = sqlite3.connect(str(target))
        try:
            backup_copy.backup(restored)
        finally:
            restored.close()
            backup_copy.close()
        log(f"数据库（SQLite）：{src / SQLITE_FILE} → {target}")
        with _sqlite_source(target) as source:
            problems = _verify(source, manifest, key)
    else:
        pg_restore = pg_tool("pg_restore")
        params = pg_params(connection.settings_dict, database)
        with pg_connect(params) as conn:
            if _pg_tables(conn.cursor()):
                raise BackupError(
                    f"数据库 {params['dbname']} 不是空库：只恢复到新建的空库（createdb，见运维手册）"
                )
        _run(
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={params['dbname']}",
                str(src / PG_FILE),
            ],
            pg_env(params),
            "pg_restore ",
        )
        log(f"数据库（PostgreSQL）：{src / PG_FILE} → {params['dbname']}")
        with pg_connect(params) as conn:
            problems = _verify(_pg_source(conn), manifest, key)
    if problems:
        raise BackupError("恢复后的数据库与备份清单不符：\n" + "\n".join(problems))

    if (src / MEDIA_DIR).is_dir():
        media_target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(src / MEDIA_DIR, media_target, copy_function=shutil.copy2, dirs_exist_ok=True)
    restored_files = _media_files(media_target)
    expected_files = manifest["media"]["files"]
    if {n: i["sha256"] for n, i in restored_files.items()} != {
        n: i["sha256"] for n, i in expected_files.items()
    }:
        raise BackupError(f"恢复后的上传目录 {media_target} 与备份清单不符")
    log(f"上传文件：{len(restored_files)} 个 → {media_target}，校验值一致")
    log(
        f"核对通过：{len(manifest['tables'])} 张表行数一致，{len(manifest['key']['probes'])} 个加密字段用当前密钥"
        f"（指纹 {key_fingerprint(key)}）解密一致。"
    )
    current = anxin_version()
    if manifest["anxin"] != current:
        then = manifest["anxin"]
        log(
            f"注意：备份来自安薪 {then.get('version')}（{(then.get('commit') or '')[:12] or '提交未知'}），"
            f"当前代码为 {current['version']}（{current['commit'][:12] or '提交未知'}）："
            "启动前用恢复后的库执行 manage.py migrate。"
        )
    return manifest


def _verify(source: Source, manifest: dict[str, Any], key: bytes) -> list[str]:
    return _compare_counts(manifest["tables"], counts(source)) + check_probes(
        source, manifest["key"]["probes"], key
    )
