"""Who may do what in the assessment (shared by every part of the app).

A unit sees its own scores, the traces that name it, its own findings, confirmed vetoes against it,
its rectification items; the office, the leaders and the auditors see all. Only the office edits
schemes, scores by hand, answers objections, decides vetoes, finalises and locks the year, runs spot
checks and refers findings to 纪检监察. A unit objects to its own score and answers its own
rectification items."""

from __future__ import annotations

from typing import Any

from anxin.assessment.models import UnitGroup
from anxin.core.access import is_system
from anxin.org.models import Unit, UnitKind


def _has(user: Any, perm: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(perm))


def may_manage(user: Any) -> bool:
    """Schemes, hand scores, objections' answers, vetoes, finalisation and locking: the office."""
    return is_system(user) or _has(user, "assessment.manage_assessment")


def sees_all(user: Any) -> bool:
    """Every unit's scores, traces, findings, vetoes: the office, the leaders, the auditors."""
    return is_system(user) or _has(user, "assessment.view_assessment_all")


def may_run_spot_checks(user: Any) -> bool:
    return is_system(user) or _has(user, "assessment.run_spot_checks")


def may_refer(user: Any) -> bool:
    return is_system(user) or _has(user, "assessment.refer_findings")


def may_act_for(user: Any, unit_id: int | None) -> bool:
    """Object to a score or answer a rectification item of ``unit_id``: a user of that very unit."""
    return bool(
        getattr(user, "is_authenticated", False)
        and unit_id is not None
        and getattr(user, "unit_id", None) == unit_id
    )


def group_of(unit: Unit | None) -> str | None:
    """The assessment group a unit belongs to (its scheme's ``group``), or None: not assessed (the
    office, the leaders, system units, non-member units)."""
    if unit is None or not unit.is_member:
        return None
    if unit.kind == UnitKind.TOWN_GOVERNMENT:
        return UnitGroup.TOWN
    if unit.kind == UnitKind.DEPARTMENT:
        return UnitGroup.DEPARTMENT
    return None


def assessed_units(group: str | None = None) -> Any:
    """The units assessed (member towns and departments), in the district's order; one group or both."""
    if group == UnitGroup.TOWN:
        wanted = [UnitKind.TOWN_GOVERNMENT]
    elif group == UnitGroup.DEPARTMENT:
        wanted = [UnitKind.DEPARTMENT]
    else:
        wanted = [UnitKind.TOWN_GOVERNMENT, UnitKind.DEPARTMENT]
    return Unit.objects.filter(kind__in=wanted, is_member=True).order_by("order", "pk")
