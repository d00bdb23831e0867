"""The inbox (a user's own notices, newest first; opening one marks it read) and the SMS outbox."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from anxin.core.errors import DomainError
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.core.paging import paginate
from anxin.notify import selectors, services
from anxin.notify.forms import SmsFilter
from anxin.notify.models import Notification, SmsMessage, topic_label


@login_required
def inbox(request):
    """The user's notices grouped by kind and enterprise (the group with the newest notice first,
    collapsed with its count), filtered by kind; ``about`` opens one group whole, paginated."""
    show = request.GET.get("show", "all")
    kind = request.GET.get("kind", "")
    about = request.GET.get("about")
    unread = show == "unread"
    notices = selectors.inbox_notices(user=request.user, unread=unread, kind=kind, about=about)
    context = {
        "page_title": "消息",
        "show": show,
        "kind": kind,
        "about": about,
        "kinds": selectors.inbox_kinds(selectors.inbox_notices(user=request.user, unread=unread)),
        "shown": selectors.GROUP_SHOWN,
    }
    if about is not None and kind:
        context.update(paginate(request, notices), flat=True, group_label=topic_label(kind))
    else:
        context.update(paginate(request, selectors.inbox_groups(notices)), flat=False)
        context["groups"] = selectors.inbox_fill(notices, list(context["page"].object_list))
    return render(request, "notify/inbox.html", context)


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notification_mark_read(user=notice.recipient, ids=[notice.pk])
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts={request.get_host()}):
        return redirect(notice.url)
    return redirect("inbox")


@login_required
@require_POST
def inbox_mark_all_read(request):
    """全部标为已读, or one group's (``topic`` and ``about`` posted); back to the page it came from."""
    topic, about = request.POST.get("topic"), request.POST.get("about")
    if topic is not None and about is not None:
        n = services.notification_mark_read(user=request.user, topic=topic, about=about)
    else:
        n = services.notification_mark_read(user=request.user)
    messages.success(request, f"已标为已读 {n} 条。")
    back = request.POST.get("next", "")
    inbox_url = reverse("inbox")
    return redirect(back if back == inbox_url or back.startswith(inbox_url + "?") else inbox_url)


# --- the SMS outbox (短信发件箱): the office's ledger of every text, with 重新发送 for failed ones ---

SMS_OUTBOX = Ledger(
    title="短信发件箱",
    filename="短信发件箱",
    columns=[
        Column("时间", "created_at", 18, "datetime", num_format="yyyy-mm-dd hh:mm:ss"),
        Column("手机号", "phone_masked", 14),
        Column("类别", "topic_display", 12),
        Column("状态", "get_status_display", 10),
        Column("尝试次数", "attempts", 9, "int"),
        Column("下次发送", "next_try_at", 18, "datetime", num_format="yyyy-mm-dd hh:mm:ss"),
        Column("发送时间", "sent_at", 18, "datetime", num_format="yyyy-mm-dd hh:mm:ss"),
        Column("错误", "error", 30),
        Column("内容", "text_masked", 60),
        Column("通道", "backend", 16),
        Column("重新发送人", lambda m: m.resent_by.display_name if m.resent_by else "", 12),
    ],
    screen=[
        Header("时间"),
        Header("手机号"),
        Header("类别"),
        Header("内容"),
        Header("状态"),
        Header("尝试次数", "尝试", css="text-end"),
        Header("错误"),
        Header("发送时间", "发送/下次"),
    ],
    filter_form=SmsFilter,
    select=selectors.sms_list,
    permission="notify.view_smsmessage",
    template="notify/outbox.html",
    per_page=50,
    export_limit=50000,
)
sms_outbox = ledger_view(SMS_OUTBOX)


@login_required
@require_POST
def sms_resend(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("notify.view_smsmessage"):
        raise PermissionDenied
    message = get_object_or_404(SmsMessage, pk=pk)
    try:
        services.sms_resend(actor=request.user, message=message)  # type: ignore[arg-type]  # behind login_required
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重新排队发送：{message.phone_masked}")
    back = request.POST.get("next", "")
    outbox = reverse("sms-outbox")
    return redirect(back if back.startswith(outbox + "?") else outbox)
