"""An enterprise's credit as earlier apps learn it (``seam.ENTERPRISE_CREDIT``): whether it is on the
joint-punishment list on a day, and its latest integrity grade. Two queries for any number of
enterprises; an enterprise with neither is left out."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone

from anxin.core.seam import CreditStanding
from anxin.credit.models import EnterpriseGrade, Listing


def enterprise_credit(
    enterprise_ids: Iterable[int], on: datetime.date | None = None
) -> dict[int, CreditStanding]:
    on = on or timezone.localdate()
    ids = list(enterprise_ids)
    listed: dict[int, tuple[str, datetime.date | None, int]] = {}
    for pk, enterprise_id, number, term_end in (
        Listing.objects.in_force(on)
        .filter(enterprise_id__in=ids)
        .order_by("enterprise_id", "-term_end")
        .values_list("pk", "enterprise_id", "number", "term_end")
    ):
        listed.setdefault(enterprise_id, (number, term_end, pk))
    graded: dict[int, tuple[str, int | None, bool]] = {}
    for enterprise_id, grade, year, status in (
        EnterpriseGrade.objects.filter(enterprise_id__in=ids, year__year__lte=on.year)
        .order_by("enterprise_id", "-year__year")
        .values_list("enterprise_id", "grade", "year__year", "year__status")
    ):
        graded.setdefault(enterprise_id, (grade, year, status == "confirmed"))
    found: dict[int, CreditStanding] = {}
    for enterprise_id in set(listed) | set(graded):
        number, until, listing_pk = listed.get(enterprise_id, ("", None, 0))
        grade, grade_year, confirmed = graded.get(enterprise_id, ("", None, False))
        found[enterprise_id] = CreditStanding(
            blacklisted=bool(number),
            listing_number=number,
            listed_until=until,
            listing_url=reverse("credit-listing", args=[listing_pk]) if listing_pk else "",
            grade=grade,
            grade_year=grade_year,
            grade_confirmed=confirmed,
        )
    return found
