"""Notifications: what a user finds in their inbox, and the SMS messages sent."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.core.crypto import EncryptedTextField


class Notification(models.Model):
    """One message in one user's inbox (a notice to a unit is fanned out to its active users)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    topic = models.CharField(_("类别"), max_length=40, blank=True)
    about = models.CharField(
        _("涉及"),
        max_length=100,
        blank=True,
        help_text=_("通知涉及的企业（或事项）名称：收件箱按类别和企业分组"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.subject


# The Chinese names of the categories apps send SMS under (the code is shown for any other).
TOPIC_LABELS = {
    "portal": "网上反映",
    "alert": "预警",
    "alert-overdue": "预警逾期",
    "immediate-report": "即时报告",
    "special-report": "专题报告",
    "leader-instruction": "领导批示",
    "screening": "排查",
    "sensitive": "敏感时期",
    "sensitive-missing": "敏感时期未报",
    "watch": "重点监控",
    "watch-overdue": "回访逾期",
    "signal": "线索",
    "signal-overdue": "线索逾期",
    "signal-urge": "线索督办",
    "case": "案件",
    "case-due": "案件期限",
    "case-overdue": "案件逾期",
    "case-incident": "突发事件",
    "case-copy": "案件抄送",
    "case-instalment": "分期履行",
    "case-instalment-missed": "分期未履行",
    "fund-advance": "应急周转金",
    "fund-overdue": "周转金逾期未归还",
    "case-order-lapsed": "措施失效",
}


def topic_label(topic: str) -> str:
    return TOPIC_LABELS.get(topic, topic)


class PendingNotice(models.Model):
    """A notice to units or users written by a process that may not read the accounts (the internet
    zone's portal, ``settings.NOTICES_DEFERRED``): the internal zone's tick fans it out to the
    inboxes (``pending_notices_deliver``) and deletes it."""

    unit_ids = models.JSONField(default=list)
    user_ids = models.JSONField(default=list)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    topic = models.CharField(max_length=40, blank=True)
    sms = models.BooleanField(default=False)
    about = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("待分发通知")
        verbose_name_plural = _("待分发通知")

    def __str__(self) -> str:
        return self.subject


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class SmsMessage(models.Model):
    """One text message to one mobile number: queued in the transaction that caused it, sent to
    the configured gateway by the task worker (the default backend writes it to a log file), tried
    again after a failure, and kept here as the outbox the office reads (number masked).

    The full number is kept, encrypted, only until the message is sent: the worker needs it, and
    so does 重新发送 after a final failure."""

    phone_masked = models.CharField(_("手机号（脱敏）"), max_length=20)
    phone = EncryptedTextField(_("手机号"), blank=True)
    text = models.CharField(_("内容"), max_length=500)
    topic = models.CharField(_("类别"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_try_at = models.DateTimeField(_("下次发送时间"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    backend = models.CharField(_("通道"), max_length=100)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("重新发送人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resent_at = models.DateTimeField(_("重新发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信")
        verbose_name_plural = _("短信")
        ordering = ["-created_at", "-pk"]
        permissions = [("resend_smsmessage", _("可以重新发送发送失败的短信"))]
        indexes = [
            # The sweep's question: queued messages whose next try is due.
            models.Index(fields=["status", "next_try_at"], name="sms_due"),
            models.Index(fields=["created_at"], name="sms_created"),
        ]

    def __str__(self) -> str:
        return f"{self.phone_masked} {self.text[:20]}"

    @property
    def topic_display(self) -> str:
        return topic_label(self.topic)

    @property
    def text_masked(self) -> str:
        """The text as the outbox shows it: a worker's 查询码 (with the phone number, the key to
        their case's page) is cut to its first four characters."""
        return _LONG_CODE.sub(lambda m: m.group(0)[:4] + "*" * (len(m.group(0)) - 4), self.text)


# A run of 12 or more letters and digits: a tracking code or a token, never a word of a notice.
_LONG_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{12,}(?![A-Za-z0-9])")
