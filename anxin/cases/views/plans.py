"""The plan (一企一策) on the case page: save, submit, approve or return."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.views.decorators.http import require_POST

from anxin.cases import services
from anxin.cases.forms import PlanForm
from anxin.cases.views.case_page import case_post


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_POST
def plan(request, pk: int):
    step = request.POST.get("step", "save")
    if step not in ("save", "submit", "approve", "return"):
        raise Http404
    if step == "save":
        return case_post(
            request,
            pk,
            lambda case, data: services.plan_save(actor=request.user, case=case, **data),
            success="处置方案已保存。",
            form_class=PlanForm,
            anchor="#plan",
        )
    if step == "submit":
        return case_post(
            request,
            pk,
            lambda case, _data: services.plan_submit(actor=request.user, case=case),
            success="处置方案已报联席办审批。",
            anchor="#plan",
        )
    approve = step == "approve"
    return case_post(
        request,
        pk,
        lambda case, _data: services.plan_review(
            actor=request.user, case=case, approve=approve, note=request.POST.get("note", "")
        ),
        success="已批准处置方案。" if approve else "已退回处置方案。",
        anchor="#plan",
    )
