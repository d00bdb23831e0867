"""Screens of the publication of major violations (人社部令第29号): the batches ledger (gather a period
on demand), a batch's page (its entries with the review buttons for 人社局 and the office, the history,
the Word and Excel exports for the official website), editing an entry, the entries ledger, the
enterprise's section of the 信用 tab, the overview card, and the public page of the portal."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.core.gongwen import docx_response
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.core.paging import paginate
from anxin.credit import access
from anxin.credit import publication_forms as f
from anxin.credit import publication_selectors as selectors
from anxin.credit.models import BatchStatus, EntryStatus, PublicationBatch
from anxin.credit.publication_documents import batch_docx
from anxin.credit.services import publication as services

VIEW = "credit.view_publicationbatch"
VIEW_ENTRY = "credit.view_publicationentry"
EXPORT = "credit.export_credit"


def _message(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    return str(exc) or services.REFUSE_AUTHORITY


# --- the batches ledger ------------------------------------------------------------------------------


def _period(b: PublicationBatch) -> str:
    return f"{b.period_start:%Y-%m-%d} 至 {b.period_end:%Y-%m-%d}"


def _ledger_context(request: HttpRequest, context: dict) -> dict:
    may = access.may_publish(request.user)
    return {"may_publish": may, "gather_form": f.GatherForm() if may else None}


BATCH_LEDGER = Ledger(
    title="重大劳动保障违法行为公布批次",
    columns=[
        Column("批次编号", "number", 18),
        Column("统计期", _period, 26),
        Column("状态", "get_status_display", 10),
        Column("信息条数", "total", 10, "int"),
        Column("待审核", "pending", 10, "int"),
        Column("审核保留", "kept", 10, "int"),
        Column("审核删除", "removed", 10, "int"),
        Column("已公布", "public", 10, "int"),
        Column("生成时间", "drafted_at", 18, "datetime"),
        Column("公布日期", "published_on", 12, "date"),
    ],
    screen=[
        Header("批次编号"),
        Header("统计期", css="d-none d-md-table-cell"),
        Header("状态"),
        Header("信息条数", "条数", "text-end"),
        Header("待审核", css="text-end"),
        Header("已公布", css="text-end d-none d-md-table-cell"),
        Header("公布日期"),
    ],
    filter_form=f.BatchFilter,
    select=selectors.batch_list,
    permission=VIEW,
    export_permission=EXPORT,
    template="credit/publication_list.html",
    partial="credit/_publication_table.html",
    page_title="重大劳动保障违法行为公布",
    context=_ledger_context,
)
batch_list = ledger_view(BATCH_LEDGER)


# --- the entries ledger (and each batch's Excel for the official website) ---------------------------

ENTRY_LEDGER = Ledger(
    title="重大劳动保障违法行为公布信息",
    columns=[
        Column("批次编号", "batch.number", 16),
        Column("单位名称", "name", 28),
        Column("统一社会信用代码", "uscc", 20),
        Column("地址", "address", 28),
        Column("法定代表人（负责人）", "legal_rep", 12),
        Column("违法行为类别", "get_violation_class_display", 24),
        Column("主要违法事实", "facts", 50),
        Column("查处情况", "handling", 50),
        Column("状态", "get_status_display", 10),
        Column("公布日期", "published_on", 12, "date"),
        Column("公布截止日", "visible_until", 12, "date"),
        Column("所涉案件", "case.number", 16),
    ],
    screen=[
        Header("单位名称"),
        Header("违法行为类别", "类别", "d-none d-md-table-cell"),
        Header("批次编号", "批次", "d-none d-lg-table-cell"),
        Header("状态"),
        Header("公布截止日", "公布至"),
    ],
    filter_form=f.EntryFilter,
    select=selectors.entry_list,
    permission=VIEW_ENTRY,
    export_permission=EXPORT,
    template="credit/publication_entries.html",
    partial="credit/_publication_entries_table.html",
    page_title="重大劳动保障违法行为公布信息",
)
entry_list = ledger_view(ENTRY_LEDGER)


# --- a batch ------------------------------------------------------------------------------------------


def _batch_page(
    request: HttpRequest, batch: PublicationBatch, *, status: int = 200, **bound: Any
) -> HttpResponse:
    user = request.user
    may = access.may_publish(user)
    draft = batch.status == BatchStatus.DRAFT
    entries = list(selectors.entries_of(user=user, batch=batch))
    context = {
        "page_title": f"重大劳动保障违法行为公布 {batch.number}",
        "batch": batch,
        "period": services.period_of_batch(batch),
        "entries": entries,
        "hidden": batch.total - len(entries),  # type: ignore[attr-defined]
        "events": list(selectors.events_of(batch, user=request.user)[:200]),
        "may_publish": may,
        "may_review": may and draft,
        "may_export": user.has_perm(EXPORT),
        "today": timezone.localdate(),
        "error": bound.get("error", ""),
        "error_entry": bound.get("error_entry"),
    }
    return render(request, "credit/publication_batch.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_page(request, selectors.batch_get(user=request.user, pk=pk))


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def batch_gather(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not access.may_publish(user):
        raise PermissionDenied(services.REFUSE_AUTHORITY)
    form = f.GatherForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择已结束的统计期")
        return redirect("credit-publication-list")
    try:
        batch, added = services.batch_gather(actor=user, period_start=form.cleaned_data["period"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("credit-publication-list")
    messages.success(request, f"已汇总 {batch.number}：新增 {added} 条待审核信息。")
    return redirect("credit-publication-batch", pk=batch.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def batch_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    batch = selectors.batch_get(user=user, pk=pk)
    if not access.may_publish(user):
        raise PermissionDenied(services.REFUSE_AUTHORITY)
    try:
        services.batch_publish(actor=user, batch=batch)
    except DomainError as exc:
        return _batch_page(request, selectors.batch_get(user=user, pk=pk), status=400, error=exc.message)
    messages.success(request, f"已公布 {batch.number}，公布信息已在门户“重大劳动保障违法行为公布”页显示。")
    return redirect("credit-publication-batch", pk=pk)


ENTRY_ACTIONS = ("keep", "discard", "withdraw")


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def entry_act(request: HttpRequest, pk: int, do: str) -> HttpResponse:
    if do not in ENTRY_ACTIONS:
        raise Http404
    user: Any = request.user
    entry = selectors.entry_get(user=user, pk=pk)
    if not access.may_publish(user):
        raise PermissionDenied(services.REFUSE_AUTHORITY)
    try:
        if do == "keep":
            form: Any = f.NoteForm(request.POST)
            form.is_valid()
            services.entry_keep(actor=user, entry=entry, note=form.cleaned_data.get("note", ""))
            text = f"已审核保留：{entry.name}"
        else:
            form = f.ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            if do == "discard":
                services.entry_discard(actor=user, entry=entry, reason=reason)
                text = f"已审核删除：{entry.name}"
            else:
                services.entry_withdraw(actor=user, entry=entry, reason=reason)
                text = f"已撤下：{entry.name}，门户公示页即时不再显示。"
    except DomainError as exc:
        batch = selectors.batch_get(user=user, pk=entry.batch_id)
        return _batch_page(request, batch, status=400, error=exc.message, error_entry=entry.pk)
    messages.success(request, text)
    return redirect(reverse("credit-publication-batch", args=[entry.batch_id]) + f"#entry-{entry.pk}")


@login_required
@permission_required(VIEW, raise_exception=True)
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    entry = selectors.entry_get(user=user, pk=pk)
    if not access.may_publish(user):
        raise PermissionDenied(services.REFUSE_AUTHORITY)
    if entry.batch.status != BatchStatus.DRAFT:
        messages.error(request, f"批次 {entry.batch.number} 已公布，不能再修改公布内容。")
        return redirect("credit-publication-batch", pk=entry.batch_id)
    form = f.EntryEditForm(request.POST or None, entry=entry)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        try:
            services.entry_edit(actor=user, entry=entry, reason=reason, **data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已修改公布内容：{entry.name}（修改记入办理记录）")
            return redirect(reverse("credit-publication-batch", args=[entry.batch_id]) + f"#entry-{entry.pk}")
    context = {"page_title": f"修改公布内容：{entry.name}", "entry": entry, "form": form}
    return render(request, "credit/publication_entry_edit.html", context, status=400 if form.errors else 200)


@login_required
@permission_required(VIEW, raise_exception=True)
def batch_word(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    if not user.has_perm(EXPORT):
        raise PermissionDenied("您的角色不能导出公布名单")
    batch = selectors.batch_get(user=user, pk=pk)
    entries = list(selectors.batch_export_rows(batch, user=user))
    content = batch_docx(batch, entries)
    return docx_response(
        request,
        content,
        filename=f"重大劳动保障违法行为公布-{batch.number}",
        summary=f"导出重大劳动保障违法行为公布 {batch.number}（Word，{len(entries)} 条）",
        detail={"batch": batch.number, "rows": len(entries), "format": "docx"},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def batch_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    if not user.has_perm(EXPORT):
        raise PermissionDenied("您的角色不能导出公布名单")
    batch = selectors.batch_get(user=user, pk=pk)
    rows = selectors.batch_export_rows(batch, user=user)
    state = "已公布" if batch.status == BatchStatus.PUBLISHED else "审核稿（审核保留）"
    return ENTRY_LEDGER.export(
        request,
        rows,
        filters=f"批次={batch.number}；{state}",
        title=f"重大劳动保障违法行为公布 {batch.number}",
        filename=f"重大劳动保障违法行为公布-{batch.number}",
    )


# --- the enterprise's 信用 tab and the overview -----------------------------------------------------


def tab_section(request: HttpRequest, enterprise: Any) -> dict | None:
    if not request.user.has_perm(VIEW_ENTRY):
        return None
    entries = selectors.enterprise_entries(user=request.user, enterprise=enterprise)
    if not entries:
        return None
    today = timezone.localdate()
    for entry in entries:
        entry.public_now = (  # type: ignore[attr-defined]
            entry.status == EntryStatus.PUBLISHED
            and entry.published_on is not None
            and entry.visible_until is not None
            and entry.published_on <= today <= entry.visible_until
        )
    return {"template": "credit/_publication_section.html", "publication_entries": entries}


def overview_card(request: HttpRequest) -> dict | None:
    if not request.user.has_perm(VIEW):
        return None
    return {
        "template": "credit/_publication_card.html",
        "width": "col-lg-6",
        "publication": selectors.overview_counts(),
        "may_publish": access.may_publish(request.user),
    }


def menu(user: Any) -> list[seam.MenuItem]:
    if not user.has_perm(VIEW):
        return []
    return [
        {
            "label": "重大违法行为公布",
            "url_name": "credit-publication-list",
            "icon": "speakerphone",
            "order": 30,
            "group": "credit",
        }
    ]


# --- the public page (no login) ---------------------------------------------------------------------

PUBLIC_PER_PAGE = 10


@never_cache  # an entry withdrawn or past its last day must not linger in a cache
def public_violations(request: HttpRequest) -> HttpResponse:
    """重大劳动保障违法行为公布: published entries within their dates, searchable by name or code. No
    ID number, no unreviewed, removed, withdrawn or expired entry."""
    form = f.PublicSearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    rows = selectors.public_entries(q=q)
    # The internet zone reads no listing or enterprise: the copies the internal zone's tick wrote.
    copies = not settings.PORTAL_READS_DISTRICT_DATA
    in_force = selectors.public_listing_copies(q=q) if copies else selectors.public_listings(q=q)
    listings = Paginator(in_force, PUBLIC_PER_PAGE).get_page(request.GET.get("lpage"))
    listings.object_list = selectors.public_listing_rows(listings.object_list)
    context = {
        "page_title": "失信名单和重大劳动保障违法行为公布",
        "form": form,
        "q": q,
        "listings": listings,
        **paginate(request, rows, per_page=PUBLIC_PER_PAGE),
    }
    for entry in context["page"]:
        for name in ("facts", "handling", "address", "legal_rep", "name"):
            setattr(entry, name, services.mask_id_numbers(getattr(entry, name)))
    return render(request, "credit/public/violations.html", context)


def portal_links() -> list[seam.PortalLink]:
    return [
        {
            "label": "失信名单和重大违法行为公布",
            "url_name": "portal-violations",
            "icon": "speakerphone",
            "description": "按单位名称或统一社会信用代码查询拖欠农民工工资失信联合惩戒对象名单和依法公布的重大劳动保障违法行为",
        }
    ]
