"""A one-time password leads to the password change before anything else (三员分立).

An account whose password was set by someone else (an administrator in the admin, a command such
as ``add_user``) carries ``User.must_change_password``. Until its holder changes the password,
every page and the admin lead to the password change page, which says who set it and when; the
API refuses such an account in ``anxin.org.auth``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

# Paths an account with a one-time password still reaches. The public portal and its captcha
# need no login; the API answers for itself (anxin.org.auth) with a 401/403 rather than a redirect.
_OPEN_PREFIXES = ("/public/", "/captcha/", "/api/", "/favicon.ico")
_OPEN_NAMES = ("login", "logout", "password_change", "password_change_done", "admin:logout")


class PasswordChangeRequiredMiddleware:
    """After AuthenticationMiddleware: send a holder of a one-time password to the password change.

    The admin's own password page (which would change the password without the security event or
    the token revocation) leads to the same page, for every user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith((reverse("admin:password_change"), reverse("admin:password_change_done"))):
            return HttpResponseRedirect(reverse("password_change"))
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self._open(path)
        ):
            target = reverse("password_change")
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return HttpResponseRedirect(target)
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        static = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"
        if path.startswith((static, *_OPEN_PREFIXES)):
            return True
        return path in {reverse(name) for name in _OPEN_NAMES}
