"""Test helpers of org shared with the other apps' API tests."""

from __future__ import annotations

from knox.models import AuthToken

from anxin.org.models import User


def api_token(user: User) -> str:
    """A fresh API token (a django-rest-knox token, stored as its digest) for ``user``: the raw key,
    for ``Authorization: Token <key>``. The token that ``manage.py issue_token`` gives, without its
    security event (org's own tests issue tokens through ``token_issue``)."""
    _token, key = AuthToken.objects.create(user=user)
    return key
