"""Scores: every assessed unit's score for a year, line by line with its evidence.

Through the year the scores are provisional (预评), recomputed by ``tick``, and each unit sees its own.
The office opens the finalisation (终评): the scores are computed one last time, the units may object
to an item within ``score.objection_days`` working days, the office answers; then the year is
locked (已锁定) and nothing in it changes again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anxin.assessment.models.schemes import Indicator, Scheme
from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.models import Event, TimeStampedModel
from anxin.org.models import Unit


class YearStatus(models.TextChoices):
    OPEN = "open", _("预评中")
    OBJECTION = "objection", _("终评公示（异议期）")
    LOCKED = "locked", _("已锁定")


class AssessmentYear(TimeStampedModel):
    """The state of one year's assessment for all units. ``objection_until``: the last day a unit may
    object, from ``score.objection_days`` (stored with the value used)."""

    year = models.PositiveSmallIntegerField(_("考核年度"), unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=YearStatus.choices, default=YearStatus.OPEN)
    finalised_at = models.DateTimeField(_("终评时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("终评人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    objection_days = models.PositiveSmallIntegerField(_("异议期（工作日）"), null=True, blank=True)
    objection_until = models.DateField(_("异议截止日"), null=True, blank=True)
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("锁定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    class Meta:
        verbose_name = _("考核年度")
        verbose_name_plural = _("考核年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年度考核（{self.get_status_display()}）"


class YearEvent(Event):
    """A line of a year's history: finalisation opened, locked."""

    assessment_year = models.ForeignKey(
        AssessmentYear, verbose_name=_("考核年度"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("考核年度记录")
        verbose_name_plural = _("考核年度记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment_year} {self.action}"


class ScoreStatus(models.TextChoices):
    PROVISIONAL = "provisional", _("预评")
    FINAL = "final", _("终评")
    LOCKED = "locked", _("已锁定")


class ScoreQuerySet(ScopedQuerySet):
    """The office, the leaders and the auditors see every unit's score; a unit sees its own only."""

    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return Q(unit_id=scope.unit_id)


class Score(TimeStampedModel):
    """One unit's score for one year under one scheme. ``base`` is the sum of the computed and
    manual items; ``deductions`` and ``bonus`` are after their caps (positive numbers);
    ``total = base − deductions + bonus``; ``grade_by_points`` from the scheme's bands, ``grade`` the
    same unless a confirmed veto set it to the lowest band (``vetoed``)."""

    year = models.PositiveSmallIntegerField(_("考核年度"))
    unit = models.ForeignKey(Unit, verbose_name=_("被考核单位"), on_delete=models.PROTECT, related_name="+")
    scheme = models.ForeignKey(
        Scheme, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="scores"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=ScoreStatus.choices, default=ScoreStatus.PROVISIONAL
    )
    base = models.DecimalField(_("基本分"), max_digits=7, decimal_places=2, default=0)
    deductions = models.DecimalField(_("扣分"), max_digits=7, decimal_places=2, default=0)
    bonus = models.DecimalField(_("加分"), max_digits=7, decimal_places=2, default=0)
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, default=0)
    grade_by_points = models.CharField(_("按分数等次"), max_length=10, blank=True)
    grade = models.CharField(_("等次"), max_length=10, blank=True)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    rank = models.PositiveSmallIntegerField(_("排名"), null=True, blank=True)
    data_through = models.DateField(_("数据截至"), null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["-year", "rank", "unit__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit"],
                name="assessment_score_once",
                violation_error_message=_("该单位该年度已有得分"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit} {self.total}"


class ScoreItem(models.Model):
    """One indicator's line in a score: the measured ``value`` (a share 0–1 or a count; empty for a
    manual item not yet scored), ``numerator``/``denominator`` where it is a share (counts; fen for a
    money measure, ``measures.Measure.money``: shown as yuan — BigInteger, a district's sums pass
    ¥21,474,836.47), the ``points``
    it gives, the ``formula`` in words, the ``params`` (the scheme's figures and the policy
    parameters the measure used, with their values), and ``records``: the records behind it, each
    ``{"kind", "id", "label", "url", "unit", "due", "done", "met", "note"}`` (late ones first)."""

    score = models.ForeignKey(
        Score, verbose_name=_("考核得分"), on_delete=models.CASCADE, related_name="items"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("考核指标"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("指标值"), max_digits=12, decimal_places=4, null=True, blank=True)
    numerator = models.BigIntegerField(_("分子"), null=True, blank=True, help_text=_("次数，或金额（分）"))
    denominator = models.BigIntegerField(_("分母"), null=True, blank=True, help_text=_("次数，或金额（分）"))
    points = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, default=0)
    formula = models.TextField(_("计分方法"), blank=True)
    params: Any = models.JSONField(_("参数"), default=dict, blank=True)
    records: Any = models.JSONField(_("依据记录"), default=list, blank=True)
    note = models.TextField(_("说明"), blank=True)
    adjusted = models.BooleanField(_("经异议调整"), default=False)

    class Meta:
        verbose_name = _("考核得分明细")
        verbose_name_plural = _("考核得分明细")
        ordering = ["score", "indicator__order", "pk"]
        constraints = [models.UniqueConstraint(fields=["score", "indicator"], name="assessment_item_once")]

    def __str__(self) -> str:
        return f"{self.score} {self.indicator.name} {self.points}"


class HandScore(TimeStampedModel):
    """The office's score of a manual indicator (or a deduction/bonus recorded by hand) for one unit:
    points, the note saying why and the evidence. The scoring copies it into the unit's line."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("考核指标"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("被考核单位"), on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("分数"), max_digits=6, decimal_places=2)
    note = models.TextField(_("评分说明"))
    files = models.ManyToManyField(
        "assessment.AssessmentFile", verbose_name=_("佐证材料"), blank=True, related_name="+"
    )
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("评分人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("人工评分")
        verbose_name_plural = _("人工评分")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit"],
                name="assessment_hand_score_once",
                violation_error_message=_("该单位此项已评分"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.indicator.name} {self.points}"


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待答复")
    UPHELD = "upheld", _("采纳")
    REJECTED = "rejected", _("不予采纳")


class ObjectionQuerySet(ScopedQuerySet):
    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return Q(item__score__unit_id=scope.unit_id)


class Objection(TimeStampedModel):
    """A unit's objection to one line of its final score, within the objection period, with its
    reason; the office answers (upheld: the line's points become ``points_after``; or rejected)."""

    item = models.ForeignKey(
        ScoreItem, verbose_name=_("得分明细"), on_delete=models.PROTECT, related_name="objections"
    )
    reason = models.TextField(_("异议理由"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    files = models.ManyToManyField(
        "assessment.AssessmentFile", verbose_name=_("佐证材料"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    answer = models.TextField(_("答复"), blank=True)
    points_before = models.DecimalField(_("原得分"), max_digits=7, decimal_places=2)
    points_after = models.DecimalField(_("调整后得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("考核异议")
        verbose_name_plural = _("考核异议")
        ordering = ["-created_at", "pk"]
        permissions = [("file_objection", _("可对本单位终评得分提出异议"))]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="pending"),
                name="assessment_one_pending_objection",
                violation_error_message=_("此项已有待答复的异议"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} 异议"


class ObjectionEvent(Event):
    """A line of an objection's history: filed, upheld or rejected with the answer."""

    objection = models.ForeignKey(
        Objection, verbose_name=_("考核异议"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("考核异议记录")
        verbose_name_plural = _("考核异议记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.objection} {self.action}"
