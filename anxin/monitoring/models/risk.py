"""What the scan found (§四(二)): each enterprise's risk with its findings, the scans, the changes
of level, and the alerts someone must look at by a date, with their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet, scope_of
from anxin.core.models import Event
from anxin.monitoring.models.indicators import about_enterprises_of
from anxin.org.models import Town, Unit
from anxin.registry.models import Enterprise, in_line


class Level(models.TextChoices):
    NONE = "none", _("无")
    YELLOW = "yellow", _("黄色")
    ORANGE = "orange", _("橙色")
    RED = "red", _("红色")


LEVEL_RANK = {Level.NONE: 0, Level.YELLOW: 1, Level.ORANGE: 2, Level.RED: 3}


class AssessmentQuerySet(ScopedQuerySet):
    def for_user(self, user):
        return about_enterprises_of(self, user)


class RiskAssessment(models.Model):
    """An enterprise's current risk: level, points, and each finding with its evidence."""

    enterprise = models.OneToOneField(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="risk"
    )
    level = models.CharField(_("风险等级"), max_length=6, choices=Level.choices, default=Level.NONE)
    points = models.PositiveIntegerField(_("风险分"), default=0)
    findings = models.JSONField(_("触发的规则"), default=list)
    as_of = models.DateField(_("评估基准日"))
    assessed_at = models.DateTimeField(_("评估时间"), help_text=_("得出当前结果的时间；结果未变的重评不改写"))
    digest = models.CharField(max_length=40, blank=True, editable=False)
    # The first day on which the findings may change with no new data (``rules.horizon``): a day's
    # first scan re-assesses the enterprises whose day has come. Null: unknown — always due.
    stable_until = models.DateField(_("结果有效至"), null=True, blank=True, editable=False, db_index=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险评估")
        verbose_name_plural = _("风险评估")
        indexes = [models.Index(fields=["level"], name="assessment_level")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_level_display()}"


class ScanRun(models.Model):
    """One district-wide scan (``tick`` every few minutes, ``manage.py scan``, the office's button):
    when, as of which day, on which parameters and rules, how many enterprises it re-assessed and
    why. A scan re-assesses every enterprise when the parameters, the rules or the routing tables
    changed since the last complete one; on a new day, those whose findings may change with the
    date (``RiskAssessment.stable_until``) and those whose data changed; on the same day, only those
    whose data changed since it started."""

    class Mode(models.TextChoices):
        FULL = "full", _("全面重评")
        CHANGED = "changed", _("仅重评数据有变化的企业")
        DAY = "day", _("日切重评")

    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    as_of = models.DateField(_("评估基准日"))
    basis = models.CharField(_("参数与规则摘要"), max_length=40)
    mode = models.CharField(_("方式"), max_length=8, choices=Mode.choices)
    reason = models.CharField(_("原因"), max_length=100)
    assessed = models.PositiveIntegerField(_("评估企业数"), default=0)
    changed = models.PositiveIntegerField(_("等级变化"), default=0)
    opened = models.PositiveIntegerField(_("新预警"), default=0)
    seconds = models.FloatField(_("用时（秒）"), null=True, blank=True)

    class Meta:
        verbose_name = _("风险扫描")
        verbose_name_plural = _("风险扫描")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.as_of}"


class ScanShard(models.Model):
    """One slice of a sharded full scan: the enterprises with ids ``lo``..``hi`` (inclusive), run
    as one background task by whichever worker process claims it (``scan.shard_scan``). The shard
    that finishes last closes its run; a failed shard leaves the run unfinished, so it never counts
    as the last complete scan and the next tick starts again. Bookkeeping of the scan itself, not a
    workflow anyone acts on: its status moves by a conditional update, with no event rows."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    # Part of its run: it goes with it (a run is only ever deleted as old history).
    run = models.ForeignKey(
        ScanRun, verbose_name=_("风险扫描"), on_delete=models.CASCADE, related_name="shards"
    )
    lo = models.BigIntegerField(_("起始企业编号"))
    hi = models.BigIntegerField(_("截止企业编号"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    assessed = models.PositiveIntegerField(_("评估企业数"), default=0)
    changed = models.PositiveIntegerField(_("等级变化"), default=0)
    opened = models.PositiveIntegerField(_("新预警"), default=0)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("扫描分片")
        verbose_name_plural = _("扫描分片")
        ordering = ["run", "lo"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "lo"],
                name="scanshard_run_lo",
                violation_error_message=_("同一扫描的分片起点重复"),
            ),
            models.CheckConstraint(
                condition=Q(lo__lte=models.F("hi")),
                name="scanshard_lo_le_hi",
                violation_error_message=_("分片起始编号不能大于截止编号"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} [{self.lo}–{self.hi}] {self.get_status_display()}"


class RiskChange(models.Model):
    """Append-only: each time an enterprise's level changed, from what to what, on which findings."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    from_level = models.CharField(_("原等级"), max_length=6, choices=Level.choices)
    to_level = models.CharField(_("新等级"), max_length=6, choices=Level.choices)
    points = models.PositiveIntegerField(_("风险分"))
    rules = models.JSONField(_("规则"), default=list)
    as_of = models.DateField(_("评估基准日"))
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("风险等级变化")
        verbose_name_plural = _("风险等级变化")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_level} → {self.to_level}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待签收")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    HANDLED = "handled", _("已处置")
    DISMISSED = "dismissed", _("已排除")


