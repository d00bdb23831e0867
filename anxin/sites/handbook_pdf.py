"""The handbook's pages (A4, a page per worker) and the notice board (A3) as PDF, and the board's QR code.

PDFs are made as the rest of the app makes them (``cases.documents.case_summary_pdf``): reportlab in
the font ``core.gongwen.pdf_font()`` finds — an installed 仿宋 TrueType file (embedded), else Adobe's
standard CJK font STSong-Light (every reader with CJK support supplies it). The QR code is segno's
(pure Python): the same matrix is drawn as squares in the PDF and as inline SVG on screen."""

from __future__ import annotations

import io
from html import escape
from typing import Any

import segno

from anxin.core.gongwen import pdf_font
from anxin.core.money import format_yuan
from anxin.sites.handbook import BOARD_NOTICE, Board, Handbook, MonthState

QR_ERROR = "m"  # 15 % of the code may be dirty or torn (a board hangs outdoors)


def qr(link: str) -> segno.QRCode:
    return segno.make(link, error=QR_ERROR, micro=False)


def qr_svg(link: str, *, scale: int = 4) -> str:
    """The QR code of ``link`` as an inline ``<svg>`` element (for the screen preview)."""
    return qr(link).svg_inline(scale=scale, border=2)


def qr_matrix(link: str) -> list[list[bool]]:
    """The QR code's modules, row by row (dark = True), without the quiet zone."""
    return [[bool(v) for v in row] for row in qr(link).matrix]


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
    from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]

    font, path = pdf_font()
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(font, path) if path else UnicodeCIDFont(font))
    return font


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else f"{format_yuan(fen)} 元"


def _day(value: Any) -> str:
    return f"{value:%Y-%m-%d}" if value else "—"


# --- 计酬手册 (A4, a page per worker) ------------------------------------------------------------


def handbooks_pdf(books: list[Handbook], *, title: str) -> bytes:
    """Each handbook on its own A4 page (a project's handbooks: one PDF, a page per worker)."""
    from reportlab.lib import colors  # type: ignore[import-untyped]
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
    from reportlab.lib.units import mm  # type: ignore[import-untyped]
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # type: ignore[import-untyped]

    font = _font()
    head = ParagraphStyle("head", fontName=font, fontSize=18, leading=26, alignment=1, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    cell = ParagraphStyle("cell", parent=body, fontSize=9.5, leading=13)
    small = ParagraphStyle(
        "small", parent=body, fontSize=8.5, leading=12, textColor=colors.HexColor("#555555")
    )
    story: list[Any] = []
    if not books:
        story.append(Paragraph("本项目花名册中尚无劳动者。", body))
    for n, book in enumerate(books):
        if n:
            story.append(PageBreak())
        entry, project = book.entry, book.project
        story.append(Paragraph("农民工劳动计酬手册", head))
        facts = [
            ("姓名", entry.name, "身份证号码", entry.id_number_masked),
            ("工程项目", project.name, "所在镇/街道", project.town.name),
            ("用工单位", entry.employer.name, "班组 / 工种", f"{entry.team or '—'} / {entry.trade or '—'}"),
            (
                "进场日期",
                _day(entry.start_date),
                "退场日期",
                _day(entry.leave_date) if entry.leave_date else "在场",
            ),
        ]
        grid = Table(
            [[Paragraph(escape(str(c)), cell) for c in row] for row in facts],
            colWidths=[24 * mm, 61 * mm, 24 * mm, 61 * mm],
        )
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F4F6FA")),
                    ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#F4F6FA")),
                ]
            )
        )
        story += [grid, Spacer(1, 5 * mm)]
        rows = [["月份", "出勤天数", "应发工资", "实发工资", "发放日期", "说明"]]
        for m in book.months:
            note = m.state_label
            if m.state == MonthState.PAID and m.shortfall:
                note = f"未足额 {format_yuan(m.shortfall)} 元"
            elif m.state == MonthState.PAID:
                note = "足额"
            rows.append(
                [
                    f"{m.month:%Y年%m月}",
                    "—" if m.days is None else f"{m.days.normalize():f}",
                    _yuan(m.due),
                    _yuan(m.paid),
                    _day(m.paid_on),
                    note,
                ]
            )
        rows.append(
            [
                "合计",
                f"{book.days_total.normalize():f}",
                _yuan(book.due_total),
                _yuan(book.paid_total),
                "",
                "",
            ]
        )
        months = Table(
            [[Paragraph(escape(str(c)), cell) for c in row] for row in rows],
            colWidths=[24 * mm, 20 * mm, 30 * mm, 30 * mm, 26 * mm, 40 * mm],
            repeatRows=1,
        )
        months.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F4F6FA")),
                    ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F4F6FA")),
                ]
            )
        )
        story += [months, Spacer(1, 5 * mm)]
        story.append(
            Paragraph(
                "本手册依据施工总承包单位按月报送的工资发放表（各月以最新一版为准）生成，"
                "与花名册按身份证号核对。如与实际不符，请向项目劳资专管员或拨打 12333 反映。",
                small,
            )
        )
        story += [
            Spacer(1, 10 * mm),
            Paragraph("劳动者签字：____________　　劳资专管员签字：____________", body),
        ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title=title, author="安薪", leftMargin=20 * mm, rightMargin=20 * mm,
        topMargin=18 * mm, bottomMargin=18 * mm,
    ).build(story)  # fmt: skip
    return buffer.getvalue()


