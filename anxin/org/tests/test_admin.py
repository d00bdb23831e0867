"""The admin for the three admin roles: accounts by 系统管理员, roles by 安全管理员, 审计员 reads."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from anxin.core.errors import DomainError
from anxin.core.models import SecurityEvent
from anxin.org.models import Unit, User
from anxin.org.services import user_account_save, user_role_assign

ADD = "/admin/org/user/add/"


def _change_url(user: User) -> str:
    return f"/admin/org/user/{user.pk}/change/"


def test_sysadmin_creates_an_account_without_a_role(login, sysadmin):
    unit = Unit.objects.get(code="gov-luoxi")
    response = login(sysadmin).post(
        ADD,
        {
            "username": "new_clerk",
            "full_name": "新办事员",
            "phone": "",
            "unit": unit.pk,
            "is_active": "on",
            "password": "Clerk@2026pass",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.get(username="new_clerk")
    assert created.role == ""
    assert created.check_password("Clerk@2026pass")
    assert not created.groups.exists()


def test_sysadmin_cannot_grant_a_role_even_by_posting_it(login, sysadmin, luoxi):
    unit = Unit.objects.get(code="gov-luoxi")
    login(sysadmin).post(
        _change_url(luoxi),
        {"full_name": "改名", "phone": "", "unit": unit.pk, "is_active": "on", "role": "office"},
    )
    luoxi.refresh_from_db()
    assert luoxi.role == "town"
    assert luoxi.full_name == "改名"


def test_weak_initial_password_is_refused_on_the_form(login, sysadmin):
    unit = Unit.objects.get(code="gov-luoxi")
    response = login(sysadmin).post(
        ADD, {"username": "weak", "full_name": "", "unit": unit.pk, "is_active": "on", "password": "abc"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="weak").exists()


def test_secadmin_assigns_a_role_and_it_is_a_security_event(login, secadmin, sysadmin):
    clerk = user_account_save(actor=sysadmin, username="clerk2", unit=Unit.objects.get(code="gov-xuejia"))
    response = login(secadmin).post(_change_url(clerk), {"role": "town"})
    assert response.status_code == 302, response.content.decode()[:3000]
    clerk.refresh_from_db()
    assert clerk.role == "town"
    assert clerk.groups.get().name == "镇街用户"
    assert SecurityEvent.objects.filter(kind="permission_change", user=secadmin).exists()


def test_secadmin_cannot_give_a_town_role_to_a_department_user(login, secadmin, sysadmin):
    clerk = user_account_save(actor=sysadmin, username="clerk3", unit=Unit.objects.get(code="construction"))
    response = login(secadmin).post(_change_url(clerk), {"role": "town"})
    assert response.status_code == 200
    clerk.refresh_from_db()
    assert clerk.role == ""


def test_secadmin_cannot_change_account_details(login, secadmin, luoxi):
    login(secadmin).post(_change_url(luoxi), {"role": "town", "full_name": "篡改"})
    luoxi.refresh_from_db()
    assert luoxi.full_name == "罗溪镇测试"


def test_auditor_reads_accounts_but_cannot_change_them(login, auditor, luoxi):
    client = login(auditor)
    assert client.get("/admin/org/user/").status_code == 200
    client.post(_change_url(luoxi), {"role": "office"})
    luoxi.refresh_from_db()
    assert luoxi.role == "town"


@pytest.mark.parametrize("persona", ["office", "luoxi", "chengjian"])
def test_business_roles_do_not_enter_the_admin(login, request, persona):
    response = login(request.getfixturevalue(persona)).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_accounts_cannot_be_deleted(login, sysadmin, luoxi):
    login(sysadmin).post(f"/admin/org/user/{luoxi.pk}/delete/", {"post": "yes"})
    assert User.objects.filter(pk=luoxi.pk).exists()


def test_reference_data_is_read_only_in_the_admin(login, sysadmin):
    unit = Unit.objects.get(code="construction")
    client = login(sysadmin)
    assert client.get("/admin/org/unit/").status_code == 200
    client.post(f"/admin/org/unit/{unit.pk}/change/", {"name": "改名"})
    unit.refresh_from_db()
    assert unit.name == "区城建局"


def test_role_assign_service_refuses_without_permission(sysadmin, luoxi):
    with pytest.raises(PermissionDenied):
        user_role_assign(actor=sysadmin, user=luoxi, role="office")


def test_role_assign_service_refuses_own_role(secadmin):
    with pytest.raises(DomainError):
        user_role_assign(actor=secadmin, user=secadmin, role="auditor")


def test_account_service_refuses_a_unit_the_role_cannot_have(sysadmin, luoxi):
    with pytest.raises(DomainError):
        user_account_save(actor=sysadmin, username=luoxi.username, unit=Unit.objects.get(code="construction"))
    luoxi.refresh_from_db()
    assert luoxi.unit.code == "gov-luoxi"


def test_account_service_refuses_roles_without_user_permissions(secadmin):
    with pytest.raises(PermissionDenied):
        user_account_save(actor=secadmin, username="x_new", unit=Unit.objects.get(code="gov-luoxi"))
