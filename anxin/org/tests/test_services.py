"""Writes of the organisation: the district load, accounts with one role, API tokens, and the
scope each persona gets from its role and unit."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from knox.models import AuthToken
from knox.settings import CONSTANTS

from anxin.core.audit import system_actor
from anxin.core.errors import DomainError
from anxin.core.models import SecurityEvent, SecurityEventKind
from anxin.org.models import Duty, Role, Town, Unit, UnitKind, User
from anxin.org.roles import STAFF_ROLES, role_permissions
from anxin.org.services import token_issue, user_save


def _load():
    call_command("load_district", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _save(**kwargs):
    data = {"actor": system_actor(), "username": "t_newcomer", "unit": "gov-luoxi", "role": "town"}
    data.update(kwargs)
    return user_save(**data)


def _counts():
    return (Town.objects.count(), Unit.objects.count(), Duty.objects.count(), Group.objects.count())


# --- load_district ---------------------------------------------------------------------------


def test_the_district_has_ten_towns_each_with_a_government_unit(district):
    assert Town.objects.count() == 10
    assert Unit.objects.filter(kind=UnitKind.TOWN_GOVERNMENT).count() == 10
    assert all(hasattr(town, "unit") for town in Town.objects.all())


def test_every_town_government_has_the_territorial_duty(district):
    assert Duty.objects.filter(code__startswith="territorial-handling-").count() == 10


def test_loading_the_district_twice_changes_no_counts(district):
    before = _counts()
    _load()
    assert _counts() == before
    assert before[0] == 10
    assert before[3] == len(Role)


def test_one_group_per_role_named_in_chinese(district):
    assert set(Group.objects.values_list("name", flat=True)) >= {str(role.label) for role in Role}
    assert Group.objects.filter(name__in=[str(role.label) for role in Role]).count() == 7


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_group_has_exactly_the_role_permissions(district, role):
    group = Group.objects.get(name=str(role.label))
    granted = {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }
    assert granted == set(role_permissions(role))


def test_loading_again_restores_a_removed_permission(district):
    group = Group.objects.get(name="镇街用户")
    group.permissions.clear()
    _load()
    assert group.permissions.count() == len(role_permissions(Role.TOWN))


# --- user_save: refusals ---------------------------------------------------------------------


def test_an_unknown_role_is_refused_with_the_list_of_roles(district):
    with pytest.raises(DomainError) as excinfo:
        _save(role="superhero")
    assert excinfo.value.field == "role"
    assert "superhero" in excinfo.value.message
    for role in Role:
        assert str(role.label) in excinfo.value.message


def test_a_town_role_on_the_construction_bureau_is_refused(district):
    with pytest.raises(DomainError) as excinfo:
        _save(role="town", unit="construction")
    assert "镇街用户" in excinfo.value.message
    assert "区城建局" in excinfo.value.message
    assert not User.objects.filter(username="t_newcomer").exists()


def test_a_department_role_on_a_town_government_is_refused(district):
    with pytest.raises(DomainError):
        _save(role="department", unit="gov-luoxi")


def test_an_unknown_unit_is_refused_naming_it(district):
    with pytest.raises(DomainError) as excinfo:
        _save(unit="区火星局")
    assert excinfo.value.field == "unit"
    assert "区火星局" in excinfo.value.message


@pytest.mark.parametrize("username", ["", "   "])
def test_a_blank_username_is_refused(district, username):
    with pytest.raises(DomainError) as excinfo:
        _save(username=username)
    assert excinfo.value.field == "username"


# --- user_save: what it accepts and sets -----------------------------------------------------


def test_the_role_may_be_given_by_its_chinese_name(district):
    assert _save(role="镇街用户").role == Role.TOWN


@pytest.mark.parametrize("unit", ["gov-luoxi", "罗溪镇人民政府"])
def test_the_unit_may_be_given_by_code_or_full_name(district, unit):
    assert _save(unit=unit).unit.code == "gov-luoxi"


def test_a_new_user_without_password_cannot_log_in(district):
    assert not _save().has_usable_password()


def test_the_username_is_trimmed(district):
    assert _save(username="  t_newcomer ").username == "t_newcomer"


def test_a_user_has_exactly_the_group_of_its_role(district):
    user = _save(role="office", unit="office")
    user = _save(role="secadmin", unit="office")
    assert list(user.groups.values_list("name", flat=True)) == ["安全管理员"]


def test_saving_again_updates_the_same_account(district):
    first = _save(full_name="张三")
    second = _save(role="department", unit="construction")
    assert second.pk == first.pk
    assert second.full_name == "张三"
    assert User.objects.filter(username="t_newcomer").count() == 1


@pytest.mark.parametrize(
    ("role", "unit"),
    [
        ("sysadmin", "it"),
        ("secadmin", "it"),
        ("auditor", "it"),
        ("office", "office"),
        ("leader", "leaders"),
        ("department", "construction"),
        ("town", "gov-luoxi"),
    ],
)
def test_only_the_three_admin_roles_are_staff(district, role, unit):
    user = _save(role=role, unit=unit)
    assert user.is_staff is (role in STAFF_ROLES)
    assert user.is_superuser is False


def test_moving_a_user_from_an_admin_role_removes_staff(district):
    _save(role="sysadmin", unit="it")
    assert _save(role="office", unit="office").is_staff is False


def test_creating_a_user_writes_a_permission_change_event(district):
    _save()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.PERMISSION_CHANGE, detail__username="t_newcomer")
    assert event.detail["created"] is True


def test_a_role_change_writes_a_permission_change_event_with_the_actor(district, secadmin):
    _save()
    _save(actor=secadmin, role="department", unit="construction", ip="10.7.0.2")
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.PERMISSION_CHANGE, user=secadmin).get()
    assert event.ip == "10.7.0.2"
    assert event.detail == {
        "username": "t_newcomer",
        "role": "department",
        "unit": "construction",
        "created": False,
    }


def test_saving_without_a_role_or_unit_change_writes_no_permission_event(district):
    _save()
    before = SecurityEvent.objects.filter(kind=SecurityEventKind.PERMISSION_CHANGE).count()
    _save(full_name="张三", phone="13812345678")
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PERMISSION_CHANGE).count() == before


def test_a_role_change_resets_the_cached_scope(district):
    user = _save()
    assert user.scope.town_ids
    assert _save(role="office", unit="office").scope.everything


# --- token_issue -----------------------------------------------------------------------------


def test_issuing_a_token_replaces_the_old_one(luoxi):
    old = token_issue(actor=system_actor(), user=luoxi)
    new = token_issue(actor=system_actor(), user=luoxi)
    assert new != old
    assert list(AuthToken.objects.filter(user=luoxi).values_list("token_key", flat=True)) == [
        new[: CONSTANTS.TOKEN_KEY_LENGTH]
    ]


def test_issuing_a_token_writes_a_token_issued_event(luoxi, secadmin):
    token_issue(actor=secadmin, user=luoxi)
    event = SecurityEvent.objects.get(kind=SecurityEventKind.TOKEN_ISSUED)
    assert event.user == secadmin
    assert luoxi.username in event.summary
    assert AuthToken.objects.get(user=luoxi).token_key not in event.summary


def test_no_token_for_an_inactive_user(district):
    user = _save(is_active=False)
    with pytest.raises(DomainError):
        token_issue(actor=system_actor(), user=user)
    assert not AuthToken.objects.filter(user=user).exists()


# --- User.scope ------------------------------------------------------------------------------


def test_town_user_sees_its_own_town_only(luoxi, xuejia):
    assert luoxi.scope.town_ids == {Town.objects.get(code="luoxi").pk}
    assert xuejia.scope.town_ids == {Town.objects.get(code="xuejia").pk}
    assert not luoxi.scope.everything


def test_construction_bureau_sees_construction_and_real_estate_and_all_projects(chengjian):
    scope = chengjian.scope
    assert scope.enterprise_kind_codes == {"construction", "real_estate"}
    assert scope.all_projects
    assert not scope.all_enterprises
    assert not scope.town_ids
    assert not scope.everything


def test_water_bureau_sees_water_contractors_and_water_projects(shuili):
    scope = shuili.scope
    assert scope.enterprise_kind_codes == {"water_construction"}
    assert scope.project_supervisor_codes == {"water"}
    assert not scope.all_projects
    assert not scope.all_enterprises


def test_a_department_without_a_line_sees_nothing(gongan):
    assert gongan.scope.nothing


@pytest.mark.parametrize("persona", ["office", "leader", "auditor"])
def test_office_leader_and_auditor_see_everything(request, persona):
    user = request.getfixturevalue(persona)
    assert user.scope.everything
    assert user.scope.unit_id == user.unit_id


@pytest.mark.parametrize("persona", ["sysadmin", "secadmin"])
def test_system_and_security_admins_see_no_district_data(request, persona):
    assert request.getfixturevalue(persona).scope.nothing


def test_an_inactive_user_sees_nothing(district):
    assert _save(is_active=False).scope.nothing


def test_the_system_actor_sees_everything(district):
    assert system_actor().scope.everything
