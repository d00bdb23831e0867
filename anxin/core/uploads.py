"""Checking uploaded files by their content, not their name (photos, scans, written reports)."""

from __future__ import annotations

import io
import re
import struct
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from anxin.core.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024

SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
    "application/pdf": (b"%PDF-", ".pdf"),
}
IMAGES = ("image/jpeg", "image/png")
DOCUMENTS = ("image/jpeg", "image/png", "application/pdf")
#: iPhone photos (HEIF with HEVC, 苹果手机默认格式): kept as uploaded, never decoded here — an
#: officer's browser may not show them, so they are offered for download (``DOWNLOAD_ONLY``).
HEIF_TYPES = ("image/heic", "image/heif")
DOWNLOAD_ONLY = HEIF_TYPES
PHOTOS = ("image/jpeg", "image/png", *HEIF_TYPES)
KIND_NAMES = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/pdf": "PDF",
    "image/heic": "HEIC",
    "image/heif": "HEIF",
}
# ISO base media file brands (ISO/IEC 23008-12): HEVC-coded HEIF images and sequences, and the
# generic image brands. An AVIF (``avif``/``avis``) shares the generic ones and is not taken.
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"heif"}
_AVIF_BRANDS = {b"avif", b"avis"}
_MAX_BOXES = 10_000


def heif_type(content: bytes) -> tuple[str, str] | None:
    """``("image/heic", ".heic")`` or ``("image/heif", ".heif")`` when ``content`` is a whole HEIF
    file by its structure: an ``ftyp`` box first naming a HEIF brand (major or compatible, no AVIF
    brand), top-level boxes that fit the file exactly, and the ``meta`` box every HEIF image has.
    Nothing is decoded."""
    if len(content) < 16 or content[4:8] != b"ftyp":
        return None
    ftyp_size = int.from_bytes(content[0:4], "big")
    if ftyp_size < 16 or ftyp_size > len(content) or (ftyp_size - 16) % 4:
        return None
    major = content[8:12]
    brands = {major, *(content[i : i + 4] for i in range(16, ftyp_size, 4))}
    if brands & _AVIF_BRANDS:
        return None
    if brands & _HEIC_BRANDS:
        found = ("image/heic", ".heic")
    elif brands & _HEIF_BRANDS:
        found = ("image/heif", ".heif")
    else:
        return None
    boxes: set[bytes] = set()
    offset = 0
    while offset < len(content):
        if len(boxes) > _MAX_BOXES or offset + 8 > len(content):
            return None
        size = int.from_bytes(content[offset : offset + 4], "big")
        kind = content[offset + 4 : offset + 8]
        if size == 1:  # a 64-bit size follows the type
            if offset + 16 > len(content):
                return None
            size = int.from_bytes(content[offset + 8 : offset + 16], "big")
        elif size == 0:  # to the end of the file
            size = len(content) - offset
        if size < 8 or offset + size > len(content):
            return None
        boxes.add(kind)
        offset += size
    return found if b"meta" in boxes else None


def sniff(
    content: bytes, *, allowed: tuple[str, ...] = DOCUMENTS, field: str = "attachments", name: str = ""
) -> tuple[str, str]:
    """The content type and extension of ``content``; refuses other types, bad images, big files."""
    label = f"“{name}”" if name else _("文件")
    if not content:
        raise DomainError(_("%(f)s是空文件") % {"f": label}, field=field)
    if len(content) > MAX_BYTES:
        raise DomainError(_("%(f)s超过 5 MB，请压缩后再上传") % {"f": label}, field=field)
    for content_type in allowed:
        if content_type in HEIF_TYPES:
            continue
        magic, extension = SIGNATURES[content_type]
        if content.startswith(magic):
            if content_type in IMAGES:
                _check_image(content, label, field)
            return content_type, extension
    if any(t in HEIF_TYPES for t in allowed):
        found = heif_type(content)
        if found is not None and found[0] in allowed:
            return found
        if found is None and content[4:8] == b"ftyp" and content[8:12] in _HEIC_BRANDS | _HEIF_BRANDS:
            raise DomainError(_("%(f)s已损坏或不是有效的图片") % {"f": label}, field=field)
    kinds = "、".join(dict.fromkeys(KIND_NAMES[t] for t in allowed))
    raise DomainError(
        _("%(f)s不是可接受的文件类型（仅限 %(k)s，按文件内容判断）") % {"f": label, "k": kinds}, field=field
    )


