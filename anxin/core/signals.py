"""Security events for authentication: login, failure, lockout, logout."""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete
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


@receiver(post_delete, sender=AccessAttempt)
def on_unlock(sender, instance, **kwargs):
    """A locked account's failure record removed: by the 安全管理员 (admin or
    ``axes_reset_username``), by expiry of the cool-off, or by a later successful login."""
    from anxin.core.security import axes_failure_limit

    if instance.failures_since_start >= axes_failure_limit():
        from anxin.core.audit import auditlog_actor

        actor = auditlog_actor()
        _record(
            kind=SecurityEventKind.UNLOCK,
            user=actor,
            username=str(instance.username or "")[:150],
            ip=instance.ip_address,
            summary=f"解除 {instance.username} 的登录锁定"
            + (f"（操作人 {actor.username}）" if actor else ""),
        )
