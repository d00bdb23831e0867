"""Screens of the minutes: the minutes' page of a meeting (status, text, decisions, the actions open to
the office or the convener in its state, the Word 纪要), the draft form (text and decisions), the
actions (submit, sign, return, issue), and the two blocks the meeting's page composes
(``sections.MEETING_SECTIONS``: 20 the minutes, 30 the decisions)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from anxin.conference import access, minutes_documents
from anxin.conference import minutes_forms as f
from anxin.conference import minutes_selectors as selectors
from anxin.conference.models import Meeting, MeetingStatus, Minutes, MinutesStatus
from anxin.conference.services import minutes as services
from anxin.conference.workflow import DRAFT, ISSUE, MEETING_LABELS, RETURN, SIGN, SUBMIT
from anxin.core.access import scope_of
from anxin.core.audit import history_for, with_change_rows
from anxin.core.errors import DomainError
from anxin.core.gongwen import docx_response

VIEW = "conference.view_minutes"


def meeting_url(meeting: Meeting) -> str:
    """The meeting's page."""
    return reverse("conference-meeting", args=[meeting.pk])


def _message(exc: Exception) -> str:
    return exc.message if isinstance(exc, DomainError) else (str(exc) or services.OFFICE_ONLY)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def minutes_block(request: Any, meeting: Meeting, *, bound: dict | None = None) -> dict:
    """What the minutes' block shows the user: the minutes they may read, and the forms open to them."""
    bound = bound or {}
    user = request.user
    minutes = selectors.minutes_for(user=user, meeting=meeting)
    office = access.may_manage(user)
    convener = access.is_convener(user)
    status = minutes.status if minutes else ""
    block: dict[str, Any] = {
        "template": "conference/_minutes_block.html",
        "meeting": meeting,
        "minutes": minutes,
        "held": meeting.status == MeetingStatus.HELD,
        "may_draft": office
        and meeting.status == MeetingStatus.HELD
        and status in ("", MinutesStatus.DRAFT, MinutesStatus.RETURNED),
        "may_submit": office and status in (MinutesStatus.DRAFT, MinutesStatus.RETURNED),
        "next": request.get_full_path(),
        "office": office,
        "convener": convener,
    }
    if minutes is not None:
        block["word_label"] = (
            "下载纪要（Word）" if status == MinutesStatus.ISSUED else "下载征求意见稿（Word）"
        )
        if convener and status == MinutesStatus.SUBMITTED:
            block["sign_form"] = bound.get("sign") or f.SignForm()
            block["return_form"] = bound.get("return") or f.ReturnForm()
        if office and status == MinutesStatus.SIGNED:
            block["issue_form"] = bound.get("issue") or f.IssueForm(
                initial={
                    "reference": services.suggest_minutes_reference(),
                    "units": services.default_recipients(minutes),
                }
            )
        if status == MinutesStatus.ISSUED:
            block["issued_to"] = list(minutes.issued_to.order_by("order", "code"))
    return block


def decisions_block(request: Any, meeting: Meeting) -> dict | None:
    """The meeting's decisions table (those the user may read: a unit, its own and co-handled)."""
    minutes = selectors.minutes_for(user=request.user, meeting=meeting)
    if minutes is None:
        return None
    from anxin.conference.models import Decision

    rows = list(
        Decision.objects.for_user(request.user)
        .filter(minutes=minutes)
        .select_related("owner")
        .prefetch_related("co_units")
        .order_by("seq")
    )
    if not rows:
        return None
    return {
        "template": "conference/_minutes_decisions.html",
        "decisions": rows,
        "issued": minutes.status == MinutesStatus.ISSUED,
        "today": timezone.localdate(),
    }


def meeting_section_minutes(request: Any, meeting: Meeting) -> dict | None:
    """``sections.MEETING_SECTIONS`` (20): the minutes' block on the meeting's page."""
    if not request.user.has_perm(VIEW):
        return None
    return minutes_block(request, meeting)


def meeting_section_decisions(request: Any, meeting: Meeting) -> dict | None:
    """``sections.MEETING_SECTIONS`` (30): the meeting's decisions."""
    if not request.user.has_perm("conference.view_decision"):
        return None
    return decisions_block(request, meeting)


def _page(
    request: HttpRequest, meeting: Meeting, *, status: int = 200, bound: dict | None = None, error: str = ""
) -> HttpResponse:
    context = {
        "error": error,
        "page_title": f"{meeting.title} · 会议纪要",
        "meeting": meeting,
        "meeting_url": meeting_url(meeting),
        "minutes_block": minutes_block(request, meeting, bound=bound),
        "decisions": decisions_block(request, meeting),
        "events": _events(request, meeting),
        "entries": _entries(request, meeting),
    }
    return render(request, "conference/minutes_page.html", context, status=status)


MINUTES_ACTIONS = (DRAFT, SUBMIT, SIGN, RETURN, ISSUE)


def _events(request: Any, meeting: Meeting) -> list[dict]:
    """The minutes' lines of the meeting's history (drafted, edited, submitted, signed, returned,
    issued) — for those who see the minutes at every stage (a unit reads the issued minutes only)."""
    if not scope_of(request.user).everything:
        return []
    rows = meeting.events.filter(action__in=MINUTES_ACTIONS).select_related("actor").order_by("at", "pk")
    return [{"label": MEETING_LABELS.get(e.action, e.action), "event": e} for e in rows]


def _entries(request: Any, meeting: Meeting) -> list:
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None or not scope_of(request.user).everything:
        return []
    return with_change_rows(history_for(minutes, related=list(minutes.decisions.all()))[:50])


