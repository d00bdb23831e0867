"""The flow every import screen shares: upload → dry run (every row checked, nothing written) →
the file kept aside under a one-time token → confirm → the same file imported for real.

A second upload (say, in another tab) replaces the pending one, and the confirm button of the
first preview then refuses rather than import a file the user did not look at.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import PurePath

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.http import HttpRequest

from anxin.core.errors import DomainError
from anxin.core.tabular import MAX_BYTES, ImportResult

NOTHING_PENDING = "没有待确认的导入，请重新上传文件。"
REPLACED = "该预览已被之后上传的文件替换，请核对最新的预览后再确认。"
TOO_BIG = "文件超过 10 MB，请拆分后分批导入"


def drop(request: HttpRequest, key: str) -> None:
    pending = request.session.pop(key, None)
    if pending:
        default_storage.delete(pending["path"])


def stage(
    request: HttpRequest,
    *,
    key: str,
    upload: File,
    run: Callable[..., ImportResult],
    extra: dict | None = None,
) -> tuple[ImportResult | None, dict | None, str | None]:
    """Dry-run ``upload`` with ``run(content=, filename=, dry_run=True)``; keep it if every row passes.

    Returns (result, pending, error message): the message when the file as a whole cannot be read.
    """
    drop(request, key)
    if (upload.size or 0) > MAX_BYTES:  # judged before the file is read into memory
        return None, None, TOO_BIG
    content = upload.read()
    try:
        result = run(content=content, filename=upload.name, dry_run=True)
    except DomainError as exc:  # TableError and refusals of the importer itself
        return None, None, exc.message
    pending = None
    if result.ok:
        token = uuid.uuid4().hex
        path = default_storage.save(
            f"imports/{token}{PurePath(upload.name or '').suffix.lower()}", ContentFile(content)
        )
        pending = {"path": path, "filename": upload.name, "token": token, **(extra or {})}
        request.session[key] = pending
    return result, pending, None


def take(request: HttpRequest, *, key: str) -> tuple[dict | None, bytes | None, str]:
    """The pending file for the confirm button that was pressed: (pending, content, error message)."""
    pending = request.session.get(key)
    if not pending or not default_storage.exists(pending["path"]):
        return None, None, NOTHING_PENDING
    if request.POST.get("token") != pending.get("token"):
        return None, None, REPLACED
    request.session.pop(key, None)
    with default_storage.open(pending["path"], "rb") as handle:
        content = handle.read()
    default_storage.delete(pending["path"])
    return pending, content, ""
