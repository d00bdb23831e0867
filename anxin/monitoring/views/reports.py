"""Immediate reports (即时报告, §五(二)): the ledger with its Excel export, a report's page, its
fill-in, submission, closing and special report, and its Word document."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from anxin.core.access import get_scoped_or_404
from anxin.core.errors import DomainError
from anxin.core.gongwen import docx_response
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.monitoring import immediate, selectors
from anxin.monitoring.filters import ReportFilter
from anxin.monitoring.models import ImmediateReport, ReportStatus
from anxin.monitoring.rules import RULES_BY_CODE
from anxin.monitoring.views._common import rule_name, unit_name
from anxin.org.models import Unit

REPORTS = Ledger(
    title="即时报告台账（§五(二)）",
    filename="即时报告台账",
    page_title="即时报告",
    columns=[
        Column("编号", "pk", 8, "int"),
        Column("生成时间", "drafted_at", 17, "datetime"),
        Column("企业", "enterprise.name", 30),
        Column("统一社会信用代码", "enterprise.uscc", 22),
        Column("镇/街道", "town.name", 10),
        Column("条线部门", unit_name, 12),
        Column("触发条件", rule_name, 24),
        Column("基本情况", "facts", 60),
        Column("涉及人数", "workers", 10, "int"),
        Column("涉及金额（元）", "amount", 14, "money"),
        Column(
            "群体性事件风险",
            lambda r: {True: "有可能", False: "暂无迹象"}.get(r.mass_incident_risk, "未研判"),
            12,
        ),
        Column("状态", lambda r: r.get_status_display() + ("（逾期）" if r.is_overdue else ""), 14),
        Column("报送期限", "due_at", 17, "datetime"),
        Column("报送时间", "submitted_at", 17, "datetime"),
    ],
    screen=[
        Header("企业"),
        Header("基本情况", "情况"),
        Header("镇/街道", "属地/条线"),
        Header("状态"),
        Header("报送期限"),
    ],
    filter_form=ReportFilter,
    select=selectors.report_list,
    permission="monitoring.view_immediatereport",
    export_permission="monitoring.export_alert",
    refusal="您的角色不能导出该台账。",
    template="monitoring/report_list.html",
    context=lambda _request, _context: {"statuses": ReportStatus.choices},
)
report_list = ledger_view(REPORTS)


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


def _report_page(
    request,
    report,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    instruct: dict | None = None,
):
    """The report's page; ``values`` and ``errors``: a refused fill-in shown again as typed;
    ``instruct``: a refused 批示 shown again as typed, with its error."""
    risk = {True: "yes", False: "no"}.get(report.mass_incident_risk, "")
    special = report.status == ReportStatus.SPECIAL
    leader = special and request.user.has_perm(immediate.INSTRUCT_PERM) and request.user.has_role("leader")
    readings = list(report.readings.select_related("reader")) if special else []
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
        # A special report leads with what the office wrote; the leaders' 批示 and 已阅 follow it.
        "instructions": list(report.instructions.select_related("author").prefetch_related("units"))
        if special
        else [],
        "readings": readings,
        "leader": leader,
        "read_by_me": any(r.reader_id == request.user.pk for r in readings),
    }
    if leader:
        typed = instruct or {}
        chosen = typed.get("units") or [u for u in (report.unit_id, _town_unit(report)) if u]
        context["instruct"] = {
            "text": typed.get("text", ""),
            "units": chosen,
            "error": typed.get("error", ""),
            "field": typed.get("field", ""),
            "choices": _unit_choices(),
        }
    return render(request, "monitoring/report_detail.html", context)


def _town_unit(report: ImmediateReport) -> int | None:
    return Unit.objects.filter(town_id=report.town_id).values_list("pk", flat=True).first()


def _unit_choices() -> list[tuple[str, list]]:
    """The units a 批示 may name, by kind: the office and departments, then the towns."""
    groups: dict[str, list] = {"department": [], "town_government": []}
    for unit in immediate.instruction_units():
        groups["town_government" if unit.kind == "town_government" else "department"].append(unit)
    return [("联席办与成员单位", groups["department"]), ("镇（街道）", groups["town_government"])]


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
        elif action == "read":
            immediate.report_mark_read(actor=request.user, report=report)
            messages.success(request, "已标记已阅。")
        elif action == "instruct":
            units = [u for u in request.POST.getlist("units") if u.isdigit()]
            try:
                immediate.report_instruct(
                    actor=request.user, report=report, text=request.POST.get("text", ""), unit_ids=units
                )
            except DomainError as exc:
                typed = {
                    "text": request.POST.get("text", ""),
                    "units": [int(u) for u in units],
                    "error": exc.message,
                    "field": exc.field or "text",
                }
                return _report_page(request, _report_get(request, pk), instruct=typed)
            messages.success(request, "批示已送达所选单位。")
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
