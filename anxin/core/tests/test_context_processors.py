"""The page shell's menu by role (``menu_for`` gathering each app's ``menu()``): what each persona
finds in it, what it must not find, and that every entry it is shown opens for it."""

from __future__ import annotations

import pytest

from anxin.core.context_processors import menu_for


def _labels(entries: list[dict]) -> set[str]:
    """Every clickable entry's label, groups opened."""
    found = set()
    for entry in entries:
        for item in entry.get("children", [entry]):
            found.add(item["label"])
    return found


def _urls(entries: list[dict]) -> list[str]:
    return [item["url"] for entry in entries for item in entry.get("children", [entry])]


LEDGERS = {"企业台账", "工程项目"}
WRITES = {"线索分拣", "监测数据导入"}  # entries that exist to change data
SECURITY = {"安全事件", "审计日志"}

# persona → (must contain, must not contain)
MENU = {
    "office": (
        {"工作台", "驾驶舱", *LEDGERS, *WRITES, "预警线索", "案件台账", "政策参数", "工作日历"},
        {*SECURITY, "系统管理"},
    ),
    "leader": (
        {"工作台", "驾驶舱", *LEDGERS, "预警线索", "案件台账", "政策参数"},
        {*WRITES, *SECURITY, "系统管理", "我的待办"},  # reads; no to-do of its own
    ),
    # 城建局 feeds no monthly indicator (its channel carries signals), so no 监测数据导入
    "chengjian": (
        {"工作台", *LEDGERS, "预警线索", "案件台账", "我的待办"},
        {"线索分拣", "监测数据导入", *SECURITY, "系统管理"},
    ),
    "renshe": (
        {"工作台", *LEDGERS, "预警线索", "案件台账", "监测数据导入", "我的待办"},
        {"线索分拣", *SECURITY, "系统管理"},
    ),
    # 公安分局 and 检察院 have no territory and no line: no ledgers, no risk screens, no case file —
    # their referrals are in 我的待办; their channels feed signals (#14 item 9)
    "gongan": (
        {"工作台", "我的待办", "预警线索"},
        {
            "案件台账",
            "驾驶舱",
            "风险预警",
            *LEDGERS,
            "欠薪报告",
            "线索分拣",
            "监测数据导入",
            *SECURITY,
            "系统管理",
        },
    ),
    "jianchayuan": (
        {"工作台", "我的待办", "预警线索"},
        {"案件台账", "驾驶舱", "风险预警", *LEDGERS, "欠薪报告", "线索分拣", *SECURITY, "系统管理"},
    ),
    "fayuan": (
        {"工作台", "我的待办", "监测数据导入"},
        {"线索分拣", *SECURITY, "系统管理"},
    ),  # 涉诉涉执 indicator
    "luoxi": (
        {"工作台", *LEDGERS, "预警线索", "案件台账", "监测数据导入"},
        {"线索分拣", *SECURITY, "系统管理"},
    ),
    "xuejia": ({"工作台", *LEDGERS}, {"线索分拣", *SECURITY, "系统管理"}),
    "sysadmin": (
        {"工作台", "系统管理", "政策参数", "工作日历"},
        {*LEDGERS, "驾驶舱", "预警线索", "案件台账", *SECURITY},
    ),
    "secadmin": (
        {"工作台", "安全事件", "系统管理"},
        {*LEDGERS, "驾驶舱", "预警线索", "案件台账", "审计日志", "政策参数"},
    ),
    "auditor": ({"工作台", *LEDGERS, "预警线索", "案件台账", *SECURITY}, {*WRITES, "我的待办"}),
}


@pytest.mark.parametrize("persona", sorted(MENU))
def test_each_persona_menu_holds_its_entries_and_not_the_others(request, persona):
    wanted, unwanted = MENU[persona]
    labels = _labels(menu_for(request.getfixturevalue(persona), "/"))
    assert wanted <= labels, f"missing: {wanted - labels}"
    assert not (unwanted & labels), f"must not be there: {unwanted & labels}"


@pytest.mark.parametrize("persona", sorted(MENU))
def test_every_menu_entry_opens_for_the_persona_it_is_shown_to(request, login, persona):
    user = request.getfixturevalue(persona)
    client = login(user)
    refused = {}
    for url in _urls(menu_for(user, "/")):
        status = client.get(url).status_code
        if status != 200 and not (url == "/admin/" and status == 302):
            refused[url] = status
    assert refused == {}


def test_an_anonymous_visitor_gets_no_menu(client, district):
    response = client.get("/login/")
    assert response.context["menu"] == []


def test_a_group_holding_one_entry_is_shown_as_that_entry(secadmin):
    entries = menu_for(secadmin, "/")
    security = [e for e in entries if e["label"] == "安全事件"]
    assert len(security) == 1
    assert "children" not in security[0]


def test_the_auditor_sees_the_security_group_with_both_entries(auditor):
    groups = {e["label"]: e for e in menu_for(auditor, "/") if "children" in e}
    assert [c["label"] for c in groups["安全审计"]["children"]] == ["安全事件", "审计日志"]


def test_the_entry_and_its_group_are_marked_active_on_a_page_below_them(office):
    entries = menu_for(office, "/projects/7/edit/")
    ledger = next(e for e in entries if e.get("key") == "ledger")
    assert ledger["active"]
    assert {c["label"]: c["active"] for c in ledger["children"]} == {
        "企业台账": False,
        "工程项目": True,
        "工地监管": False,
    }
    home = next(e for e in entries if e["label"] == "工作台")
    assert not home["active"]


def test_the_home_entry_is_active_only_on_the_home_page(office):
    home = next(e for e in menu_for(office, "/") if e["label"] == "工作台")
    assert home["active"]


def test_the_menu_is_ordered_home_first_and_settings_after_the_work(office):
    labels = [e["label"] for e in menu_for(office, "/")]
    assert labels[0] == "工作台"
    assert labels.index("台账") < labels.index("案件处置") < labels.index("设置")
