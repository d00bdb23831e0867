"""The account commands (add_user, issue_token) and load_district's refusal of a missing file."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from anxin.core.audit import system_actor
from anxin.org.models import Role, User
from anxin.org.services import user_save
from conftest import PASSWORD

TOWNS = "/api/v1/towns/"


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- add_user --------------------------------------------------------------------------------


def test_add_user_creates_an_account_that_can_log_in(client, district):
    output = _run("add_user", "t_clerk", "--unit", "gov-luoxi", "--role", "镇街用户", "--password", PASSWORD)
    assert "t_clerk" in output
    response = client.post("/login/", {"username": "t_clerk", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_add_user_sets_unit_role_name_and_phone(district):
    _run(
        "add_user",
        "t_clerk",
        "--unit",
        "罗溪镇人民政府",
        "--role",
        "town",
        "--name",
        "王小二",
        "--phone",
        "13812345678",
    )
    user = User.objects.get(username="t_clerk")
    assert (user.unit.code, user.role, user.full_name, user.phone) == (
        "gov-luoxi",
        Role.TOWN,
        "王小二",
        "13812345678",
    )


def test_add_user_without_password_makes_an_account_that_cannot_log_in(district):
    _run("add_user", "t_clerk", "--unit", "gov-luoxi", "--role", "town")
    assert not User.objects.get(username="t_clerk").has_usable_password()


def test_add_user_updates_an_existing_account(district):
    _run("add_user", "t_clerk", "--unit", "gov-luoxi", "--role", "town", "--password", PASSWORD)
    _run("add_user", "t_clerk", "--unit", "construction", "--role", "部门用户")
    user = User.objects.get(username="t_clerk")
    assert (user.unit.code, user.role) == ("construction", Role.DEPARTMENT)
    assert user.check_password(PASSWORD)
    assert User.objects.filter(username="t_clerk").count() == 1


def test_add_user_with_an_unknown_unit_fails_naming_the_unit(district):
    with pytest.raises(CommandError, match="未找到单位“区火星局”"):
        _run("add_user", "t_clerk", "--unit", "区火星局", "--role", "town")
    assert not User.objects.filter(username="t_clerk").exists()


def test_add_user_with_an_unknown_role_fails_listing_the_roles(district):
    with pytest.raises(CommandError, match=r"未知角色“superhero”.*镇街用户"):
        _run("add_user", "t_clerk", "--unit", "gov-luoxi", "--role", "superhero")


def test_add_user_with_a_role_on_the_wrong_kind_of_unit_fails(district):
    with pytest.raises(CommandError, match="不能属于单位"):
        _run("add_user", "t_clerk", "--unit", "construction", "--role", "town")


def test_add_user_with_a_weak_password_fails_and_creates_nothing(district):
    with pytest.raises(CommandError):
        _run("add_user", "t_clerk", "--unit", "gov-luoxi", "--role", "town", "--password", "password1")
    assert not User.objects.filter(username="t_clerk").exists()


def test_add_user_requires_unit_and_role(district):
    with pytest.raises(CommandError):
        _run("add_user", "t_clerk")


# --- issue_token -----------------------------------------------------------------------------


def test_issue_token_prints_a_token_that_authenticates_against_the_api(api_client, luoxi):
    token = _run("issue_token", luoxi.username).strip().splitlines()[-1]
    response = api_client.get(TOWNS, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert {town["code"] for town in response.json()} >= {"luoxi", "xuejia"}


def test_the_api_refuses_a_request_without_a_token(api_client, district):
    assert api_client.get(TOWNS).status_code in {401, 403}


def test_a_reissued_token_makes_the_old_one_stop_working(api_client, luoxi):
    old = _run("issue_token", luoxi.username).strip().splitlines()[-1]
    _run("issue_token", luoxi.username)
    assert api_client.get(TOWNS, HTTP_AUTHORIZATION=f"Token {old}").status_code == 401


def test_issue_token_for_an_unknown_user_fails(district):
    with pytest.raises(CommandError, match="用户不存在"):
        _run("issue_token", "t_nobody")


def test_issue_token_for_an_inactive_user_fails(district):
    user_save(
        actor=system_actor(),
        username="t_gone",
        unit="gov-luoxi",
        role="town",
        is_active=False,
    )
    with pytest.raises(CommandError, match="账户已停用"):
        _run("issue_token", "t_gone")


# --- load_district ---------------------------------------------------------------------------


def test_load_district_with_a_missing_file_fails_naming_the_file(district, tmp_path):
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(CommandError, match="区配置文件不存在") as excinfo:
        _run("load_district", "--file", str(missing))
    assert "nowhere.yaml" in str(excinfo.value)


def test_load_district_with_a_broken_file_fails_clearly(district, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("towns: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="区配置文件格式错误"):
        _run("load_district", "--file", str(broken))


def test_load_district_with_an_unknown_parameter_override_fails(district, tmp_path):
    odd = tmp_path / "odd.yaml"
    odd.write_text("policy_parameters: {no.such.parameter: 1}\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"no\.such\.parameter"):
        _run("load_district", "--file", str(odd))
