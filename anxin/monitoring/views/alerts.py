"""The alerts ledger (风险预警, §四(二)) with its Excel export, an alert's page with its evidence, and
the actions on it (签收、处置、排除)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from anxin.core import credit_mark, seam
from anxin.core.errors import DomainError
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.intake.models import Signal
from anxin.monitoring import alerts, selectors
from anxin.monitoring.forms import AlertFilter
from anxin.monitoring.models import Observation
from anxin.monitoring.rules import RULES_BY_CODE
from anxin.monitoring.views._common import rule_name, unit_name

ALERTS = Ledger(
    title="风险预警台账",
    page_title="风险预警",
    columns=[
        Column("编号", "pk", 8, "int"),
        Column("生成时间", "opened_at", 17, "datetime"),
        Column("企业", "enterprise.name", 30),
        Column("统一社会信用代码", "enterprise.uscc", 22),
        Column("镇/街道", "town.name", 10),
        Column("条线部门", unit_name, 12),
        Column("等级", "get_level_display", 8),
        Column("规则", rule_name, 28),
        Column("说明", "explanation", 60),
        Column("状态", "get_status_display", 10),
        Column("处置期限", "due_at", 12, "date"),
        Column("处置情况", "outcome", 40),
        credit_mark.BLACKLISTED,
    ],
    screen=[
        Header("编号", "#"),
        Header("等级"),
        Header("企业"),
        Header("规则", "规则与说明"),
        Header("镇/街道", "属地/条线", "d-none d-lg-table-cell"),
        Header("状态"),
        Header("处置期限", css="d-none d-md-table-cell"),
    ],
    filter_form=AlertFilter,
    select=selectors.alert_list,
    permission="monitoring.view_alert",
    export_permission="monitoring.export_alert",
    refusal="您的角色不能导出预警台账。",
    template="monitoring/alert_list.html",
    partial="monitoring/_alert_table.html",
    context=credit_mark.ledger_context(
        "enterprise_id", then=lambda _request, _context: {"rules": RULES_BY_CODE}
    ),
    enrich=credit_mark.mark_rows("enterprise_id"),
)
alert_list = ledger_view(ALERTS)


@login_required
@permission_required("monitoring.view_alert", raise_exception=True)
def alert_detail(request, pk: int):
    alert = selectors.alert_get(user=request.user, pk=pk)
    evidence = alert.evidence.get("evidence", {})
    context = {
        "page_title": f"预警 #{alert.pk}",
        "alert": alert,
        "rule": RULES_BY_CODE.get(alert.rule),
        "actions": alerts.alert_actions(request.user, alert),
        "page_actions": seam.page_actions(request, "monitoring.alert", alert),
        "related": seam.page_related(request, "monitoring.alert", alert),
        "events": alert.events.select_related("actor"),
        "observations": Observation.objects.filter(pk__in=evidence.get("observations", [])).select_related(
            "indicator"
        ),
        "signals": Signal.objects.for_user(request.user)
        .filter(pk__in=evidence.get("signals", []))
        .select_related("channel"),
        "params": alert.evidence.get("params", []),
        "self_reports": list(
            selectors.self_report_evidence(user=request.user, ids=evidence.get("reports", [])).values()
        ),
    }
    return render(request, "monitoring/alert_detail.html", context)


@login_required
@permission_required("monitoring.view_alert", raise_exception=True)
@require_POST
def alert_act(request, pk: int, action: str):
    alert = selectors.alert_get(user=request.user, pk=pk)
    handlers = {
        "acknowledge": (alerts.alert_acknowledge, "已签收。"),
        "handle": (alerts.alert_handle, "已记录处置情况。"),
        "dismiss": (alerts.alert_dismiss, "已排除该预警。"),
    }
    if action not in handlers:
        raise Http404
    service, done = handlers[action]
    try:
        service(actor=request.user, alert=alert, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "您无权执行该操作。")
    else:
        messages.success(request, done)
    return redirect("alert-detail", pk=alert.pk)
