"""The spot-check part's measure (§五(三)): ``rectification_overdue`` — the unit's rectification items
(整改事项) that went overdue in the period, one record each (a deduction item's occurrences).

An item "went overdue" on a due day that passed before the unit reported: the due day it had then is
kept on the item (``overdue_due``, set when ``tick`` escalates it or when the unit answers after it),
and stays when the office later returns the answer with a new due day. An item counts once, by that
day, when it lies in the period and has passed (before today, at most the period's end); an open or
returned item past its (current) due day that ``tick`` has not yet escalated counts by its due day. A
unit that answered in time and whose answer was returned is judged on the new due day only."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse

from anxin.assessment import measures
from anxin.assessment.models import Rectification, RectificationStatus
from anxin.org.models import Unit

KEY = "rectification_overdue"
CLAUSE = "§五(三)（不定期抽查、整改）"
FORMULA = (
    "逾期整改事项数 = 整改期限在本期内、已过期限而未按期报送整改情况的整改事项数"
    "（含逾期报联席办的、期满后才报送的，按逾期时的整改期限计一次；按期报送后被退回的，按重新整改期限判断；"
    "整改默认期限：参数 spotcheck.rectification_days）"
)


def went_overdue_on(r: Rectification, today: datetime.date) -> datetime.date | None:
    """The due day ``r`` went overdue on, if it did (see the module)."""
    if r.overdue_due:
        return r.overdue_due
    if r.status in (RectificationStatus.OPEN, RectificationStatus.RETURNED) and r.due < today:
        return r.due
    return None


def overdue_in(unit: Unit, start: datetime.date, end: datetime.date) -> list[Rectification]:
    today = measures.today()
    last = min(end, today - datetime.timedelta(days=1))
    qs = Rectification.objects.filter(unit=unit).select_related("item__check_unit__spot_check")
    candidates = qs.filter(
        Q(overdue_due__gte=start, overdue_due__lte=last)
        | Q(
            overdue_due__isnull=True,
            status__in=[RectificationStatus.OPEN, RectificationStatus.RETURNED],
            due__gte=start,
            due__lte=last,
        )
    )
    dated = [(day, r) for r in candidates if (day := went_overdue_on(r, today))]
    return [r for _, r in sorted(dated, key=lambda x: (x[0], x[1].pk))]


def compute(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> measures.Result:
    rows = overdue_in(unit, start, end)
    records = [
        {
            "kind": "rectification",
            "id": r.pk,
            "label": f"{r.item.check_unit.spot_check.number} {r.item.subject}",
            "url": reverse("assessment-rectification", args=[r.pk]),
            "unit": unit.code,
            "due": measures.as_iso(r.overdue_due or r.due),
            "done": measures.as_iso(r.answered_at),
            "met": False,
            "note": r.get_status_display() + ("，已逾期报联席办" if r.escalated_at else ""),
        }
        for r in rows
    ]
    return measures.Result(
        value=Decimal(len(rows)),
        numerator=len(rows),
        records=records,
        params={"spotcheck.rectification_days": measures.parameter("spotcheck.rectification_days", on=end)},
    )


MEASURE = measures.Measure(
    key=KEY, label="抽查整改逾期", kind=measures.COUNT, clause=CLAUSE, formula=FORMULA, compute=compute
)
