"""Storing an uploaded file with its record (``core.models.StoredFile``: a signal's attachment, a
case's paper) — one way for every app.

The file is judged by its content, not its name (``core.uploads.sniff``: type, size, a readable
image), named by an unguessable token, written under the subclass's own ``upload_to``, and its
row saved. A file lives outside the database, so a rollback would leave it behind: inside
``atomic_with_files()`` a file stored by a block that fails is deleted again, whether the failure
comes right after the file was written or later in the same (or an enclosing) block.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, TypeVar

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction

from anxin.core.models import StoredFile
from anxin.core.uploads import DOCUMENTS, sniff

if TYPE_CHECKING:  # the user model (settings.AUTH_USER_MODEL), for the type checker only
    from anxin.org.models import User

Record = TypeVar("Record", bound=StoredFile)


class _Written(threading.local):
    """Per thread: for each open ``atomic_with_files()`` block, the files stored inside it."""

    def __init__(self):
        self.stack: list[list[tuple[Storage, str]]] = []


_WRITTEN = _Written()


@contextlib.contextmanager
def atomic_with_files() -> Iterator[None]:
    """``transaction.atomic()`` that also deletes the files stored inside it when it fails (their
    rows roll back with it). Blocks nest: what an inner block stored is deleted if an enclosing
    block fails later."""
    _WRITTEN.stack.append([])
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for storage, name in _WRITTEN.stack[-1]:
            storage.delete(name)
        _WRITTEN.stack[-1].clear()
        raise
    finally:
        done = _WRITTEN.stack.pop()
        if _WRITTEN.stack:
            _WRITTEN.stack[-1].extend(done)


def file_store(
    *,
    record: Record,
    actor: User,
    name: str,
    content: bytes,
    field: str,
    allowed: tuple[str, ...] = DOCUMENTS,
) -> Record:
    """Check ``content`` by what it really is (a refusal is a ``DomainError`` naming ``field``),
    fill in ``record``'s file facts (token, extension, type, size, uploader), write the file
    under the record's ``file`` field and save the row. Returns the saved record.

    ``record`` comes with its own fields set (the signal, the case, a title…). If the row cannot
    be saved the file is deleted at once; inside ``atomic_with_files()`` it is also deleted if
    the block fails later.
    """
    content_type, extension = sniff(content, allowed=allowed, field=field, name=name)
    record.token = uuid.uuid4().hex
    record.extension = extension
    record.content_type = content_type
    record.size = len(content)
    record.uploaded_by = actor
    stored = record.file  # type: ignore[attr-defined]  # each StoredFile subclass adds its own ``file``
    stored.save(f"upload{extension}", ContentFile(content), save=False)
    try:
        record.save()
    except BaseException:
        stored.delete(save=False)
        raise
    if _WRITTEN.stack:
        _WRITTEN.stack[-1].append((stored.storage, stored.name))
    return record
