"""Repeats write once (issue #13): the one-time token every form carries through ``{% csrf_token %}``,
and the API's ``Idempotency-Key``. The views of ``once_urls`` write one row per run."""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.template import RequestContext, Template
from django.test import Client
from django.utils import timezone

from anxin.core import once
from anxin.core.audit import system_actor
from anxin.core.models import FormOnce, IdempotentRequest
from anxin.core.tests.once_urls import runs

pytestmark = pytest.mark.urls("anxin.core.tests.once_urls")
FORM = "/once-test/form/"
API = "/once-test/api/"
TOKEN = re.compile(r'name="anxin_once" value="([^"]+)"')


def _token(client: Client) -> str:
    found = TOKEN.search(client.get(FORM).content.decode())
    assert found, "the form carries no one-time token"
    return found.group(1)


# --- the token in every form ---------------------------------------------------------------------------


def test_csrf_token_renders_the_one_time_token_beside_the_csrf_input(rf):
    """The builtin override is in place: Django's ``{% csrf_token %}`` now renders both inputs."""
    (engine,) = settings.TEMPLATES
    options: Any = engine["OPTIONS"]
    assert "anxin.core.templatetags.once" in options["builtins"]
    html = Template("{% csrf_token %}{% csrf_token %}").render(RequestContext(rf.get("/"), {}))
    assert html.count('name="csrfmiddlewaretoken"') == 2
    tokens = TOKEN.findall(html)
    assert len(tokens) == 2 and tokens[0] != tokens[1]  # one token per rendered form


def test_without_a_csrf_token_nothing_is_rendered():
    from django.template import Context

    assert Template("{% csrf_token %}").render(Context({})) == ""


# --- a form sent twice ---------------------------------------------------------------------------------


def test_a_form_sent_twice_runs_once_and_the_repeat_goes_where_the_first_went(client, office):
    client.force_login(office)
    token = _token(client)
    first = client.post(FORM, {"text": "a", "anxin_once": token})
    assert first.status_code == 302 and first["Location"] == "/once-test/done/?n=1"
    again = client.post(FORM, {"text": "a", "anxin_once": token}, HTTP_REFERER="http://testserver" + FORM)
    assert again.status_code == 302 and again["Location"] == "/once-test/done/?n=1"
    assert runs() == 1
    shown = [str(m) for m in again.wsgi_request._messages]
    assert shown == ["该表单已提交，请勿重复提交"]
    row = FormOnce.objects.get()
    assert row.user == office and row.finished_at is not None and row.result_url == "/once-test/done/?n=1"


def test_each_rendering_of_the_form_may_be_sent_once(client, office):
    client.force_login(office)
    for text in ("a", "b"):
        assert client.post(FORM, {"text": text, "anxin_once": _token(client)}).status_code == 302
    assert runs() == 2


def test_a_repeat_from_htmx_is_a_409_that_swaps_nothing(client, office):
    client.force_login(office)
    token = _token(client)
    client.post(FORM, {"text": "a", "anxin_once": token})
    again = client.post(FORM, {"text": "a", "anxin_once": token}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409 and again["HX-Reswap"] == "none"
    assert again.content.decode() == "该表单已提交，请勿重复提交"
    assert runs() == 1


def test_a_repeat_with_nowhere_to_go_says_so_on_its_own_page(client, office):
    client.force_login(office)
    token = _token(client)
    FormOnce.objects.create(token=once._nonce(token), path=FORM, finished_at=timezone.now())
    again = client.post(FORM, {"text": "a", "anxin_once": token})
    assert again.status_code == 409
    assert "该表单已提交，请勿重复提交" in again.content.decode()
    assert runs() == 0


def test_a_refused_first_post_gives_its_token_back(client, office):
    client.force_login(office)
    token = _token(client)
    assert client.post(FORM, {"text": "refuse", "anxin_once": token}).status_code == 403
    assert not FormOnce.objects.exists()
    assert client.post(FORM, {"text": "a", "anxin_once": token}).status_code == 302
    assert runs() == 1


def test_a_token_not_signed_here_is_refused(client, office):
    client.force_login(office)
    forged = "abc:1t2u3v:" + "x" * 43
    response = client.post(FORM, {"text": "a", "anxin_once": forged}, HTTP_REFERER="http://testserver" + FORM)
    assert response.status_code == 302 and response["Location"] == "http://testserver" + FORM
    assert [str(m) for m in response.wsgi_request._messages] == ["表单校验失败，请刷新页面后重新提交"]
    assert runs() == 0


def test_an_expired_token_is_refused(client, office):
    client.force_login(office)
    with time_machine.travel(timezone.now() - datetime.timedelta(hours=settings.ONCE_FORM_MAX_AGE_HOURS + 1)):
        token = once.form_token()
    response = client.post(FORM, {"text": "a", "anxin_once": token})
    assert response.status_code == 400 and "表单已过期" in response.content.decode()
    assert runs() == 0


def test_a_redirect_elsewhere_is_not_followed_by_the_repeat(rf):
    """Only a local address is remembered as where the first went."""
    request = rf.post(FORM)
    assert not once._safe(request, "https://evil.example/")
    assert once._safe(request, "/cases/1/")


def test_a_post_without_a_token_is_left_alone(client, office):
    client.force_login(office)
    for _i in range(2):
        assert client.post(FORM, {"text": "a"}).status_code == 302
    assert runs() == 2 and not FormOnce.objects.exists()


# --- the API's Idempotency-Key -------------------------------------------------------------------------


@pytest.fixture
def api(district):
    """``api(user)`` → a client sending that user's API token."""
    from rest_framework.test import APIClient

    from anxin.org.services import token_issue

    def _client(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=system_actor(), user=user)}")
        return client

    return _client


