"""Demo data of the handbook part: the notice board's contacts (项目负责人, 劳资专管员) of the demo
projects, so each demo project's 告示牌 tab and A3 board read as a real one. Idempotent: a project
that already has contacts keeps them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anxin.registry.models import Project
from anxin.sites.handbook_services import site_contacts_set
from anxin.sites.models import ContactRole, SiteContact

MANAGERS = ["王建国", "陈立新", "周海峰", "刘志强", "吴国平"]
CLERKS = ["李秀梅", "张丽娟", "赵红霞", "孙小燕", "钱文静"]


def load(*, actor: Any, log: Callable[[str], None]) -> None:
    projects = list(Project.objects.filter(is_demo=True).order_by("pk"))
    if not projects:
        log("没有演示工程项目，未载入维权联系人。")
        return
    done = set(SiteContact.objects.filter(project__in=projects).values_list("project_id", flat=True))
    added = 0
    for n, project in enumerate(projects):
        if project.pk in done:
            continue
        site_contacts_set(
            actor=actor,
            project=project,
            contacts={
                ContactRole.MANAGER: (MANAGERS[n % len(MANAGERS)], f"1390519{n:04d}"),
                ContactRole.WAGE_CLERK: (CLERKS[n % len(CLERKS)], f"1380519{n:04d}"),
            },
        )
        added += 1
    log(
        f"维权联系人：{added} 个演示项目已登记（告示牌）。"
        if added
        else "演示项目的维权联系人已存在，未重复载入。"
    )
