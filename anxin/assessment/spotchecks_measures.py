"""The spot-check part's measure (§五(三)): ``rectification_overdue`` — the unit's rectification items
(整改事项) that went overdue in the period, one record each (a deduction item's occurrences).

An item "went overdue" when its due day lies in the period and has passed (before today, at most the
period's end) and, by the due day, the unit had not reported a rectification the office later
accepted or still has to judge: it is open or returned now, or it was escalated by ``tick``, or its
report came after the due day."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from anxin.assessment import measures
from anxin.assessment.models import Rectification, RectificationStatus
from anxin.org.models import Unit

KEY = "rectification_overdue"
CLAUSE = "§五(三)（不定期抽查、整改）"
FORMULA = (
    "逾期整改事项数 = 整改期限在本期内、已过期限而未按期报送整改情况的整改事项数"
    "（含逾期报联席办的、期满后才报送的；整改默认期限：参数 spotcheck.rectification_days）"
)


def overdue_in(unit: Unit, start: datetime.date, end: datetime.date) -> list[Rectification]:
    today = timezone.localdate()
    last = min(end, today - datetime.timedelta(days=1))
    qs = Rectification.objects.filter(unit=unit, due__gte=start, due__lte=last).select_related(
        "item__check_unit__spot_check"
    )
    late = qs.filter(
        Q(status__in=[RectificationStatus.OPEN, RectificationStatus.RETURNED])
        | Q(escalated_at__isnull=False)
        | Q(answered_at__isnull=True)
    )
    rows = list(late.order_by("due", "pk"))
    seen = {r.pk for r in rows}
    for r in qs.filter(answered_at__isnull=False).exclude(pk__in=seen).order_by("due", "pk"):
        if timezone.localdate(r.answered_at) > r.due:
            rows.append(r)
    return sorted(rows, key=lambda r: (r.due, r.pk))


def compute(unit: Unit, start: datetime.date, end: datetime.date, settings: dict) -> measures.Result:
    rows = overdue_in(unit, start, end)
    records = [
        {
            "kind": "rectification",
            "id": r.pk,
            "label": f"{r.item.check_unit.spot_check.number} {r.item.subject}",
            "url": reverse("assessment-rectification", args=[r.pk]),
            "unit": unit.code,
            "due": measures.as_iso(r.due),
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
