"""The file exchange across the zone boundary, for a district whose boundary lets no database
connection through (docs/operations.md §15.4, issue #21).

The internet zone's portal then runs on its own database. Two kinds of bundle cross the boundary
device, each one zip file:

- ``reports`` (made on the portal host, imported inside): the reports the portal received since the
  last bundle, with their photos, the workers' actions on older reports (material, ratings) and the
  notices the portal held. Inside, the reports arrive unrouted (``awaiting_routing``) and the tick
  routes them as it routes those of a portal on the shared database.
- ``status`` (made inside, imported on the portal host): what the portal reads — each report's
  public state and the copies the tick keeps for the internet zone — as a whole snapshot.

Each app contributes its rows through the seam (``seam.EXCHANGE_PARTS``); this module only packs,
signs, checks and records. A bundle holds ``manifest.json`` (direction, sequence number, time, host,
the rows per part, the SHA-256 of every other member), ``manifest.sig`` (HMAC-SHA256 of the manifest
with ``ANXIN_EXCHANGE_KEY``), ``parts/<part>.json`` and ``files/…``. An import checks all of it
before it writes anything, then writes every part in one transaction (files written to MEDIA_ROOT
by a failed import are removed with it) and records the bundle (``core.ExchangeBundle``). Personal
data travels as the database stores it (ciphertext and blind indexes; both sides hold the same
``FIELD_ENCRYPTION_KEY``).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import io
import json
import logging
import os
import shutil
import socket
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn, overload

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from anxin import zones
from anxin.core import seam
from anxin.core.audit import acting, system_actor
from anxin.core.files import atomic_with_files
from anxin.core.models import ExchangeBundle, ExchangeDirection

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
DIRECTIONS = (ExchangeDirection.REPORTS, ExchangeDirection.STATUS)
# What a bundle may hold, judged from the zip's directory before anything is read: the portal
# host is on the internet, so a bundle from it is read as carefully as an upload.
MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_RATIO = 200


class ExchangeRefused(Exception):
    """The bundle is not imported (or not made); the message says why, in Chinese, for the operator."""


class AlreadyImported(Exception):
    """This very bundle was imported before: nothing to do (re-importing is harmless)."""


class Superseded(Exception):
    """A status bundle older than the last one imported, arriving late: a newer snapshot already
    holds everything it carries, so nothing is done (importing it would set the portal back)."""


class RowError(Exception):
    """A malformed row: names the record (e.g. a report's tracking code) and the field."""

    def __init__(self, record: str, field_name: str, message: str):
        super().__init__(f"{record} 的 {field_name}：{message}")
        self.record, self.field_name, self.message = record, field_name, message


@dataclass
class LoadContext:
    """What a part's ``load`` gets besides its rows: the bundle's files, the acting account, the
    import's time, the bundle's sequence and making time (``created_at``), and (on the portal host,
    for a status bundle) the marks of the portal's own export the internal zone had imported when
    it made this bundle (``acknowledged``, by part key): the portal's actions after those marks have not been seen inside yet.
    ``skipped``: this side has let a bundle of this direction go (``--allow-gap``), so a row may
    name a record that was in it (a rating on a report that never arrived)."""

    files: Callable[[str], bytes]
    actor: Any
    now: datetime.datetime
    sequence: int
    acknowledged: dict = field(default_factory=dict)
    skipped: bool = False
    created_at: datetime.datetime | None = None


@dataclass(frozen=True)
class Done:
    """What a command reports: the bundle's record and its file; ``more``: an export stopped at
    its share of one bundle (a backlog) and the next export has more to take."""

    bundle: ExchangeBundle
    path: Path | None = None
    more: bool = False


# --- the rows' values -----------------------------------------------------------------------------


def stored_text(field_name: str) -> Cast:
    """An encrypted column as stored (the ciphertext), for ``values()``: the field's own reading
    would decrypt it. Copying the ciphertext keeps the bundle as protected as the database."""
    return Cast(field_name, output_field=models.TextField())


def as_stored(ciphertext: str) -> models.Value:
    """A ciphertext written as it is (an insert or update with this value skips the field's
    encryption: it is already encrypted, for the same model and field)."""
    return models.Value(ciphertext, output_field=models.TextField())


def iso(value: datetime.datetime | datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def text(row: dict, name: str, *, record: str, blank: bool = True, most: int | None = None) -> str:
    value = row.get(name, "")
    if not isinstance(value, str):
        raise RowError(record, name, "应为文本")
    if not blank and not value.strip():
        raise RowError(record, name, "不能为空")
    if most is not None and len(value) > most:
        raise RowError(record, name, f"超过 {most} 个字符")
    return value


@overload
def number(row: dict, name: str, *, record: str, optional: Literal[False] = False) -> int: ...
@overload
def number(row: dict, name: str, *, record: str, optional: Literal[True]) -> int | None: ...
def number(row: dict, name: str, *, record: str, optional: bool = False) -> int | None:
    value = row.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RowError(record, name, "应为非负整数")
    return value


def flag(row: dict, name: str, *, record: str) -> bool:
    value = row.get(name, False)
    if not isinstance(value, bool):
        raise RowError(record, name, "应为 true 或 false")
    return value


@overload
def moment(row: dict, name: str, *, record: str, optional: Literal[False] = False) -> datetime.datetime: ...
@overload
def moment(row: dict, name: str, *, record: str, optional: Literal[True]) -> datetime.datetime | None: ...
def moment(row: dict, name: str, *, record: str, optional: bool = False) -> datetime.datetime | None:
    value = row.get(name)
    if value is None and optional:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or timezone.is_naive(parsed):
        raise RowError(record, name, "应为带时区的 ISO 时间")
    return parsed


@overload
def day(row: dict, name: str, *, record: str, optional: Literal[False] = False) -> datetime.date: ...
@overload
def day(row: dict, name: str, *, record: str, optional: Literal[True]) -> datetime.date | None: ...
def day(row: dict, name: str, *, record: str, optional: bool = False) -> datetime.date | None:
    value = row.get(name)
    if value is None and optional:
        return None
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else _bad_day(record, name)
    except ValueError:
        return _bad_day(record, name)


def _bad_day(record: str, name: str) -> NoReturn:
    raise RowError(record, name, "应为 ISO 日期（YYYY-MM-DD）")


def items(row: dict, name: str, *, record: str) -> list:
    value = row.get(name, [])
    if not isinstance(value, list):
        raise RowError(record, name, "应为列表")
    return value


def code_of(codes: dict[str, int], row: dict, name: str, *, record: str) -> int | None:
    """The local id of a reference row (a town, a unit, a channel) named by its code in the bundle;
    both sides load the same district file, so the codes agree where the ids need not."""
    value = row.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str) or value not in codes:
        raise RowError(record, name, f"本机没有代码为“{value}”的记录（两边的区配置文件是否一致？）")
    return codes[value]


def hold(*held: type[models.Model]) -> None:
    """Inside an export's transaction on PostgreSQL: no new row in these tables until it commits,
    and every row written before is committed. An export takes the rows above its last mark: a row
    whose transaction started before another's but committed after it would otherwise fall below
    the next mark unseen. (SQLite runs one writer at a time: the export's own transaction is it.)"""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in held:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE"
            )


