"""What the public portal tells a worker beyond the report itself: the link to their status page
(in every SMS), the handling unit's public phone, the case's progress (through the seam)."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.urls import reverse

from anxin.core import seam
from anxin.org.models import Unit, UnitKind
from anxin.registry.models import Project


def status_link(code: str) -> str:
    """The worker's status page as their phone reaches it (``PORTAL_URL`` + the page)."""
    return str(settings.PORTAL_URL).rstrip("/") + reverse("portal-status", args=[code])


# The site's notice board (维权信息告示牌) carries a QR code of the report form with its project chosen:
# ``?p=`` is the project's id signed with this salt (tamper-proof, no expiry: the board hangs for years).
PROJECT_TOKEN_SALT = "anxin.intake.portal-project"  # noqa: S105 (a signing salt, not a secret)


def project_token(project: Project) -> str:
    """The signed token that names ``project`` on the report form's link."""
    return signing.Signer(salt=PROJECT_TOKEN_SALT).sign(str(project.pk))


def project_from_token(token: str | None) -> Project | None:
    """The project a report link's token names, or ``None`` for a missing, altered or stale token
    (the form is then the usual one)."""
    if not token or len(token) > 100:
        return None
    try:
        pk = int(signing.Signer(salt=PROJECT_TOKEN_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    if not settings.PORTAL_READS_DISTRICT_DATA:
        return _board_project(pk)
    return Project.objects.select_related("town", "general_contractor").filter(pk=pk).first()


def _board_project(pk: int) -> Project | None:
    """The internet zone reads no project or enterprise: the project as the internal zone's tick
    wrote it for the board (``PortalProject``), as an unsaved Project carrying what the form and
    the report need (id, name, town, the general contractor's name)."""
    from anxin.intake.models import PortalProject
    from anxin.registry.models import Enterprise

    board = PortalProject.objects.select_related("town").filter(project_id=pk).first()
    if board is None:
        return None
    project = Project(pk=board.project_id, name=board.name, town=board.town)
    project.general_contractor = Enterprise(name=board.contractor_name) if board.contractor_name else None
    return project


def project_report_link(project: Project) -> str:
    """The report form with ``project`` already chosen, as a worker's phone reaches it
    (``PORTAL_URL``): what the site's notice board prints as a QR code. Reports sent from it are
    signals on that project (and its town)."""
    return (
        str(settings.PORTAL_URL).rstrip("/")
        + reverse("portal-report")
        + "?p="
        + quote(project_token(project), safe="")
    )


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


def portal_case(signal) -> seam.CaseRef | None:
    """The case the worker's status page describes: an open one linked to the report (or to the
    report it was merged into), else the last one closed; cases says it through the seam."""
    return portal_cases([signal])[signal.pk]


def portal_cases(signals) -> dict:
    """``portal_case`` of each signal (by id), asking cases once for all of them."""
    ids = {s.pk: [s.pk] + ([s.merged_into_id] if s.merged_into_id else []) for s in signals}
    found = seam.signal_cases(sorted({pk for own in ids.values() for pk in own}))
    chosen: dict = {}
    for pk, own in ids.items():
        cases = [ref for i in own for ref in found.get(i, [])]
        chosen[pk] = next((c for c in cases if c.is_open), cases[-1] if cases else None)
    return chosen


def public_progress(signal) -> tuple[seam.CaseRef | None, seam.WorkerMoney | None]:
    """The case and the worker's own claim, as the page shows them: read through the seam where the
    process may read cases and claims (the internal zone), else from the record the internal zone's
    tick keeps for the internet zone (``PublicProgress``)."""
    if settings.PORTAL_READS_DISTRICT_DATA:
        return portal_case(signal), seam.signal_money([signal.pk]).get(signal.pk)
    from anxin.intake.models import PublicProgress

    record = PublicProgress.objects.filter(signal_id=signal.pk).first()
    if record is None:
        return None, None
    case = (
        seam.CaseRef(**{**record.case, "public_steps": tuple(record.case["public_steps"])})
        if record.case
        else None
    )
    money = seam.WorkerMoney(**record.money) if record.money else None
    return case, money
