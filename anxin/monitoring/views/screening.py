"""Screening campaigns (排查摸底, §四(一)): the list where the office launches one, a campaign's page
with its Excel export, and a task's questionnaire."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from anxin.core.access import get_scoped_or_404
from anxin.core.errors import DomainError
from anxin.core.forms import FilterForm
from anxin.core.ledger import Column, Header, Ledger
from anxin.core.paging import paginate
from anxin.monitoring import screening, selectors
from anxin.monitoring.models import ScreeningCampaign, ScreeningTask
from anxin.monitoring.views._common import date_field, unit_name
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


def _answer_column(row) -> str:
    return _answer_text(row.answers.get(screening.DUTY_INFORMED))


def _answers_column(row) -> str:
    return "；".join(
        f"{label}：{_answer_text(row.answers.get(key))}"
        for key, label, *_r in screening.QUESTIONS
        if key in row.answers
    )


# A campaign's tasks. The campaign comes from the URL, so ``screening_detail`` is its own view; the
# declaration gives the export's columns and the task table's headers.
SCREENING_TASKS = Ledger(
    title="排查摸底台账（§四(一)）",
    columns=[
        Column("企业", "enterprise.name", 30),
        Column("统一社会信用代码", "enterprise.uscc", 22),
        Column("镇/街道", "town.name", 10),
        Column("条线部门", unit_name, 14),
        Column("结果", "get_result_display", 10),
        Column("排查时间", "answered_at", 17, "datetime"),
        Column("已告知5日内书面报告义务", _answer_column, 14),
        Column("情况", _answers_column, 50),
    ],
    screen=[
        Header("企业"),
        Header("镇/街道"),
        Header("条线部门"),
        Header("结果"),
        Header(
            "已告知5日内书面报告义务", "已告知报告义务", title="已告知企业欠薪5日内书面报告义务（§四(一)）"
        ),
        Header("排查时间", "排查"),
    ],
    filter_form=FilterForm,
    select=selectors.screening_task_list,
    permission="monitoring.view_screeningcampaign",
    template="monitoring/screening_detail.html",
)


@login_required
@permission_required("monitoring.view_screeningcampaign", raise_exception=True)
def screening_detail(request, pk: int):
    campaign = get_object_or_404(ScreeningCampaign, pk=pk)
    result = request.GET.get("result", "")
    tasks = selectors.screening_task_list(user=request.user, campaign=campaign, result=result)
    if request.GET.get("export") == "xlsx":
        return SCREENING_TASKS.export(
            request,
            tasks,
            title=f"排查摸底台账：{campaign.name}（§四(一)）",
            filename=f"排查摸底-{campaign.name}",
            filters=f"结果={result or '全部'}",
        )
    context = {
        "page_title": campaign.name,
        "campaign": campaign,
        "ledger": SCREENING_TASKS,
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
