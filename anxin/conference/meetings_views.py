"""Screens of the meetings part: the meetings ledger (filters, pages, Excel), the month calendar,
scheduling and editing, the meeting's page (attendance, papers, pack, history, the minutes part's
sections), the pack page and its Word, proposals (a unit proposes, the office schedules or declines),
the posts page; the home and cockpit panels (days since the last plenary) and the menu. Every form
calls a service; a refusal comes back on the page with what was typed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anxin.conference import access, meetings_documents, sections
from anxin.conference import meetings_forms as f
from anxin.conference import meetings_selectors as selectors
from anxin.conference.models import (
    ConferencePost,
    Meeting,
    MeetingKind,
    MeetingProposal,
    MeetingStatus,
    ProposalStatus,
    Topic,
)
from anxin.conference.services import meetings as services
from anxin.core import seam
from anxin.core.access import scope_of
from anxin.core.errors import DomainError
from anxin.core.gongwen import docx_response
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.core.paging import paginate

VIEW = "conference.view_meeting"
EXPORT = "conference.export_conference"


def _message(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or services.OFFICE_ONLY


def _papers(upload: Any) -> list[services.Paper]:
    return [services.Paper(name=upload.name, content=upload.read())] if upload else []


def _fail(form: Any, exc: Exception) -> None:
    field = getattr(exc, "field", None)
    form.add_error(field if field in form.fields else None, _message(exc))


# --- the ledger ------------------------------------------------------------------------------------


def _topics(meeting: Meeting) -> str:
    return "、".join(meeting.topic_labels)


MEETINGS = Ledger(
    title="联席会议台账",
    columns=[
        Column("编号", "number", 14),
        Column("会议类型", "get_kind_display", 10),
        Column("会议名称", "title", 30),
        Column("会议日期", "date", 12, "date"),
        Column("地点", "place", 20),
        Column("主持人", "chair.display_name", 10),
        Column("主持人职务", "get_chair_post_display", 12),
        Column("议题", _topics, 30),
        Column("邀请单位数", "invited", 10, "int"),
        Column("出席单位数", "present", 10, "int"),
        Column("状态", "get_status_display", 10),
    ],
    screen=[
        Header("编号"),
        Header("会议类型", "类型"),
        Header("会议名称", "会议"),
        Header("会议日期", "日期"),
        Header("地点", "地点", "d-none d-lg-table-cell"),
        Header("主持人", "主持", "d-none d-md-table-cell"),
        Header("出席单位数", "出席/邀请", "d-none d-md-table-cell"),
        Header("状态"),
    ],
    filter_form=f.MeetingFilter,
    select=selectors.meeting_list,
    permission=VIEW,
    export_permission=EXPORT,
    template="conference/meeting_list.html",
    partial="conference/_meeting_table.html",
    page_title="联席会议",
    context=lambda request, context: {
        "may_manage": access.may_manage(request.user),
        "may_propose": access.may_propose(request.user),
    },
)
meeting_list = ledger_view(MEETINGS)


# --- calendar --------------------------------------------------------------------------------------


@login_required
@permission_required(VIEW, raise_exception=True)
def meeting_calendar(request: HttpRequest) -> HttpResponse:
    month = selectors.month_of(request.GET.get("month"))
    grid = selectors.calendar_month(user=request.user, month=month)
    return render(
        request,
        "conference/meeting_calendar.html",
        {
            "page_title": f"会议日历 {month.year}年{month.month}月",
            "today": timezone.localdate(),
            "may_manage": access.may_manage(request.user),
            **grid,
        },
    )


# --- scheduling and editing ------------------------------------------------------------------------


def _schedule_initial(request: HttpRequest) -> tuple[dict, MeetingProposal | None]:
    kind = request.GET.get("kind") if request.GET.get("kind") in MeetingKind.values else MeetingKind.PLENARY
    initial: dict[str, Any] = {"kind": kind, "place": "区联席办会议室"}
    proposal = None
    raw = request.GET.get("proposal") or request.POST.get("proposal")
    if raw and str(raw).isdigit():
        proposal = selectors.proposal_get(user=request.user, pk=int(raw))
        initial.update(
            kind=MeetingKind.TOPIC,
            title=proposal.subject[:100],
            date=proposal.suggested_date,
            topics=proposal.topics,
            units=[u.pk for u in proposal.units_suggested.all()] or [proposal.unit_id],
            agenda=f"{proposal.unit.name}提议：{proposal.reason}",
        )
    return initial, proposal


@login_required
@permission_required(VIEW, raise_exception=True)
def meeting_new(request: HttpRequest) -> HttpResponse:
    if not access.may_manage(request.user):
        raise PermissionDenied(services.OFFICE_ONLY)
    initial, proposal = _schedule_initial(request)
    form = f.MeetingForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        try:
            meeting = services.meeting_schedule(
                actor=request.user,  # type: ignore[arg-type]
                kind=v["kind"],
                title=v["title"],
                date=v["date"],
                start_time=v["start_time"],
                place=v["place"],
                chair=form.chair_user(),
                topics=v["topics"],
                agenda=v["agenda"],
                units=list(v["units"]) or None,
                papers=_papers(v.get("paper")),
                proposal=proposal,
            )
        except (DomainError, PermissionDenied) as exc:
            _fail(form, exc)
        else:
            messages.success(request, f"已安排会议 {meeting.number}，已通知参会单位。")
            return redirect("conference-meeting", meeting.pk)
    return render(
        request,
        "conference/meeting_form.html",
        {"page_title": "安排会议", "form": form, "proposal": proposal},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if not access.may_manage(request.user):
        raise PermissionDenied(services.OFFICE_ONLY)
    if meeting.status != MeetingStatus.SCHEDULED:
        messages.error(request, "会议已召开或已取消，不能修改安排。")
        return redirect("conference-meeting", meeting.pk)
    initial = {
        "title": meeting.title,
        "date": meeting.date,
        "start_time": meeting.start_time,
        "place": meeting.place,
        "chair": str(meeting.chair_id or ""),
        "topics": meeting.topics,
        "agenda": meeting.agenda,
        "units": list(meeting.units.values_list("unit_id", flat=True)),
    }
    form = f.MeetingForm(request.POST or None, request.FILES or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        try:
            services.meeting_edit(
                actor=request.user,  # type: ignore[arg-type]
                meeting=meeting,
                title=v["title"],
                date=v["date"],
                start_time=v["start_time"],
                place=v["place"],
                chair=form.chair_user(),
                topics=v["topics"],
                agenda=v["agenda"],
                units=list(v["units"]) or None,
                papers=_papers(v.get("paper")),
            )
        except (DomainError, PermissionDenied) as exc:
            _fail(form, exc)
        else:
            messages.success(request, "已修改会议安排，已通知参会单位。")
            return redirect("conference-meeting", meeting.pk)
    return render(
        request,
        "conference/meeting_form.html",
        {"page_title": f"修改会议安排 {meeting.number}", "form": form, "meeting": meeting},
        status=400 if request.method == "POST" else 200,
    )


# --- the meeting's page ----------------------------------------------------------------------------


def may_see_pack(user: Any) -> bool:
    return scope_of(user).everything


def render_meeting_page(
    request: HttpRequest, meeting: Meeting, *, status: int = 200, **bound: Any
) -> HttpResponse:
    today = timezone.localdate()
    may = access.may_manage(request.user)
    page = selectors.meeting_page(meeting, user=request.user)
    scheduled = meeting.status == MeetingStatus.SCHEDULED
    context: dict[str, Any] = {
        "page_title": f"{meeting.number} {meeting.title}",
        "meeting": meeting,
        "today": today,
        "may_manage": may,
        "scheduled": scheduled,
        "error": bound.get("error", ""),
        "forms": {
            "paper": bound.get("paper") or f.PaperForm(),
            "hold": bound.get("hold") or f.HoldForm(),
            "cancel": bound.get("cancel") or f.ReasonForm(),
        }
        if may
        else {},
        "hold_problems": services.hold_problems(meeting, today) if may and scheduled else [],
        "sees_pack": may_see_pack(request.user),
        "blocks": sections.gather(sections.MEETING_SECTIONS, request, meeting),
        **page,
    }
    return render(request, "conference/meeting_detail.html", context, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_meeting_page(request, selectors.meeting_get(user=request.user, pk=pk))


def _attendance_rows(request: HttpRequest, meeting: Meeting) -> list[dict]:
    rows = []
    for unit_id in meeting.units.values_list("unit_id", flat=True):
        choice = request.POST.get(f"attended_{unit_id}", "")
        if choice not in ("yes", "no"):
            continue
        rows.append(
            {
                "unit": unit_id,
                "attended": choice == "yes",
                "attendees": request.POST.get(f"attendees_{unit_id}", ""),
                "absence_reason": request.POST.get(f"absence_{unit_id}", ""),
            }
        )
    return rows


@login_required
@permission_required(VIEW, raise_exception=True)
@require_POST
def meeting_act(request: HttpRequest, pk: int, do: str) -> HttpResponse:
    """One step on the meeting's page (``do``: paper, attendance, hold, cancel, pack); the office only."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    if do not in ("paper", "attendance", "hold", "cancel", "pack"):
        raise Http404
    if not access.may_manage(request.user):
        raise PermissionDenied(services.OFFICE_ONLY)
    user: Any = request.user
    form: Any = None
    try:
        if do == "paper":
            form = f.PaperForm(request.POST, request.FILES)
            if not form.is_valid():
                return render_meeting_page(request, meeting, status=400, paper=form)
            services.paper_add(actor=user, meeting=meeting, papers=_papers(form.cleaned_data["paper"]))
            text = "已上传会议材料。"
        elif do == "attendance":
            count = services.meeting_attendance(
                actor=user, meeting=meeting, rows=_attendance_rows(request, meeting)
            )
            text = f"已登记 {count} 个单位的出席情况。"
        elif do == "hold":
            form = f.HoldForm(request.POST)
            form.is_valid()
            services.meeting_hold(
                actor=user, meeting=meeting, held_note=form.cleaned_data.get("held_note", "")
            )
            text = "已登记会议召开。"
        elif do == "cancel":
            form = f.ReasonForm(request.POST)
            form.is_valid()
            services.meeting_cancel(actor=user, meeting=meeting, reason=form.cleaned_data.get("reason", ""))
            text = "已取消会议，已通知参会单位。"
        else:
            pack = services.pack_prepare(actor=user, meeting=meeting)
            messages.success(
                request, f"已生成会议材料包（{pack.period_start:%Y-%m-%d} 至 {pack.period_end:%Y-%m-%d}）。"
            )
            return redirect("conference-meeting-pack", meeting.pk)
    except (DomainError, ValidationError) as exc:
        if form is not None:
            _fail(form, exc)
        return render_meeting_page(
            request, meeting, status=400, error=_message(exc), **({do: form} if form else {})
        )
    messages.success(request, text)
    return redirect("conference-meeting", meeting.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def meeting_file(request: HttpRequest, pk: int, file: int) -> FileResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    paper = meeting.papers.filter(pk=file).first()
    if paper is None:
        raise Http404
    response = FileResponse(paper.file.open("rb"), content_type=paper.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=f"{paper}{paper.extension}") or ""
    )
    return response


