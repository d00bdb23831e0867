"""Case screens: the ledger, the case page with its timeline, the plan, incidents and assets, legal
actions, 我的待办 and the deadlines board. Thin: validate, call a service, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from anxin.cases import actions as action_services
from anxin.cases import documents, selectors, services, workflow
from anxin.cases.forms import (
    ActionForm,
    AssetForm,
    CaseEditForm,
    CaseFilter,
    CaseOpenForm,
    CloseForm,
    DocumentForm,
    IncidentForm,
    PlanForm,
    StepForm,
)
from anxin.cases.models import ActionKind, AssetItem, Plan, PlanStatus, Stage
from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.core.gongwen import docx_response
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.intake.models import Signal
from anxin.monitoring.models import ACTIVE_ALERT, Alert
from anxin.registry.models import Enterprise, Project
from anxin.registry.selectors import enterprises_openable


def _fail(request, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        messages.error(request, "；".join(exc.messages))
    elif isinstance(exc, PermissionDenied):
        messages.error(request, str(exc) or "您的角色不能进行此操作。")
    else:
        messages.error(request, getattr(exc, "message", str(exc)))


def _refuse(form, exc: DomainError) -> None:
    """A service's refusal shown on the form it came from: beside its field, else above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _paid_so_far(cases: list) -> None:
    """Each exported case's fen paid so far (``seam.paid_so_far``: one query for the chunk)."""
    paid = seam.paid_so_far([c.pk for c in cases])
    for case in cases:
        case.paid = paid[case.pk]


CASES = Ledger(
    title="欠薪案件台账",
    page_title="案件台账",
    columns=[
        Column("案件编号", "number", 12),
        Column("立案时间", "opened_at", 17, "datetime"),
        Column("企业", "enterprise.name", 30),
        Column("统一社会信用代码", "enterprise.uscc", 22),
        Column("镇/街道", "town.name", 10),
        Column("牵头单位", "lead_unit.name", 16),
        Column("风险等级", "get_level_display", 8),
        Column("标记", lambda c: "、".join(c.flags), 24),
        Column("涉及人数", "workers", 8, "int"),
        Column("登记欠薪金额（元）", "amount_claimed", 16, "money"),
        Column("阶段", "get_stage_display", 10),
        Column("阶段期限", "stage_due_at", 12, "date"),
        Column("结案方式", "get_outcome_display", 14),
        Column("已支付（元）", "paid", 14, "money"),
    ],
    screen=[
        Header("案件编号", "编号"),
        Header("企业"),
        Header("阶段"),
        Header("牵头单位", css="d-none d-lg-table-cell"),
        Header("涉及人数", "人数/金额", "d-none d-md-table-cell"),
        Header("阶段期限"),
    ],
    filter_form=CaseFilter,
    select=selectors.case_list,
    permission="cases.view_case",
    export_permission="cases.export_case",
    refusal="您的角色不能导出案件台账。",
    template="cases/case_list.html",
    partial="cases/_case_table.html",
    enrich=_paid_so_far,
)
case_list = ledger_view(CASES)


