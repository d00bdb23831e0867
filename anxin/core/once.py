"""Repeats write once (issue #13): one-time form tokens and the API's ``Idempotency-Key``.

**Forms.** ``{% csrf_token %}`` is overridden (TEMPLATES OPTIONS ``builtins`` →
``anxin.core.templatetags.once``) so that every form that carries the CSRF input also carries
``anxin_once``: a random token signed with its time (``form_token``). ``OnceMiddleware.process_view``
runs after Django's CSRF check and, for a POST that carries the token, inserts it into ``FormOnce``
before the view runs. The token is unique in the table, so of two POSTs of the same form — a double
click, a reload of the result, two tabs — exactly one inserts it and runs; the other is answered
"该表单已提交，请勿重复提交" and sent where the first went (it waits up to ``ONCE_WAIT_SECONDS`` for
the first to finish). A first POST answered 4xx/5xx gives its token back (nothing was done, the
user may send the same form again). A POST without the token (a test client, a script) is not
affected; a token older than ``ONCE_FORM_MAX_AGE_HOURS`` or not signed by this server is refused.

**API.** A POST, PUT or PATCH to a REST framework view with an ``Idempotency-Key`` header (1–255
visible ASCII characters) is remembered per user + key + method + path with a hash of its body:
the first runs and its answer (status, type, body) is stored; a repeat gets the stored answer with
``Idempotent-Replayed: true`` and the view does not run; the same key with another body is a 422; a
repeat while the first is still running is a 409 (``Retry-After: 1``). A 5xx or 429 is not kept
(the client may retry with the same key). Keys are forgotten after ``ONCE_IDEMPOTENCY_HOURS``.
The user is the one the view's own authenticators find (token or session), asked before the view
runs; an anonymous request is left to the view (401/403), and nothing is kept.

``once_purge`` (a ``tick`` sweep) deletes expired rows of both tables.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from anxin.core.models import FormOnce, IdempotentRequest

FIELD = "anxin_once"  # the hidden input's name
HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
WRITES = ("POST", "PUT", "PATCH")
_SALT = "anxin.core.once"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def repeated_message() -> str:
    return _("该表单已提交，请勿重复提交")


def form_max_age() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.ONCE_FORM_MAX_AGE_HOURS)


def idempotency_ttl() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.ONCE_IDEMPOTENCY_HOURS)


# --- forms -----------------------------------------------------------------------------------------------


def form_token() -> str:
    """A new one-time token for one rendered form: a random nonce, signed with the time."""
    return signing.TimestampSigner(salt=_SALT).sign(secrets.token_urlsafe(18))


def _nonce(value: str) -> str:
    """The nonce of a token this server signed and that has not expired (``BadSignature``)."""
    return signing.TimestampSigner(salt=_SALT).unsign(value, max_age=form_max_age())


def _claim_form(request: HttpRequest, nonce: str) -> FormOnce | None:
    """Insert the token: the row, or ``None`` when another POST already holds it."""
    user = getattr(request, "user", None)
    try:
        with transaction.atomic():
            return FormOnce.objects.create(
                token=nonce,
                user=user if user is not None and user.is_authenticated else None,
                path=request.path[:300],
            )
    except IntegrityError:
        return None


def _safe(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _first_outcome(nonce: str) -> FormOnce | None:
    """The first POST's row once it has finished (waiting up to ``ONCE_WAIT_SECONDS``); ``None``
    when the first gave its token back (it failed) or is still running."""
    deadline = time.monotonic() + settings.ONCE_WAIT_SECONDS
    while True:
        row = FormOnce.objects.filter(token=nonce).first()
        if row is None or row.finished_at is not None or time.monotonic() >= deadline:
            return row
        time.sleep(0.1)


def _refuse_form(request: HttpRequest, text: str, *, to: str = "", status: int = 409) -> HttpResponse:
    """Answer a repeated (or unusable) form: htmx gets the text and no swap; a page goes where the
    first submission went, else back to the form's page, else a page that says so."""
    if request.headers.get("HX-Request"):
        return HttpResponse(text, status=status, headers={"HX-Reswap": "none"})
    referer = request.headers.get("Referer", "")
    target = to if _safe(request, to) else referer if _safe(request, referer) else ""
    if target:
        messages.warning(request, text)
        return HttpResponseRedirect(target)
    return render(request, "core/once_repeat.html", {"page_title": text, "text": text}, status=status)


def _form(request: HttpRequest) -> HttpResponse | None:
    if request.content_type not in _FORM_TYPES:
        return None
    value = request.POST.get(FIELD)
    if value is None:
        return None
    try:
        nonce = _nonce(value)
    except signing.SignatureExpired:
        return _refuse_form(request, _("表单已过期，请重新填写后提交"), status=400)
    except signing.BadSignature:
        return _refuse_form(request, _("表单校验失败，请刷新页面后重新提交"), status=400)
    for _attempt in range(2):
        claim = _claim_form(request, nonce)
        if claim is not None:
            request._anxin_form_once = claim  # type: ignore[attr-defined]
            return None
        first = _first_outcome(nonce)
        if first is not None:
            return _refuse_form(request, repeated_message(), to=first.result_url)
        # The first gave its token back (it was refused): this one may try.
    return _refuse_form(request, repeated_message())


