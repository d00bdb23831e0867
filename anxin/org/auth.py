"""API authentication: django-rest-knox tokens (hashed, expiring) and the session, both refusing an
account whose password was set by an administrator and not yet changed by its holder.

The header stays ``Authorization: Token <key>`` (``REST_KNOX["AUTH_HEADER_PREFIX"]``). A token is
issued by ``org.services.token_issue`` (``manage.py issue_token``) and revoked by
``org.services.tokens_revoke``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox import auth as knox_auth
from rest_framework import authentication, exceptions


def refuse_one_time_password(user: Any) -> None:
    """The API is closed to an account that must first change its one-time password."""
    if getattr(user, "must_change_password", False):
        raise exceptions.AuthenticationFailed(
            _("账户密码由管理员设置，须先登录网页修改密码后才能使用接口"), code="password_change_required"
        )


class TokenAuthentication(knox_auth.TokenAuthentication):
    """``Authorization: Token <key>``: a knox token, looked up by its digest; expired ones are deleted."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        refuse_one_time_password(user)
        return user, token


class SessionAuthentication(authentication.SessionAuthentication):
    """The signed-in browser session (with its CSRF check), as DRF's."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            refuse_one_time_password(result[0])
        return result


class TokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme for the token header (the name stays ``tokenAuth``)."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        from knox.settings import knox_settings

        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=knox_settings.AUTH_HEADER_PREFIX
        )


class SessionScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme for the session cookie (the name stays ``cookieAuth``)."""

    target_class = SessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