ACTIVE_ALERT = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class RoutedQuerySet(ScopedQuerySet):
    """Rows routed like an alert (a ``town`` and a ``unit``): a town sees its territory's, a
    department those routed to it or about enterprises in its line. Alerts and screening tasks."""

    def scope_filter(self, scope: Scope) -> Q:
        q = Q(pk__in=[])
        if scope.town_ids:
            q |= Q(town_id__in=scope.town_ids)
        if scope.unit_id:
            q |= Q(unit_id=scope.unit_id)
        return q | in_line(scope)

    def for_user(self, user):
        """The scope applied to the rows themselves, not through ``pk IN (SELECT pk …)``: every arm
        of ``scope_filter`` is a column of the row or a subquery of enterprise ids (no join that
        could repeat a row), so the self-subquery bought nothing and made PostgreSQL hash every
        alert in scope for each of the home panel's counts (120–240 ms each at 100,000
        enterprises, issue #20)."""
        scope = scope_of(user)
        if self.sees_all(scope):
            return self.all()
        if self.sees_none(scope):
            return self.none()
        return self.filter(self.scope_filter(scope))


class AlertQuerySet(RoutedQuerySet):
    """A town sees its territory's alerts, a department those assigned to it or in its line."""

    def active(self):
        return self.filter(status__in=ACTIVE_ALERT)


class Alert(models.Model):
    """A rule fired for an enterprise: someone must look at it by a date (§四(二) 动态预警)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="alerts"
    )
    rule = models.CharField(_("规则"), max_length=40)
    level = models.CharField(_("等级"), max_length=6, choices=Level.choices)
    status = models.CharField(_("状态"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    explanation = models.TextField(_("说明"))
    evidence = models.JSONField(_("依据"), default=dict)
    town = models.ForeignKey(
        Town, verbose_name=_("属地"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("条线部门"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("生成时间"))
    opened_on = models.DateField(
        _("生成日期"), editable=False, help_text=_("生成时间的北京时间日期（驾驶舱趋势按日统计）")
    )
    last_fired_at = models.DateTimeField(_("最近触发"))
    cleared_at = models.DateTimeField(_("规则不再触发"), null=True, blank=True)
    due_at = models.DateTimeField(_("处置期限"), db_index=True)
    due_basis = models.CharField(_("期限依据"), max_length=300, blank=True)
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关闭人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.TextField(_("处置情况/排除理由"), blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-opened_at", "-pk"]
        permissions = [
            ("handle_alert", _("可签收、处置预警")),
            ("dismiss_alert", _("可排除预警")),
            ("export_alert", _("可导出预警台账")),
            ("run_scan", _("可发起风险重评")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "rule"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="alert_one_active_per_rule",
                violation_error_message=_("该企业该规则已有未关闭的预警"),
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="alert_active_due"),
            models.Index(fields=["opened_on"], name="alert_opened_on"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.rule}"

    @property
    def is_overdue(self) -> bool:
        return self.status in ACTIVE_ALERT and self.due_at < timezone.now()


class AlertEvent(Event):
    """Append-only history of an alert: opened, re-fired, acknowledged, handled, dismissed, escalated."""

    class Action(models.TextChoices):
        OPEN = "open", _("生成")
        REFIRE = "refire", _("再次触发（依据已更新）")
        CLEAR = "clear", _("规则不再触发")
        ACKNOWLEDGE = "acknowledge", _("签收")
        HANDLE = "handle", _("处置")
        DISMISS = "dismiss", _("排除")
        ESCALATE = "escalate", _("逾期上报")

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("动作"), max_length=12, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=12, choices=AlertStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=AlertStatus.choices, blank=True)

    class Meta:
        verbose_name = _("预警记录")
        verbose_name_plural = _("预警记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