def _post(client: Any, body: dict, key: str | None = "k-1", **headers: Any) -> Any:
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(API, json.dumps(body), content_type="application/json", **headers)


def test_a_repeat_with_the_same_key_gets_the_first_answer_and_does_not_run_again(api, office):
    client = api(office)
    first = _post(client, {"text": "a"})
    assert first.status_code == 201 and first.json() == {"runs": 1, "text": "a"}
    assert "Idempotent-Replayed" not in first
    again = _post(client, {"text": "a"})
    assert again.status_code == 201 and again.json() == {"runs": 1, "text": "a"}
    assert again["Idempotent-Replayed"] == "true"
    assert again["Content-Type"] == first["Content-Type"]
    assert runs() == 1


def test_without_a_key_every_request_runs(api, office):
    client = api(office)
    _post(client, {"text": "a"}, key=None)
    _post(client, {"text": "a"}, key=None)
    assert runs() == 2 and not IdempotentRequest.objects.exists()


def test_the_same_key_with_another_body_is_a_422(api, office):
    client = api(office)
    _post(client, {"text": "a"})
    other = _post(client, {"text": "b"})
    assert other.status_code == 422
    assert "内容不同的请求" in other.json()["detail"]
    assert runs() == 1


def test_a_repeat_while_the_first_still_runs_is_a_409(api, office):
    client = api(office)
    raw = json.dumps({"text": "a"}).encode()
    IdempotentRequest.objects.create(
        user=office,
        key="k-1",
        scope=hashlib.sha256(f"POST {API}".encode()).hexdigest(),
        method="POST",
        path=API,
        body_hash=hashlib.sha256(raw).hexdigest(),
    )
    response = _post(client, {"text": "a"})
    assert response.status_code == 409 and response["Retry-After"] == "1"
    assert "正在处理中" in response.json()["detail"]
    assert runs() == 0


def test_a_key_is_per_user_and_per_path(api, office, luoxi):
    _post(api(office), {"text": "a"})
    assert _post(api(luoxi), {"text": "a"}).json()["runs"] == 2
    assert runs() == 2


def test_a_key_is_forgotten_after_its_time(api, office):
    client = api(office)
    _post(client, {"text": "a"})
    later = timezone.now() + datetime.timedelta(hours=settings.ONCE_IDEMPOTENCY_HOURS, minutes=1)
    with time_machine.travel(later):
        again = _post(client, {"text": "a"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert runs() == 2


def test_a_server_error_is_not_kept_so_the_client_may_retry(api, office):
    client = api(office)
    assert _post(client, {"fail": True}).status_code == 503
    assert not IdempotentRequest.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "键"])
def test_a_key_that_is_not_1_to_255_visible_ascii_characters_is_a_400(api, office, key):
    response = _post(api(office), {"text": "a"}, key=key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["detail"]
    assert runs() == 0


def test_an_anonymous_request_is_left_to_the_view(client, district):
    response = client.post(API, "{}", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code in (401, 403)
    assert not IdempotentRequest.objects.exists()


def test_a_session_user_is_recognised_too(client, office):
    client.force_login(office)
    for _i in range(2):
        response = client.post(
            API, '{"text": "a"}', content_type="application/json", HTTP_IDEMPOTENCY_KEY="s"
        )
        assert response.status_code == 201
    assert runs() == 1 and response["Idempotent-Replayed"] == "true"


# --- purge ---------------------------------------------------------------------------------------------


def test_tick_forgets_expired_tokens_and_keys(office):
    old = timezone.now() - datetime.timedelta(
        hours=max(settings.ONCE_FORM_MAX_AGE_HOURS, settings.ONCE_IDEMPOTENCY_HOURS) + 1
    )
    FormOnce.objects.create(token="old", path=FORM, consumed_at=old)
    FormOnce.objects.create(token="new", path=FORM)
    IdempotentRequest.objects.create(
        user=office, key="old", scope="s", method="POST", path=API, body_hash="h", created_at=old
    )
    call_command("tick", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(FormOnce.objects.values_list("token", flat=True)) == ["new"]
    assert not IdempotentRequest.objects.exists()
