"""Publication of major labour-law violations (重大劳动保障违法行为社会公布办法, 人社部令第29号; §三(七)
and §三(十一)): each period's draft list gathered from the cases, 人社局's review entry by entry, the
publication, and the public page that shows published entries for the parameterised time."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.cases.models import Case
from anxin.core.models import Event
from anxin.registry.models import Enterprise

DECREE_29 = "重大劳动保障违法行为社会公布办法（人社部令第29号）"


class ViolationClass(models.TextChoices):
    """令29 第五条: the classes that must be published. Anxin gathers the ones its cases can show
    (一, 二, 七); the others may be added by hand."""

    WAGES = "wages", _("克扣、无故拖欠劳动者劳动报酬，数额较大")
    REFUSAL = "refusal", _("拒不支付劳动报酬，依法移送司法机关追究刑事责任")
    SOCIAL_INSURANCE = "social_insurance", _("不依法参加社会保险或者不依法缴纳社会保险费，情节严重")
    WORKING_TIME = "working_time", _("违反工作时间和休息休假规定，情节严重")
    PROTECTION = "protection", _("违反女职工和未成年工特殊劳动保护规定，情节严重")
    CHILD_LABOUR = "child_labour", _("违反禁止使用童工规定")
    IMPACT = "impact", _("因劳动保障违法行为造成严重不良社会影响")


CLASS_CITATIONS: dict[str, str] = {
    ViolationClass.WAGES: f"{DECREE_29} 第五条第（一）项",
    ViolationClass.REFUSAL: f"{DECREE_29} 第五条第（二）项",
    ViolationClass.SOCIAL_INSURANCE: f"{DECREE_29} 第五条第（三）项",
    ViolationClass.WORKING_TIME: f"{DECREE_29} 第五条第（四）项",
    ViolationClass.PROTECTION: f"{DECREE_29} 第五条第（五）项",
    ViolationClass.CHILD_LABOUR: f"{DECREE_29} 第五条第（六）项",
    ViolationClass.IMPACT: f"{DECREE_29} 第五条第（七）项",
}


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    PUBLISHED = "published", _("已公布")


class PublicationBatch(models.Model):
    """One period's list (a quarter by default: ``publication.interval_months``): gathered by ``tick``
    after the period ends (or by 人社局 on demand), reviewed entry by entry, published once."""

    number = models.CharField(_("批次编号"), max_length=24, unique=True)
    period_start = models.DateField(_("统计起始日"))
    period_end = models.DateField(_("统计截止日"))
    status = models.CharField(
        _("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    drafted_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), on_delete=models.PROTECT, related_name="+"
    )
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    params = models.JSONField(_("所用参数"), default=list, blank=True)

    class Meta:
        verbose_name = _("重大违法行为公布批次")
        verbose_name_plural = _("重大违法行为公布批次")
        ordering = ["-period_start", "-pk"]
        permissions = [("publish_violations", _("可审核和公布重大劳动保障违法行为"))]
        constraints = [
            models.UniqueConstraint(fields=["period_start"], name="credit_batch_period_once"),
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")),
                name="credit_batch_period_in_order",
                violation_error_message=_("统计截止日不能早于起始日"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.period_start:%Y-%m-%d}至{self.period_end:%Y-%m-%d}）"


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    KEPT = "kept", _("审核保留")
    REMOVED = "removed", _("审核删除")
    PUBLISHED = "published", _("已公布")
    WITHDRAWN = "withdrawn", _("已撤下")
    EXPIRED = "expired", _("公布期满")


class PublicationEntry(models.Model):
    """One enterprise's violation on a period's list, with what is published (令29 第六条: name, credit
    code, address, legal representative, the facts, the handling) — copied from the records when
    gathered and editable by the reviewer until published. ``source`` keeps the records behind it."""

    batch = models.ForeignKey(PublicationBatch, on_delete=models.PROTECT, related_name="entries")
    case = models.ForeignKey(
        Case, verbose_name=_("所涉案件"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    violation_class = models.CharField(_("违法行为类别"), max_length=20, choices=ViolationClass.choices)
    name = models.CharField(_("单位名称"), max_length=100)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    address = models.CharField(_("地址"), max_length=200)
    legal_rep = models.CharField(_("法定代表人（负责人）"), max_length=50)
    facts = models.TextField(_("主要违法事实"))
    handling = models.TextField(_("查处情况"))
    source = models.JSONField(_("依据记录"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.PENDING
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    published_on = models.DateField(_("公布日期"), null=True, blank=True)
    visible_until = models.DateField(_("公布截止日"), null=True, blank=True, db_index=True)
    ended_on = models.DateField(_("撤下日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("重大违法行为公布信息")
        verbose_name_plural = _("重大违法行为公布信息")
        ordering = ["batch", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "enterprise", "violation_class", "case"],
                name="credit_entry_once",
                violation_error_message=_("该企业的同类违法行为已在本批次中"),
            ),
            models.CheckConstraint(
                condition=~Q(status="published")
                | (Q(published_on__isnull=False) & Q(visible_until__isnull=False)),
                name="credit_entry_published_dated",
                violation_error_message=_("已公布的信息须有公布日期和截止日"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.get_violation_class_display()}"


class PublicationEvent(Event):
    """A line of a batch's history: gathered, an entry kept or removed (with the reason), edited,
    published, an entry withdrawn or expired."""

    batch = models.ForeignKey(PublicationBatch, on_delete=models.PROTECT, related_name="events")
    entry = models.ForeignKey(
        PublicationEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("公布办理记录")
        verbose_name_plural = _("公布办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.batch.number} {self.action}"