@login_required
@permission_required("cases.add_case", raise_exception=True)
def case_new(request):
    user = request.user
    source = request.POST if request.method == "POST" else request.GET
    alert = None
    if source.get("alert"):
        alert_id = source.get("alert").strip()
        if not alert_id.isdecimal() or len(alert_id) > 18:  # not an id: no such alert (not a 500)
            raise Http404
        alert = get_object_or_404(Alert.objects.for_user(user), pk=int(alert_id))
    signal_ids = [
        int(x)
        for x in (source.get("signals") or "").split(",")
        if x.strip().isdecimal() and len(x.strip()) <= 18
    ]
    signals = list(Signal.objects.for_user(user).filter(pk__in=signal_ids, enterprise__isnull=False))
    uscc = (source.get("enterprise") or "").strip().upper()
    enterprise = alert.enterprise if alert else (signals[0].enterprise if signals else None)
    if uscc and enterprise is None:
        enterprise = Enterprise.objects.for_user(user).filter(uscc=uscc).first()
    projects = list(Project.objects.for_user(user).filter(_parties(enterprise))) if enterprise else []
    workers = max([s.workers for s in signals], default=None)
    amount = sum(s.amount for s in signals) or None
    figures_note = ""
    if alert:
        alert_workers, alert_amount, figures_note = selectors.alert_figures(alert)
        workers, amount = alert_workers or workers, alert_amount or amount
    initial = {
        "enterprise": enterprise.uscc if enterprise else uscc,
        "alert": alert.pk if alert else None,
        "signals": ",".join(str(s.pk) for s in signals),
        "summary": alert.explanation if alert else "；".join(s.summary for s in signals)[:2000],
        "workers": workers,
        "amount_claimed": amount,
    }
    current = services.open_case_of(enterprise, user=user) if enterprise else None
    if request.method == "POST":
        form = CaseOpenForm(request.POST, projects=projects, current=current)
        if form.is_valid():
            data = form.cleaned_data
            if enterprise is None or enterprise.uscc != data["enterprise"].strip().upper():
                enterprise = (
                    Enterprise.objects.for_user(user).filter(uscc=data["enterprise"].strip().upper()).first()
                )
            project = (
                next((p for p in projects if p.pk == data["project"]), None) if data["project"] else None
            )
            if enterprise is None:
                form.add_error("enterprise", "未找到该企业（或不在您的管辖范围内），请先在企业台账中登记")
            else:
                try:
                    case = services.case_open(
                        actor=user,
                        enterprise=enterprise,
                        project=project,
                        alert=alert,
                        signals=signals,
                        summary=data["summary"],
                        workers=data["workers"],
                        amount_claimed=data["amount_claimed"],
                        co_units=list(data["co_units"]),
                        mass_incident=data["mass_incident"],
                        malicious=data["malicious"],
                        owner_absconded=data["owner_absconded"],
                        sudden_closure=data["sudden_closure"],
                        separate=data.get("separate", False),
                    )
                except DomainError as exc:
                    if exc.code == "duplicate" and "separate" not in form.fields:
                        current = services.open_case_of(
                            enterprise, user=user
                        )  # opened since the form was shown
                        form = CaseOpenForm(request.POST, projects=projects, current=current)
                        form.is_valid()
                    _refuse(form, exc)
                except ValidationError as exc:
                    _fail(request, exc)
                else:
                    messages.success(request, f"已立案：{case.number}，牵头单位 {case.lead_unit.name}。")
                    return redirect("case-detail", pk=case.pk)
    else:
        form = CaseOpenForm(initial=initial, projects=projects, current=current)
    context = {
        "page_title": "立案",
        "form": form,
        "alert": alert,
        "signals": signals,
        "enterprise": enterprise,
        "figures_note": figures_note,
        "current": current if current and selectors.sees_case(user, current) else None,
        "may_link": bool(current and (alert or signals) and services.works_on(user, current)),
    }
    return render(request, "cases/case_new.html", context)


def _parties(enterprise):
    from django.db.models import Q

    return Q(builder=enterprise) | Q(general_contractor=enterprise) | Q(subcontractors=enterprise)


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_detail(request, pk: int):
    return _case_page(request, selectors.case_get(user=request.user, pk=pk))


# The case page's forms: the context name each is rendered under and its ids' prefix (several
# forms share field names). A rejected form comes back under its name, bound, with its errors.
CASE_FORMS = {
    PlanForm: ("plan_form", "plan_%s"),
    CloseForm: ("close_form", "close_%s"),
    CaseEditForm: ("edit_form", "edit_%s"),
    IncidentForm: ("incident_form", "incident_%s"),
    AssetForm: ("asset_form", "asset_%s"),
    ActionForm: ("action_form", "action_%s"),
    DocumentForm: ("document_form", "doc_%s"),
}


