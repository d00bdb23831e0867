"""Monitoring (§四(一)(二), §五(二)): monthly indicators per enterprise, the risk each enterprise
carries (with the rules that fired, their evidence and the parameter values used), and alerts.

The rules themselves are code (``rules.py``: pure functions); what they found is data here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet, scope_of
from anxin.core.models import Event
from anxin.core.money import format_yuan
from anxin.intake.models import Channel
from anxin.org.models import Town, Unit
from anxin.registry.models import Enterprise, in_line


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


def _about_enterprises_of(queryset, user):
    """Rows about the enterprises the user sees; no subquery at all for those who see every one
    (the office at city scale: a 100,000-id semi-join on every cockpit view)."""
    if Enterprise.objects.sees_all(scope_of(user)):
        return queryset.all()
    return queryset.filter(enterprise__in=Enterprise.objects.for_user(user).values("pk"))


class ObservationQuerySet(ScopedQuerySet):
    def for_user(self, user):
        return _about_enterprises_of(self, user)


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


class Level(models.TextChoices):
    NONE = "none", _("无")
    YELLOW = "yellow", _("黄色")
    ORANGE = "orange", _("橙色")
    RED = "red", _("红色")


LEVEL_RANK = {Level.NONE: 0, Level.YELLOW: 1, Level.ORANGE: 2, Level.RED: 3}


class AssessmentQuerySet(ScopedQuerySet):
    def for_user(self, user):
        return _about_enterprises_of(self, user)


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
    why. A scan re-assesses every enterprise when the day, the parameters or the rules changed
    since the last complete one; otherwise only those whose data changed since it started."""

    class Mode(models.TextChoices):
        FULL = "full", _("全面重评")
        CHANGED = "changed", _("仅重评数据有变化的企业")

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


class AlertQuerySet(ScopedQuerySet):
    """A town sees its territory's alerts, a department those assigned to it or in its line."""

    def scope_filter(self, scope: Scope) -> Q:
        q = Q(pk__in=[])
        if scope.town_ids:
            q |= Q(town_id__in=scope.town_ids)
        if scope.unit_id:
            q |= Q(unit_id=scope.unit_id)
        return q | in_line(scope)

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


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("待报送")
    SUBMITTED = "submitted", _("已报送联席办")
    SPECIAL = "special", _("已专题报告区领导")
    CLOSED = "closed", _("已关闭（无群体性风险）")


class ImmediateReportQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q:
        return AlertQuerySet.scope_filter(self, scope)


