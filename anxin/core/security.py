"""Security settings read from policy parameters (lockout, idle timeout).

These run on every login and every request: they never raise. A stored value that is not a
number, or lies outside the parameter's bounds (a row written before the bounds existed, or
by hand in the database), is clamped to the bounds — or replaced by the shipped default when it
is no number at all — and logged, so a bad row cannot answer every login with a 500 or lock
the district out. ``manage.py security_recover`` puts the rows themselves right.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.http import HttpRequest

from anxin.core.policy import UnknownParameter, param_record, parameter_bounds
from anxin.core.policy_defaults import DEFAULTS

logger = logging.getLogger("anxin.security")

# Before load_district has run there are no parameter rows: the shipped defaults apply.
_FALLBACK = {item["code"]: int(item["value"]) for item in DEFAULTS if item["code"].startswith("security.")}


def security_parameter(code: str) -> int:
    """The value in force today, kept within the parameter's bounds; never raises."""
    default = _FALLBACK[code]
    raw: object = None
    try:
        raw = param_record(code).value
        number = Decimal(str(raw).strip())
    except UnknownParameter:
        return default
    except (InvalidOperation, ValueError, TypeError):
        logger.warning("安全参数 %s 的取值 %.40r 不是数字，按默认值 %s 执行", code, raw, default)
        return default
    if not number.is_finite():
        logger.warning("安全参数 %s 的取值 %.40r 不是有限数，按默认值 %s 执行", code, raw, default)
        return default
    bounds = parameter_bounds(code)
    kept = bounds.clamp(number) if bounds is not None else number
    if kept != number:
        logger.warning(
            "安全参数 %s 的取值 %.40r 超出允许范围 %s，按 %s 执行；请运行 manage.py security_recover --check",
            code,
            raw,
            bounds.describe() if bounds is not None else "",
            kept,
        )
    return int(kept)


def axes_failure_limit(request: HttpRequest | None = None, credentials: dict | None = None) -> int:
    return security_parameter("security.lockout_failures")


def axes_cooloff(request: HttpRequest | None = None) -> datetime.timedelta:
    return datetime.timedelta(minutes=security_parameter("security.lockout_minutes"))


def session_idle_minutes() -> int:
    return security_parameter("security.session_idle_minutes")


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
