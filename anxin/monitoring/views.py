"""Monitoring screens: the alerts ledger and an alert's page with its actions, the import of
monthly observations, and an on-demand re-assessment for the office."""

from __future__ import annotations

import datetime
import re
from functools import partial

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anxin.core import importflow
from anxin.core.access import get_scoped_or_404
from anxin.core.errors import DomainError
from anxin.core.gongwen import docx_response
from anxin.core.money import format_yuan
from anxin.core.paging import paginate
from anxin.core.security import client_ip
from anxin.core.tabular import TableError
from anxin.core.xlsx import XLSX_TYPE, Col, xlsx_response
from anxin.intake.models import Signal
from anxin.monitoring import alerts, immediate, scan, screening, selectors, sensitive, services, watch
from anxin.monitoring.filters import ReportFilter, RiskFilter, WatchFilter
from anxin.monitoring.forms import AlertFilter, ObservationFilter, ObservationImportForm
from anxin.monitoring.importing import observation_import, observation_template
from anxin.monitoring.models import (
    DailyReport,
    ImmediateReport,
    Indicator,
    Level,
    Observation,
    ReportStatus,
    ScreeningCampaign,
    ScreeningTask,
    SensitivePeriod,
    WatchEntry,
    WatchStatus,
)
from anxin.monitoring.periods import active_period
from anxin.monitoring.rules import RULES_BY_CODE
from anxin.org.models import Unit


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


@login_required
@permission_required("monitoring.view_riskassessment", raise_exception=True)
def risk_list(request):
    """风险企业: the enterprises at each level in scope — what the cockpit's tiles count."""
    form = RiskFilter(request.GET or None)
    rows = selectors.risk_enterprise_list(user=request.user, **form.filters())
    if request.GET.get("export") == "xlsx":
        if (refused := _may_export(request, "risk-list")) is not None:
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


# --- immediate reports (§五(二)) ------------------------------------------------------------------


def _may_export(request, back: str):
    """Ledger exports are for the roles that may export the alert ledger (not the auditor)."""
    if request.user.has_perm("monitoring.export_alert"):
        return None
    messages.error(request, "您的角色不能导出该台账。")
    return redirect(back)


def _param_or_none(code: str):
    """The policy parameter in force today, or None when it has no value (the page still opens)."""
    from anxin.core.policy import UnknownParameter, param_record

    try:
        return param_record(code)
    except UnknownParameter:
        return None


