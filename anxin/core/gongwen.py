"""Word documents in 公文 layout (GB/T 9704 in spirit): A4, the issuing body's name in red at the
top, a red rule under it, the title centred, the body in 16 pt with a two-character indent and
fixed 28 pt lines, the issuer and date at the end. Fonts are the Noto CJK families the machines
have (serif for the body, sans for the header and title); a desk with 仿宋/小标宋 installed may
substitute them when printing."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse

BODY_FONT = "Noto Serif CJK SC"
TITLE_FONT = "Noto Sans CJK SC"
RED = "C00000"


@dataclass
class Gongwen:
    issuer: str  # the red header: "新北区预防和解决企业欠薪问题联席会议办公室"
    title: str
    recipient: str = ""  # "区联席办：" / "××有限公司："
    paragraphs: list[str] = field(default_factory=list)
    signature: str = ""  # "新北区联席办"
    date: datetime.date | None = None
    number: str = ""  # 文号, under the header: "新人社监〔2026〕12号"
    table: list[tuple[str, str]] = field(default_factory=list)  # label, value rows after the body
    footnote: str = ""


def document_bytes(doc: Gongwen) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

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

    run(paragraph(WD_ALIGN_PARAGRAPH.CENTER), doc.issuer, size=22, font=TITLE_FONT, bold=True, color=RED)
    if doc.number:
        run(paragraph(WD_ALIGN_PARAGRAPH.CENTER), doc.number, size=16)
    rule = paragraph()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", RED)):
        bottom.set(qn(key), value)
    border.append(bottom)
    rule._p.get_or_add_pPr().append(border)
    run(paragraph(WD_ALIGN_PARAGRAPH.CENTER), doc.title, size=22, font=TITLE_FONT, bold=True)
    if doc.recipient:
        run(paragraph(), doc.recipient, size=16)
    for text in _lines(doc.paragraphs):
        p = paragraph()
        p.paragraph_format.first_line_indent = Pt(32)
        p.paragraph_format.line_spacing = Pt(28)
        run(p, text, size=16)
    if doc.table:
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in doc.table:
            cells = table.add_row().cells
            run(cells[0].paragraphs[0], label, size=12, bold=True)
            run(cells[1].paragraphs[0], value, size=12)
    if doc.signature or doc.date:
        when = f"{doc.date.year}年{doc.date.month}月{doc.date.day}日" if doc.date else ""
        run(paragraph(WD_ALIGN_PARAGRAPH.RIGHT), "\n".join(x for x in (doc.signature, when) if x), size=16)
    if doc.footnote:
        run(paragraph(), doc.footnote, size=10, color="555555")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


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
