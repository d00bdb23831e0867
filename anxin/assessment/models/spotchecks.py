"""Spot checks (不定期抽查, §五(三)): a round draws units at random (and, within each, enterprises or
projects), with the draw recorded so that it can be re-run and shown fair (seed, population, who,
when); inspectors record findings per item with photos and papers; rectification items (整改) go to
the unit with an owner and a deadline and come back with evidence; the round's circular (抽查情况通报)
is issued to every unit, with its copy to 区委组织部 (a recipient that need not be a user)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.models import Event, TimeStampedModel
from anxin.org.models import Unit


class SpotCheckStatus(models.TextChoices):
    DRAWN = "drawn", _("已抽取")
    CHECKING = "checking", _("检查中")
    CIRCULATED = "circulated", _("已通报")


class SpotCheck(TimeStampedModel):
    """One round. ``population``: the unit codes drawn from (sorted), ``drawn``: the codes drawn, in
    the order drawn; ``items_per_unit``: how many enterprises or projects were drawn within each unit
    (``SpotCheckUnit.population`` keeps each unit's). Same seed and population → same draw."""

    number = models.CharField(_("编号"), max_length=24, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    seed = models.CharField(_("随机种子"), max_length=64)
    population: Any = models.JSONField(_("抽取范围"), default=list)
    units_count = models.PositiveSmallIntegerField(_("抽取单位数"))
    drawn: Any = models.JSONField(_("抽中单位"), default=list)
    items_per_unit = models.PositiveSmallIntegerField(_("每单位抽查企业（项目）数"), default=0)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("抽取人"), on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(_("抽取时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=SpotCheckStatus.choices, default=SpotCheckStatus.DRAWN
    )
    circular_reference = models.CharField(_("通报文号"), max_length=60, blank=True)
    circular_body = models.TextField(_("通报正文"), blank=True)
    circulated_on = models.DateField(_("通报日期"), null=True, blank=True)
    circulated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("印发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    circular_annex: Any = models.JSONField(
        _("通报附件一览表（印发时）"),
        null=True,
        blank=True,
        help_text=_(
            "印发通报时保存的抽查事项及整改情况一览表：每行 [被抽查单位, 检查事项, 检查结果, 检查发现, 整改要求]"
        ),
    )
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    class Meta:
        verbose_name = _("不定期抽查")
        verbose_name_plural = _("不定期抽查")
        ordering = ["-drawn_at"]
        permissions = [("run_spot_checks", _("可组织不定期抽查、印发抽查通报（联席办）"))]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class SpotCheckEvent(Event):
    """A line of a spot-check round's history: drawn, started, circulated."""

    spot_check = models.ForeignKey(
        SpotCheck, verbose_name=_("抽查"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("抽查记录")
        verbose_name_plural = _("抽查记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.spot_check} {self.action}"


class SpotCheckUnitQuerySet(ScopedQuerySet):
    """The office and the leaders see every round's units; a unit sees itself once drawn."""

    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return Q(unit_id=scope.unit_id)


class SpotCheckUnit(models.Model):
    """A unit drawn in a round, its inspectors, and the population its items were drawn from
    (``population``: ``["enterprise:12", "project:4", …]`` sorted)."""

    spot_check = models.ForeignKey(
        SpotCheck, verbose_name=_("抽查"), on_delete=models.PROTECT, related_name="units"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("被抽查单位"), on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("抽中顺序"))
    population: Any = models.JSONField(_("企业（项目）抽取范围"), default=list, blank=True)
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("检查人员"), blank=True, related_name="+"
    )
    conclusion = models.TextField(_("检查结论"), blank=True)

    objects = SpotCheckUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("被抽查单位")
        verbose_name_plural = _("被抽查单位")
        ordering = ["spot_check", "order"]
        constraints = [
            models.UniqueConstraint(fields=["spot_check", "unit"], name="assessment_spot_unit_once")
        ]

    def __str__(self) -> str:
        return f"{self.spot_check.number} {self.unit}"


class ItemResult(models.TextChoices):
    PENDING = "pending", _("待检查")
    OK = "ok", _("未发现问题")
    PROBLEM = "problem", _("发现问题")


class SpotCheckItem(TimeStampedModel):
    """An enterprise or project drawn within a unit (or the unit's own work, when neither), and what the
    inspectors found there, with photos and papers."""

    check_unit = models.ForeignKey(
        SpotCheckUnit, verbose_name=_("被抽查单位"), on_delete=models.PROTECT, related_name="items"
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "registry.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("检查事项"), max_length=100)
    result = models.CharField(
        _("检查结果"), max_length=10, choices=ItemResult.choices, default=ItemResult.PENDING
    )
    observations = models.TextField(_("检查发现"), blank=True)
    checked_on = models.DateField(_("检查日期"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    files = models.ManyToManyField(
        "assessment.AssessmentFile", verbose_name=_("照片和材料"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("抽查事项")
        verbose_name_plural = _("抽查事项")
        ordering = ["check_unit", "pk"]

    def __str__(self) -> str:
        return self.subject


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    ANSWERED = "answered", _("已报整改情况")
    RETURNED = "returned", _("退回重新整改")
    ACCEPTED = "accepted", _("已验收")


class RectificationQuerySet(ScopedQuerySet):
    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return Q(unit_id=scope.unit_id)


class Rectification(TimeStampedModel):
    """A rectification item (整改) set from a spot-check item: the owner unit, what must be done, the
    deadline; the unit answers with evidence, the office accepts or returns it (returning sets a new
    deadline and clears the escalation); ``escalated_at``: when ``tick`` escalated it overdue to the
    office (once per deadline); ``overdue_due``: the deadline it had when it first went overdue
    (escalated, or answered after it), which the measure ``rectification_overdue`` counts by."""

    item = models.ForeignKey(
        SpotCheckItem, verbose_name=_("抽查事项"), on_delete=models.PROTECT, related_name="rectifications"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("整改责任单位"), on_delete=models.PROTECT, related_name="+")
    requirement = models.TextField(_("整改要求"))
    due = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    answer = models.TextField(_("整改情况"), blank=True)
    answered_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    files = models.ManyToManyField(
        "assessment.AssessmentFile", verbose_name=_("整改佐证"), blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期报联席办时间"), null=True, blank=True)
    overdue_due = models.DateField(
        _("逾期时的整改期限"),
        null=True,
        blank=True,
        help_text=_("第一次逾期（逾期报联席办或期满后才报送）时的整改期限；退回重新整改另定期限后不变"),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("下达人"), on_delete=models.PROTECT, related_name="+"
    )

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["due", "pk"]
        permissions = [("answer_rectification", _("可报送本单位整改情况"))]

    def __str__(self) -> str:
        return f"{self.unit} 整改 {self.due}"


class RectificationEvent(Event):
    """A line of a rectification item's history: set, answered, accepted or returned, escalated."""

    rectification = models.ForeignKey(
        Rectification, verbose_name=_("整改事项"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.rectification} {self.action}"


class CircularRecipient(models.Model):
    """Who a round's circular went to: a member unit (``unit``) or a body that is not a user
    (``name`` only, e.g. 区委组织部), as 主送 or 抄送, and when it was recorded as sent."""

    spot_check = models.ForeignKey(
        SpotCheck, verbose_name=_("抽查"), on_delete=models.PROTECT, related_name="recipients"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=60)
    copy = models.BooleanField(_("抄送"), default=False)
    sent_at = models.DateTimeField(_("送达时间"))

    class Meta:
        verbose_name = _("通报发送对象")
        verbose_name_plural = _("通报发送对象")
        ordering = ["spot_check", "copy", "pk"]

    def __str__(self) -> str:
        return f"{self.spot_check.number} → {self.name}"
