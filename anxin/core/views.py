"""Screens of the shared kernel: home, policy parameters, calendar, security events, audit log."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from typing import TYPE_CHECKING

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anxin.core import seam, selectors
from anxin.core.audit import with_change_rows
from anxin.core.calendar import calendar_years, coverage_warning
from anxin.core.errors import DomainError
from anxin.core.forms import CalendarDayForm, CalendarYearForm, ParameterValueForm, SecurityEventFilter
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.core.models import CalendarDay, ParameterType, PolicyParameter
from anxin.core.money import format_yuan
from anxin.core.paging import paginate
from anxin.core.policy import (
    LARGE_CHANGE_FACTOR,
    current_parameters,
    parameter_bounds,
    parameter_value_problem,
)
from anxin.core.security import client_ip
from anxin.core.services import (
    LargeChange,
    ParameterChange,
    calendar_day_set,
    calendar_year_create,
    policy_parameter_check,
    policy_parameter_set,
)

if TYPE_CHECKING:
    from anxin.core.access import AuthedRequest


@login_required
def home(request):
    """The user's own work: each app contributes panels for what it holds."""
    panels = seam.collect(seam.HOME_PANELS, request)
    panels.sort(key=lambda panel: panel.get("order", 50))  # to-dos (order < 50) before overviews
    return render(request, "core/home.html", {"page_title": "工作台", "panels": panels})


@login_required
@permission_required("core.view_policyparameter", raise_exception=True)
def parameter_list(request):
    today = timezone.localdate()
    rows = current_parameters(on=today)
    q = request.GET.get("q", "").strip()
    if q:
        rows = [r for r in rows if q in r.code or q in r.name or q in r.citation]
    for row in rows:
        setattr(row, "problem", parameter_value_problem(row.code, row.value_type, row.value))  # noqa: B010
    future = PolicyParameter.objects.filter(effective_from__gt=today).order_by("effective_from")
    return render(
        request,
        "core/parameter_list.html",
        {"page_title": "政策参数", "rows": rows, "future": future, "q": q, "today": today},
    )


@login_required
@permission_required("core.view_policyparameter", raise_exception=True)
def parameter_detail(request: AuthedRequest, code: str) -> HttpResponse:
    history = list(
        PolicyParameter.objects.filter(code=code).select_related("created_by").order_by("-effective_from")
    )
    if not history:
        raise Http404
    bounds = parameter_bounds(code)
    form = None
    if request.user.has_perm("core.add_policyparameter"):
        form = ParameterValueForm(request.POST or None, bounds=bounds, value_type=history[0].value_type)
        if request.method == "POST" and "back" not in request.POST and form.is_valid():
            data = form.cleaned_data
            try:
                if "confirmed" not in request.POST:
                    # Every change is shown back before it is written: the new value in words and
                    # figures beside the current one, and a second tick for a tenfold change.
                    try:
                        change = policy_parameter_check(code=code, **data)
                    except LargeChange as exc:
                        change = exc.change
                    return _parameter_confirm(request, change, data)
                policy_parameter_set(
                    actor=request.user,
                    code=code,
                    ip=client_ip(request),
                    confirm_large_change=request.POST.get("confirm_large_change") == "on",
                    **data,
                )
            except LargeChange as exc:  # confirmed without the second tick: asked again, nothing written
                return _parameter_confirm(request, exc.change, data, refusal=exc.message)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                if data["correct"]:
                    messages.success(request, "已更正该日期的参数取值，更正记录已写入审计日志。")
                else:
                    messages.success(request, "已登记新的参数取值，历史取值保留。")
                return redirect("parameter-detail", code=code)
    elif request.method == "POST":
        raise PermissionDenied
    today = timezone.localdate()
    in_force = next((h for h in history if h.effective_from <= today), None)
    corrections = with_change_rows(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(PolicyParameter),
            object_pk__in=[str(h.pk) for h in history],
            action=LogEntry.Action.UPDATE,
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-id")
    )
    corrected = {int(entry.object_pk) for entry in corrections}
    for h in history:
        setattr(h, "problem", parameter_value_problem(code, h.value_type, h.value))  # noqa: B010
        setattr(h, "corrected", h.pk in corrected)  # noqa: B010
    return render(
        request,
        "core/parameter_detail.html",
        {
            "page_title": history[0].name,
            "history": history,
            "in_force": in_force,
            "form": form,
            "code": code,
            "today": today,
            "bounds": bounds,
            "corrections": corrections,
        },
    )


def _parameter_confirm(
    request: AuthedRequest, change: ParameterChange, data: dict, *, refusal: str = ""
) -> HttpResponse:
    """The confirmation of a checked change: current and new values in words and figures; for a
    change of more than tenfold, the reason and the second tick the service asks for."""
    money = change.value_type == ParameterType.MONEY
    return render(
        request,
        "core/parameter_confirm.html",
        {
            "page_title": f"{'更正' if data['correct'] else '调整'}：{change.name}",
            "change": change,
            "data": data,
            "code": change.code,
            # what the form reads back: yuan for a money parameter (the form takes yuan)
            "posted_value": format_yuan(int(change.value), grouping=False) if money else change.value,
            "factor": LARGE_CHANGE_FACTOR,
            "refusal": refusal,
        },
    )