@login_required
@permission_required(VIEW, raise_exception=True)
def minutes_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if (
        selectors.minutes_for(user=request.user, meeting=meeting) is None
        and not scope_of(request.user).everything
    ):
        raise Http404("该会议纪要尚未印发")
    return _page(request, meeting)


def _decision_inputs(formset: Any) -> list[services.DecisionInput]:
    items = []
    for form in formset.forms:
        if form.blank:
            continue
        v = form.cleaned_data
        items.append(
            services.DecisionInput(
                subject=v.get("subject") or "",
                result=v.get("result") or "",
                owner=v.get("owner"),
                co_units=list(v.get("co_units") or []),
                due=v.get("due"),
            )
        )
    return items


def _initial(minutes: Minutes | None) -> tuple[dict, list[dict]]:
    if minutes is None:
        return {}, []
    rows = [
        {
            "subject": d.subject,
            "result": d.result_required,
            "owner": d.owner,
            "co_units": list(d.co_units.all()),
            "due": d.due_on,
        }
        for d in selectors.decisions_of(minutes)
    ]
    return {"text": minutes.text}, rows


@login_required
@permission_required(VIEW, raise_exception=True)
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The office drafts or edits the minutes (a held meeting; the minutes a draft or returned)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if not access.may_manage(request.user):
        raise PermissionDenied(services.OFFICE_ONLY)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    error = ""
    if minutes is not None and minutes.status not in (MinutesStatus.DRAFT, MinutesStatus.RETURNED):
        messages.error(request, f"会议纪要处于“{minutes.get_status_display()}”状态，不能修改。")
        return redirect("conference-minutes", meeting.pk)
    text_initial, rows = _initial(minutes)
    form = f.MinutesForm(request.POST or None, initial=text_initial)
    formset = f.DecisionFormSet(request.POST or None, initial=rows, prefix="d")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            services.minutes_draft(
                actor=request.user,  # type: ignore[arg-type]
                meeting=meeting,
                text=form.cleaned_data["text"],
                decisions=_decision_inputs(formset),
            )
        except (DomainError, PermissionDenied) as exc:
            error = _message(exc)
            form.add_error("text" if getattr(exc, "field", None) == "text" else None, error)
        else:
            messages.success(request, "会议纪要已保存。核对无误后请送召集人审签。")
            return redirect("conference-minutes", meeting.pk)
    context = {
        "page_title": f"{meeting.title} · 起草会议纪要",
        "meeting": meeting,
        "meeting_url": meeting_url(meeting),
        "minutes": minutes,
        "form": form,
        "formset": formset,
        "held": meeting.status == MeetingStatus.HELD,
    }
    return render(
        request, "conference/minutes_edit.html", context, status=400 if request.method == "POST" else 200
    )


FORMS = {"sign": f.SignForm, "return": f.ReturnForm, "issue": f.IssueForm}


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def minutes_act(request: HttpRequest, pk: int, do: str) -> HttpResponse:
    """Submit (office), sign or return (the convener), issue (office)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if do not in ("submit", *FORMS):
        raise Http404
    minutes = selectors.minutes_for(user=request.user, meeting=meeting)
    if minutes is None:
        raise Http404("该会议尚无纪要")
    user: Any = request.user
    form = FORMS[do](request.POST) if do in FORMS else None
    if form is not None and not form.is_valid():
        if do in ("sign", "return") and not access.is_convener(user):
            raise PermissionDenied(services.CONVENER_ONLY)
        return _page(request, meeting, status=400, bound={do: form})
    try:
        if do == "submit":
            services.minutes_submit(actor=user, minutes=minutes)
            text = "已送召集人审签。"
        elif do == "sign":
            services.minutes_sign(actor=user, minutes=minutes, opinion=form.cleaned_data["opinion"])  # type: ignore[union-attr]
            text = "已审签，联席办将编号印发。"
        elif do == "return":
            services.minutes_return(actor=user, minutes=minutes, comments=form.cleaned_data["comments"])  # type: ignore[union-attr]
            text = "已退回联席办修改。"
        else:
            v = form.cleaned_data  # type: ignore[union-attr]
            services.minutes_issue(
                actor=user, minutes=minutes, reference=v["reference"], units=list(v["units"])
            )
            text = f"已印发（{v['reference']}），议定事项已交办各牵头单位。"
    except DomainError as exc:
        if form is None:
            messages.error(request, exc.message)
            return redirect(_safe_next(request) or reverse("conference-minutes", args=[meeting.pk]))
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _page(request, meeting, status=400, bound={do: form}, error=exc.message)
    messages.success(request, text)
    return redirect(_safe_next(request) or reverse("conference-minutes", args=[meeting.pk]))


@login_required
@permission_required(VIEW, raise_exception=True)
def minutes_word(request: HttpRequest, pk: int) -> HttpResponse:
    """The Word 纪要 (issued), or the draft marked 征求意见稿 (office and leaders only: a unit reads
    issued minutes only)."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    minutes = selectors.minutes_for(user=request.user, meeting=meeting)
    if minutes is None:
        raise Http404("该会议尚无纪要")
    content = minutes_documents.document(minutes)
    draft = minutes_documents.is_draft(minutes)
    title = f"{meeting.title}纪要" + ("（征求意见稿）" if draft else "")
    return docx_response(
        request,
        content,
        filename=title,
        summary=f"导出会议纪要：{meeting.number}"
        + ("（征求意见稿）" if draft else f"（{minutes.reference}）"),
        detail={"meeting": meeting.pk, "minutes": minutes.pk, "draft": draft},
    )
