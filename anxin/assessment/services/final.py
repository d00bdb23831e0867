"""The finalisation of a year (§五(三) 强化考核): the office opens it, the units object, the office
answers, the office locks the year and the ranking is fixed.

``finalise`` — the office, once the year is over, with a scheme in use and every veto proposal of the
year decided: the year moves to 终评公示（异议期）, the objection period is set from
``score.objection_days`` working days (``core.deadlines.working_days_after``; the value used is
stored), every score is computed one last time (``scoring.score_year(final=True)``) and every assessed
unit is told its total, its grade and the deadline, with the clause and the parameter.

``file_objection`` — a user of the score's own unit (``assessment.file_objection``), up to and
including ``objection_until``, with a reason; one pending objection per line (a database constraint
too); the office is told.

``answer_objection`` — the office, with an answer either way; upheld: the line's points become
``points_after`` (0 to the indicator's full points, or the item's cap for a deduction/bonus), the line
is marked adjusted and the score's base/deductions/bonus/total/grade are recomputed from its lines
with ``grading`` (a confirmed veto still gives the lowest grade); the unit is told either way.

``lock`` — the office, after ``objection_until`` with no objection pending and no veto proposal
waiting for its decision (the data checks and findings still propose during the objection period; a
confirmed veto puts the final score at the lowest grade): every score is locked with its rank in its
group (``RANK_RULE``) and the year is locked. Nothing in it changes after that.

``objection_period_over`` — the ``tick`` sweep: on the first run after ``objection_until`` the office
is reminded, once, that the period is over and how many objections are pending."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from anxin.assessment import access, grading
from anxin.assessment.models import (
    AssessmentFile,
    AssessmentYear,
    IndicatorKind,
    Objection,
    ObjectionStatus,
    Scheme,
    SchemeStatus,
    Score,
    ScoreItem,
    ScoreStatus,
    UnitGroup,
    VetoProposal,
    VetoStatus,
    YearStatus,
)
from anxin.assessment.services import scoring
from anxin.assessment.workflow import FINALISE, LOCK, OBJECTIONS, REJECT, UPHOLD, YEARS
from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.deadlines import working_days_after
from anxin.core.errors import DomainError
from anxin.core.files import atomic_with_files, file_store
from anxin.core.policy import param_record
from anxin.core.uploads import DOCUMENTS
from anxin.notify.services import notify_units
from anxin.org.access import office_unit_ids
from anxin.org.models import User

CLAUSE = "§五(三)"
OBJECTION_DAYS = "score.objection_days"
OFFICE_ONLY = "只有联席办可以开始终评、答复异议和锁定考核结果"
RANK_RULE = (
    "同组（镇（街道）、区有关部门分别排名）按总分从高到低排名，总分相同名次并列、其后名次顺延；"
    "被一票否决的单位排在本组其他单位之后（其间同样按总分排名）"
)
FILED, PERIOD_OVER = "file", "period_over"
MAX_FILES = 10


@dataclass(frozen=True)
class Paper:
    """An uploaded evidence file as the services take it: its name as uploaded and its bytes."""

    name: str
    content: bytes


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _office(actor: User) -> None:
    if not access.may_manage(actor):
        raise PermissionDenied(OFFICE_ONLY)


def _text(value: str, field: str, what: str, limit: int = 5000) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(f"请填写{what}", field=field)
    if len(text) > limit:
        raise DomainError(f"{what}不超过 {limit} 字", field=field)
    return text


def year_url(year: int) -> str:
    return reverse("assessment-year", args=[year])


def objection_url(objection: Objection) -> str:
    return reverse("assessment-objection", args=[objection.pk])


def period_words(state: AssessmentYear) -> str:
    """ "异议期至 2027-01-08（参数 score.objection_days = 5 个工作日）"."""
    return (
        f"异议期至 {state.objection_until:%Y-%m-%d}"
        f"（参数 {OBJECTION_DAYS} = {state.objection_days} 个工作日，{CLAUSE}）"
        if state.objection_until
        else "异议期未设"
    )


def _locked(year: int) -> DomainError:
    return DomainError(f"{year} 年度考核结果已锁定，得分不再变动。", code="conflict")


# --- finalisation ---------------------------------------------------------------------------------------


def groups_in_use(year: int) -> list[str]:
    """The unit groups with a scheme in use for ``year``."""
    used = set(Scheme.objects.filter(year=year, status=SchemeStatus.ACTIVE).values_list("group", flat=True))
    return [g for g in UnitGroup.values if g in used]


def finalise_refusals(*, year: int, today: datetime.date) -> list[str]:
    """Why the finalisation of ``year`` cannot open today (empty: it can), in Chinese — the year
    page shows them beside the button."""
    reasons = []
    state = AssessmentYear.objects.filter(year=year).first()
    if state is not None and state.status != YearStatus.OPEN:
        reasons.append(f"{year} 年度已{state.get_status_display()}，不能再次开始终评。")
        return reasons
    if today <= datetime.date(year, 12, 31):
        reasons.append(f"{year} 年度尚未结束：{year} 年 12 月 31 日之后方可开始终评（{CLAUSE}）。")
    if not groups_in_use(year):
        reasons.append(f"{year} 年度没有使用中的考核方案，请先启用镇（街道）或部门考核方案。")
    veto = pending_vetoes(year)
    if veto:
        reasons.append(veto)
    return reasons


def pending_vetoes(year: int) -> str:
    """The veto proposals of ``year`` waiting for the office's decision, in words (empty: none). They
    block the finalisation and the lock alike: the data checks and findings keep proposing during the
    objection period, and a year is not locked with a veto undecided."""
    pending = list(
        VetoProposal.objects.filter(year=year, status=VetoStatus.PROPOSED)
        .select_related("unit", "condition")
        .order_by("unit__order", "pk")
    )
    if not pending:
        return ""
    listed = "；".join(f"{p.unit.name}（{p.condition.name}）" for p in pending)
    return f"尚有 {len(pending)} 项一票否决建议待确认，请先确认或不予否决：{listed}。"


def finalise(*, year: int, actor: User, now: datetime.datetime | None = None) -> AssessmentYear:
    """The office opens the finalisation of ``year`` (see the module)."""
    _office(actor)
    now = _now(now)
    today = timezone.localdate(now)
    state = AssessmentYear.objects.filter(year=year).first()
    if state is not None:
        YEARS.step(state, FINALISE)
    reasons = finalise_refusals(year=year, today=today)
    if reasons:
        raise DomainError(" ".join(reasons))
    record = param_record(OBJECTION_DAYS, on=today)
    days = int(record.typed_value)
    until, calendar_note = working_days_after(today, days)
    with transaction.atomic(), acting(actor):
        if state is None:
            state, _created = AssessmentYear.objects.get_or_create(year=year)
        step = YEARS.step(state, FINALISE)
        note = (
            f"开始终评：得分最后计算一次并公示；异议期 {days} 个工作日，至 {until:%Y-%m-%d}"
            f"（参数 {OBJECTION_DAYS}={days}，{record.citation}{calendar_note}）"
        )
        YEARS.move(
            state,
            step,
            actor=actor,
            note=note,
            values={
                "finalised_at": now,
                "finalised_by": actor,
                "objection_days": days,
                "objection_until": until,
            },
            now=now,
        )
        scores = scoring.score_year(year=year, now=now, final=True)
        for score in scores:
            veto = "（一票否决）" if score.vetoed else ""
            notify_units(
                unit_ids=[score.unit_id],
                subject=f"{year} 年度考核终评得分：{score.total} 分，{score.grade}{veto}",
                body=(
                    f"贵单位 {year} 年度考核终评得分 {score.total} 分，等次“{score.grade}”{veto}。"
                    f"如对某项得分有异议，请于 {until:%Y-%m-%d}（含当日）前在本单位得分页逐项提出，并写明理由"
                    f"（参数 {OBJECTION_DAYS}={days} 个工作日，{CLAUSE}）。"
                ),
                url=year_url(year),
                topic="assessment-final",
                about=f"{year}年度考核",
            )
    return state


# --- objections -----------------------------------------------------------------------------------------


def objection_refusal(*, item: ScoreItem, actor: Any, today: datetime.date) -> str:
    """Why ``actor`` cannot object to ``item`` today (empty: they can) — the score page shows it in
    place of the form."""
    score = item.score
    if not access.may_act_for(actor, score.unit_id) or not actor.has_perm("assessment.file_objection"):
        return f"只有{score.unit.name}的用户可以对本单位得分提出异议。"
    state = AssessmentYear.objects.filter(year=score.year).first()
    if state is None or state.status == YearStatus.OPEN:
        return f"{score.year} 年度尚未开始终评，预评得分不受理异议。"
    if state.status == YearStatus.LOCKED:
        return f"{score.year} 年度考核结果已锁定，不再受理异议。"
    if state.objection_until is None or today > state.objection_until:
        return (
            f"异议期已于 {state.objection_until:%Y-%m-%d} 届满"
            f"（参数 {OBJECTION_DAYS} = {state.objection_days} 个工作日，{CLAUSE}），不再受理异议。"
            if state.objection_until
            else "异议期未设，不受理异议。"
        )
    if Objection.objects.filter(item=item, status=ObjectionStatus.PENDING).exists():
        return "此项已有待答复的异议，请等待联席办答复。"
    return ""


def file_objection(
    *,
    item: ScoreItem,
    reason: str,
    actor: User,
    now: datetime.datetime | None = None,
    files: Sequence[Paper] = (),
) -> Objection:
    """A user of the score's unit objects to one line of its final score (see the module)."""
    now = _now(now)
    today = timezone.localdate(now)
    score = item.score
    if not access.may_act_for(actor, score.unit_id) or not actor.has_perm("assessment.file_objection"):
        raise PermissionDenied(f"只有{score.unit.name}的用户可以对本单位得分提出异议")
    refusal = objection_refusal(item=item, actor=actor, today=today)
    if refusal:
        code = "conflict" if "待答复" in refusal else "invalid"
        raise DomainError(refusal, code=code)
    reason = _text(reason, "reason", "异议理由")
    if len(files) > MAX_FILES:
        raise DomainError(f"佐证材料一次最多 {MAX_FILES} 个文件", field="evidence")
    try:
        with atomic_with_files(), acting(actor):
            objection = Objection.objects.create(
                item=item, reason=reason, filed_by=actor, points_before=item.points
            )
            for paper in files:
                stored = file_store(
                    record=AssessmentFile(kind=AssessmentFile.Kind.EVIDENCE),
                    actor=actor,
                    name=paper.name,
                    content=paper.content,
                    field="evidence",
                    allowed=DOCUMENTS,
                )
                objection.files.add(stored)
            OBJECTIONS.record(
                objection,
                FILED,
                actor=actor,
                note=reason[:500],
                target=ObjectionStatus.PENDING,
                at=now,
            )
            notify_units(
                unit_ids=office_unit_ids(),
                subject=f"{score.unit.name}对 {score.year} 年度考核“{item.indicator.name}”提出异议",
                body=f"原得分 {item.points} 分。理由：{reason[:200]}",
                url=objection_url(objection),
                topic="assessment-objection",
                about=score.unit.name,
            )
    except IntegrityError:  # another objection to the same line between the check and the write
        raise DomainError("此项已有待答复的异议，请等待联席办答复。", code="conflict") from None
    return objection


