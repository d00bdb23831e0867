"""The assessment scheme of a year (§五(三) 细化考核标准): one per group of units (towns, departments),
its indicators with their points, the caps on deductions and bonuses, and the grade bands. A scheme
in use is never edited in place: a change is a new version (draft), which replaces the one in use
when activated; once the office opens the year's finalisation no scheme of that year changes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anxin.core.models import Event, TimeStampedModel


class UnitGroup(models.TextChoices):
    """The two kinds of unit assessed, each with its own scheme."""

    TOWN = "town", _("镇（街道）")
    DEPARTMENT = "department", _("区有关部门")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("使用中")
    SUPERSEDED = "superseded", _("已被新版本替代")


class Scheme(TimeStampedModel):
    """One version of a year's scheme for one group. ``grade_bands``: the bands from the top, each
    ``{"grade": "优秀", "min": 90}`` (the lowest band's ``min`` is 0); a confirmed veto gives the
    lowest band whatever the points."""

    year = models.PositiveSmallIntegerField(_("考核年度"))
    group = models.CharField(_("考核对象"), max_length=12, choices=UnitGroup.choices)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    title = models.CharField(_("名称"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=12, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    deduction_cap = models.DecimalField(_("扣分上限（分）"), max_digits=6, decimal_places=2, default=0)
    bonus_cap = models.DecimalField(_("加分上限（分）"), max_digits=6, decimal_places=2, default=0)
    grade_bands: Any = models.JSONField(_("等次划分"), default=list)
    note = models.TextField(_("说明"), blank=True)
    based_on = models.ForeignKey(
        "self", verbose_name=_("上一版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("制定人"), on_delete=models.PROTECT, related_name="+"
    )
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("启用人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "group", "-version"]
        permissions = [
            ("manage_assessment", _("可制定考核方案、人工评分、终评和锁定（联席办）")),
            ("view_assessment_all", _("可查看全部单位的考核得分（联席办、区领导、审计）")),
            ("export_assessment", _("可导出考核排名和报告")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "group", "version"],
                name="assessment_scheme_version_once",
                violation_error_message=_("该年度该类单位已有此版本的方案"),
            ),
            models.UniqueConstraint(
                fields=["year", "group"],
                condition=Q(status="active"),
                name="assessment_one_active_scheme",
                violation_error_message=_("该年度该类单位已有使用中的方案"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_group_display()}考核方案（第{self.version}版）"


class IndicatorKind(models.TextChoices):
    COMPUTED = "computed", _("自动计算")
    MANUAL = "manual", _("人工评分")
    DEDUCTION = "deduction", _("扣分项")
    BONUS = "bonus", _("加分项")


class Indicator(models.Model):
    """One line of a scheme. ``computed``: ``measure`` names a measure of ``assessment.measures``
    and ``settings`` its formula's figures (e.g. ``{"full_at": 0.95, "zero_at": 0.6}``), ``points``
    its full marks. ``manual``: the office scores it up to ``points`` with a note and evidence
    against ``criteria``. ``deduction`` / ``bonus``: ``points`` for each occurrence (found by
    ``measure`` in the data, or recorded by hand when it is empty), at most ``cap`` for the item;
    the scheme's caps then bound all deductions and all bonuses together."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("考核方案"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("指标"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=IndicatorKind.choices)
    measure = models.CharField(_("计算口径"), max_length=40, blank=True)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    cap = models.DecimalField(_("本项上限"), max_digits=6, decimal_places=2, null=True, blank=True)
    settings: Any = models.JSONField(_("计分参数"), default=dict, blank=True)
    criteria = models.TextField(_("评分标准"), blank=True)
    citation = models.CharField(_("依据"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["scheme", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "code"],
                name="assessment_indicator_code_once",
                violation_error_message=_("同一方案中指标代码不得重复"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.points}分）"


class SchemeEvent(Event):
    """A line of a scheme's history: drafted, edited, activated, superseded by a new version."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("考核方案记录")
        verbose_name_plural = _("考核方案记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.scheme} {self.action}"
