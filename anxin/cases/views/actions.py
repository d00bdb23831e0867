"""Legal actions: starting one from the case page, and the action's own page (its steps, completion,
withdrawal, and the forms later apps put on it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anxin.cases import actions as action_services
from anxin.cases import documents, selectors
from anxin.cases.forms import ActionForm, DocumentForm, StepForm
from anxin.cases.models import ActionKind
from anxin.cases.views._common import fail, refuse
from anxin.cases.views.case_page import render_case_page
from anxin.core import seam
from anxin.core.errors import DomainError


@login_required
@permission_required("cases.request_legalaction", raise_exception=True)
@require_POST
def action_new(request, pk: int):
    """Start a legal measure from its own form on the case page (one form per kind, ``kind``
    posted with it); a refusal comes back on the case page with that form bound and open."""
    case = selectors.case_get(user=request.user, pk=pk)
    kind = request.POST.get("kind", "")
    if kind not in ActionKind.values:
        raise Http404
    try:
        action_services.require_may_request(request.user, case, kind)
    except PermissionDenied as exc:
        fail(request, exc)
        return redirect("case-detail", pk=pk)
    offered = "another_reason" in request.POST  # the form came back with "另行发起" on it
    form = ActionForm(request.POST, kind=kind, offer_another=offered)
    if not form.is_valid():
        return render_case_page(request, case, action_form=form)
    data = form.cleaned_data
    try:
        action = action_services.action_request(
            actor=request.user,
            case=case,
            kind=kind,
            amount=data.get("amount") or 0,
            workers=data.get("workers") or 0,
            pay_by=data.get("pay_by"),
            served_on=data.get("served_on"),
            percent=data.get("percent"),
            reference=data.get("reference", ""),
            basis=data.get("basis", ""),
            details=data.get("details", ""),
            unit=data.get("unit"),
            single_months=data.get("single_months") or 0,
            single_amount=data.get("single_amount") or 0,
            document=data.get("document", ""),
            another=bool(data.get("another")),
            another_reason=data.get("another_reason") or "",
        )
    except DomainError as exc:
        if exc.code == "conflict" and not offered and kind not in action_services.ONE_AT_A_TIME:
            # A same-kind action is open: the form comes back offering "另行发起" with a reason.
            form = ActionForm(request.POST, kind=kind, offer_another=True)
            form.is_valid()
        refuse(form, exc)
        return render_case_page(request, case, action_form=form)
    except PermissionDenied as exc:
        fail(request, exc)
        return redirect("case-detail", pk=pk)
    messages.success(request, f"已发起“{action.get_kind_display()}”，承办单位：{action.unit.name}。")
    return redirect("case-action", pk=action.pk)


@login_required
@permission_required("cases.view_legalaction", raise_exception=True)
def action_detail(request, pk: int):
    action = selectors.action_get(user=request.user, pk=pk)
    user = request.user
    steps = action_services.STEPS[action.kind]
    if request.method != "POST":
        return render_action_page(request, action)
    what = request.POST.get("do", "")
    contributed = seam.collect(seam.ACTION_FORMS)  # forms later apps put on this page
    if what not in ("step", "complete", "cancel") and what not in contributed:
        raise Http404
    form = None
    try:
        if what == "step":
            form = StepForm(request.POST, steps=steps)
            if not form.is_valid():
                return render_action_page(request, action, step_form=form)
            data = form.cleaned_data
            action_services.action_step(
                actor=user, action=action, step=data["step"], on=data["on"], note=data["note"],
                amount=data["amount"] or 0,
            )  # fmt: skip
            messages.success(request, "已登记办理进展。")
        elif what == "complete":
            action_services.action_complete(actor=user, action=action, result=request.POST.get("result", ""))
            messages.success(request, "已办结。")
        elif what == "cancel":
            action_services.action_cancel(actor=user, action=action, reason=request.POST.get("reason", ""))
            messages.success(request, "已撤回。")
        else:
            messages.success(request, contributed[what](request, action))
    except DomainError as exc:
        if form is not None:
            refuse(form, exc)
            return render_action_page(request, action, step_form=form)
        return render_action_page(
            request, action, kept={"form": what, "error": exc.message, **request.POST.dict()}
        )
    except PermissionDenied as exc:
        fail(request, exc)
    return redirect("case-action", pk=pk)


def render_action_page(request, action, *, step_form=None, document_form=None, kept: dict | None = None):
    """The action page; a rejected form comes back bound (``step_form``, ``document_form``) or
    with what the user typed (``kept``: the form's name, its fields, the error)."""
    user = request.user
    steps = action_services.STEPS[action.kind]
    context = {
        "page_title": f"{action.get_kind_display()} · {action.case.number}",
        "action": action,
        "case": action.case,
        "sees_case": selectors.sees_case(user, action.case),
        "handles": action_services.handles(user, action),
        "may_cancel": action.is_active and action_services.may_cancel(user, action),
        "step_form": step_form or StepForm(steps=steps, initial={"on": timezone.localdate()}),
        "steps": action.steps.select_related("actor"),
        "panels": sorted(
            seam.collect(seam.ACTION_SECTIONS, request, action), key=lambda p: p.get("order", 0)
        ),
        "documents": action.documents.select_related("uploaded_by"),
        "may_attach": user.has_perm("cases.add_casedocument")
        and action_services.may_attach(user, action.case, action),
        "document_form": document_form
        or DocumentForm(auto_id="doc_%s", kinds=action_services.DOCUMENT_KINDS[action.kind]),
        "kept": kept or {},
    }
    if action.kind == ActionKind.REFERRAL:  # what 公安分局 and 检察院 need, who do not see the case
        context["referral"] = documents.referral_papers(action)
        context["evidence"] = documents.referral_evidence(action, context["referral"])
    return render(request, "cases/action_detail.html", context)


def action_page(request, action, *, kept: dict):
    """The action page again after a later app's form on it was refused (a contributed panel's form
    that posts elsewhere): ``kept`` holds the form's name, what was typed and the error."""
    return render_action_page(request, action, kept=kept)
