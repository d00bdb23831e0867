"""Issue #13, finding 1: no administrator becomes another user unseen (三员分立).

A password set by anyone but its holder is one-time and a security event; the accounts of the
系统管理员, 安全管理员 and 审计员 are changed only by the 安全管理员; the last active 安全管理员 or
审计员 stays on duty. Every forbidden path has its test, at the admin form and at the service.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db.models import QuerySet

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.core.models import SecurityEvent, SecurityEventKind
from anxin.org.models import Unit, User
from anxin.org.services import user_account_save, user_password_change, user_role_assign, user_save
from anxin.org.tests.factories import PASSWORD, UserFactory

NEW = "Hq7#mVqz2pLw"  # a password every rule accepts
OTHER = "Rk4$tYbn8wXe"
HOME = "/"
PASSWORD_PAGE = "/password/"


def _change_url(user: User) -> str:
    return f"/admin/org/user/{user.pk}/change/"


def _form(user: User, **changes: object) -> dict:
    """The admin form's fields as the account has them, with ``changes`` (is_active=None: unticked)."""
    data: dict[str, object] = {
        "full_name": user.full_name,
        "phone": user.phone,
        "unit": user.unit_id,
        "is_active": "on",
        "role": user.role,
        "password": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _events(kind: str) -> QuerySet[SecurityEvent]:
    """Events of that kind, but for those of the personas' set-up (the system gave them PASSWORD)."""
    return SecurityEvent.objects.filter(kind=kind).exclude(username="system")


@pytest.fixture
def second_auditor(district):
    return UserFactory(username="t_auditor2", unit="it", role="auditor")


# --- the 系统管理员 cannot touch the three administrators' accounts: the admin form ------------


@pytest.mark.parametrize("target", ["secadmin", "auditor"])
def test_sysadmin_cannot_set_a_staff_password_in_the_admin(request, login, sysadmin, target):
    account = request.getfixturevalue(target)
    response = login(sysadmin).post(_change_url(account), _form(account, password=NEW))
    assert response.status_code == 403
    assert "只能由安全管理员修改" in response.content.decode()
    account.refresh_from_db()
    assert account.check_password(PASSWORD)
    assert not account.must_change_password
    assert not _events(SecurityEventKind.PASSWORD_SET).filter(summary__contains=account.username).exists()


@pytest.mark.parametrize("target", ["secadmin", "auditor"])
def test_sysadmin_cannot_deactivate_a_staff_account_in_the_admin(request, login, sysadmin, target):
    account = request.getfixturevalue(target)
    response = login(sysadmin).post(_change_url(account), _form(account, is_active=None))
    assert response.status_code == 403
    account.refresh_from_db()
    assert account.is_active


@pytest.mark.parametrize("target", ["secadmin", "auditor"])
def test_sysadmin_cannot_rename_a_staff_account_in_the_admin(request, login, sysadmin, target):
    account = request.getfixturevalue(target)
    response = login(sysadmin).post(
        _change_url(account), _form(account, full_name="冒名", phone="13900000000")
    )
    assert response.status_code == 403
    account.refresh_from_db()
    assert (account.full_name, account.phone) != ("冒名", "13900000000")


def test_the_sysadmin_sees_a_staff_account_read_only_with_the_reason(login, sysadmin, auditor):
    response = login(sysadmin).get(_change_url(auditor))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="password"' not in page
    assert 'name="is_active"' not in page
    assert "只能由安全管理员修改" in page


# --- … nor through the services ----------------------------------------------------------------


@pytest.mark.parametrize("target", ["secadmin", "auditor"])
@pytest.mark.parametrize(
    "change",
    [{"password": NEW}, {"is_active": False}, {"full_name": "冒名"}, {"phone": "13900000000"}],
    ids=["password", "deactivate", "name", "phone"],
)
def test_sysadmin_cannot_change_a_staff_account_through_the_service(request, sysadmin, target, change):
    account = request.getfixturevalue(target)
    fields = {"unit": account.unit, "full_name": account.full_name, "phone": account.phone, **change}
    with pytest.raises(PermissionDenied, match="只能由安全管理员修改"):
        user_account_save(actor=sysadmin, username=account.username, **fields)
    before = (account.full_name, account.phone)
    account.refresh_from_db()
    assert account.is_active and account.check_password(PASSWORD)
    assert not account.must_change_password
    assert (account.full_name, account.phone) == before


def test_sysadmin_cannot_move_a_staff_account_to_another_unit(sysadmin, auditor):
    with pytest.raises(PermissionDenied):
        user_account_save(
            actor=sysadmin,
            username=auditor.username,
            unit=Unit.objects.get(code="office"),
            full_name=auditor.full_name,
        )
    auditor.refresh_from_db()
    assert auditor.unit.code == "it"


def test_sysadmin_still_manages_ordinary_accounts(sysadmin, luoxi):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name="新名字", password=NEW
    )
    luoxi.refresh_from_db()
    assert luoxi.full_name == "新名字"
    assert luoxi.check_password(NEW)


