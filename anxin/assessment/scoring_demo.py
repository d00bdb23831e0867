"""The scoring part's demo data (``manage.py load_demo``): the current year's schemes come from the
district file (``load_district``); after the earlier apps' demo data, the office's hand scores of
领导重视 and 制度建设 for 罗溪镇, 薛家镇 and 城建局, and every unit's provisional score. Scored only when
every measure the schemes name is registered (``measures.MEASURES``); otherwise the scores are left
to ``tick``. Idempotent: nothing is written when any score exists; never over real scores."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from anxin.assessment import measures
from anxin.assessment.access import group_of
from anxin.assessment.models import HandScore, Indicator, IndicatorKind, Scheme, SchemeStatus, Score
from anxin.assessment.services import hand_scores, scoring
from anxin.core.errors import DomainError
from anxin.org.models import Unit, User

HANDS = {
    "gov-luoxi": {
        "leadership": ("8", "镇主要负责人牵头，年内两次专题研究部署，工作机构健全。"),
        "system": ("6", "制定了工作方案和应急处置机制，台账制度尚不完整。"),
    },
    "gov-xuejia": {
        "leadership": ("6", "分管负责人牵头，专题研究一次。"),
        "system": ("5", "工作方案已制定，应急处置机制未成文。"),
    },
    "construction": {
        "leadership": ("8", "局主要负责人牵头，条线专项部署到位。"),
        "system": ("7", "工资专户、实名制、保证金台账齐全。"),
    },
}


def missing() -> str:
    year = timezone.localdate().year
    return "" if Scheme.objects.filter(year=year).exists() else "本年度考核方案（先运行 load_district）"


def real_data() -> list[str]:
    n = Score.objects.filter(is_demo=False).count()
    return [f"考核得分 {n}"] if n else []


def unregistered(year: int) -> list[str]:
    """Measures the year's schemes in use name that no part has registered."""
    keys = set(
        Indicator.objects.filter(scheme__year=year, scheme__status=SchemeStatus.ACTIVE)
        .exclude(measure="")
        .values_list("measure", flat=True)
    )
    return sorted(k for k in keys if k not in measures.MEASURES)


def load(*, actor: User, log: Callable[[str], None]) -> None:
    if Score.objects.exists():
        log("考核得分演示数据已存在，未重复载入。")
        return
    year = timezone.localdate().year
    lacking = unregistered(year)
    if lacking:
        log(f"考核：尚缺计算口径 {'、'.join(lacking)}，预评得分留待 tick 计算。")
        return
    for code, rows in HANDS.items():
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            continue
        for indicator_code, (points, note) in rows.items():
            indicator = Indicator.objects.filter(
                scheme__year=year,
                scheme__status=SchemeStatus.ACTIVE,
                scheme__group=group_of(unit) or "",
                code=indicator_code,
                kind=IndicatorKind.MANUAL,
            ).first()
            if indicator is None or HandScore.objects.filter(indicator=indicator, unit=unit).exists():
                continue
            try:
                hand_scores.hand_score_set(
                    actor=actor, indicator=indicator, unit=unit, points=points, note=note
                )
            except DomainError as exc:
                log(f"考核：{unit.name}“{indicator.name}”未评分（{exc}）")
    scored = scoring.score_year(year=year)
    Score.objects.filter(is_demo=False).update(is_demo=True)
    log(f"考核演示数据：{year} 年度 {len(scored)} 个单位的预评得分，联席办人工评分 3 个单位。")
