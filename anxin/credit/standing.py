"""An enterprise's credit as earlier apps learn it (``seam.ENTERPRISE_CREDIT``): whether it is on the
joint-punishment list on a day, and its latest integrity grade. One query for any number of
enterprises (every list page asks it once for the 失信 mark: ``core.credit_mark``); an enterprise
with neither is left out."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from anxin.core.seam import CreditStanding
from anxin.credit.models import EnterpriseGrade, GradeYearStatus, Listing
from anxin.registry.models import Enterprise


def enterprise_credit(
    enterprise_ids: Iterable[int], on: datetime.date | None = None
) -> dict[int, CreditStanding]:
    on = on or timezone.localdate()
    ids = list(enterprise_ids)
    if not ids:
        return {}
    if len(ids) > 50:
        # Many enterprises (a chunk of the risk scan: thousands): first the few with any listing
        # or grade at all, read by their id range — an enterprise with neither is left out below
        # anyway — so that the query of correlated subqueries runs for those only, not with a
        # list of thousands of ids to prepare and test.
        low, high = min(ids), max(ids)
        recorded = set(
            Listing.objects.filter(enterprise_id__gte=low, enterprise_id__lte=high).values_list(
                "enterprise_id", flat=True
            )
        ) | set(
            EnterpriseGrade.objects.filter(enterprise_id__gte=low, enterprise_id__lte=high).values_list(
                "enterprise_id", flat=True
            )
        )
        ids = [pk for pk in ids if pk in recorded]
        if not ids:
            return {}
    # The listing in force that ends last, and the latest grade in force up to ``on``'s year —
    # confirmed by 人社局, or set by hand (an adjustment, an upheld objection): a year still being
    # computed never replaces last year's confirmed grade (every C would become A on 1 January).
    # Correlated subqueries of one query over the page's enterprises.
    listing = Listing.objects.in_force(on).filter(enterprise_id=OuterRef("pk")).order_by("-term_end", "-pk")
    in_force = Q(year__status=GradeYearStatus.CONFIRMED) | Q(adjusted=True)
    grade = EnterpriseGrade.objects.filter(
        in_force, enterprise_id=OuterRef("pk"), year__year__lte=on.year
    ).order_by("-year__year")
    # A later year's grade, confirmed or set by hand already, comes into force on that year's
    # 1 January: the day the answer changes with the date alone (``CreditStanding.grade_changes_on``).
    # An enterprise with only such a grade is listed too (no grade yet, but one on its way).
    later = EnterpriseGrade.objects.filter(
        in_force, enterprise_id=OuterRef("pk"), year__year__gt=on.year
    ).order_by("year__year")
    rows = (
        Enterprise._base_manager.filter(pk__in=ids)
        .annotate(
            listing_pk=Subquery(listing.values("pk")[:1]),
            listing_number=Subquery(listing.values("number")[:1]),
            listed_until=Subquery(listing.values("term_end")[:1]),
            grade_value=Subquery(grade.values("grade")[:1]),
            grade_year=Subquery(grade.values("year__year")[:1]),
            grade_status=Subquery(grade.values("year__status")[:1]),
            next_grade_year=Subquery(later.values("year__year")[:1]),
        )
        .filter(Q(listing_pk__isnull=False) | Q(grade_value__isnull=False) | Q(next_grade_year__isnull=False))
        .values_list(
            "pk",
            "listing_pk",
            "listing_number",
            "listed_until",
            "grade_value",
            "grade_year",
            "grade_status",
            "next_grade_year",
        )
    )
    found: dict[int, CreditStanding] = {}
    for enterprise_id, listing_pk, number, until, grade_value, grade_year, status, next_year in rows:
        found[enterprise_id] = CreditStanding(
            blacklisted=bool(listing_pk),
            listing_number=number or "",
            listed_until=until,
            listing_url=reverse("credit-listing", args=[listing_pk]) if listing_pk else "",
            grade=grade_value or "",
            grade_year=grade_year,
            grade_confirmed=status == "confirmed",
            grade_changes_on=datetime.date(next_year, 1, 1) if next_year else None,
        )
    return found
