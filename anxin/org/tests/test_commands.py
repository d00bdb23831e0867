"""The account commands (add_user, issue_token) and load_district: its refusals, and another
district's file (anxin/org/tests/fixtures/wujin.yaml) in place of 新北区's."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from anxin.core.audit import system_actor
from anxin.org.models import Duty, Role, Town, Unit, User
from anxin.org.services import user_save
from anxin.org.tests.factories import PASSWORD

TOWNS = "/api/v1/towns/"


def _run(*args: str) -> str:
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
    assert user.unit is not None
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
    assert user.unit is not None
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


# --- another district's file ----------------------------------------------------------------

WUJIN = Path(__file__).resolve().parent / "fixtures" / "wujin.yaml"
PROJECT = Path(__file__).resolve().parents[3]


def test_load_district_reads_another_districts_file(district):
    output = _run("load_district", "--file", str(WUJIN))

    assert "常州市武进区" in output
    hutang = Town.objects.get(code="hutang")
    assert (hutang.name, hutang.kind) == ("湖塘镇", "town")
    government = Unit.objects.get(code="gov-hutang")
    assert (government.name, government.town) == ("湖塘镇人民政府", hutang)
    assert Unit.objects.get(code="gov-nanxiashu").name == "南夏墅街道办事处"
    assert Duty.objects.filter(code="territorial-handling-hutang", unit=government).exists()
    assert (
        Unit.objects.get(code="construction").name == "武进区住建局"
    )  # the code stays, the name follows the file


def test_a_town_user_of_the_other_district_sees_only_its_town(district):
    from anxin.registry.tests.factories import enterprise

    _run("load_district", "--file", str(WUJIN))
    clerk = user_save(
        actor=system_actor(), username="t_hutang", unit="gov-hutang", role="town", password=PASSWORD
    )
    ours = enterprise(town="hutang", name="湖塘织造有限公司")
    enterprise(town="nanxiashu", name="南夏墅机械有限公司")

    from anxin.registry.models import Enterprise

    assert list(Enterprise.objects.for_user(clerk)) == [ours]


def test_loading_the_other_districts_file_twice_changes_nothing(district):
    _run("load_district", "--file", str(WUJIN))
    counts = (Town.objects.count(), Unit.objects.count(), Duty.objects.count())
    _run("load_district", "--file", str(WUJIN))
    assert (Town.objects.count(), Unit.objects.count(), Duty.objects.count()) == counts


FRESH_INSTALL = """
import json, os
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
call_command("load_district", stdout=open(os.devnull, "w"))
from anxin.core.policy import param
from anxin.org.models import Town, Unit
from anxin.registry.models import ProjectSupervisor
print(json.dumps({
    "towns": sorted(Town.objects.values_list("name", flat=True)),
    "units": Unit.objects.count(),
    "supervisors": sorted(ProjectSupervisor.objects.values_list("name", flat=True)),
    "complaints": param("immediate.complaints"),
    "login_page": "常州市武进区预防和解决企业欠薪问题平台" in Client().get("/login/").content.decode(),
}, ensure_ascii=False))
"""


def test_a_fresh_install_pointed_at_another_districts_file_holds_that_district_only(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(PROJECT),
        "DJANGO_SETTINGS_MODULE": "anxin.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "DISTRICT_FILE": str(WUJIN),
    }
    result = subprocess.run(  # noqa: S603 (the test's own code)
        [sys.executable, "-c", FRESH_INSTALL],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["towns"] == ["南夏墅街道", "湖塘镇"]  # none of 新北区's ten
    assert facts["units"] == 5 + 2  # the file's units and one government per town
    assert facts["supervisors"] == ["住建"]
    assert facts["complaints"] == 4  # the district's own override of the default 3
    assert facts["login_page"]
