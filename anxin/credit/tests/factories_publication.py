"""Records the publication gathers from, each made on a chosen day through the cases' services: an
order to pay issued that day, a referral accepted by the police that day, a serious incident that
day; and a batch gathered, reviewed and published."""

from __future__ import annotations

import datetime
from typing import Any

import time_machine
from django.utils import timezone

from anxin.cases import actions
from anxin.cases.models import Incident, LegalAction
from anxin.cases.tests.factories import open_case, referral
from anxin.core.audit import system_actor
from anxin.credit.models import PublicationBatch
from anxin.credit.services import publication as services
from anxin.registry.tests.factories import EnterpriseFactory

TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def wage_case(
    day: datetime.date, renshe: Any, *, amount: int = 12_000_000, enterprise: Any = None, **kw: Any
) -> LegalAction:
    """A case (¥120,000 claimed by default) opened on ``day`` with an order to pay issued and served
    that day by 人社局."""
    with time_machine.travel(at(day), tick=False):
        case = open_case(
            enterprise or EnterpriseFactory(legal_rep="王五", address="新北区罗溪镇工业路8号"),
            amount_claimed=amount,
            **kw,
        )
        return actions.action_request(
            actor=renshe,
            case=case,
            kind="order",
            amount=amount,
            workers=case.workers,
            reference="新人社监〔2026〕7号",
            served_on=day,
            issued_on=day,
        )


def accepted_referral(day: datetime.date, renshe: Any, gongan: Any) -> LegalAction:
    """A case with a lapsed order and a referral, the police accepting it on ``day``."""
    with time_machine.travel(at(day - datetime.timedelta(days=40)), tick=False):
        case = open_case(EnterpriseFactory(legal_rep="赵六"))
        _order, made = referral(case, renshe)
    with time_machine.travel(at(day), tick=False):
        actions.action_step(actor=gongan, action=made, step="accepted", on=day, note="新公立〔2026〕3号")
    made.refresh_from_db()
    return made


def serious_incident(day: datetime.date, *, serious: bool = True, hour: int = 10) -> Incident:
    with time_machine.travel(at(day), tick=False):
        case = open_case(EnterpriseFactory(legal_rep="孙七"), amount_claimed=3_000_000)
        return Incident.objects.create(
            case=case,
            kind=Incident.Kind.MASS,
            occurred_at=at(day, hour),
            place="罗溪镇某工地门口",
            people=30,
            serious=serious,
            command_post="罗溪镇现场指挥部",
            measures="劝离、登记诉求",
            recorded_at=timezone.now(),
            recorded_by=system_actor(),
        )


def gathered(actor: Any, period_start: datetime.date, *, on: datetime.date) -> PublicationBatch:
    with time_machine.travel(at(on), tick=False):
        batch, _added = services.batch_gather(actor=actor, period_start=period_start)
    return batch


def published(actor: Any, batch: PublicationBatch, *, on: datetime.date) -> PublicationBatch:
    """Keep every entry and publish on ``on``."""
    with time_machine.travel(at(on), tick=False):
        for entry in batch.entries.all():
            services.entry_keep(actor=actor, entry=entry)
        return services.batch_publish(actor=actor, batch=batch)
