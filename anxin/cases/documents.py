"""The case's documents in 公文 layout (core.gongwen): the order to pay (限期支付工资通知书 /
劳动保障监察责令改正指令书), the referral to the police (涉嫌犯罪案件移送书) with its evidence
list, and a one-page case summary.

A document prints what was decided and recorded — the legal basis the officer entered, the amount,
the deadline, the enterprise, the workers — and nothing fixed in its place: the issuer is the
issuing unit's full name from the district file (``Unit.official_name``), the compensation range
is the policy parameter in force on the day the order was made."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils import timezone

from anxin.cases.models import ActionKind, ActionStatus, Case, CaseDocument, DocumentKind, LegalAction, Plan
from anxin.core.gongwen import Annex, Gongwen, cn_date, document_bytes, pdf_font
from anxin.core.money import format_yuan
from anxin.core.policy import param
from anxin.core.seam import paid_so_far
from anxin.intake.models import Verification
from anxin.org.models import Duty, Unit, UnitKind

# 人社局's duty of referring a suspected crime to the police (the 移送书's issuer).
REFERRAL_DUTY = "criminal-referral-transfer"


def _day(day: datetime.date) -> str:
    return cn_date(day)


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """0–9999 in Chinese numerals as 公文 writes them: 50 → 五十, 100 → 一百, 105 → 一百零五."""
    if n < 10:
        return _DIGITS[n]
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            if zero and out:
                out += "零"
            out += ("" if (value == 10 and n < 20) else _DIGITS[digit]) + unit
            zero = False
        elif out:
            zero = True
    return out


def office_name() -> str:
    """The office's full name (联席办), from the district file."""
    office = Unit.objects.filter(kind=UnitKind.OFFICE).order_by("pk").first()
    return office.official_name if office else "预防和解决企业欠薪问题联席会议办公室"


def enterprise_line(case: Case) -> str:
    """The enterprise as a document names it: name, credit code, legal representative, address."""
    e = case.enterprise
    parts = [f"统一社会信用代码：{e.uscc}"]
    if e.legal_rep:
        parts.append(f"法定代表人：{e.legal_rep}")
    if e.address:
        parts.append(f"住所：{e.address}")
    return f"{e.name}（{'；'.join(parts)}）"


@dataclass(frozen=True)
class WorkerOwed:
    """A worker the case's records name, with the amount recorded and where it comes from."""

    name: str
    workers: int
    amount: int  # fen
    source: str


def workers_owed(case: Case) -> list[WorkerOwed]:
    """The workers the case's records name: each worker's own report on the public portal linked
    to the case (name, how many people it speaks for, the amount reported), not found unfounded.
    The figures are as registered; 人社局 confirms each worker's amount in the repayment (§四(六))."""
    rows = (
        case.signals.filter(channel__is_public=True)
        .exclude(reporter_name="")
        .exclude(verification=Verification.UNFOUNDED)
        .select_related("channel")
        .order_by("received_at", "pk")
    )
    return [
        WorkerOwed(
            name=s.reporter_name,
            workers=s.workers or 1,
            amount=s.amount,
            source=f"{s.channel.name} {timezone.localtime(s.received_at):%Y-%m-%d}",
        )
        for s in rows
    ]


def workers_annex(case: Case) -> Annex | None:
    rows = workers_owed(case)
    if not rows:
        return None
    return Annex(
        title="欠薪劳动者名单（据登记）",
        header=("序号", "姓名", "涉及人数", "反映欠薪金额（元）", "来源"),
        rows=[
            (str(n), w.name, str(w.workers), format_yuan(w.amount), w.source) for n, w in enumerate(rows, 1)
        ],
        widths=(1.6, 3.0, 2.4, 3.8, 4.8),
    )


def notice_title(action: LegalAction) -> str:
    return action.get_document_display() or "限期支付工资通知书"


