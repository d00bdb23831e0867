"""Audit helpers: who acted (django-auditlog actor) and the history of one object."""

from __future__ import annotations

import contextlib

from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

SYSTEM_USERNAME = "system"


def system_actor():
    """The account that owns writes made by commands and periodic jobs."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = user_model(username=SYSTEM_USERNAME, first_name="系统")
        if hasattr(user, "full_name"):
            user.full_name = "系统"
        user.set_unusable_password()
        user.save()
    return user


@contextlib.contextmanager
def acting(actor, *, remote_addr: str | None = None):
    """Attribute every audit-log entry written inside the block to ``actor``."""
    if actor is None or not getattr(actor, "pk", None):
        yield
        return
    # auditlog's contexts do not nest: the inner one replaces the context value and leaves it
    # behind. Restore the outer value (AuditlogMiddleware's, in a request) when we are done.
    previous = auditlog_value.get(None)
    if previous is not None and remote_addr is None:
        remote_addr = previous.get("remote_addr")
    try:
        with set_actor(actor, remote_addr=remote_addr):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)


def history_for(obj, *, related: list | None = None):
    """Audit-log entries of ``obj`` (and of related objects given), newest first."""
    content_type = ContentType.objects.get_for_model(type(obj))
    entries = LogEntry.objects.filter(content_type=content_type, object_pk=str(obj.pk))
    for other in related or []:
        entries = entries | LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(other)), object_pk=str(other.pk)
        )
    return entries.select_related("actor", "content_type").order_by("-timestamp", "-id")
