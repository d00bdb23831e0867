"""Notifications: what a user finds in their inbox, and the SMS messages sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.subject


class SmsStatus(models.TextChoices):
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class SmsMessage(models.Model):
    """An SMS handed to the configured gateway (the default backend writes it to a log file)."""

    phone_masked = models.CharField(_("手机号（脱敏）"), max_length=20)
    text = models.CharField(_("内容"), max_length=500)
    topic = models.CharField(_("类别"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=SmsStatus.choices)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    backend = models.CharField(_("通道"), max_length=100)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("短信")
        verbose_name_plural = _("短信")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.phone_masked} {self.text[:20]}"