@login_required
@permission_required("core.view_calendarday", raise_exception=True)
def calendar_view(request):
    years = calendar_years()
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    days = {d.date: d for d in CalendarDay.objects.filter(date__year=year)}
    months = []
    for month in range(1, 13):
        first = datetime.date(year, month, 1)
        cells: list[tuple[datetime.date, CalendarDay | None] | None] = [None] * first.weekday()
        day = first
        while day.month == month:
            cells.append((day, days.get(day)))
            day += datetime.timedelta(days=1)
        months.append({"month": month, "cells": cells})
    specials = sorted(
        (d for d in days.values() if d.name or d.source == CalendarDay.Source.OFFICE), key=lambda d: d.date
    )
    can_edit = request.user.has_perm("core.change_calendarday")
    return render(
        request,
        "core/calendar.html",
        {
            "page_title": "工作日历",
            "year": year,
            "years": years,
            "has_year": bool(days),
            "months": months,
            "specials": specials,
            "can_edit": can_edit,
            "day_form": CalendarDayForm(initial={"date": today}) if can_edit else None,
            "year_form": CalendarYearForm(initial={"year": year}) if can_edit else None,
            "warning": coverage_warning(),
            "weekdays": "一二三四五六日",
        },
    )


@login_required
@permission_required("core.change_calendarday", raise_exception=True)
@require_POST
def calendar_day_edit(request):
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        day = form.cleaned_data["date"]
        try:
            calendar_day_set(actor=request.user, ip=client_ip(request), **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(f"/settings/calendar/?year={day.year}")
        messages.success(
            request, f"已将 {day:%Y-%m-%d} 设为{'工作日' if form.cleaned_data['is_workday'] else '休息日'}。"
        )
        return redirect(f"/settings/calendar/?year={day.year}")
    messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("calendar")


@login_required
@permission_required("core.change_calendarday", raise_exception=True)
@require_POST
def calendar_year_add(request):
    form = CalendarYearForm(request.POST)
    if form.is_valid():
        year = form.cleaned_data["year"]
        try:
            calendar_year_create(actor=request.user, year=year, ip=client_ip(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"已新建 {year} 年工作日历（周一至周五为工作日），请逐日补录法定节假日和调休。"
            )
        return redirect(f"/settings/calendar/?year={year}")
    messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("calendar")


SECURITY_EVENTS = Ledger(
    title="安全事件台账",
    filename="安全事件",
    page_title="安全事件",
    columns=[
        Column("时间", "at", 18, "datetime", num_format="yyyy-mm-dd hh:mm:ss"),
        Column("类型", "get_kind_display", 12),
        Column("用户名", "username", 14),
        Column("IP 地址", "ip", 16),
        Column("摘要", "summary", 60),
    ],
    screen=[
        Header("时间"),
        Header("类型"),
        Header("用户名", "用户"),
        Header("IP 地址", "IP"),
        Header("摘要"),
    ],
    filter_form=SecurityEventFilter,
    select=selectors.security_event_list,
    permission="core.view_securityevent",  # the auditors; whoever reads the events may export them
    template="core/security_events.html",
    per_page=50,
    export_limit=50000,
)
security_events = ledger_view(SECURITY_EVENTS)


@login_required
def audit_log(request):
    """The field-level audit log across the system, for the 审计员 (三员分立: not the office)."""
    if not (
        request.user.has_perm("auditlog.view_logentry") and request.user.has_perm("core.view_securityevent")
    ):
        raise PermissionDenied
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    model = request.GET.get("model", "")
    actor = request.GET.get("actor", "").strip()
    if model:
        entries = entries.filter(content_type__model=model)
    if actor:
        entries = entries.filter(actor__username__icontains=actor)
    models = sorted(
        {(ct.model, str(ct.model_class()._meta.verbose_name)) for ct in _audited_types()}, key=lambda m: m[1]
    )
    paging = paginate(request, entries, per_page=50)
    paging["page"].object_list = with_change_rows(paging["page"].object_list)
    context = {"page_title": "审计日志", "models": models, "model": model, "actor": actor, **paging}
    return render(request, "core/audit_log.html", context)


def _audited_types():
    from auditlog.registry import auditlog
    from django.contrib.contenttypes.models import ContentType

    return [ContentType.objects.get_for_model(m) for m in auditlog.get_models()]


@login_required
def policy_clauses(request):
    """Each clause → the duties and parameters that answer it (the clause map, from data)."""
    by_clause: dict[str, dict[str, list]] = defaultdict(lambda: {"parameters": [], "duties": []})
    for row in current_parameters():
        for key in _clause_keys(row.citation):
            by_clause[key]["parameters"].append(row)
    for citation, item in seam.collect(seam.CLAUSE_ITEMS):
        for key in _clause_keys(citation):
            by_clause[key]["duties"].append(item)
    clauses = sorted(by_clause.items(), key=lambda kv: _clause_sort(kv[0]))
    return render(request, "core/policy_clauses.html", {"page_title": "条款与功能对照", "clauses": clauses})


_ORDER = "一二三四五六七八九十"


def _clause_keys(citation: str) -> list[str]:
    """Every clause a citation names (``§三(二)、§四(五)`` → both); else the regulations group."""
    found = re.findall(r"§[一二三四五]+(?:\([一二三四五六七八九十]+\))?", citation or "")
    return list(dict.fromkeys(found)) or ["法规与其他依据"]


def _clause_sort(key: str) -> tuple[int, int]:
    match = re.match(r"§([一二三四五]+)(?:\(([一二三四五六七八九十]+)\))?", key)
    if not match:
        return (99, 99)
    sub = match.group(2)
    sub_n = 0 if not sub else (_ORDER.index(sub[-1]) + 1 + (10 if len(sub) > 1 else 0))
    return (_ORDER.index(match.group(1)) + 1, sub_n)