def _check_image(content: bytes, label: str, field: str) -> None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            if image.width * image.height > 60_000_000:
                raise DomainError(_("%(f)s图像尺寸过大") % {"f": label}, field=field)
    except DomainError:
        raise
    except Exception:
        raise DomainError(_("%(f)s已损坏或不是有效的图片") % {"f": label}, field=field) from None


# --- zip-based uploads (.xlsx): the archive is judged before anything is decompressed ---------------

#: Defaults of the settings that bound what an uploaded archive may expand to (docs/security/limits.md).
ARCHIVE_LIMITS = {
    "IMPORT_MAX_UNCOMPRESSED_BYTES": 50 * 1024 * 1024,
    "IMPORT_MAX_WHOLE_PART_BYTES": 6 * 1024 * 1024,
    "IMPORT_MAX_MEMBER_RATIO": 100,
    "IMPORT_MAX_MEMBERS": 200,
}
#: Parts read a row at a time (openpyxl's read-only mode streams the worksheets); every other part
#: (shared strings, styles, the workbook) is read whole into memory, so it has the tighter bound.
STREAMED_PARTS = re.compile(r"xl/worksheets/sheet\d+\.xml")
#: A member this small cannot exhaust anything, whatever its ratio (an empty sheet compresses 50:1).
RATIO_FLOOR = 1024 * 1024
_EOCD = b"PK\x05\x06"


def archive_limit(name: str) -> int:
    return int(getattr(settings, name, ARCHIVE_LIMITS[name]))


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


def _refuse(what: str, detail: str) -> DomainError:
    return DomainError(
        _("%(what)s解压后的内容过大或压缩比异常（%(detail)s），为保护系统未读取其内容。")
        % {"what": what, "detail": detail}
        + _("请使用下载的导入模板填写，或将数据复制到新的工作簿另存为 .xlsx；数据量大时请拆分后分批导入。"),
        field="file",
    )


def check_archive(content: bytes, *, what: str = "Excel 文件") -> None:
    """Refuse a zip archive (an .xlsx) whose central directory declares more than the limits allow.

    Read from the directory alone, before any member is decompressed: the number of members, the
    declared uncompressed size of each and of the whole, each member's compression ratio and
    method. A member that declares less than it holds gets no further: Python's zipfile stops a
    member at its declared size and then fails its CRC, and only stored and deflated members
    (which decompress in bounded steps) are accepted.
    """
    unreadable = DomainError(
        _("无法读取该%(what)s，请确认是 .xlsx 格式且未加密") % {"what": what}, field="file"
    )
    tail = content[-(65535 + 22) :]
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) < at + 22:
        raise unreadable
    most = archive_limit("IMPORT_MAX_MEMBERS")
    # The directory's own count, before zipfile builds an object per entry (0xFFFF: zip64).
    declared = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    if declared > most:
        raise _refuse(what, _("部件超过 %(most)d 个") % {"most": most})
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise unreadable from None
    if len(members) > most:
        raise _refuse(what, _("部件超过 %(most)d 个") % {"most": most})
    total_limit = archive_limit("IMPORT_MAX_UNCOMPRESSED_BYTES")
    part_limit = archive_limit("IMPORT_MAX_WHOLE_PART_BYTES")
    ratio_limit = archive_limit("IMPORT_MAX_MEMBER_RATIO")
    total = 0
    for member in members:
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(what, _("部件 %(name)s 使用了不支持的压缩方式") % {"name": member.filename})
        size = member.file_size
        total += size
        if not STREAMED_PARTS.fullmatch(member.filename) and size > part_limit:
            raise _refuse(
                what,
                _("部件 %(name)s 解压后 %(size)s，上限 %(limit)s")
                % {"name": member.filename, "size": _mb(size), "limit": _mb(part_limit)},
            )
        if size > RATIO_FLOOR and size > ratio_limit * max(member.compress_size, 1):
            raise _refuse(
                what,
                _("部件 %(name)s 压缩比超过 %(ratio)d 倍") % {"name": member.filename, "ratio": ratio_limit},
            )
    if total > total_limit:
        raise _refuse(
            what, _("解压后共 %(size)s，上限 %(limit)s") % {"size": _mb(total), "limit": _mb(total_limit)}
        )
