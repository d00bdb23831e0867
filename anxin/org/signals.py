"""A locked-out account loses its API tokens (django-axes' ``user_locked_out``)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.dispatch import receiver


@receiver(user_locked_out)
def revoke_tokens_on_lockout(sender, request, username, ip_address, **kwargs):
    from anxin.org.models import User
    from anxin.org.services import tokens_revoke

    user = User.objects.filter(username=username).first() if username else None
    if user is not None:
        tokens_revoke(actor=None, user=user, reason="连续登录失败，账户锁定", ip=ip_address)