def item_limit(item: ScoreItem) -> Decimal | None:
    """The most points a line can carry: the indicator's full points (computed, manual) or the item's
    cap (deduction, bonus; None: no cap)."""
    indicator = item.indicator
    if indicator.kind in (IndicatorKind.COMPUTED, IndicatorKind.MANUAL):
        return grading.points(indicator.points)
    return None if indicator.cap is None else grading.points(indicator.cap)


def rescore(score: Score) -> Score:
    """The score's base, deductions, bonus, total and grades recomputed from its lines (after an
    upheld objection), keeping its veto."""
    items = list(score.items.select_related("indicator"))
    base = sum(
        (i.points for i in items if i.indicator.kind in (IndicatorKind.COMPUTED, IndicatorKind.MANUAL)),
        Decimal(0),
    )
    deductions = sum((i.points for i in items if i.indicator.kind == IndicatorKind.DEDUCTION), Decimal(0))
    bonus = sum((i.points for i in items if i.indicator.kind == IndicatorKind.BONUS), Decimal(0))
    scheme = score.scheme
    taken, added, total = grading.total_of(
        grading.points(base),
        deductions,
        bonus,
        deduction_cap=scheme.deduction_cap,
        bonus_cap=scheme.bonus_cap,
    )
    score.base, score.deductions, score.bonus, score.total = grading.points(base), taken, added, total
    score.grade_by_points = grading.grade_for(total, scheme.grade_bands)
    score.grade = grading.grade_for(total, scheme.grade_bands, vetoed=score.vetoed)
    score.save(
        update_fields=["base", "deductions", "bonus", "total", "grade_by_points", "grade", "updated_at"]
    )
    return score


