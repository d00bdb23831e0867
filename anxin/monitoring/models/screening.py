"""Screening campaigns (排查摸底, §四(一)) and their tasks, one per enterprise in scope."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.monitoring.models.risk import RoutedQuerySet
from anxin.org.models import Town, Unit
from anxin.registry.models import Enterprise


class ScreeningCampaign(models.Model):
    """A screening campaign (排查摸底, §四(一)): the office sets the period and the scope (kinds,
    towns); every enterprise in scope becomes a task for its town and its line department
    (条块结合、属地为主)."""

    name = models.CharField(_("名称"), max_length=80)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("截止日期"))
    kinds = models.ManyToManyField(
        "registry.EnterpriseKind", verbose_name=_("企业类型"), blank=True, related_name="+"
    )
    towns = models.ManyToManyField(Town, verbose_name=_("镇/街道"), blank=True, related_name="+")
    note = models.TextField(_("工作要求"), blank=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    launched_at = models.DateTimeField(_("发起时间"), default=timezone.now)

    class Meta:
        verbose_name = _("排查行动")
        verbose_name_plural = _("排查行动")
        ordering = ["-start", "-pk"]
        permissions = [("launch_screeningcampaign", _("可发起排查行动"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="screening_end_after_start",
                violation_error_message=_("截止日期不能早于开始日期"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ScreeningTaskQuerySet(RoutedQuerySet):
    """A town sees its territory's tasks, a department those routed to it or in its line."""


class ScreeningTask(models.Model):
    """One enterprise to screen in a campaign, answered on the form for its kind: the task of its
    town (属地) and of the department responsible for it by duty (条线)."""

    class Result(models.TextChoices):
        PENDING = "pending", _("待排查")
        NORMAL = "normal", _("未发现风险")
        RISK = "risk", _("发现风险")

    campaign = models.ForeignKey(ScreeningCampaign, on_delete=models.PROTECT, related_name="tasks")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    town = models.ForeignKey(Town, verbose_name=_("属地"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("条线部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("按职责分派的主管部门（§四(一) 条块结合）"),
    )
    result = models.CharField(_("结果"), max_length=8, choices=Result.choices, default=Result.PENDING)
    answers = models.JSONField(_("排查情况"), default=dict)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("排查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("排查时间"), null=True, blank=True)
    signal_id = models.PositiveIntegerField(_("生成的线索"), null=True, blank=True)

    objects = ScreeningTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("排查任务")
        verbose_name_plural = _("排查任务")
        ordering = ["town__order", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "enterprise"],
                name="screening_task_once",
                violation_error_message=_("该企业已在本次排查中"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.enterprise}"
