"""Shared kernel data: policy parameters, the working-day calendar and security events."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """An append-only record of something done to a piece of district work (a signal, an alert,
    a report, a watch entry, a case): who, when, and what was said. Subclasses add the object,
    the action and any from → to."""

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
        abstract = True


class StoredFile(models.Model):
    """A file kept with a record (a signal's attachment, a case's paper): checked by its content
    before it is stored, named by an unguessable token, never by the uploader's file name. The
    subclass adds ``file`` with its own ``upload_to`` (the apps keep their files apart)."""

    token = models.CharField(max_length=32, unique=True, editable=False)
    extension = models.CharField(max_length=8, editable=False)
    content_type = models.CharField(_("类型"), max_length=60)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    @property
    def download_only(self) -> bool:
        """A kind browsers may not show (an iPhone's HEIC photo): offered as a download."""
        from anxin.core.uploads import DOWNLOAD_ONLY

        return self.content_type in DOWNLOAD_ONLY


class TimeStampedModel(models.Model):
    """Base for district data: when a row was created and last changed."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class ParameterType(models.TextChoices):
    INT = "int", _("整数")
    DECIMAL = "decimal", _("小数")
    MONEY = "money", _("金额（分）")
    BOOL = "bool", _("是/否")
    TEXT = "text", _("文本")


class PolicyParameter(models.Model):
    """One value of a policy parameter, in force from a date until the next value of the same code.

    A threshold, deadline or rate taken from the implementation opinions or a regulation. Rows
    are never edited: a change is a new row with a later ``effective_from`` (DESIGN rule 1), so
    any decision can say which value it used.
    """

    code = models.CharField(_("参数代码"), max_length=64, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    value = models.CharField(_("取值"), max_length=200)
    value_type = models.CharField(_("类型"), max_length=10, choices=ParameterType.choices)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    effective_from = models.DateField(_("生效日期"))
    citation = models.CharField(_("依据"), max_length=200)
    note = models.TextField(_("说明"), blank=True)
    to_confirm = models.BooleanField(
        _("待确认"), default=False, help_text=_("取自外地做法或二手资料，需本区确认")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "effective_from"],
                name="policyparameter_one_value_per_day",
                violation_error_message=_("同一参数在同一生效日期只能有一个取值"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}={self.value}{self.unit}（{self.effective_from}起）"

    @property
    def typed_value(self) -> int | Decimal | bool | str:
        return parse_parameter_value(self.value_type, self.value)

    def as_evidence(self) -> dict:
        """What a decision stores about the value it used."""
        return {
            "code": self.code,
            "value": self.value,
            "unit": self.unit,
            "effective_from": self.effective_from.isoformat(),
            "citation": self.citation,
            "parameter_id": self.pk,
        }


def parse_parameter_value(value_type: str, raw: str) -> int | Decimal | bool | str:
    if value_type in (ParameterType.INT, ParameterType.MONEY):
        return int(raw)
    if value_type == ParameterType.DECIMAL:
        return Decimal(raw)
    if value_type == ParameterType.BOOL:
        text = raw.strip().lower()
        if text in {"1", "true", "yes", "是"}:
            return True
        if text in {"0", "false", "no", "否"}:
            return False
        raise ValueError(f"not a yes/no value: {raw!r}")
    return raw


class CalendarDay(models.Model):
    """One calendar day of the working-day calendar: a working day or not, and why.

    Seeded from the ``chinesecalendar`` package (法定节假日 and 调休 make-up days) for the years it
    knows; the office may correct a day. A year with no rows has no calendar: working-day
    arithmetic refuses it rather than guess.
    """

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinesecalendar 数据")
        OFFICE = "office", _("联席办维护")

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    name = models.CharField(_("说明"), max_length=50, blank=True, help_text=_("节日名称或“调休上班”"))
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.PACKAGE)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'工作日' if self.is_workday else '休息日'}"


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账户锁定")
    UNLOCK = "unlock", _("锁定解除")
    LOGOUT = "logout", _("退出")
    IDLE_TIMEOUT = "idle_timeout", _("超时退出")
    EXPORT = "export", _("数据导出")
    IMPORT = "import", _("数据导入")
    PERMISSION_CHANGE = "permission_change", _("权限变更")
    PARAMETER_CHANGE = "parameter_change", _("参数变更")
    CALENDAR_CHANGE = "calendar_change", _("工作日历变更")
    TOKEN_ISSUED = "token_issued", _("签发接口令牌")
    SENSITIVE_VIEW = "sensitive_view", _("查看敏感信息")
    PASSWORD_SET = "password_set", _("管理员设置密码")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    ACCOUNT_STATUS = "account_status", _("账户启用/停用")
    TOKEN_REVOKED = "token_revoked", _("接口令牌吊销")
    RECOVERY = "recovery", _("运维应急恢复")


class SecurityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("安全事件只能追加，不能修改")

    def delete(self):
        raise TypeError("安全事件只能追加，不能删除")


class SecurityEvent(models.Model):
    """An append-only record of a security-relevant act: who, when, from where, what.

    Kept apart from the field-level audit log so the 安全管理员 and 审计员 can read it without
    access to district data.
    """

    kind = models.CharField(_("类型"), max_length=30, choices=SecurityEventKind.choices, db_index=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True, on_delete=models.PROTECT
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全事件")
        verbose_name_plural = _("安全事件")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("安全事件只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("安全事件只能追加，不能删除")


# --- one submission per form, one answer per idempotency key (anxin.core.once; issue #13) ---------------


class FormOnce(models.Model):
    """A submitted HTML form's one-time token: the first POST that carried it inserts this row
    (the token is unique), so a second POST of the same form — a double click, a reload, a tab
    sent twice — finds it taken and is not run again; it is sent where the first one went.

    Not district data: rows are purged by ``tick`` once the token itself has expired."""

    token = models.CharField(_("表单令牌"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True, on_delete=models.CASCADE
    )
    path = models.CharField(_("提交地址"), max_length=300)
    consumed_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("处理完成时间"), null=True, blank=True)
    result_url = models.CharField(_("处理后转到"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("一次性表单令牌")
        verbose_name_plural = _("一次性表单令牌")

    def __str__(self) -> str:
        return f"{self.path} {self.consumed_at:%Y-%m-%d %H:%M}"


class IdempotentRequest(models.Model):
    """An API write sent with an ``Idempotency-Key``: the first request's answer (status, type,
    body), kept so that a repeat with the same key gets the same answer without running again.

    One row per user, key, method and path (``scope`` is the hash of method and path); the hash
    of the body tells a true repeat from a different request reusing the key. Purged by ``tick``
    after ``ONCE_IDEMPOTENCY_HOURS``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE)
    key = models.CharField(_("幂等键"), max_length=255)
    scope = models.CharField(_("方法与路径摘要"), max_length=64)
    method = models.CharField(_("方法"), max_length=8)
    path = models.CharField(_("路径"), max_length=300)
    body_hash = models.CharField(_("请求体摘要"), max_length=64)
    created_at = models.DateTimeField(_("首次请求时间"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("处理完成时间"), null=True, blank=True)
    status = models.PositiveSmallIntegerField(_("响应状态"), null=True, blank=True)
    content_type = models.CharField(_("响应类型"), max_length=100, blank=True)
    body = models.BinaryField(_("响应内容"), default=b"", blank=True)

    class Meta:
        verbose_name = _("幂等请求")
        verbose_name_plural = _("幂等请求")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key", "scope"],
                name="idempotent_request_once",
                violation_error_message=_("该幂等键已用于同一接口"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.key}"


class ExchangeDirection(models.TextChoices):
    """Which way a bundle of the file exchange crosses the zone boundary (docs/operations.md §15.4)."""

    REPORTS = "reports", _("门户→内网（反映和门户上的操作）")
    STATUS = "status", _("内网→门户（办理状态和门户读的副本）")


class ExchangeBundle(models.Model):
    """One bundle of the file exchange across the zone boundary (``manage.py portal_exchange``), as
    this side exported or imported it: its direction and sequence number, the zip's SHA-256, how
    many rows each part carried, when, by which command. The operator's history of the exchange;
    the exporter's marks (where the next export of each part starts) are kept here too.

    Written once by the command and never edited (the admin shows it read-only)."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")

    direction = models.CharField(_("方向"), max_length=8, choices=ExchangeDirection.choices)
    kind = models.CharField(_("导出/导入"), max_length=6, choices=Kind.choices)
    sequence = models.PositiveIntegerField(_("序号"))
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    file_name = models.CharField(_("文件名"), max_length=200)
    source_host = models.CharField(_("导出主机"), max_length=100)
    created_at = models.DateTimeField(_("包的生成时间"))
    done_at = models.DateTimeField(_("本机导出/导入时间"), default=timezone.now)
    counts = models.JSONField(_("各部分条数"), default=dict)
    applied = models.JSONField(_("导入时实际写入"), default=dict, blank=True)
    marks = models.JSONField(_("下次导出的起点"), default=dict, blank=True)
    acknowledges = models.PositiveIntegerField(_("内网已导入的反映包序号"), null=True, blank=True)
    command = models.CharField(_("命令"), max_length=300)
    warning = models.CharField(_("警告"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("跨区摆渡文件包")
        verbose_name_plural = _("跨区摆渡文件包")
        ordering = ["-done_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["direction", "kind", "sequence"],
                name="exchange_bundle_once",
                violation_error_message=_("该方向的该序号已导出或导入过"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} #{self.sequence}（{self.get_kind_display()}）"
