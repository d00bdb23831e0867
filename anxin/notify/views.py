"""The inbox: a user's own notices, newest first; opening one marks it read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from anxin.core.paging import paginate
from anxin.notify import services
from anxin.notify.models import Notification


@login_required
def inbox(request):
    notices = Notification.objects.filter(recipient=request.user)
    show = request.GET.get("show", "all")
    if show == "unread":
        notices = notices.filter(read_at__isnull=True)
    context = {"page_title": "消息", "show": show, **paginate(request, notices)}
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
    services.notification_mark_read(user=request.user)
    return redirect("inbox")
