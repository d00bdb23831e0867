"""Intake screens: the signals ledger, a signal's page with its actions, the office's triage,
officers' entry and import, enterprise self-reports. Thin: forms validate, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from anxin.core import credit_mark, seam
from anxin.core.audit import history_for, with_change_rows
from anxin.core.errors import DomainError
from anxin.core.importviews import ImportScreen
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.core.models import SecurityEventKind
from anxin.core.paging import paginate
from anxin.core.security import client_ip
from anxin.core.services import security_event_record
from anxin.intake import selectors, services
from anxin.intake.forms import (
    MatchForm,
    NoteForm,
    SelfReportFilter,
    SelfReportForm,
    SignalFilter,
    SignalForm,
    SignalImportForm,
    TextForm,
    VerifyForm,
)
from anxin.intake.importing import signal_import, signal_template
from anxin.intake.models import Signal, SignalAttachment
from anxin.org.models import Role
from anxin.registry.forms import EnterpriseForm
from anxin.registry.selectors import enterprise_list, enterprises_openable


def _apply_errors(form, exc) -> None:
    if isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- the ledger -------------------------------------------------------------------------------


def _signal_page(request, context: dict) -> dict:
    return {
        "now": timezone.now(),
        "openable": enterprises_openable(
            user=request.user, enterprises=[s.enterprise for s in context["page"] if s.enterprise_id]
        ),
    }


SIGNALS = Ledger(
    title="预警线索台账",
    page_title="预警线索",
    columns=[
        Column("编号", "pk", 8, "int"),
        Column("接收时间", "received_at", 17, "datetime"),
        Column("渠道", "channel.name", 14),
        Column("渠道编号", "reference", 16),
        Column("线索类型", "get_kind_display", 14),
        Column("企业", "employer_display", 30),
        Column("统一社会信用代码", lambda s: s.enterprise.uscc if s.enterprise_id else s.employer_uscc, 22),
        Column("镇/街道", "town.name", 10),
        Column(
            "条线部门",
            lambda s: (s.assigned_unit.short_name or s.assigned_unit.name) if s.assigned_unit_id else "",
            12,
        ),
        Column("涉及人数", "workers", 9, "int"),
        Column("涉及金额（元）", "amount", 14, "money"),
        Column("拖欠月数", "months_owed", 9, "int"),
        Column("阶段", "get_stage_display", 10),
        Column("核实结论", "get_verification_display", 10),
        Column("核实期限", "due_at", 12, "date"),
        Column("重复判定", lambda s: s.get_duplicate_state_display() if s.duplicate_state else "", 10),
        Column("情况摘要", "summary", 50),
        credit_mark.BLACKLISTED,
    ],
    screen=[
        Header("编号", "#"),
        Header("接收时间", "接收"),
        Header("企业"),
        Header("线索类型", "类型"),
        Header("渠道", css="d-none d-md-table-cell"),
        Header("镇/街道", "属地/条线", "d-none d-lg-table-cell"),
        Header("涉及人数", "人数/金额（元）", "text-end d-none d-sm-table-cell"),
        Header("阶段", "状态"),
        Header("核实期限", css="d-none d-md-table-cell"),
    ],
    filter_form=SignalFilter,
    select=selectors.signal_list,
    permission="intake.view_signal",
    export_permission="intake.export_signal",
    refusal="您的角色不能导出线索台账。",
    template="intake/signal_list.html",
    partial="intake/_signal_table.html",
    context=credit_mark.ledger_context("enterprise_id", then=_signal_page),  # the 失信 mark, one read
    enrich=credit_mark.mark_rows("enterprise_id"),
)
signal_list = ledger_view(SIGNALS)


def _detail_context(request, signal: Signal) -> dict:
    attachments = list(signal.attachments.all())
    actions = services.allowed_actions(request.user, signal)
    return {
        "page_title": f"线索 #{signal.pk}",
        "signal": signal,
        "actions": actions,
        "is_handler": services.is_handler(request.user, signal),
        "events": signal.events.select_related("actor").all(),
        "attachments": attachments,
        "heic_note": any(a.download_only for a in attachments),
        "sources": Signal.objects.for_user(request.user).filter(merged_into=signal).select_related("channel"),
        "verify_form": VerifyForm(),
        "text_form": TextForm(),
        "note_form": NoteForm(),
        "self_report": getattr(signal, "self_report", None) if signal.channel.is_self_report else None,
        "openable": enterprises_openable(user=request.user, enterprises=[signal.enterprise]),
        "page_actions": seam.page_actions(request, "intake.signal", signal),
        "cases": seam.signal_cases([signal.pk]).get(signal.pk, []),
        "open_cases": services.open_cases(signal) if "close" in actions else [],
        "closures": signal.closures.select_related("unit", "closed_by") if signal.tracking_code else [],
    }


@login_required
@permission_required("intake.view_signal", raise_exception=True)
def signal_detail(request, pk: int):
    signal = selectors.signal_get(user=request.user, pk=pk)
    context = _detail_context(request, signal)
    if request.GET.get("tab") == "history":
        context["tab"] = "history"
        context["entries"] = with_change_rows(history_for(signal)[:200])
    return render(request, "intake/signal_detail.html", context)


@login_required
@permission_required("intake.view_signal", raise_exception=True)
@require_POST
def signal_act(request, pk: int, action: str):
    """Every button on a signal's page: accept, verify, handle, close, reply, note."""
    signal = selectors.signal_get(user=request.user, pk=pk)
    try:
        if action == "verify":
            form = VerifyForm(request.POST)
            if not form.is_valid():
                raise DomainError(
                    "；".join(e for errors in form.errors.values() for e in errors), field="note"
                )
            services.signal_verify(actor=request.user, signal=signal, **form.cleaned_data)
            messages.success(request, "已记录核实结论。")
        elif action == "close":
            services.signal_close(
                actor=request.user,
                signal=signal,
                note=request.POST.get("note", ""),
                open_case_reason=request.POST.get("open_case_reason", ""),
            )
            messages.success(
                request, "已办结" + ("，并短信通知反映人评价。" if signal.tracking_code else "。")
            )
        elif action in ("accept", "handle"):
            note = request.POST.get("note", "")
            getattr(services, f"signal_{action}")(actor=request.user, signal=signal, note=note)
            messages.success(request, {"accept": "已开始核实。", "handle": "已转入处理。"}[action])
        elif action == "reply":
            services.signal_reply(actor=request.user, signal=signal, text=request.POST.get("text", ""))
            messages.success(
                request, "已答复反映人" + ("，并短信提醒其查看。" if signal.tracking_code else "。")
            )
        elif action == "note":
            services.signal_note(actor=request.user, signal=signal, text=request.POST.get("text", ""))
            messages.success(request, "已添加内部备注（反映人不可见）。")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "您无权执行该操作。")
    return redirect("signal-detail", pk=signal.pk)


