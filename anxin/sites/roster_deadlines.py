"""``tick``: a project still without its wage special account past ``site.account_days`` after its
start (条例 第二十六条, §三(九)(十)) is flagged once (``AccountFlag``): its supervising department
(城建局 or 水利局) and its town are told, with the deadline and the parameter used."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from anxin.core.audit import acting, system_actor
from anxin.org.models import Unit
from anxin.registry.models import Project
from anxin.sites.models import AccountFlag
from anxin.sites.roster_selectors import missing_accounts

TOPIC = "site-account-missing"


def project_units(project: Project) -> list[int]:
    """The units told about a project: its supervising department and its town's government."""
    ids = [project.supervisor.unit_id] if project.supervisor.unit_id else []
    ids += list(Unit.objects.filter(town_id=project.town_id).values_list("pk", flat=True))
    return ids


def account_missing_sweep(*, now: datetime.datetime | None = None) -> int:
    """Flag, once each, the projects missing a special account as of ``now``; returns how many."""
    from anxin.notify.services import notify_units

    now = now or timezone.now()
    today = timezone.localdate(now)
    actor = system_actor()
    done = 0
    flagged = set(AccountFlag.objects.values_list("project_id", flat=True))
    for item in missing_accounts(Project.objects.all(), on=today):  # the whole district
        project = item.project
        if project.pk in flagged:
            continue
        try:
            with transaction.atomic(), acting(actor):
                AccountFlag.objects.create(
                    project=project, due_on=item.due_on, flagged_at=now, basis=item.evidence()
                )
                text = (
                    f"工程项目“{project.name}”开工（{project.start_date:%Y-%m-%d}）已超过 {item.days} 日，"
                    f"逾期 {item.days_overdue} 日仍未登记农民工工资专用账户（{item.citation}），请督促施工总承包单位开立"
                )
                notify_units(
                    unit_ids=project_units(project),
                    subject=text,
                    url=reverse("project-detail", args=[project.pk]) + "?tab=roster",
                    topic=TOPIC,
                    about=project.name,
                )
        except IntegrityError:
            continue  # a parallel tick flagged it first
        done += 1
    return done