def order_notice(action: LegalAction) -> bytes:
    """The order to pay as served on the employer — a 限期支付工资通知书 or, when the inspection
    found the violation formally, a 劳动保障监察责令改正指令书: who, how much, by when, on the legal
    basis the officer recorded, what follows if it is ignored (the compensation range in force on
    the day it was made), and the workers the case's records name."""
    if action.kind != ActionKind.ORDER:
        raise ValueError("only an order to pay has a notice")
    case = action.case
    issued = action.issued_on or timezone.localdate(action.requested_at)
    by = _day(action.pay_by)
    workers = action.workers or case.workers
    amount = format_yuan(action.amount)
    basis = action.basis.strip() or "有关法律、法规"
    low = chinese_number(int(param("compensation.min_percent", on=issued)))
    high = chinese_number(int(param("compensation.max_percent", on=issued)))
    annex = workers_annex(case)
    if action.document == "rectification":
        paragraphs = [
            f"经查，你单位存在拖欠 {workers} 名劳动者工资共计 {amount} 元的违法行为。",
            f"根据{basis}的规定，责令你单位于{by}前改正上述违法行为，足额支付劳动者工资，"
            "并将改正情况书面报送我局。",
        ]
    else:
        paragraphs = [
            f"经查，你单位存在拖欠劳动者工资的行为，涉及劳动者 {workers} 人，拖欠工资 {amount} 元。",
            f"根据{basis}的规定，责令你单位于{by}前足额支付上述劳动者工资，并将支付情况书面报送我局。",
        ]
    if action.details.strip():
        paragraphs.append(action.details)
    paragraphs += [
        f"逾期不支付的，将依法责令你单位按应付金额百分之{low}以上百分之{high}以下的标准加付赔偿金；"
        "拒不支付劳动报酬、数额较大的，将依法移送公安机关追究刑事责任。",
        "如不服本文书，可在收到之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。",
    ]
    issuer = action.unit.official_name
    return document_bytes(
        Gongwen(
            issuer=issuer,
            number=action.reference,
            title=notice_title(action),
            recipient=f"{enterprise_line(case)}：",
            paragraphs=paragraphs,
            attachments=[annex.title] if annex else [],
            signature=issuer,
            date=issued,
            footnote=f"案件编号 {case.number}；本文书一式两份，一份送达用人单位，一份存档。",
            annexes=[annex] if annex else [],
        )
    )


def referral_papers(action: LegalAction) -> dict:
    """What a referral carries (国务院令第310号 第八条): the orders to pay it follows, each with its
    proof of service and other papers, and the papers filed with the referral itself. Read by the
    referral's page (for the police and the procuratorate, who do not see the case file) and by
    the 移送书's evidence list."""
    orders = list(
        action.case.actions.filter(kind=ActionKind.ORDER)
        .exclude(status=ActionStatus.CANCELLED)
        .select_related("unit")
        .order_by("requested_at", "pk")
    )
    documents = list(
        CaseDocument.objects.filter(action__in=[action, *orders])
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )
    for order in orders:
        order.papers = [d for d in documents if d.action_id == order.pk]
        order.served = [d for d in order.papers if d.kind == DocumentKind.SERVICE]
    return {
        "orders": orders,
        "own": [d for d in documents if d.action_id == action.pk],
        "workers": workers_owed(action.case),
    }


def referral_evidence(action: LegalAction, papers: dict | None = None) -> list[str]:
    """The 移送书's evidence list: every paper recorded, by name, date and who filed it."""
    papers = papers or referral_papers(action)
    items = []
    for order in papers["orders"]:
        made = order.issued_on or timezone.localdate(order.requested_at)
        items.append(
            f"{notice_title(order)}（{order.reference or '未编号'}，{_day(made)}作出，限{_day(order.pay_by)}前支付，"
            f"{order.get_status_display()}）"
        )
        if not order.served:
            items.append(f"{notice_title(order)}送达回证：未上传")
        for d in order.papers:
            items.append(
                f"{d.title}（{d.get_kind_display()}，{timezone.localtime(d.uploaded_at):%Y-%m-%d} 上传）"
            )
    for d in papers["own"]:
        items.append(
            f"{d.title}（{d.get_kind_display()}，{timezone.localtime(d.uploaded_at):%Y-%m-%d} 上传）"
        )
    if papers["workers"]:
        items.append("欠薪劳动者名单（据登记）")
    if action.conditions.get("lines"):
        items.append("移送条件核查记录（所用参数及依据）")
    return items


# How the 移送书 says what became of an order to pay.
ORDER_OUTCOME = {
    ActionStatus.LAPSED: "该单位逾期仍未支付",
    ActionStatus.DONE: "该单位已支付",
    ActionStatus.OPEN: "支付期限尚未届满",
    ActionStatus.ACCEPTED: "支付期限尚未届满",
}


