"""The demo logins: one account per persona (office, leader, departments, towns, the three
administrators), all with the printed demo password. Part of ``load_demo`` (seam.DEMO_DATA)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from anxin.org.models import Town, User
from anxin.org.services import user_save

DEMO_PASSWORD = "Xinbei#Demo739"  # noqa: S105 (printed demo login, refused on real data)


@dataclass(frozen=True)
class Persona:
    """A demo account: who it plays and what it shows."""

    username: str
    full_name: str
    unit: str
    role: str
    note: str


PERSONAS = [
    Persona("office", "王联络", "office", "office", "区联席办：全区所有数据"),
    Persona("zhuren", "李主任", "office", "office", "联席办主任：审核形势分析报告和情况通报"),
    Persona("leader", "赵区长", "leaders", "leader", "区领导（联席会议召集人）：全区只读，审签会议纪要"),
    Persona("chengjian", "钱城建", "construction", "department", "区城建局：建筑、房地产企业及全部工程项目"),
    Persona("renshe", "孙监察", "hrss", "department", "区人社局：全部企业（劳动保障监察）"),
    Persona(
        "shuili", "周水利", "agriculture-water", "department", "区农业局（水利局）：水利工程及其施工企业"
    ),
    Persona("gongan", "吴警官", "police", "department", "区公安分局：移送公安的措施（我的待办），无条线数据"),
    Persona("fayuan", "褚法官", "court", "department", "区法院：法院绿色通道措施（我的待办），无条线数据"),
    Persona(
        "jianchayuan", "卫检察", "procuratorate", "department", "区检察院：移送公安的备案抄送，无条线数据"
    ),
    Persona("sifa", "蒋调解", "justice", "department", "区司法局：调解、仲裁法律援助措施（我的待办）"),
    Persona(
        "caizheng",
        "沈财政",
        "finance",
        "department",
        "区财政局：应急周转金拨入、垫付申请审核（我的待办）、国有企业",
    ),
    Persona("luoxi", "郑罗溪", "gov-luoxi", "town", "罗溪镇：本镇企业和项目"),
    Persona("xuejia", "冯薛家", "gov-xuejia", "town", "薛家镇：本镇企业和项目"),
    Persona("sanjing", "陈三井", "gov-sanjing", "town", "三井街道：本街道企业和项目"),
    Persona("sysadmin", "系统管理员", "it", "sysadmin", "系统管理员：账户与基础数据（无业务数据）"),
    Persona("secadmin", "安全管理员", "it", "secadmin", "安全管理员：角色分配、解锁、安全事件"),
    Persona("auditor", "审计员", "it", "auditor", "审计员：审计日志与安全事件（只读）"),
]


DEMO_USERNAMES = {p.username for p in PERSONAS}


def missing() -> str:
    return "" if Town.objects.exists() else "请先运行 load_district 载入区配置"


def real_data() -> list[str]:
    """Real accounts (not the personas, not the system account)."""
    users = User.objects.exclude(username__in=DEMO_USERNAMES | {"system"}).count()
    return [f"用户 {users}"] if users else []


def load(*, actor: User, log: Callable[[str], None]) -> None:
    for persona in PERSONAS:
        user_save(
            actor=actor,
            username=persona.username,
            unit=persona.unit,
            role=persona.role,
            password=DEMO_PASSWORD,
            full_name=persona.full_name,
            one_time_password=False,  # the printed demo login, not a password someone was given
        )


def logins() -> list[str]:
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}）："]
    lines += [f"  {persona.username:<10} {persona.note}" for persona in PERSONAS]
    return lines
