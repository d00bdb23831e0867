"""Opening a case (立案): from an alert, from signals or by hand, with the enterprise's open case offered
instead when there is one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from anxin.cases import selectors, services
from anxin.cases.forms import CaseOpenForm
from anxin.cases.views._common import fail, refuse
from anxin.core.errors import DomainError
from anxin.intake.models import Signal
from anxin.monitoring.models import Alert
from anxin.registry.models import Enterprise, Project


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
                    refuse(form, exc)
                except ValidationError as exc:
                    fail(request, exc)
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
    return Q(builder=enterprise) | Q(general_contractor=enterprise) | Q(subcontractors=enterprise)
