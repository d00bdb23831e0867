"""The case's documents in 公文 layout: the order to pay (限期支付通知书 / 劳动保障监察责令改正指令书)
and a one-page case summary."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone

from anxin.cases.models import ActionKind, Case, LegalAction, Plan
from anxin.core.gongwen import Gongwen, document_bytes
from anxin.core.money import format_yuan
from anxin.core.seam import paid_so_far

HRSS = "新北区人力资源和社会保障局"
OFFICE = "新北区预防和解决企业欠薪问题联席会议办公室"


def notice_title(action: LegalAction) -> str:
    return action.get_document_display() or "限期支付工资通知书"


def order_notice(action: LegalAction) -> bytes:
    """The order to pay as served on the employer — as a 限期支付工资通知书 or, when the inspection
    found the violation formally, a 劳动保障监察责令改正指令书: who, how much, by when, on which
    law, and what follows if it is ignored."""
    if action.kind != ActionKind.ORDER:
        raise ValueError("only an order to pay has a notice")
    case = action.case
    enterprise = case.enterprise
    issued = action.issued_on or timezone.localdate(action.requested_at)
    by = f"{action.pay_by.year}年{action.pay_by.month}月{action.pay_by.day}日"
    workers = action.workers or case.workers
    if action.document == "rectification":
        paragraphs = [
            f"经查，你单位存在拖欠 {workers} 名劳动者工资共计 {format_yuan(action.amount)} 元的行为，"
            "违反了《江苏省工资支付条例》和《保障农民工工资支付条例》的规定。",
            f"根据《劳动保障监察条例》第十八条、第二十六条的规定，责令你单位于 {by}前改正上述违法行为，"
            "足额支付劳动者工资，并将改正情况书面报送我局。",
            "逾期不改正的，我局将依法责令你单位按应付金额百分之五十以上百分之一百以下的标准加付赔偿金，"
            "并依法予以行政处罚；涉嫌拒不支付劳动报酬罪的，依法移送公安机关。",
        ]
    else:
        paragraphs = [
            f"经查，你单位存在拖欠劳动者工资的行为，涉及劳动者 {workers} 人，拖欠工资 {format_yuan(action.amount)} 元。",
            "根据《保障农民工工资支付条例》第五十五条、《劳动保障监察条例》第二十六条和《江苏省工资支付条例》的规定，"
            f"责令你单位于 {by}前足额支付上述劳动者工资，并将支付情况书面报送我局。",
            "逾期不支付的，将依法责令你单位按应付金额百分之五十以上百分之一百以下的标准加付赔偿金；"
            "拒不支付劳动报酬、数额较大的，将依法移送公安机关追究刑事责任。",
        ]
    paragraphs.append(
        "如不服本文书，可在收到之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
    )
    return document_bytes(
        Gongwen(
            issuer=HRSS,
            number=action.reference,
            title=notice_title(action),
            recipient=f"{enterprise.name}（统一社会信用代码：{enterprise.uscc}）：",
            paragraphs=paragraphs,
            signature=HRSS,
            date=issued,
            footnote=f"案件编号 {case.number}；本文书一式两份，一份送达用人单位，一份存档。",
        )
    )


def summary_rows(case: Case) -> list[tuple[str, str]]:
    """The case at a glance, as label–value rows (the Word and the PDF summary share them)."""
    actions = list(case.actions.select_related("unit"))
    plan = Plan.objects.filter(case=case).first()
    rows = [
        ("案件编号", case.number),
        ("企业", f"{case.enterprise.name}（{case.enterprise.uscc}）"),
        ("工程项目", case.project.name if case.project_id else "—"),
        ("属地 / 牵头单位", f"{case.town.name} / {case.lead_unit.name}"),
        ("协办单位", "、".join(u.name for u in case.co_units.all()) or "—"),
        ("风险等级 / 标记", " ".join([str(case.get_level_display()), *case.flags])),
        ("涉及人数 / 登记金额", f"{case.workers} 人 / {format_yuan(case.amount_claimed)} 元（待逐人核定）"),
        ("当前阶段", str(case.get_stage_display())),
        (
            "阶段期限",
            f"{timezone.localtime(case.stage_due_at):%Y-%m-%d}（{case.stage_due_basis}）"
            if case.stage_due_at
            else "—",
        ),
        ("办结期限", f"{timezone.localtime(case.deadline_at):%Y-%m-%d}（{case.deadline_basis}）"),
        ("处置方案", f"{plan.get_status_display()}：{plan.measures}" if plan else "未编制"),
        (
            "法律措施",
            "；".join(
                f"{a.get_kind_display()}（{a.unit.short_name or a.unit.name}，{a.get_status_display()}）"
                for a in actions
            )
            or "—",
        ),
    ]
    if not case.is_open:
        rows.append(
            (
                "结案",
                f"{case.get_outcome_display()}，已支付 {format_yuan(paid_so_far([case.pk])[case.pk])} 元",
            )
        )
    return rows


def case_summary(case: Case) -> bytes:
    """One page in Word: the case at a glance for a meeting or a leader (editable)."""
    return document_bytes(
        Gongwen(
            issuer=OFFICE,
            title=f"欠薪案件情况摘要（{case.number}）",
            paragraphs=[case.summary],
            table=summary_rows(case),
            signature="新北区联席办",
            date=timezone.localdate(),
        )
    )


def case_summary_pdf(case: Case) -> bytes:
    """The same page as PDF, for reading and printing as is. Text in Adobe's standard CJK font
    STSong-Light (not embedded: every PDF reader with CJK support supplies it), so the file stays
    small and needs no font on the server."""
    # reportlab is loaded only when a PDF is asked for (it is large, and most requests never need it).
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    red = colors.HexColor("#C00000")
    header = ParagraphStyle("header", fontName=font, fontSize=18, leading=24, alignment=1, textColor=red)
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=22, alignment=1, spaceAfter=6)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    cell = ParagraphStyle("cell", parent=body, fontSize=9.5, leading=14)
    story = [
        Paragraph(escape(OFFICE), header),
        HRFlowable(width="100%", thickness=1.5, color=red, spaceBefore=2, spaceAfter=8),
        Paragraph(escape(f"欠薪案件情况摘要（{case.number}）"), title),
        Paragraph(escape(case.summary).replace("\n", "<br/>"), body),
        Spacer(1, 4 * mm),
    ]
    table = Table(
        [[Paragraph(escape(k), cell), Paragraph(escape(v), cell)] for k, v in summary_rows(case)],
        colWidths=[34 * mm, 136 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F4F6FA")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm)]
    story.append(
        Paragraph(
            escape(f"新北区联席办　{timezone.localdate():%Y年%m月%d日}"),
            ParagraphStyle("sig", parent=body, alignment=2),
        )
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title=f"案件摘要 {case.number}", author="安薪", leftMargin=20 * mm, rightMargin=20 * mm,
        topMargin=20 * mm, bottomMargin=20 * mm,
    ).build(story)  # fmt: skip
    return buffer.getvalue()
