"""The site's rights notice board (维权信息告示牌, 条例 第三十四条) and the worker's own look at their
《农民工劳动计酬手册》 on the public portal (§三(九)).

:class:`SiteContact` is who answers for wages on the site, as the board shows them (项目负责人,
劳资专管员, with phones). :class:`HandbookCode` is a one-use SMS code that lets a worker, by their ID
number, read their own months; :class:`HandbookLimit` counts the portal's handbook requests per
source address in hourly windows (the row a request locks, so the limit holds under concurrency)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.crypto import EncryptedTextField
from anxin.registry.models import Project
from anxin.sites.models.roster import ProjectScopedQuerySet


class ContactRole(models.TextChoices):
    MANAGER = "manager", _("项目负责人")
    WAGE_CLERK = "wage_clerk", _("劳资专管员")


class SiteContact(models.Model):
    """One person who answers for the project's wages on site, as the notice board names them."""

    project = models.ForeignKey(
        Project, verbose_name=_("工程项目"), on_delete=models.PROTECT, related_name="site_contacts"
    )
    role = models.CharField(_("职责"), max_length=12, choices=ContactRole.choices)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目维权联系人")
        verbose_name_plural = _("项目维权联系人")
        ordering = ["project", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "role"],
                name="sites_contact_once_per_role",
                violation_error_message=_("本项目该职责已登记联系人"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class HandbookCode(models.Model):
    """A one-use code sent by SMS to the phone a worker is rostered with: stored hashed, expiring
    (``handbook.code_minutes``), void after five wrong tries. Deleted a day after it expires."""

    id_index = models.CharField(max_length=64, db_index=True)  # blind index of the ID number
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("计酬手册查询验证码")
        verbose_name_plural = _("计酬手册查询验证码")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M}"


class HandbookLimit(models.Model):
    """How many handbook requests (``send``: a code asked for; ``fail``: a wrong code or ID) one
    source address made in one hour (``window`` is the hour's start). The request locks this row
    before counting, so requests fired at once are counted one after the other."""

    class Action(models.TextChoices):
        SEND = "send", _("获取验证码")
        FAIL = "fail", _("验证失败")

    ip_hash = models.CharField(max_length=64)
    action = models.CharField(max_length=8, choices=Action.choices)
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("计酬手册查询频次")
        verbose_name_plural = _("计酬手册查询频次")
        constraints = [
            models.UniqueConstraint(fields=["ip_hash", "action", "window"], name="sites_handbook_limit_once"),
            models.CheckConstraint(condition=Q(count__gte=0), name="sites_handbook_limit_count"),
        ]
        indexes = [models.Index(fields=["window"], name="sites_handbook_limit_window")]

    def __str__(self) -> str:
        return f"{self.action} {self.window:%Y-%m-%d %H:%M} {self.count}"


class PortalHandbook(models.Model):
    """One worker's 计酬手册 as the internet zone's portal shows it, written by the internal zone's
    tick (``handbook_services.portal_handbooks_refresh``): the portal's database role reads no
    roster, payroll or enterprise. Keyed by the blind index of the ID number (no ID number, only its
    masked form); ``books`` holds what the worker's page shows, project by project and month by
    month; ``phone`` (encrypted) is where the code is sent — the newest stretch's phone, as
    ``handbook_code_request`` picks it. Under the portal's role a row is visible only when the
    connection names its index (row-level security, deploy/portal-role.sql)."""

    id_index = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=50)
    id_masked = models.CharField(max_length=30)
    phone = EncryptedTextField(blank=True)
    books = models.JSONField(default=list)
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("劳动计酬手册（互联网区副本）")
        verbose_name_plural = _("劳动计酬手册（互联网区副本）")

    def __str__(self) -> str:
        return self.name
