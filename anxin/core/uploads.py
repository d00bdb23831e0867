"""Checking uploaded files by their content, not their name (photos, scans, written reports)."""

from __future__ import annotations

import io

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
        magic, extension = SIGNATURES[content_type]
        if content.startswith(magic):
            if content_type in IMAGES:
                _check_image(content, label, field)
            return content_type, extension
    kinds = "、".join(
        {"image/jpeg": "JPEG", "image/png": "PNG", "application/pdf": "PDF"}[t] for t in allowed
    )
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
