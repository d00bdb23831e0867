"""Joint sanctions (联合惩戒, §三(十)(十一) and the restrictions the joint-punishment rules list): the
measures each unit applies to a listed enterprise, as data from the district file, and the task each
listing gives each of those units — to apply the measure on listing, to lift it on removal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.credit.models.listing import Listing
from anxin.org.models import Unit


class SanctionMeasure(models.Model):
    """A restriction one unit applies within its powers (财政局: 政府采购和财政资金; 城建局: 建设工程
    招标投标和市场准入; …). ``enterprise_kinds`` narrows it to enterprises of those kinds (its line,
    e.g. 水利施工 for 水利局); empty means every listed enterprise. Loaded from the district file
    (``credit_sanctions``)."""

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    unit = models.ForeignKey(Unit, verbose_name=_("实施单位"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("惩戒措施"), max_length=100)
    citation = models.CharField(_("依据"), max_length=150)
    enterprise_kinds = models.JSONField(_("适用企业类型"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("联合惩戒措施")
        verbose_name_plural = _("联合惩戒措施")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.unit.name}：{self.name}"


class TaskKind(models.TextChoices):
    APPLY = "apply", _("实施惩戒")
    LIFT = "lift", _("解除惩戒")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待办理")
    DONE = "done", _("已办理")
    CANCELLED = "cancelled", _("已撤回")


class SanctionTask(models.Model):
    """What one listing asks one unit to do about one measure: apply it (when the listing is decided)
    or lift it (when the listing ends). Appears in the unit's 我的待办 with its deadline; the unit
    records the day it did it; overdue tasks are escalated by ``tick`` like a case's actions."""

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="sanction_tasks")
    measure = models.ForeignKey(
        SanctionMeasure, verbose_name=_("惩戒措施"), on_delete=models.PROTECT, related_name="tasks"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("实施单位"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("事项"), max_length=6, choices=TaskKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_at = models.DateTimeField(_("下达时间"), default=timezone.now)
    due_at = models.DateTimeField(_("办理期限"), db_index=True)
    due_basis = models.CharField(_("期限依据"), max_length=300)
    reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期报联席办时间"), null=True, blank=True)
    done_on = models.DateField(_("实施（解除）日期"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("办理情况"), blank=True)

    class Meta:
        verbose_name = _("联合惩戒任务")
        verbose_name_plural = _("联合惩戒任务")
        ordering = ["due_at", "pk"]
        permissions = [("handle_sanctiontask", _("可办理联合惩戒任务"))]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "measure", "kind"],
                name="credit_task_once",
                violation_error_message=_("该名单的这项惩戒任务已下达"),
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False),
                name="credit_task_done_has_day",
                violation_error_message=_("已办理的任务须写明实施日期"),
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="credit_task_unit_status")]

    def __str__(self) -> str:
        return f"{self.listing.number} {self.get_kind_display()}：{self.measure.name}"

    @property
    def is_overdue(self) -> bool:
        return self.status == TaskStatus.OPEN and self.due_at < timezone.now()
