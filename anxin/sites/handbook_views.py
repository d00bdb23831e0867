"""Screens of the handbook part.

Officers: a worker's 计酬手册 as a print page (A4) and PDF, a project's handbooks as one PDF (a page
per worker), the project's notice board (告示牌 tab: contacts, preview, A3 PDF, the QR link).
Everything is read through the user's scope (404 outside it); the handbooks' PDFs are logged as
exports (they carry workers' names and pay).

Workers (public portal, no login): ID number → SMS code → their own months, for a short while."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from anxin.core.errors import DomainError
from anxin.core.models import SecurityEventKind
from anxin.core.policy import param_record
from anxin.core.security import client_ip
from anxin.core.services import security_event_record
from anxin.core.validators import mask_id_number
from anxin.registry import selectors as registry_selectors
from anxin.registry.models import Project
from anxin.sites import handbook, handbook_pdf, handbook_services
from anxin.sites.access import may_manage
from anxin.sites.handbook_forms import ContactsForm, HandbookAskForm, HandbookCodeForm

VIEW = "sites.view_rosterentry"


def _pdf(content: bytes, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=attachment, filename=filename) or ""
    )
    return response


def _log_export(request: HttpRequest, summary: str, detail: dict) -> None:
    security_event_record(
        kind=SecurityEventKind.EXPORT,
        user=request.user,
        ip=client_ip(request),
        summary=summary,
        detail={"kind": "sites.handbook", **detail},
    )


# --- officers: the handbook -----------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def handbook_print(request: HttpRequest, pk: int) -> HttpResponse:
    """One worker's 计酬手册, a page to print (A4 print CSS) or download as PDF."""
    entry = handbook.handbook_entry_get(user=request.user, pk=pk)
    book = handbook.handbooks_of([entry])[0]
    return render(
        request,
        "sites/handbook_print.html",
        {"page_title": f"劳动计酬手册 {entry.name}", "books": [book], "entry": entry},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def handbook_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = handbook.handbook_entry_get(user=request.user, pk=pk)
    book = handbook.handbooks_of([entry])[0]
    _log_export(
        request,
        f"导出劳动计酬手册：{entry.project.name} {entry.name}",
        {"project": entry.project_id, "entry": entry.pk},
    )
    content = handbook_pdf.handbooks_pdf([book], title=f"劳动计酬手册 {entry.name}")
    return _pdf(content, f"劳动计酬手册-{entry.project.name}-{entry.name}.pdf", attachment=False)


@login_required
@permission_required(VIEW, raise_exception=True)
def project_handbooks_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's handbooks in one PDF, a page per worker (每人一页)."""
    project = registry_selectors.project_get(user=request.user, pk=pk)
    books = handbook.handbooks_of(handbook.project_entries(project))
    _log_export(
        request,
        f"导出项目劳动计酬手册：{project.name}（{len(books)} 人）",
        {"project": project.pk, "rows": len(books)},
    )
    content = handbook_pdf.handbooks_pdf(books, title=f"劳动计酬手册 {project.name}")
    return _pdf(content, f"劳动计酬手册-{project.name}.pdf", attachment=True)


# --- officers: the notice board ---------------------------------------------------------------------


def board_tab(request: HttpRequest, project: Project) -> str:
    """The project page's 告示牌 tab: the contacts (editable by who keeps the project), the board's
    preview, its A3 PDF, the project's handbooks PDF, and the QR link."""
    return _board_html(request, project)


def _board_html(request: HttpRequest, project: Project, *, form: ContactsForm | None = None) -> str:
    board = handbook.board_of(project)
    editable = may_manage(request.user, project)
    if editable and form is None:
        form = ContactsForm(contacts=handbook.site_contacts(project))
    return render_to_string(
        "sites/_board_tab.html",
        {
            "project": project,
            "board": board,
            "notice": handbook.BOARD_NOTICE,
            "qr_svg": handbook_pdf.qr_svg(board.link),
            "form": form if editable else None,
            "rostered": project.roster.count(),
        },
        request=request,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def board_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    project = registry_selectors.project_get(user=request.user, pk=pk)
    content = handbook_pdf.board_pdf(handbook.board_of(project))
    return _pdf(content, f"维权信息告示牌-{project.name}.pdf", attachment=True)


@login_required
@require_POST
def board_contacts(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the board's contacts (plain POST; back to the tab)."""
    project = registry_selectors.project_get(user=request.user, pk=pk)
    form = ContactsForm(request.POST, contacts=handbook.site_contacts(project))
    if form.is_valid():
        try:
            handbook_services.site_contacts_set(actor=request.user, project=project, contacts=form.contacts())
        except (DomainError, ValidationError) as exc:
            if isinstance(exc, DomainError):
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                form.add_error(None, "；".join(exc.messages))
        else:
            messages.success(request, "维权联系人已保存，告示牌随之更新。")
            return redirect(reverse("project-detail", args=[project.pk]) + "?tab=board")
    return render(
        request,
        "sites/board_contacts_page.html",
        {
            "page_title": f"维权信息告示牌 {project.name}",
            "project": project,
            "tab_html": _board_html(request, project, form=form),
        },
        status=400,
    )


# --- the worker on the public portal ------------------------------------------------------------------

ASK_KEY = "sites_handbook_ask"  # [id index, masked ID] between the two steps
PROOF_KEY = "sites_handbook"  # the signed proof that this browser holds the worker's code
PROOF_SALT = "anxin.sites.handbook-session"
PROOF_SECONDS = 15 * 60  # a shared phone: the next person must prove it again


def _proved_index(request: HttpRequest) -> str | None:
    value = request.session.get(PROOF_KEY)
    if not isinstance(value, str):
        return None
    try:
        return str(signing.loads(value, salt=PROOF_SALT, max_age=PROOF_SECONDS))
    except signing.BadSignature:
        request.session.pop(PROOF_KEY, None)
        return None


@never_cache
def portal_handbook(request: HttpRequest) -> HttpResponse:
    """Step 1: the ID number (and a captcha); a code goes to the roster's phone if the ID is there.
    The next page reads the same either way."""
    if _proved_index(request):
        return redirect("portal-handbook-mine")
    form = HandbookAskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        id_number = form.cleaned_data["id_number"]
        try:
            handbook_services.handbook_code_request(id_number=id_number, ip=client_ip(request))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            request.session[ASK_KEY] = [
                handbook_services.handbook_id_index(id_number),
                mask_id_number(id_number),
            ]
            return redirect("portal-handbook-verify")
    return render(request, "sites/public/handbook_ask.html", {"page_title": "劳动计酬手册", "form": form})


@never_cache
def portal_handbook_verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the SMS code."""
    asked = request.session.get(ASK_KEY)
    if not (isinstance(asked, list) and len(asked) == 2):
        return redirect("portal-handbook")
    form = HandbookCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            index = handbook_services.handbook_code_verify(
                id_index=asked[0], code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if index is None:
                form.add_error("code", "验证码不正确或已过期，请核对短信或重新获取。")
            else:
                request.session.pop(ASK_KEY, None)
                request.session.cycle_key()
                request.session[PROOF_KEY] = signing.dumps(index, salt=PROOF_SALT)
                return redirect("portal-handbook-mine")
    minutes = param_record("handbook.code_minutes")
    return render(
        request,
        "sites/public/handbook_verify.html",
        {"page_title": "劳动计酬手册", "form": form, "id_masked": asked[1], "minutes": minutes},
    )


@never_cache
def portal_handbook_mine(request: HttpRequest) -> HttpResponse:
    """The worker's own months, by project; nothing else."""
    index = _proved_index(request)
    if not index:
        messages.info(request, "请先输入身份证号码并验证手机。")
        return redirect("portal-handbook")
    page = handbook.worker_page(index)
    return render(
        request,
        "sites/public/handbook_mine.html",
        {
            "page_title": "我的劳动计酬手册",
            "books": page.books,
            "name": page.name,
            "id_masked": page.id_masked,
        },
    )


def portal_handbook_leave(request: HttpRequest) -> HttpResponse:
    """“退出”: forget the proof in this browser."""
    request.session.pop(PROOF_KEY, None)
    request.session.pop(ASK_KEY, None)
    messages.info(request, "已退出劳动计酬手册。")
    return redirect("portal-handbook")
