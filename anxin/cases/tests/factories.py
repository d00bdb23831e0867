"""Factories for cases: a case opened through ``case_open`` (by the system unless ``actor``), and the
legal actions that lead up to a referral to the police."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.utils import timezone

from anxin.cases import actions, services
from anxin.cases.models import Case, LegalAction
from anxin.core.audit import system_actor
from anxin.registry.tests.factories import EnterpriseFactory


class CaseFactory(factory.Factory):
    """A case about arrears at an enterprise (by default a new one in 罗溪): 12 workers, ¥120,000."""

    class Meta:
        model = Case

    enterprise = factory.SubFactory(EnterpriseFactory)
    summary = "拖欠 12 名工人 3 个月工资"
    workers = 12
    amount_claimed = 12_000_000  # ¥120,000.00
    actor = None

    @classmethod
    def _create(cls, model_class: type[Case], *, actor=None, **fields: Any) -> Case:
        return services.case_open(actor=actor or system_actor(), **fields)


def open_case(enterprise, *, actor=None, summary="拖欠 12 名工人 3 个月工资", **kw):
    return CaseFactory(enterprise=enterprise, actor=actor, summary=summary, **kw)


def lapsed_order(case, renshe, *, amount=12_000_000):
    """An order to pay by 人社局 whose date has passed unpaid (lapsed by ``orders_lapse``)."""
    order = actions.action_request(
        actor=renshe, case=case, kind="order", amount=amount, workers=case.workers,
        pay_by=timezone.localdate() + datetime.timedelta(days=10), reference="新人社监〔2026〕1号",
    )  # fmt: skip
    LegalAction.objects.filter(pk=order.pk).update(pay_by=timezone.localdate() - datetime.timedelta(days=1))
    assert actions.orders_lapse() == 1
    order.refresh_from_db()
    return order


def referral(case, renshe):
    """A lapsed order, then a referral to the police at Jiangsu's threshold (12 workers, ¥120,000,
    one worker owed 3 months and ¥10,000)."""
    order = lapsed_order(case, renshe)
    made = actions.action_request(
        actor=renshe, case=case, kind="referral", workers=12, amount=12_000_000, single_months=3,
        single_amount=1_000_000,
    )  # fmt: skip
    return order, made
