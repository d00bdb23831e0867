"""Monthly indicators (§四(一)(二)) and the values the channels report for each enterprise."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.access import ScopedQuerySet, scope_of
from anxin.core.money import format_yuan
from anxin.intake.models import Channel
from anxin.registry.models import Enterprise


class IndicatorKind(models.TextChoices):
    COUNT = "count", _("数量")
    MONEY = "money", _("金额（分）")
    FLAG = "flag", _("是/否")


class Indicator(models.Model):
    """A monthly figure kept per enterprise (拖欠工资月数, 用电量, 参保人数…), from one channel."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    kind = models.CharField(_("类型"), max_length=8, choices=IndicatorKind.choices)
    channel = models.ForeignKey(
        Channel, verbose_name=_("来源渠道"), on_delete=models.PROTECT, related_name="+"
    )
    citation = models.CharField(_("依据"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("监测指标")
        verbose_name_plural = _("监测指标")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def display(self, value: int) -> str:
        if self.kind == IndicatorKind.MONEY:
            return f"{format_yuan(value)} 元"
        if self.kind == IndicatorKind.FLAG:
            return "是" if value else "否"
        return f"{value} {self.unit}".strip()


def about_enterprises_of(queryset, user):
    """Rows about the enterprises the user sees; no subquery at all for those who see every one
    (the office at city scale: a 100,000-id semi-join on every cockpit view)."""
    if Enterprise.objects.sees_all(scope_of(user)):
        return queryset.all()
    return queryset.filter(enterprise__in=Enterprise.objects.for_user(user).values("pk"))


class ObservationQuerySet(ScopedQuerySet):
    def for_user(self, user):
        return about_enterprises_of(self, user)


class Observation(models.Model):
    """One enterprise's value of one indicator for one month (the month's first day)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("月份"))
    value = models.BigIntegerField(_("数值"))
    recorded_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("监测数据")
        verbose_name_plural = _("监测数据")
        ordering = ["enterprise", "indicator", "month"]
        permissions = [("import_observation", _("可导入监测数据"))]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "indicator", "month"],
                name="observation_once_per_month",
                violation_error_message=_("该企业该指标该月已有数据"),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="observation_not_negative",
                violation_error_message=_("数值不能为负数"),
            ),
        ]
        indexes = [
            models.Index(fields=["month", "enterprise"], name="observation_month"),
            models.Index(fields=["recorded_at"], name="observation_recorded"),  # changed since…
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.indicator}"

    @property
    def value_display(self) -> str:
        return self.indicator.display(self.value)
