"""Audit helpers: who acted (django-auditlog actor) and the history of one object."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import re
from collections.abc import Iterable, Iterator
from typing import Any

from auditlog.context import auditlog_value, set_actor
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from anxin import zones
from anxin.core.money import format_yuan

SYSTEM_USERNAME = "system"


def system_actor():
    """The account that owns writes made by commands and periodic jobs."""
    user_model = get_user_model()
    users = user_model.objects.filter(username=SYSTEM_USERNAME)
    if settings.ANXIN_ZONE == zones.PUBLIC:
        # The internet zone's database role reads these columns of this account only
        # (deploy/portal-role.sql); the account is made by the internal zone's migrations/commands.
        return users.only("pk", "username", "password", "email", "is_active").get()
    user = users.first()
    if user is None:
        user = user_model(username=SYSTEM_USERNAME, first_name="系统")
        if hasattr(user, "full_name"):
            user.full_name = "系统"
        user.set_unusable_password()
        user.save()
    return user


@contextlib.contextmanager
def acting(actor: AbstractBaseUser | None, *, remote_addr: str | None = None) -> Iterator[None]:
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


def history_for(obj: models.Model, *, related: list[models.Model] | None = None) -> models.QuerySet:
    """Audit-log entries of ``obj`` (and of related objects given), newest first."""
    content_type = ContentType.objects.get_for_model(type(obj))
    entries = LogEntry.objects.filter(content_type=content_type, object_pk=str(obj.pk))
    for other in related or []:
        entries = entries | LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(other)), object_pk=str(other.pk)
        )
    return entries.select_related("actor", "content_type").order_by("-timestamp", "-id")


def _field(model: type[models.Model], name: str) -> Any:
    """The model's own field of that name (not a reverse relation), or None."""
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    return field if getattr(field, "concrete", False) else None


# What django-auditlog writes for a reverse relation on a create: its manager, "intake.SignalEvent.None".
_MANAGER_REPR = re.compile(r"^\w+\.\w+\.None$")


def _is_reverse(model: type[models.Model] | None, name: str, change: Any) -> bool:
    """A reverse relation (another model's key pointing here) recorded as if it were a field: not
    a change of this object, so not shown."""
    if model is not None:
        try:
            field = model._meta.get_field(name)
        except Exception:
            field = None
        if field is not None:
            return bool(field.auto_created and not field.concrete)
    return isinstance(change, list) and all(
        v in (None, "None", "") or _MANAGER_REPR.match(str(v)) for v in change
    )


def _local_time(raw: object) -> str:
    """A stored date-time (auditlog writes UTC, naive, with microseconds) as Asia/Shanghai, to the minute."""
    value = raw if isinstance(raw, datetime.datetime) else parse_datetime(str(raw))
    if value is None:
        return str(raw)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


# Amounts are stored in fen in integer columns whose label ends "（分）" (DESIGN rule 6); the
# history shows them in yuan, as every other screen does.
FEN_LABEL_SUFFIX = "（分）"


def _is_fen(field: Any) -> bool:
    return (
        field is not None
        and field.get_internal_type() in ("BigIntegerField", "IntegerField", "PositiveBigIntegerField")
        and str(getattr(field, "verbose_name", "")).endswith(FEN_LABEL_SUFFIX)
    )


def _label(field: Any, name: str) -> str:
    if field is None or not hasattr(field, "verbose_name"):
        return name
    label = str(field.verbose_name)
    return label[: -len(FEN_LABEL_SUFFIX)] + "（元）" if _is_fen(field) else label


def _plain(field: Any, raw: Any, related: dict) -> str:
    if raw in (None, "None", ""):
        return ""
    if field is None:
        return str(raw)
    if _is_fen(field):
        try:
            return format_yuan(int(raw))
        except (TypeError, ValueError):
            return str(raw)
    if field.is_relation and field.many_to_one:
        return related.get(field.related_model, {}).get(str(raw), str(raw))
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if field.get_internal_type() == "DateTimeField":
        return _local_time(raw)
    if field.get_internal_type() == "BooleanField":
        return "是" if str(raw) == "True" else "否"
    return str(raw)


def with_change_rows(entries: Iterable[Any]) -> list:
    """Audit-log entries, each with ``rows``: [{label, old, new}] ready to show.

    Foreign keys are resolved for the whole page in one query per related model (auditlog's
    own ``changes_display_dict`` costs a query per value); many-to-many changes read 新增/移除.
    """
    entries = list(entries)
    wanted: dict = {}
    for entry in entries:
        model = entry.content_type.model_class()
        for name, change in (entry.changes_dict or {}).items():
            field = _field(model, name) if model else None
            if field is not None and field.is_relation and field.many_to_one and isinstance(change, list):
                for raw in change:
                    if raw not in (None, "None", ""):
                        wanted.setdefault(field.related_model, set()).add(raw)
    related = {}
    for model, raws in wanted.items():
        keys = []
        for raw in raws:
            try:
                keys.append(model._meta.pk.to_python(raw))
            except Exception:  # noqa: S112 - a value that is no key just shows as stored
                continue
        related[model] = {str(pk): str(obj) for pk, obj in model._base_manager.in_bulk(keys).items()}
    for entry in entries:
        model = entry.content_type.model_class()
        rows = []
        for name, change in (entry.changes_dict or {}).items():
            if _is_reverse(model, name, change):
                continue
            field = _field(model, name) if model else None
            label = _label(field, name)
            if isinstance(change, dict) and change.get("type") == "m2m":
                verb = "新增" if change.get("operation") == "add" else "移除"
                rows.append(
                    {"label": label, "old": "", "new": f"{verb}：" + "、".join(change.get("objects") or [])}
                )
            elif isinstance(change, list) and len(change) == 2:
                rows.append(
                    {
                        "label": label,
                        "old": _plain(field, change[0], related),
                        "new": _plain(field, change[1], related),
                    }
                )
        entry.rows = rows
    return entries


def auditlog_actor():
    """The user the current request or ``acting`` block is attributed to, if any."""
    current = auditlog_value.get(None)
    actor = current.get("actor") if current else None
    return actor if getattr(actor, "pk", None) else None


# Set while ``guarded_update`` runs its UPDATE: the test suite's audit guard (root conftest.py)
# flags any other raw ``update()`` of an audited model's status field as an unaudited change.
GUARDED: contextvars.ContextVar[bool] = contextvars.ContextVar("anxin_guarded_update", default=False)


def guarded_update(queryset: models.QuerySet, pk: int, **values: Any) -> int:
    """``queryset.filter(pk=pk).update(**values)`` — a conditional UPDATE whose guard (``WHERE
    status = old``, DESIGN rule 4) is in ``queryset`` — plus, for a model registered for audit, the
    audit-log entry with the field diff that Django's save signals, and so django-auditlog, never
    see for an ``update()``. In the caller's transaction; returns the rows touched."""
    from auditlog.diff import model_instance_diff
    from auditlog.registry import auditlog

    model = queryset.model
    audited = auditlog.contains(model)
    before = model._base_manager.filter(pk=pk).first() if audited else None
    token = GUARDED.set(True)
    try:
        touched = queryset.filter(pk=pk).update(**values)
    finally:
        GUARDED.reset(token)
    if touched == 1 and before is not None:
        after = model._base_manager.get(pk=pk)
        changes = model_instance_diff(before, after)
        if changes:
            LogEntry.objects.log_create(after, action=LogEntry.Action.UPDATE, changes=changes)
    return touched
