"""Excel export of 台账 lists (XlsxWriter), every export logged as a security event."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from anxin.core.models import SecurityEventKind
from anxin.core.security import client_ip

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


#: Excel number formats of the typed kinds; a text or int cell has none.
NUMBER_FORMATS = {
    "money": "#,##0.00",  # fen written as yuan
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}


@dataclass(frozen=True)
class Col:
    header: str
    width: int = 14
    kind: str = "text"  # text | int | money (fen → yuan with 2 decimals) | date | datetime
    num_format: str = ""  # overrides the kind's format (say, seconds on a datetime)


def _local(value):
    """A date or time as the district reads it: aware datetimes in Asia/Shanghai, without tzinfo."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


#: The header is the fourth row (0-based 3): a title line, a note line, a blank line, then it.
HEADER_ROW = 3


def _fen_to_yuan(value: Any) -> int | float:
    """A money cell's number: fen as yuan. Refuses anything but int fen (a yuan string in a money
    column is the bug this guards against: Excel could not add it up)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a money column holds int fen, got {type(value).__name__}: {value!r}")
    yuan, cents = divmod(value, 100)
    return yuan if not cents else value / 100


def workbook_bytes(*, title: str, columns: Sequence[Col], rows: Iterable[Sequence], note: str = "") -> bytes:
    """One sheet: a title line, a note line (filters, who, when), the header, the rows.

    Amounts are numbers in yuan with the yuan format, dates and times are Excel dates with a date
    format, counts are numbers: a sheet that can be summed and sorted. It prints landscape on A4,
    fitted to the page's width, with the header row repeated on every page."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "remove_timezone": True})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DCE6F2", "border": 1, "text_wrap": True})
    formats = {}
    for col in columns:
        code = col.num_format or NUMBER_FORMATS.get(col.kind or "")
        if code and code not in formats:
            formats[code] = book.add_format({"num_format": code})
    cell_formats = [
        formats.get(col.num_format or NUMBER_FORMATS.get(col.kind or "") or "") for col in columns
    ]
    sheet.write(0, 0, title, bold)
    sheet.write(1, 0, note)
    header_row = HEADER_ROW
    for index, col in enumerate(columns):
        sheet.set_column(index, index, col.width)
        sheet.write(header_row, index, col.header, head)
    count = 0
    for r, row in enumerate(rows, start=header_row + 1):
        count += 1
        for c, (col, value) in enumerate(zip(columns, row, strict=True)):
            if value is None or value == "":
                continue
            if col.kind == "money":
                sheet.write_number(r, c, _fen_to_yuan(value), cell_formats[c])
            elif col.kind == "int":
                sheet.write_number(r, c, value)
            elif col.kind == "date":
                value = _local(value)
                day = value.date() if isinstance(value, datetime.datetime) else value
                sheet.write_datetime(r, c, day, cell_formats[c])
            elif col.kind == "datetime":
                sheet.write_datetime(r, c, _local(value), cell_formats[c])
            else:
                sheet.write_string(r, c, str(value))
    sheet.freeze_panes(header_row + 1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(header_row)  # the header on every printed page
    sheet.fit_to_pages(1, 0)  # as wide as one page, as long as it takes
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    if count:
        sheet.autofilter(header_row, 0, header_row + count, len(columns) - 1)
    book.close()
    return buffer.getvalue()


def xlsx_response(
    request: HttpRequest,
    *,
    filename: str,
    title: str,
    columns: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    filters: str = "",
) -> HttpResponse:
    """Build the workbook, log the export (who, what, filters, rows), return it as a download."""
    from anxin.core.services import security_event_record

    user = request.user
    if not user.is_authenticated:  # every export screen asks for a login first
        raise PermissionDenied
    rows = list(rows)
    stamp = timezone.localtime()
    note = f"导出人：{user.display_name}　导出时间：{stamp:%Y-%m-%d %H:%M}　共 {len(rows)} 条" + (
        f"　筛选：{filters}" if filters else ""
    )
    content = workbook_bytes(title=title, columns=columns, rows=rows, note=note)
    security_event_record(
        kind=SecurityEventKind.EXPORT,
        user=request.user,
        ip=client_ip(request),
        summary=f"导出{title} {len(rows)} 条",
        detail={"title": title, "rows": len(rows), "filters": filters, "path": request.get_full_path()},
    )
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}-{stamp:%Y%m%d%H%M}.xlsx"
    )
    return response
