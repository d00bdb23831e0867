"""Middleware of the house: the body-size bound and ``Cache-Control: no-store`` on what is private
(docs/security/limits.md), the session idle timeout (policy parameter
``security.session_idle_minutes``), auditlog's client address, NUL in query strings."""

from __future__ import annotations

import time

from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from anxin import zones
from anxin.core.models import SecurityEventKind
from anxin.core.security import client_ip, session_idle_minutes

SESSION_KEY = "anxin_last_seen"


class IdleTimeoutMiddleware:
    """Log out a session that has been idle longer than the parameter allows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get(SESSION_KEY)
            if last is not None and now - last > session_idle_minutes() * 60:
                from anxin.core.services import security_event_record

                security_event_record(
                    kind=SecurityEventKind.IDLE_TIMEOUT,
                    user=user,
                    ip=client_ip(request),
                    summary=_("会话空闲超时"),
                )
                request._anxin_idle_logout = True
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return _to_login(request, _("您已长时间未操作，系统已自动退出，请重新登录。"))
            request.session[SESSION_KEY] = now
        return self.get_response(request)


def _to_login(request: HttpRequest, message: str) -> HttpResponse:
    """Redirect to the login page with a message, whether or not MessageMiddleware has run.

    This middleware sits before MessageMiddleware in settings, so ``request._messages`` may not
    exist yet; then the message is stored here and written to the response the same way
    MessageMiddleware would.
    """
    if request.headers.get("HX-Request"):
        # An htmx partial would otherwise draw the login page inside the table it was replacing.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = redirect_to_login(request.get_full_path())["Location"]
    else:
        response = redirect_to_login(request.get_full_path())
    if hasattr(request, "_messages"):
        messages.info(request, message)
        return response
    storage = default_storage(request)
    storage.add(messages.INFO, message)
    storage.update(response)
    return response


class AuditlogMiddleware(_AuditlogMiddleware):
    """django-auditlog's middleware with the client address taken the way security events take it
    (auditlog trusts the first ``X-Forwarded-For`` entry, which a client can forge)."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)


class RejectNulMiddleware:
    """A NUL character in the query string is refused with 400 before any view filters on it
    (PostgreSQL cannot compare text with NUL and would raise a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest("请求参数含有非法字符")
        return self.get_response(request)


class RequestSizeMiddleware:
    """A body larger than its bound (the declared ``Content-Length``) is answered 413 with a
    Chinese message before any view, form, parser or CSRF check reads it: ``REQUEST_MAX_BYTES``
    for a multipart body (files), ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for any other (a form's fields,
    an API's JSON), which Django and DRF would read into memory whole. Django's own counts
    (``DATA_UPLOAD_MAX_NUMBER_FIELDS``/``_FILES``) answer 400 (``400.html``); nginx's
    ``client_max_body_size`` is the first bound, one step earlier."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponseBadRequest("请求头 Content-Length 无效")
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        limit = settings.REQUEST_MAX_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _too_large(request, length, limit)
        return self.get_response(request)


def _too_large(request: HttpRequest, length: int, limit: int) -> HttpResponse:
    def size(n: int) -> str:
        return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"

    message = f"提交的内容共 {size(length)}，超过单次提交上限 {size(limit)}，未被接收。"
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413, json_dumps_params={"ensure_ascii": False})
    if settings.ANXIN_ZONE == zones.PUBLIC:
        # The internet zone has no 工作台 to go back to: the portal's own error page, its home linked.
        context = {
            "status": 413,
            "title": "提交的内容过大",
            "text": f"{message}请压缩或减少照片后返回重新提交。",
        }
        return HttpResponse(render_to_string("public/error.html", context), status=413)
    return HttpResponse(render_to_string("413.html", {"message": message}), status=413)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and ``Pragma: no-cache``) on everything private: every page a
    signed-in user gets (lists, reveals, downloads, exports), the API, and the answer to any
    POST. What an anonymous visitor GETs (static assets, the login page, the portal's pages) is
    left as its view made it; the portal's pages that show a person's report already say
    ``no-store`` themselves (``never_cache``), and keep it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return response
        user = getattr(request, "user", None)
        if (
            (user is not None and user.is_authenticated)
            or request.path.startswith("/api/")
            or request.method not in ("GET", "HEAD", "OPTIONS")
        ):
            patch_cache_control(response, no_store=True, no_cache=True, must_revalidate=True, private=True)
            response["Pragma"] = "no-cache"
        return response
