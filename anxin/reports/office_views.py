"""Screens of the office's analysis and circular (§五(二)): ``/reports/office/`` lists the documents by
period (the office composes a period's document there; a member unit sees the circulars issued to
it), the document's page shows the data sections with charts, the editable body, the actions its
state allows (the office: refresh, edit, submit, issue; the office director: approve or return) and
its history; the Word document prints the record. The director's home panel lists what waits for
approval. Reads through ``office_selectors`` (scoped: a unit asking for an analysis or a draft gets a
404); writes through ``services.office``."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anxin.core import seam
from anxin.core.access import scope_of
from anxin.core.audit import history_for
from anxin.core.errors import DomainError
from anxin.core.gongwen import docx_response
from anxin.core.paging import paginate
from anxin.reports import access, office_documents, periods
from anxin.reports import office_selectors as selectors
from anxin.reports.models import DocumentKind, DocumentStatus, OfficeDocument
from anxin.reports.office_forms import (
    ApproveForm,
    BodyForm,
    ComposeForm,
    DocumentFilter,
    IssueForm,
    ReturnForm,
)
from anxin.reports.periodic_selectors import sees_all
from anxin.reports.services import office as services
from anxin.reports.workflow import DOCUMENT_LABELS, DOCUMENTS

VIEW = "reports.view_officedocument"


def _message(exc: Exception) -> str:
    return exc.message if isinstance(exc, DomainError) else (str(exc) or services.COMPOSERS_ONLY)


# --- the list -------------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def document_list(request: HttpRequest) -> HttpResponse:
    may_compose = access.may_compose(request.user)
    compose = None
    if may_compose:
        compose = ComposeForm(
            request.POST or None,
            initial={"kind": DocumentKind.ANALYSIS, "period": periods.last_ended().key},
            auto_id="compose_%s",  # the filters above have a "kind" and a "period" too
        )
    status = 200
    if request.method == "POST":
        if compose is None:
            raise PermissionDenied(services.COMPOSERS_ONLY)
        if compose.is_valid():
            try:
                document = services.document_compose(
                    actor=request.user,  # type: ignore[arg-type]
                    kind=compose.cleaned_data["kind"],
                    period=compose.cleaned_data["period"].strip(),
                )
            except DomainError as exc:
                compose.add_error(exc.field if exc.field in compose.fields else None, exc.message)
            else:
                messages.success(request, f"已依数据起草：{document.title}。请核对数据，修改正文后送审。")
                return redirect("reports-office-document", document.pk)
        status = 400
    form = DocumentFilter(request.GET or None)
    rows = selectors.document_list(user=request.user, **form.filters())
    everything = scope_of(request.user).everything
    context = {
        "page_title": "形势分析报告与情况通报" if everything else "情况通报",
        "form": form,
        "compose": compose,
        "everything": everything,
        **paginate(request, rows),
    }
    return render(request, "reports/office_list.html", context, status=status)


# --- the document's page ----------------------------------------------------------------------------------


def _charts(document: OfficeDocument) -> list[dict]:
    """ECharts specs for the page (``static/anxin/anxin.js`` draws ``data-chart``): the headline
    figures' trends over the last periods (``office_selectors.HEADLINE``: not one chart per figure of
    the catalogue), and signals received by town."""
    snapshot = document.data or {}
    charts = []
    trends = snapshot.get("trends") or {}
    every = trends.get("series") or {}
    for code in [c for c in selectors.HEADLINE if c in every]:
        series = every[code]
        if not any(series["values"]):
            continue  # six empty periods: nothing to draw
        values = [v / 100 for v in series["values"]] if series.get("money") else series["values"]
        charts.append(
            {
                "key": f"trend-{code}",
                "title": f"{series['label']}（近{len(values)}期，{'元' if series.get('money') else series['unit']}）",
                "spec": json.dumps(
                    {"type": "bar", "labels": [p[2:] for p in trends.get("periods", [])], "values": values},
                    ensure_ascii=False,
                ),
            }
        )
    district = snapshot.get("district") or {}
    towns = snapshot.get("towns") or []
    if district and towns:
        code = "signals_received" if "signals_received" in district else next(iter(district))
        charts.append(
            {
                "key": f"towns-{code}",
                "title": f"{district[code]['label']}（分镇街）",
                "spec": json.dumps(
                    {
                        "type": "bar",
                        "labels": [t["name"] for t in towns],
                        "values": [t["figures"].get(code, {}).get("value", 0) for t in towns],
                    },
                    ensure_ascii=False,
                ),
            }
        )
    return charts


def _loads(value: Any) -> dict:
    """A body as the audit log keeps it (JSON text; ``"None"`` before there was one)."""
    try:
        found = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _body_history(document: OfficeDocument) -> list[dict]:
    """Each edit of the body from the audit log, newest first: who, when, and each part changed
    (before → after) — readable where the raw log would show JSON."""
    parts = services.parts_of(document.kind)
    rows = []
    for entry in history_for(document)[:50]:
        change = (entry.changes_dict or {}).get("body")
        if not change or len(change) != 2:
            continue
        old, new = _loads(change[0]), _loads(change[1])
        if not old:  # the draft itself, composed from the data
            continue
        changed = [
            (label, old.get(key, ""), new.get(key, ""))
            for key, label in parts
            if old.get(key, "") != new.get(key, "")
        ]
        if changed:
            rows.append({"entry": entry, "parts": changed})
    return rows


def _unit_tables(snapshot: dict) -> list[dict]:
    """The figures by town and by line as table rows (each value as text: 元 for money)."""
    district = snapshot.get("district") or {}
    codes = list(district)
    tables = []
    for key, title in (("towns", "分镇（街道）"), ("lines", "分条线（部门）")):
        rows = snapshot.get(key) or []
        if rows:
            tables.append(
                {
                    "key": key,
                    "title": title,
                    "header": [district[c]["label"] for c in codes],
                    "rows": [
                        (
                            r["name"],
                            [
                                services.value_text(r["figures"][c]) if c in r["figures"] else "—"
                                for c in codes
                            ],
                        )
                        for r in rows
                    ],
                }
            )
    return tables


def _page(request: HttpRequest, document: OfficeDocument, *, status: int = 200, **bound: Any) -> HttpResponse:
    user = request.user
    composer = access.may_compose(user)
    director = access.may_approve(user)
    editable = composer and document.status in services.EDITABLE
    forms: dict[str, Any] = {}
    if editable:
        forms["save"] = bound.get("save") or BodyForm(kind=document.kind, initial=document.body or {})
    if director and document.status == DocumentStatus.SUBMITTED:
        forms["approve"] = bound.get("approve") or ApproveForm()
        forms["return"] = bound.get("return") or ReturnForm()
    if composer and document.status == DocumentStatus.APPROVED:
        forms["issue"] = bound.get("issue") or IssueForm(initial={"issued_on": timezone.localdate()})
    # The review trail (the director's return comments, the body's edits) is the office's and the
    # leaders'; a member unit reading the issued circular sees the document only.
    insider = sees_all(user)
    events = (
        [
            {"label": DOCUMENT_LABELS.get(e.action, e.action), "event": e}
            for e in document.events.select_related("actor").order_by("at", "pk")
        ]
        if insider
        else []
    )
    snapshot = document.data or {}
    context = {
        "page_title": document.title,
        "document": document,
        "data": snapshot,
        "district": [(f, services.value_text(f)) for f in (snapshot.get("district") or {}).values()],
        "unit_tables": _unit_tables(snapshot),
        "parts": [
            (key, label, (document.body or {}).get(key, ""))
            for key, label in services.parts_of(document.kind)
        ],
        "charts": _charts(document),
        "forms": forms,
        "may_refresh": editable,
        "may_submit": composer and DOCUMENTS.find(document.status, "submit") is not None,
        "events": events,
        "body_history": _body_history(document) if insider else [],
        "insider": insider,
        "error": bound.get("error", ""),
        "is_analysis": document.kind == DocumentKind.ANALYSIS,
        # the units' reports are linked for those who read every unit's (a unit reads its own only)
        "sees_reports": sees_all(request.user),
        "issued_to": list(document.issued_to.order_by("kind", "order"))
        if document.status == DocumentStatus.ISSUED
        else [],
    }
    return render(request, "reports/office_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.document_get(user=request.user, pk=pk))


FORMS = {"save": BodyForm, "approve": ApproveForm, "return": ReturnForm, "issue": IssueForm}
DONE = {
    "refresh": "已重新汇总数据（正文未变，请核对）。",
    "save": "已保存正文。",
    "submit": "已送联席办主任审核。",
    "approve": "已审核通过，联席办可编文号印发。",
    "return": "已退回修改，意见已通知起草人。",
    "issue": "已印发，文件已送达收文单位。",
}


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def document_act(request: HttpRequest, pk: int, do: str) -> HttpResponse:
    document = selectors.document_get(user=request.user, pk=pk)
    if do not in DONE:
        raise Http404
    user: Any = request.user
    form = None
    if do in FORMS:
        form = BodyForm(request.POST, kind=document.kind) if do == "save" else FORMS[do](request.POST)
        if not form.is_valid():
            return _page(request, document, status=400, **{do: form})
    v = form.cleaned_data if form is not None else {}
    try:
        if do == "refresh":
            services.document_refresh(actor=user, document=document)
        elif do == "save":
            services.document_save(actor=user, document=document, body=v)
        elif do == "submit":
            services.document_submit(actor=user, document=document)
        elif do == "approve":
            services.document_approve(actor=user, document=document, note=v.get("note", ""))
        elif do == "return":
            services.document_return(actor=user, document=document, comments=v["comments"])
        else:
            services.document_issue(
                actor=user, document=document, reference=v["reference"], issued_on=v["issued_on"]
            )
    except DomainError as exc:
        if form is not None:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _page(request, document, status=400, error=exc.message, **({do: form} if form else {}))
    messages.success(request, DONE[do])
    return redirect("reports-office-document", document.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def document_word(request: HttpRequest, pk: int) -> HttpResponse:
    """The Word document, built from the record; logged as an export."""
    document = selectors.document_get(user=request.user, pk=pk)
    return docx_response(
        request,
        office_documents.build(document),
        filename=f"{document.get_kind_display()}-{document.period}",
        summary=f"导出{document.get_kind_display()}：{document.title}",
        detail={"document": document.pk, "status": document.status},
    )


# --- panels and menu ----------------------------------------------------------------------------------------


def home_panels(request: HttpRequest) -> list[seam.Panel]:
    """``seam.HOME_PANELS``: the office director's 待审核文件."""
    if not access.may_approve(request.user):
        return []
    waiting = list(selectors.awaiting_approval()[:20])
    return [{"template": "reports/_office_approval_panel.html", "order": 7, "documents": waiting}]  # type: ignore[typeddict-unknown-key]


def menu(user: Any) -> list[seam.MenuItem]:
    if not user.has_perm(VIEW):
        return []
    label = "形势分析与情况通报" if scope_of(user).everything else "情况通报"
    return [
        {
            "label": label,
            "url_name": "reports-office",
            "icon": "file-analytics",
            "order": 20,
            "group": "reports",
        }
    ]
