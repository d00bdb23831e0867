"""At the site: incidents and the asset-control checklist, on the case page."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from anxin.cases import selectors, services
from anxin.cases.forms import AssetForm, IncidentForm
from anxin.cases.models import AssetItem
from anxin.cases.views._common import fail
from anxin.cases.views.case_page import case_post
from anxin.core.errors import DomainError


@login_required
@permission_required("cases.change_case", raise_exception=True)
@require_POST
def incident_new(request, pk: int):
    return case_post(
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

    return case_post(request, pk, record, success="已登记财产控制。", form_class=AssetForm, anchor="#site")


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
        fail(request, exc)
    else:
        messages.success(request, "已登记追回。")
    return redirect("case-detail", pk=asset.case_id)
