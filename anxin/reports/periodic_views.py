"""Periodic report screens (§五(二) 定期报告制度): the unit's own page (本单位定期报告), a report's page
(figures with their sources, the narrative and extras form, submit, correct, history, Word), the
office's inbox for a period and the roll-ups. Views validate, call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.core.gongwen import Gongwen, document_bytes, docx_response
from anxin.core.money import format_yuan
from anxin.core.xlsx import Col, xlsx_response
from anxin.reports import access, figures, periods
from anxin.reports import periodic_selectors as selectors
from anxin.reports.models import PeriodicReport, ReportStatus
from anxin.reports.periodic_forms import CorrectForm, InboxFilter, ReportForm
from anxin.reports.services import periodic as services
from anxin.reports.workflow import REPORT_LABELS

VIEW = "reports.view_periodicreport"


def _period(request: HttpRequest, template: Any = None) -> periods.Period:
    """The period asked for (``?period=YYYY-MM``), else the last one ended; a bad key: the default
    with a message."""
    key = request.GET.get("period", "").strip()
    if key:
        try:
            return periods.period_of(key, template)
        except DomainError as exc:
            messages.error(request, exc.message)
    return periods.last_ended(template)


def _value(cell: dict) -> str:
    value = cell.get("value", 0)
    return format_yuan(value) if cell.get("money") else f"{value:,}"


def _grouped(found: dict) -> list[dict]:
    groups: dict[str, list] = {}
    for code, cell in found.items():
        groups.setdefault(cell.get("group", ""), []).append({"code": code, **cell, "shown": _value(cell)})
    order = {g: i for i, g in enumerate(figures.GROUPS)}
    return [
        {"group": g, "rows": rows} for g, rows in sorted(groups.items(), key=lambda kv: order.get(kv[0], 99))
    ]


def _extras(report: PeriodicReport) -> list[dict]:
    rows = []
    for extra in report.template.extras or []:
        value = (report.extras or {}).get(extra["code"])
        money = extra.get("unit") == services.MONEY_UNIT
        shown = "—" if value is None else (format_yuan(value) if money else f"{value:,}")
        rows.append({**extra, "value": value, "shown": shown})
    return rows


# --- the unit's own page --------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def periodic_mine(request: HttpRequest) -> HttpResponse:
    """本单位定期报告: the current and past periods with their status; 生成草稿 for a period."""
    unit = getattr(request.user, "unit", None)
    template = selectors.unit_template(unit)
    if template is None or unit is None:
        return render(request, "reports/periodic_mine.html", {"template": None, "rows": []})
    rows = selectors.unit_periods(unit=unit, template=template)
    today = timezone.localdate()
    return render(
        request,
        "reports/periodic_mine.html",
        {
            "template": template,
            "unit": unit,
            "rows": rows,
            "today": today,
            "may_submit": access.may_submit_for(request.user, unit.pk),
            "standing": selectors.STANDING,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def periodic_draft(request: HttpRequest) -> HttpResponse:
    """生成草稿 (prefilled) for the period posted, for the user's own unit."""
    unit = getattr(request.user, "unit", None)
    if unit is None:
        raise Http404
    try:
        report = services.report_prefill(actor=request.user, unit=unit, period=request.POST.get("period", ""))  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("periodic-mine")
    messages.success(request, f"已生成{report.period}报告草稿，数据已按本单位范围自动汇总。")
    return redirect("periodic-detail", pk=report.pk)


# --- a report ---------------------------------------------------------------------------------------------


def _stored_span(report: PeriodicReport) -> dict[str, str]:
    """The report's period as stored (label, basis): never recomputed from today's template or
    parameters, which may have changed since."""
    return {"label": report.period_label, "basis": report.period_basis}