# --- the 安全管理员 may, and it is recorded ----------------------------------------------------------


def test_secadmin_resets_the_auditors_password_in_the_admin_with_an_event(login, secadmin, auditor):
    response = login(secadmin).post(
        _change_url(auditor), _form(auditor, password=NEW), REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    auditor.refresh_from_db()
    assert auditor.check_password(NEW)
    assert auditor.must_change_password
    assert auditor.password_set_by == secadmin
    event = _events(SecurityEventKind.PASSWORD_SET).get()
    assert (event.user, event.ip) == (secadmin, "10.1.2.3")
    assert auditor.username in event.summary and secadmin.username in event.summary
    assert event.detail["username"] == auditor.username


def test_secadmin_deactivates_an_auditor_in_the_admin_with_an_event(login, secadmin, auditor, second_auditor):
    response = login(secadmin).post(_change_url(auditor), _form(auditor, is_active=None))
    assert response.status_code == 302, response.content.decode()[:3000]
    auditor.refresh_from_db()
    assert not auditor.is_active
    event = _events(SecurityEventKind.ACCOUNT_STATUS).get()
    assert event.user == secadmin
    assert f"停用了账户 {auditor.username}" in event.summary


def test_secadmin_may_edit_a_sysadmin_account(secadmin, sysadmin):
    user_account_save(
        actor=secadmin, username=sysadmin.username, unit=sysadmin.unit, full_name="新系统管理员", password=NEW
    )
    sysadmin.refresh_from_db()
    assert (sysadmin.full_name, sysadmin.must_change_password) == ("新系统管理员", True)


def test_secadmin_still_cannot_edit_ordinary_accounts(secadmin, luoxi):
    with pytest.raises(PermissionDenied):
        user_account_save(actor=secadmin, username=luoxi.username, unit=luoxi.unit, password=NEW)


def test_secadmin_cannot_reset_its_own_password_or_deactivate_itself(secadmin):
    with pytest.raises(DomainError, match="修改密码"):
        user_account_save(
            actor=secadmin,
            username=secadmin.username,
            unit=secadmin.unit,
            full_name=secadmin.full_name,
            password=NEW,
        )
    with pytest.raises(DomainError):
        user_account_save(
            actor=secadmin,
            username=secadmin.username,
            unit=secadmin.unit,
            full_name=secadmin.full_name,
            is_active=False,
        )


# --- someone stays on duty --------------------------------------------------------------------


def test_the_last_active_auditor_cannot_be_deactivated(secadmin, auditor):
    with pytest.raises(DomainError, match="最后一个在用的审计员"):
        user_account_save(
            actor=secadmin,
            username=auditor.username,
            unit=auditor.unit,
            full_name=auditor.full_name,
            is_active=False,
        )
    auditor.refresh_from_db()
    assert auditor.is_active


def test_the_last_active_auditor_cannot_be_deactivated_in_the_admin_either(login, secadmin, auditor):
    response = login(secadmin).post(_change_url(auditor), _form(auditor, is_active=None))
    assert response.status_code == 200
    assert "最后一个在用的审计员" in response.content.decode()
    auditor.refresh_from_db()
    assert auditor.is_active


def test_the_last_active_secadmin_cannot_be_deactivated_even_by_the_system(secadmin):
    with pytest.raises(DomainError, match="最后一个在用的安全管理员"):
        user_save(
            actor=system_actor(), username=secadmin.username, unit="it", role="secadmin", is_active=False
        )


def test_the_last_active_auditor_cannot_lose_its_role(secadmin, auditor):
    with pytest.raises(DomainError, match="最后一个在用的审计员"):
        user_role_assign(actor=secadmin, user=auditor, role="sysadmin")
    auditor.refresh_from_db()
    assert auditor.role == "auditor"


def test_an_auditor_may_be_deactivated_while_another_is_on_duty(secadmin, auditor, second_auditor):
    user_account_save(
        actor=secadmin,
        username=auditor.username,
        unit=auditor.unit,
        full_name=auditor.full_name,
        is_active=False,
    )
    auditor.refresh_from_db()
    assert not auditor.is_active


# --- (de)activation of any account ------------------------------------------------------------


def test_deactivating_and_reactivating_an_account_are_security_events(sysadmin, luoxi):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, is_active=False
    )
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, is_active=True
    )
    summaries = list(
        _events(SecurityEventKind.ACCOUNT_STATUS).order_by("pk").values_list("summary", flat=True)
    )
    assert summaries == [
        f"{sysadmin.username} 停用了账户 {luoxi.username}",
        f"{sysadmin.username} 启用了账户 {luoxi.username}",
    ]