def answer_objection(
    *,
    objection: Objection,
    uphold: bool,
    answer: str,
    points_after: Decimal | None = None,
    actor: User,
    now: datetime.datetime | None = None,
) -> Objection:
    """The office answers an objection, upheld or not, always with its answer (see the module)."""
    _office(actor)
    now = _now(now)
    item = objection.item
    score = item.score
    state = AssessmentYear.objects.filter(year=score.year).first()
    if score.status == ScoreStatus.LOCKED or (state is not None and state.status == YearStatus.LOCKED):
        raise _locked(score.year)
    step = OBJECTIONS.step(objection, UPHOLD if uphold else REJECT)
    answer = _text(answer, "answer", "答复意见", 2000)
    values: dict[str, Any] = {"answer": answer, "answered_by": actor, "answered_at": now}
    if uphold:
        if points_after is None:
            raise DomainError("采纳异议须填写调整后得分", field="points_after")
        after = grading.points(points_after)
        limit = item_limit(item)
        if after < 0 or (limit is not None and after > limit):
            top = f"{limit} 分" if limit is not None else "不限"
            raise DomainError(
                f"调整后得分须在 0 至 {top} 之间（“{item.indicator.name}”的满分或上限）",
                field="points_after",
            )
        values["points_after"] = after
    with transaction.atomic(), acting(actor):
        # The score row is locked first: two answers to lines of the same score (or an answer and the
        # lock) are taken one after the other, each rescoring from the lines as the other left them.
        score = (
            Score.objects.select_related("scheme", "unit").select_for_update(of=("self",)).get(pk=score.pk)
        )
        if score.status == ScoreStatus.LOCKED:
            raise _locked(score.year)
        OBJECTIONS.move(objection, step, actor=actor, note=answer[:500], values=values, now=now)
        if uphold:
            before = item.points
            item.points = values["points_after"]
            item.adjusted = True
            adjusted = (
                f"经异议调整：原 {before} 分，调整为 {item.points} 分"
                f"（{timezone.localdate(now):%Y-%m-%d} 联席办答复：{answer[:200]}）"
            )
            item.note = f"{item.note}；{adjusted}" if item.note else adjusted
            item.save(update_fields=["points", "adjusted", "note"])
            rescore(score)
            body = (
                f"调整为 {item.points} 分，总分 {score.total} 分，等次“{score.grade}”。答复：{answer[:200]}"
            )
        else:
            body = f"得分不变（{item.points} 分）。答复：{answer[:200]}"
        notify_units(
            unit_ids=[score.unit_id],
            subject=f"联席办已答复贵单位对“{item.indicator.name}”的异议：{'采纳' if uphold else '不予采纳'}",
            body=body,
            url=objection_url(objection),
            topic="assessment-objection",
            about=f"{score.year}年度考核",
        )
    return objection