def _page(
    request: HttpRequest,
    report: PeriodicReport,
    *,
    form: ReportForm | None = None,
    correct: CorrectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may = access.may_submit_for(request.user, report.unit_id)
    span = _stored_span(report)
    editable = may and report.status == ReportStatus.DRAFT
    return render(
        request,
        "reports/periodic_detail.html",
        {
            "report": report,
            "span": span,
            "groups": _grouped(report.figures or {}),
            "extras": _extras(report),
            "narrative": [
                {**part, "text": (report.narrative or {}).get(part["code"], "")}
                for part in report.template.narrative or []
            ],
            "form": form if form is not None else (ReportForm(report=report) if editable else None),
            "correct_form": correct
            if correct is not None
            else (CorrectForm() if may and report.status == ReportStatus.SUBMITTED else None),
            "editable": editable,
            "may": may,
            "ended": timezone.localdate() > report.period_end,
            "versions": selectors.report_versions(report),
            "history": selectors.report_history(report),
            "labels": REPORT_LABELS,
        },
        status=status,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def periodic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.report_get(user=request.user, pk=pk))


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def periodic_act(request: HttpRequest, pk: int, do: str) -> HttpResponse:
    """保存 / 报送 / 重新汇总 / 发起更正, each through its service; a refusal is shown on the page."""
    report = selectors.report_get(user=request.user, pk=pk)
    user: Any = request.user
    try:
        if do in ("save", "submit"):
            form = ReportForm(request.POST, report=report)
            if not form.is_valid():
                return _page(request, report, form=form, status=400)
            if do == "save":
                services.report_save(
                    actor=user, report=report, narrative=form.narrative(), extras=form.extras()
                )
                messages.success(request, "已保存草稿。")
            else:
                try:
                    services.report_submit(
                        actor=user, report=report, narrative=form.narrative(), extras=form.extras()
                    )
                except DomainError as exc:
                    form.add_error(None, exc.message)
                    return _page(request, report, form=form, status=400)
                messages.success(request, "报告已报送，已锁定。")
        elif do == "refresh":
            services.report_refresh(actor=user, report=report)
            messages.success(request, "已按最新数据重新汇总。")
        elif do == "correct":
            correct = CorrectForm(request.POST)
            if not correct.is_valid():
                return _page(request, report, correct=correct, status=400)
            draft = services.report_correct(actor=user, report=report, reason=correct.cleaned_data["reason"])
            messages.success(request, f"已发起更正（第{draft.version}版），修改后请重新报送。")
            return redirect("periodic-detail", pk=draft.pk)
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("periodic-detail", pk=report.pk)


def report_document(report: PeriodicReport) -> bytes:
    """The report in 公文 layout: what was recorded — the figures with their basis, the narrative,
    the extras, the version and the correction's reason."""
    span = _stored_span(report)
    paragraphs: list[str] = []
    for part in report.template.narrative or []:
        paragraphs.append(f"{part['label']}")
        paragraphs.append((report.narrative or {}).get(part["code"], "（未填写）"))
    table = [(f"{c['label']}（{c['unit']}）", _value(c)) for c in (report.figures or {}).values()]
    table += [(f"{e['label']}（{e['unit']}）", e["shown"]) for e in _extras(report)]
    cells: list[dict] = list((report.figures or {}).values())
    basis = str(cells[0].get("basis", "")) if cells else ""
    foot = [
        f"第{report.version}版",
        f"数据汇总时间 {timezone.localtime(report.prefilled_at):%Y-%m-%d %H:%M}"
        if report.prefilled_at
        else "",
    ]
    if report.correction_reason:
        foot.append(f"更正理由：{report.correction_reason}")
    if basis:
        foot.append(f"自动汇总口径：{basis}")
    day = timezone.localtime(report.submitted_at).date() if report.submitted_at else None
    return document_bytes(
        Gongwen(
            issuer=report.unit.official_name,
            title=f"{report.unit.name}{span['label']}欠薪风险定期报告",
            recipient="区联席办：",
            paragraphs=paragraphs,
            table=table,
            signature=report.unit.official_name,
            date=day,
            footnote="；".join(f for f in foot if f)
            + f"。{span['basis']}，报送截止日 {report.due_on:%Y-%m-%d}。",
        )
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def periodic_word(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(user=request.user, pk=pk)
    return docx_response(
        request,
        report_document(report),
        filename=f"定期报告-{report.unit.name}-{report.period}-第{report.version}版",
        summary=f"导出定期报告：{report}",
        detail={"report": report.pk},
    )


# --- the office's inbox -------------------------------------------------------------------------------------


INBOX_COLUMNS = [
    Col("单位", 20),
    Col("类型", 10),
    Col("报送情况", 10),
    Col("版本", 6, "int"),
    Col("报送时间", 18, "datetime"),
    Col("报送截止日", 12, "date"),
    Col("逾期未报提示时间", 18, "datetime"),
]


@login_required
@permission_required(VIEW, raise_exception=True)
def periodic_inbox(request: HttpRequest) -> HttpResponse:
    """定期报告收件箱 (``?period=YYYY-MM``): every expected unit's standing for the period. A unit
    user is sent to its own page."""
    if not selectors.sees_all(request.user):
        return redirect("periodic-mine")
    span = _period(request)
    form = InboxFilter(request.GET, user=request.user)
    found = selectors.inbox(
        user=request.user,
        period=span.key,
        **{k: v for k, v in form.filters().items() if k in ("kind", "status")},
    )
    if request.GET.get("export") == "xlsx":
        if not request.user.has_perm("reports.export_reports"):
            messages.error(request, "您的角色不能导出该台账。")
            return redirect(f"{reverse('periodic-inbox')}?period={span.key}")
        rows = (
            [
                r.unit.name,
                r.unit.get_kind_display(),
                r.standing_label,
                r.shown.version if r.shown else None,
                r.report.submitted_at if r.report else None,
                span.due_on,
                r.missing.flagged_at if r.missing else None,
            ]
            for r in found["rows"]
        )
        return xlsx_response(
            request,
            filename=f"定期报告报送情况-{span.key}",
            title=f"定期报告报送情况（{span.label}）",
            columns=INBOX_COLUMNS,
            rows=rows,
            filters=form.describe(),
        )
    return render(
        request,
        "reports/periodic_inbox.html",
        {
            "span": span,
            "form": form,
            **found,
            "standing": selectors.STANDING,
            "querystring": request.GET.urlencode(),
        },
    )


# --- roll-ups ---------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def periodic_rollup(request: HttpRequest) -> HttpResponse:
    """条线/属地汇总 (``?period=&by=town|line``): each town over its territory or each department
    over its line, computed from the data; the district total for the office and the leaders."""
    by = request.GET.get("by", "town")
    if by not in selectors.BY:
        by = "town"
    span = _period(request)
    found = selectors.rollup(user=request.user, period=span, by=by)
    if request.GET.get("export") == "xlsx":
        if not request.user.has_perm("reports.export_reports"):
            messages.error(request, "您的角色不能导出该台账。")
            return redirect(f"{reverse('periodic-rollup')}?period={span.key}&by={by}")
        columns = [Col("单位", 20), Col("本期报告", 10), Col("报送时间", 17, "datetime")] + [
            Col(f"{c['label']}（{c['unit']}）", 12, "money" if c["money"] else "int")
            for c in found["columns"]
        ]
        rows = [
            [
                r["unit"].name,
                r["standing"].standing_label,
                r["standing"].report.submitted_at if r["standing"].report else None,
            ]
            + [r["figures"][c]["value"] for c in found["codes"]]
            for r in found["rows"]
        ]
        if found["total"] is not None:
            rows.append(["全区合计", "", None] + [found["total"][c]["value"] for c in found["codes"]])
        return xlsx_response(
            request,
            filename=f"定期报告汇总-{selectors.BY[by]}-{span.key}",
            title=f"{selectors.BY[by]}（{span.label}）",
            columns=columns,
            rows=rows,
            filters=f"报告期={span.label}",
        )
    table = [
        {
            "unit": r["unit"],
            "standing": r["standing"],
            "cells": [{**r["figures"][c], "shown": _value(r["figures"][c])} for c in found["codes"]],
        }
        for r in found["rows"]
    ]
    total = (
        [{**found["total"][c], "shown": _value(found["total"][c])} for c in found["codes"]]
        if found["total"]
        else None
    )
    return render(
        request,
        "reports/periodic_rollup.html",
        {
            "span": span,
            "by": by,
            "by_label": selectors.BY[by],
            "kinds": selectors.BY,
            "columns": found["columns"],
            "table": table,
            "total": total,
        },
    )


# --- the seam: menu, home panel -------------------------------------------------------------------------


def menu(user: Any) -> list[seam.MenuItem]:
    if not user.has_perm(VIEW):
        return []
    items: list[seam.MenuItem] = []
    if user.has_perm("reports.submit_report"):
        items.append(
            {
                "label": "本单位定期报告",
                "url_name": "periodic-mine",
                "icon": "file-report",
                "order": 10,
                "group": "reports",
            }
        )
    if selectors.sees_all(user):
        items.append(
            {
                "label": "定期报告收件箱",
                "url_name": "periodic-inbox",
                "icon": "inbox",
                "order": 11,
                "group": "reports",
            }
        )
    items.append(
        {
            "label": "定期报告汇总",
            "url_name": "periodic-rollup",
            "icon": "table",
            "order": 12,
            "group": "reports",
        }
    )
    return items


def home_panels(request: HttpRequest) -> list[seam.Panel]:
    """This period's report of the user's unit (the period last ended: its due day, its standing),
    flagged when missing."""
    user: Any = request.user
    if not user.is_authenticated or not user.has_perm("reports.submit_report"):
        return []
    unit = getattr(user, "unit", None)
    template = selectors.unit_template(unit)
    if template is None or unit is None:
        return []
    span = periods.last_ended(template)
    row = next(
        (r for r in selectors.unit_periods(unit=unit, template=template, n=2) if r.period.key == span.key),
        None,
    )
    if row is None:
        return []
    return [
        {
            "template": "reports/_periodic_home.html",
            "order": 30,
            "row": row,
            "span": span,
            "standing": selectors.STANDING[row.standing],
            "overdue": row.standing == selectors.NONE and timezone.localdate() > span.due_on,
        }  # type: ignore[typeddict-unknown-key]
    ]
