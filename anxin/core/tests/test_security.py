"""Authentication security: events for every login, lockout and idle timeout from policy
parameters, an append-only event log, the password policy and the response headers."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.core.models import SecurityEvent, SecurityEventKind
from anxin.core.passwords import MinimumLengthValidator
from anxin.core.services import policy_parameter_set, security_event_record
from anxin.org.models import User
from anxin.org.services import user_save
from anxin.org.tests.factories import PASSWORD

IP = "10.32.4.17"
START = datetime.datetime(2026, 6, 10, 9, 0, tzinfo=datetime.UTC)


def _post_login(client, username, password, ip=IP):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client, user, times):
    for _ in range(times):
        _post_login(client, user.username, "Wrong@password1")


def _events(kind):
    return SecurityEvent.objects.filter(kind=kind)


# --- login events ----------------------------------------------------------------------------


def test_successful_login_redirects_to_the_home_page(client, luoxi):
    response = _post_login(client, luoxi.username, PASSWORD)
    assert response.status_code == 302
    assert response.url == "/"
    assert _logged_in(client)


def test_successful_login_writes_a_login_event_with_the_ip(client, luoxi):
    _post_login(client, luoxi.username, PASSWORD)
    event = _events(SecurityEventKind.LOGIN).get()
    assert event.user == luoxi
    assert event.username == luoxi.username
    assert event.ip == IP


def test_failed_login_writes_a_login_failed_event_with_username_and_ip(client, luoxi):
    response = _post_login(client, luoxi.username, "Wrong@password1")
    assert response.status_code == 200
    assert not _logged_in(client)
    event = _events(SecurityEventKind.LOGIN_FAILED).get()
    assert (event.username, event.ip, event.user) == (luoxi.username, IP, None)


def test_failed_login_shows_a_chinese_message(client, luoxi):
    response = _post_login(client, luoxi.username, "Wrong@password1")
    assert "用户名或密码不正确" in response.content.decode()


def test_failed_login_event_never_stores_the_password_tried(client, luoxi):
    _post_login(client, luoxi.username, "Wrong@password1")
    event = _events(SecurityEventKind.LOGIN_FAILED).get()
    assert "Wrong@password1" not in f"{event.summary}{event.detail}"


def test_logout_writes_a_logout_event(client, luoxi):
    _post_login(client, luoxi.username, PASSWORD)
    client.post("/logout/", REMOTE_ADDR=IP)
    assert _events(SecurityEventKind.LOGOUT).get().user == luoxi


# --- lockout ---------------------------------------------------------------------------------


def test_four_failures_do_not_lock_the_account(client, luoxi):
    _fail(client, luoxi, 4)
    _post_login(client, luoxi.username, PASSWORD)
    assert _logged_in(client)


def test_five_failures_lock_the_account_even_for_the_right_password(client, luoxi):
    _fail(client, luoxi, 5)
    response = _post_login(client, luoxi.username, PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)
    assert "账户已临时锁定" in response.content.decode()


def test_lockout_writes_a_lockout_event(client, luoxi):
    _fail(client, luoxi, 5)
    event = _events(SecurityEventKind.LOCKOUT).get()
    assert event.username == luoxi.username
    assert event.ip == IP


def test_lockout_is_per_account_not_per_address(client, luoxi, xuejia):
    _fail(client, luoxi, 5)
    _post_login(client, xuejia.username, PASSWORD)
    assert _logged_in(client)


def test_lowering_the_failure_parameter_to_three_locks_after_three_failures(client, luoxi, office):
    policy_parameter_set(
        actor=office,
        code="security.lockout_failures",
        value="3",
        effective_from=timezone.localdate(),
        note="等保测评整改",
    )
    _fail(client, luoxi, 3)
    response = _post_login(client, luoxi.username, PASSWORD)
    assert response.status_code == 429
    assert _events(SecurityEventKind.LOCKOUT).exists()


def test_login_works_again_after_the_cool_off(client, luoxi):
    with time_machine.travel(START, tick=False) as traveller:
        _fail(client, luoxi, 5)
        traveller.shift(datetime.timedelta(minutes=31))
        _post_login(client, luoxi.username, PASSWORD)
        assert _logged_in(client)


def test_the_account_is_still_locked_before_the_cool_off_ends(client, luoxi):
    with time_machine.travel(START, tick=False) as traveller:
        _fail(client, luoxi, 5)
        traveller.shift(datetime.timedelta(minutes=29))
        response = _post_login(client, luoxi.username, PASSWORD)
        assert response.status_code == 429
        assert not _logged_in(client)


# --- idle timeout ----------------------------------------------------------------------------


def test_a_session_idle_longer_than_the_parameter_is_logged_out(login, luoxi):
    with time_machine.travel(START, tick=False) as traveller:
        client = login(luoxi)
        assert client.get("/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get("/", REMOTE_ADDR=IP)
        assert response.status_code == 302
        assert response.url.startswith("/login/")
        assert not _logged_in(client)


def test_an_idle_htmx_request_is_sent_to_login_by_hx_redirect(login, luoxi):
    with time_machine.travel(START, tick=False) as traveller:
        client = login(luoxi)
        assert client.get("/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get("/enterprises/", HTTP_HX_REQUEST="true")
        assert response.status_code == 204
        assert response["HX-Redirect"].startswith("/login/")


def test_idle_timeout_tells_the_user_why_on_the_login_page(login, luoxi):
    with time_machine.travel(START, tick=False) as traveller:
        client = login(luoxi)
        client.get("/")
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/")
    assert "您已长时间未操作，系统已自动退出" in response.content.decode()


def test_idle_timeout_records_an_idle_timeout_event_and_no_logout_event(login, luoxi):
    with time_machine.travel(START, tick=False) as traveller:
        client = login(luoxi)
        client.get("/")
        traveller.shift(datetime.timedelta(minutes=31))
        client.get("/", REMOTE_ADDR=IP)
    event = _events(SecurityEventKind.IDLE_TIMEOUT).get()
    assert (event.user, event.ip) == (luoxi, IP)
    assert not _events(SecurityEventKind.LOGOUT).exists()


def test_activity_within_the_idle_limit_keeps_the_session(login, luoxi):
    with time_machine.travel(START, tick=False) as traveller:
        client = login(luoxi)
        client.get("/")
        for _ in range(3):
            traveller.shift(datetime.timedelta(minutes=25))
            assert client.get("/").status_code == 200
        assert _logged_in(client)


def test_the_idle_limit_follows_the_parameter(login, luoxi, office):
    policy_parameter_set(
        actor=office,
        code="security.session_idle_minutes",
        value="10",
        effective_from=START.date(),
        note="等保测评整改",
    )
    with time_machine.travel(START, tick=False) as traveller:
        client = login(luoxi)
        client.get("/")
        traveller.shift(datetime.timedelta(minutes=11))
        assert client.get("/").status_code == 302
        assert not _logged_in(client)


# --- append-only events ----------------------------------------------------------------------


@pytest.fixture
def event(district):
    return security_event_record(kind=SecurityEventKind.EXPORT, user=system_actor(), summary="导出测试")


def test_a_security_event_cannot_be_saved_again(event):
    event.summary = "改写"
    with pytest.raises(TypeError):
        event.save()


def test_a_security_event_cannot_be_deleted(event):
    with pytest.raises(TypeError):
        event.delete()


def test_security_events_cannot_be_updated_in_bulk(event):
    with pytest.raises(TypeError):
        SecurityEvent.objects.filter(pk=event.pk).update(summary="改写")


def test_security_events_cannot_be_deleted_in_bulk(event):
    with pytest.raises(TypeError):
        SecurityEvent.objects.all().delete()
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


def test_an_unknown_security_event_kind_is_refused(district):
    with pytest.raises(ValueError):
        security_event_record(kind="coffee_break")


# --- password policy -------------------------------------------------------------------------


def _new_user(password):
    return user_save(
        actor=system_actor(), username="t_newcomer", unit="office", role="office", password=password
    )


def test_a_short_password_is_refused(district):
    with pytest.raises(DomainError) as excinfo:
        _new_user("Ab1@xyz")
    assert excinfo.value.field == "password"


def test_a_short_password_is_refused_with_a_chinese_message(district):
    with pytest.raises(DomainError) as excinfo:
        _new_user("Ab1@xyz")
    assert "密码长度太短" in excinfo.value.message


def test_the_length_validator_explains_in_chinese():
    with pytest.raises(ValidationError) as excinfo:
        MinimumLengthValidator(min_length=10).validate("Ab1@xyz")
    assert excinfo.value.messages == ["密码长度太短，至少需要 10 个字符"]


@pytest.mark.parametrize("password", ["lowercaseonly1", "LOWERUPPERxyz", "abcdefgh!@#$"])
def test_a_password_with_fewer_than_three_character_classes_is_refused(district, password):
    with pytest.raises(DomainError) as excinfo:
        _new_user(password)
    assert "密码须至少包含小写字母、大写字母、数字、符号中的 3 类" in excinfo.value.message


def test_a_refused_password_creates_no_account(district):
    from anxin.org.models import User

    with pytest.raises(DomainError):
        _new_user("short")
    assert not User.objects.filter(username="t_newcomer").exists()


def test_a_long_password_with_three_classes_is_accepted(district):
    user = _new_user("Kx7#mVq2pLw9")
    assert user.check_password("Kx7#mVq2pLw9")


# --- response headers ------------------------------------------------------------------------


def test_responses_forbid_framing(client, district):
    assert client.get("/login/")["X-Frame-Options"] == "DENY"


def test_responses_forbid_content_sniffing(client, district):
    assert client.get("/login/")["X-Content-Type-Options"] == "nosniff"


def test_content_security_policy_allows_scripts_from_self_only(client, district):
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, _sep, sources = part.partition(" ")
        directives[name] = sources
    assert directives["script-src"].split() == ["'self'"]
    assert directives["frame-ancestors"].split() == ["'none'"]


def test_login_page_has_no_inline_script(client, district):
    html = client.get("/login/").content.decode()
    tags = re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE)
    assert tags, "the page shell loads its scripts"
    assert all(re.search(r"\bsrc=", tag) for tag in tags)
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html, flags=re.IGNORECASE)


# --- client address -------------------------------------------------------------------------


def test_client_ip_ignores_forwarded_for_without_a_proxy(rf, settings):
    from anxin.core.security import client_ip

    settings.BEHIND_PROXY = False
    request = rf.get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_ip(request) == "10.1.1.1"


def test_client_ip_behind_the_proxy_takes_the_hop_nginx_appended(rf, settings):
    from anxin.core.security import client_ip

    settings.BEHIND_PROXY = True
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.8.0.7")
    assert client_ip(request) == "10.8.0.7"


def test_unlocking_a_locked_account_in_the_admin_is_a_security_event(client, login, luoxi, secadmin):
    from axes.models import AccessAttempt

    for _ in range(5):
        client.post("/login/", {"username": luoxi.username, "password": "wrong"}, REMOTE_ADDR=IP)
    attempt = AccessAttempt.objects.get(username=luoxi.username)
    admin = login(secadmin)
    admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert not AccessAttempt.objects.filter(username=luoxi.username).exists()
    event = SecurityEvent.objects.get(kind="unlock")
    assert event.username == luoxi.username
    assert event.user == secadmin


def test_a_successful_login_after_one_failure_is_not_an_unlock(client, luoxi):
    client.post("/login/", {"username": luoxi.username, "password": "wrong"}, REMOTE_ADDR=IP)
    client.post("/login/", {"username": luoxi.username, "password": PASSWORD}, REMOTE_ADDR=IP)
    assert not SecurityEvent.objects.filter(kind="unlock").exists()


# --- CSP sweep over the main pages --------------------------------------------------------------


def _office_pages(office: User, world: SimpleNamespace) -> list[str]:
    """Every page of the office's menu, plus the registry's detail, form and import pages."""
    from anxin.core.context_processors import menu_for

    urls = [item["url"] for entry in menu_for(office, "/") for item in entry.get("children", [entry])]
    firm, item = world.luoxi_builder, world.luoxi_project
    urls += [
        f"/enterprises/{firm.uscc}/",
        f"/enterprises/{firm.uscc}/?tab=projects",
        f"/enterprises/{firm.uscc}/?tab=workers",
        f"/enterprises/{firm.uscc}/?tab=history",
        f"/enterprises/{firm.uscc}/edit/",
        "/enterprises/new/",
        "/enterprises/import/",
        f"/projects/{item.pk}/",
        f"/projects/{item.pk}/?tab=history",
        f"/projects/{item.pk}/edit/",
        "/projects/new/",
        "/settings/parameters/immediate.complaints/",
        "/policy/",
        "/api/v1/docs/",
    ]
    return list(dict.fromkeys(urls))


def _csp_nonces(policy: str) -> set[str]:
    return set(re.findall(r"'nonce-([^']+)'", policy))


def test_every_main_page_sends_a_csp_and_runs_no_inline_script(login, office, world):
    client = login(office)
    problems = {}
    pages = _office_pages(office, world)
    assert len(pages) > 25
    for url in pages:
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            problems[url] = f"status {response.status_code} {response['Content-Type']}"
            continue
        policy = response.get("Content-Security-Policy", "")
        if "script-src 'self'" not in policy:
            problems[url] = f"CSP: {policy!r}"
            continue
        html = response.content.decode()
        nonces = _csp_nonces(policy)
        for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.IGNORECASE | re.S):
            attrs, body = match.groups()
            nonce = re.search(r'\bnonce="([^"]+)"', attrs)
            if re.search(r"\bsrc=", attrs) and not body.strip():
                continue
            if nonce and nonce[1] in nonces:
                continue
            problems[url] = f"inline script: {match.group(0)[:120]}"
        handler = re.search(r"<[^>]+\son[a-z]+\s*=", html, flags=re.IGNORECASE)
        if handler:
            problems[url] = f"inline event handler: {handler.group(0)[:120]}"
        if re.search(r"""(href|src|action)\s*=\s*["']\s*javascript:""", html, flags=re.IGNORECASE):
            problems[url] = "javascript: URL"
    assert problems == {}
