"""Hand scores (§五(三) 细化考核标准): the office scores a manual indicator (领导重视, 制度建设) — or
records a deduction or bonus by hand — for one unit under the scheme in use: points within the item's
limit, a note saying why (required) and evidence files checked by their content. The unit's score is
recomputed at once. Refused while the year is not open (finalisation opened or locked); a refusal
changes nothing (the files stored inside a refused write are deleted again)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anxin.assessment import access, grading
from anxin.assessment.models import AssessmentFile, HandScore, Indicator, IndicatorKind, SchemeStatus
from anxin.assessment.services import scoring
from anxin.assessment.services.schemes import require_open
from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.core.files import atomic_with_files, file_store
from anxin.core.uploads import DOCUMENTS
from anxin.org.models import Unit, User

OFFICE_ONLY = "只有联席办可以人工评分"
MAX_FILES = 10
MAX_NOTE = 2000


@dataclass(frozen=True)
class Paper:
    """An uploaded evidence file as the service takes it: its name as uploaded and its bytes."""

    name: str
    content: bytes


def limit_of(indicator: Indicator) -> Decimal:
    """The most a hand score may give: a manual item's points; a deduction's or bonus's cap (else its
    points)."""
    if indicator.kind == IndicatorKind.MANUAL:
        return grading.points(indicator.points)
    return grading.points(indicator.cap if indicator.cap is not None else indicator.points)


def hand_score_set(
    *,
    actor: User,
    indicator: Indicator,
    unit: Unit,
    points: Any,
    note: str,
    evidence: Sequence[Paper] = (),
    now: datetime.datetime | None = None,
) -> HandScore:
    """Score ``indicator`` for ``unit`` by hand (a second scoring replaces the first, its evidence
    added to the earlier files); then the unit's score recomputed."""
    if not access.may_manage(actor):
        raise PermissionDenied(OFFICE_ONLY)
    scheme = indicator.scheme
    if indicator.kind == IndicatorKind.COMPUTED:
        raise DomainError(f"“{indicator.name}”由系统自动计算，不能人工评分", field="points")
    if scheme.status != SchemeStatus.ACTIVE:
        raise DomainError(f"{scheme}不在使用中，不能按它评分", field="points")
    require_open(scheme.year)
    if access.group_of(unit) != scheme.group:
        raise DomainError(f"{unit.name}不适用{scheme.get_group_display()}考核方案", field="unit")
    try:
        value = grading.points(Decimal(str(points).strip()))
    except (InvalidOperation, ValueError):
        raise DomainError("分数应为数字", field="points") from None
    if value < 0:
        raise DomainError("分数不能为负数", field="points")
    limit = limit_of(indicator)
    if value > limit:
        raise DomainError(f"“{indicator.name}”最多 {limit} 分，不能评 {value} 分", field="points")
    text = (note or "").strip()
    if not text:
        raise DomainError("请写明评分说明（依据和理由）", field="note")
    if len(text) > MAX_NOTE:
        raise DomainError(f"评分说明不超过 {MAX_NOTE} 字", field="note")
    if len(evidence) > MAX_FILES:
        raise DomainError(f"佐证材料一次最多 {MAX_FILES} 个文件", field="evidence")
    now = now or timezone.now()
    with atomic_with_files(), acting(actor):
        hand, _created = HandScore.objects.select_for_update().update_or_create(
            indicator=indicator, unit=unit, defaults={"points": value, "note": text, "scored_by": actor}
        )
        for paper in evidence:
            stored = file_store(
                record=AssessmentFile(kind=AssessmentFile.Kind.EVIDENCE),
                actor=actor,
                name=paper.name,
                content=paper.content,
                field="evidence",
                allowed=DOCUMENTS,
            )
            hand.files.add(stored)
        if scheme.year <= timezone.localdate(now).year:
            scoring.score_unit(year=scheme.year, unit=unit, now=now)
    return hand
