"""Test helpers for wage deposits: a project with a contract sum, its deposit fixed and held, and a case
on it whose workers' claims are confirmed and whose order to pay lapsed (the grounds of a draw)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from anxin.cases.models import Case
from anxin.cases.tests.factories import lapsed_order, open_case
from anxin.money.tests.factories_claims import confirmed
from anxin.registry.models import Project
from anxin.sites.models import Deposit, DepositForm
from anxin.sites.services import deposits as services

WAN = 1_000_000  # 1万元 in fen
CONTRACT = 5000 * WAN  # ¥50,000,000: the second tier, 2 % → ¥1,000,000 required


def with_contract(project: Project, amount: int = CONTRACT) -> Project:
    Project.objects.filter(pk=project.pk).update(contract_amount=amount)
    project.refresh_from_db()
    return project


def required(project: Project, actor: Any, *, signed_on: datetime.date | None = None) -> Deposit:
    return services.deposit_require(
        actor=actor, project=project, contract_signed_on=signed_on or timezone.localdate()
    )


def held(project: Project, actor: Any, *, amount: int | None = None) -> Deposit:
    """The project's deposit fixed today and deposited in full (or ``amount``) as cash."""
    deposit = required(with_contract(project) if not project.contract_amount else project, actor)
    services.deposit_record(
        actor=actor,
        deposit=deposit,
        form=DepositForm.CASH,
        amount=amount if amount is not None else deposit.required,
        deposited_on=timezone.localdate(),
        bank="江苏银行新北支行",
        reference="3204-0001",
    )
    deposit.refresh_from_db()
    return deposit


def case_with_grounds(
    project: Project, *, luoxi: Any, renshe: Any, amounts: tuple[int, ...] = (300_000, 200_000)
) -> tuple[Case, list]:
    """A case on the project's general contractor and the project, with confirmed claims and a lapsed
    order to pay."""
    case = open_case(project.general_contractor, project=project)
    claims = confirmed(case, actor=luoxi, confirmer=renshe, amounts=amounts)
    lapsed_order(case, renshe, amount=sum(amounts))
    return case, claims
