"""Screening campaigns (排查摸底, §四(一)): the list where the office launches one, a campaign's page
with its Excel export, and a task's questionnaire."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from anxin.core.access import get_scoped_or_404
from anxin.core.errors import DomainError
from anxin.core.paging import paginate
from anxin.core.xlsx import Col, xlsx_response
from anxin.monitoring import screening
from anxin.monitoring.models import ScreeningCampaign, ScreeningTask
from anxin.monitoring.views._common import date_field
from anxin.org.models import Town
from anxin.registry.models import EnterpriseKind


@login_required
@permission_required("monitoring.view_screeningcampaign", raise_exception=True)
def screening_list(request):
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
                start=date_field(values["start"], "start", "请填写有效的开始日期"),
                end=date_field(values["end"], "end", "请填写有效的截止日期"),
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
