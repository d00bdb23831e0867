"""The general contractor's monthly payroll (总包代发, 条例 第三十一条) checked against the roster.

Each upload is a :class:`Payroll` (append-only: a corrected file is a new version of the month, the
latest is the month's); its rows are :class:`PayrollLine`; what the check found, worker by worker, is
:class:`Finding`. :class:`PayrollMonth` is the project's month as the construction line reads it —
按时足额 / 有差异 / 未报送 — with the stored dates by which the payroll was due (DESIGN rule 5) and the
signals it raised."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.crypto import EncryptedTextField
from anxin.core.validators import mask_id_number
from anxin.intake.models import Signal
from anxin.registry.models import Enterprise, Project
from anxin.sites.models.roster import ProjectScopedQuerySet, RosterEntry


class MonthStatus(models.TextChoices):
    PENDING = "pending", _("待报送")  # the month is not over, or its report day has not passed
    OK = "ok", _("按时足额")
    DIFF = "diff", _("有差异")
    MISSING = "missing", _("未报送")


class Door(models.TextChoices):
    SCREEN = "screen", _("页面上传")
    IMPORT = "import", _("批量导入")
    API = "api", _("接口报送")


class PayrollMonth(models.Model):
    """One project's one month (``month`` is its first day)."""

    project = models.ForeignKey(
        Project, verbose_name=_("工程项目"), on_delete=models.PROTECT, related_name="payroll_months"
    )
    month = models.DateField(_("月份"))
    status = models.CharField(
        _("状态"), max_length=10, choices=MonthStatus.choices, default=MonthStatus.PENDING
    )
    payroll = models.ForeignKey(
        "Payroll",
        verbose_name=_("当前工资表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    report_due_on = models.DateField(_("报送期限"), db_index=True)
    pay_due_on = models.DateField(_("发放期限"))
    basis = models.JSONField(_("期限依据"), default=dict, blank=True)
    missing_signal = models.ForeignKey(
        Signal,
        verbose_name=_("未报送线索"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    short_signal = models.ForeignKey(
        Signal,
        verbose_name=_("未足额线索"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目月度工资发放")
        verbose_name_plural = _("项目月度工资发放")
        ordering = ["project", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "month"],
                name="sites_payroll_month_once",
                violation_error_message=_("本项目该月份已有记录"),
            ),
        ]
        indexes = [models.Index(fields=["status", "month"], name="sites_month_status")]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m}"


class Payroll(models.Model):
    """One upload of a month's payroll (工资发放表) by or for the general contractor. Append-only."""

    project = models.ForeignKey(
        Project, verbose_name=_("工程项目"), on_delete=models.PROTECT, related_name="payrolls"
    )
    month = models.DateField(_("月份"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    contractor = models.ForeignKey(
        Enterprise, verbose_name=_("代发单位（施工总承包）"), on_delete=models.PROTECT, related_name="+"
    )
    door = models.CharField(_("报送方式"), max_length=10, choices=Door.choices, default=Door.SCREEN)
    status = models.CharField(_("核对结果"), max_length=10, choices=MonthStatus.choices)
    rows = models.PositiveIntegerField(_("人数"), default=0)
    due_total = models.BigIntegerField(_("应发合计（分）"), default=0)
    paid_total = models.BigIntegerField(_("实发合计（分）"), default=0)
    short_workers = models.PositiveIntegerField(_("未足额人数"), default=0)
    short_amount = models.BigIntegerField(_("未足额金额（分）"), default=0)
    missing_workers = models.PositiveIntegerField(_("在册未列入人数"), default=0)
    late_workers = models.PositiveIntegerField(_("逾期发放人数"), default=0)
    unrostered_workers = models.PositiveIntegerField(_("未在册人数"), default=0)
    basis = models.JSONField(_("核对依据"), default=dict, blank=True)  # the parameters used, with clause
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("工资发放表")
        verbose_name_plural = _("工资发放表")
        ordering = ["project", "-month", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "month", "version"],
                name="sites_payroll_version_once",
                violation_error_message=_("本项目该月份的这一版本已存在"),
            ),
            models.CheckConstraint(
                condition=Q(due_total__gte=0) & Q(paid_total__gte=0) & Q(short_amount__gte=0),
                name="sites_payroll_totals_not_negative",
                violation_error_message=_("金额不能为负数"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m} 第{self.version}版"


class PayrollLine(models.Model):
    """One worker's row of a payroll, as uploaded (ID number encrypted; the roster entry it matched)."""

    payroll = models.ForeignKey(
        Payroll, verbose_name=_("工资发放表"), on_delete=models.PROTECT, related_name="lines"
    )
    row = models.PositiveIntegerField(_("行号"))
    roster = models.ForeignKey(
        RosterEntry,
        verbose_name=_("花名册"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lines",
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号码"))
    id_number_index = models.CharField(max_length=64, db_index=True, editable=False)
    days = models.DecimalField(_("出勤天数"), max_digits=4, decimal_places=1)
    due = models.BigIntegerField(_("应发（分）"))
    paid = models.BigIntegerField(_("实发（分）"))
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("工资发放明细")
        verbose_name_plural = _("工资发放明细")
        ordering = ["payroll", "row"]
        constraints = [
            models.UniqueConstraint(
                fields=["payroll", "id_number_index"],
                name="sites_payroll_line_worker_once",
                violation_error_message=_("同一劳动者在一份工资表中只能出现一次"),
            ),
            models.CheckConstraint(
                condition=Q(due__gte=0) & Q(paid__gte=0) & Q(days__gte=0),
                name="sites_payroll_line_not_negative",
                violation_error_message=_("出勤天数和金额不能为负数"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.payroll.month:%Y-%m}"

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def shortfall(self) -> int:
        return max(self.due - self.paid, 0)


class FindingKind(models.TextChoices):
    MISSING = "missing", _("在册未发放")  # on the roster that month, not on the payroll
    SHORT = "short", _("未足额发放")  # paid less than due
    LATE = "late", _("逾期发放")  # paid after the pay day (or not yet paid)
    UNROSTERED = "unrostered", _("未在花名册")  # on the payroll, not on the roster that month


class Finding(models.Model):
    """What the check found about one worker in one payroll, with the figures."""

    payroll = models.ForeignKey(
        Payroll, verbose_name=_("工资发放表"), on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.CharField(_("问题"), max_length=12, choices=FindingKind.choices)
    roster = models.ForeignKey(
        RosterEntry,
        verbose_name=_("花名册"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    line = models.ForeignKey(
        PayrollLine, verbose_name=_("明细"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    due = models.BigIntegerField(_("应发（分）"), default=0)
    paid = models.BigIntegerField(_("实发（分）"), default=0)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    text = models.CharField(_("说明"), max_length=300)

    class Meta:
        verbose_name = _("核对问题")
        verbose_name_plural = _("核对问题")
        ordering = ["payroll", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.name}：{self.get_kind_display()}"

    @property
    def shortfall(self) -> int:
        return max(self.due - self.paid, 0)


class MonthAction(models.TextChoices):
    OK = "ok", _("报送：按时足额")
    DIFF = "diff", _("报送：有差异")
    MISS = "miss", _("逾期未报送")


class PayrollMonthEvent(models.Model):
    """Append-only history of a project's month: each upload's result (from → to) and the sweep's
    未报送, who and when (DESIGN rule 4; the status moves through ``core.transitions``)."""

    month = models.ForeignKey(PayrollMonth, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("事项"), max_length=6, choices=MonthAction.choices)
    from_status = models.CharField(_("原状态"), max_length=10, choices=MonthStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=10, choices=MonthStatus.choices)
    payroll = models.ForeignKey(
        Payroll,
        verbose_name=_("工资发放表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("月度工资发放记录")
        verbose_name_plural = _("月度工资发放记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.month} {self.get_action_display()}"
