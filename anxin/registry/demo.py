"""A deterministic demo district: ~300 enterprises, 40 projects and their workers (the logins are
org's, ``anxin.org.demo``).

Codes are valid (GB 32100 check character and the embedded GB 11714 organisation code), names
are plausible, every town and every kind appears. Same seed, same data.
"""

from __future__ import annotations

import datetime
import random

from anxin.core.validators import id_check_digit, org_code_check_char, uscc_check_char
from anxin.org.models import Town, User
from anxin.registry import services
from anxin.registry.models import Enterprise, EnterpriseKind, Project, ProjectSupervisor

SEED = 20261125
_PLACES = ["常州", "江苏", "新北", "龙城", "武进", "天宁", "钟楼", "苏南", "长江", "太湖"]
_WORDS = [
    "恒通",
    "鑫达",
    "华瑞",
    "宏业",
    "金诚",
    "天合",
    "永鑫",
    "正泰",
    "润华",
    "东方",
    "亚太",
    "中科",
    "博远",
    "瑞丰",
    "嘉盛",
    "海纳",
    "腾飞",
    "明阳",
    "新源",
    "安泰",
    "长兴",
    "隆基",
    "聚力",
    "信达",
    "盛源",
    "凯越",
    "汇金",
    "宝龙",
    "协力",
    "精工",
    "华晨",
    "德邦",
    "昌盛",
    "伟业",
    "晶科",
    "易达",
]
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌海波宁玲萍鹏辉鑫宇浩然"
_ROADS = [
    "长江北路",
    "通江大道",
    "河海西路",
    "汉江路",
    "太湖东路",
    "黄河西路",
    "新竹路",
    "衡山路",
    "华山路",
    "珠江路",
]

# (kind codes, industry, business words, legal form, employees range, weight)
_PROFILES = [
    (
        ["industrial", "labour_intensive"],
        "C",
        ["纺织", "服装", "电子", "五金制品"],
        "有限公司",
        (80, 900),
        40,
    ),
    (
        ["industrial"],
        "C",
        ["机械制造", "精密机械", "新材料", "化工", "汽车零部件", "光伏科技"],
        "有限公司",
        (20, 400),
        70,
    ),
    (["construction"], "E", ["建设工程", "建筑安装", "市政工程", "装饰工程"], "有限公司", (30, 600), 35),
    (["construction", "labour_intensive"], "E", ["建筑劳务", "劳务分包"], "有限公司", (50, 500), 12),
    (["real_estate"], "K", ["房地产开发", "置业"], "有限公司", (10, 120), 12),
    (["labour_dispatch"], "L", ["人力资源", "劳务派遣"], "有限公司", (5, 60), 10),
    (["market"], "F", ["农副产品批发市场", "建材市场", "小商品市场"], "经营管理有限公司", (10, 90), 6),
    (["state_owned"], "N", ["城市建设投资", "水务", "公用事业"], "集团有限公司", (50, 800), 5),
    (["water_construction"], "E", ["水利工程", "河道治理"], "有限公司", (20, 300), 8),
    (["catering"], "H", ["餐饮管理", "酒店管理", "饭店"], "有限公司", (8, 120), 20),
    (["commerce"], "F", ["商贸", "贸易", "物流"], "有限公司", (5, 80), 25),
    (["other"], "M", ["信息技术", "检测技术", "咨询服务"], "有限公司", (5, 60), 10),
]
_OWNERSHIP = {"state_owned": "state"}


def _uscc(rng: random.Random, used: set[str]) -> str:
    while True:
        body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
        if not body[0].isdigit():
            body = rng.choice("MN") + body[1:]
        org = body + org_code_check_char(body)
        first17 = "91320411" + org
        if any(c in "IOZSV" for c in first17):
            continue
        code = first17 + uscc_check_char(first17)
        if code not in used:
            used.add(code)
            return code


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice([1, 2])))


def enterprises(town_codes: list[str], town_names: dict[str, str], count: int = 300) -> list[dict]:
    """Rows of demo enterprises; every town and every profile appears."""
    rng = random.Random(SEED)
    used_codes: set[str] = set()
    used_names: set[str] = set()
    weights = [p[5] for p in _PROFILES]
    rows = []
    for index in range(count):
        profile = _PROFILES[index] if index < len(_PROFILES) else rng.choices(_PROFILES, weights)[0]
        kinds, industry, words, form, (lo, hi), _w = profile
        town = town_codes[index % len(town_codes)]
        if index == len(_PROFILES):  # a restaurant in 三井 the 城建局 must never see
            kinds, industry, words, form = ["catering"], "H", ["餐饮管理"], "有限公司"
            town = "sanjing"
        while True:
            name = f"{rng.choice(_PLACES)}{rng.choice(_WORDS)}{rng.choice(words)}{form}"
            if name not in used_names:
                used_names.add(name)
                break
        status = rng.choices(
            ["operating", "suspended", "closed", "deregistered", "unreachable"], [86, 6, 3, 2, 3]
        )[0]
        extra = []
        if "industrial" in kinds and rng.random() < 0.15:
            extra.append("labour_intensive")
        rows.append(
            {
                "uscc": _uscc(rng, used_codes),
                "name": name,
                "legal_rep": _person(rng),
                "contact_person": _person(rng),
                "contact_phone": f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}",
                "town": town,
                "address": f"{town_names[town]}{rng.choice(_ROADS)}{rng.randrange(1, 999)}号",
                "industry": industry,
                "ownership": _OWNERSHIP.get(kinds[0], rng.choice(["private"] * 8 + ["foreign", "hmt"])),
                "kinds": list(dict.fromkeys(kinds + extra)),
                "employees": rng.randrange(lo, hi),
                "status": status,
            }
        )
    return rows