# --- signing ------------------------------------------------------------------------------------------


def _key() -> bytes:
    key = settings.EXCHANGE_KEY
    if not key:
        raise ExchangeRefused("未设置 ANXIN_EXCHANGE_KEY（两边须持有同一把摆渡密钥），无法导出或导入文件包")
    return key


def sign(manifest: bytes, key: bytes | None = None) -> str:
    return hmac.new(key or _key(), manifest, hashlib.sha256).hexdigest()


def _signed(manifest: bytes, signature: bytes) -> bool:
    """Signed with this side's key, or (during a key change) with ``ANXIN_EXCHANGE_KEY_PREVIOUS``.
    Compared as bytes, in constant time: whatever the file holds (``compare_digest`` refuses a str
    with other than ASCII in it)."""
    keys = [_key(), *([settings.EXCHANGE_KEY_PREVIOUS] if settings.EXCHANGE_KEY_PREVIOUS else [])]
    return any(hmac.compare_digest(signature, sign(manifest, key).encode()) for key in keys)


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# --- which side does what ------------------------------------------------------------------------------


def check_side(direction: str, kind: str) -> None:
    """A reports bundle is made on the portal host and imported inside; a status bundle the other
    way round. The portal host is the internet zone exchanging files (``ANXIN_PORTAL_EXCHANGE=files``)."""
    portal = settings.ANXIN_ZONE == zones.PUBLIC
    if portal and not settings.PORTAL_EXCHANGES_FILES:
        raise ExchangeRefused(
            "本机是互联网区门户，但未设 ANXIN_PORTAL_EXCHANGE=files：门户连内网数据库时不用文件摆渡"
        )
    on_portal = (direction == ExchangeDirection.REPORTS) == (kind == ExchangeBundle.Kind.EXPORT)
    if on_portal and not portal:
        raise ExchangeRefused(
            "该操作在互联网区门户主机上执行（ANXIN_ZONE=public、ANXIN_PORTAL_EXCHANGE=files），本机是内网"
        )
    if not on_portal and portal:
        raise ExchangeRefused("该操作在内网执行，本机是互联网区门户主机")
    if not on_portal and kind == ExchangeBundle.Kind.EXPORT and not settings.PUBLIC_ZONE_COPIES:
        raise ExchangeRefused(
            "内网未设 ANXIN_PUBLIC_ZONE_COPIES=true：tick 不写门户读的副本，导出的状态包会缺进度、告示牌项目、"
            "计酬手册和失信名单"
        )


