"""Demo rosters and special accounts on the demo projects (``anxin.registry.demo``), deterministic and
idempotent: two projects (a building one and, when there is one, a water one) get rosters of a dozen or
more workers across the general contractor and a subcontractor, a few of whom have left; every active
or stopped demo project gets its special account except one, left past its deadline so that the flag
(未开专户) shows.

Not registered at ``seam.DEMO_DATA`` here: the app's demo composition calls ``load``."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.utils import timezone

from anxin.core.validators import id_check_digit
from anxin.org.models import User
from anxin.registry.models import Project, ProjectStatus
from anxin.sites.models import RosterEntry, SpecialAccount
from anxin.sites.services.roster import WorkerInput, roster_import, special_account_record

SEED = 20261206
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
_GIVEN = "伟芳敏静强磊军洋勇杰涛明超平刚华建国志文斌海波宁鹏辉鑫宇浩"
_PROVINCES = ["3204", "3203", "3412", "3413", "5101", "4113", "3708", "4301"]
_TEAMS = {"construction": ["木工班", "钢筋班", "泥瓦班", "水电班"], "water": ["土方班", "砌石班", "混凝土班"]}
_TRADES = {
    "construction": ["木工", "钢筋工", "瓦工", "电工", "普工"],
    "water": ["挖掘机司机", "砌石工", "混凝土工", "普工"],
}
_BANKS = [
    "中国工商银行常州新北支行",
    "中国农业银行常州新北支行",
    "江南农村商业银行新北支行",
    "中国建设银行常州高新区支行",
]
FLAGGED_INDEX = 2  # which active project (in pk order, after the rostered ones) stays without an account


def _worker(rng: random.Random, n: int) -> tuple[str, str, str]:
    name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice([1, 2])))
    birth = datetime.date(1968, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 35))
    first17 = f"{rng.choice(_PROVINCES)}{rng.randrange(1, 30):02d}{birth:%Y%m%d}{n % 1000:03d}"
    phone = f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"
    return name, first17 + id_check_digit(first17), phone


def _candidates() -> list[Project]:
    return list(
        Project.objects.filter(is_demo=True, status=ProjectStatus.ACTIVE, general_contractor__isnull=False)
        .exclude(start_date__isnull=True)
        .select_related("supervisor", "general_contractor")
        .prefetch_related("subcontractors")
        .order_by("pk")
    )


def _rostered(candidates: list[Project]) -> list[Project]:
    """A building project and a water project with a subcontractor (else any with one)."""
    with_sub = [p for p in candidates if p.subcontractors.all()]
    chosen: list[Project] = []
    for line in ("construction", "water"):
        found = next((p for p in with_sub if p.supervisor.code == line and p not in chosen), None)
        if found is not None:
            chosen.append(found)
    for project in with_sub:
        if len(chosen) >= 2:
            break
        if project not in chosen:
            chosen.append(project)
    return chosen


def _roster(project: Project, *, actor: User, rng: random.Random, size: int, start_n: int) -> int:
    today = timezone.localdate()
    line = "water" if project.supervisor.code == "water" else "construction"
    firms = [project.general_contractor, *project.subcontractors.all()[:1]]
    earliest = max(project.start_date or today, today - datetime.timedelta(days=150))
    rows = []
    for i in range(size):
        name, number, phone = _worker(rng, start_n + i)
        start = min(earliest + datetime.timedelta(days=rng.randrange(0, 60)), today)
        leave = None
        if i % 6 == 5:  # a few have left
            leave = min(start + datetime.timedelta(days=rng.randrange(10, 60)), today)
        rows.append(
            WorkerInput(
                name=name,
                id_number=number,
                phone=phone,
                employer=firms[i % len(firms)],
                team=rng.choice(_TEAMS[line]),
                trade=rng.choice(_TRADES[line]),
                start_date=start,
                leave_date=leave,
            )
        )
    return len(roster_import(actor=actor, project=project, rows=rows))


def load(*, actor: User, log: Callable[[str], None]) -> None:
    """The demo rosters and special accounts, once (a project that has them is left as it is)."""
    candidates = _candidates()
    if not candidates:
        log("没有演示工程项目，未载入花名册。")
        return
    rng = random.Random(SEED)  # noqa: S311  (demo data: the same every time, not secret)
    rostered = _rostered(candidates)
    added = 0
    for index, project in enumerate(rostered):
        if RosterEntry.objects.filter(project=project).exists():
            continue
        added += _roster(project, actor=actor, rng=rng, size=12 + 4 * index, start_n=100 * (index + 1))
    others = [p for p in candidates if p not in rostered]
    flagged = others[FLAGGED_INDEX] if len(others) > FLAGGED_INDEX else None
    accounts = 0
    today = timezone.localdate()
    for project in Project.objects.filter(
        is_demo=True, status__in=(ProjectStatus.ACTIVE, ProjectStatus.STOPPED), start_date__isnull=False
    ).order_by("pk"):
        if project == flagged or SpecialAccount.objects.filter(project=project).exists():
            continue
        assert project.start_date is not None
        special_account_record(
            actor=actor,
            project=project,
            bank=rng.choice(_BANKS),
            account="".join(str(rng.randrange(10)) for _ in range(19)),
            opened_on=min(project.start_date + datetime.timedelta(days=rng.randrange(3, 25)), today),
            note="",
        )
        accounts += 1
    log(
        f"已载入演示花名册 {added} 人（{len(rostered)} 个项目）、工资专用账户 {accounts} 个"
        + (f"；“{flagged.name}”未开专户" if flagged else "")
    )
