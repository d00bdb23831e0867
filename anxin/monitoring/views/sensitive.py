"""Sensitive periods (敏感时期, §三(一)): the list where the office declares one, and a period's page
with the units' daily reports."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.core.paging import paginate
from anxin.core.policy import UnknownParameter, param_record
from anxin.monitoring import sensitive
from anxin.monitoring.models import DailyReport, SensitivePeriod
from anxin.monitoring.periods import active_period
from anxin.monitoring.views._common import date_field


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


def _param_or_none(code: str):
    """The policy parameter in force today, or None when it has no value (the page still opens)."""
    try:
        return param_record(code)
    except UnknownParameter:
        return None


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
                day=date_field(values["day"], "day", "请填写有效的日期"),
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