@login_required
@permission_required("intake.view_reporter", raise_exception=True)
@require_POST
def signal_reporter_reveal(request, pk: int):
    """The reporter's full phone and ID number; every reveal is a security event."""
    signal = selectors.signal_get(user=request.user, pk=pk)
    security_event_record(
        kind=SecurityEventKind.SENSITIVE_VIEW,
        user=request.user,
        ip=client_ip(request),
        summary=f"查看线索 #{signal.pk} 反映人完整联系方式",
        detail={"signal": signal.pk},
    )
    return render(request, "intake/_reporter.html", {"signal": signal, "revealed": True})


@login_required
@permission_required("intake.view_signal", raise_exception=True)
def attachment_download(request, pk: int):
    attachment = get_object_or_404(SignalAttachment.objects.select_related("signal"), pk=pk)
    if not Signal.objects.for_user(request.user).filter(pk=attachment.signal_id).exists():
        raise Http404
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=attachment.download_only, filename=attachment.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- entry ------------------------------------------------------------------------------------


@login_required
@permission_required("intake.add_signal", raise_exception=True)
def signal_create(request):
    channels = services.channels_for(request.user)
    if not channels:
        raise PermissionDenied("您所在单位没有可录入的信息渠道")
    form = SignalForm(request.POST or None, request.FILES or None, user=request.user, channels=channels)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        channel, reference, town = data.pop("channel"), data.pop("reference"), data.pop("town")
        files = data.pop("attachments")
        data["amount"] = data["amount"] or 0
        try:
            recorded = services.signal_record(
                actor=request.user,
                channel=channel,
                reference=reference,
                town=town or (request.user.unit.town if request.user.has_role(Role.TOWN) else None),
                attachments=[(f.name, f.read()) for f in files],
                **data,
            )
        except (ValidationError, DomainError) as exc:
            _apply_errors(form, exc)
        else:
            signal = recorded.signal
            if recorded.outcome == "created":
                where = "、".join(
                    filter(
                        None,
                        [
                            signal.town.name if signal.town_id else "",
                            signal.assigned_unit.short_name if signal.assigned_unit_id else "",
                        ],
                    )
                )
                messages.success(request, f"已登记线索 #{signal.pk}，已分派：{where or '待分拣'}。")
            elif recorded.outcome == "updated":
                messages.info(request, f"该渠道编号已登记为线索 #{signal.pk}，已按本次报送更新。")
            else:
                messages.info(request, f"该渠道编号已登记为线索 #{signal.pk}，内容无变化。")
            return redirect("signal-detail", pk=signal.pk)
    return render(request, "intake/signal_form.html", {"page_title": "登记线索", "form": form})


