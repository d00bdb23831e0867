"""The case page with its timeline and forms, and the one shape every form on it posts through."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from anxin.cases import actions as action_services
from anxin.cases import selectors, services, workflow
from anxin.cases.forms import (
    AssetForm,
    CaseEditForm,
    CloseForm,
    DocumentForm,
    IncidentForm,
    PlanForm,
    action_forms,
)
from anxin.cases.models import ActionKind, Plan, PlanStatus, Stage
from anxin.cases.views._common import fail, refuse
from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.intake.models import Signal
from anxin.monitoring.models import ACTIVE_ALERT, Alert
from anxin.registry.selectors import enterprises_openable


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_detail(request, pk: int):
    return render_case_page(request, selectors.case_get(user=request.user, pk=pk))


# The case page's forms: the context name each is rendered under and its ids' prefix (several
# forms share field names). A rejected form comes back under its name, bound, with its errors.
CASE_FORMS = {
    PlanForm: ("plan_form", "plan_%s"),
    CloseForm: ("close_form", "close_%s"),
    CaseEditForm: ("edit_form", "edit_%s"),
    IncidentForm: ("incident_form", "incident_%s"),
    AssetForm: ("asset_form", "asset_%s"),
    DocumentForm: ("document_form", "doc_%s"),
}


OVERVIEW = "overview"


def case_tabs(request, case) -> tuple[dict[str, str], dict[str, seam.Tab]]:
    """The page's tabs: 概况 (this page) first, then those later apps add at ``seam.CASE_TABS``
    (money's 资金…), by key; and the contributed ones by key."""
    extra = seam.collect(seam.CASE_TABS, request, case)
    return {OVERVIEW: "概况", **{t["key"]: t["label"] for t in extra}}, {t["key"]: t for t in extra}


def render_case_page(
    request, case, *, kept: dict | None = None, tab: str = "", tab_html: str | None = None, **bound
):
    """The case page; ``bound``: a rejected form by its context name, shown with the user's input
    and its errors; ``kept``: what the user typed into a plain form that was refused. ``tab`` (else
    ``?tab=``) picks a tab a later app contributed; ``tab_html``: that tab's body as the app
    rendered it (say, with a refused form), else the tab renders itself."""
    user = request.user
    tabs, contributed = case_tabs(request, case)
    tab = tab or request.GET.get("tab", OVERVIEW)
    if tab in contributed:
        return render(
            request,
            "cases/case_detail.html",
            {
                "page_title": f"{case.number} {case.enterprise.name}",
                "case": case,
                "enterprise_openable": bool(enterprises_openable(user=user, enterprises=[case.enterprise])),
                "stages": [(s, Stage(s).label) for s in workflow.OPEN_STAGES],
                "stage_index": workflow.OPEN_STAGES.index(case.stage)
                if case.is_open
                else len(workflow.OPEN_STAGES),
                "tabs": tabs,
                "tab": tab,
                "tab_html": contributed[tab]["render"](request, case) if tab_html is None else tab_html,
            },
        )
    plan = Plan.objects.filter(case=case).first()
    moves = services.available_moves(user, case)
    lead = services.is_lead(user, case)
    context = {
        "page_title": f"{case.number} {case.enterprise.name}",
        "case": case,
        # A co-unit (司法局, a department) may work on a case whose enterprise it cannot open.
        "enterprise_openable": bool(enterprises_openable(user=user, enterprises=[case.enterprise])),
        "plan": plan,
        "plan_form": PlanForm(
            auto_id="plan_%s",
            initial={"measures": plan.measures, "responsible": plan.responsible, "timeline": plan.timeline}
            if plan
            else None,
        ),
        "moves": [(t, Stage(t.target).label) for t in moves],
        "is_lead": lead,
        "works_on": services.works_on(user, case),
        "may_close": case.is_open
        and services.may_make(user, case, workflow.transition(case.stage, workflow.CLOSE)),
        "close_form": CloseForm(auto_id="close_%s", initial={"amount_paid": _closing_paid(case)}),
        "paid": None if case.is_open else seam.paid_so_far([case.pk])[case.pk],
        # the workers' money a later app keeps (money's claims): the amount's basis says so
        "case_money": seam.case_money([case.pk]).get(case.pk),
        "edit_form": CaseEditForm(
            auto_id="edit_%s",
            initial={
                "summary": case.summary,
                "workers": case.workers,
                "amount_claimed": case.amount_claimed,
                "level": case.level,
                "co_units": case.co_units.all(),
                **{f: getattr(case, f) for f in services.FLAGS},
            },
        ),
        "stages": [(s, Stage(s).label) for s in workflow.OPEN_STAGES],
        "stage_index": workflow.OPEN_STAGES.index(case.stage) if case.is_open else len(workflow.OPEN_STAGES),
        "actions": case.actions.select_related("unit", "copy_unit", "requested_by"),
        "action_forms": action_forms(
            [k for k in ActionKind.values if action_services.may_request(user, case, k)],
            bound=bound.pop("action_form", None),
        ),
        "may_request": case.is_open and user.has_perm("cases.request_legalaction"),
        "incidents": case.incidents.select_related("recorded_by"),
        "incident_form": IncidentForm(
            auto_id="incident_%s", initial={"occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        ),
        "assets": case.assets.select_related("recorded_by"),
        "asset_form": AssetForm(auto_id="asset_%s"),  # distinct ids: several forms share field names
        "timeline": selectors.timeline(user=user, case=case),
        "next_steps": action_services.next_steps(case) if case.is_open else [],
        "co_units": case.co_units.all(),
        "signals": Signal.objects.for_user(user)
        .filter(pk__in=case.signals.values("pk"))
        .select_related("channel"),
        "alerts": Alert.objects.for_user(user).filter(pk__in=case.alerts.values("pk")),
        "may_approve": user.has_perm("cases.approve_plan") and plan and plan.status == PlanStatus.SUBMITTED,
        "may_extend": case.is_open and not case.extended and services.may_extend(user),
        "documents": case.documents.select_related("action", "uploaded_by"),
        "linkable_signals": Signal.objects.for_user(user)
        .filter(enterprise=case.enterprise_id)
        .exclude(pk__in=case.signals.values("pk"))
        .select_related("channel")
        .order_by("-received_at")[:20]
        if case.is_open and services.works_on(user, case)
        else [],
        "linkable_alerts": Alert.objects.for_user(user)
        .filter(enterprise=case.enterprise_id, status__in=ACTIVE_ALERT)
        .exclude(pk__in=case.alerts.values("pk"))[:20]
        if case.is_open and services.works_on(user, case)
        else [],
        "may_attach": user.has_perm("cases.add_casedocument") and action_services.may_attach(user, case),
        "document_form": DocumentForm(auto_id="doc_%s"),
        "kept": kept or {},
        "tabs": tabs,
        "tab": OVERVIEW,
    }
    context.update(bound)
    return render(request, "cases/case_detail.html", context)


def case_post(request, pk: int, call, *, success="", form_class=None, anchor: str = "", keep: str = ""):
    """Every form on the case page has one shape: the case within the user's scope, the form
    valid, the service, a message, back to the case. A rejected form (bad input, or the service's
    refusal) comes back on the case page with what the user typed and the error beside its field
    — never an error page; ``keep`` names a plain form whose typed text is kept the same way."""
    case = selectors.case_get(user=request.user, pk=pk)
    back = redirect(reverse("case-detail", args=[case.pk]) + anchor)
    data: dict = {}
    form = None
    if form_class is not None:
        name, auto_id = CASE_FORMS[form_class]
        form = form_class(request.POST, auto_id=auto_id)
        if not form.is_valid():
            return render_case_page(request, case, **{name: form})
        data = form.cleaned_data
    try:
        result = call(case, data)
    except (DomainError, PermissionDenied) as exc:
        if form is not None and isinstance(exc, DomainError):
            refuse(form, exc)
            return render_case_page(request, case, **{name: form})
        fail(request, exc)  # at the top, also when the form is no longer on the page
        if keep:  # and beside the plain form it came from, which takes the focus
            error = exc.message if isinstance(exc, DomainError) else ""
            return render_case_page(request, case, kept={**request.POST.dict(), "form": keep, "error": error})
    else:
        text = success(result) if callable(success) else success
        if text:
            messages.success(request, text)
    return back


def _closing_paid(case) -> int:
    """The closing form's 已支付金额 starts at what the ledger holds (money, ``seam.paid_so_far``) when
    anything has been paid, else at the registered amount (the usual 全额清偿 without a ledger)."""
    if not case.is_open:
        return 0
    paid = seam.paid_so_far([case.pk])[case.pk]
    return paid if paid or case.pk in seam.case_money([case.pk]) else case.amount_claimed