def test_the_system_deactivating_an_account_is_a_security_event(luoxi):
    user_save(actor=system_actor(), username=luoxi.username, unit="gov-luoxi", role="town", is_active=False)
    assert SecurityEvent.objects.get(kind=SecurityEventKind.ACCOUNT_STATUS).detail == {
        "username": luoxi.username,
        "is_active": False,
    }


# --- becoming an administrator voids a password someone else may know -------------------------


def test_a_staff_role_voids_the_password_the_sysadmin_set(sysadmin, secadmin):
    clerk = user_account_save(
        actor=sysadmin, username="t_clerk", unit=Unit.objects.get(code="it"), password=NEW
    )
    user_role_assign(actor=secadmin, user=clerk, role="auditor")
    clerk.refresh_from_db()
    assert not clerk.has_usable_password()
    voided = _events(SecurityEventKind.PASSWORD_SET).filter(user=secadmin).get()
    assert "原密码作废" in voided.summary


def test_the_admin_tells_the_secadmin_to_set_a_password_after_granting_a_staff_role(
    login, sysadmin, secadmin
):
    clerk = user_account_save(
        actor=sysadmin, username="t_clerk", unit=Unit.objects.get(code="it"), password=NEW
    )
    response = login(secadmin).post(_change_url(clerk), {"role": "auditor"}, follow=True)
    assert "原密码已作废，请为其重设一次性密码" in response.content.decode()


# --- a password set by an administrator is one-time ------------------------------------------


def test_an_admin_set_password_is_one_time_and_a_security_event(sysadmin, luoxi):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    luoxi.refresh_from_db()
    assert luoxi.must_change_password
    assert (luoxi.password_set_by, luoxi.password_set_at is not None) == (sysadmin, True)
    event = _events(SecurityEventKind.PASSWORD_SET).get()
    assert event.user == sysadmin
    assert event.detail == {
        "username": luoxi.username,
        "by": sysadmin.username,
        "one_time": True,
        "created": False,
    }


def test_the_sysadmin_form_sets_a_one_time_password(login, sysadmin, luoxi):
    response = login(sysadmin).post(_change_url(luoxi), _form(luoxi, password=NEW))
    assert response.status_code == 302, response.content.decode()[:3000]
    luoxi.refresh_from_db()
    assert luoxi.check_password(NEW) and luoxi.must_change_password
    assert _events(SecurityEventKind.PASSWORD_SET).get().user == sysadmin


def test_a_new_account_with_a_password_from_add_user_is_one_time(district):
    call_command(
        "add_user",
        "t_clerk",
        "--unit",
        "gov-luoxi",
        "--role",
        "town",
        "--password",
        NEW,
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    clerk = User.objects.get(username="t_clerk")
    assert clerk.must_change_password
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PASSWORD_SET, summary__contains="t_clerk")
    assert event.username == "system"
    assert event.detail["one_time"]


def test_login_with_a_one_time_password_leads_to_the_password_change(client, sysadmin, luoxi):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    response = client.post("/login/", {"username": luoxi.username, "password": NEW})
    assert response.status_code == 302
    home = client.get(response.url)
    assert (home.status_code, home["Location"]) == (302, PASSWORD_PAGE)
    for path in ("/enterprises/", "/cases/", "/security/events/", "/admin/"):
        assert client.get(path)["Location"] == PASSWORD_PAGE, path


def test_the_password_page_says_who_set_the_password_and_when(login, sysadmin, luoxi):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    luoxi.refresh_from_db()
    page = login(luoxi).get(PASSWORD_PAGE).content.decode()
    assert "您的密码由管理员" in page and "须先修改后才能继续使用" in page
    assert f"{sysadmin.display_name}（{sysadmin.username}）" in page
    from anxin.core.templatetags.anxin import cn_date

    assert cn_date(luoxi.password_set_at) in page


