"""The enterprises at risk (风险企业) by level, with their Excel export, and the office's on-demand
full re-assessment (全面重评)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from anxin.core import credit_mark
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.monitoring import scan, selectors
from anxin.monitoring.filters import RiskFilter
from anxin.monitoring.rules import RULES_BY_CODE


def _reasons(assessment) -> str:
    """The rules that fired, in Chinese, each with its reason."""
    return "；".join(
        f"{RULES_BY_CODE[f['rule']].name if f['rule'] in RULES_BY_CODE else f['rule']}：{f['text']}"
        for f in assessment.findings
        if f["level"] != "none"
    )


def _whole_rows(request, context: dict) -> dict:
    """The page was found on narrow rows (ids in order); its twenty are read whole here: at city
    scale the whole district's list would otherwise sort every assessment's findings."""
    page = context["page"]
    found = selectors.risk_rows(list(page.object_list))
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    return {}


RISK = Ledger(
    title="风险企业台账",
    page_title="风险企业",
    columns=[
        Column("企业", "enterprise.name", 30),
        Column("统一社会信用代码", "enterprise.uscc", 22),
        Column("镇/街道", "enterprise.town.name", 10),
        Column("等级", "get_level_display", 8),
        Column("风险分", "points", 8, "int"),
        Column("触发规则及原因", _reasons, 80),
        Column("评估基准日", "as_of", 12, "date"),
        credit_mark.BLACKLISTED,
    ],
    screen=[
        Header("企业"),
        Header("等级"),
        Header("风险分"),
        Header("镇/街道"),
        Header("触发规则及原因", "主要原因"),
        Header("评估基准日", "评估"),
    ],
    filter_form=RiskFilter,
    # 风险企业: the enterprises at each level in scope — what the cockpit's tiles count.
    select=selectors.risk_enterprise_list,
    permission="monitoring.view_riskassessment",
    export_permission="monitoring.export_alert",
    refusal="您的角色不能导出该台账。",
    template="monitoring/risk_list.html",
    paged=lambda rows: rows.values_list("pk", flat=True),
    context=credit_mark.ledger_context("enterprise_id", then=_whole_rows),  # the 失信 mark, one read
    enrich=credit_mark.mark_rows("enterprise_id"),
)
risk_list = ledger_view(RISK)


@login_required
@permission_required("monitoring.run_scan", raise_exception=True)
@require_POST
def scan_now(request):
    run = scan.scan_district(full=True, reason=f"{request.user.display_name} 手动全面重评")
    messages.success(
        request,
        f"已重评 {run.assessed} 家企业（{run.seconds} 秒）：等级变化 {run.changed}，新预警 {run.opened}。",
    )
    return redirect("alert-list")
