"""The finalisation (§五(三)): finalise's refusals and notices, objections at the edge of their period,
one pending per line, answers upheld (total, grade, a veto kept) and rejected, the lock's refusals,
ranks and ties, and a locked year refusing everything with the database unchanged."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from anxin.assessment.models import (
    AssessmentYear,
    Objection,
    ObjectionStatus,
    Score,
    ScoreItem,
    ScoreStatus,
    VetoCondition,
    VetoProposal,
    VetoStatus,
    YearEvent,
    YearStatus,
)
from anxin.assessment.services import final, scoring
from anxin.assessment.tests.factories_final import YEAR, at, hand, schemes
from anxin.core.errors import DomainError
from anxin.notify.models import Notification
from anxin.org.models import Unit

pytestmark = pytest.mark.django_db

OPEN_DAY = datetime.date(2027, 1, 4)


@pytest.fixture
def year_ready(office):
    schemes(office)
    hand(office, "gov-luoxi", {"work": 75, "lead": 18, "late": 2, "extra": 1})  # 92
    hand(office, "gov-xuejia", {"work": 75, "lead": 17})  # 92
    hand(office, "construction", {"work": 70, "lead": 10})  # 80
    return YEAR


@pytest.fixture
def opened(year_ready, office, luoxi, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        state = final.finalise(year=YEAR, actor=office, now=at(OPEN_DAY))
    return state


def _item(unit_code: str, code: str) -> ScoreItem:
    return ScoreItem.objects.select_related("score__unit", "indicator").get(
        score__year=YEAR, score__unit__code=unit_code, indicator__code=code
    )


def _until() -> datetime.date:
    until = AssessmentYear.objects.get(year=YEAR).objection_until
    assert until is not None
    return until


def _snapshot() -> list:
    return [
        *Score.objects.order_by("pk").values_list("pk", "status", "total", "grade", "rank"),
        *ScoreItem.objects.order_by("pk").values_list("pk", "points", "adjusted"),
        *Objection.objects.order_by("pk").values_list("pk", "status", "answer"),
        *AssessmentYear.objects.values_list("pk", "status"),
    ]


# --- finalise ---------------------------------------------------------------------------------------


def test_finalise_opens_the_objection_period_scores_finally_and_tells_every_unit(opened, luoxi, office):
    state = AssessmentYear.objects.get(year=YEAR)
    assert state.status == YearStatus.OBJECTION and state.objection_days == 5
    assert state.objection_until is not None and state.objection_until > OPEN_DAY
    assert state.finalised_by == office
    score = Score.objects.get(year=YEAR, unit__code="gov-luoxi")
    assert score.status == ScoreStatus.FINAL and score.total == Decimal("92.00") and score.grade == "优秀"
    notice = Notification.objects.get(recipient=luoxi, topic="assessment-final")
    assert "92.00 分" in notice.subject and "优秀" in notice.subject
    assert f"{state.objection_until:%Y-%m-%d}" in notice.body
    assert "score.objection_days=5" in notice.body and "§五(三)" in notice.body
    event = YearEvent.objects.get(assessment_year=state, action="finalise")
    assert "score.objection_days=5" in event.note


def test_finalise_is_refused_while_the_year_is_not_over(year_ready, office):
    with pytest.raises(DomainError, match="尚未结束"):
        final.finalise(year=YEAR, actor=office, now=at(datetime.date(2026, 12, 31), 23))
    assert not AssessmentYear.objects.exists() and not Score.objects.exists()


def test_finalise_is_refused_without_a_scheme_in_use(office):
    with pytest.raises(DomainError, match="没有使用中的考核方案"):
        final.finalise(year=YEAR, actor=office, now=at(OPEN_DAY))
    assert not AssessmentYear.objects.exists()


def test_finalise_is_refused_while_a_veto_proposal_waits_and_lists_it(year_ready, office):
    condition = VetoCondition.objects.create(code="mass", name="群体性事件", groups=["town"])
    VetoProposal.objects.create(
        year=YEAR, unit=Unit.objects.get(code="gov-luoxi"), condition=condition, key="case:1", summary="x"
    )
    with pytest.raises(DomainError, match=r"罗溪镇.*群体性事件"):
        final.finalise(year=YEAR, actor=office, now=at(OPEN_DAY))
    assert not AssessmentYear.objects.exists() and not Score.objects.exists()


@pytest.mark.parametrize("who", ["leader", "luoxi", "chengjian", "auditor"])
def test_only_the_office_finalises(year_ready, who, request):
    with pytest.raises(PermissionDenied):
        final.finalise(year=YEAR, actor=request.getfixturevalue(who), now=at(OPEN_DAY))
    assert not AssessmentYear.objects.exists()


def test_finalise_twice_is_refused(opened, office):
    with pytest.raises(DomainError):
        final.finalise(year=YEAR, actor=office, now=at(OPEN_DAY))


# --- objections -------------------------------------------------------------------------------------


def test_an_objection_on_the_last_day_is_taken_and_the_next_day_refused(
    opened, luoxi, office, django_capture_on_commit_callbacks
):
    until = _until()
    item = _item("gov-luoxi", "lead")
    with time_machine.travel(at(until, 23), tick=False), django_capture_on_commit_callbacks(execute=True):
        objection = final.file_objection(item=item, reason="领导小组会议记录漏计", actor=luoxi)
    assert objection.status == ObjectionStatus.PENDING and objection.points_before == Decimal("18.00")
    assert Notification.objects.filter(recipient=office, topic="assessment-objection").exists()
    other = _item("gov-luoxi", "work")
    with pytest.raises(DomainError, match=r"已于 .* 届满.*score.objection_days = 5"):
        final.file_objection(
            item=other, reason="x", actor=luoxi, now=at(until + datetime.timedelta(days=1), 9)
        )
    assert Objection.objects.count() == 1


def test_an_objection_needs_a_reason(opened, luoxi):
    with pytest.raises(DomainError, match="异议理由"):
        final.file_objection(item=_item("gov-luoxi", "lead"), reason="  ", actor=luoxi, now=at(OPEN_DAY))
    assert not Objection.objects.exists()


def test_one_pending_objection_per_line_also_in_the_database(opened, luoxi):
    item = _item("gov-luoxi", "lead")
    final.file_objection(item=item, reason="一", actor=luoxi, now=at(OPEN_DAY))
    with pytest.raises(DomainError, match="待答复"):
        final.file_objection(item=item, reason="二", actor=luoxi, now=at(OPEN_DAY))
    with pytest.raises(IntegrityError), transaction.atomic():
        Objection.objects.create(item=item, reason="三", filed_by=luoxi, points_before=0)
    assert Objection.objects.count() == 1


@pytest.mark.parametrize("who", ["xuejia", "office", "leader", "chengjian", "auditor"])
def test_only_the_units_own_users_object(opened, who, request):
    with pytest.raises(PermissionDenied):
        final.file_objection(
            item=_item("gov-luoxi", "lead"), reason="x", actor=request.getfixturevalue(who), now=at(OPEN_DAY)
        )
    assert not Objection.objects.exists()


def test_no_objection_to_a_provisional_score(year_ready, luoxi):
    scoring.score_year(year=YEAR, now=at(datetime.date(2026, 12, 1)))
    with pytest.raises(DomainError, match="尚未开始终评"):
        final.file_objection(
            item=_item("gov-luoxi", "lead"), reason="x", actor=luoxi, now=at(datetime.date(2026, 12, 2))
        )


def test_an_upheld_objection_changes_the_line_total_and_grade(
    opened, luoxi, office, django_capture_on_commit_callbacks
):
    objection = final.file_objection(
        item=_item("construction", "lead"), reason="漏计", actor=_user("construction"), now=at(OPEN_DAY)
    )
    with django_capture_on_commit_callbacks(execute=True):
        final.answer_objection(
            objection=objection,
            uphold=True,
            answer="经核实补计",
            points_after=Decimal("20"),
            actor=office,
            now=at(OPEN_DAY),
        )
    item = _item("construction", "lead")
    assert item.points == Decimal("20.00") and item.adjusted and "经异议调整" in item.note
    score = item.score
    assert score.total == Decimal("90.00") and score.grade == "优秀" and score.grade_by_points == "优秀"
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD and objection.points_after == Decimal("20.00")
    assert Notification.objects.filter(
        recipient__unit__code="construction", subject__contains="采纳", topic="assessment-objection"
    ).exists()


def test_an_upheld_objection_keeps_a_vetos_lowest_grade(year_ready, office):
    condition = VetoCondition.objects.create(code="mass", name="群体性事件", groups=["town"])
    VetoProposal.objects.create(
        year=YEAR,
        unit=Unit.objects.get(code="gov-xuejia"),
        condition=condition,
        key="case:1",
        summary="x",
        status=VetoStatus.CONFIRMED,
    )
    final.finalise(year=YEAR, actor=office, now=at(OPEN_DAY))
    objection = final.file_objection(
        item=_item("gov-xuejia", "lead"), reason="x", actor=_user("gov-xuejia"), now=at(OPEN_DAY)
    )
    final.answer_objection(
        objection=objection,
        uphold=True,
        answer="补计",
        points_after=Decimal("20"),
        actor=office,
        now=at(OPEN_DAY),
    )
    score = Score.objects.get(year=YEAR, unit__code="gov-xuejia")
    assert score.total == Decimal("95.00") and score.grade_by_points == "优秀"
    assert score.vetoed and score.grade == "不合格"


def test_a_rejected_objection_changes_nothing(opened, luoxi, office):
    objection = final.file_objection(
        item=_item("gov-luoxi", "lead"), reason="x", actor=luoxi, now=at(OPEN_DAY)
    )
    before = list(Score.objects.values_list("pk", "total", "grade")) + list(
        ScoreItem.objects.values_list("pk", "points", "adjusted")
    )
    final.answer_objection(
        objection=objection, uphold=False, answer="依据充分", actor=office, now=at(OPEN_DAY)
    )
    after = list(Score.objects.values_list("pk", "total", "grade")) + list(
        ScoreItem.objects.values_list("pk", "points", "adjusted")
    )
    assert before == after
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.REJECTED and objection.answer == "依据充分"


def test_an_answer_is_required_and_points_within_the_lines_full_marks(opened, luoxi, office):
    objection = final.file_objection(
        item=_item("gov-luoxi", "lead"), reason="x", actor=luoxi, now=at(OPEN_DAY)
    )
    before = _snapshot()
    with pytest.raises(DomainError, match="答复意见"):
        final.answer_objection(objection=objection, uphold=False, answer="", actor=office, now=at(OPEN_DAY))
    with pytest.raises(DomainError, match=r"0 至 20\.00 分"):
        final.answer_objection(
            objection=objection,
            uphold=True,
            answer="x",
            points_after=Decimal("21"),
            actor=office,
            now=at(OPEN_DAY),
        )
    with pytest.raises(DomainError, match="调整后得分"):
        final.answer_objection(objection=objection, uphold=True, answer="x", actor=office, now=at(OPEN_DAY))
    with pytest.raises(PermissionDenied):
        final.answer_objection(objection=objection, uphold=False, answer="x", actor=luoxi, now=at(OPEN_DAY))
    assert _snapshot() == before


# --- lock -------------------------------------------------------------------------------------------


def test_lock_is_refused_during_the_period_and_with_an_objection_pending(opened, luoxi, office):
    until = _until()
    with pytest.raises(DomainError, match="异议期届满后方可锁定"):
        final.lock(year=YEAR, actor=office, now=at(until, 18))
    final.file_objection(item=_item("gov-luoxi", "lead"), reason="x", actor=luoxi, now=at(until))
    before = _snapshot()
    with pytest.raises(DomainError, match="1 项异议待答复"):
        final.lock(year=YEAR, actor=office, now=at(until + datetime.timedelta(days=1)))
    assert _snapshot() == before


def test_lock_ranks_each_group_ties_shared_and_vetoed_last(year_ready, office):
    condition = VetoCondition.objects.create(code="mass", name="群体性事件", groups=["town"])
    hand(office, "gov-sanjing", {"work": 80, "lead": 20})  # 100, but vetoed
    VetoProposal.objects.create(
        year=YEAR,
        unit=Unit.objects.get(code="gov-sanjing"),
        condition=condition,
        key="case:1",
        summary="x",
        status=VetoStatus.CONFIRMED,
    )
    final.finalise(year=YEAR, actor=office, now=at(OPEN_DAY))
    final.lock(year=YEAR, actor=office, now=at(_until() + datetime.timedelta(days=1)))
    ranks = dict(Score.objects.filter(year=YEAR).values_list("unit__code", "rank"))
    towns = Score.objects.filter(year=YEAR, unit__kind="town_government").count()
    assert ranks["gov-luoxi"] == ranks["gov-xuejia"] == 1
    assert ranks["gov-sanjing"] == towns  # vetoed: after every other town
    assert ranks["construction"] == 1
    assert set(Score.objects.filter(year=YEAR).values_list("status", flat=True)) == {ScoreStatus.LOCKED}
    assert AssessmentYear.objects.get(year=YEAR).status == YearStatus.LOCKED


def test_a_locked_year_refuses_everything_and_nothing_changes(opened, luoxi, office):
    objection = final.file_objection(
        item=_item("gov-luoxi", "lead"), reason="x", actor=luoxi, now=at(OPEN_DAY)
    )
    final.answer_objection(objection=objection, uphold=False, answer="维持", actor=office, now=at(OPEN_DAY))
    until = _until()
    later = at(until + datetime.timedelta(days=2))
    final.lock(year=YEAR, actor=office, now=later)
    before = _snapshot()
    with pytest.raises(DomainError, match="已锁定"):
        scoring.score_unit(year=YEAR, unit=Unit.objects.get(code="gov-luoxi"), now=later, final=True)
    with pytest.raises(DomainError, match="已锁定"):
        final.answer_objection(
            objection=objection, uphold=True, answer="x", points_after=Decimal("1"), actor=office, now=later
        )
    with pytest.raises(DomainError, match="已锁定"):
        final.file_objection(item=_item("gov-luoxi", "work"), reason="x", actor=luoxi, now=later)
    with pytest.raises(DomainError):
        final.lock(year=YEAR, actor=office, now=later)
    with pytest.raises(DomainError):
        final.finalise(year=YEAR, actor=office, now=later)
    assert _snapshot() == before


def test_ties_share_a_rank_and_the_next_rank_follows_on():
    unit = Unit(order=1)
    rows = [
        Score(unit=unit, total=Decimal(t), vetoed=v)
        for t, v in (("90", False), ("95", False), ("90", False), ("99", True), ("80", False))
    ]
    assert [(s.total, s.vetoed, r) for s, r in final.ranked(rows)] == [
        (Decimal("95"), False, 1),
        (Decimal("90"), False, 2),
        (Decimal("90"), False, 2),
        (Decimal("80"), False, 4),
        (Decimal("99"), True, 5),
    ]


# --- the sweep --------------------------------------------------------------------------------------


def test_the_office_is_reminded_once_the_day_after_the_period(
    opened, luoxi, office, django_capture_on_commit_callbacks
):
    until = _until()
    final.file_objection(item=_item("gov-luoxi", "lead"), reason="x", actor=luoxi, now=at(until))
    assert final.objection_period_over(now=at(until, 23)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert final.objection_period_over(now=at(until + datetime.timedelta(days=1), 1)) == 1
    assert final.objection_period_over(now=at(until + datetime.timedelta(days=2), 1)) == 0
    notice = Notification.objects.get(recipient=office, topic="assessment-final")
    assert "待答复异议 1 项" in notice.subject


def _user(unit_code: str) -> Any:
    from anxin.org.tests.factories import UserFactory

    role = "town" if unit_code.startswith("gov-") else "department"
    return UserFactory(username=f"t_{unit_code}", unit=unit_code, role=role, full_name=unit_code)


# --- after the review: a veto proposed during the objection period, findings once finalised ---------


def _falsification() -> VetoCondition:
    condition, _created = VetoCondition.objects.update_or_create(
        code="falsification", defaults={"name": "弄虚作假", "groups": ["town", "department"], "active": True}
    )
    return condition


def test_a_veto_proposed_during_the_objection_period_blocks_the_lock_until_decided(opened, office):
    from anxin.assessment.services import findings, vetoes

    finding = findings.record_finding(
        unit=Unit.objects.get(code="gov-luoxi"), year=YEAR, source="office", text="台账造假", deduction=0,
        actor=office, veto_condition=_falsification(),
    )  # fmt: skip
    proposal = VetoProposal.objects.get(finding=finding)
    assert proposal.status == VetoStatus.PROPOSED
    after = _until() + datetime.timedelta(days=1)
    assert any("一票否决建议待确认" in r for r in final.lock_refusals(year=YEAR, today=after))
    before = _snapshot()
    with pytest.raises(DomainError, match="1 项一票否决建议待确认") as refused:
        final.lock(year=YEAR, actor=office, now=at(after))
    assert "罗溪镇" in refused.value.message and "弄虚作假" in refused.value.message
    assert _snapshot() == before
    vetoes.veto_confirm(proposal=proposal, actor=office, reason="查证属实")
    score = Score.objects.get(year=YEAR, unit__code="gov-luoxi")
    assert score.vetoed and score.grade == "不合格" and score.total == Decimal("92.00")
    assert score.status == ScoreStatus.FINAL
    final.lock(year=YEAR, actor=office, now=at(after))
    score.refresh_from_db()
    towns = Score.objects.filter(year=YEAR, unit__kind="town_government").count()
    assert score.status == ScoreStatus.LOCKED and score.rank == towns and score.grade == "不合格"


FIXED = "考核已开始终评，扣分不再变动；如需调整，请通过异议答复"


def test_a_finding_with_points_is_refused_once_finalised_and_one_without_is_taken(opened, office, luoxi):
    from anxin.assessment.models import Finding
    from anxin.assessment.services import findings

    unit = Unit.objects.get(code="gov-luoxi")
    notes = Notification.objects.count()
    with pytest.raises(DomainError, match=FIXED) as refused:
        findings.record_finding(unit=unit, year=YEAR, source="office", text="迟报", deduction=2, actor=office)
    assert refused.value.field == "deduction"
    assert not Finding.objects.exists() and Notification.objects.count() == notes
    veto_only = findings.record_finding(
        unit=unit, year=YEAR, source="office", text="台账造假", deduction=0, actor=office,
        veto_condition=_falsification(),
    )  # fmt: skip
    assert veto_only.deduction == 0 and VetoProposal.objects.filter(finding=veto_only).exists()


def test_withdrawing_a_finding_with_points_is_refused_once_finalised(year_ready, office):
    from anxin.assessment.models import Finding, FindingStatus
    from anxin.assessment.services import findings

    finding = findings.record_finding(
        unit=Unit.objects.get(code="gov-luoxi"), year=YEAR, source="office", text="迟报", deduction=2,
        actor=office,
    )  # fmt: skip
    final.finalise(year=YEAR, actor=office, now=at(OPEN_DAY))
    before = _snapshot()
    with pytest.raises(DomainError, match=FIXED):
        findings.finding_withdraw(finding=finding, actor=office, reason="复核不属实")
    assert Finding.objects.get(pk=finding.pk).status == FindingStatus.ACTIVE
    assert _snapshot() == before


def test_an_answer_locks_the_score_row_before_rescoring(opened, luoxi, office, monkeypatch):
    """The answer takes the score row with ``select_for_update`` inside its transaction before the
    rescore, so two answers (or an answer and the lock) follow one another."""
    objection = final.file_objection(
        item=_item("gov-luoxi", "lead"), reason="漏计", actor=luoxi, now=at(OPEN_DAY)
    )
    from django.db.models.query import QuerySet

    seen: list[bool] = []
    real = QuerySet.select_for_update

    def spy(self: QuerySet, *args: Any, **kwargs: Any) -> Any:
        if self.model is Score:
            seen.append(transaction.get_connection().in_atomic_block)
        return real(self, *args, **kwargs)

    rescored: list[int] = []
    real_rescore = final.rescore

    def rescore(score: Score) -> Score:
        rescored.append(len(seen))
        return real_rescore(score)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    monkeypatch.setattr(final, "rescore", rescore)
    final.answer_objection(
        objection=objection, uphold=True, answer="核实漏计", points_after=Decimal("20"), actor=office,
        now=at(OPEN_DAY),
    )  # fmt: skip
    assert seen == [True] and rescored == [1]
    assert Score.objects.get(year=YEAR, unit__code="gov-luoxi").total == Decimal("94.00")


def test_the_report_prints_local_days_for_an_early_morning_finalisation_and_lock(year_ready, office):
    """07:30 in Shanghai is 23:30 UTC the day before: the report prints the local day."""
    import io

    from docx import Document

    from anxin.assessment import final_documents

    early = datetime.datetime(2027, 1, 5, 7, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    final.finalise(year=YEAR, actor=office, now=early)
    lock_day = _until() + datetime.timedelta(days=1)
    locked = datetime.datetime.combine(lock_day, datetime.time(7, 30), tzinfo=early.tzinfo)
    final.lock(year=YEAR, actor=office, now=locked)
    document = Document(io.BytesIO(final_documents.report(YEAR)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2027年1月5日开始终评" in text and "2027年1月4日开始终评" not in text
    assert f"{lock_day.year}年{lock_day.month}月{lock_day.day}日锁定考核结果" in text
    assert "新北区预防和解决企业欠薪问题专项工作实施意见" in text
    assert "关于进一步做好根治欠薪工作的实施意见" not in text