IMPORT_SESSION_KEY = "intake_import_pending"


class SignalImport(ImportScreen):
    """Upload → dry-run preview with every error → confirm → write all rows or none."""

    key = IMPORT_SESSION_KEY
    permission = "intake.import_signal"
    form_class = SignalImportForm
    template = "intake/signal_import.html"
    page_title = "导入线索"
    url_name = "signal-import"
    sample_filename = "线索导入模板.xlsx"
    importer = staticmethod(signal_import)
    sample = staticmethod(signal_template)

    def form_kwargs(self, request):
        return {"channels": services.channels_for(request.user)}

    def options(self, form):
        return {"channel": form.cleaned_data["channel"]}

    def keep(self, options):
        return {"channel": options["channel"].pk}

    def restore(self, request, pending):
        channel = next((c for c in services.channels_for(request.user) if c.pk == pending["channel"]), None)
        if channel is None:
            raise PermissionDenied
        return {"channel": channel}

    def finished(self, result, options):
        message = (
            f"导入完成：新增 {result.created} 条，更新 {result.updated} 条，无变化 {result.unchanged} 条。"
        )
        return message, reverse("signal-list") + f"?channel={options['channel'].code}"


signal_import_view, signal_import_confirm, signal_import_template = SignalImport().views()


# --- triage -----------------------------------------------------------------------------------

QUEUES = {"unmatched": "待匹配企业", "duplicates": "疑似重复", "overdue": "核实逾期"}


@login_required
@permission_required("intake.triage_signal", raise_exception=True)
def signal_triage(request):
    queue = request.GET.get("queue", "unmatched")
    if queue not in QUEUES:
        queue = "unmatched"
    signals = selectors.triage_queue(user=request.user, queue=queue)
    context = {
        "page_title": "线索分拣",
        "queue": queue,
        "queues": QUEUES,
        "counts": selectors.triage_counts(user=request.user),
        "now": timezone.now(),
        **paginate(request, signals),
    }
    context["originals"] = selectors.visible_originals(user=request.user, signals=context["page"])
    return render(request, "intake/triage.html", context)


