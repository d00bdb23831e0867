"""Reading spreadsheets for imports (openpyxl / csv) and writing their templates.

An import checks every row first and writes nothing unless all rows pass; each problem names the
spreadsheet row number and the column header, as a user sees them in Excel.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

import openpyxl
import xlsxwriter
from django.utils.translation import gettext as _

from anxin.core.errors import DomainError
from anxin.core.uploads import check_archive

MAX_ROWS = 10000
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    """A column of an import file: key used by the code, Chinese header users see."""

    key: str
    header: str
    required: bool = False
    help: str = ""
    example: str = ""


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (the header is row 1)
    column: str  # header text, or "" for a whole-row problem
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f"“{self.column}”列" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class ImportResult:
    """What an import did (or, on a dry run, would do)."""

    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = True
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class TableError(DomainError):
    """The file as a whole cannot be read (format, header, size)."""


def _cell_text(value: object, header: str, row: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float) and abs(value) >= 1e15:
        # A code typed into a number cell: Excel keeps 15 significant digits and drops the rest.
        message = _(
            "第 %(row)d 行“%(col)s”列是一个过长的数字，Excel 可能已截断末位，请将该列设为文本格式后重新填写"
        )
        raise TableError(message % {"row": row, "col": header})
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


MAX_COLUMNS = 60
MAX_BLANK_ROWS = 1000


def _rows_from_xlsx(content: bytes) -> Iterator[list]:
    """Rows one at a time; the sheet's declared size is ignored (a tiny file may claim millions).

    The archive is judged first (``uploads.check_archive``: declared sizes and ratios, before any
    part is decompressed); openpyxl's read-only mode then streams the worksheet row by row, and
    only the smaller parts it reads whole (shared strings, styles) are bounded by
    ``IMPORT_MAX_WHOLE_PART_BYTES``.
    """
    try:
        check_archive(content)
    except DomainError as exc:
        raise TableError(exc.message) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
    except Exception:
        raise TableError(_("无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密")) from None
    try:
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            yield list(row)
    except Exception:
        raise TableError(_("Excel 文件内容已损坏或含有无法识别的单元格，请另存为新的 .xlsx 后重试")) from None


def _rows_from_csv(content: bytes) -> Iterator[list]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码"))
    try:
        for row in csv.reader(io.StringIO(text)):
            yield row[:MAX_COLUMNS]
    except csv.Error as exc:
        raise TableError(_("CSV 文件格式错误：%(error)s") % {"error": exc}) from None


def _blank(values: Iterable[object]) -> bool:
    return not any(v is not None and str(v).strip() for v in values)


def read_table(content: bytes, filename: str, columns: Sequence[Column]) -> list[tuple[int, dict[str, str]]]:
    """Rows as ``(spreadsheet row number, {column key: text})`` for the columns the file has.

    A column the file leaves out is absent from each record (an import then leaves that field
    as it is); a column that is present but blank in a row gives ``""``. Blank rows are skipped.
    """
    if len(content) > MAX_BYTES:
        raise TableError(_("文件超过 10 MB，请拆分后分批导入"))
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xlsx":
        raw = _rows_from_xlsx(content)
    elif suffix == ".csv":
        raw = _rows_from_csv(content)
    else:
        raise TableError(_("仅支持 .xlsx 或 .csv 文件（当前为“%(name)s”）") % {"name": filename})
    header_row = 0
    headers: list[str] | None = None
    for header_row, values in enumerate(raw, start=1):
        if not _blank(values):
            headers = [str(v).strip().lstrip("*") if v is not None else "" for v in values]
            break
        if header_row > MAX_BLANK_ROWS:
            break
    if headers is None:
        raise TableError(_("文件是空的"))
    by_header = {c.header: c for c in columns}
    unknown = [h for h in headers if h and h not in by_header]
    if unknown:
        raise TableError(
            _("第 %(row)d 行有未识别的列：%(cols)s（请使用下载的模板）")
            % {"row": header_row, "cols": "、".join(unknown)}
        )
    missing = [c.header for c in columns if c.required and c.header not in headers]
    if missing:
        raise TableError(_("缺少必填列：%(cols)s") % {"cols": "、".join(missing)})
    duplicated = {h for h in headers if h and headers.count(h) > 1}
    if duplicated:
        raise TableError(_("列名重复：%(cols)s") % {"cols": "、".join(sorted(duplicated))})
    rows: list[tuple[int, dict[str, str]]] = []
    blank_run = 0
    for offset, values in enumerate(raw, start=header_row + 1):
        if _blank(values):
            blank_run += 1
            if blank_run > MAX_BLANK_ROWS:
                break  # the rest of the sheet is empty formatting, not data
            continue
        blank_run = 0
        record: dict[str, str] = {by_header[h].key: "" for h in headers if h}
        for header, value in zip(headers, values, strict=False):
            if header:
                record[by_header[header].key] = _cell_text(value, header, offset)
        rows.append((offset, record))
        if len(rows) > MAX_ROWS:
            raise TableError(_("单次导入不超过 %(n)d 行，请拆分后分批导入") % {"n": MAX_ROWS})
    if not rows:
        raise TableError(_("文件中没有数据行"))
    return rows


def template_bytes(*, title: str, columns: Sequence[Column], notes: Sequence[str] = ()) -> bytes:
    """An import template: the header row (required headers in red) and a 填写说明 sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(title[:31])
    text = book.add_format({"num_format": "@"})
    head = book.add_format({"bold": True, "bg_color": "#DCE6F2", "border": 1})
    head_required = book.add_format(
        {"bold": True, "bg_color": "#DCE6F2", "border": 1, "font_color": "#C00000"}
    )
    for index, col in enumerate(columns):
        sheet.set_column(index, index, max(12, len(col.header) * 2 + 4), text)
        sheet.write_string(0, index, col.header, head_required if col.required else head)
        if col.example:
            sheet.write_string(1, index, col.example, text)
    sheet.freeze_panes(1, 0)
    guide = book.add_worksheet("填写说明")
    guide.set_column(0, 0, 22)
    guide.set_column(1, 1, 8)
    guide.set_column(2, 2, 70)
    guide.set_column(3, 3, 30)
    guide.write_row(0, 0, ["列名", "必填", "说明", "示例"], head)
    for index, col in enumerate(columns, start=1):
        guide.write_row(index, 0, [col.header, "是" if col.required else "", col.help, col.example])
    row = len(columns) + 2
    for note in (
        "第一行为列名，请勿修改；示例行（第2行）导入前请删除或替换。",
        "所有行校验通过才会写入；有任何错误时不写入任何数据，并按行号和列名列出错误。",
        *notes,
    ):
        guide.write(row, 0, note)
        row += 1
    book.close()
    return buffer.getvalue()
