"""Security settings read from policy parameters (lockout, idle timeout)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest

from anxin.core.policy import UnknownParameter, param
from anxin.core.policy_defaults import DEFAULTS

# Before load_district has run there are no parameter rows: the shipped defaults apply.
_FALLBACK = {item["code"]: int(item["value"]) for item in DEFAULTS if item["code"].startswith("security.")}


def _param_or_default(code: str) -> int:
    try:
        return int(param(code))
    except UnknownParameter:
        return _FALLBACK[code]


def axes_failure_limit(request: HttpRequest | None = None, credentials: dict | None = None) -> int:
    return _param_or_default("security.lockout_failures")


def axes_cooloff(request: HttpRequest | None = None) -> datetime.timedelta:
    return datetime.timedelta(minutes=_param_or_default("security.lockout_minutes"))


def session_idle_minutes() -> int:
    return _param_or_default("security.session_idle_minutes")


def client_ip(request: HttpRequest) -> str | None:
    """The client address.

    Behind the district's nginx (``BEHIND_PROXY``), the last ``X-Forwarded-For`` entry is the one
    nginx appended (the address it saw); earlier entries come from the client and are not trusted.
    Without a proxy the header is ignored: anyone could send it.
    """
    from django.conf import settings

    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR") or None
