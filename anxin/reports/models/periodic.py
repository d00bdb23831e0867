"""Periodic reports (§五(二) 定期报告制度): what each kind of unit reports and how often, as data
(``ReportTemplate``, from the district file); each unit's report for a period, prefilled from
Anxin's own records for the unit's scope (its territory, its line) and completed with the unit's
narrative and the figures Anxin cannot know; submitted reports are locked, a correction is a new
version with a reason; a report missing on its due day is flagged (``MissingReport``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.models import Event, TimeStampedModel
from anxin.org.models import Unit


class ReportTemplate(TimeStampedModel):
    """What a kind of unit reports (district file ``report_templates``): the unit kinds it applies to,
    how often (months; empty: parameter ``report.frequency_months``) and the due day of the month
    after the period (empty: parameter ``report.due_day``), the figures prefilled from Anxin's data
    (codes of ``reports.figures``), the narrative parts the unit writes and the extra figures only the
    unit knows (each ``{code, label, unit}``)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    unit_kinds = models.JSONField(_("适用单位类型"), default=list)
    frequency_months = models.PositiveSmallIntegerField(_("报送周期（月）"), null=True, blank=True)
    due_day = models.PositiveSmallIntegerField(_("报送截止日（次月）"), null=True, blank=True)
    figures: Any = models.JSONField(_("自动汇总指标"), default=list, blank=True)
    narrative: Any = models.JSONField(_("文字部分"), default=list, blank=True)
    extras: Any = models.JSONField(_("补充填报指标"), default=list, blank=True)
    citation = models.CharField(_("依据"), max_length=100, default="§五(二)")
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("定期报告模板")
        verbose_name_plural = _("定期报告模板")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    SUPERSEDED = "superseded", _("已更正（旧版本）")


class PeriodicReportQuerySet(ScopedQuerySet):
    """The office and the leaders see every unit's reports; a unit sees its own."""

    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return Q(unit_id=scope.unit_id)

    def current(self) -> PeriodicReportQuerySet:
        """The version in force of each unit's report: submitted and not corrected since."""
        return self.filter(status=ReportStatus.SUBMITTED)


class PeriodicReport(TimeStampedModel):
    """One unit's report for one period (``period`` is the period's first month, ``YYYY-MM``), in one
    version. ``figures`` are the prefilled figures as computed (each code → label, value, unit, the
    ledger link and the basis: scope, dates), ``narrative`` the unit's 风险研判/主要做法/存在问题/下步打算,
    ``extras`` the figures only the unit knows. Submitted, it is locked; a correction is version n+1
    with ``correction_reason``, and the earlier version becomes superseded when it is submitted."""

    unit = models.ForeignKey(Unit, verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(
        ReportTemplate, verbose_name=_("报告模板"), on_delete=models.PROTECT, related_name="reports"
    )
    period = models.CharField(_("报告期"), max_length=7, db_index=True)
    period_start = models.DateField(_("起始日"))
    period_end = models.DateField(_("截止日"))
    due_on = models.DateField(_("报送截止日"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    figures: Any = models.JSONField(_("自动汇总数据"), default=dict, blank=True)
    prefilled_at = models.DateTimeField(_("数据汇总时间"), null=True, blank=True)
    basis = models.CharField(_("报告期依据"), max_length=200, blank=True)
    narrative: Any = models.JSONField(_("文字部分"), default=dict, blank=True)
    extras: Any = models.JSONField(_("补充数据"), default=dict, blank=True)
    correction_of = models.ForeignKey(
        "self",
        verbose_name=_("更正的版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    correction_reason = models.TextField(_("更正理由"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    objects = PeriodicReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("定期报告")
        verbose_name_plural = _("定期报告")
        ordering = ["-period", "unit__order", "-version"]
        permissions = [
            ("submit_report", _("可填报、报送本单位定期报告")),
            ("export_reports", _("可导出报告台账")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period", "version"],
                name="reports_report_version",
                violation_error_message=_("该单位该期报告的此版本已存在"),
            ),
            models.UniqueConstraint(
                fields=["unit", "period"],
                condition=Q(status="draft"),
                name="reports_one_draft",
                violation_error_message=_("该单位该期已有未报送的草稿"),
            ),
            models.UniqueConstraint(
                fields=["unit", "period"],
                condition=Q(status="submitted"),
                name="reports_one_current",
                violation_error_message=_("该单位该期已有报送的报告"),
            ),
            models.CheckConstraint(
                condition=Q(version=1) | ~Q(correction_reason=""),
                name="reports_correction_has_reason",
                violation_error_message=_("更正须填写理由"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period} 第{self.version}版"

    @property
    def locked(self) -> bool:
        return self.status != ReportStatus.DRAFT

    @property
    def late(self) -> bool:
        """Late by the first submitted version of the period: a correction of an on-time report
        stays on time."""
        first = self.first_submitted_at or self.submitted_at
        return first is not None and timezone.localtime(first).date() > self.due_on

    @property
    def period_label(self) -> str:
        """The period's label from the stored days (never recomputed from today's parameters)."""
        start, end = self.period_start, self.period_end
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.year}年{start.month}月"
        if start.year == end.year:
            return f"{start.year}年{start.month}月至{end.month}月"
        return f"{start.year}年{start.month}月至{end.year}年{end.month}月"

    @property
    def period_basis(self) -> str:
        """The rule the period was computed with, as stored at prefill; for older rows, the stored days."""
        return self.basis or (
            f"依据 §五(二)，报告期 {self.period_start:%Y-%m-%d} 至 {self.period_end:%Y-%m-%d}，"
            f"报送截止日 {self.due_on:%Y-%m-%d}"
        )


class ReportEvent(Event):
    """A line of a report's history: drafted (prefilled), figures refreshed, submitted, corrected."""

    report = models.ForeignKey(
        PeriodicReport, verbose_name=_("定期报告"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("报告办理记录")
        verbose_name_plural = _("报告办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} {self.action}"


class MissingReportQuerySet(ScopedQuerySet):
    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return Q(unit_id=scope.unit_id)


class MissingReport(models.Model):
    """A report not submitted by its due day, flagged once (by ``tick``) to the unit and the office;
    ``submitted_at`` is set when the report comes in late."""

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(
        ReportTemplate, verbose_name=_("报告模板"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("报告期"), max_length=7)
    due_on = models.DateField(_("报送截止日"))
    flagged_at = models.DateTimeField(_("提示时间"), default=timezone.now)
    submitted_at = models.DateTimeField(_("补报时间"), null=True, blank=True)

    objects = MissingReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("逾期未报")
        verbose_name_plural = _("逾期未报")
        ordering = ["-due_on", "unit__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period"],
                name="reports_missing_once",
                violation_error_message=_("该单位该期已提示逾期未报"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period} 逾期未报"