def referral_issuer(action: LegalAction) -> str:
    duty = Duty.objects.select_related("unit").filter(code=REFERRAL_DUTY).first()
    unit = duty.unit if duty else action.requested_by.unit
    return unit.official_name if unit else office_name()


def referral_letter(action: LegalAction) -> bytes:
    """涉嫌犯罪案件移送书 (国务院令第310号 第八条) from 人社局 to 公安分局, copied to 检察院 for the
    record (§四(七)): the enterprise, the workers and the amount, the order it did not obey, the
    threshold check, the basis the officer recorded, and the evidence list."""
    if action.kind != ActionKind.REFERRAL:
        raise ValueError("only a referral has a referral letter")
    case = action.case
    papers = referral_papers(action)
    issuer = referral_issuer(action)
    made = timezone.localdate(action.requested_at)
    paragraphs = [
        f"{enterprise_line(case)}涉嫌拒不支付劳动报酬一案，经查：该单位拖欠 {action.workers} 名劳动者"
        f"劳动报酬共计 {format_yuan(action.amount)} 元。"
    ]
    for order in papers["orders"]:
        ordered = order.issued_on or timezone.localdate(order.requested_at)
        paragraphs.append(
            f"{_day(ordered)}，{order.unit.official_name}作出{notice_title(order)}"
            f"（{order.reference or '未编号'}），责令该单位于{_day(order.pay_by)}前支付拖欠的工资 "
            f"{format_yuan(order.amount)} 元；{ORDER_OUTCOME.get(order.status, order.get_status_display())}。"
        )
    lines = action.conditions.get("lines") or []
    if lines:
        paragraphs.append("移送条件核查：" + "；".join(lines) + "。")
    if action.details.strip():
        paragraphs.append(action.details)
    paragraphs.append(
        f"根据{action.basis.strip() or '有关法律、法规'}的规定，现将该案移送你局，请依法审查。"
        "审查结果请书面告知我局。"
    )
    annex = workers_annex(case)
    evidence = referral_evidence(action, papers)
    copy = f"抄送：{action.copy_unit.official_name}（备案）。" if action.copy_unit_id else ""
    return document_bytes(
        Gongwen(
            issuer=issuer,
            number=action.reference,
            title="涉嫌犯罪案件移送书",
            recipient=f"{action.unit.official_name}：",
            paragraphs=paragraphs,
            attachments=["移送证据材料清单", *([annex.title] if annex else [])],
            signature=issuer,
            date=made,
            footnote=f"案件编号 {case.number}。{copy}",
            annexes=[
                Annex(
                    title="移送证据材料清单",
                    header=("序号", "材料"),
                    rows=[(str(n), item) for n, item in enumerate(evidence, 1)] or [("—", "无")],
                    widths=(1.6, 14.0),
                ),
                *([annex] if annex else []),
            ],
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
    office = office_name()
    return document_bytes(
        Gongwen(
            issuer=office,
            title=f"欠薪案件情况摘要（{case.number}）",
            paragraphs=[case.summary],
            table=summary_rows(case),
            signature=office,
            date=timezone.localdate(),
        )
    )


def case_summary_pdf(case: Case) -> bytes:
    """The same page as PDF, for reading and printing as is, in the font ``pdf_font()`` finds
    installed: a 仿宋 TrueType file (embedded), else Adobe's standard CJK font STSong-Light (not
    embedded: every PDF reader with CJK support supplies it)."""
    # reportlab is loaded only when a PDF is asked for (it is large, and most requests never need it).
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font, path = pdf_font()
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(font, path) if path else UnicodeCIDFont(font))
    office = office_name()
    red = colors.HexColor("#C00000")
    header = ParagraphStyle("header", fontName=font, fontSize=18, leading=24, alignment=1, textColor=red)
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=22, alignment=1, spaceAfter=6)
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    cell = ParagraphStyle("cell", parent=body, fontSize=9.5, leading=14)
    story = [
        Paragraph(escape(office), header),
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
            escape(f"{office}　{_day(timezone.localdate())}"),
            ParagraphStyle("sig", parent=body, alignment=2),
        )
    )
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, title=f"案件摘要 {case.number}", author="安薪", leftMargin=20 * mm, rightMargin=20 * mm,
        topMargin=20 * mm, bottomMargin=20 * mm,
    ).build(story)  # fmt: skip
    return buffer.getvalue()