# --- lock and rank --------------------------------------------------------------------------------------


def ranked(scores: Sequence[Score]) -> list[tuple[Score, int]]:
    """``scores`` of one group with their ranks (``RANK_RULE``)."""
    ordered = sorted(scores, key=lambda s: (s.vetoed, -s.total, s.unit.order, s.unit_id))
    out: list[tuple[Score, int]] = []
    previous: tuple[bool, Decimal] | None = None
    rank = 0
    for position, score in enumerate(ordered, start=1):
        key = (score.vetoed, score.total)
        if key != previous:
            rank, previous = position, key
        out.append((score, rank))
    return out


def lock_refusals(*, year: int, today: datetime.date) -> list[str]:
    """Why ``year`` cannot be locked today (empty: it can)."""
    state = AssessmentYear.objects.filter(year=year).first()
    if state is None or state.status == YearStatus.OPEN:
        return [f"{year} 年度尚未开始终评，不能锁定。"]
    if state.status == YearStatus.LOCKED:
        return [f"{year} 年度考核结果已锁定。"]
    reasons = []
    if state.objection_until is None or today <= state.objection_until:
        reasons.append(f"{period_words(state)}，异议期届满后方可锁定。")
    pending = Objection.objects.filter(item__score__year=year, status=ObjectionStatus.PENDING).count()
    if pending:
        reasons.append(f"尚有 {pending} 项异议待答复，全部答复后方可锁定。")
    veto = pending_vetoes(year)
    if veto:
        reasons.append(veto)
    return reasons


