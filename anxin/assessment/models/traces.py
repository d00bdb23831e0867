"""Responsibility traced back (责任倒查, §五(三)), findings against a unit, and referral to 纪检监察.

A ``Trace`` is the saved timeline of everything Anxin knew about an enterprise before an incident
(a case with a mass incident, sudden closure or referral): each step with its unit, its deadline,
when it was done and whether the deadline was met. A ``Finding`` is a problem the office records
against a unit — from a trace, a spot check or its own knowledge — which feeds a deduction (the
``findings`` measure) or a veto proposal. A ``Referral`` hands a finding to 纪检监察 (a body that need
not be a user of Anxin) as a numbered transfer with its evidence pack; receipt and outcome are
recorded; the unit concerned learns only what the office chooses to send."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.models import Event, TimeStampedModel
from anxin.org.models import Unit


class TraceReason(models.TextChoices):
    MASS_INCIDENT = "mass_incident", _("发生群体性事件")
    SUDDEN_CLOSURE = "sudden_closure", _("企业突然关停、负责人失联")
    REFERRAL = "referral", _("移送公安、法院等处理")


class TraceQuerySet(ScopedQuerySet):
    """The office and the leaders see every trace; a unit sees the traces that name it."""

    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return Q(units__id=scope.unit_id)


class Trace(TimeStampedModel):
    """A saved responsibility trace of one case. ``steps``: the timeline, each ``{"at", "kind",
    "label", "unit", "unit_name", "due", "done", "met", "url", "record"}`` (``met``: true, false, or
    null where no deadline applied); ``units``: the units named in it; ``missed``: per unit code, the
    steps it missed."""

    number = models.CharField(_("编号"), max_length=24, unique=True)
    case = models.ForeignKey("cases.Case", verbose_name=_("案件"), on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("倒查事由"), max_length=20, choices=TraceReason.choices)
    incident_on = models.DateField(_("事发日期"))
    since = models.DateField(_("追溯起始日"))
    steps: Any = models.JSONField(_("时间线"), default=list)
    missed: Any = models.JSONField(_("各单位未按时事项"), default=dict, blank=True)
    units = models.ManyToManyField(Unit, verbose_name=_("涉及单位"), blank=True, related_name="+")
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("倒查人"), on_delete=models.PROTECT, related_name="+"
    )
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    objects = TraceQuerySet.as_manager()

    class Meta:
        verbose_name = _("责任倒查")
        verbose_name_plural = _("责任倒查")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} 责任倒查"


class FindingSource(models.TextChoices):
    TRACE = "trace", _("责任倒查")
    SPOT_CHECK = "spot_check", _("不定期抽查")
    OFFICE = "office", _("联席办认定")


class FindingStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    WITHDRAWN = "withdrawn", _("已撤销")


class FindingQuerySet(ScopedQuerySet):
    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return Q(unit_id=scope.unit_id)


class Finding(TimeStampedModel):
    """A problem the office records against a unit in a year: from a trace, a spot check or its own
    knowledge; ``deduction`` (≥ 0) counts under the ``findings`` measure of a deduction item;
    ``veto_condition`` when the office proposes a veto from it."""

    number = models.CharField(_("编号"), max_length=24, unique=True)
    year = models.PositiveSmallIntegerField(_("考核年度"))
    unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=12, choices=FindingSource.choices)
    trace = models.ForeignKey(
        Trace,
        verbose_name=_("责任倒查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    spot_item = models.ForeignKey(
        "assessment.SpotCheckItem",
        verbose_name=_("抽查事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    text = models.TextField(_("问题"))
    deduction = models.DecimalField(_("建议扣分"), max_digits=6, decimal_places=2, default=0)
    veto_condition = models.ForeignKey(
        "assessment.VetoCondition",
        verbose_name=_("建议一票否决情形"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.ACTIVE
    )
    withdrawn_reason = models.TextField(_("撤销理由"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("认定人"), on_delete=models.PROTECT, related_name="+"
    )
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("认定问题")
        verbose_name_plural = _("认定问题")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deduction__gte=0),
                name="assessment_finding_deduction_positive",
                violation_error_message=_("扣分不能为负数"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.unit}"


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("已移交")
    RECEIVED = "received", _("已签收")
    CONCLUDED = "concluded", _("已反馈处理结果")


class Referral(TimeStampedModel):
    """A finding handed to 纪检监察 (问责线索移交): numbered, with the letter and the evidence pack (the
    trace's Word, documents); receipt and outcome as the receiving body reports them (it need not be
    a user); ``unit_message`` is what the office chose to tell the unit concerned (empty: nothing)."""

    number = models.CharField(_("移交编号"), max_length=24, unique=True)
    finding = models.ForeignKey(
        Finding, verbose_name=_("认定问题"), on_delete=models.PROTECT, related_name="referrals"
    )
    to_body = models.CharField(_("接收机关"), max_length=60)
    letter = models.TextField(_("移交函内容"))
    files = models.ManyToManyField(
        "assessment.AssessmentFile", verbose_name=_("证据材料"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    sent_on = models.DateField(_("移交日期"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("移交人"), on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(_("签收日期"), null=True, blank=True)
    received_by_name = models.CharField(_("签收人"), max_length=40, blank=True)
    outcome = models.TextField(_("处理结果"), blank=True)
    outcome_on = models.DateField(_("反馈日期"), null=True, blank=True)
    unit_message = models.TextField(_("告知被移交单位的内容"), blank=True)
    unit_told_at = models.DateTimeField(_("告知时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("问责线索移交")
        verbose_name_plural = _("问责线索移交")
        ordering = ["-sent_on", "-pk"]
        permissions = [("refer_findings", _("可向纪检监察机关移交问责线索（联席办）"))]

    def __str__(self) -> str:
        return f"{self.number} → {self.to_body}"


class ReferralEvent(Event):
    """A line of a referral's history: sent, received, outcome recorded, unit told."""

    referral = models.ForeignKey(
        Referral, verbose_name=_("移交"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("移交记录")
        verbose_name_plural = _("移交记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral} {self.action}"