def _finish_form(request: HttpRequest, claim: FormOnce, response: HttpResponse) -> None:
    rows = FormOnce.objects.filter(pk=claim.pk)
    if response.status_code >= 400:
        rows.delete()  # refused or failed: nothing was done, the same form may be sent again
        return
    location = response.get("Location", "") if 300 <= response.status_code < 400 else ""
    rows.update(finished_at=timezone.now(), result_url=location[:500] if _safe(request, location) else "")


# --- the API's Idempotency-Key ---------------------------------------------------------------------------


def _api_view_class(view_func: Any) -> type | None:
    from rest_framework.views import APIView

    cls = getattr(view_func, "cls", None)
    return cls if isinstance(cls, type) and issubclass(cls, APIView) else None


def _api_user(request: HttpRequest, cls: type) -> Any:
    """Who the view will take the request to be, by its own authenticators (token, session)."""
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request

    before = request.__dict__.get("user")
    try:
        wrapped = Request(request, authenticators=[auth() for auth in cls.authentication_classes])  # type: ignore[attr-defined]
        user = wrapped.user
    except APIException:
        user = None
    finally:
        # DRF writes the user it found onto the Django request: put back what was there, so the
        # view authenticates exactly as it would have.
        if before is None:
            request.__dict__.pop("user", None)
        else:
            request.user = before
    return user if user is not None and user.is_authenticated else None


def _body_hash(request: HttpRequest) -> str | None:
    digest = hashlib.sha256()
    if request.content_type == "multipart/form-data":
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(f"{name}={value}\n".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"{name}:{upload.name}:{upload.size}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
        return digest.hexdigest()
    try:
        digest.update(request.body)
    except Exception:  # too large to hold (RequestDataTooBig) or already read: the view answers
        return None
    return digest.hexdigest()


def _problem(detail: str, status: int, **headers: str) -> JsonResponse:
    return JsonResponse(
        {"detail": detail}, status=status, headers=headers, json_dumps_params={"ensure_ascii": False}
    )


def _replay(row: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status or 200, content_type=row.content_type or None)
    response[REPLAYED] = "true"
    return response


def _idempotent(request: HttpRequest, cls: type) -> HttpResponse | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        return _problem(_("Idempotency-Key 须为 1 至 255 个可见的 ASCII 字符"), 400)
    user = _api_user(request, cls)
    if user is None:
        return None
    body_hash = _body_hash(request)
    if body_hash is None:
        return None
    full_path = request.get_full_path()
    scope = hashlib.sha256(f"{request.method} {full_path}".encode()).hexdigest()
    mine = IdempotentRequest.objects.filter(user=user, key=key, scope=scope)
    now = timezone.now()
    mine.filter(created_at__lt=now - idempotency_ttl()).delete()  # an expired key is free again
    for _attempt in range(2):
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    user=user,
                    key=key,
                    scope=scope,
                    method=request.method or "",
                    path=full_path[:300],
                    body_hash=body_hash,
                    created_at=now,
                )
        except IntegrityError:
            first = mine.first()
            if first is None:  # the first failed and gave the key back meanwhile: try again
                continue
            if first.body_hash != body_hash:
                return _problem(
                    _("该 Idempotency-Key 已用于内容不同的请求；新的请求请使用新的 Idempotency-Key"), 422
                )
            if first.finished_at is None:
                return _problem(
                    _("使用相同 Idempotency-Key 的请求正在处理中，请稍后重试"), 409, **{"Retry-After": "1"}
                )
            return _replay(first)
        request._anxin_idempotent = row  # type: ignore[attr-defined]
        return None
    return _problem(_("使用相同 Idempotency-Key 的请求正在处理中，请稍后重试"), 409, **{"Retry-After": "1"})


def _finish_idempotent(row: IdempotentRequest, response: HttpResponse) -> None:
    rows = IdempotentRequest.objects.filter(pk=row.pk)
    if response.status_code >= 500 or response.status_code == 429 or response.streaming:
        rows.delete()  # not an answer to keep: the client may retry with the same key
        return
    rows.update(
        finished_at=timezone.now(),
        status=response.status_code,
        content_type=response.get("Content-Type", "")[:100],
        body=response.content,
    )


# --- the middleware --------------------------------------------------------------------------------------


class OnceMiddleware:
    """Claims a form's one-time token or an API request's Idempotency-Key before the view runs
    (``process_view``, after the CSRF check), and records or gives it back after the response."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        claim = request.__dict__.pop("_anxin_form_once", None)
        if claim is not None:
            _finish_form(request, claim, response)
        row = request.__dict__.pop("_anxin_idempotent", None)
        if row is not None:
            _finish_idempotent(row, response)
        return response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.method not in WRITES:
            return None
        cls = _api_view_class(view_func)
        if cls is not None:
            return _idempotent(request, cls)
        if request.method == "POST":
            return _form(request)
        return None


def once_purge(*, now: datetime.datetime | None = None) -> int:
    """``tick``: forget form tokens past their age (they are refused by their signature anyway)
    and idempotency keys past theirs."""
    now = now or timezone.now()
    forms, _detail = FormOnce.objects.filter(consumed_at__lt=now - form_max_age()).delete()
    keys, _detail = IdempotentRequest.objects.filter(created_at__lt=now - idempotency_ttl()).delete()
    return forms + keys
