"""Helpers of the public portal's forms: the captcha challenge, and the one-time pass a visitor
holds after solving a captcha on a submit refused for other reasons.

A solved captcha admits one submission. django-simple-captcha keeps each challenge as a
``CaptchaStore`` row; ``OnceCaptchaField`` (intake.forms) uses it up by deleting the row and
checking that this request's delete removed it, so of two submissions sent at once with the same
solved captcha only one passes. The pass is a row of the same table (a random secret as its
answer, living ``CAPTCHA_TIMEOUT`` minutes), named in the visitor's session and used up the same
way. These rows are the captcha library's state, not district data (no audit, no service).
"""

from __future__ import annotations

import secrets

from captcha.models import CaptchaStore
from django.utils import timezone

DIGITS = "23456789"  # no 0/1, which look like O/I on a small screen
PASS_KEY = "portal_captcha_pass"  # noqa: S105 (a session key) — [hashkey, secret] of the visitor's one-time pass


def digits_challenge() -> tuple[str, str]:
    """django-simple-captcha challenge: four digits to type back."""
    text = "".join(secrets.choice(DIGITS) for _i in range(4))
    return text, text


def captcha_use(hashkey: str) -> CaptchaStore | None:
    """The challenge with this key, used up by this call: ``None`` when it expired or another
    request used it first (the delete removed nothing)."""
    store = CaptchaStore.objects.filter(hashkey=hashkey, expiration__gt=timezone.now()).first()
    if store is None:
        return None
    deleted, _detail = CaptchaStore.objects.filter(pk=store.pk).delete()
    return store if deleted == 1 else None


def captcha_pass_issue(session) -> None:
    """After a solved captcha on a submit refused for other reasons: the corrected resubmit need
    not solve another — once."""
    secret = secrets.token_hex(16)
    store = CaptchaStore.objects.create(challenge="pass", response=secret)
    session[PASS_KEY] = [store.hashkey, secret]


def captcha_pass_held(session) -> bool:
    """Whether the visitor holds a pass (to draw the form without a captcha); uses nothing."""
    value = session.get(PASS_KEY)
    return isinstance(value, list) and len(value) == 2


def captcha_pass_use(session) -> bool | None:
    """Use the visitor's pass: ``True`` used now; ``False`` held but expired or already used by
    another submission; ``None`` no pass held."""
    value = session.pop(PASS_KEY, None)
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
        return None
    store = captcha_use(value[0])
    return store is not None and secrets.compare_digest(store.response, value[1])


# --- which reports this request may read, on PostgreSQL's row-level security -------------------------
#
# The internet zone's database role (deploy/portal-role.sql) sees a report, and what hangs from it,
# only when the connection names it: by its tracking code (the worker typed it, or the report was
# just written with it), or by the phone index of a recovery the worker proved with an SMS code.
# Elsewhere (the internal zone's owner role, SQLite) the settings are set and read by nobody.

CODE_SETTING = "anxin.portal_code"
PHONE_SETTING = "anxin.portal_phone"
ID_SETTING = "anxin.portal_id"  # the 计酬手册 copy (sites.PortalHandbook) of one ID number's blind index


def _set(name: str, value: str) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false)", [name, value])


def portal_scope(code: str) -> None:
    """Name the report (by tracking code) this connection may read under the portal's role."""
    _set(CODE_SETTING, code)


def portal_scope_phone(phone_index: str) -> None:
    """Name the phone (its blind index) whose reports a proved recovery may list."""
    _set(PHONE_SETTING, phone_index)


def portal_scope_id(id_index: str) -> None:
    """Name the worker (the blind index of the ID number) whose 计酬手册 copy this request reads."""
    _set(ID_SETTING, id_index)


class PortalScopeMiddleware:
    """The internet zone: each request starts naming no report and no worker (a connection outlives a
    request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.db import connection

        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config(%s, '', false), set_config(%s, '', false), set_config(%s, '', false)",
                    [CODE_SETTING, PHONE_SETTING, ID_SETTING],
                )
        return self.get_response(request)