def _latest_pack(request: HttpRequest, meeting: Meeting) -> Any:
    """The latest pack — for the office and the leaders only: it holds every unit's decisions and
    overdue items; an invited unit gets 404 (as for anything outside its scope)."""
    if not may_see_pack(request.user):
        raise Http404
    pack = meeting.packs.select_related("prepared_by").order_by("-prepared_at", "-pk").first()
    if pack is None:
        raise Http404
    return pack


@login_required
@permission_required(VIEW, raise_exception=True)
def meeting_pack(request: HttpRequest, pk: int) -> HttpResponse:
    """The latest pack as prepared (the snapshot), every section rendered generically."""
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    pack = _latest_pack(request, meeting)
    return render(
        request,
        "conference/meeting_pack.html",
        {
            "page_title": f"会议材料包 {meeting.number}",
            "meeting": meeting,
            "pack": pack,
            "data": pack.data,
            "may_manage": access.may_manage(request.user),
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def meeting_pack_docx(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get(user=request.user, pk=pk)
    pack = _latest_pack(request, meeting)
    return docx_response(
        request,
        meetings_documents.pack_docx(pack),
        filename=f"会议材料-{meeting.number}",
        summary=f"导出会议材料包：{meeting.number}",
        detail={"meeting": meeting.pk, "pack": pack.pk},
    )


# --- proposals -------------------------------------------------------------------------------------


@login_required
@permission_required("conference.view_meetingproposal", raise_exception=True)
def proposal_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ProposalStatus.values else ""
    rows = selectors.proposal_list(user=request.user, status=status)
    return render(
        request,
        "conference/proposal_list.html",
        {
            "page_title": "专题会议提议",
            "status": status,
            "statuses": ProposalStatus.choices,
            "may_manage": access.may_manage(request.user),
            "may_propose": access.may_propose(request.user),
            **paginate(request, rows),
        },
    )


@login_required
@permission_required("conference.view_meetingproposal", raise_exception=True)
def proposal_new(request: HttpRequest) -> HttpResponse:
    if not access.may_propose(request.user):
        raise PermissionDenied("只有联席会议成员单位可以提议召开专题会议")
    form = f.ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        try:
            proposal = services.proposal_make(
                actor=request.user,  # type: ignore[arg-type]
                subject=v["subject"],
                reason=v["reason"],
                topics=v["topics"],
                suggested_date=v["suggested_date"],
                units=list(v["units"]),
            )
        except (DomainError, PermissionDenied) as exc:
            _fail(form, exc)
        else:
            messages.success(request, "已提交提议，联席办将安排会议或答复。")
            return redirect("conference-proposal", proposal.pk)
    return render(
        request,
        "conference/proposal_form.html",
        {"page_title": "提议召开专题会议", "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@permission_required("conference.view_meetingproposal", raise_exception=True)
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.proposal_get(user=request.user, pk=pk)
    form = f.ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not access.may_manage(request.user):
            raise PermissionDenied(services.OFFICE_ONLY)
        form.is_valid()
        try:
            services.proposal_decline(
                actor=request.user,  # type: ignore[arg-type]
                proposal=proposal,
                reason=form.cleaned_data.get("reason", ""),
            )
        except DomainError as exc:
            _fail(form, exc)
            status = 400
        else:
            messages.success(request, "已答复不予召开，已通知提议单位。")
            return redirect("conference-proposal", proposal.pk)
    labels = dict(Topic.choices)
    return render(
        request,
        "conference/proposal_detail.html",
        {
            "page_title": f"专题会议提议：{proposal.subject}",
            "proposal": proposal,
            "topics": [labels.get(t, t) for t in proposal.topics],
            "form": form,
            "may_manage": access.may_manage(request.user),
        },
        status=status,
    )


# --- posts -----------------------------------------------------------------------------------------


@login_required
@permission_required("conference.manage_posts", raise_exception=True)
def posts_page(request: HttpRequest) -> HttpResponse:
    form = f.PostForm(request.POST or None)
    status = 200
    if request.method == "POST":
        end_pk = request.POST.get("end")
        try:
            if end_pk:
                post = ConferencePost.objects.filter(pk=end_pk if str(end_pk).isdigit() else 0).first()
                if post is None:
                    raise Http404
                services.post_end(actor=request.user, post=post, reason=request.POST.get("reason", ""))  # type: ignore[arg-type]
                messages.success(
                    request, f"已终止 {post.user.display_name} 的{post.get_post_display()}任职。"
                )
                return redirect("conference-posts")
            if form.is_valid():
                v = form.cleaned_data
                post = services.post_designate(
                    actor=request.user,  # type: ignore[arg-type]
                    post=v["post"],
                    user=form.person(),
                    appointed_on=v["appointed_on"],
                    note=v["note"],
                )
                messages.success(request, f"已确定 {post.user.display_name} 担任{post.get_post_display()}。")
                return redirect("conference-posts")
            status = 400
        except DomainError as exc:
            _fail(form, exc)
            status = 400
    return render(
        request,
        "conference/posts.html",
        {"page_title": "联席会议职务", "form": form, **selectors.posts()},
        status=status,
    )


# --- panels and menu -------------------------------------------------------------------------------


def _interval_panel(request: HttpRequest, order: int) -> dict:
    return {
        "template": "conference/_plenary_panel.html",
        "order": order,
        "plenary": services.plenary_status(),
    }


def home_panels(request: HttpRequest) -> list[seam.Panel]:
    """The office's and the leaders' home: days since the last plenary and what is coming; the office
    also sees the proposals waiting for an answer."""
    user: Any = request.user
    if (
        not user.is_authenticated
        or not user.has_perm(VIEW)
        or not (access.may_manage(user) or user.role == "leader")
    ):
        return []
    panels: list[Any] = [_interval_panel(request, 40)]
    if access.may_manage(user):
        pending = selectors.pending_proposals(user=user)
        shown = list(pending[:10])
        if shown:
            panels.append(
                {
                    "template": "conference/_proposals_panel.html",
                    "order": 8,
                    "proposals": shown,
                    "count": pending.count(),
                }
            )
    return panels


def cockpit_panels(request: HttpRequest) -> list[seam.Panel]:
    if not request.user.has_perm(VIEW):
        return []
    return [_interval_panel(request, 30)]  # type: ignore[list-item]


def menu(user: Any) -> list[seam.MenuItem]:
    items: list[seam.MenuItem] = []
    if user.has_perm(VIEW):
        items += [
            {
                "label": "会议列表",
                "url_name": "conference-meetings",
                "icon": "list",
                "order": 1,
                "group": "conference",
            },
            {
                "label": "会议日历",
                "url_name": "conference-calendar",
                "icon": "calendar",
                "order": 2,
                "group": "conference",
            },
        ]
    if user.has_perm("conference.view_meetingproposal"):
        items.append(
            {
                "label": "专题会议提议",
                "url_name": "conference-proposals",
                "icon": "message-plus",
                "order": 3,
                "group": "conference",
            }
        )
    if user.has_perm("conference.manage_posts"):
        items.append(
            {
                "label": "联席会议职务",
                "url_name": "conference-posts",
                "icon": "id-badge",
                "order": 85,
                "group": "settings",  # the 安全管理员's (role assignment under 三员分立)
            }
        )
    return items