def lock(*, year: int, actor: User, now: datetime.datetime | None = None) -> AssessmentYear:
    """The office locks ``year``: every score locked with its rank, the year locked (see the module)."""
    _office(actor)
    now = _now(now)
    state = AssessmentYear.objects.filter(year=year).first()
    if state is None:
        raise DomainError(f"{year} 年度尚未开始终评，不能锁定。")
    step = YEARS.step(state, LOCK)
    reasons = lock_refusals(year=year, today=timezone.localdate(now))
    if reasons:
        raise DomainError(" ".join(reasons))
    scores = list(Score.objects.filter(year=year).select_related("unit"))
    with transaction.atomic(), acting(actor):
        YEARS.move(
            state,
            step,
            actor=actor,
            note=f"锁定考核结果，确定排名：{RANK_RULE}（{CLAUSE}）",
            values={"locked_at": now, "locked_by": actor},
            now=now,
        )
        for group in UnitGroup.values:
            members = [s for s in scores if access.group_of(s.unit) == group]
            for score, rank in ranked(members):
                if (
                    guarded_update(
                        Score.objects.exclude(status=ScoreStatus.LOCKED),
                        score.pk,
                        status=ScoreStatus.LOCKED,
                        rank=rank,
                    )
                    != 1
                ):
                    raise DomainError("得分已被他人处理，请刷新后查看", code="conflict")
                notify_units(
                    unit_ids=[score.unit_id],
                    subject=f"{year} 年度考核结果已锁定：{score.total} 分，{score.grade}",
                    body=f"贵单位在本组排名第 {rank} 名（{RANK_RULE}）。",
                    url=year_url(year),
                    topic="assessment-final",
                    about=f"{year}年度考核",
                )
    return state


# --- tick -----------------------------------------------------------------------------------------------


def objection_period_over(*, now: datetime.datetime | None = None) -> int:
    """``tick``: the day after ``objection_until`` the office is reminded, once per year, that the
    period is over and how many objections are pending."""
    now = _now(now)
    today = timezone.localdate(now)
    actor = system_actor()
    count = 0
    due = AssessmentYear.objects.filter(status=YearStatus.OBJECTION, objection_until__lt=today).exclude(
        events__action=PERIOD_OVER
    )
    with acting(actor):
        for state in due:
            with transaction.atomic():
                locked = AssessmentYear.objects.select_for_update().get(pk=state.pk)
                if locked.events.filter(action=PERIOD_OVER).exists():
                    continue
                pending = Objection.objects.filter(
                    item__score__year=state.year, status=ObjectionStatus.PENDING
                ).count()
                note = f"{period_words(state)}已届满；待答复异议 {pending} 项" + (
                    "，请尽快答复后锁定考核结果。" if pending else "，可锁定考核结果。"
                )
                YEARS.record(state, PERIOD_OVER, actor=actor, note=note, at=now)
                notify_units(
                    unit_ids=office_unit_ids(),
                    subject=f"{state.year} 年度考核异议期已届满（待答复异议 {pending} 项）",
                    body=note,
                    url=year_url(state.year),
                    topic="assessment-final",
                    about=f"{state.year}年度考核",
                )
                count += 1
    return count


__all__ = [
    "RANK_RULE",
    "Paper",
    "answer_objection",
    "file_objection",
    "finalise",
    "lock",
    "objection_period_over",
    "ranked",
]
