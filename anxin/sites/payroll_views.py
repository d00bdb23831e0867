"""Screens of the monthly payroll: the project's 工资发放 tab (a grid of months with their status),
a month's page (findings, lines, versions, history; the pay day with its parameter and clause), the
upload (Excel: template, dry-run preview of the findings, confirm) for whoever keeps the project's
site records, and the Excel export of a month's findings or lines (logged)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anxin.core import importflow, seam
from anxin.core.access import get_scoped_or_404
from anxin.core.errors import DomainError
from anxin.core.paging import paginate
from anxin.core.security import client_ip
from anxin.core.xlsx import XLSX_TYPE, Col, xlsx_response
from anxin.org.models import User
from anxin.registry.models import Project
from anxin.sites import payroll_selectors as selectors
from anxin.sites.access import may_manage
from anxin.sites.models import Finding, FindingKind, Payroll, PayrollLine
from anxin.sites.models.payroll import Door
from anxin.sites.payroll_importing import parse_month, payroll_import, payroll_template

TAB = "payroll"
PENDING_KEY = "sites_payroll_upload_pending"


def project_tabs(request: HttpRequest, project: Project) -> list[seam.Tab]:
    """``seam.PROJECT_TABS``: 工资发放, for whoever reads payrolls (no query: the tab bar is cheap)."""
    if not request.user.has_perm("sites.view_payroll"):
        return []
    return [{"key": TAB, "label": "工资发放", "render": render_tab}]


def render_tab(request: HttpRequest, project: Project) -> str:
    user: Any = request.user
    context = {
        "project": project,
        "grid": selectors.month_grid(project),
        "may_upload": may_manage(user, project),
        "pay_day": selectors.current_rule("payroll.pay_day"),
        "report_day": selectors.current_rule("payroll.report_day"),
    }
    return render_to_string("sites/payroll_tab.html", context, request=request)


def _project(request: HttpRequest, pk: int) -> Project:
    return get_scoped_or_404(
        Project.objects.select_related("general_contractor", "town", "supervisor__unit"), request.user, pk=pk
    )


def _month(text: str) -> datetime.date:
    try:
        return parse_month(text)
    except Exception:
        raise Http404 from None


# --- one declaration per list, shared by the screen and its export ------------------------------------------


@dataclass(frozen=True)
class Field:
    label: str
    value: Any  # row -> value
    col: Col


FINDING_FIELDS = [
    Field("姓名", lambda f: f.name, Col("姓名", 12)),
    Field("问题", lambda f: f.get_kind_display(), Col("问题", 12)),
    Field("应发（元）", lambda f: f.due, Col("应发（元）", 14, "money")),
    Field("实发（元）", lambda f: f.paid, Col("实发（元）", 14, "money")),
    Field("少发（元）", lambda f: f.shortfall, Col("少发（元）", 14, "money")),
    Field("发放日期", lambda f: f.paid_on, Col("发放日期", 12, "date")),
    Field("说明", lambda f: f.text, Col("说明", 60)),
]
LINE_FIELDS = [
    Field("行号", lambda line: line.row, Col("行号", 8, "int")),
    Field("姓名", lambda line: line.name, Col("姓名", 12)),
    Field("身份证号", lambda line: line.id_number_masked, Col("身份证号", 22)),
    Field("出勤天数", lambda line: str(line.days), Col("出勤天数", 10)),
    Field("应发（元）", lambda line: line.due, Col("应发（元）", 14, "money")),
    Field("实发（元）", lambda line: line.paid, Col("实发（元）", 14, "money")),
    Field("发放日期", lambda line: line.paid_on, Col("发放日期", 12, "date")),
    Field("花名册", lambda line: "在册" if line.roster_id else "未在册", Col("花名册", 8)),
]


def _payroll(request: HttpRequest, project: Project, month: datetime.date) -> Payroll | None:
    version = request.GET.get("version", "")
    payrolls = Payroll.objects.filter(project=project, month=month).select_related("uploaded_by")
    if version.isdigit() and len(version) < 6:
        found = payrolls.filter(version=int(version)).first()
        if found is None:
            raise Http404
        return found
    current = selectors.month_row(project, month)
    return current.payroll if current else None


@login_required
@permission_required("sites.view_payroll", raise_exception=True)
def month_detail(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    project = _project(request, pk)
    day = _month(month)
    if day not in selectors.due_months(project):
        raise Http404
    row = selectors.month_row(project, day)
    payroll = _payroll(request, project, day)
    show = "lines" if request.GET.get("show") == "lines" else "findings"
    kind = request.GET.get("kind", "")
    paging: dict = {"page": None}
    if payroll is not None:
        if show == "lines":
            lines = PayrollLine.objects.filter(payroll=payroll).order_by("row")
            q = request.GET.get("q", "").strip()[:50]
            if q:
                lines = lines.filter(name__contains=q)
            paging = paginate(request, lines, per_page=50)
        else:
            findings = Finding.objects.filter(payroll=payroll).order_by("pk")
            if kind in FindingKind.values:
                findings = findings.filter(kind=kind)
            paging = paginate(request, findings, per_page=50)
    context = {
        "page_title": f"{project.name} {day:%Y年%m月}工资发放",
        "project": project,
        "month": day,
        "month_text": f"{day:%Y-%m}",
        "row": row,
        "status": selectors.status_of(row, day),
        "dates": selectors.dates_of(row, day),
        "payroll": payroll,
        "is_current": bool(payroll and row and row.payroll_id == payroll.pk),
        "versions": list(
            Payroll.objects.filter(project=project, month=day)
            .select_related("uploaded_by")
            .order_by("-version")
        ),
        "events": list(row.events.select_related("actor").order_by("-at", "-pk")) if row else [],
        "show": show,
        "kind": kind,
        "kinds": FindingKind.choices,
        "q": request.GET.get("q", ""),
        "finding_fields": FINDING_FIELDS,
        "line_fields": LINE_FIELDS,
        "may_upload": may_manage(request.user, project),
        "may_export": request.user.has_perm("sites.export_roster"),
        **paging,
    }
    return render(request, "sites/payroll_month.html", context)


@login_required
@permission_required("sites.export_roster", raise_exception=True)
def month_export(request: HttpRequest, pk: int, month: str) -> HttpResponse:
    project = _project(request, pk)
    day = _month(month)
    payroll = _payroll(request, project, day)
    if payroll is None:
        raise Http404
    rows: Any
    if request.GET.get("what") == "lines":
        fields, rows, what = LINE_FIELDS, PayrollLine.objects.filter(payroll=payroll).order_by("row"), "明细"
    else:
        fields, rows, what = (
            FINDING_FIELDS,
            Finding.objects.filter(payroll=payroll).order_by("pk"),
            "核对问题",
        )
    return xlsx_response(
        request,
        filename=f"工资发放{what}-{project.pk}-{day:%Y%m}",
        title=f"{project.name} {day:%Y年%m月}工资发放{what}（第{payroll.version}版）",
        columns=[f.col for f in fields],
        rows=([f.value(item) for f in fields] for item in rows),
        filters=f"项目 {project.pk}，{day:%Y-%m}，第 {payroll.version} 版",
    )


# --- the upload -----------------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    month = forms.ChoiceField(label="工资所属月份")
    file = forms.FileField(label="工资发放表", help_text="Excel（.xlsx）或 CSV，请使用下载的模板")

    def __init__(self, *args: Any, months: list[datetime.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["month"]).choices = [
            (f"{m:%Y-%m}", f"{m:%Y年%m月}") for m in reversed(months)
        ]


def _may_upload(request: HttpRequest, project: Project) -> None:
    if not may_manage(request.user, project):
        raise PermissionDenied("只有联席办或本项目的行业主管部门可以报送工资发放表")


@login_required
@permission_required("sites.manage_roster", raise_exception=True)
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _may_upload(request, project)
    months = selectors.due_months(project)
    initial = {"month": request.GET.get("month")} if request.GET.get("month") else None
    form = UploadForm(request.POST or None, request.FILES or None, months=months, initial=initial)
    result = pending = None
    if request.method == "POST" and form.is_valid():
        month = parse_month(form.cleaned_data["month"])
        result, pending, error = importflow.stage(
            request,
            key=PENDING_KEY,
            upload=form.cleaned_data["file"],
            run=lambda **kw: payroll_import(
                actor=cast(User, request.user), project=project, month=month, door=Door.SCREEN, **kw
            ),
            extra={"project": project.pk, "month": f"{month:%Y-%m}"},
        )
        if error:
            form.add_error("file", error)
    checked = getattr(result, "checked", None) or []
    return render(
        request,
        "sites/payroll_upload.html",
        {
            "page_title": f"上传工资发放表：{project.name}",
            "project": project,
            "form": form,
            "result": result,
            "pending": pending,
            "checked": checked[0] if checked else None,
            "finding_fields": FINDING_FIELDS,
        },
    )


@login_required
@permission_required("sites.manage_roster", raise_exception=True)
@require_POST
def upload_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    _may_upload(request, project)
    back = reverse("payroll-upload", args=[project.pk])
    pending, content, error = importflow.take(request, key=PENDING_KEY)
    if error or pending is None or pending.get("project") != project.pk:
        messages.error(request, error or importflow.NOTHING_PENDING)
        return redirect(back)
    month = parse_month(pending["month"])
    try:
        result = payroll_import(
            actor=cast(User, request.user),
            content=content or b"",
            filename=pending["filename"],
            dry_run=False,
            ip=client_ip(request),
            project=project,
            month=month,
            door=Door.SCREEN,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if not result.ok:
        messages.error(
            request,
            "未报送：数据在预览后发生变化，请重新上传。" + "；".join(str(e) for e in result.errors[:5]),
        )
        return redirect(back)
    done = result.checked[0]  # type: ignore[attr-defined]
    messages.success(
        request,
        f"已报送 {month:%Y年%m月}工资发放表（第 {done.payroll.version} 版，{result.created} 人）："
        f"{done.payroll.get_status_display()}。",
    )
    return redirect("payroll-month", pk=project.pk, month=f"{month:%Y-%m}")


@login_required
@permission_required("sites.manage_roster", raise_exception=True)
def template_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(payroll_template(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="总包代发工资表模板.xlsx"
    )
    return response
