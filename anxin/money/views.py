"""Money's screens. Today: the payment schedule on a legal action's page (cases' page, money's
panels through ``seam.ACTION_SECTIONS`` and ``seam.ACTION_FORMS``) and recording an instalment
paid. Thin: validate, call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from anxin.cases import selectors as case_selectors
from anxin.cases.actions import handles, may_mark_paid
from anxin.cases.models import ActionStatus, LegalAction
from anxin.cases.views.actions import action_page
from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.money import selectors, services
from anxin.money.forms import PaidForm, parse_schedule
from anxin.money.models import Instalment, PaymentSource
from anxin.org.models import User


def action_sections(request: HttpRequest, action: LegalAction) -> list[dict[str, Any]]:
    """``seam.ACTION_SECTIONS`` (a panel: its template, its ``slot``, what the template reads): the
    schedule below the action's steps, for everyone who sees the action, with a "paid" form for who
    may record it; and the schedule form in the 办理 card, for the unit handling an active
    mediation, arbitration or court action."""
    user: User = request.user  # type: ignore[assignment]  # the action page is behind login
    panels: list[dict[str, Any]] = []
    instalments = selectors.schedule(action)
    by_ledger = action.case_id in seam.case_money([action.case_id])  # workers' claims: the ledger decides
    if instalments:
        covered = selectors.schedule_covered(action)
        for item in instalments:
            item.by_ledger = item.pk in covered  # type: ignore[attr-defined]
        panels.append(
            {
                "template": "money/_action_schedule.html",
                "slot": "main",
                "order": 10,
                "instalments": instalments,
                "today": timezone.localdate(),
                "may_mark_paid": not by_ledger
                and action.status != ActionStatus.CANCELLED
                and action.case.is_open
                and user.has_perm("cases.handle_legalaction")
                and may_mark_paid(user, action),
            }
        )
    paid = selectors.action_paid(action)
    if paid is not None and (paid or by_ledger):
        panels.append(
            {
                "template": "money/_action_ledger.html",
                "slot": "main",
                "order": 5,
                "ledger_paid": paid,
                "ledger_short": max(action.amount - paid, 0),
                "ledger_since": selectors.action_since(action),
                "ledger_sources": "、".join(
                    str(PaymentSource(s).label) for s in selectors.ACTION_SOURCES[action.kind]
                ),
            }
        )
    if action.is_active and action.kind in services.SCHEDULED_KINDS and handles(user, action):
        panels.append({"template": "money/_action_schedule_form.html", "slot": "handle", "order": 10})
    return panels


def _actor(request: HttpRequest) -> User:
    """The signed-in user who acts (every view here is behind ``login_required``)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def schedule_set(request: HttpRequest, action: LegalAction) -> str:
    """``seam.ACTION_FORMS`` "instalments": the schedule typed line by line ("日期 金额")."""
    rows = parse_schedule(request.POST.get("schedule", ""))
    services.instalments_set(actor=_actor(request), action=action, rows=rows)
    return f"已登记履行计划 {len(rows)} 期。"


@login_required
@permission_required("cases.handle_legalaction", raise_exception=True)
@require_POST
def instalment_paid(request: HttpRequest, pk: int) -> HttpResponse:
    instalment = get_object_or_404(Instalment, pk=pk)
    action = case_selectors.action_get(user=request.user, pk=instalment.action_id)
    form = PaidForm(request.POST)
    kept = {"form": "paid", "instalment": instalment.pk, **request.POST.dict()}
    if not form.is_valid():
        error = "；".join(str(e) for errors in form.errors.values() for e in errors)
        return action_page(request, action, kept={**kept, "error": error})
    try:
        services.instalment_paid(
            actor=_actor(request), instalment=instalment, paid_on=form.cleaned_data["paid_on"],
            note=form.cleaned_data["note"],
        )  # fmt: skip
    except DomainError as exc:
        return action_page(request, action, kept={**kept, "error": exc.message})
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "您的角色不能进行此操作。")
    else:
        messages.success(request, "已登记履行。")
    return redirect("case-action", pk=action.pk)
