"""The watch list (重点监控, §四(二)(三)): entries, their follow-up visits and their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.models import Event
from anxin.monitoring.models.risk import AlertQuerySet, Level
from anxin.org.models import Town, Unit
from anxin.registry.models import Enterprise


class WatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    ACTIVE = "active", _("重点监控中")
    DECLINED = "declined", _("不纳入")
    EXITED = "exited", _("已退出")


LIVE_WATCH = (WatchStatus.PROPOSED, WatchStatus.ACTIVE)


class WatchEntryQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q:
        q = AlertQuerySet.scope_filter(self, scope)
        if scope.unit_id:
            q |= Q(owner_unit_id=scope.unit_id)
        return q


class WatchEntry(models.Model):
    """An enterprise on the watch list (重点监控, §四(二)): followed up at a frequency set by its
    level, with a risk prevention plan (风险防范预案, §四(三)) until it exits with a reason."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="watch_entries"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=WatchStatus.choices, default=WatchStatus.PROPOSED
    )
    level = models.CharField(_("当前风险等级"), max_length=6, choices=Level.choices)
    proposed_at = models.DateTimeField(_("提出时间"))
    proposal = models.TextField(_("纳入理由"))
    town = models.ForeignKey(
        Town, verbose_name=_("属地"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("条线部门"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("负责单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    followup_days = models.PositiveSmallIntegerField(_("回访周期（日）"), default=0)
    followup_basis = models.CharField(_("周期依据"), max_length=300, blank=True)
    next_followup_due = models.DateTimeField(_("下次回访期限"), null=True, blank=True, db_index=True)
    last_followup_at = models.DateTimeField(_("最近回访"), null=True, blank=True)
    overdue_marked_for = models.DateTimeField(_("已提醒的逾期期限"), null=True, blank=True)
    plan_subject = models.CharField(_("责任主体"), max_length=200, blank=True)
    plan_team = models.TextField(_("工作班子"), blank=True)
    plan_measures = models.TextField(_("工作措施"), blank=True)
    plan_updated_at = models.DateTimeField(_("预案更新时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("退出/不纳入时间"), null=True, blank=True)
    closed_reason = models.TextField(_("退出/不纳入理由"), blank=True)

    objects = WatchEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点监控")
        verbose_name_plural = _("重点监控")
        ordering = ["status", "next_followup_due", "-proposed_at"]
        permissions = [("manage_watchentry", _("可确认、退出重点监控，记录回访"))]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status__in=["proposed", "active"]),
                name="watch_one_live_entry_per_enterprise",
                violation_error_message=_("该企业已在重点监控名单中"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_status_display()}"

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.status == WatchStatus.ACTIVE
            and self.next_followup_due
            and self.next_followup_due < timezone.now()
        )


class FollowUp(models.Model):
    """One follow-up visit of a watched enterprise (连续跟踪、滚动更新, §五(二))."""

    entry = models.ForeignKey(WatchEntry, on_delete=models.PROTECT, related_name="followups")
    visited_on = models.DateField(_("回访日期"))
    wage_status = models.TextField(_("工资支付情况"))
    debts = models.TextField(_("债务清偿情况"), blank=True)
    measures = models.TextField(_("采取的措施"), blank=True)
    next_step = models.TextField(_("下一步"), blank=True)
    level = models.CharField(_("回访时风险等级"), max_length=6, choices=Level.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.entry.enterprise} {self.visited_on:%Y-%m-%d}"


class WatchEvent(Event):
    """Append-only history of a watch entry."""

    class Action(models.TextChoices):
        PROPOSE = "propose", _("系统提出")
        CONFIRM = "confirm", _("确认纳入")
        DECLINE = "decline", _("不纳入")
        FOLLOWUP = "followup", _("回访")
        PLAN = "plan", _("更新风险防范预案")
        LEVEL = "level", _("风险等级变化")
        OVERDUE = "overdue", _("回访逾期")
        RESCHEDULE = "reschedule", _("敏感时期调整回访")
        EXIT = "exit", _("退出")

    entry = models.ForeignKey(WatchEntry, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    # Filled for a change of status (confirm, decline, exit, and the proposal that opens an entry);
    # blank for the other events and for the rows written before these columns existed.
    from_status = models.CharField(_("原状态"), max_length=10, choices=WatchStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=WatchStatus.choices, blank=True)

    class Meta:
        verbose_name = _("重点监控记录")
        verbose_name_plural = _("重点监控记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
