"""The enterprises at risk (风险企业) by level, with their Excel export, and the office's on-demand
full re-assessment (全面重评)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from anxin.core.paging import paginate
from anxin.core.xlsx import Col, xlsx_response
from anxin.monitoring import scan, selectors
from anxin.monitoring.filters import RiskFilter
from anxin.monitoring.rules import RULES_BY_CODE
from anxin.monitoring.views._common import may_export


@login_required
@permission_required("monitoring.view_riskassessment", raise_exception=True)
def risk_list(request):
    """风险企业: the enterprises at each level in scope — what the cockpit's tiles count."""
    form = RiskFilter(request.GET or None)
    rows = selectors.risk_enterprise_list(user=request.user, **form.filters())
    if request.GET.get("export") == "xlsx":
        if (refused := may_export(request, "risk-list")) is not None:
            return refused
        return xlsx_response(
            request,
            filename="风险企业台账",
            title="风险企业台账",
            columns=[
                Col("企业", 30),
                Col("统一社会信用代码", 22),
                Col("镇/街道", 10),
                Col("等级", 8),
                Col("风险分", 8, "int"),
                Col("触发规则及原因", 80),
                Col("评估基准日", 12),
            ],
            rows=(
                [
                    a.enterprise.name,
                    a.enterprise.uscc,
                    a.enterprise.town.name if a.enterprise.town_id else "",
                    a.get_level_display(),
                    a.points,
                    "；".join(
                        f"{RULES_BY_CODE[f['rule']].name if f['rule'] in RULES_BY_CODE else f['rule']}：{f['text']}"
                        for f in a.findings
                        if f["level"] != "none"
                    ),
                    f"{a.as_of:%Y-%m-%d}",
                ]
                for a in rows.iterator(chunk_size=1000)
            ),
        )
    # The page is found on narrow rows (ids in order), then its twenty read whole: at city scale
    # the whole district's list would otherwise sort every assessment's findings.
    context = {"page_title": "风险企业", "form": form, **paginate(request, rows.values_list("pk", flat=True))}
    page = context["page"]
    found = selectors.risk_rows(list(page.object_list))
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    return render(request, "monitoring/risk_list.html", context)


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