def parts(direction: str) -> list[seam.ExchangePart]:
    return [p for p in seam.collect(seam.EXCHANGE_PARTS) if p.direction == direction]


# --- export -------------------------------------------------------------------------------------------


def bundle_export(
    *,
    direction: str,
    out_dir: Path,
    command: str,
    now: datetime.datetime | None = None,
    keep_dir: Path | None = None,
) -> Done:
    """Make the next bundle of ``direction`` in ``out_dir`` and record it; with ``keep_dir``, a
    copy there too (written before the bundle appears in ``out_dir``, where the boundary device may
    take it at once), kept until the other side acknowledges it (deploy/anxin-exchange.sh).

    Each part gives its rows since its mark in the last export; the zip is written to a temporary
    name, recorded in the transaction that reads the rows (a part may delete what it hands over, as
    notify does with the held notices), and renamed to ``anxin-<direction>-<sequence>.zip`` only
    after that transaction committed: a failure leaves neither a record nor a file that looks
    complete."""
    check_side(direction, ExchangeBundle.Kind.EXPORT)
    key = _key()
    now = now or timezone.now()
    out_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".anxin-{direction}-", suffix=".part", dir=out_dir)
    os.close(fd)
    try:
        record, name, more = _export_recorded(
            direction=direction, tmp=Path(tmp), command=command, now=now, key=key
        )
        if keep_dir is not None:
            keep_dir.mkdir(parents=True, exist_ok=True)
            kept = keep_dir / f".{name}.part"
            shutil.copyfile(tmp, kept)
            os.replace(kept, keep_dir / name)
        # Named only once the record (and whatever a part deleted) is committed: a failed commit
        # leaves no file that looks like bundle N, which the next export would number N again.
        os.replace(tmp, out_dir / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Done(record, out_dir / name, more)


def _export_recorded(
    *, direction: str, tmp: Path, command: str, now: datetime.datetime, key: bytes
) -> tuple[ExchangeBundle, str, bool]:
    """The bundle written to ``tmp`` and recorded, in one transaction (committed on return)."""
    with transaction.atomic(), acting(system_actor()):
        last = (
            ExchangeBundle.objects.select_for_update()
            .filter(direction=direction, kind=ExchangeBundle.Kind.EXPORT)
            .order_by("-sequence")
            .first()
        )
        sequence = last.sequence + 1 if last else 1
        marks = dict(last.marks) if last else {}
        members: dict[str, bytes] = {}
        counts: dict[str, int] = {}
        new_marks: dict[str, dict] = {}
        more = False
        for part in parts(direction):
            exported = part.export(since=marks.get(part.key, {}), now=now)
            more |= exported.more
            members[f"parts/{part.key}.json"] = _json(exported.rows)
            for name, content in exported.files.items():
                if not name.startswith("files/") or name in members:
                    raise ValueError(f"{part.key}: bad or repeated file name {name!r}")
                members[name] = content
            counts[part.key] = len(exported.rows)
            new_marks[part.key] = exported.mark or marks.get(part.key, {})
        acknowledges = None
        if direction == ExchangeDirection.STATUS:
            seen = (
                ExchangeBundle.objects.filter(
                    direction=ExchangeDirection.REPORTS, kind=ExchangeBundle.Kind.IMPORT
                )
                .order_by("-sequence")
                .values_list("sequence", flat=True)
                .first()
            )
            acknowledges = seen or 0
        host = socket.gethostname()[:100]
        manifest = {
            "format": FORMAT,
            "direction": direction,
            "sequence": sequence,
            "created_at": now.isoformat(),
            "source_host": host,
            "counts": counts,
            "acknowledges": acknowledges,
            "members": {name: _sha256(content) for name, content in sorted(members.items())},
        }
        manifest_bytes = _json(manifest)
        name = f"anxin-{direction}-{sequence:06d}.zip"
        with tmp.open("wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr(MANIFEST, manifest_bytes)
            bundle.writestr(SIGNATURE, hmac.new(key, manifest_bytes, hashlib.sha256).hexdigest())
            for member, content in members.items():
                bundle.writestr(member, content)
        record = ExchangeBundle.objects.create(
            direction=direction,
            kind=ExchangeBundle.Kind.EXPORT,
            sequence=sequence,
            sha256=_sha256(tmp.read_bytes()),
            file_name=name,
            source_host=host,
            created_at=now,
            counts=counts,
            marks=new_marks,
            acknowledges=acknowledges,
            command=command[:300],
        )
    return record, name, more


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


# --- import -------------------------------------------------------------------------------------------


@dataclass
class _Opened:
    manifest: dict
    digest: str
    read: Callable[[str], bytes]


def _open(path: Path, *, direction: str) -> _Opened:
    """The bundle's checked manifest and a reader of its members: signature, direction, members and
    their SHA-256 — all before a row is read. Whatever the file holds, the answer is the bundle or
    a refusal: it came from the internet zone's host, read as carefully as an upload."""
    try:
        size = path.stat().st_size
        if size > MAX_TOTAL_BYTES:  # judged before it is read into memory
            raise ExchangeRefused("文件包过大，拒绝导入")
        return _checked(path.read_bytes(), path=path, direction=direction)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        # A member that does not inflate, fails its CRC, is encrypted, or a JSON nested too deep.
        raise ExchangeRefused(f"{path.name} 已损坏，读不出（{type(exc).__name__}），拒绝导入") from None
    except OSError as exc:
        raise ExchangeRefused(f"读不到文件包 {path}：{exc.strerror or exc}") from None


def _checked(content: bytes, *, path: Path, direction: str) -> _Opened:
    try:
        bundle = zipfile.ZipFile(io.BytesIO(content))
        infos = bundle.infolist()
    except zipfile.BadZipFile:
        raise ExchangeRefused(f"{path.name} 不是完整的文件包（zip 损坏或未传完）") from None
    if len({i.filename for i in infos}) != len(infos):
        raise ExchangeRefused("文件包中有重名的成员，拒绝导入")
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise ExchangeRefused("文件包的成员过多或解压后过大，拒绝导入")
    for info in infos:
        if info.file_size > MAX_MEMBER_BYTES or info.file_size > max(info.compress_size, 1) * MAX_RATIO:
            raise ExchangeRefused(f"文件包成员 {info.filename} 解压后过大，拒绝导入")
    names = {i.filename for i in infos}
    if MANIFEST not in names or SIGNATURE not in names:
        raise ExchangeRefused("文件包缺少清单（manifest.json）或签名（manifest.sig），拒绝导入")
    manifest_bytes = bundle.read(MANIFEST)
    signature = bundle.read(SIGNATURE).strip()
    if not _signed(manifest_bytes, signature):
        raise ExchangeRefused(
            "文件包签名不符：不是持有同一 ANXIN_EXCHANGE_KEY 的一方生成的，或清单被改动过。拒绝导入，数据库未改动"
        )
    try:
        manifest = json.loads(manifest_bytes)
        sequence = manifest["sequence"]
        members = manifest["members"]
        counts = manifest["counts"]
    except (ValueError, KeyError, TypeError, RecursionError):
        raise ExchangeRefused("文件包清单格式不正确，拒绝导入") from None
    if manifest.get("format") != FORMAT:
        raise ExchangeRefused(
            f"文件包格式版本 {manifest.get('format')} 与本机（{FORMAT}）不同：两边请部署同一版本"
        )
    if manifest.get("direction") != direction:
        theirs = manifest.get("direction")
        label = dict(ExchangeDirection.choices).get(theirs, str(theirs))
        raise ExchangeRefused(
            f"这是“{label}”方向的文件包，本命令导入的是“{ExchangeDirection(direction).label}”方向。拒绝导入"
        )
    if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 1:
        raise ExchangeRefused("文件包清单中的序号不正确，拒绝导入")
    if not isinstance(members, dict) or not isinstance(counts, dict):
        raise ExchangeRefused("文件包清单格式不正确，拒绝导入")
    extra = names - set(members) - {MANIFEST, SIGNATURE}
    missing = set(members) - names
    if extra or missing:
        which = "、".join(sorted(extra | missing)[:5])
        raise ExchangeRefused(f"文件包的成员与清单不符（{which}），拒绝导入")
    for member, expected in members.items():
        if _sha256(bundle.read(member)) != expected:
            raise ExchangeRefused(
                f"文件包成员 {member} 被改动过（SHA-256 与清单不符），拒绝导入，数据库未改动"
            )

    def read(member: str) -> bytes:
        if member not in members:
            raise KeyError(member)
        return bundle.read(member)

    return _Opened(manifest, _sha256(content), read)


def bundle_import(*, path: Path, direction: str, command: str, allow_gap: bool = False) -> Done:
    """Import the bundle at ``path``: every check first, then every part in one transaction, then
    the record. Refusals raise ``ExchangeRefused`` (nothing written); the same bundle again raises
    ``AlreadyImported``, a status bundle older than the last one imported ``Superseded`` (nothing
    written either: both are harmless, the command exits 0)."""
    check_side(direction, ExchangeBundle.Kind.IMPORT)
    opened = _open(path, direction=direction)
    manifest = opened.manifest
    sequence = manifest["sequence"]
    known = {p.key: p for p in parts(direction)}
    unknown = [k for k in manifest["counts"] if k not in known]
    if unknown:
        raise ExchangeRefused(f"文件包含本机不认识的部分（{'、'.join(unknown)}）：两边请部署同一版本")
    actor = system_actor()
    with atomic_with_files(), acting(actor):
        imported = ExchangeBundle.objects.select_for_update().filter(
            direction=direction, kind=ExchangeBundle.Kind.IMPORT
        )
        same = imported.filter(sequence=sequence).first()
        if same is not None:
            if same.sha256 != opened.digest:
                raise ExchangeRefused(
                    f"序号 {sequence} 已在 {timezone.localtime(same.done_at):%Y-%m-%d %H:%M} 导入过另一个文件包"
                    f"（SHA-256 {same.sha256[:12]}…），本包与之不同。拒绝导入"
                )
            raise AlreadyImported(same)
        last = imported.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        if sequence < last and direction == ExchangeDirection.STATUS:
            raise Superseded(last)
        warning = ""
        if sequence != last + 1 and direction == ExchangeDirection.STATUS:
            # A whole snapshot: the bundles in between hold nothing this one lacks.
            warning = (
                f"序号不连续：上次导入的是 {last}，本包是 {sequence}；状态包是整份快照，缺少的包无需补导"
            )
        elif sequence != last + 1 and allow_gap:
            warning = f"序号不连续：上次导入的是 {last}，本包是 {sequence}；按 --allow-gap 放过了缺少的包"
        elif sequence != last + 1:
            raise ExchangeRefused(
                f"序号不连续：上次导入的是 {last}，本包是 {sequence}。请先导入缺少的包（序号 {last + 1}"
                f"{f'–{sequence - 1}' if sequence - 1 > last + 1 else ''}）；确认缺少的包已无法找回时，加 --allow-gap 导入"
            )
        created_at = _manifest_time(manifest)
        context = LoadContext(
            files=opened.read,
            actor=actor,
            now=timezone.now(),
            sequence=sequence,
            created_at=created_at,
            acknowledged=_acknowledged(manifest),
            # Fewer bundles imported than the sequence numbers up to this one: some were let go.
            skipped=ExchangeBundle.objects.filter(
                direction=direction, kind=ExchangeBundle.Kind.IMPORT, sequence__lt=sequence
            ).count()
            < sequence - 1,
        )
        applied: dict[str, int] = {}
        for key, part in known.items():
            member = f"parts/{key}.json"
            if key not in manifest["counts"]:
                raise ExchangeRefused(f"文件包缺少“{key}”部分：两边请部署同一版本")
            try:
                rows = json.loads(opened.read(member))
            except (KeyError, ValueError, RecursionError):
                raise ExchangeRefused(f"文件包的“{key}”部分缺失或不是 JSON，拒绝导入") from None
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise ExchangeRefused(f"文件包的“{key}”部分应为记录的列表，拒绝导入")
            if len(rows) != manifest["counts"][key]:
                raise ExchangeRefused(
                    f"文件包的“{key}”部分有 {len(rows)} 条，清单写的是 {manifest['counts'][key]} 条"
                )
            try:
                applied[key] = part.load(rows, context=context)
            except RowError as exc:
                raise ExchangeRefused(f"“{key}”部分的记录有误：{exc}。拒绝导入，数据库未改动") from None
        record = ExchangeBundle.objects.create(
            direction=direction,
            kind=ExchangeBundle.Kind.IMPORT,
            sequence=sequence,
            sha256=opened.digest,
            file_name=path.name[:200],
            source_host=str(manifest.get("source_host", ""))[:100],
            created_at=created_at,
            counts=manifest["counts"],
            applied=applied,
            acknowledges=manifest.get("acknowledges"),
            command=command[:300],
            warning=warning[:300],
        )
    if warning:
        logger.warning("exchange: %s bundle #%s: %s", direction, sequence, warning)
    return Done(record, path)


def _manifest_time(manifest: dict) -> datetime.datetime:
    try:
        return moment(manifest, "created_at", record="清单")
    except RowError as exc:
        raise ExchangeRefused(f"文件包清单有误：{exc}") from None


def reports_acknowledged() -> int:
    """On the portal host: the last reports bundle the internal zone had imported, as the last
    status bundle imported here says (0 when none): the reports bundles up to it need no copy."""
    seen = (
        ExchangeBundle.objects.filter(direction=ExchangeDirection.STATUS, kind=ExchangeBundle.Kind.IMPORT)
        .order_by("-sequence")
        .values_list("acknowledges", flat=True)
        .first()
    )
    return seen or 0


def _acknowledged(manifest: dict) -> dict:
    """On the portal host, for a status bundle: the marks of the portal's own reports bundle that
    the internal zone had imported last when it made this one ({} when none)."""
    seen = manifest.get("acknowledges")
    if manifest.get("direction") != ExchangeDirection.STATUS or not isinstance(seen, int) or seen < 1:
        return {}
    export = ExchangeBundle.objects.filter(
        direction=ExchangeDirection.REPORTS, kind=ExchangeBundle.Kind.EXPORT, sequence=seen
    ).first()
    return dict(export.marks) if export else {}
