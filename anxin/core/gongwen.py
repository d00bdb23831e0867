"""Word documents in 公文 layout (GB/T 9704—2012): A4, the issuing body's full name in red at the
top, a red rule under it, the title centred in 2号 小标宋, the body in 3号 仿宋 with a
two-character indent and fixed 28 pt lines, the 附件说明 after the body, the issuer and date at the
end, annexes (a worker list, an evidence list) on their own page.

Fonts are named as GB/T 9704 names them — 方正小标宋简体 for the header and title, 仿宋_GB2312 for
the rest — in each run's east-asian font attribute (``w:eastAsia``), the one Word and WPS read for
Chinese. A desk without them gets Noto CJK: the document's font table gives each GB/T font its
alternate name (``w:altName``) and its family, which word processors use to substitute. A PDF can
only use the fonts the server has: ``pdf_font()`` finds an installed 仿宋 TrueType file, else
uses the standard CJK font every reader supplies."""

from __future__ import annotations

import datetime
import functools
import io
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse

TITLE_FONT = "方正小标宋简体"  # GB/T 9704 7.3.1 发文机关标志 and 7.3.3 标题: 小标宋体
BODY_FONT = "仿宋_GB2312"  # GB/T 9704 7.3.4 正文 and the rest: 仿宋体
# When a desk lacks the GB/T fonts: the Noto CJK family the district's Linux machines carry.
FALLBACK = {TITLE_FONT: "Noto Serif CJK SC", BODY_FONT: "Noto Serif CJK SC"}
RED = "C00000"


@dataclass
class Annex:
    """A table on its own page after the signature (附件): a title, a header row, the rows."""

    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    widths: tuple[float, ...] = ()  # column widths in cm (the type area is 15.6 cm wide); empty: even


@dataclass
class Gongwen:
    issuer: str  # the red header, the issuer's full name: "常州市新北区人力资源和社会保障局"
    title: str
    recipient: str = ""  # "区联席办：" / "××有限公司："
    paragraphs: list[str] = field(default_factory=list)
    signature: str = ""  # the issuer's full name again (落款)
    date: datetime.date | None = None
    number: str = ""  # 文号, under the header: "新人社监〔2026〕12号"
    table: list[tuple[str, str]] = field(default_factory=list)  # label, value rows after the body
    attachments: list[str] = field(default_factory=list)  # 附件说明: the names of the annexes/papers
    annexes: list[Annex] = field(default_factory=list)
    footnote: str = ""


