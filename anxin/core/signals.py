"""Security events for authentication: login, failure, lockout, logout."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from anxin.core.models import SecurityEventKind
from anxin.core.security import client_ip


def _record(**kwargs):
    from anxin.core.services import security_event_record

    security_event_record(**kwargs)


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    _record(kind=SecurityEventKind.LOGIN, user=user, ip=client_ip(request) if request else None)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    _record(
        kind=SecurityEventKind.LOGIN_FAILED,
        username=str(credentials.get("username", ""))[:150],
        ip=client_ip(request) if request else None,
    )


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is None or getattr(request, "_anxin_idle_logout", False):
        return
    _record(kind=SecurityEventKind.LOGOUT, user=user, ip=client_ip(request) if request else None)


@receiver(user_locked_out)
def on_lockout(sender, request, username, ip_address, **kwargs):
    _record(
        kind=SecurityEventKind.LOCKOUT,
        username=str(username or "")[:150],
        ip=ip_address,
        summary="连续登录失败",
    )
