"""The alerts ledger (风险预警, §四(二)) with its Excel export, an alert's page with its evidence, and
the actions on it (签收、处置、排除)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.core.paging import paginate
from anxin.core.xlsx import Col, xlsx_response
from anxin.intake.models import Signal
from anxin.monitoring import alerts, selectors
from anxin.monitoring.forms import AlertFilter
from anxin.monitoring.models import Observation
from anxin.monitoring.rules import RULES_BY_CODE


@login_required
@permission_required("monitoring.view_alert", raise_exception=True)
def alert_list(request):
    form = AlertFilter(request.GET or None)
    rows = selectors.alert_list(user=request.user, **form.filters())
    if request.GET.get("export") == "xlsx":
        if not request.user.has_perm("monitoring.export_alert"):
            messages.error(request, "您的角色不能导出预警台账。")
            return redirect("alert-list")
        return xlsx_response(
            request,
            filename="风险预警台账",
            title="风险预警台账",
            columns=[
                Col("编号", 8, "int"),
                Col("生成时间", 17),
                Col("企业", 30),
                Col("统一社会信用代码", 22),
                Col("镇/街道", 10),
                Col("条线部门", 12),
                Col("等级", 8),
                Col("规则", 28),
                Col("说明", 60),
                Col("状态", 10),
                Col("处置期限", 12),
                Col("处置情况", 40),
            ],
            rows=(
                [
                    a.pk,
                    f"{timezone.localtime(a.opened_at):%Y-%m-%d %H:%M}",
                    a.enterprise.name,
                    a.enterprise.uscc,
                    a.town.name if a.town_id else "",
                    (a.unit.short_name or a.unit.name) if a.unit_id else "",
                    a.get_level_display(),
                    RULES_BY_CODE[a.rule].name if a.rule in RULES_BY_CODE else a.rule,
                    a.explanation,
                    a.get_status_display(),
                    f"{timezone.localtime(a.due_at):%Y-%m-%d}",
                    a.outcome,
                ]
                for a in rows.iterator(chunk_size=1000)
            ),
            filters=form.describe(),
        )
    context = {"page_title": "风险预警", "form": form, "rules": RULES_BY_CODE, **paginate(request, rows)}
    if request.htmx:
        return render(request, "monitoring/_alert_table.html", context)
    return render(request, "monitoring/alert_list.html", context)


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