def _case_page(request, case, *, kept: dict | None = None, **bound):
    """The case page; ``bound``: a rejected form by its context name, shown with the user's input
    and its errors; ``kept``: what the user typed into a plain form that was refused."""
    user = request.user
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
        "close_form": CloseForm(auto_id="close_%s", initial={"amount_paid": case.amount_claimed}),
        "paid": None if case.is_open else seam.paid_so_far([case.pk])[case.pk],
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
        "action_form": ActionForm(
            auto_id="action_%s",
            kinds=[k for k in ActionKind.values if action_services.may_request(user, case, k)],
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
    }
    context.update(bound)
    return render(request, "cases/case_detail.html", context)


def _case_post(request, pk: int, call, *, success="", form_class=None, anchor: str = "", keep: str = ""):
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
            return _case_page(request, case, **{name: form})
        data = form.cleaned_data
    try:
        result = call(case, data)
    except (DomainError, PermissionDenied) as exc:
        if form is not None and isinstance(exc, DomainError):
            _refuse(form, exc)
            return _case_page(request, case, **{name: form})
        _fail(request, exc)
        if keep:
            return _case_page(request, case, kept={"form": keep, **request.POST.dict()})
    else:
        text = success(result) if callable(success) else success
        if text:
            messages.success(request, text)
    return back


@login_required
@permission_required("cases.move_case", raise_exception=True)
@require_POST
def case_move(request, pk: int):
    def move(case, _data):
        reason = request.POST.get("reason", "")
        return services.case_move(
            actor=request.user, case=case, action=request.POST.get("action", ""), reason=reason
        )

    return _case_post(
        request, pk, move, success=lambda case: f"案件已进入“{case.get_stage_display()}”阶段。", keep="move"
    )


@login_required
@permission_required("cases.close_case", raise_exception=True)
@require_POST
def case_close(request, pk: int):
    def close(case, data):
        return services.case_close(
            actor=request.user,
            case=case,
            outcome=data["outcome"],
            amount_paid=data["amount_paid"] or 0,
            note=data["note"],
        )

    return _case_post(request, pk, close, success="已结案。", form_class=CloseForm)


@login_required
@permission_required("cases.change_case", raise_exception=True)
@require_POST
def case_edit(request, pk: int):
    def edit(case, data):
        return services.case_update(
            actor=request.user,
            case=case,
            summary=data["summary"],
            workers=data["workers"],
            amount_claimed=data["amount_claimed"],
            level=data["level"],
            co_units=list(data["co_units"]),
            **{f: data[f] for f in services.FLAGS},
        )

    return _case_post(request, pk, edit, success="已保存。", form_class=CaseEditForm)


@login_required
@permission_required("cases.move_case", raise_exception=True)
@require_POST
def case_extend(request, pk: int):
    def extend(case, _data):
        return services.case_extend(actor=request.user, case=case, reason=request.POST.get("reason", ""))

    return _case_post(request, pk, extend, success="已延长办结期限。", keep="extend")


@login_required
@permission_required("cases.change_case", raise_exception=True)
@require_POST
def case_link(request, pk: int):
    def link(case, _data):
        def ids(name):
            return [int(v) for v in request.POST.getlist(name) if v.isdigit()]

        signals = Signal.objects.for_user(request.user).filter(
            enterprise=case.enterprise, pk__in=ids("signal")
        )
        alerts = Alert.objects.for_user(request.user).filter(enterprise=case.enterprise, pk__in=ids("alert"))
        return services.case_link(actor=request.user, case=case, signals=list(signals), alerts=list(alerts))

    return _case_post(request, pk, link, success="已关联。")


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_POST
def case_note(request, pk: int):
    def note(case, _data):
        return services.case_note(actor=request.user, case=case, note=request.POST.get("note", ""))

    return _case_post(request, pk, note, keep="note")


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_POST
def plan(request, pk: int):
    step = request.POST.get("step", "save")
    if step not in ("save", "submit", "approve", "return"):
        raise Http404
    if step == "save":
        return _case_post(
            request,
            pk,
            lambda case, data: services.plan_save(actor=request.user, case=case, **data),
            success="处置方案已保存。",
            form_class=PlanForm,
            anchor="#plan",
        )
    if step == "submit":
        return _case_post(
            request,
            pk,
            lambda case, _data: services.plan_submit(actor=request.user, case=case),
            success="处置方案已报联席办审批。",
            anchor="#plan",
        )
    approve = step == "approve"
    return _case_post(
        request,
        pk,
        lambda case, _data: services.plan_review(
            actor=request.user, case=case, approve=approve, note=request.POST.get("note", "")
        ),
        success="已批准处置方案。" if approve else "已退回处置方案。",
        anchor="#plan",
    )


