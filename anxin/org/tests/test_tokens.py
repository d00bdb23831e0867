"""Issue #13, finding 5: API tokens are hashed, expire, and are revoked on a password change, a
password set by an administrator, deactivation and lockout (django-rest-knox)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.core.models import SecurityEvent, SecurityEventKind
from anxin.org.models import User
from anxin.org.services import token_issue, user_account_save, user_password_change
from anxin.org.tests.factories import PASSWORD

TOWNS = "/api/v1/towns/"
NEW = "Hq7#mVqz2pLw"


def _get(api_client, key):
    return api_client.get(TOWNS, HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def key(luoxi):
    return token_issue(actor=system_actor(), user=luoxi)


def _revoked(luoxi: User) -> SecurityEvent:
    return SecurityEvent.objects.get(kind=SecurityEventKind.TOKEN_REVOKED, summary__contains=luoxi.username)


# --- stored as a digest, with an expiry ------------------------------------------------------


def test_a_token_authenticates_with_the_token_header(api_client, key):
    assert _get(api_client, key).status_code == 200


def test_the_raw_key_is_not_stored(luoxi, key):
    token = AuthToken.objects.get(user=luoxi)
    stored = [str(value) for value in AuthToken.objects.filter(pk=token.pk).values_list().get()]
    assert not any(key in value for value in stored)
    assert token.digest == hash_token(key)
    assert len(token.token_key) < len(key)  # only a lookup prefix


def test_a_token_expires_after_the_configured_days(luoxi, key):
    expiry = AuthToken.objects.get(user=luoxi).expiry
    expected = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    assert abs((expiry - expected).total_seconds()) < 60
    assert settings.API_TOKEN_TTL_DAYS == 30


def test_an_expired_token_is_refused(api_client, luoxi, key):
    ttl = datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    with time_machine.travel(timezone.now() + ttl - datetime.timedelta(hours=1)):
        assert _get(api_client, key).status_code == 200
    with time_machine.travel(timezone.now() + ttl + datetime.timedelta(hours=1)):
        assert _get(api_client, key).status_code == 401
    assert not AuthToken.objects.filter(user=luoxi).exists()


def test_an_unknown_token_is_refused_in_chinese(api_client, district):
    response = _get(api_client, "0" * 64)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "令牌无效" in response.json()["detail"]


# --- revoked -----------------------------------------------------------------------------------


def test_the_holders_password_change_revokes_the_token(api_client, luoxi, key):
    user_password_change(actor=luoxi, password=NEW)
    assert _get(api_client, key).status_code == 401
    event = _revoked(luoxi)
    assert (event.user, event.detail["reason"]) == (luoxi, "本人修改密码")


def test_the_password_change_page_revokes_the_token(api_client, login, luoxi, key):
    response = login(luoxi).post(
        "/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _get(api_client, key).status_code == 401


def test_a_password_set_by_an_administrator_revokes_the_token(api_client, sysadmin, luoxi, key):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    assert _get(api_client, key).status_code == 401
    assert _revoked(luoxi).user == sysadmin


def test_deactivation_revokes_the_token(api_client, sysadmin, luoxi, key):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, is_active=False
    )
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, is_active=True
    )
    assert _get(api_client, key).status_code == 401  # reactivating does not bring it back
    assert _revoked(luoxi).detail["reason"] == "账户停用"


def test_lockout_revokes_the_token(api_client, client, luoxi, key):
    for _ in range(5):
        client.post(
            "/login/", {"username": luoxi.username, "password": "Wrong@password1"}, REMOTE_ADDR="10.0.0.9"
        )
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKOUT).exists()
    assert _get(api_client, key).status_code == 401
    event = _revoked(luoxi)
    assert (event.user, event.username, event.ip) == (None, luoxi.username, "10.0.0.9")


def test_a_revocation_without_tokens_records_nothing(sysadmin, luoxi):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.TOKEN_REVOKED).exists()


# --- one-time passwords and tokens --------------------------------------------------------------


def test_no_token_for_an_account_with_a_one_time_password(sysadmin, luoxi):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    luoxi.refresh_from_db()
    with pytest.raises(DomainError, match="须本人登录修改密码"):
        token_issue(actor=system_actor(), user=luoxi)


def test_the_api_refuses_a_token_of_an_account_with_a_one_time_password(api_client, luoxi, key):
    type(luoxi).objects.filter(pk=luoxi.pk).update(must_change_password=True)  # as if set meanwhile
    response = _get(api_client, key)
    assert response.status_code == 401
    assert "须先登录网页修改密码" in response.json()["detail"]
