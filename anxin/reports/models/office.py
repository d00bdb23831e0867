"""The office's own documents for a period (§五(二)): the district analysis for the leaders
(形势分析报告) and the circular to every member unit (情况通报). Each is drafted from the data and the
units' submissions (``data``: the snapshot the draft was built from), edited by the office
(``body``: the parts as text), approved by the office director (联席办主任, a ``ConferencePost``),
and issued as a Word document; the circular lands in every member unit's inbox."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.models import Event, TimeStampedModel
from anxin.org.models import Unit


class DocumentKind(models.TextChoices):
    ANALYSIS = "analysis", _("形势分析报告")
    CIRCULAR = "circular", _("情况通报")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("起草中")
    SUBMITTED = "submitted", _("待主任审核")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已审核")
    ISSUED = "issued", _("已印发")


class OfficeDocumentQuerySet(ScopedQuerySet):
    """The office and the leaders see every document at every stage; a member unit sees issued
    circulars (the analysis is for the leaders)."""

    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return Q(kind=DocumentKind.CIRCULAR, status=DocumentStatus.ISSUED, issued_to__id=scope.unit_id)


class OfficeDocument(TimeStampedModel):
    """One analysis or circular for one period (see the module)."""

    kind = models.CharField(_("类型"), max_length=10, choices=DocumentKind.choices)
    period = models.CharField(_("报告期"), max_length=7)
    period_start = models.DateField(_("起始日"))
    period_end = models.DateField(_("截止日"))
    title = models.CharField(_("标题"), max_length=100)
    data: Any = models.JSONField(_("数据快照"), default=dict, blank=True)
    body: Any = models.JSONField(_("正文"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("起草人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("送审时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_comments = models.TextField(_("退回意见"), blank=True)
    reference = models.CharField(_("文号"), max_length=60, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("印发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_to = models.ManyToManyField(Unit, verbose_name=_("发送单位"), blank=True, related_name="+")
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    objects = OfficeDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("分析报告与通报")
        verbose_name_plural = _("分析报告与通报")
        ordering = ["-period", "kind"]
        permissions = [
            ("compose_documents", _("可起草形势分析报告和情况通报")),
            ("approve_documents", _("可审核形势分析报告和情况通报（联席办主任）")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period"],
                name="reports_document_once",
                violation_error_message=_("该期已有此类文件"),
            ),
            models.CheckConstraint(
                condition=~Q(status="issued") | Q(approved_at__isnull=False),
                name="reports_issued_document_approved",
                violation_error_message=_("未经审核的文件不得印发"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OfficeDocumentEvent(Event):
    """A line of an analysis's or circular's history (drafted, data refreshed, edited, submitted,
    approved, returned, issued)."""

    document = models.ForeignKey(
        OfficeDocument, verbose_name=_("文件"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("文件办理记录")
        verbose_name_plural = _("文件办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.document} {self.action}"
