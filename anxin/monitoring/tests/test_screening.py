"""Screening campaigns (§四(一)): scope by kinds and towns, one task per enterprise for its town,
answers feed indicators and, on a risk, a signal on the 排查摸底 channel; progress by town."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anxin.core.errors import DomainError
from anxin.intake.models import Signal
from anxin.monitoring import screening
from anxin.monitoring.models import Observation, ScreeningTask
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
        "loans_overdue": False,
        "private_lending": False,
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
    signal = Signal.objects.get(pk=task.signal_id)
    assert signal.channel.code == "screening" and "订单骤减" in signal.summary and signal.months_owed == 2
    assert (
        Observation.objects.get(enterprise=world.luoxi_factory, indicator__code="wage_arrears_months").value
        == 2
    )
    again = screening.task_answer(
        actor=luoxi, task=task, answers=_answers(wages_on_time=False, wage_months_owed=3)
    )
    assert Signal.objects.filter(channel__code="screening").count() == 1 and again.signal_id == signal.pk


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
        },
    )
    assert response.status_code == 302
    assert ScreeningTask.objects.get(pk=task.pk).result == ScreeningTask.Result.RISK
