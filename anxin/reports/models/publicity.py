"""Publicity of the law (§四(九) 加强宣传引导): each town's and department's activities, recorded with
their day, kind, place, audience, materials and photos; counted by unit and period for the office,
the periodic reports and the assessment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.models import TimeStampedModel
from anxin.org.models import Unit
from anxin.reports.models.files import ReportsFile


class PublicityKind(models.TextChoices):
    LAW = "law", _("普法宣传")
    PARK = "park", _("进园区")
    ENTERPRISE = "enterprise", _("进企业")
    SITE = "site", _("进工地")
    MEDIA = "media", _("媒体报道")
    MATERIALS = "materials", _("宣传品发放")
    WINDOW = "window", _("维权窗口")


class PublicityQuerySet(ScopedQuerySet):
    """The office and the leaders see every unit's activities; a unit sees its own."""

    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return Q(unit_id=scope.unit_id)


class PublicityActivity(TimeStampedModel):
    """One publicity activity of one unit (see the module). Corrected by its unit (the change is in
    the audit log), removed only with a reason (``withdrawn``)."""

    unit = models.ForeignKey(Unit, verbose_name=_("开展单位"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("活动日期"), db_index=True)
    kind = models.CharField(_("活动形式"), max_length=12, choices=PublicityKind.choices)
    title = models.CharField(_("活动名称"), max_length=100)
    place = models.CharField(_("地点"), max_length=100)
    audience = models.PositiveIntegerField(_("受众人数"), default=0)
    materials = models.PositiveIntegerField(_("发放宣传品（份）"), default=0)
    description = models.TextField(_("活动内容"), blank=True)
    photos = models.ManyToManyField(ReportsFile, verbose_name=_("照片和材料"), blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    withdrawn = models.BooleanField(_("已撤销"), default=False)
    withdraw_reason = models.TextField(_("撤销理由"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    objects = PublicityQuerySet.as_manager()

    class Meta:
        verbose_name = _("宣传活动")
        verbose_name_plural = _("宣传活动")
        ordering = ["-date", "-pk"]
        permissions = [("record_publicity", _("可登记本单位宣传活动"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn=False) | ~Q(withdraw_reason=""),
                name="reports_publicity_withdraw_reason",
                violation_error_message=_("撤销须填写理由"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.date} {self.title}"
