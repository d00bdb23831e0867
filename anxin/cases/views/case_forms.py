"""The case page's own forms: moving and closing the case, extending its time limit, correcting its
facts, linking signals and alerts, notes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.views.decorators.http import require_POST

from anxin.cases import services
from anxin.cases.forms import CaseEditForm, CloseForm
from anxin.cases.views.case_page import case_post
from anxin.intake.models import Signal
from anxin.monitoring.models import Alert


@login_required
@permission_required("cases.move_case", raise_exception=True)
@require_POST
def case_move(request, pk: int):
    def move(case, _data):
        reason = request.POST.get("reason", "")
        return services.case_move(
            actor=request.user, case=case, action=request.POST.get("action", ""), reason=reason
        )

    return case_post(
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

    return case_post(request, pk, close, success="已结案。", form_class=CloseForm)


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

    return case_post(request, pk, edit, success="已保存。", form_class=CaseEditForm)


@login_required
@permission_required("cases.move_case", raise_exception=True)
@require_POST
def case_extend(request, pk: int):
    def extend(case, _data):
        return services.case_extend(actor=request.user, case=case, reason=request.POST.get("reason", ""))

    return case_post(request, pk, extend, success="已延长办结期限。", keep="extend")


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

    return case_post(request, pk, link, success="已关联。")


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_POST
def case_note(request, pk: int):
    def note(case, _data):
        return services.case_note(actor=request.user, case=case, note=request.POST.get("note", ""))

    return case_post(request, pk, note, keep="note")
