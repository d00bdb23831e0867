"""Screens of the joint-punishment list: the ledger (filters, pages, Excel), the proposal, the listing's
page with its steps as cards (forms for 人社局 and the office only; everyone else reads within
scope), the documents, the enterprise's 信用 tab section, the overview's cards and the case page's
失信惩戒 tab. Every form posts to ``listing_act``, which calls a service; a refusal comes back on the
page with what was typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anxin.cases.models import Case
from anxin.core import seam
from anxin.core.errors import DomainError
from anxin.core.gongwen import docx_response
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.core.validators import normalize_uscc
from anxin.credit import access, listing_documents, sections
from anxin.credit import listing_forms as f
from anxin.credit import listing_selectors as selectors
from anxin.credit.models import (
    OPEN_LISTING,
    Condition,
    CreditFile,
    Defence,
    ListedPerson,
    Listing,
    ListingStatus,
    RemovalApplication,
    RemovalStatus,
)
from anxin.credit.services import listing as services
from anxin.registry.models import Enterprise

VIEW = "credit.view_listing"
EXPORT = "credit.export_credit"


def _message(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or services.DECIDERS_ONLY


def _paper(upload: Any) -> services.Paper | None:
    if not upload:
        return None
    return services.Paper(name=upload.name, content=upload.read())


# --- the ledger -----------------------------------------------------------------------------------------


def _condition_short(listing: Listing) -> str:
    return "数额标准" if listing.condition == Condition.ORDER_THRESHOLD else "群体性、极端事件"


LISTINGS = Ledger(
    title="失信联合惩戒名单台账",
    columns=[
        Column("编号", "number", 16),
        Column("企业名称", "enterprise.name", 30),
        Column("统一社会信用代码", "enterprise.uscc", 22),
        Column("镇/街道", "enterprise.town.name", 10),
        Column("列入条件", "get_condition_display", 40),
        Column("提出方式", "get_origin_display", 12),
        Column("状态", "get_status_display", 14),
        Column("告知书送达日期", "notice_served_on", 14, "date"),
        Column("陈述申辩期限", "defence_due", 14, "date"),
        Column("决定日期", "decided_on", 12, "date"),
        Column("列入起始日", "term_start", 12, "date"),
        Column("列入截止日", "term_end", 12, "date"),
        Column("移出日期", "ended_on", 12, "date"),
    ],
    screen=[
        Header("编号"),
        Header("企业名称", "企业"),
        Header("列入条件", "条件", "d-none d-lg-table-cell"),
        Header("状态"),
        Header("告知书送达日期", "送达", "d-none d-md-table-cell"),
        Header("陈述申辩期限", "申辩期限", "d-none d-md-table-cell"),
        Header("决定日期", "决定", "d-none d-lg-table-cell"),
        Header("列入截止日", "期满日"),
    ],
    filter_form=f.ListingFilter,
    select=selectors.listing_list,
    permission=VIEW,
    export_permission=EXPORT,
    template="credit/listing_list.html",
    partial="credit/_listing_table.html",
    page_title="失信联合惩戒名单",
    context=lambda request, context: {
        "today": timezone.localdate(),
        "may_decide": access.may_decide(request.user),
    },
)
listing_list = ledger_view(LISTINGS)


# --- 提出拟列入 -----------------------------------------------------------------------------------------


def _find_subject(user: Any, data: dict) -> tuple[Enterprise | None, Case | None]:
    """The enterprise by its credit code or the case by its number, as the user sees them."""
    number = (data.get("case_number") or "").strip()
    if number:
        case = Case.objects.for_user(user).select_related("enterprise").filter(number=number).first()
        if case is None:
            raise DomainError(f"未找到案件 {number}（或不在您的范围内）", field="case_number")
        return None, case
    code = normalize_uscc(data.get("uscc"))
    enterprise = Enterprise.objects.for_user(user).filter(uscc=code).first()
    if enterprise is None:
        raise DomainError(f"未找到统一社会信用代码为 {code} 的企业", field="uscc")
    return enterprise, None


@login_required
@permission_required(VIEW, raise_exception=True)
def listing_new(request: HttpRequest) -> HttpResponse:
    if not access.may_decide(request.user):
        raise PermissionDenied(services.DECIDERS_ONLY)
    initial: dict[str, Any] = {}
    case = None
    if request.method == "GET" and request.GET.get("case"):
        case = (
            Case.objects.for_user(request.user).filter(pk=request.GET["case"]).first()
            if request.GET["case"].isdigit()
            else None
        )
        if case is not None:
            initial["case_number"] = case.number
            met = [c for c in services.case_conditions(case) if c["met"]]
            if met:
                initial["condition"] = met[0]["condition"]
                initial["reasons"] = f"案件 {case.number} 符合列入条件：" + "；".join(met[0]["lines"])
    form = f.ProposeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        try:
            enterprise, case = _find_subject(request.user, v)
            listing = services.listing_propose(
                actor=request.user,  # type: ignore[arg-type]
                condition=v["condition"],
                reasons=v["reasons"],
                enterprise=enterprise,
                case=case,
            )
        except (DomainError, PermissionDenied) as exc:
            field = getattr(exc, "field", None)
            form.add_error(field if field in form.fields else None, _message(exc))
        else:
            messages.success(
                request, f"已提出拟列入：{listing.number}。请登记列入人员，制作并送达拟列入告知书。"
            )
            return redirect("credit-listing", listing.pk)
    return render(
        request,
        "credit/listing_new.html",
        {"page_title": "提出拟列入失信联合惩戒名单", "form": form, "conditions": Condition.choices},
        status=400 if request.method == "POST" else 200,
    )


# --- the listing's page ---------------------------------------------------------------------------------


def _forms(listing: Listing, bound: dict, today: Any) -> dict:
    """The step forms open in the listing's status (for a decider)."""
    s = listing.status
    forms: dict[str, Any] = {}
    if s == ListingStatus.PROPOSED:
        forms["serve"] = bound.get("serve") or f.ServeForm(initial={"served_on": today, "issued_on": today})
        forms["drop"] = bound.get("drop") or f.DropForm()
    if s in (ListingStatus.PROPOSED, ListingStatus.NOTICED):
        forms["person"] = bound.get("person") or f.PersonForm()
    if s == ListingStatus.NOTICED:
        forms["defence"] = bound.get("defence") or f.DefenceForm(initial={"received_on": today})
        forms["answer"] = bound.get("answer")
        forms["decide"] = bound.get("decide") or f.DecideForm(initial={"decided_on": today})
    if s == ListingStatus.LISTED:
        # The application form is offered from the first day one may be made (the page says which day);
        # a bound form with its errors is always shown again.
        first, _info = services.early_removal_from(listing) if listing.term_start else (today, {})
        pending = listing.removals.filter(status=RemovalStatus.PENDING).exists()
        if "removal_apply" in bound or (not pending and today >= first):
            forms["removal_apply"] = bound.get("removal_apply") or f.RemovalApplyForm(
                initial={"applied_on": today}
            )
        forms["removal_decide"] = bound.get("removal_decide")
    return forms


