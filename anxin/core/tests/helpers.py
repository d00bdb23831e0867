"""Helpers every app's tests share: local times, and the rows of an exported workbook."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone


def at(text: str) -> datetime.datetime:
    """An ISO date-time read in the district's time zone (Asia/Shanghai): ``at("2026-11-25T10:00")``."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=timezone.get_current_timezone())


def sheet_rows(response: HttpResponse | bytes) -> list[tuple]:
    """Every row of the first sheet of an .xlsx download (or its bytes), as tuples of cell values."""
    from openpyxl import load_workbook

    content = response if isinstance(response, bytes) else response.content
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def at_once(clients: list, send: Callable[[Any], Any]) -> list:
    """Send one request per client from its own thread, all released together (PostgreSQL race
    tests): the answers (or the exception each raised), in the clients' order."""
    import threading

    from django.db import connection

    answers: list = [None] * len(clients)
    start = threading.Barrier(len(clients), timeout=10)

    def run(index: int) -> None:
        try:
            start.wait()
            answers[index] = send(clients[index])
        except Exception as exc:  # the test inspects whatever came out
            answers[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return answers