@login_required
@permission_required("intake.triage_signal", raise_exception=True)
@require_POST
def signal_triage_act(request, pk: int, action: str):
    """Match, merge, keep or urge one signal in place (HTMX swaps the row for its new state)."""
    signal = selectors.signal_get(user=request.user, pk=pk)
    error = done_text = ""
    try:
        if action == "match":
            form = MatchForm(request.POST, user=request.user)
            if not form.is_valid():
                raise DomainError("；".join(form.errors["uscc"]), field="uscc")
            services.signal_match(actor=request.user, signal=signal, enterprise=form.cleaned_data["uscc"])
        elif action == "merge":
            services.signal_merge(actor=request.user, signal=signal, note=request.POST.get("note", ""))
        elif action == "keep":
            services.signal_keep(actor=request.user, signal=signal, note=request.POST.get("note", ""))
        elif action == "urge":
            event = services.signal_urge(actor=request.user, signal=signal, note=request.POST.get("note", ""))
            done_text = f"已{event.note}"
        else:
            raise Http404
    except DomainError as exc:
        error = exc.message
    except PermissionDenied as exc:
        error = str(exc) or "您无权执行该操作。"
    signal = selectors.signal_get(user=request.user, pk=pk)
    queue = request.POST.get("queue", "")
    if request.htmx:
        return render(
            request,
            "intake/_triage_row.html",
            {
                "s": signal,
                "done": not error,
                "done_text": done_text,
                "error": error,
                "queue": queue,
                "originals": selectors.visible_originals(user=request.user, signals=[signal]),
                # What the officer typed stays in the box after a refusal ("未找到…"), to correct it.
                "typed_uscc": request.POST.get("uscc", "") if error else "",
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done_text or "已处理。")
    return redirect(reverse("signal-triage") + f"?queue={queue if queue in QUEUES else 'unmatched'}")


TRIAGE_FIND_LIMIT = 10


@login_required
@permission_required("intake.triage_signal", raise_exception=True)
def signal_triage_find(request, pk: int):
    """Enterprises in the user's scope whose name (or code, or legal representative) contains what
    was typed — at most ``TRIAGE_FIND_LIMIT`` — each with a button linking the unmatched signal to it."""
    signal = selectors.signal_get(user=request.user, pk=pk)
    name = request.GET.get("name", "").strip()[:100]
    found = list(enterprise_list(user=request.user, q=name)[: TRIAGE_FIND_LIMIT + 1]) if name else []
    context = {
        "s": signal,
        "name": name,
        "found": found[:TRIAGE_FIND_LIMIT],
        "more": len(found) > TRIAGE_FIND_LIMIT,
        "limit": TRIAGE_FIND_LIMIT,
    }
    if request.htmx:
        return render(request, "intake/_triage_find.html", context)
    return render(
        request,
        "intake/triage_find.html",
        {**context, "page_title": f"为线索 #{signal.pk} 查找企业"},
    )


@login_required
@permission_required("intake.triage_signal", raise_exception=True)
@permission_required("registry.add_enterprise", raise_exception=True)
def signal_triage_new_enterprise(request, pk: int):
    """Register the employer an unmatched signal names (prefilled from the signal), then link it."""
    signal = selectors.signal_get(user=request.user, pk=pk)
    if signal.enterprise_id:
        messages.info(request, f"线索 #{signal.pk} 已关联企业“{signal.enterprise.name}”。")
        return redirect("signal-detail", pk=signal.pk)
    initial = {"name": signal.employer_name, "uscc": signal.employer_uscc, "town": signal.town_id}
    form = EnterpriseForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        kinds = list(data.pop("kinds"))
        try:
            signal = services.signal_match_new_enterprise(
                actor=request.user, signal=signal, kinds=kinds, **data
            )
        except (ValidationError, DomainError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"已登记企业“{signal.enterprise.name}”，线索 #{signal.pk} 已关联并分派："
                f"{signal.town.name if signal.town_id else '—'} / "
                f"{signal.assigned_unit.short_name if signal.assigned_unit_id else '—'}。",
            )
            return redirect(reverse("signal-triage") + "?queue=unmatched")
    return render(
        request,
        "registry/enterprise_form.html",
        {
            "page_title": f"登记企业并关联线索 #{signal.pk}",
            "form": form,
            "intro": f"线索 #{signal.pk}（{signal.channel.name}）提到的用人单位“{signal.employer_display}”"
            "不在企业台账中。已按线索填入名称和代码，请核对并补全；保存后该线索关联到新企业并按属地和条线重新分派。",
            "cancel_url": reverse("signal-triage") + "?queue=unmatched",
        },
    )


# --- self-reports (§四(一)) -------------------------------------------------------------------


SELF_REPORTS = Ledger(
    title="企业欠薪报告台账（§四(一)）",
    filename="企业欠薪报告台账",
    page_title="企业欠薪报告",
    columns=[
        Column("企业", "enterprise.name", 30),
        Column("统一社会信用代码", "enterprise.uscc", 22),
        Column("镇/街道", "enterprise.town.name", 10),
        Column("开始拖欠", "arrears_since", 12, "date"),
        Column("报告送达", "reported_on", 12, "date"),
        Column("应报告截止", "deadline", 12, "date"),
        Column("是否按时", lambda r: "按时" if r.on_time else "逾期", 9),
        Column("涉及人数", "workers", 9, "int"),
        Column("拖欠金额（元）", "amount", 14, "money"),
        Column("拖欠原因", "cause", 40),
        credit_mark.BLACKLISTED,
    ],
    screen=[
        Header("企业"),
        Header("开始拖欠"),
        Header("报告送达"),
        Header("是否按时"),
        Header("涉及人数", "人数", "text-end"),
        Header("拖欠金额（元）", "金额（元）", "text-end"),
    ],
    filter_form=SelfReportFilter,
    select=selectors.selfreport_list,
    permission="intake.view_selfreport",
    export_permission="intake.export_signal",
    refusal="您的角色不能导出台账。",
    template="intake/selfreport_list.html",
    context=credit_mark.ledger_context("enterprise_id"),  # the 失信 mark, one read for the page
    enrich=credit_mark.mark_rows("enterprise_id"),
)
selfreport_list = ledger_view(SELF_REPORTS)


@login_required
@permission_required("intake.add_selfreport", raise_exception=True)
def selfreport_create(request):
    form = SelfReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        scan = data.pop("scan")
        try:
            report = services.self_report_record(
                actor=request.user,
                enterprise=data.pop("uscc"),
                scan=(scan.name, scan.read()) if scan else None,
                **data,
            )
        except (ValidationError, DomainError) as exc:
            _apply_errors(form, exc)
        else:
            if getattr(report, "repeated", False):
                messages.info(
                    request,
                    f"相同的欠薪报告已于 {timezone.localtime(report.created_at):%Y-%m-%d %H:%M} 录入"
                    f"（线索 #{report.signal_id}），本次未重复登记。",
                )
                return redirect("selfreport-detail", pk=report.pk)
            verdict = "按时报告" if report.on_time else f"逾期报告（应于 {report.deadline:%Y-%m-%d} 前）"
            messages.success(request, f"已录入欠薪报告：{verdict}，并生成线索 #{report.signal_id}。")
            return redirect("selfreport-detail", pk=report.pk)
    return render(request, "intake/selfreport_form.html", {"page_title": "录入企业欠薪报告", "form": form})


@login_required
@permission_required("intake.view_selfreport", raise_exception=True)
def selfreport_detail(request, pk: int):
    report = selectors.selfreport_get(user=request.user, pk=pk)
    plan_total = sum(i.amount for i in report.instalments.all())
    return render(
        request,
        "intake/selfreport_detail.html",
        {"page_title": f"欠薪报告：{report.enterprise.name}", "report": report, "plan_total": plan_total},
    )
