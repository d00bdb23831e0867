"""The SMS sender interface and its default backend.

``settings.SMS_BACKEND`` names the class (dotted path). The default, ``LogFileBackend``,
appends one JSON line per message to ``settings.SMS_LOG_FILE`` (number masked): nothing leaves
the machine.
To use a real gateway, write a subclass of ``SmsBackend`` whose ``send(phone, text)`` calls it
and raises ``SmsError`` on failure, and point ``SMS_BACKEND`` at it (docs/operations.md).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from anxin.core.validators import mask_phone


class SmsError(Exception):
    """The gateway refused or could not be reached."""


class SmsBackend:
    """Sends one text message to one mainland mobile number."""

    def send(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogFileBackend(SmsBackend):
    """Writes each message to a log file (development, intranet without a gateway, tests)."""

    _lock = threading.Lock()

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path or settings.SMS_LOG_FILE)

    def send(self, phone: str, text: str) -> None:
        # The number is masked: this file is a stand-in for a gateway, not a store of personal data.
        line = json.dumps(
            {"at": timezone.now().isoformat(), "phone": mask_phone(phone), "text": text}, ensure_ascii=False
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        except OSError as exc:
            raise SmsError(str(exc)) from exc


def get_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()
