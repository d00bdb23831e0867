"""The receipt list (工资发放签收表) of a case: each worker with a claim, the masked ID number, the amount
confirmed, what has been paid, and an empty column for the worker's signature — as Excel (numbers in
yuan format) and as Word (公文 layout, ``core.gongwen``). Every download is logged as an export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from anxin.cases.documents import enterprise_line, office_name
from anxin.cases.models import Case
from anxin.cases.services import document_issued
from anxin.core.gongwen import Annex, Gongwen, document_bytes, docx_response
from anxin.core.money import format_yuan
from anxin.core.xlsx import Col, xlsx_response
from anxin.money import selectors
from anxin.money.models import Claim

TITLE = "工资发放签收表"


def receipt_claims(case: Case) -> list[Claim]:
    """The case's workers in the order registered."""
    return list(Claim.objects.filter(case=case).order_by("pk"))


RECEIPT_COLUMNS = [
    Col("序号", 6, "int"),
    Col("姓名", 12),
    Col("身份证号", 22),
    Col("确认金额（元）", 16, "money"),
    Col("已支付（元）", 16, "money"),
    Col("尚欠（元）", 16, "money"),
    Col("本人签名", 18),
    Col("签收日期", 14),
]


def receipt_rows(claims: list[Claim]) -> list[list]:
    return [
        [n, c.name, c.id_number_masked, c.confirmed_amount, c.paid, c.outstanding, "", ""]
        for n, c in enumerate(claims, start=1)
    ]


def receipt_document(case: Case, claims: list[Claim]) -> bytes:
    """The Word receipt list: the case and enterprise, the totals, the table with an empty signature
    column on its own page."""
    confirmed = sum(c.confirmed_amount or 0 for c in claims)
    paid = sum(c.paid for c in claims)
    doc = Gongwen(
        issuer=office_name(),
        title=TITLE,
        paragraphs=[
            f"案件编号：{case.number}",
            f"用人单位：{enterprise_line(case)}",
            f"劳动者 {len(claims)} 人，确认欠薪合计 {format_yuan(confirmed)} 元，已支付合计 {format_yuan(paid)} 元。"
            "请劳动者本人核对金额无误后签名并填写签收日期。",
        ],
        date=timezone.localdate(),
        annexes=[
            Annex(
                title=f"{TITLE}（{case.number}）",
                header=("序号", "姓名", "身份证号", "确认金额（元）", "已支付（元）", "本人签名"),
                rows=[
                    (
                        str(n),
                        c.name,
                        c.id_number_masked,
                        format_yuan(c.confirmed_amount) if c.confirmed_amount is not None else "待确认",
                        format_yuan(c.paid),
                        "",
                    )
                    for n, c in enumerate(claims, start=1)
                ],
                widths=(1.2, 2.2, 4.0, 2.8, 2.6, 2.8),
            )
        ],
    )
    return document_bytes(doc)


@login_required
@permission_required("money.export_money", raise_exception=True)
def receipts_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """签收表（Excel），logged as an export."""
    case = selectors.money_case_get(user=request.user, pk=pk)
    claims = receipt_claims(case)
    document_issued(
        actor=request.user,  # type: ignore[arg-type]  # behind login
        case=case,
        title=f"生成{TITLE}（Excel，{len(claims)} 人）",
    )
    return xlsx_response(
        request,
        filename=f"{TITLE}-{case.number}",
        title=f"{TITLE}（{case.number} {case.enterprise.name}）",
        columns=RECEIPT_COLUMNS,
        rows=receipt_rows(claims),
        filters=f"案件={case.number}",
    )


@login_required
@permission_required("money.export_money", raise_exception=True)
def receipts_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """签收表（Word，公文版式），logged as an export."""
    case = selectors.money_case_get(user=request.user, pk=pk)
    claims = receipt_claims(case)
    document_issued(
        actor=request.user,  # type: ignore[arg-type]  # behind login
        case=case,
        title=f"生成{TITLE}（Word，{len(claims)} 人）",
    )
    return docx_response(
        request,
        receipt_document(case, claims),
        filename=f"{TITLE}-{case.number}",
        summary=f"导出{TITLE}：{case.number}（{len(claims)} 人）",
        detail={"case": case.pk, "workers": len(claims)},
    )
