"""Sensitive periods (敏感时期, §三(一)) and the units' daily reports during them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.org.models import Unit


class SensitivePeriod(models.Model):
    """A sensitive period declared by the office (敏感时期, §三(一): before the Spring Festival, …):
    every town and member department files a daily report, and follow-ups tighten."""

    name = models.CharField(_("名称"), max_length=60)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    note = models.TextField(_("工作要求"), blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    class Meta:
        verbose_name = _("敏感时期")
        verbose_name_plural = _("敏感时期")
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="sensitive_period_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_active(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.start <= on <= self.end


class DailyReport(models.Model):
    """One unit's report for one day of a sensitive period (零报告 when there is nothing to report)."""

    period = models.ForeignKey(SensitivePeriod, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    is_zero = models.BooleanField(_("零报告"), default=False)
    content = models.TextField(_("情况"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("敏感时期日报")
        verbose_name_plural = _("敏感时期日报")
        ordering = ["-day", "unit__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "day"],
                name="daily_report_once",
                violation_error_message=_("本单位当日已报送"),
            ),
            models.CheckConstraint(
                condition=Q(is_zero=True) | ~Q(content=""),
                name="daily_report_content_or_zero",
                violation_error_message=_("请填写情况，或选择零报告"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.day:%Y-%m-%d}"


class MissingDailyReport(models.Model):
    """A day a unit did not report during a sensitive period (flagged once by tick)."""

    period = models.ForeignKey(SensitivePeriod, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    flagged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("敏感时期日报缺报")
        verbose_name_plural = _("敏感时期日报缺报")
        constraints = [
            models.UniqueConstraint(fields=["period", "unit", "day"], name="missing_daily_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.day:%Y-%m-%d}"
