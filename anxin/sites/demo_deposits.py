"""Demo wage deposits for ``load_demo`` (seam.DEMO_DATA, after money): on the demo projects with a
registered general contractor — one deposit held in full (the largest contract), the smallest contract
fixed (exempt when its contract is under the exemption line and its contractor clean), and one late
(required 60 days ago, never deposited: ``tick`` flags it). Idempotent: nothing is loaded when any
deposit exists."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.org.models import User
from anxin.registry.models import Project
from anxin.sites.models import Deposit, DepositForm, DepositStatus
from anxin.sites.services import deposits as services


def load(*, actor: User, log: Callable[[str], None]) -> None:
    if Deposit.objects.exists():
        log("演示工资保证金已存在，未重复载入。")
        return
    projects = list(
        Project.objects.filter(
            is_demo=True, general_contractor__isnull=False, contract_amount__gt=0
        ).order_by("pk")
    )
    if len(projects) < 3:
        log("演示工程项目不足，未载入演示工资保证金。")
        return
    today = timezone.localdate()
    by_amount = sorted(projects, key=lambda p: (p.contract_amount, p.pk))
    held_project, small_project = by_amount[-1], by_amount[0]
    late_project = next(p for p in projects if p not in (held_project, small_project))
    made = []
    try:
        held = services.deposit_require(
            actor=actor, project=held_project, contract_signed_on=today - datetime.timedelta(days=20)
        )
        if held.status == DepositStatus.REQUIRED:
            services.deposit_record(
                actor=actor,
                deposit=held,
                form=DepositForm.GUARANTEE,
                amount=held.required,
                deposited_on=today - datetime.timedelta(days=10),
                bank="江苏银行常州新北支行",
                reference="BH-2026-0001（演示）",
            )
        made.append(held)
        made.append(
            services.deposit_require(
                actor=actor, project=small_project, contract_signed_on=today - datetime.timedelta(days=5)
            )
        )
        made.append(
            services.deposit_require(
                actor=actor, project=late_project, contract_signed_on=today - datetime.timedelta(days=60)
            )
        )
    except DomainError as exc:
        log(f"演示工资保证金未能全部载入：{exc.message}")
    log("已载入演示工资保证金 " + "、".join(f"{d.project.name}（{d.get_status_display()}）" for d in made))
