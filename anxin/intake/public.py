"""What the public portal tells a worker beyond the report itself: the link to their status page
(in every SMS), the handling unit's public phone, the case's progress (through the seam)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from anxin.org.models import Unit, UnitKind


def status_link(code: str) -> str:
    """The worker's status page as their phone reaches it (``PORTAL_URL`` + the page)."""
    return str(settings.PORTAL_URL).rstrip("/") + reverse("portal-status", args=[code])


def office_phone() -> str:
    unit = Unit.objects.filter(kind=UnitKind.OFFICE).exclude(public_phone="").first()
    return unit.public_phone if unit else "12333"


def unit_public_phone(unit: Unit | None) -> str:
    """The unit's public phone from the district file; a town government's falls back to its
    town's, and any unit without one to the office's (DESIGN: district file ``public_phone``)."""
    if unit is not None:
        if unit.public_phone:
            return unit.public_phone
        if unit.town_id and unit.town.public_phone:
            return unit.town.public_phone
    return office_phone()


def handling_unit(signal) -> Unit | None:
    """Who handles a worker's report, as the worker should call it: the town (属地) first, else
    the assigned department."""
    if signal.town_id:
        unit = Unit.objects.filter(town_id=signal.town_id).select_related("town").first()
        if unit is not None:
            return unit
    return signal.assigned_unit