def _local(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return f"{timezone.localtime(value):{fmt}}" if value else ""


def _date_field(value: str, field: str, message: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise DomainError(message, field=field) from None


@login_required
@permission_required("monitoring.view_immediatereport", raise_exception=True)
def report_list(request):
    form = ReportFilter(request.GET or None)
    reports = selectors.report_list(user=request.user, **form.filters())
    if request.GET.get("export") == "xlsx":
        refused = _may_export(request, "report-list")
        if refused:
            return refused
        return xlsx_response(
            request,
            filename="即时报告台账",
            title="即时报告台账（§五(二)）",
            columns=[
                Col("编号", 8, "int"),
                Col("生成时间", 17),
                Col("企业", 30),
                Col("统一社会信用代码", 22),
                Col("镇/街道", 10),
                Col("条线部门", 12),
                Col("触发条件", 24),
                Col("基本情况", 60),
                Col("涉及人数", 10, "int"),
                Col("涉及金额（元）", 14),
                Col("群体性事件风险", 12),
                Col("状态", 14),
                Col("报送期限", 17),
                Col("报送时间", 17),
            ],
            rows=(
                [
                    r.pk,
                    _local(r.drafted_at),
                    r.enterprise.name,
                    r.enterprise.uscc,
                    r.town.name if r.town_id else "",
                    (r.unit.short_name or r.unit.name) if r.unit_id else "",
                    RULES_BY_CODE[r.rule].name if r.rule in RULES_BY_CODE else r.rule,
                    r.facts,
                    r.workers,
                    format_yuan(r.amount),
                    {True: "有可能", False: "暂无迹象"}.get(r.mass_incident_risk, "未研判"),
                    r.get_status_display() + ("（逾期）" if r.is_overdue else ""),
                    _local(r.due_at),
                    _local(r.submitted_at),
                ]
                for r in reports.iterator(chunk_size=1000)
            ),
            filters=form.describe(),
        )
    context = {
        "page_title": "即时报告",
        "form": form,
        "statuses": ReportStatus.choices,
        **paginate(request, reports),
    }
    return render(request, "monitoring/report_list.html", context)


@login_required
@permission_required("monitoring.view_immediatereport", raise_exception=True)
def report_detail(request, pk: int):
    return _report_page(request, _report_get(request, pk))


def _report_get(request, pk: int) -> ImmediateReport:
    return get_scoped_or_404(
        ImmediateReport.objects.select_related("enterprise", "alert", "town", "unit", "submitted_by"),
        request.user,
        pk=pk,
    )


def _report_page(request, report, *, values: dict | None = None, errors: dict | None = None):
    """The report's page; ``values`` and ``errors``: a refused fill-in shown again as typed."""
    risk = {True: "yes", False: "no"}.get(report.mass_incident_risk, "")
    context = {
        "page_title": f"即时报告：{report.enterprise.name}",
        "report": report,
        "rule": RULES_BY_CODE.get(report.rule),
        "actions": immediate.report_actions(request.user, report),
        "events": report.events.select_related("actor"),
        "special_default": f"关于{report.enterprise.name}欠薪情况的专题报告",
        "values": values
        or {
            "mass_incident_risk": risk,
            "workers": report.workers,
            "risk_judgement": report.risk_judgement,
            "measures": report.measures,
        },
        "errors": errors or {},
    }
    return render(request, "monitoring/report_detail.html", context)


REPORT_FIELDS = ("mass_incident_risk", "workers", "risk_judgement", "measures")


def _report_fill(post) -> tuple[dict, dict, dict]:
    """The fill-in form: as typed, as the service takes it, and what is wrong with it."""
    typed = {key: post.get(key, "") for key in REPORT_FIELDS}
    errors = {}
    workers = typed["workers"].strip()
    if workers and not re.fullmatch(r"[0-9]{1,6}", workers):
        errors["workers"] = "涉及人数须为 0 至 100000 的整数"
    fill = {
        "mass_incident_risk": {"yes": True, "no": False}.get(typed["mass_incident_risk"]),
        "risk_judgement": typed["risk_judgement"],
        "measures": typed["measures"],
        "workers": int(workers) if workers and not errors else None,
    }
    return typed, fill, errors


@login_required
@permission_required("monitoring.view_immediatereport", raise_exception=True)
@require_POST
def report_act(request, pk: int, action: str):
    report = get_scoped_or_404(ImmediateReport.objects.select_related("enterprise"), request.user, pk=pk)
    typed, fill, errors = _report_fill(request.POST)
    try:
        if action in ("save", "submit") and errors:
            field = next(iter(errors))
            raise DomainError(errors[field], field=field)
        if action == "save":
            immediate.report_save(actor=request.user, report=report, **fill)
            messages.success(request, "已保存（尚未报送）。")
        elif action == "submit":
            immediate.report_submit(actor=request.user, report=report, **fill)
            messages.success(request, "已报送联席办。")
        elif action == "close":
            immediate.report_close(actor=request.user, report=report, reason=request.POST.get("reason", ""))
            messages.success(request, "已关闭。")
        elif action == "special":
            immediate.report_special(
                actor=request.user,
                report=report,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
            )
            messages.success(request, "已形成专题报告，区领导已收到。")
        else:
            raise Http404
    except DomainError as exc:
        if action in ("save", "submit") and exc.field in REPORT_FIELDS:
            # Shown again as typed, the message at its field: nothing the user wrote is lost.
            errors = {**errors, exc.field: exc.message}
            return _report_page(request, _report_get(request, pk), values=typed, errors=errors)
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "您无权执行该操作。")
    return redirect("report-detail", pk=report.pk)


@login_required
@permission_required("monitoring.view_immediatereport", raise_exception=True)
def report_word(request, pk: int):
    report = get_scoped_or_404(ImmediateReport.objects.select_related("enterprise"), request.user, pk=pk)
    if report.status not in (ReportStatus.SUBMITTED, ReportStatus.SPECIAL):
        messages.error(request, "报送后才能导出。")
        return redirect("report-detail", pk=report.pk)
    name = (
        report.special_title
        if report.status == ReportStatus.SPECIAL
        else f"即时报告-{report.enterprise.name}"
    )
    return docx_response(
        request,
        immediate.report_docx(report),
        filename=name,
        summary=f"导出即时报告 Word：{report.enterprise.name}",
        detail={"report": report.pk},
    )


# --- the watch list (§四(二)(三)) ----------------------------------------------------------------


@login_required
@permission_required("monitoring.view_watchentry", raise_exception=True)
def watch_list(request):
    form = WatchFilter(request.GET or None)
    entries = selectors.watch_list(user=request.user, **form.filters())
    if request.GET.get("export") == "xlsx":
        refused = _may_export(request, "watch-list")
        if refused:
            return refused
        return xlsx_response(
            request,
            filename="重点监控台账",
            title="重点监控台账（§四(二)）",
            columns=[
                Col("企业", 30),
                Col("统一社会信用代码", 22),
                Col("镇/街道", 10),
                Col("等级", 8),
                Col("状态", 10),
                Col("负责单位", 16),
                Col("回访周期（日）", 10, "int"),
                Col("下次回访", 12),
                Col("最近回访", 12),
                Col("责任主体", 20),
            ],
            rows=(
                [
                    e.enterprise.name,
                    e.enterprise.uscc,
                    e.town.name if e.town_id else "",
                    e.get_level_display(),
                    e.get_status_display() + ("（回访逾期）" if e.is_overdue else ""),
                    e.owner_unit.name if e.owner_unit_id else "",
                    e.followup_days,
                    _local(e.next_followup_due, "%Y-%m-%d"),
                    _local(e.last_followup_at, "%Y-%m-%d"),
                    e.plan_subject,
                ]
                for e in entries.iterator(chunk_size=1000)
            ),
            filters=form.describe() or "状态=待确认与监控中",
        )
    context = {"page_title": "重点监控", "form": form, **paginate(request, entries)}
    return render(request, "monitoring/watch_list.html", context)


@login_required
@permission_required("monitoring.view_watchentry", raise_exception=True)
def watch_detail(request, pk: int):
    entry = get_scoped_or_404(
        WatchEntry.objects.select_related("enterprise", "town", "unit", "owner_unit", "confirmed_by"),
        request.user,
        pk=pk,
    )
    return _watch_page(request, entry)


def _watch_page(request, entry: WatchEntry, *, kept: dict | None = None, error: str = ""):
    """The watch entry's page; after a refused action, with what was typed (``kept``, naming the
    form by its action) and the error beside that form."""
    manage = request.user.has_perm("monitoring.manage_watchentry") and watch.can_manage(request.user, entry)
    context = {
        "kept": kept or {},
        "error": error,
        "page_title": f"重点监控：{entry.enterprise.name}",
        "entry": entry,
        "manage": manage,
        # The town when the risk has fallen below the level at confirmation; else the office only.
        "may_exit": manage and watch.may_exit(request.user, entry),
        "office_decides": entry.status == WatchStatus.ACTIVE and not watch.risk_fallen(entry),
        "entry_level": dict(Level.choices).get(watch.entry_level(entry), ""),
        "owner_choices": watch.owner_choices(entry) if entry.status == WatchStatus.PROPOSED else [],
        "followups": entry.followups.select_related("recorded_by"),
        "events": entry.events.select_related("actor"),
        "today": timezone.localdate(),
    }
    return render(request, "monitoring/watch_detail.html", context)


@login_required
@permission_required("monitoring.manage_watchentry", raise_exception=True)
@require_POST
def watch_act(request, pk: int, action: str):
    entry = get_scoped_or_404(WatchEntry.objects.select_related("enterprise"), request.user, pk=pk)
    post = request.POST
    try:
        if action == "confirm":
            owner = None
            if post.get("owner_unit"):
                owner = Unit.objects.filter(code=post["owner_unit"]).first()
                if owner is None:
                    raise DomainError("请选择有效的负责单位", field="owner_unit")
            watch.watch_confirm(actor=request.user, entry=entry, owner_unit=owner)
            done = "已纳入重点监控。"
        elif action == "decline":
            watch.watch_decline(actor=request.user, entry=entry, reason=post.get("reason", ""))
            done = "已记录不纳入的理由。"
        elif action == "followup":
            try:
                visited = datetime.date.fromisoformat(post.get("visited_on", ""))
            except ValueError:
                raise DomainError("请填写有效的回访日期", field="visited_on") from None
            watch.followup_record(
                actor=request.user,
                entry=entry,
                visited_on=visited,
                wage_status=post.get("wage_status", ""),
                debts=post.get("debts", ""),
                measures=post.get("measures", ""),
                next_step=post.get("next_step", ""),
            )
            done = "已记录回访。"
        elif action == "plan":
            watch.plan_save(
                actor=request.user,
                entry=entry,
                subject=post.get("subject", ""),
                team=post.get("team", ""),
                measures=post.get("measures", ""),
            )
            done = "已保存风险防范预案。"
        elif action == "exit":
            watch.watch_exit(actor=request.user, entry=entry, reason=post.get("reason", ""))
            done = "已退出重点监控。"
        else:
            raise Http404
    except DomainError as exc:
        # Back to the page with what was typed, the error beside its form (nothing was saved).
        entry.refresh_from_db()
        return _watch_page(request, entry, kept={"action": action, **post.dict()}, error=exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "您无权执行该操作。")
    else:
        messages.success(request, done)
    return redirect("watch-detail", pk=entry.pk)


@login_required
@permission_required("monitoring.view_riskassessment", raise_exception=True)
def cockpit(request):
    # Later parts of the flow add their figures (cases: the 三个确保) through ``cockpit_panels``.
    panels = []
    for config in apps.get_app_configs():
        provider = getattr(config, "cockpit_panels", None)
        if provider is not None:
            panels.extend(provider(request))
    panels.sort(key=lambda panel: panel.get("order", 50))
    return render(
        request,
        "monitoring/cockpit.html",
        {"page_title": "监测驾驶舱", "panels": panels, **selectors.cockpit(user=request.user)},
    )


# --- sensitive periods (§三(一)) ----------------------------------------------------------------


@login_required
@permission_required("monitoring.view_sensitiveperiod", raise_exception=True)
def sensitive_list(request):
    if request.method == "POST":
        if not sensitive.may_declare(request.user):
            raise PermissionDenied
        try:
            period = sensitive.period_declare(
                actor=request.user,
                name=request.POST.get("name", ""),
                start=datetime.date.fromisoformat(request.POST.get("start", "")),
                end=datetime.date.fromisoformat(request.POST.get("end", "")),
                note=request.POST.get("note", ""),
            )
        except ValueError:
            messages.error(request, "请填写有效的开始和结束日期。")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已发布敏感时期，各镇（街道）和部门已收到通知。")
            return redirect("sensitive-detail", pk=period.pk)
    periods = SensitivePeriod.objects.select_related("declared_by")
    context = {
        "page_title": "敏感时期",
        "may_declare": sensitive.may_declare(request.user),
        "percent": _param_or_none("watch.sensitive_percent"),
        "active": active_period(),
        **paginate(request, periods),
    }
    return render(request, "monitoring/sensitive_list.html", context)


@login_required
@permission_required("monitoring.view_sensitiveperiod", raise_exception=True)
def sensitive_detail(request, pk: int):
    period = get_object_or_404(SensitivePeriod, pk=pk)
    today = timezone.localdate()
    values, errors = {"day": today.isoformat()}, {}
    if request.method == "POST":
        values = {
            "day": request.POST.get("day", ""),
            "is_zero": bool(request.POST.get("is_zero")),
            "content": request.POST.get("content", ""),
        }
        try:
            sensitive.daily_report_file(
                actor=request.user,
                period=period,
                day=_date_field(values["day"], "day", "请填写有效的日期"),
                is_zero=values["is_zero"],
                content=values["content"],
            )
        except DomainError as exc:
            errors[exc.field or "content"] = exc.message
        except PermissionDenied:
            messages.error(request, "您的角色不能报送日报。")
            return redirect("sensitive-detail", pk=period.pk)
        else:
            messages.success(request, "已报送。")
            return redirect("sensitive-detail", pk=period.pk)
    last = min(period.end, today)
    days = [period.start + datetime.timedelta(days=n) for n in range(max(0, (last - period.start).days + 1))][
        -14:
    ]
    units = list(sensitive.reporting_units())
    scope = request.user.scope
    if not scope.everything:
        units = [u for u in units if u.pk == request.user.unit_id]
    filed = {
        (r.unit_id, r.day): r
        for r in DailyReport.objects.filter(period=period, day__in=days, unit__in=units).select_related(
            "unit", "submitted_by"
        )
    }
    rows = [{"unit": u, "cells": [filed.get((u.pk, d)) for d in days]} for u in units]
    # What was reported, day by day (a zero report filed before content was refused may carry some).
    contents = sorted(
        (r for r in filed.values() if r.content), key=lambda r: (-r.day.toordinal(), r.unit.order)
    )
    missing_today = [u for u in units if (u.pk, today) not in filed] if period.is_active(today) else []
    context = {
        "page_title": period.name,
        "period": period,
        "days": days,
        "rows": rows,
        "today": today,
        "may_file": sensitive.may_file(request.user) and period.is_active(today),
        "missing_today": missing_today,
        "values": values,
        "errors": errors,
        "contents": contents,
        "mine": DailyReport.objects.filter(period=period, unit_id=request.user.unit_id).order_by("-day")[:30],
    }
    return render(request, "monitoring/sensitive_detail.html", context)


# --- screening campaigns (§四(一)) -------------------------------------------------------------------


@login_required
@permission_required("monitoring.view_screeningcampaign", raise_exception=True)
def screening_list(request):
    from anxin.org.models import Town
    from anxin.registry.models import EnterpriseKind

    may_launch = request.user.has_perm("monitoring.launch_screeningcampaign")
    values, errors = {}, {}
    if request.method == "POST":
        if not may_launch:
            raise PermissionDenied
        post = request.POST
        values = {
            "name": post.get("name", ""),
            "start": post.get("start", ""),
            "end": post.get("end", ""),
            "kinds": post.getlist("kinds"),
            "towns": post.getlist("towns"),
            "note": post.get("note", ""),
        }
        try:
            campaign = screening.campaign_launch(
                actor=request.user,
                name=values["name"],
                start=_date_field(values["start"], "start", "请填写有效的开始日期"),
                end=_date_field(values["end"], "end", "请填写有效的截止日期"),
                kinds=list(EnterpriseKind.objects.filter(code__in=values["kinds"])),
                towns=list(Town.objects.filter(code__in=values["towns"])),
                note=values["note"],
            )
        except DomainError as exc:
            errors[exc.field or "name"] = exc.message
        else:
            messages.success(
                request, f"已发起排查，{campaign.tasks.count()} 家企业已分派到各镇（街道）和主管部门。"
            )
            return redirect("screening-detail", pk=campaign.pk)
    context = {
        "page_title": "排查摸底",
        "may_launch": may_launch,
        "values": values,
        "errors": errors,
        "kinds": EnterpriseKind.objects.order_by("order"),
        "towns": Town.objects.order_by("order"),
        **paginate(request, ScreeningCampaign.objects.select_related("launched_by")),
    }
    return render(request, "monitoring/screening_list.html", context)


@login_required
@permission_required("monitoring.view_screeningcampaign", raise_exception=True)
def screening_detail(request, pk: int):
    campaign = get_object_or_404(ScreeningCampaign, pk=pk)
    tasks = (
        ScreeningTask.objects.for_user(request.user)
        .filter(campaign=campaign)
        .select_related("enterprise", "town", "unit")
    )
    result = request.GET.get("result", "")
    if result in ScreeningTask.Result.values:
        tasks = tasks.filter(result=result)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            request,
            filename=f"排查摸底-{campaign.name}",
            title=f"排查摸底台账：{campaign.name}（§四(一)）",
            columns=[
                Col("企业", 30),
                Col("统一社会信用代码", 22),
                Col("镇/街道", 10),
                Col("条线部门", 14),
                Col("结果", 10),
                Col("排查时间", 17),
                Col("已告知5日内书面报告义务", 14),
                Col("情况", 50),
            ],
            rows=(
                [
                    t.enterprise.name,
                    t.enterprise.uscc,
                    t.town.name,
                    (t.unit.short_name or t.unit.name) if t.unit else "",
                    t.get_result_display(),
                    f"{timezone.localtime(t.answered_at):%Y-%m-%d %H:%M}" if t.answered_at else "",
                    _answer_text(t.answers.get(screening.DUTY_INFORMED)),
                    "；".join(
                        f"{label}：{_answer_text(t.answers.get(key))}"
                        for key, label, *_r in screening.QUESTIONS
                        if key in t.answers
                    ),
                ]
                for t in tasks
            ),
            filters=f"结果={result or '全部'}",
        )
    context = {
        "page_title": campaign.name,
        "campaign": campaign,
        "progress": screening.progress(user=request.user, campaign=campaign),
        "result": result,
        "results": ScreeningTask.Result.choices,
        **paginate(request, tasks),
    }
    return render(request, "monitoring/screening_detail.html", context)