class ImmediateReport(models.Model):
    """即时报告 (§五(二)): drafted when an IMMEDIATE_* rule fires; the responsible unit records the
    judgement a rule cannot make ("并有可能引发集体上访或群体性事件") and submits it by the deadline;
    the office turns it into a special report (专题报告) to the district leaders."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    alert = models.OneToOneField(
        Alert, verbose_name=_("预警"), on_delete=models.PROTECT, related_name="immediate_report"
    )
    rule = models.CharField(_("规则"), max_length=40)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    facts = models.TextField(_("基本情况"))
    workers = models.PositiveIntegerField(_("涉及人数"), default=0)
    amount = models.BigIntegerField(_("涉及金额（分）"), default=0)
    mass_incident_risk = models.BooleanField(_("有可能引发集体上访或群体性事件"), null=True, blank=True)
    risk_judgement = models.TextField(_("研判意见"), blank=True)
    measures = models.TextField(_("已采取的措施"), blank=True)
    town = models.ForeignKey(
        Town, verbose_name=_("属地"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("条线部门"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField(_("生成时间"))
    due_at = models.DateTimeField(_("报送期限"), db_index=True)
    due_basis = models.CharField(_("期限依据"), max_length=300, blank=True)
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    special_title = models.CharField(_("专题报告标题"), max_length=200, blank=True)
    special_body = models.TextField(_("专题报告正文"), blank=True)
    special_at = models.DateTimeField(_("专题报告时间"), null=True, blank=True)
    closed_reason = models.TextField(_("关闭理由"), blank=True)

    objects = ImmediateReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("即时报告")
        verbose_name_plural = _("即时报告")
        ordering = ["-drafted_at", "-pk"]
        permissions = [
            ("submit_immediatereport", _("可填报即时报告")),
            ("review_immediatereport", _("可审核即时报告、形成专题报告")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(status="closed") | Q(mass_incident_risk__isnull=False),
                name="immediate_report_judged_before_submission",
                violation_error_message=_("报送前须研判是否有可能引发集体上访或群体性事件"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} 即时报告"

    @property
    def is_overdue(self) -> bool:
        return self.status == ReportStatus.DRAFT and self.due_at < timezone.now()


class ImmediateReportEvent(Event):
    """Append-only history of an immediate report."""

    class Action(models.TextChoices):
        DRAFT = "draft", _("生成草稿")
        SAVE = "save", _("填写")
        SUBMIT = "submit", _("报送")
        SPECIAL = "special", _("专题报告区领导")
        CLOSE = "close", _("关闭（无群体性风险）")
        ESCALATE = "escalate", _("逾期上报")

    report = models.ForeignKey(ImmediateReport, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=10, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ReportStatus.choices, blank=True)

    class Meta:
        verbose_name = _("即时报告记录")
        verbose_name_plural = _("即时报告记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


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


class SensitivePeriod(models.Model):
    """A sensitive period declared by the office (敏感时期, §三(一): before the Spring Festival, …):
    every town and member department files a daily report, and follow-ups tighten."""

    name = models.CharField(_("名称"), max_length=60)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    note = models.TextField(_("工作要求"), blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField(_("发布时间"), default=timezone.now)

    class Meta:
        verbose_name = _("敏感时期")
        verbose_name_plural = _("敏感时期")
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="sensitive_period_end_after_start",
                violation_error_message=_("结束日期不能早于开始日期"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_active(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.start <= on <= self.end


class DailyReport(models.Model):
    """One unit's report for one day of a sensitive period (零报告 when there is nothing to report)."""

    period = models.ForeignKey(SensitivePeriod, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    is_zero = models.BooleanField(_("零报告"), default=False)
    content = models.TextField(_("情况"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("敏感时期日报")
        verbose_name_plural = _("敏感时期日报")
        ordering = ["-day", "unit__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "unit", "day"],
                name="daily_report_once",
                violation_error_message=_("本单位当日已报送"),
            ),
            models.CheckConstraint(
                condition=Q(is_zero=True) | ~Q(content=""),
                name="daily_report_content_or_zero",
                violation_error_message=_("请填写情况，或选择零报告"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.day:%Y-%m-%d}"


class MissingDailyReport(models.Model):
    """A day a unit did not report during a sensitive period (flagged once by tick)."""

    period = models.ForeignKey(SensitivePeriod, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    flagged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("敏感时期日报缺报")
        verbose_name_plural = _("敏感时期日报缺报")
        constraints = [
            models.UniqueConstraint(fields=["period", "unit", "day"], name="missing_daily_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.day:%Y-%m-%d}"


class ScreeningCampaign(models.Model):
    """A screening campaign (排查摸底, §四(一)): the office sets the period and the scope (kinds,
    towns); every enterprise in scope becomes a task for its town and its line department
    (条块结合、属地为主)."""

    name = models.CharField(_("名称"), max_length=80)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("截止日期"))
    kinds = models.ManyToManyField(
        "registry.EnterpriseKind", verbose_name=_("企业类型"), blank=True, related_name="+"
    )
    towns = models.ManyToManyField(Town, verbose_name=_("镇/街道"), blank=True, related_name="+")
    note = models.TextField(_("工作要求"), blank=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    launched_at = models.DateTimeField(_("发起时间"), default=timezone.now)

    class Meta:
        verbose_name = _("排查行动")
        verbose_name_plural = _("排查行动")
        ordering = ["-start", "-pk"]
        permissions = [("launch_screeningcampaign", _("可发起排查行动"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="screening_end_after_start",
                violation_error_message=_("截止日期不能早于开始日期"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ScreeningTaskQuerySet(ScopedQuerySet):
    """A town sees its territory's tasks, a department those routed to it or in its line."""

    def scope_filter(self, scope: Scope) -> Q:
        q = Q(pk__in=[])
        if scope.town_ids:
            q |= Q(town_id__in=scope.town_ids)
        if scope.unit_id:
            q |= Q(unit_id=scope.unit_id)
        return q | in_line(scope)


class ScreeningTask(models.Model):
    """One enterprise to screen in a campaign, answered on the form for its kind: the task of its
    town (属地) and of the department responsible for it by duty (条线)."""

    class Result(models.TextChoices):
        PENDING = "pending", _("待排查")
        NORMAL = "normal", _("未发现风险")
        RISK = "risk", _("发现风险")

    campaign = models.ForeignKey(ScreeningCampaign, on_delete=models.PROTECT, related_name="tasks")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="+"
    )
    town = models.ForeignKey(Town, verbose_name=_("属地"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("条线部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("按职责分派的主管部门（§四(一) 条块结合）"),
    )
    result = models.CharField(_("结果"), max_length=8, choices=Result.choices, default=Result.PENDING)
    answers = models.JSONField(_("排查情况"), default=dict)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("排查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("排查时间"), null=True, blank=True)
    signal_id = models.PositiveIntegerField(_("生成的线索"), null=True, blank=True)

    objects = ScreeningTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("排查任务")
        verbose_name_plural = _("排查任务")
        ordering = ["town__order", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "enterprise"],
                name="screening_task_once",
                violation_error_message=_("该企业已在本次排查中"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.enterprise}"
