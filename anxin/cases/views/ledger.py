"""The case ledger (案件台账): its columns once for the screen and the Excel export, with paid so far read
through the seam."""

from __future__ import annotations

from anxin.cases import selectors
from anxin.cases.forms import CaseFilter
from anxin.core import credit_mark, seam
from anxin.core.ledger import Column, Header, Ledger, ledger_view


def _paid_so_far(cases: list) -> None:
    """Each exported case's fen paid so far (``seam.paid_so_far``: one query for the chunk)."""
    paid = seam.paid_so_far([c.pk for c in cases])
    for case in cases:
        case.paid = paid[case.pk]


CASES = Ledger(
    title="欠薪案件台账",
    page_title="案件台账",
    columns=[
        Column("案件编号", "number", 12),
        Column("立案时间", "opened_at", 17, "datetime"),
        Column("企业", "enterprise.name", 30),
        Column("统一社会信用代码", "enterprise.uscc", 22),
        Column("镇/街道", "town.name", 10),
        Column("牵头单位", "lead_unit.name", 16),
        Column("风险等级", "get_level_display", 8),
        Column("标记", lambda c: "、".join(c.flags), 24),
        Column("涉及人数", "workers", 8, "int"),
        Column("登记欠薪金额（元）", "amount_claimed", 16, "money"),
        Column("阶段", "get_stage_display", 10),
        Column("阶段期限", "stage_due_at", 12, "date"),
        Column("结案方式", "get_outcome_display", 14),
        Column("已支付（元）", "paid", 14, "money"),
        credit_mark.BLACKLISTED,
    ],
    screen=[
        Header("案件编号", "编号"),
        Header("企业"),
        Header("阶段"),
        Header("牵头单位", css="d-none d-lg-table-cell"),
        Header("涉及人数", "人数/金额", "d-none d-md-table-cell"),
        Header("阶段期限"),
    ],
    filter_form=CaseFilter,
    select=selectors.case_list,
    permission="cases.view_case",
    export_permission="cases.export_case",
    refusal="您的角色不能导出案件台账。",
    template="cases/case_list.html",
    partial="cases/_case_table.html",
    enrich=credit_mark.mark_rows("enterprise_id", then=_paid_so_far),
    context=credit_mark.ledger_context("enterprise_id"),  # the 失信 mark, one read for the page
)
case_list = ledger_view(CASES)
