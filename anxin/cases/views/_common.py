"""Little helpers the case screens share: a service's refusal shown as a message or beside the field it
names."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from anxin.core.errors import DomainError


def fail(request, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        messages.error(request, "；".join(exc.messages))
    elif isinstance(exc, PermissionDenied):
        messages.error(request, str(exc) or "您的角色不能进行此操作。")
    else:
        messages.error(request, getattr(exc, "message", str(exc)))


def refuse(form, exc: DomainError) -> None:
    """A service's refusal shown on the form it came from: beside its field, else above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
