"""Papers: files filed with a case or an action, and the documents produced from them (the order
notice, the referral letter, the case summary in Word and PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anxin.cases import actions as action_services
from anxin.cases import documents, selectors, services
from anxin.cases.forms import DocumentForm
from anxin.cases.views._common import fail, refuse
from anxin.cases.views.actions import render_action_page
from anxin.cases.views.case_page import render_case_page
from anxin.core.errors import DomainError
from anxin.core.gongwen import docx_response
from anxin.core.models import SecurityEventKind
from anxin.core.security import client_ip
from anxin.core.services import security_event_record


def _attach(request, case, action, back):
    form = DocumentForm(
        request.POST,
        request.FILES,
        auto_id="doc_%s",
        kinds=action_services.DOCUMENT_KINDS[action.kind] if action else (),
    )

    def again():  # the page again, with the kind and title the user chose
        if action:
            return render_action_page(request, action, document_form=form)
        return render_case_page(request, case, document_form=form)

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
        refuse(form, exc)
        return again()
    except PermissionDenied as exc:
        fail(request, exc)
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
    document = selectors.document_get(user=request.user, pk=pk)
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=False, filename=f"{document.title}{document.extension}"
    )
    return response


def _action_document(request, pk: int, *, kind: str, title, build) -> HttpResponse:
    """One Word document of a legal action of ``kind`` (else 404): recorded on the case, exported
    with its security event. ``title(action)`` names it, ``build(action)`` makes it."""
    action = selectors.action_get(user=request.user, pk=pk)
    if action.kind != kind:
        raise Http404
    name = title(action)
    services.document_issued(
        actor=request.user, case=action.case, title=f"生成{name}（{action.reference or '未编号'}）"
    )
    return docx_response(
        request,
        build(action),
        filename=f"{name}-{action.case.enterprise.name}",
        summary=f"导出{name}：{action.case.number}",
        detail={"action": action.pk},
    )


@login_required
@permission_required("cases.view_legalaction", raise_exception=True)
def action_notice(request, pk: int):
    """限期支付工资通知书 / 责令改正指令书 (Word) of an order to pay."""
    return _action_document(
        request, pk, kind="order", title=documents.notice_title, build=documents.order_notice
    )


@login_required
@permission_required("cases.view_legalaction", raise_exception=True)
def action_referral_letter(request, pk: int):
    """涉嫌犯罪案件移送书 (Word) of a referral, for 人社局, the office, 公安分局 and 检察院."""
    return _action_document(
        request,
        pk,
        kind="referral",
        title=lambda _action: "涉嫌犯罪案件移送书",
        build=documents.referral_letter,
    )


@login_required
@permission_required("cases.view_case", raise_exception=True)
def case_summary_pdf(request, pk: int):

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