@login_required
@permission_required("cases.change_case", raise_exception=True)
@require_POST
def incident_new(request, pk: int):
    return _case_post(
        request,
        pk,
        lambda case, data: services.incident_record(actor=request.user, case=case, **data),
        success="已登记现场处置，联席办已收到通知。",
        form_class=IncidentForm,
        anchor="#site",
    )


@login_required
@permission_required("cases.change_case", raise_exception=True)
@require_POST
def asset_new(request, pk: int):
    def record(case, data):
        return services.asset_record(actor=request.user, case=case, **{**data, "fee": data["fee"] or 0})

    return _case_post(request, pk, record, success="已登记财产控制。", form_class=AssetForm, anchor="#site")


@login_required
@permission_required("cases.change_case", raise_exception=True)
@require_POST
def asset_recover(request, pk: int):
    asset = get_object_or_404(AssetItem.objects.select_related("case"), pk=pk)
    selectors.case_get(user=request.user, pk=asset.case_id)  # 404 outside the scope
    try:
        day = datetime.date.fromisoformat(request.POST.get("recovered_on", ""))
        services.asset_recover(
            actor=request.user, asset=asset, recovered_on=day, note=request.POST.get("note", "")
        )
    except ValueError:
        messages.error(request, "请填写有效的追回日期。")
    except (DomainError, PermissionDenied) as exc:
        _fail(request, exc)
    else:
        messages.success(request, "已登记追回。")
    return redirect("case-detail", pk=asset.case_id)


