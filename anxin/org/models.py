"""The district's organisation (§二 组织架构, §三 职责分工): towns, units, duties, users."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.core.access import NO_SCOPE, Scope


class TownKind(models.TextChoices):
    TOWN = "town", _("镇")
    SUBDISTRICT = "subdistrict", _("街道")


class Town(models.Model):
    """A town (镇) or sub-district (街道): the territory (属地) that handles disputes first."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=TownKind.choices)
    public_phone = models.CharField(
        _("对外联系电话"),
        max_length=40,
        blank=True,
        help_text=_("群众查询页和短信中显示的受理电话（区配置文件）"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("镇/街道")
        verbose_name_plural = _("镇/街道")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    OFFICE = "office", _("联席办")
    LEADERSHIP = "leadership", _("区领导")
    DEPARTMENT = "department", _("成员单位")
    TOWN_GOVERNMENT = "town_government", _("镇/街道")
    SYSTEM = "system", _("系统运维")


class Unit(models.Model):
    """A unit of the network: the office (联席办), a member department, a town's government."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    full_name = models.CharField(
        _("全称"),
        max_length=80,
        blank=True,
        help_text=_("公文落款和文书抬头使用的机关全称，如 常州市新北区人力资源和社会保障局（区配置文件）"),
    )
    public_phone = models.CharField(
        _("对外联系电话"),
        max_length=40,
        blank=True,
        help_text=_("群众查询页和短信中显示的受理电话（区配置文件）"),
    )
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    town = models.OneToOneField(
        Town,
        verbose_name=_("所辖镇/街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit",
    )
    citation = models.CharField(_("职责依据"), max_length=50, blank=True, help_text=_("如 §三(九)"))
    is_member = models.BooleanField(_("联席会议成员单位"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="town_government", town__isnull=False)
                | (~models.Q(kind="town_government") & models.Q(town__isnull=True)),
                name="unit_town_iff_town_government",
                violation_error_message=_("镇/街道单位必须对应一个镇/街道，其他单位不得对应"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def official_name(self) -> str:
        """The name a document is issued under: the full name from the district file, else the name."""
        return self.full_name or self.name


class Duty(models.Model):
    """One duty of a unit under §三, as data: what kind of work it answers for.

    The ``line_*`` fields define the department's line (条线) for access: the enterprise kinds
    (by code) and the project supervisors (by code) whose records the unit sees. A duty with
    none of them is a routing duty only (e.g. 公安分局 for criminal referrals).
    """

    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("职责"), max_length=100)
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="duties"
    )
    citation = models.CharField(_("依据"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    line_all_enterprises = models.BooleanField(_("条线覆盖全部企业"), default=False)
    line_enterprise_kinds = models.JSONField(_("条线企业类型"), default=list, blank=True)
    line_all_projects = models.BooleanField(_("条线覆盖全部工程项目"), default=False)
    line_project_supervisors = models.JSONField(_("条线工程项目主管"), default=list, blank=True)

    class Meta:
        verbose_name = _("职责")
        verbose_name_plural = _("职责")
        ordering = ["unit__order", "code"]

    def __str__(self) -> str:
        return f"{self.unit.name}：{self.name}"


class Role(models.TextChoices):
    """Roles, each backed by a Django group of the same name (its permissions)."""

    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITOR = "auditor", _("审计员")
    OFFICE = "office", _("联席办")
    LEADER = "leader", _("区领导")
    DEPARTMENT = "department", _("部门用户")
    TOWN = "town", _("镇街用户")


# Which unit kinds a role may belong to.
ROLE_UNIT_KINDS = {
    Role.SYSADMIN: {UnitKind.SYSTEM, UnitKind.OFFICE},
    Role.SECADMIN: {UnitKind.SYSTEM, UnitKind.OFFICE},
    Role.AUDITOR: {UnitKind.SYSTEM, UnitKind.OFFICE},
    Role.OFFICE: {UnitKind.OFFICE},
    Role.LEADER: {UnitKind.LEADERSHIP},
    Role.DEPARTMENT: {UnitKind.DEPARTMENT},
    Role.TOWN: {UnitKind.TOWN_GOVERNMENT},
}

SEES_EVERYTHING = {Role.OFFICE, Role.LEADER, Role.AUDITOR}


class User(AbstractUser):
    """A person who signs in: a civil servant of one unit, with one role."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    # A password set by someone else (an administrator, a command) is one-time: until the user
    # changes it, every page leads to the password change and the API refuses (三员分立).
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    password_set_by = models.ForeignKey(
        "self",
        verbose_name=_("密码设置人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    password_set_at = models.DateTimeField(_("密码设置时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        permissions = [
            ("assign_role", _("可分配角色")),
            ("manage_admin_accounts", _("可管理系统管理员、安全管理员、审计员账户")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="") | models.Q(unit__isnull=False),
                name="user_with_role_has_unit",
                violation_error_message=_("有角色的用户必须属于一个单位"),
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    @cached_property
    def duty_codes(self) -> frozenset[str]:
        """The codes of the user's unit's duties (§三 as data): the work the unit does — which
        home cards and menu entries it gets. Computed once per request."""
        if not self.unit_id:
            return frozenset()
        return frozenset(Duty.objects.filter(unit_id=self.unit_id).values_list("code", flat=True))

    @cached_property
    def scope(self) -> Scope:
        """What this user may see (DESIGN rule 3); computed once per request."""
        from anxin.core.access import is_system

        if is_system(self):
            return Scope(everything=True)
        if not self.is_active or not self.role:
            return NO_SCOPE
        if self.role in SEES_EVERYTHING:
            return Scope(everything=True, unit_id=self.unit_id)
        if self.role == Role.TOWN and self.unit and self.unit.town_id:
            return Scope(town_ids=frozenset({self.unit.town_id}), unit_id=self.unit_id)
        if self.role == Role.DEPARTMENT and self.unit_id:
            duties = list(Duty.objects.filter(unit_id=self.unit_id))
            kinds: set[str] = set()
            supervisors: set[str] = set()
            for duty in duties:
                kinds.update(duty.line_enterprise_kinds or [])
                supervisors.update(duty.line_project_supervisors or [])
            return Scope(
                all_enterprises=any(d.line_all_enterprises for d in duties),
                enterprise_kind_codes=frozenset(kinds),
                all_projects=any(d.line_all_projects for d in duties),
                project_supervisor_codes=frozenset(supervisors),
                unit_id=self.unit_id,
            )
        return NO_SCOPE
