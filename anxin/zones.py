"""The two network zones one codebase runs in (issue #21; docs/operations.md, "两个网络区域").

``ANXIN_ZONE=internal`` (the default, what ``make run`` starts) is the whole system: the officers'
pages, the admin, the API, the login and the worker portal, on the government network (政务外网).
``ANXIN_ZONE=public`` is the internet-facing portal process: its URLconf (anxin/urls_public.py)
mounts only the pages the apps register at ``seam.PUBLIC_URLS`` (the worker portal and the public
pages it links to), the captcha and the favicon; the login, the admin, the API and every officer
page do not exist there (Django itself answers 404), and the middleware that serves logged-in
users only is left out. GB/T 22239 区域边界防护: the boundary between the zones is the network's,
and this process has nothing behind it to reach.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from anxin.envconf import ImproperEnv

INTERNAL = "internal"
PUBLIC = "public"
ZONES = (INTERNAL, PUBLIC)

URLCONFS = {INTERNAL: "anxin.urls", PUBLIC: "anxin.urls_public"}

# Middleware of logged-in users only: no page of the public zone has a user. Without
# AuthenticationMiddleware no request reads an account (a session cookie of the internal zone, were
# one sent here, names nobody); the portal's database role reads only the system account's row
# (deploy/portal-role.sql). AuditlogMiddleware stays: the audit rows the portal writes keep the
# client's address (it names no actor when there is no user).
OFFICER_MIDDLEWARE = (
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "anxin.core.middleware.IdleTimeoutMiddleware",
    "anxin.org.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
)
OFFICER_CONTEXT_PROCESSORS = (
    "django.contrib.auth.context_processors.auth",
    "anxin.notify.context_processors.inbox",
)


# Apps the public zone leaves out: the admin (its pages and its checks) has no place there.
OFFICER_APPS = ("django.contrib.admin",)
# Checks that ask for what the public zone leaves out on purpose (axes: no login, no lockout).
PUBLIC_SILENCED_CHECKS = ("axes.W002",)


def check(zone: str) -> str:
    """``zone`` when it names a zone; else the settings stop (ImproperlyConfigured)."""
    if zone not in ZONES:
        raise ImproperEnv(f"ANXIN_ZONE={zone!r} is not a zone: use {' or '.join(ZONES)}")
    return zone


def urlconf(zone: str) -> str:
    return URLCONFS[check(zone)]


def installed_apps(zone: str, internal: list[str]) -> list[str]:
    if check(zone) == INTERNAL:
        return list(internal)
    return [a for a in internal if a not in OFFICER_APPS]


def silenced_checks(zone: str, internal: list[str]) -> list[str]:
    if check(zone) == INTERNAL:
        return list(internal)
    return [*internal, *PUBLIC_SILENCED_CHECKS]


# The public zone's own: each request starts naming no report to the database's row-level security.
PUBLIC_MIDDLEWARE = ("anxin.intake.portal.PortalScopeMiddleware",)


def middleware(zone: str, internal: list[str]) -> list[str]:
    """The middleware of ``zone`` given the internal zone's list (the public zone drops the officers'
    and starts each request naming no report)."""
    if check(zone) == INTERNAL:
        return list(internal)
    return [*PUBLIC_MIDDLEWARE, *(m for m in internal if m not in OFFICER_MIDDLEWARE)]


def context_processors(zone: str, internal: list[str]) -> list[str]:
    if check(zone) == INTERNAL:
        return list(internal)
    return [c for c in internal if c not in OFFICER_CONTEXT_PROCESSORS]


def for_public_zone(run: Callable[..., int]) -> Callable[..., int]:
    """A tick sweep that writes a copy for the internet zone's portal (its progress records, notice
    board projects, 计酬手册, public listings). It runs only where a separate internet-zone portal
    reads those copies: the internal zone's ``ANXIN_PUBLIC_ZONE_COPIES=true``
    (``settings.PUBLIC_ZONE_COPIES``). A single-zone deployment (the default, ``make run``) reads
    the originals, so the sweep does nothing there and costs nothing every ten minutes."""

    @functools.wraps(run)
    def sweep(**kwargs: Any) -> int:
        from django.conf import settings

        if not settings.PUBLIC_ZONE_COPIES:
            return 0
        return run(**kwargs)

    return sweep