def test_the_one_time_password_flow_end_to_end(client, sysadmin, luoxi):
    """login → redirected → change → event → works."""
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    client.post("/login/", {"username": luoxi.username, "password": NEW})
    assert client.get(HOME)["Location"] == PASSWORD_PAGE
    response = client.post(
        PASSWORD_PAGE,
        {"old_password": NEW, "new_password1": OTHER, "new_password2": OTHER},
        REMOTE_ADDR="10.9.8.7",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/password/done/"
    event = _events(SecurityEventKind.PASSWORD_CHANGE).get()
    assert (event.user, event.ip) == (luoxi, "10.9.8.7")
    assert "一次性密码" in event.summary
    luoxi.refresh_from_db()
    assert not luoxi.must_change_password and luoxi.check_password(OTHER)
    assert client.get(HOME).status_code == 200  # the session stays signed in, and works
    client.logout()
    assert client.post("/login/", {"username": luoxi.username, "password": OTHER}).status_code == 302
    assert client.get(HOME).status_code == 200


def test_the_staff_one_time_password_also_closes_the_admin(client, secadmin, auditor):
    user_account_save(
        actor=secadmin,
        username=auditor.username,
        unit=auditor.unit,
        full_name=auditor.full_name,
        password=NEW,
    )
    client.post("/login/", {"username": auditor.username, "password": NEW})
    assert client.get("/admin/")["Location"] == PASSWORD_PAGE
    assert client.get("/admin/org/user/")["Location"] == PASSWORD_PAGE


def test_the_one_time_password_cannot_be_kept(login, sysadmin, luoxi):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    luoxi.refresh_from_db()
    response = login(luoxi).post(
        PASSWORD_PAGE, {"old_password": NEW, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 200
    assert "新密码不能与当前密码相同" in response.content.decode()
    luoxi.refresh_from_db()
    assert luoxi.must_change_password


def test_the_new_password_follows_the_rules(login, sysadmin, luoxi):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    luoxi.refresh_from_db()
    response = login(luoxi).post(
        PASSWORD_PAGE,
        {"old_password": NEW, "new_password1": "P@ssw0rd2026!", "new_password2": "P@ssw0rd2026!"},
    )
    assert response.status_code == 200
    assert "常见单词" in response.content.decode()


@pytest.mark.parametrize("path", ["/public/", "/password/", "/static/anxin/favicon.svg"])
def test_a_one_time_password_still_reaches_the_open_pages(login, sysadmin, luoxi, path):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    luoxi.refresh_from_db()
    response = login(luoxi).get(path)
    assert response.get("Location") != PASSWORD_PAGE


def test_a_one_time_password_may_sign_out(login, sysadmin, luoxi):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    luoxi.refresh_from_db()
    client = login(luoxi)
    response = client.post("/logout/")
    assert response["Location"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_is_sent_to_the_password_change_whole(login, sysadmin, luoxi):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    luoxi.refresh_from_db()
    response = login(luoxi).get("/enterprises/", HTTP_HX_REQUEST="true")
    assert (response.status_code, response["HX-Redirect"]) == (204, PASSWORD_PAGE)


def test_the_api_refuses_a_session_with_a_one_time_password(login, sysadmin, luoxi):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    luoxi.refresh_from_db()
    response = login(luoxi).get("/api/v1/towns/")
    assert response.status_code in {401, 403}
    assert "须先登录网页修改密码" in response.json()["detail"]


def test_the_admins_own_password_page_leads_to_the_recorded_one(login, secadmin):
    response = login(secadmin).get("/admin/password_change/")
    assert (response.status_code, response["Location"]) == (302, PASSWORD_PAGE)


def test_changing_ones_own_password_records_a_password_change(luoxi):
    user_password_change(actor=luoxi, password=NEW)
    event = _events(SecurityEventKind.PASSWORD_CHANGE).get()
    assert event.user == luoxi
    luoxi.refresh_from_db()
    assert luoxi.check_password(NEW)


def test_demo_and_test_personas_sign_in_without_a_forced_change(client, luoxi):
    client.post("/login/", {"username": luoxi.username, "password": PASSWORD})
    assert client.get(HOME).status_code == 200


# --- the auditor sees it all ------------------------------------------------------------------


def test_the_auditor_sees_password_and_status_events_on_the_security_events_page(
    login, sysadmin, secadmin, auditor, luoxi, second_auditor
):
    user_account_save(
        actor=sysadmin, username=luoxi.username, unit=luoxi.unit, full_name=luoxi.full_name, password=NEW
    )
    user_password_change(actor=User.objects.get(pk=luoxi.pk), password=OTHER)
    user_account_save(
        actor=secadmin,
        username=second_auditor.username,
        unit=second_auditor.unit,
        full_name="审计二",
        is_active=False,
    )
    client = login(auditor)
    for kind, text in [
        ("password_set", f"{sysadmin.username} 为 {luoxi.username} 设置了密码"),
        ("password_change", f"{luoxi.username} 修改了自己的密码"),
        ("account_status", f"停用了账户 {second_auditor.username}"),
    ]:
        page = client.get(f"/security/events/?kind={kind}").content.decode()
        assert text in page, kind
