"""Screening campaigns (§四(一)): scope by kinds and towns, one task per enterprise for its town and
its department by duty; answers feed indicators and, for each risk, a signal of its kind on the
排查摸底 channel that the rules read; progress by town."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.intake.models import Signal
from anxin.monitoring import scan, screening
from anxin.monitoring.models import Observation, RiskAssessment, ScreeningTask
from anxin.notify.models import Notification
from anxin.org.models import Town
from anxin.registry.models import EnterpriseKind

TODAY = timezone.localdate()


@pytest.fixture
def campaign(world, office):
    return screening.campaign_launch(
        actor=office,
        name="第四季度排查",
        start=TODAY,
        end=TODAY + datetime.timedelta(days=30),
        kinds=list(EnterpriseKind.objects.filter(code__in=["industrial", "construction"])),
        towns=list(Town.objects.filter(code__in=["luoxi", "xuejia"])),
    )


def test_the_scope_is_kinds_and_towns(campaign, world):
    enterprises = set(campaign.tasks.values_list("enterprise__name", flat=True))
    assert enterprises == {"罗溪纺织有限公司", "罗溪建设工程有限公司", "薛家机械有限公司"}


def test_only_the_office_launches(world, luoxi):
    with pytest.raises(PermissionDenied):
        screening.campaign_launch(actor=luoxi, name="x", start=TODAY, end=TODAY, kinds=[], towns=[])


def test_the_form_depends_on_the_kind(campaign, world):
    industrial = {q[0] for q in screening.questions_for({"industrial"})}
    construction = {q[0] for q in screening.questions_for({"construction"})}
    assert "private_lending" in industrial and "payment_settled" not in industrial
    assert "payment_settled" in construction and "private_lending" not in construction


def _answers(**changes):
    base = {
        "wages_on_time": True,
        "wage_months_owed": 0,
        "si_paid": True,
        "si_months_owed": 0,
        "headcount": 80,
        "operations_normal": True,
        "assets_normal": True,
        "loans_overdue": False,
        "private_lending": False,
        "duty_informed": True,
        "notes": "",
    }
    base.update(changes)
    return base


def test_a_normal_answer_feeds_the_headcount(campaign, world, luoxi):
    task = campaign.tasks.get(enterprise=world.luoxi_factory)
    task = screening.task_answer(actor=luoxi, task=task, answers=_answers())
    assert task.result == ScreeningTask.Result.NORMAL
    assert (
        Observation.objects.get(enterprise=world.luoxi_factory, indicator__code="insured_headcount").value
        == 80
    )
    assert not Signal.objects.filter(channel__code="screening").exists()


def test_a_risk_found_becomes_a_signal_and_arrears_an_observation(campaign, world, luoxi):
    task = campaign.tasks.get(enterprise=world.luoxi_factory)
    task = screening.task_answer(
        actor=luoxi,
        task=task,
        answers=_answers(wages_on_time=False, wage_months_owed=2, private_lending=True, notes="订单骤减"),
    )
    assert task.result == ScreeningTask.Result.RISK
    lending = Signal.objects.get(pk=task.signal_id)  # the task links the first kind the rules read
    assert (lending.channel.code, lending.kind) == ("screening", "private_lending")
    wages = Signal.objects.get(channel__code="screening", kind="other")
    assert "订单骤减" in wages.summary and "拖欠工资 2 个月" in wages.summary and wages.months_owed == 2
    assert (
        Observation.objects.get(enterprise=world.luoxi_factory, indicator__code="wage_arrears_months").value
        == 2
    )
    again = screening.task_answer(
        actor=luoxi,
        task=task,
        answers=_answers(wages_on_time=False, wage_months_owed=3, private_lending=True),
    )
    assert Signal.objects.filter(channel__code="screening").count() == 2 and again.signal_id == lending.pk
    assert Signal.objects.get(pk=wages.pk).months_owed == 3  # a corrected answer updates its signal


def test_the_industrial_form_asks_about_assets_loans_operations_and_lending(world):
    industrial = {q[0] for q in screening.questions_for({"industrial"})}
    assert {"assets_normal", "loans_overdue", "operations_normal", "private_lending"} <= industrial
    assert "assets_normal" not in {q[0] for q in screening.questions_for({"catering"})}


def test_each_risky_answer_is_a_signal_of_the_kind_the_rules_read(campaign, world, luoxi):
    factory = campaign.tasks.get(enterprise=world.luoxi_factory)
    screening.task_answer(
        actor=luoxi,
        task=factory,
        answers=_answers(
            operations_normal=False, assets_normal=False, loans_overdue=True, private_lending=True
        ),
    )
    builder = campaign.tasks.get(enterprise=world.luoxi_builder)
    screening.task_answer(
        actor=luoxi,
        task=builder,
        answers={**_answers(), "payment_settled": False, "subcontracting_ok": False},
    )
    found = dict(
        Signal.objects.filter(channel__code="screening").values_list("kind", "enterprise_id").order_by("kind")
    )
    kinds = sorted(Signal.objects.filter(channel__code="screening").values_list("kind", flat=True))
    assert kinds == ["loan_overdue", "other", "private_lending", "project_settlement", "suspension"]
    assert found["project_settlement"] == world.luoxi_builder.pk
    settlement = Signal.objects.get(kind="project_settlement")
    assert (
        "工程款按进度结算：否" in settlement.summary and "劳务分包规范、实名制落实：否" in settlement.summary
    )
    assets = Signal.objects.get(channel__code="screening", kind="other")
    assert "资产资金状况正常" in assets.summary and assets.enterprise_id == world.luoxi_factory.pk


def test_a_screening_answer_changes_the_enterprise_assessment(
    campaign, world, luoxi, django_capture_on_commit_callbacks
):

    scan.scan(enterprise_ids=[world.luoxi_factory.pk])
    assert RiskAssessment.objects.get(enterprise=world.luoxi_factory).level == "none"
    task = campaign.tasks.get(enterprise=world.luoxi_factory)
    with django_capture_on_commit_callbacks(execute=True):  # the after-commit re-assessment
        screening.task_answer(
            actor=luoxi, task=task, answers=_answers(operations_normal=False, loans_overdue=True)
        )
    assessment = RiskAssessment.objects.get(enterprise=world.luoxi_factory)
    finding = next(f for f in assessment.findings if f["rule"] == "SCREENING_RISK")
    assert "银行贷款逾期（15分）" in finding["text"] and "停产停业（15分）" in finding["text"]
    assert finding["points"] == 15 + 15 + 5  # and the labour-intensive weight
    screened = set(Signal.objects.filter(channel__code="screening").values_list("pk", flat=True))
    assert set(finding["evidence"]["signals"]) == screened
    assert assessment.level == "yellow"


def test_an_answer_corrected_to_normal_withdraws_the_risk_it_raised(
    campaign, world, luoxi, django_capture_on_commit_callbacks
):
    task = campaign.tasks.get(enterprise=world.luoxi_factory)
    with django_capture_on_commit_callbacks(execute=True):
        screening.task_answer(
            actor=luoxi, task=task, answers=_answers(operations_normal=False, loans_overdue=True)
        )
    assessment = RiskAssessment.objects.get(enterprise=world.luoxi_factory)
    assert next(f for f in assessment.findings if f["rule"] == "SCREENING_RISK")["points"] == 35
    with django_capture_on_commit_callbacks(execute=True):  # the town corrects: loans are in order
        screening.task_answer(actor=luoxi, task=task, answers=_answers(operations_normal=False))
    withdrawn = Signal.objects.get(channel__code="screening", kind="loan_overdue")
    assert withdrawn.verification == "unfounded" and "复查已纠正" in withdrawn.verification_note
    kept = Signal.objects.get(channel__code="screening", kind="suspension")
    assert kept.verification != "unfounded"
    finding = next(
        f
        for f in RiskAssessment.objects.get(enterprise=world.luoxi_factory).findings
        if f["rule"] == "SCREENING_RISK"
    )
    assert finding["points"] == 15 + 5 and "银行贷款逾期" not in finding["text"]


def test_tasks_go_to_the_department_by_duty_and_it_is_notified(
    world, office, chengjian, renshe, luoxi, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # notices go out after commit
        campaign = screening.campaign_launch(
            actor=office,
            name="第四季度排查",
            start=TODAY,
            end=TODAY + datetime.timedelta(days=30),
            kinds=list(EnterpriseKind.objects.filter(code__in=["industrial", "construction"])),
            towns=list(Town.objects.filter(code__in=["luoxi", "xuejia"])),
        )
    units = dict(campaign.tasks.values_list("enterprise__name", "unit__code"))
    assert units == {
        "罗溪纺织有限公司": "hrss",  # no line department by duty: labour inspection (§三(七))
        "罗溪建设工程有限公司": "construction",  # 城建局's line: construction (§三)
        "薛家机械有限公司": "hrss",
    }
    notices = Notification.objects.filter(topic="screening")
    assert notices.filter(recipient=chengjian, subject__contains="主管的 1 家企业").exists()
    assert notices.filter(recipient=renshe, subject__contains="主管的 2 家企业").exists()
    assert notices.filter(recipient=luoxi, subject__contains="本辖区 2 家企业").exists()
    builder = campaign.tasks.get(enterprise=world.luoxi_builder)
    assert set(ScreeningTask.objects.for_user(chengjian).filter(campaign=campaign)) == {builder}
    assert screening.may_answer(chengjian, builder)
    assert not screening.may_answer(chengjian, campaign.tasks.get(enterprise=world.luoxi_factory))


def test_answers_are_checked(campaign, world, luoxi):
    task = campaign.tasks.get(enterprise=world.luoxi_factory)
    with pytest.raises(DomainError, match="工资按时足额发放"):
        screening.task_answer(actor=luoxi, task=task, answers=_answers(wages_on_time=None))
    with pytest.raises(DomainError, match="拖欠月数应为 0"):
        screening.task_answer(actor=luoxi, task=task, answers=_answers(wage_months_owed=2))
    assert ScreeningTask.objects.get(pk=task.pk).result == ScreeningTask.Result.PENDING


def test_another_town_cannot_answer_or_see(campaign, world, xuejia):
    task = campaign.tasks.get(enterprise=world.luoxi_factory)
    with pytest.raises(PermissionDenied):
        screening.task_answer(actor=xuejia, task=task, answers=_answers())
    assert not ScreeningTask.objects.for_user(xuejia).filter(pk=task.pk).exists()


def test_progress_by_town_and_pages(campaign, world, luoxi, login):
    screening.task_answer(
        actor=luoxi, task=campaign.tasks.get(enterprise=world.luoxi_factory), answers=_answers()
    )
    rows = {r["town__name"]: r for r in screening.progress(user=luoxi, campaign=campaign)}
    assert rows == {"罗溪镇": {**rows["罗溪镇"], "total": 2, "done": 1, "risk": 0, "percent": 50}}
    client = login(luoxi)
    assert client.get(f"/screening/{campaign.pk}/").status_code == 200
    assert client.get(f"/screening/{campaign.pk}/", {"export": "xlsx"}).status_code == 200
    task = campaign.tasks.get(enterprise=world.luoxi_builder)
    response = client.post(
        f"/screening/tasks/{task.pk}/",
        {
            "wages_on_time": "yes",
            "wage_months_owed": "0",
            "si_paid": "no",
            "si_months_owed": "2",
            "headcount": "40",
            "payment_settled": "no",
            "subcontracting_ok": "yes",
            "duty_informed": "yes",
        },
    )
    assert response.status_code == 302
    assert ScreeningTask.objects.get(pk=task.pk).result == ScreeningTask.Result.RISK
    detail = client.get(f"/screening/{campaign.pk}/").content.decode()
    assert "条线部门" in detail and "城建局" in detail