@login_required
@permission_required("cases.request_legalaction", raise_exception=True)
@require_POST
def action_new(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    kinds = [k for k in ActionKind.values if action_services.may_request(request.user, case, k)]
    form = ActionForm(request.POST, auto_id="action_%s", kinds=kinds)
    if not form.is_valid():
        return _case_page(request, case, action_form=form)
    data = form.cleaned_data
    try:
        action = action_services.action_request(
            actor=request.user,
            case=case,
            kind=data["kind"],
            amount=data["amount"] or 0,
            workers=data["workers"] or 0,
            pay_by=data["pay_by"],
            percent=data["percent"],
            reference=data["reference"],
            basis=data["basis"],
            details=data["details"],
            unit=data["unit"],
            single_months=data["single_months"] or 0,
            single_amount=data["single_amount"] or 0,
            document=data["document"],
        )
    except DomainError as exc:
        _refuse(form, exc)
        return _case_page(request, case, action_form=form)
    except PermissionDenied as exc:
        _fail(request, exc)
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
        return _action_page(request, action)
    what = request.POST.get("do", "")
    contributed = seam.collect(seam.ACTION_FORMS)  # forms later apps put on this page
    if what not in ("step", "complete", "cancel") and what not in contributed:
        raise Http404
    form = None
    try:
        if what == "step":
            form = StepForm(request.POST, steps=steps)
            if not form.is_valid():
                return _action_page(request, action, step_form=form)
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
            _refuse(form, exc)
            return _action_page(request, action, step_form=form)
        return _action_page(request, action, kept={"form": what, "error": exc.message, **request.POST.dict()})
    except PermissionDenied as exc:
        _fail(request, exc)
    return redirect("case-action", pk=pk)


def _action_page(request, action, *, step_form=None, document_form=None, kept: dict | None = None):
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
    return render(request, "cases/action_detail.html", context)


def action_page(request, action, *, kept: dict):
    """The action page again after a later app's form on it was refused (a contributed panel's form
    that posts elsewhere): ``kept`` holds the form's name, what was typed and the error."""
    return _action_page(request, action, kept=kept)


def _attach(request, case, action, back):
    form = DocumentForm(
        request.POST,
        request.FILES,
        auto_id="doc_%s",
        kinds=action_services.DOCUMENT_KINDS[action.kind] if action else (),
    )

    def again():  # the page again, with the kind and title the user chose
        if action:
            return _action_page(request, action, document_form=form)
        return _case_page(request, case, document_form=form)

    if not form.is_valid():
        return again()
    data = form.cleaned_data
    upload = data["file"]
    if upload.size > 5 * 1024 * 1024:  # before reading it into memory
        form.add_error("file", f"“{upload.name}”超过 5 MB，请压缩后再上传")
        return again()
    try:
        document = action_services.document_attach(
            actor=request.user, case=case, action=action, kind=data["kind"], title=data["title"],
            name=upload.name, content=upload.read(),
        )  # fmt: skip
    except DomainError as exc:
        _refuse(form, exc)
        return again()
    except PermissionDenied as exc:
        _fail(request, exc)
    else:
        messages.success(request, f"已上传{document.get_kind_display()}：{document.title}")
    return back


@login_required
@permission_required("cases.add_casedocument", raise_exception=True)
@require_POST
def document_new(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    return _attach(request, case, None, redirect(reverse("case-detail", args=[case.pk]) + "#documents"))


@login_required
@permission_required("cases.add_casedocument", raise_exception=True)
@require_POST
def action_document_new(request, pk: int):
    action = selectors.action_get(user=request.user, pk=pk)
    return _attach(request, action.case, action, redirect("case-action", pk=action.pk))


@login_required
@permission_required("cases.view_casedocument", raise_exception=True)
def document_download(request, pk: int):
    from django.http import FileResponse
    from django.utils.http import content_disposition_header

    document = selectors.document_get(user=request.user, pk=pk)
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"{document.title}{document.extension}"
    )
    return response


@login_required
@permission_required("cases.view_legalaction", raise_exception=True)
def action_notice(request, pk: int):
    action = selectors.action_get(user=request.user, pk=pk)
    if action.kind != "order":
        raise Http404
    services.document_issued(
        actor=request.user,
        case=action.case,
        title=f"生成{documents.notice_title(action)}（{action.reference or '未编号'}）",
    )
    return docx_response(
        request,
        documents.order_notice(action),
        filename=f"{documents.notice_title(action)}-{action.case.enterprise.name}",
        summary=f"导出{documents.notice_title(action)}：{action.case.number}",
        detail={"action": action.pk},
    )


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_summary_pdf(request, pk: int):
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    from anxin.core.models import SecurityEventKind
    from anxin.core.security import client_ip
    from anxin.core.services import security_event_record

    case = selectors.case_get(user=request.user, pk=pk)
    services.document_issued(actor=request.user, case=case, title="生成案件摘要（PDF）")
    security_event_record(
        kind=SecurityEventKind.EXPORT,
        user=request.user,
        ip=client_ip(request),
        summary=f"导出案件摘要 PDF：{case.number}",
        detail={"case": case.pk},
    )
    response = HttpResponse(documents.case_summary_pdf(case), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"案件摘要-{case.number}.pdf"
    )
    return response


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_summary(request, pk: int):
    case = selectors.case_get(user=request.user, pk=pk)
    services.document_issued(actor=request.user, case=case, title="生成案件摘要（Word）")
    return docx_response(
        request,
        documents.case_summary(case),
        filename=f"案件摘要-{case.number}",
        summary=f"导出案件摘要：{case.number}",
        detail={"case": case.pk},
    )


@login_required
@permission_required("cases.view_legalaction", raise_exception=True)
def todo(request):
    context = {"page_title": "我的待办", **selectors.todo(user=request.user), "now": timezone.now()}
    return render(request, "cases/todo.html", context)


@login_required
@permission_required("cases.view_case", raise_exception=True)
def deadlines(request):
    context = {"page_title": "期限看板", **selectors.deadlines(user=request.user)}
    return render(request, "cases/deadlines.html", context)
