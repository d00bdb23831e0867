"""Helpers every app's tests share: local times, and the rows of an exported workbook."""

from __future__ import annotations

import datetime
import io

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