def projects(enterprise_rows: list[dict], town_codes: list[str], count: int = 40) -> list[dict]:
    rng = random.Random(SEED + 1)
    contractors = [e for e in enterprise_rows if "construction" in e["kinds"] and e["status"] == "operating"]
    water = [e for e in enterprise_rows if "water_construction" in e["kinds"]]
    builders = [e for e in enterprise_rows if set(e["kinds"]) & {"real_estate", "state_owned"}]
    kinds = ["住宅小区", "厂房", "道路改造", "学校", "安置房", "商业综合体", "污水管网", "河道整治"]
    rows = []
    today = datetime.date(2026, 11, 1)
    for index in range(count):
        town = town_codes[index % len(town_codes)]
        is_water = index % 8 == 7
        supervisor = "water" if is_water else ("transport" if index % 8 == 6 else "construction")
        general = rng.choice(water if is_water and water else contractors)
        subs = rng.sample([c for c in contractors if c is not general], k=rng.choice([0, 1, 2]))
        builder = rng.choice(builders)
        start = today - datetime.timedelta(days=rng.randrange(30, 900))
        kind = "河道整治" if is_water else rng.choice(kinds[:-1])
        rows.append(
            {
                "name": f"{builder['name'][:4]}{kind}项目（{index + 1:02d}期）",
                "permit_no": f"320411{start:%Y%m}{rng.randrange(1000, 9999)}",
                "town": town,
                "address": f"{rng.choice(_ROADS)}与{rng.choice(_ROADS)}交叉口",
                "builder_name": builder["name"],
                "builder": builder["uscc"],
                "general_contractor": general["uscc"],
                "subcontractors": [s["uscc"] for s in subs],
                "contract_amount": rng.randrange(200, 80000) * 10_000 * 100,
                "start_date": start,
                "planned_end_date": start + datetime.timedelta(days=rng.randrange(300, 900)),
                "supervisor": supervisor,
                "status": rng.choices(["active", "stopped", "completed", "planned"], [70, 8, 18, 4])[0],
            }
        )
    return rows


_JOBS = ["普工", "钢筋工", "木工", "瓦工", "电焊工", "操作工", "质检员", "厨师", "服务员", "仓管员"]
_PROVINCES = ["3204", "3203", "3412", "3413", "5101", "4113", "3708", "4301"]


def workers(enterprise_rows: list[dict], *, per_enterprise: int = 6, enterprises: int = 40) -> list[dict]:
    """Workers for the first labour-intensive and construction enterprises (valid ID numbers)."""
    rng = random.Random(SEED + 2)
    chosen = [e for e in enterprise_rows if set(e["kinds"]) & {"labour_intensive", "construction"}][
        :enterprises
    ]
    rows = []
    for employer in chosen:
        for _ in range(per_enterprise):
            birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 38))
            first17 = f"{rng.choice(_PROVINCES)}{rng.randrange(1, 30):02d}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
            rows.append(
                {
                    "employer": employer["uscc"],
                    "name": _person(rng),
                    "id_number": first17 + id_check_digit(first17),
                    "phone": f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}",
                    "job": rng.choice(_JOBS),
                }
            )
    return rows


# --- the registry's part of ``load_demo`` (seam.DEMO_DATA) ------------------------------------------


def real_data() -> list[str]:
    """Real (non-demo) enterprises and projects: demo data is never loaded over them."""
    enterprises = Enterprise.objects.filter(is_demo=False).count()
    projects = Project.objects.filter(is_demo=False).count()
    return [f"企业 {enterprises}", f"项目 {projects}"] if enterprises or projects else []


def load(*, actor: User, log) -> None:
    """The demo enterprises, projects and workers, once."""
    if Enterprise.objects.exists():
        log("演示企业和项目已存在，未重复载入。")
        return
    towns = {t.code: t for t in Town.objects.order_by("order")}
    kinds = {k.code: k for k in EnterpriseKind.objects.all()}
    supervisors = {s.code: s for s in ProjectSupervisor.objects.all()}
    rows = enterprises(list(towns), {c: t.name for c, t in towns.items()})
    by_code = {}
    for row in rows:
        row = dict(row)
        row["town"] = towns[row["town"]]
        row_kinds = [kinds[k] for k in row.pop("kinds")]
        enterprise = services.enterprise_create(actor=actor, kinds=row_kinds, is_demo=True, **row)
        by_code[enterprise.uscc] = enterprise
    for row in projects(rows, list(towns)):
        row = dict(row)
        row["town"] = towns[row["town"]]
        row["supervisor"] = supervisors[row["supervisor"]]
        row["builder"] = by_code[row["builder"]]
        row["general_contractor"] = by_code[row["general_contractor"]]
        subs = [by_code[c] for c in row.pop("subcontractors")]
        services.project_create(actor=actor, subcontractors=subs, is_demo=True, **row)
    worker_rows = workers(rows)
    for row in worker_rows:
        row = dict(row)
        services.worker_create(actor=actor, employer=by_code[row.pop("employer")], **row)
    log(f"已载入演示企业 {len(rows)} 家、工程项目 {Project.objects.count()} 个、劳动者 {len(worker_rows)} 人")