@login_required
@permission_required("monitoring.view_screeningtask", raise_exception=True)
def screening_task(request, pk: int):
    task = get_scoped_or_404(
        ScreeningTask.objects.select_related("campaign", "enterprise", "town", "unit"), request.user, pk=pk
    )
    kind_codes = set(task.enterprise.kinds.values_list("code", flat=True))
    questions = screening.questions_for(kind_codes)
    shown, errors = dict(task.answers), {}
    if request.method == "POST":
        raw = {}
        for key, _label, kind, *_rest in questions:
            value = request.POST.get(key, "")
            if kind == "bool":
                raw[key] = {"yes": True, "no": False}.get(value)
            elif kind == "confirm":
                raw[key] = value == "yes"
            else:
                raw[key] = (
                    int(value)
                    if re.fullmatch(r"[0-9]{1,6}", value.strip())
                    else (None if not value.strip() else -1)
                )
        raw["notes"] = request.POST.get("notes", "")
        try:
            screening.task_answer(actor=request.user, task=task, answers=raw)
        except DomainError as exc:
            # Shown again as typed, the message at its question.
            shown = {**raw, **{k: request.POST.get(k, "") for k, _l, kind, *_r in questions if kind == "int"}}
            errors[exc.field or "notes"] = exc.message
        except PermissionDenied:
            messages.error(request, "您无权填报该企业的排查情况。")
        else:
            messages.success(request, "已保存排查情况。")
            return redirect("screening-detail", pk=task.campaign_id)
    fields = [
        {
            "key": key,
            "label": label,
            "kind": kind,
            "indicator": indicator,
            "current": shown.get(key),
            "error": errors.get(key, ""),
        }
        for key, label, kind, _kinds, indicator in questions
    ]
    context = {
        "page_title": f"排查：{task.enterprise.name}",
        "task": task,
        "questions": fields,
        "notes": shown.get("notes", ""),
        "errors": errors,
        "may_answer": screening.may_answer(request.user, task)
        and request.user.has_perm("monitoring.change_screeningtask"),
    }
    return render(request, "monitoring/screening_task.html", context)


def _answer_text(value) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    return "" if value is None else str(value)
