"""The real-name roster (实名制, 条例 第二十八条) and the wage special account (第二十六条)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.access import ScopedQuerySet
from anxin.core.crypto import EncryptedTextField
from anxin.core.validators import mask_id_number, mask_phone
from anxin.registry.models import Enterprise, Project


class ProjectScopedQuerySet(ScopedQuerySet):
    """Rows of a project: a user sees them when they see the project (its town, or its line)."""

    def for_user(self, user):
        return self.filter(project__in=Project.objects.for_user(user).values("pk"))


class RosterEntry(models.Model):
    """One worker on one project's roster for one stretch of work (进场 → 退场).

    A worker is on a project once at a time: two open entries with the same ID number cannot exist
    (database), and a new stretch cannot overlap an earlier one (service). ID number and phone are
    encrypted at rest with blind indexes for lookup; the employer is the general contractor or one
    of the project's subcontractors (总承包企业负总责、分包企业负直接责任)."""

    project = models.ForeignKey(
        Project, verbose_name=_("工程项目"), on_delete=models.PROTECT, related_name="roster"
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号码"))
    id_number_index = models.CharField(max_length=64, db_index=True, editable=False)
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    employer = models.ForeignKey(
        Enterprise, verbose_name=_("用工单位"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.CharField(_("班组"), max_length=50, blank=True)
    trade = models.CharField(_("工种"), max_length=50, blank=True)
    start_date = models.DateField(_("进场日期"))
    leave_date = models.DateField(_("退场日期"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("实名制花名册")
        verbose_name_plural = _("实名制花名册")
        ordering = ["project", "employer", "team", "name", "pk"]
        permissions = [
            ("manage_roster", _("可维护实名制花名册、工资专用账户和工资发放")),
            ("export_roster", _("可导出花名册和工资发放台账")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "id_number_index"],
                condition=Q(leave_date__isnull=True),
                name="sites_roster_once_per_project",
                violation_error_message=_("该劳动者（同一身份证号）已在本项目花名册中，尚未退场"),
            ),
            models.CheckConstraint(
                condition=Q(leave_date__isnull=True) | Q(leave_date__gte=models.F("start_date")),
                name="sites_roster_leave_after_start",
                violation_error_message=_("退场日期不能早于进场日期"),
            ),
        ]
        indexes = [models.Index(fields=["project", "id_number_index"], name="sites_roster_project_id")]

    def __str__(self) -> str:
        return f"{self.name}（{self.project}）"

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def on_site_in(self, first: object, last: object) -> bool:
        """Whether the stretch overlaps the days ``first``..``last`` (a month)."""
        return self.start_date <= last and (self.leave_date is None or self.leave_date >= first)  # type: ignore[operator]


class SpecialAccount(models.Model):
    """The project's wage special account (农民工工资专用账户, 条例 第二十六条), opened by the general
    contractor; the account number is encrypted and shown masked."""

    project = models.OneToOneField(
        Project, verbose_name=_("工程项目"), on_delete=models.PROTECT, related_name="special_account"
    )
    bank = models.CharField(_("开户银行"), max_length=100)
    account = EncryptedTextField(_("账号"))
    opened_on = models.DateField(_("开户日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("农民工工资专用账户")
        verbose_name_plural = _("农民工工资专用账户")

    def __str__(self) -> str:
        return f"{self.bank} {self.account_masked}"

    @property
    def account_masked(self) -> str:
        digits = (self.account or "").replace(" ", "")
        if len(digits) <= 8:
            return "*" * len(digits)
        return f"{digits[:4]}{'*' * (len(digits) - 8)}{digits[-4:]}"


class AccountEventKind(models.TextChoices):
    FIRST = "first", _("首次登记")
    CHANGE = "change", _("变更")


class SpecialAccountEvent(models.Model):
    """One recording of a project's special account, append-only: the first one, then each change
    with its reason (who, when, the bank, the masked account and the opening day as recorded)."""

    project = models.ForeignKey(
        Project, verbose_name=_("工程项目"), on_delete=models.PROTECT, related_name="special_account_events"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=AccountEventKind.choices)
    bank = models.CharField(_("开户银行"), max_length=100)
    account_masked = models.CharField(_("账号（脱敏）"), max_length=40)
    opened_on = models.DateField(_("开户日期"))
    reason = models.CharField(_("变更理由"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("工资专用账户登记记录")
        verbose_name_plural = _("工资专用账户登记记录")
        ordering = ["project", "-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()} {self.at:%Y-%m-%d}"


class AccountFlag(models.Model):
    """The once-only notice that a project still had no special account past its deadline
    (``site.account_days`` after its start): when it was raised, the deadline and the parameter used."""

    project = models.OneToOneField(
        Project, verbose_name=_("工程项目"), on_delete=models.PROTECT, related_name="account_flag"
    )
    due_on = models.DateField(_("开户期限"))
    flagged_at = models.DateTimeField(_("提示时间"), default=timezone.now)
    basis = models.JSONField(_("依据"), default=dict, blank=True)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("未开专户提示")
        verbose_name_plural = _("未开专户提示")

    def __str__(self) -> str:
        return f"{self.project} 未开专户（期限 {self.due_on:%Y-%m-%d}）"
