"""Little helpers the monitoring screens share."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone

from anxin.core.errors import DomainError


def may_export(request, back: str):
    """Ledger exports are for the roles that may export the alert ledger (not the auditor)."""
    if request.user.has_perm("monitoring.export_alert"):
        return None
    messages.error(request, "您的角色不能导出该台账。")
    return redirect(back)


def local(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return f"{timezone.localtime(value):{fmt}}" if value else ""


def date_field(value: str, field: str, message: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise DomainError(message, field=field) from None