def cn_date(day: datetime.date | None, missing: str = "") -> str:
    """A day as a 公文 writes it: 2026年3月5日 (``missing`` when there is none)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else missing


def document_bytes(doc: Gongwen) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = BODY_FONT, Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _font_table(document)

    def run(paragraph, text, *, size, font=BODY_FONT, bold=False, color=None):
        r = paragraph.add_run(text)
        r.font.size, r.font.bold, r.font.name = Pt(size), bold, font
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if color:
            r.font.color.rgb = RGBColor.from_string(color)
        return r

    def paragraph(align=None):
        p = document.add_paragraph()
        if align is not None:
            p.alignment = align
        return p

    def body(text):
        p = paragraph()
        p.paragraph_format.first_line_indent = Pt(32)
        p.paragraph_format.line_spacing = Pt(28)
        run(p, text, size=16)

    run(paragraph(WD_ALIGN_PARAGRAPH.CENTER), doc.issuer, size=22, font=TITLE_FONT, color=RED)
    if doc.number:
        run(paragraph(WD_ALIGN_PARAGRAPH.CENTER), doc.number, size=16)
    rule = paragraph()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", RED)):
        bottom.set(qn(key), value)
    border.append(bottom)
    rule._p.get_or_add_pPr().append(border)
    run(paragraph(WD_ALIGN_PARAGRAPH.CENTER), doc.title, size=22, font=TITLE_FONT)
    if doc.recipient:
        run(paragraph(), doc.recipient, size=16)
    for text in _lines(doc.paragraphs):
        body(text)
    if doc.table:
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in doc.table:
            cells = table.add_row().cells
            run(cells[0].paragraphs[0], label, size=12, bold=True)
            run(cells[1].paragraphs[0], value, size=12)
    for n, name in enumerate(doc.attachments, start=1):  # GB/T 9704 7.3.6 附件说明
        lead = "附件：" if n == 1 else "　　　"
        body(f"{lead}{n}. {name}" if len(doc.attachments) > 1 else f"附件：{name}")
    if doc.signature or doc.date:
        when = cn_date(doc.date)
        run(paragraph(WD_ALIGN_PARAGRAPH.RIGHT), "\n".join(x for x in (doc.signature, when) if x), size=16)
    if doc.footnote:
        run(paragraph(), doc.footnote, size=10, color="555555")
    for annex in doc.annexes:
        paragraph().add_run().add_break(WD_BREAK.PAGE)
        run(paragraph(WD_ALIGN_PARAGRAPH.CENTER), annex.title, size=18, font=TITLE_FONT)
        table = document.add_table(rows=1, cols=len(annex.header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, annex.header, strict=True):
            run(cell.paragraphs[0], text, size=12, bold=True)
        for row in annex.rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                run(cell.paragraphs[0], text, size=12)
        if annex.widths:
            table.autofit = False
            for row in table.rows:
                for cell, width in zip(row.cells, annex.widths, strict=True):
                    cell.width = Cm(width)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _font_table(document: Any) -> None:
    """Name the GB/T fonts in the document's font table, each with its Noto CJK alternate
    (``w:altName``) and its family, so a desk without them substitutes a serif CJK face."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = document.part.part_related_by(RT.FONT_TABLE)
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        '<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
        for name, alt in FALLBACK.items()
    )
    xml = part.blob.decode("utf-8")
    part._blob = xml.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def fonts_used(content: bytes) -> dict[str, set[str]]:
    """What a generated document asks for: ``{"eastAsia": {...}, "altName": {font: alt}}`` — read back
    by the tests and by anyone checking a file against GB/T 9704."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
        table = archive.read("word/fontTable.xml").decode("utf-8")
    return {
        "eastAsia": set(re.findall(r'w:eastAsia="([^"]+)"', document)),
        "altName": set(re.findall(r'<w:font w:name="([^"]+)"><w:altName w:val="([^"]+)"', table)),
    }


@functools.cache
def pdf_font() -> tuple[str, str]:
    """The font a PDF is set in: ``(name, path)`` of an installed 仿宋 TrueType file found by
    fontconfig, else ``("STSong-Light", "")`` — Adobe's standard CJK font, which every PDF reader
    with CJK support supplies (not embedded). Noto CJK's OpenType/CFF files cannot be embedded by
    the PDF library, so they are not used."""
    fc = shutil.which("fc-list")
    if fc:
        try:
            listed = subprocess.run(  # noqa: S603 - a fixed argument list, no user input
                [fc, ":lang=zh", "file", "family"], capture_output=True, text=True, timeout=5, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            listed = ""
        for line in sorted(listed.splitlines()):
            path, _, families = line.partition(": ")
            if path.lower().endswith(".ttf") and any(
                name in families for name in (BODY_FONT, "仿宋", "FangSong")
            ):
                return "GongwenBody", path
    return "STSong-Light", ""


def _lines(paragraphs: Iterable[str]) -> list[str]:
    return [t.strip() for text in paragraphs for t in str(text).splitlines() if t.strip()]


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_response(
    request: HttpRequest, content: bytes, *, filename: str, summary: str, detail: dict
) -> HttpResponse:
    """A Word download, logged as an export (who, what, from where)."""
    from django.utils.http import content_disposition_header

    from anxin.core.models import SecurityEventKind
    from anxin.core.security import client_ip
    from anxin.core.services import security_event_record

    security_event_record(
        kind=SecurityEventKind.EXPORT,
        user=request.user,
        ip=client_ip(request),
        summary=summary,
        detail=detail,
    )
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{filename}.docx"
    )
    return response