# --- 维权信息告示牌 (A3) ----------------------------------------------------------------------------


def _qr_drawing(link: str, size: float) -> Any:
    """The QR code as a reportlab drawing ``size`` points wide (with a 2-module quiet zone)."""
    from reportlab.graphics.shapes import Drawing, Rect  # type: ignore[import-untyped]
    from reportlab.lib import colors

    matrix = qr_matrix(link)
    n = len(matrix) + 4
    unit = size / n
    drawing = Drawing(size, size)
    drawing.add(Rect(0, 0, size, size, fillColor=colors.white, strokeColor=None))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                drawing.add(
                    Rect(
                        (x + 2) * unit,
                        size - (y + 3) * unit,
                        unit,
                        unit,
                        fillColor=colors.black,
                        strokeColor=None,
                    )
                )
    return drawing


def board_pdf(board: Board) -> bytes:
    """The project's 维权信息告示牌 on one A3 page (portrait), to print and hang at the site's gate."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A3
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    red = colors.HexColor("#C00000")
    title = ParagraphStyle("title", fontName=font, fontSize=40, leading=52, alignment=1, textColor=red)
    name = ParagraphStyle("name", fontName=font, fontSize=22, leading=30, alignment=1, spaceAfter=8)
    label = ParagraphStyle("label", fontName=font, fontSize=15, leading=22)
    value = ParagraphStyle("value", fontName=font, fontSize=17, leading=24, wordWrap="CJK")
    big = ParagraphStyle("big", fontName=font, fontSize=30, leading=40, textColor=red)
    body = ParagraphStyle("body", fontName=font, fontSize=14, leading=22, wordWrap="CJK")
    project = board.project

    def rows_table(rows: list[tuple[str, str]], widths: tuple[float, float] = (70 * mm, 187 * mm)) -> Any:
        table = Table(
            [[Paragraph(escape(k), label), Paragraph(escape(v or "—"), value)] for k, v in rows],
            colWidths=list(widths),
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.8, colors.grey),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F4F6FA")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return table

    story: list[Any] = [
        Paragraph("维权信息告示牌", title),
        Spacer(1, 3 * mm),
        Paragraph(escape(project.name), name),
    ]
    story.append(
        rows_table(
            [
                ("项目地址", board.address),
                ("建设单位", board.builder),
                ("施工总承包单位", board.contractor),
                ("行业主管部门", project.supervisor.name),
                *[(c.role, f"{c.name}　{c.phone}") for c in board.contacts],
                (
                    "农民工工资专用账户",
                    f"{board.account_bank}　{board.account_masked}" if board.account_bank else "",
                ),
            ]
        )
    )
    story += [Spacer(1, 6 * mm), Paragraph("欠薪举报投诉", label)]
    story.append(Paragraph(escape(f"劳动保障监察举报投诉电话：{board.hotlines[0][1]}"), big))
    for who, phone in board.hotlines[1:]:
        story.append(Paragraph(escape(f"{who}：{phone}"), value))
    story.append(Spacer(1, 6 * mm))
    notice = [Paragraph(escape(f"{i}. {text}"), body) for i, text in enumerate(BOARD_NOTICE, start=1)]
    qr_box = [
        _qr_drawing(board.link, 70 * mm),
        Paragraph("微信或手机浏览器扫码<br/>网上反映欠薪", ParagraphStyle("qrcap", parent=body, alignment=1)),
    ]
    bottom = Table([[notice, qr_box]], colWidths=[180 * mm, 77 * mm])
    bottom.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(bottom)
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            escape(
                "依据：《保障农民工工资支付条例》第三十四条；新北区预防和解决企业欠薪问题实施意见 §三(九)"
            ),
            ParagraphStyle(
                "foot", parent=body, fontSize=11, leading=16, textColor=colors.HexColor("#555555")
            ),
        ),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A3, title=f"维权信息告示牌 {project.name}", author="安薪", leftMargin=20 * mm,
        rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=15 * mm,
    )  # fmt: skip
    # One page whatever the lengths: shrink to fit rather than spill onto a second sheet.
    doc.build([KeepInFrame(doc.width, doc.height, story, mode="shrink")])
    return buffer.getvalue()
