"""The one-vote veto (一票否决, §五(三)): conditions as data (district file ``assessment_vetoes``),
proposals when the data meets one (with the evidence), and the office's decision. A confirmed veto
puts the unit's grade at the scheme's lowest band whatever its points."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.models import Event, TimeStampedModel
from anxin.org.models import Unit


class VetoCondition(models.Model):
    """One veto condition: ``data_check`` names a check of ``assessment.vetoes`` that finds it in the data
    (empty: only proposed from a finding), ``settings`` its figures (e.g. ``{"min_workers": 50}``),
    ``groups`` the unit groups it applies to."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("否决情形"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    data_check = models.CharField(_("数据核查口径"), max_length=40, blank=True)
    settings: Any = models.JSONField(_("参数"), default=dict, blank=True)
    groups: Any = models.JSONField(_("适用单位"), default=list)
    citation = models.CharField(_("依据"), max_length=60, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("一票否决情形")
        verbose_name_plural = _("一票否决情形")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class VetoStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已确认否决")
    REJECTED = "rejected", _("不予否决")


class VetoQuerySet(ScopedQuerySet):
    """A unit sees only confirmed vetoes against itself; the office and the leaders see all."""

    def sees_none(self, scope: Scope) -> bool:
        return not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        return Q(unit_id=scope.unit_id, status=VetoStatus.CONFIRMED)


class VetoProposal(TimeStampedModel):
    """A veto condition met for one unit in one year, proposed with its evidence (``evidence``: records
    as in ``ScoreItem.records``) by the data (``key``: what was found, e.g. ``case:12``) or from a
    finding; the office confirms or rejects it with a reason."""

    year = models.PositiveSmallIntegerField(_("考核年度"))
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    condition = models.ForeignKey(
        VetoCondition, verbose_name=_("否决情形"), on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(_("触发记录"), max_length=60)
    summary = models.TextField(_("情况"))
    evidence: Any = models.JSONField(_("证据"), default=list, blank=True)
    finding = models.ForeignKey(
        "assessment.Finding",
        verbose_name=_("认定问题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=VetoStatus.choices, default=VetoStatus.PROPOSED
    )
    reason = models.TextField(_("确认或驳回理由"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    objects = VetoQuerySet.as_manager()

    class Meta:
        verbose_name = _("一票否决")
        verbose_name_plural = _("一票否决")
        ordering = ["-year", "status", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit", "condition", "key"],
                name="assessment_veto_once",
                violation_error_message=_("该情形已提出过否决建议"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit} {self.condition}"


class VetoEvent(Event):
    """A line of a veto proposal's history: proposed, confirmed or rejected with the reason."""

    proposal = models.ForeignKey(
        VetoProposal, verbose_name=_("一票否决"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("一票否决记录")
        verbose_name_plural = _("一票否决记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.proposal} {self.action}"
