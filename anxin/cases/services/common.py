"""What every case service reads: who may work on a case (the lead unit, the co-units, the
office), the case's timeline row and the notices about a case."""

from __future__ import annotations

import datetime

from django.urls import reverse

from anxin.cases.models import Case, CaseEvent, LegalAction
from anxin.notify.services import notify_units
from anxin.org.access import (
    acts_for,
    office_unit_ids,  # noqa: F401  (re-exported for cases)
)
from anxin.org.models import Role, Unit, User

Kind = CaseEvent.Kind


def is_lead(actor: User, case: Case) -> bool:
    """The office, or a user of the lead unit (a town's users when a town leads)."""
    lead = case.lead_unit
    return acts_for(actor, town_id=lead.town_id, unit_ids=[lead.pk])


def works_on(actor: User, case: Case) -> bool:
    """The lead unit, a co-unit, or the office: who records facts, incidents and assets."""
    if is_lead(actor, case):
        return True
    unit_ids = list(case.co_units.values_list("pk", flat=True))
    towns = set(Unit.objects.filter(pk__in=unit_ids, town__isnull=False).values_list("town_id", flat=True))
    return acts_for(actor, town_id=None, unit_ids=unit_ids) or bool(
        actor.has_role(Role.TOWN) and towns & set(actor.scope.town_ids)
    )


def town_unit(town_id: int) -> Unit:
    return Unit.objects.get(town_id=town_id)


def add_event(
    case: Case,
    kind: str,
    actor: User,
    now: datetime.datetime,
    note: str = "",
    from_stage: str = "",
    to_stage: str = "",
) -> None:
    """A line on the case's timeline (``CaseEvent``: append-only) for what moves no status."""
    CaseEvent.objects.create(
        case=case, kind=kind, actor=actor, at=now, note=note, from_stage=from_stage, to_stage=to_stage
    )


def notify_case(
    case: Case,
    unit_ids,
    subject: str,
    body: str = "",
    *,
    sms: bool = False,
    topic: str = "case",
    action: LegalAction | None = None,
) -> None:
    """A notice about a case. About one of its legal actions (``action``), it links to the action's
    page: the unit handling it or receiving its copy (法院, 公安, 检察院) may not see the case file."""
    notify_units(
        unit_ids=unit_ids,
        subject=f"{case.number} {subject}",
        body=body,
        url=reverse("case-action", args=[action.pk]) if action else reverse("case-detail", args=[case.pk]),
        topic=topic,
        sms=sms,
        about=case.enterprise.name,
    )