def render_listing_page(
    request: HttpRequest, listing: Listing, *, status: int = 200, **bound: Any
) -> HttpResponse:
    today = timezone.localdate()
    may = access.may_decide(request.user)
    page = selectors.listing_page(listing)
    context: dict[str, Any] = {
        "page_title": f"{listing.number} {listing.enterprise.name}",
        "listing": listing,
        "today": today,
        "may_decide": may,
        "forms": _forms(listing, bound, today) if may else {},
        "error": bound.get("error", ""),
        "blocks": sections.gather(sections.LISTING_SECTIONS, request, listing),
        "documents": [
            (kind, title) for kind, (title, has) in listing_documents.DOCUMENTS.items() if has(listing)
        ],
        **page,
    }
    if listing.status == ListingStatus.NOTICED:
        context["decision_problems"] = services.decision_problems(listing, today)
        context["defence_open"] = listing.defence_due is not None and today <= listing.defence_due
    if listing.status == ListingStatus.LISTED and listing.term_start:
        context["removal_from"], _info = services.early_removal_from(listing)
    return render(request, "credit/listing_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_listing_page(request, selectors.listing_get(user=request.user, pk=pk))


FORMS = {
    "serve": f.ServeForm,
    "drop": f.DropForm,
    "person": f.PersonForm,
    "person_remove": f.PersonRemoveForm,
    "defence": f.DefenceForm,
    "answer": f.AnswerForm,
    "decide": f.DecideForm,
    "removal_apply": f.RemovalApplyForm,
    "removal_decide": f.RemovalDecideForm,
}


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def listing_act(request: HttpRequest, pk: int, do: str) -> HttpResponse:
    """One step of the procedure (``do`` names the form); 403 for anyone but 人社局 and the office."""
    listing = selectors.listing_get(user=request.user, pk=pk)
    if do not in FORMS:
        raise Http404
    if not access.may_decide(request.user):
        raise PermissionDenied(services.DECIDERS_ONLY)
    form = FORMS[do](request.POST, request.FILES)
    if not form.is_valid():
        return render_listing_page(request, listing, status=400, **{do: form})
    try:
        text = _do(do, request.user, listing, form.cleaned_data)
    except (DomainError, ValidationError, PermissionDenied) as exc:
        field = getattr(exc, "field", None)
        form.add_error(field if field in form.fields else None, _message(exc))
        return render_listing_page(request, listing, status=400, error=_message(exc), **{do: form})
    messages.success(request, text)
    return redirect("credit-listing", listing.pk)


def _do(do: str, user: Any, listing: Listing, v: dict) -> str:
    if do == "serve":
        services.listing_serve_notice(
            actor=user,
            listing=listing,
            served_on=v["served_on"],
            reference=v["reference"],
            method=v["method"],
            issued_on=v.get("issued_on"),
            proof=_paper(v.get("proof")),
        )
        return f"已登记送达，陈述申辩期限至 {listing.defence_due:%Y-%m-%d}。"
    if do == "drop":
        services.listing_drop(actor=user, listing=listing, reasons=v["reasons"])
        return "已撤销拟列入。"
    if do == "person":
        services.listed_person_add(
            actor=user, listing=listing, role=v["role"], name=v["name"], id_number=v["id_number"]
        )
        return "已登记列入人员。"
    if do == "person_remove":
        person = ListedPerson.objects.filter(listing=listing, pk=v["person"]).first()
        if person is None:
            raise DomainError("该人员不在本名单中")
        services.listed_person_remove(actor=user, person=person, reason=v["reason"])
        return "已删除列入人员。"
    if do == "defence":
        services.defence_record(
            actor=user,
            listing=listing,
            received_on=v["received_on"],
            summary=v["summary"],
            paper=_paper(v.get("paper")),
        )
        return "已登记陈述申辩；作出决定前须复核答复。"
    if do == "answer":
        defence = Defence.objects.filter(listing=listing, pk=v["statement"]).first()
        if defence is None:
            raise DomainError("该陈述申辩不在本名单中")
        services.defence_answer(actor=user, defence=defence, adopted=v["adopted"], answer=v["answer"])
        return "已复核答复陈述申辩。"
    if do == "decide":
        services.listing_decide(
            actor=user,
            listing=listing,
            decision=v["decision"],
            reasons=v["reasons"],
            decided_on=v["decided_on"],
            reference=v.get("reference", ""),
        )
        return "已决定列入，联合惩戒任务已下达各单位。" if v["decision"] == "list" else "已决定不予列入。"
    if do == "removal_apply":
        services.removal_apply(
            actor=user,
            listing=listing,
            applied_on=v["applied_on"],
            corrected_on=v["corrected_on"],
            pledge_file=_paper(v.get("pledge")),
            reasons=v.get("reasons", ""),
        )
        return "已登记提前移出申请。"
    application = RemovalApplication.objects.filter(listing=listing, pk=v["application"]).first()
    if application is None:
        raise DomainError("该申请不在本名单中")
    services.removal_decide(
        actor=user,
        application=application,
        grant=v["grant"],
        reasons=v["reasons"],
        decided_on=v["decided_on"],
    )
    return "已准予提前移出，解除惩戒任务已下达各单位。" if v["grant"] else "已决定不予提前移出。"


# --- documents and papers -------------------------------------------------------------------------------


BUILD = {
    "notice": listing_documents.notice,
    "decision": listing_documents.decision,
    "not-listed": listing_documents.not_listed,
}


@login_required
@permission_required(VIEW, raise_exception=True)
def listing_document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One of the listing's Word documents, built from the record and logged as an export (a GET writes
    nothing to the listing's history)."""
    listing = selectors.listing_get(user=request.user, pk=pk)
    if kind not in BUILD:
        raise Http404
    title, has = listing_documents.DOCUMENTS[kind]
    if not has(listing):
        raise Http404
    content = BUILD[kind](listing)
    return docx_response(
        request,
        content,
        filename=f"{title}-{listing.enterprise.name}",
        summary=f"导出{title}：{listing.number}",
        detail={"listing": listing.pk, "kind": kind},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def removal_document(request: HttpRequest, pk: int, application: int) -> HttpResponse:
    listing = selectors.listing_get(user=request.user, pk=pk)
    found = listing.removals.filter(pk=application).exclude(status=RemovalStatus.PENDING).first()
    if found is None:
        raise Http404
    title = "提前移出决定书" if found.status == RemovalStatus.GRANTED else "不予提前移出决定书"
    content = listing_documents.removal(found)
    return docx_response(
        request,
        content,
        filename=f"{title}-{listing.enterprise.name}",
        summary=f"导出{title}：{listing.number}",
        detail={"listing": listing.pk, "removal": found.pk},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def listing_file(request: HttpRequest, pk: int, file: int) -> FileResponse:
    """A paper of the listing (送达回证, 陈述申辩材料, 信用承诺书) to whoever sees the listing."""
    listing = selectors.listing_get(user=request.user, pk=pk)
    ids = (
        {listing.service_proof_id}
        | set(listing.defences.values_list("paper_id", flat=True))
        | set(listing.removals.values_list("pledge_id", flat=True))
    )
    if file not in ids:
        raise Http404
    paper = CreditFile.objects.get(pk=file)
    response = FileResponse(paper.file.open("rb"), content_type=paper.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=False, filename=f"{paper.get_kind_display()}-{listing.number}{paper.extension}"
        )
        or ""
    )
    return response


# --- sections elsewhere: the enterprise's 信用 tab, the overview, the case page, the menu -----------------


def tab_section(request: HttpRequest, enterprise: Enterprise) -> dict | None:
    """The enterprise's 信用 tab: its listings (in force first), for whoever sees them."""
    rows = selectors.enterprise_listings(user=request.user, enterprise=enterprise)
    may = access.may_decide(request.user)
    if not rows and not may:
        return None
    today = timezone.localdate()
    in_force = [
        r
        for r in rows
        if r.status == ListingStatus.LISTED
        and r.term_start
        and r.term_start <= today <= (r.term_end or today)
    ]
    return {
        "template": "credit/_listing_tab.html",
        "listings": rows,
        "in_force": in_force[0] if in_force else None,
        "may_decide": may,
        "enterprise": enterprise,
    }


def overview_card(request: HttpRequest) -> dict | None:
    """The overview's card: defence periods ending, decisions due, terms ending this month, removal
    applications pending."""
    counts = selectors.overview_counts(user=request.user)
    return {
        "template": "credit/_listing_card.html",
        "width": "col-lg-12",
        "counts": counts,
        "may_decide": access.may_decide(request.user),
    }


def case_tabs(request: HttpRequest, case: Case) -> list[seam.Tab]:
    """``seam.CASE_TABS``: 失信惩戒, for whoever reads listings."""
    if not request.user.has_perm(VIEW):
        return []
    return [{"key": "credit", "label": "失信惩戒", "render": render_case_tab}]


def render_case_tab(request: HttpRequest, case: Case, **_bound: Any) -> str:
    checks = services.case_conditions(case)
    listings = selectors.case_listings(user=request.user, case=case)
    open_listing = (
        Listing.objects.for_user(request.user)
        .filter(enterprise_id=case.enterprise_id, status__in=OPEN_LISTING)
        .only("pk", "number", "status")
        .first()
    )
    context = {
        "case": case,
        "checks": [c | {"label": Condition(c["condition"]).label} for c in checks],
        "listings": listings,
        "open_listing": open_listing,
        "may_propose": access.may_decide(request.user)
        and open_listing is None
        and any(c["met"] for c in checks),
    }
    return render_to_string("credit/listing_case_tab.html", context, request=request)


def menu(user: Any) -> list[seam.MenuItem]:
    if not user.has_perm(VIEW):
        return []
    return [
        {
            "label": "失信联合惩戒名单",
            "url_name": "credit-listings",
            "icon": "list-details",
            "order": 10,
            "group": "credit",
        }
    ]


__all__ = [
    "case_tabs",
    "listing_act",
    "listing_detail",
    "listing_document",
    "listing_file",
    "listing_list",
    "listing_new",
    "menu",
    "overview_card",
    "removal_document",
    "tab_section",
]
