"""The monthly observations: the ledger (监测数据台账, §四(二)) with its Excel export, and their
import from a spreadsheet (check, confirm, template)."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anxin.core import importflow
from anxin.core.errors import DomainError
from anxin.core.paging import paginate
from anxin.core.security import client_ip
from anxin.core.tabular import TableError
from anxin.core.xlsx import XLSX_TYPE, Col, xlsx_response
from anxin.monitoring import selectors, services
from anxin.monitoring.forms import ObservationFilter, ObservationImportForm
from anxin.monitoring.importing import observation_import, observation_template
from anxin.monitoring.models import Indicator


@login_required
@permission_required("monitoring.view_observation", raise_exception=True)
def observation_list(request):
    """监测数据台账: every monthly value in the user's scope, with who reported it and when."""
    form = ObservationFilter(request.GET or None)
    rows = selectors.observation_list(user=request.user, **form.filters())
    if request.GET.get("export") == "xlsx":
        if not request.user.has_perm("monitoring.export_alert"):
            messages.error(request, "您的角色不能导出监测数据台账。")
            return redirect("observation-list")
        return xlsx_response(
            request,
            filename="监测数据台账",
            title="监测数据台账（§四(二)）",
            columns=[
                Col("月份", 9),
                Col("企业", 30),
                Col("统一社会信用代码", 22),
                Col("镇/街道", 10),
                Col("指标", 18),
                Col("数值", 14),
                Col("报送渠道", 14),
                Col("报送人", 14),
                Col("报送时间", 17),
            ],
            rows=(
                [
                    f"{o.month:%Y-%m}",
                    o.enterprise.name,
                    o.enterprise.uscc,
                    o.enterprise.town.name,
                    o.indicator.name,
                    o.value_display,
                    o.indicator.channel.name,
                    o.recorded_by.display_name,
                    f"{timezone.localtime(o.recorded_at):%Y-%m-%d %H:%M}",
                ]
                for o in rows.iterator(chunk_size=2000)
            ),
            filters=form.describe(),
        )
    context = {
        "page_title": "监测数据台账",
        "form": form,
        "may_import": request.user.has_perm("monitoring.import_observation")
        and services.reports_any(request.user),
        **paginate(request, rows),
    }
    if request.htmx:
        return render(request, "monitoring/_observation_table.html", context)
    return render(request, "monitoring/observation_list.html", context)


IMPORT_SESSION_KEY = "monitoring_import_pending"


@login_required
@permission_required("monitoring.import_observation", raise_exception=True)
def observation_import_view(request):
    form = ObservationImportForm(request.POST or None, request.FILES or None)
    result = pending = None
    if request.method == "POST" and form.is_valid():
        indicator = form.cleaned_data["indicator"]
        run = partial(observation_import, actor=request.user, indicator=indicator)
        result, pending, error = importflow.stage(
            request,
            key=IMPORT_SESSION_KEY,
            upload=form.cleaned_data["file"],
            run=run,
            extra={"indicator": indicator.pk},
        )
        if error:
            form.add_error("file", error)
    return render(
        request,
        "monitoring/observation_import.html",
        {"page_title": "导入监测数据", "form": form, "result": result, "pending": pending},
    )


@login_required
@permission_required("monitoring.import_observation", raise_exception=True)
@require_POST
def observation_import_confirm(request):
    pending, content, error = importflow.take(request, key=IMPORT_SESSION_KEY)
    if error:
        messages.error(request, error)
        return redirect("observation-import")
    try:
        result = observation_import(
            actor=request.user,
            content=content,
            filename=pending["filename"],
            dry_run=False,
            indicator=Indicator.objects.filter(pk=pending["indicator"]).first(),
            ip=client_ip(request),
        )
    except (TableError, DomainError) as exc:
        messages.error(request, exc.message)
        return redirect("observation-import")
    if not result.ok:
        messages.error(request, "导入未执行：" + "；".join(str(e) for e in result.errors[:5]))
        return redirect("observation-import")
    messages.success(
        request,
        f"导入完成：新增 {result.created} 条，更新 {result.updated} 条，无变化 {result.unchanged} 条；相关企业已重新评估。",
    )
    return redirect("observation-import")


@login_required
@permission_required("monitoring.import_observation", raise_exception=True)
def observation_import_template(request):
    response = HttpResponse(observation_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="监测数据导入模板.xlsx"
    )
    return response
