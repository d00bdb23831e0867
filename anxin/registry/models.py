"""The registry: enterprises, construction projects and workers (§四(一) 全面调查摸底)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet, scope_of
from anxin.core.crypto import EncryptedTextField
from anxin.core.models import TimeStampedModel
from anxin.core.validators import mask_id_number, mask_phone, uscc_validator
from anxin.org.models import Town, Unit


class EnterpriseKind(models.Model):
    """A kind of employer the opinions name (工业企业, 建筑施工, 劳务派遣…); an enterprise has several."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    citation = models.CharField(_("依据"), max_length=50, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("企业类型")
        verbose_name_plural = _("企业类型")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class ProjectSupervisor(models.Model):
    """The department line that supervises a construction project (城建, 水利, 交通)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("主管单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("项目主管部门")
        verbose_name_plural = _("项目主管部门")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Industry(models.TextChoices):
    """门类 of 国民经济行业分类 (GB/T 4754-2017)."""

    A = "A", _("A 农、林、牧、渔业")
    B = "B", _("B 采矿业")
    C = "C", _("C 制造业")
    D = "D", _("D 电力、热力、燃气及水生产和供应业")
    E = "E", _("E 建筑业")
    F = "F", _("F 批发和零售业")
    G = "G", _("G 交通运输、仓储和邮政业")
    H = "H", _("H 住宿和餐饮业")
    I = "I", _("I 信息传输、软件和信息技术服务业")  # noqa: E741
    J = "J", _("J 金融业")
    K = "K", _("K 房地产业")
    L = "L", _("L 租赁和商务服务业")
    M = "M", _("M 科学研究和技术服务业")
    N = "N", _("N 水利、环境和公共设施管理业")
    O = "O", _("O 居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("P 教育")
    Q = "Q", _("Q 卫生和社会工作")
    R = "R", _("R 文化、体育和娱乐业")
    S = "S", _("S 公共管理、社会保障和社会组织")
    T = "T", _("T 国际组织")


class Ownership(models.TextChoices):
    STATE = "state", _("国有")
    COLLECTIVE = "collective", _("集体")
    PRIVATE = "private", _("私营")
    FOREIGN = "foreign", _("外商投资")
    HMT = "hmt", _("港澳台投资")
    INDIVIDUAL = "individual", _("个体工商户")
    OTHER = "other", _("其他")


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("在营")
    SUSPENDED = "suspended", _("停产")
    CLOSED = "closed", _("关停")
    DEREGISTERED = "deregistered", _("注销")
    UNREACHABLE = "unreachable", _("失联")


class EnterpriseQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q:
        q = Q(pk__in=[])
        if scope.town_ids:
            q |= Q(town_id__in=scope.town_ids)
        if scope.enterprise_kind_codes:
            q |= Q(kinds__code__in=scope.enterprise_kind_codes)
        # A department also sees the contractors of the projects in its line.
        if scope.all_projects:
            q |= Q(contracted_projects__isnull=False) | Q(subcontracted_projects__isnull=False)
        elif scope.project_supervisor_codes:
            q |= Q(contracted_projects__supervisor__code__in=scope.project_supervisor_codes)
            q |= Q(subcontracted_projects__supervisor__code__in=scope.project_supervisor_codes)
        return q

    def sees_all(self, scope: Scope) -> bool:
        return scope.everything or scope.all_enterprises

    def for_user(self, user):
        """The scope applied to the enterprise rows themselves, not through ``pk IN (SELECT pk …)``.

        ``scope_filter`` states the rule with joins (and is what the tests hold this to); here the
        same arms are the enterprise's own ``town_id`` or its id in one subquery per link table
        (``_line``), none of which can repeat a row, so no self-subquery is needed. Through the
        self-subquery PostgreSQL hashed the whole scope for each of the home panel's counts, by
        status, kind and town (130–260 ms each at 100,000 enterprises, issue #20)."""
        scope = scope_of(user)
        if self.sees_all(scope):
            return self.all()
        if self.sees_none(scope):
            return self.none()
        q = Q(pk__in=[])
        if scope.town_ids:
            q |= Q(town_id__in=scope.town_ids)
        return self.filter(q | _line(scope, "pk__in"))


def in_line(scope: Scope, field: str = "enterprise") -> Q:
    """Rows about enterprises in a department's line (for the scopes of later apps' records)."""
    if scope.all_enterprises:
        return Q(**{f"{field}__isnull": False})
    return _line(scope, f"{field}_id__in")


def _line(scope: Scope, ids: str) -> Q:
    """The enterprises of a department's line (not ``all_enterprises``), as ``ids`` lookups."""
    # One small subquery per arm of the line, each over the link table it names, instead of one
    # subquery over enterprises LEFT JOINed to kinds, projects and subcontractors: the joined form
    # made PostgreSQL hash the whole line and scan every row of the outer table (1–3 s per count
    # of signals or alerts at 100,000 enterprises, issue #20); these arms are index lookups and
    # the same enterprises (EnterpriseQuerySet.scope_filter says which, and a test holds the two
    # to the same set).
    q = Q(pk__in=[])
    if scope.enterprise_kind_codes:
        kinds = Enterprise.kinds.through.objects.filter(enterprisekind__code__in=scope.enterprise_kind_codes)
        q |= Q(**{ids: kinds.values("enterprise_id")})
    projects = None
    if scope.all_projects:
        projects = Project._base_manager.all()
    elif scope.project_supervisor_codes:
        projects = Project._base_manager.filter(supervisor__code__in=scope.project_supervisor_codes)
    if projects is not None:
        contractors = projects.filter(general_contractor__isnull=False).values("general_contractor_id")
        subcontractors = Project.subcontractors.through.objects.filter(project__in=projects.values("pk"))
        q |= Q(**{ids: contractors}) | Q(**{ids: subcontractors.values("enterprise_id")})
    return q


class Enterprise(TimeStampedModel):
    """An employer in the district, identified by its 统一社会信用代码."""

    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[uscc_validator],
        error_messages={"unique": _("该统一社会信用代码已登记")},
    )
    name = models.CharField(_("企业名称"), max_length=100, db_index=True)
    legal_rep = models.CharField(_("法定代表人"), max_length=50)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    town = models.ForeignKey(
        Town, verbose_name=_("所属镇/街道"), on_delete=models.PROTECT, related_name="enterprises"
    )
    address = models.CharField(_("地址"), max_length=200)
    industry = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices)
    ownership = models.CharField(
        _("经济类型"), max_length=12, choices=Ownership.choices, default=Ownership.PRIVATE
    )
    kinds = models.ManyToManyField(
        EnterpriseKind, verbose_name=_("企业类型"), related_name="enterprises", blank=True
    )
    employees = models.PositiveIntegerField(_("职工人数"), default=0)
    status = models.CharField(
        _("经营状态"), max_length=14, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPERATING
    )
    note = models.TextField(_("备注"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["town__order", "name"]
        permissions = [
            ("import_enterprise", _("可导入企业")),
            ("export_enterprise", _("可导出企业台账")),
        ]
        indexes = [
            models.Index(fields=["town", "status"], name="enterprise_town_status"),
            models.Index(fields=["updated_at"], name="enterprise_updated"),  # changed since…
        ]

    def __str__(self) -> str:
        return self.name


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("未开工")
    ACTIVE = "active", _("在建")
    STOPPED = "stopped", _("停工")
    COMPLETED = "completed", _("竣工")
    SETTLED = "settled", _("已结算")


class ProjectQuerySet(ScopedQuerySet):
    def scope_filter(self, scope: Scope) -> Q:
        q = Q(pk__in=[])
        if scope.town_ids:
            q |= Q(town_id__in=scope.town_ids)
        if scope.project_supervisor_codes:
            q |= Q(supervisor__code__in=scope.project_supervisor_codes)
        return q

    def sees_all(self, scope: Scope) -> bool:
        return scope.everything or scope.all_projects


class Project(TimeStampedModel):
    """A construction project (工程项目): where 总包负总责 and wage deposits apply (§三(九))."""

    name = models.CharField(_("项目名称"), max_length=150, db_index=True)
    permit_no = models.CharField(_("施工许可证号"), max_length=50, blank=True)
    town = models.ForeignKey(
        Town, verbose_name=_("所在镇/街道"), on_delete=models.PROTECT, related_name="projects"
    )
    address = models.CharField(_("项目地址"), max_length=200, blank=True)
    builder_name = models.CharField(_("建设单位"), max_length=100)
    builder = models.ForeignKey(
        Enterprise,
        verbose_name=_("建设单位（已登记企业）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="built_projects",
    )
    general_contractor = models.ForeignKey(
        Enterprise,
        verbose_name=_("施工总承包单位"),
        null=True,  # only while a contractor named by code and name is not registered yet
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracted_projects",
    )
    subcontractors = models.ManyToManyField(
        Enterprise, verbose_name=_("分包单位"), blank=True, related_name="subcontracted_projects"
    )
    contract_amount = models.BigIntegerField(_("合同金额（分）"), default=0)
    start_date = models.DateField(_("开工日期"), null=True, blank=True)
    planned_end_date = models.DateField(_("计划竣工日期"), null=True, blank=True)
    actual_end_date = models.DateField(_("实际竣工日期"), null=True, blank=True)
    supervisor = models.ForeignKey(
        ProjectSupervisor, verbose_name=_("行业主管部门"), on_delete=models.PROTECT, related_name="projects"
    )
    status = models.CharField(
        _("项目状态"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    note = models.TextField(_("备注"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("工程项目")
        verbose_name_plural = _("工程项目")
        ordering = ["town__order", "name"]
        permissions = [("export_project", _("可导出工程项目台账"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_amount__gte=0),
                name="project_contract_amount_not_negative",
                violation_error_message=_("合同金额不能为负数"),
            ),
            models.CheckConstraint(
                condition=Q(planned_end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(planned_end_date__gte=models.F("start_date")),
                name="project_planned_end_after_start",
                violation_error_message=_("计划竣工日期不能早于开工日期"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def reference(self, role: str, uscc: str) -> ContractorReference | None:
        """The reference typed for this party, if it was named that way (prefetch
        ``contractor_references`` on lists)."""
        for ref in self.contractor_references.all():
            if ref.role == role and ref.uscc == uscc:
                return ref
        return None

    def general_reference(self) -> ContractorReference | None:
        return next((r for r in self.contractor_references.all() if r.role == PartyRole.GENERAL), None)

    @property
    def general_contractor_label(self) -> str:
        """The general contractor as the project names it: the name typed by whoever named it by
        reference (the stored name of an enterprise they could not see is not theirs to learn),
        else the registered enterprise's name."""
        ref = self.general_reference()
        if ref is not None:
            return ref.name
        return self.general_contractor.name if self.general_contractor else ""

    @property
    def general_contractor_code(self) -> str:
        if self.general_contractor is not None:
            return self.general_contractor.uscc
        ref = self.general_reference()
        return ref.uscc if ref else ""


class PartyRole(models.TextChoices):
    GENERAL = "general", _("施工总承包单位")
    SUB = "sub", _("分包单位")
    BUILDER = "builder", _("建设单位")


class ContractorReference(TimeStampedModel):
    """A party of a project named by 统一社会信用代码 and a typed name by a user who may not see
    that enterprise (a contractor from another town, or one not registered yet).

    The registrant's answer is the same whether or not the code is registered elsewhere: the
    project keeps the typed name, which is what that user (and anyone else who cannot open the
    enterprise) sees. The link to the registered enterprise is made at once if it exists, or when
    it is registered later (``registry.services.enterprise_create``)."""

    project = models.ForeignKey(
        Project, verbose_name=_("工程项目"), on_delete=models.CASCADE, related_name="contractor_references"
    )
    role = models.CharField(_("角色"), max_length=10, choices=PartyRole.choices)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, validators=[uscc_validator])
    name = models.CharField(_("填写的单位名称"), max_length=100)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("已关联企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="references",
    )

    class Meta:
        verbose_name = _("项目参建单位（按代码填写）")
        verbose_name_plural = _("项目参建单位（按代码填写）")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "role", "uscc"],
                name="contractor_reference_once",
                violation_error_message=_("同一单位在本项目中已填写"),
            )
        ]
        indexes = [models.Index(fields=["uscc"], name="contractor_reference_uscc")]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"


class WorkerQuerySet(ScopedQuerySet):
    def for_user(self, user):
        return self.filter(employer__in=Enterprise.objects.for_user(user).values("pk"))


class Worker(TimeStampedModel):
    """A worker (劳动者) known to the network; ID number and phone are encrypted at rest.

    ``id_number_index`` and ``phone_index`` are keyed blind indexes for exact lookup.
    """

    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号码"), blank=True)
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    employer = models.ForeignKey(
        Enterprise, verbose_name=_("用工单位"), on_delete=models.PROTECT, related_name="workers"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("工程项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workers",
    )
    job = models.CharField(_("工种/岗位"), max_length=50, blank=True)

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("劳动者")
        verbose_name_plural = _("劳动者")
        ordering = ["employer", "name"]
        permissions = [("view_worker_identity", _("可查看劳动者完整身份证号和手机号"))]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "id_number_index"],
                condition=~Q(id_number_index=""),
                name="worker_once_per_employer",
                violation_error_message=_("该劳动者已在此单位登记"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)
