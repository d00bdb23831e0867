"""Intake: the early-warning information network (§三(一)) — channels, signals, self-reports.

A *signal* is one piece of information about one enterprise from one channel: a complaint to
12333, a social-insurance arrears list from 税务, a grid worker's note, a worker's report on the
public portal, an enterprise's own arrears report (§四(一)). It is routed to the enterprise's town
and the line department, verified by a deadline, and (for a worker) answered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet, scope_of
from anxin.core.crypto import EncryptedTextField
from anxin.core.models import Event, StoredFile, TimeStampedModel
from anxin.core.validators import mask_id_number, mask_phone
from anxin.org.models import Town, Unit
from anxin.registry.models import Enterprise, Project, in_line


class Channel(models.Model):
    """A source of information named by §三(一) or a member unit's duty (12333, 信访, 网格…)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("归口单位"), on_delete=models.PROTECT, related_name="channels"
    )
    citation = models.CharField(_("依据"), max_length=60, blank=True)
    towns_feed = models.BooleanField(
        _("镇街可录入"), default=False, help_text=_("镇/街道用户可以在本渠道登记线索（网格、排查摸底）")
    )
    is_public = models.BooleanField(_("群众网上反映"), default=False, editable=False)
    is_self_report = models.BooleanField(_("企业欠薪报告"), default=False, editable=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("信息渠道")
        verbose_name_plural = _("信息渠道")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class SignalKind(models.TextChoices):
    """What the information says about the enterprise (monitoring's rules read these codes)."""

    WAGE_COMPLAINT = "wage_complaint", _("欠薪投诉举报")
    SOCIAL_INSURANCE = "social_insurance", _("社保欠费")
    SUSPENSION = "suspension", _("停产停业")
    OWNER_ABSCONDED = "owner_absconded", _("企业主失联逃匿")
    COLLECTIVE = "collective", _("集体讨薪苗头")
    PROJECT_SETTLEMENT = "project_settlement", _("工程款结算纠纷")
    UTILITIES = "utilities", _("水电异常")
    TAX = "tax", _("纳税异常")
    LITIGATION = "litigation", _("涉诉涉执")
    LOAN_OVERDUE = "loan_overdue", _("信贷逾期")
    PRIVATE_LENDING = "private_lending", _("民间借贷风险")
    ARREARS_REPORT = "arrears_report", _("企业欠薪报告")
    # Raised by the sites' monthly payroll check (总包代发, §三(九)) on the project's general contractor.
    PAYROLL_SHORT = "payroll_short", _("工资未足额发放（总包代发）")
    PAYROLL_MISSING = "payroll_missing", _("工资发放表未按时报送")
    OTHER = "other", _("其他")


class Stage(models.TextChoices):
    """Where a signal is, as the worker's status page shows it."""

    RECEIVED = "received", _("已受理登记")
    VERIFYING = "verifying", _("核实中")
    VERIFIED = "verified", _("已核实")
    HANDLING = "handling", _("处理中")
    CLOSED = "closed", _("已办结")


OPEN_STAGES = (Stage.RECEIVED, Stage.VERIFYING)


class Verification(models.TextChoices):
    PENDING = "pending", _("待核实")
    SUBSTANTIATED = "substantiated", _("属实")
    PARTLY = "partly", _("部分属实")
    UNFOUNDED = "unfounded", _("不属实")


class DuplicateState(models.TextChoices):
    NONE = "", _("—")
    SUSPECTED = "suspected", _("疑似重复")
    KEPT = "kept", _("确认不重复")
    MERGED = "merged", _("已合并")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


def _channel_ids(unit_id: int) -> list[int]:
    """The channels a unit owns (what it feeds), as ids: a literal list keeps the scope's arms on
    the signal's own indexed columns."""
    return list(Channel.objects.filter(unit_id=unit_id).order_by("pk").values_list("pk", flat=True))


class SignalQuerySet(ScopedQuerySet):
    """A town sees its territory; a department what is assigned to it, what its channel fed, and
    the signals about the enterprises in its line; the office everything."""

    def sees_none(self, scope: Scope) -> bool:
        # A unit with no line (公安分局, 法院) still sees what its own channel fed and what is
        # assigned to it: without this it could neither update nor read back its own reports.
        return scope.nothing and not scope.unit_id

    def for_user(self, user):
        """The scope applied to the signals themselves, not through ``pk IN (SELECT pk …)``.

        Every arm of the scope is a column of the signal or a subquery of ids (no join that could
        repeat a row), so no DISTINCT is needed; and with the unit's channels as a list of ids the
        arms are index lookups PostgreSQL can OR together. The self-subquery made it scan and hash
        all the district's signals for every count on the home page (issue #20)."""
        scope = scope_of(user)
        if self.sees_all(scope):
            return self.all()
        if self.sees_none(scope):
            return self.none()
        channels = None
        if scope.unit_id:
            # Looked up once per request (the user object lives as long as the request).
            channels = getattr(user, "_intake_channel_ids", None)
            if channels is None:
                channels = _channel_ids(scope.unit_id)
                user._intake_channel_ids = channels
        return self.filter(self.scope_filter(scope, channels=channels))

    def scope_filter(self, scope: Scope, *, channels: list[int] | None = None) -> Q:
        q = Q(pk__in=[])
        if scope.town_ids:
            q |= Q(town_id__in=scope.town_ids)
        if scope.unit_id:
            if channels is None:
                channels = _channel_ids(scope.unit_id)
            q |= Q(assigned_unit_id=scope.unit_id)
            if channels:
                q |= Q(channel_id__in=channels)
        return q | in_line(scope)

    def open(self):
        return self.filter(stage__in=OPEN_STAGES, merged_into__isnull=True)

    def overdue(self, now=None):
        return self.open().filter(due_at__lt=now or timezone.now())


class Signal(TimeStampedModel):
    """One piece of information about one enterprise, from one channel."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("渠道"), on_delete=models.PROTECT, related_name="signals"
    )
    reference = models.CharField(
        _("渠道编号"),
        max_length=60,
        blank=True,
        help_text=_("来源渠道自己的编号；同一渠道同一编号重复报送时更新原记录"),
    )
    kind = models.CharField(_("线索类型"), max_length=24, choices=SignalKind.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signals",
    )
    employer_name = models.CharField(_("反映的用人单位名称"), max_length=100, blank=True)
    employer_uscc = models.CharField(_("反映的统一社会信用代码"), max_length=18, blank=True)
    project = models.ForeignKey(
        Project,
        verbose_name=_("工程项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signals",
    )
    project_name = models.CharField(_("反映的项目名称"), max_length=150, blank=True)
    # What the reporter says about where and for whom the work was (the worker's statement, not a
    # registered fact): the place when no town is known, the 包工头 or general contractor.
    work_address = models.CharField(_("反映的用工地址"), max_length=200, blank=True)
    contractor_name = models.CharField(_("反映的包工头/总承包单位"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("接收时间"), db_index=True)
    workers = models.PositiveIntegerField(_("涉及人数"), default=0)
    amount = models.BigIntegerField(_("涉及金额（分）"), default=0)
    months_owed = models.PositiveSmallIntegerField(_("拖欠月数"), default=0)
    period = models.CharField(_("拖欠期间"), max_length=60, blank=True)
    summary = models.TextField(_("情况摘要"))
    reporter_name = models.CharField(_("反映人"), max_length=50, blank=True)
    reporter_phone = EncryptedTextField(_("反映人电话"), blank=True)
    reporter_phone_index = models.CharField(max_length=64, blank=True, editable=False)
    reporter_id_number = EncryptedTextField(_("反映人身份证号"), blank=True)
    # Routing (§二 属地管理 + §三 duties) and the verification deadline.
    town = models.ForeignKey(
        Town,
        verbose_name=_("属地镇/街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signals",
    )
    assigned_unit = models.ForeignKey(
        Unit,
        verbose_name=_("条线部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_signals",
    )
    routing_note = models.CharField(_("分派依据"), max_length=200, blank=True)
    due_at = models.DateTimeField(_("核实期限"), null=True, blank=True)
    due_basis = models.CharField(_("期限依据"), max_length=300, blank=True)
    overdue_marked_at = models.DateTimeField(_("标记逾期时间"), null=True, blank=True)
    stage = models.CharField(_("办理阶段"), max_length=10, choices=Stage.choices, default=Stage.RECEIVED)
    verification = models.CharField(
        _("核实结论"), max_length=14, choices=Verification.choices, default=Verification.PENDING
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核实人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verification_note = models.TextField(_("核实情况"), blank=True)
    # Deduplication (§三(一) one stream): a suspected duplicate names its earlier twin.
    duplicate_state = models.CharField(
        _("重复判定"), max_length=10, choices=DuplicateState.choices, default=DuplicateState.NONE, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("疑似重复于"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("已并入"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_sources",
    )
    # The public side: tracking code, reply, satisfaction.
    tracking_code = models.CharField(
        _("查询码"), max_length=16, null=True, blank=True, unique=True, editable=False
    )
    public_reply = models.TextField(_("答复反映人"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    satisfaction_comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    # 办结 while a linked case is still open: the reason the worker reads on the status page.
    open_case_reason = models.TextField(_("案件未结即办结的说明（反映人可见）"), blank=True)
    # 不满意 / 仍未拿到工资 reopens the report with a follow-up deadline (swept by tick).
    followup_due_at = models.DateTimeField(_("回访处理期限"), null=True, blank=True, db_index=True)
    followup_basis = models.CharField(_("回访期限依据"), max_length=300, blank=True)
    followup_escalated_at = models.DateTimeField(_("回访逾期上报时间"), null=True, blank=True)
    source_ip_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Received by the internet zone's portal, which reads no enterprise, unit or user: the internal
    # zone's tick matches, routes, checks and announces it (services.portal_reports_route).
    awaiting_routing = models.BooleanField(_("待内网分派"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    objects = SignalQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警线索")
        verbose_name_plural = _("预警线索")
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("verify_signal", _("可核实线索")),
            ("triage_signal", _("可分拣线索（匹配企业、合并重复）")),
            ("import_signal", _("可导入线索")),
            ("export_signal", _("可导出线索台账")),
            ("reply_signal", _("可答复反映人、推进办理")),
            ("view_reporter", _("可查看反映人完整联系方式")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "reference"],
                condition=~Q(reference=""),
                name="signal_channel_reference_unique",
                violation_error_message=_("该渠道已有相同编号的线索"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="signal_amount_not_negative",
                violation_error_message=_("金额不能为负数"),
            ),
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False) | ~Q(employer_name="") | ~Q(employer_uscc=""),
                name="signal_names_an_employer",
                violation_error_message=_("请填写企业（统一社会信用代码或名称）"),
            ),
            models.CheckConstraint(
                condition=Q(verification="pending") | Q(verified_at__isnull=False),
                name="signal_verified_has_time",
                violation_error_message=_("核实结论须有核实时间"),
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "due_at"], name="signal_open_due"),
            models.Index(fields=["enterprise", "kind", "received_at"], name="signal_dedup"),
            models.Index(fields=["town", "stage"], name="signal_town_stage"),
            models.Index(fields=["reporter_phone_index"], name="signal_reporter_phone"),
            models.Index(fields=["updated_at"], name="signal_updated"),  # changed since…
            models.Index(fields=["id"], name="signal_awaiting_routing", condition=Q(awaiting_routing=True)),
            models.Index(
                fields=["employer_uscc"],
                name="signal_unmatched_uscc",
                condition=Q(enterprise__isnull=True) & ~Q(employer_uscc=""),
            ),  # ?enterprise=<uscc> finds what still waits for a match
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.employer_display}"

    @property
    def employer_display(self) -> str:
        # The internet zone's portal reads no enterprise (its database role may not): the name typed.
        if self.enterprise_id and settings.PORTAL_READS_DISTRICT_DATA:
            return self.enterprise.name
        return self.employer_name or self.employer_uscc

    @property
    def reporter_phone_masked(self) -> str:
        return mask_phone(self.reporter_phone)

    @property
    def reporter_id_masked(self) -> str:
        return mask_id_number(self.reporter_id_number)

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES and self.merged_into_id is None

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due_at and self.due_at < timezone.now())

    @property
    def needs_match(self) -> bool:
        return self.enterprise_id is None

    @property
    def followup_overdue(self) -> bool:
        return bool(
            self.followup_due_at and self.stage != Stage.CLOSED and self.followup_due_at < timezone.now()
        )


class SignalEvent(Event):
    """Append-only history of a signal: every stage move, verification, reply, note, merge."""

    class Action(models.TextChoices):
        CREATE = "create", _("登记")
        RESEND = "resend", _("渠道重报更新")
        ACCEPT = "accept", _("开始核实")
        VERIFY = "verify", _("核实")
        HANDLE = "handle", _("转入处理")
        CLOSE = "close", _("办结")
        REPLY = "reply", _("答复反映人")
        NOTE = "note", _("内部备注")
        MATCH = "match", _("匹配企业")
        DUPLICATE = "duplicate", _("疑似重复")
        KEEP = "keep", _("确认不重复")
        MERGE = "merge", _("合并")
        OVERDUE = "overdue", _("核实逾期")
        RATE = "rate", _("反映人评价")
        URGE = "urge", _("督办")
        REOPEN = "reopen", _("不满意重新办理")
        MATERIAL = "material", _("反映人补充材料")
        FOLLOWUP_OVERDUE = "fu_overdue", _("回访处理逾期")

    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    from_stage = models.CharField(_("原阶段"), max_length=10, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=10, choices=Stage.choices, blank=True)

    class Meta:
        verbose_name = _("线索记录")
        verbose_name_plural = _("线索记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["at"], name="signal_event_at")]  # changed since…

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class ClosureQuerySet(ScopedQuerySet):
    def for_user(self, user):
        return self.filter(signal__in=Signal.objects.for_user(user).values("pk"))


class ReportClosure(models.Model):
    """One closing (办结) of a worker's portal report: the unit that closed it and who, whether a
    linked case was still open (with the reason the worker read), and the worker's rating of that
    closing. A report reopened and closed again has one row per closing, so a dissatisfied
    closing keeps counting against the unit that made it (§五(三) 考核)."""

    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="closures")
    unit = models.ForeignKey(
        Unit, verbose_name=_("办结单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("办结人"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"))
    case_open = models.BooleanField(_("办结时案件未结"), default=False)
    case_open_reason = models.TextField(_("案件未结即办结的说明"), blank=True)
    rating = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    still_unpaid = models.BooleanField(_("反映人称仍未拿到工资"), default=False)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    objects = ClosureQuerySet.as_manager()

    class Meta:
        verbose_name = _("群众反映办结记录")
        verbose_name_plural = _("群众反映办结记录")
        ordering = ["closed_at", "pk"]
        indexes = [models.Index(fields=["unit", "rating"], name="closure_unit_rating")]
        constraints = [
            models.CheckConstraint(
                condition=Q(case_open=False) | ~Q(case_open_reason=""),
                name="closure_case_open_has_reason",
                violation_error_message=_("案件未结即办结须说明理由"),
            )
        ]

    def __str__(self) -> str:
        return f"#{self.signal_id} {self.closed_at:%Y-%m-%d}"

    @property
    def dissatisfied(self) -> bool:
        return self.rating == Satisfaction.DISSATISFIED or self.still_unpaid


class RecoveryCode(models.Model):
    """A one-use SMS code that lets a worker who lost their tracking code see the reports filed
    with their phone number: stored hashed, expiring, with a count of wrong tries."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("找回查询码验证码")
        verbose_name_plural = _("找回查询码验证码")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename: str) -> str:
    return f"intake/{timezone.now():%Y/%m}/{instance.token}{instance.extension}"


class SignalAttachment(StoredFile):
    """A file behind a signal (a photo from the portal, a scanned complaint, a written report)."""

    signal = models.ForeignKey(Signal, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=150)

    class Meta(StoredFile.Meta):
        verbose_name = _("线索附件")
        verbose_name_plural = _("线索附件")

    def __str__(self) -> str:
        return self.name


class SelfReportQuerySet(ScopedQuerySet):
    def for_user(self, user):
        return self.filter(signal__in=Signal.objects.for_user(user).values("pk"))


class SelfReport(TimeStampedModel):
    """An enterprise's written arrears report to 人社局 (欠薪报告, §四(一)) with its repayment plan."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="self_reports"
    )
    arrears_since = models.DateField(_("开始拖欠日期"))
    reported_on = models.DateField(_("书面报告送达人社局日期"))
    workers = models.PositiveIntegerField(_("涉及人数"))
    amount = models.BigIntegerField(_("拖欠金额（分）"))
    cause = models.TextField(_("拖欠原因"))
    deadline_days = models.PositiveSmallIntegerField(_("报告期限（日）"), editable=False)
    deadline = models.DateField(_("应报告截止日"), editable=False)
    on_time = models.BooleanField(_("按时报告"), editable=False)
    parameter_evidence = models.JSONField(_("所用参数"), default=dict, editable=False)
    scan = models.ForeignKey(
        SignalAttachment,
        verbose_name=_("书面报告扫描件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signal = models.OneToOneField(
        Signal, verbose_name=_("线索"), on_delete=models.PROTECT, related_name="self_report"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )

    objects = SelfReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业欠薪报告")
        verbose_name_plural = _("企业欠薪报告")
        ordering = ["-reported_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="self_report_amount_positive",
                violation_error_message=_("拖欠金额须大于零"),
            ),
            models.CheckConstraint(
                condition=Q(reported_on__gte=models.F("arrears_since")),
                name="self_report_after_arrears",
                violation_error_message=_("报告日期不能早于开始拖欠日期"),
            ),
        ]
        indexes = [models.Index(fields=["updated_at"], name="self_report_updated")]  # changed since…

    def __str__(self) -> str:
        return f"{self.enterprise} {self.reported_on:%Y-%m-%d}"


class RepaymentInstalment(models.Model):
    """One dated instalment of a self-report's repayment plan (处理方案)."""

    report = models.ForeignKey(SelfReport, on_delete=models.CASCADE, related_name="instalments")
    due_on = models.DateField(_("计划支付日期"))
    amount = models.BigIntegerField(_("计划支付金额（分）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("还款计划")
        verbose_name_plural = _("还款计划")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="instalment_amount_positive",
                violation_error_message=_("计划金额须大于零"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.due_on:%Y-%m-%d}"


class PublicProgress(models.Model):
    """What a worker's status page says beyond the report itself — the linked case's progress in
    plain words and the worker's own claim — as the internal zone wrote it for the internet zone's
    portal, which reads no case and no claim (its database role may not). Refreshed by the tick
    (``services.portal_progress_refresh``); the internal zone's own portal reads the cases directly."""

    signal = models.OneToOneField(Signal, on_delete=models.CASCADE, related_name="public_progress")
    case = models.JSONField(null=True, blank=True)  # seam.CaseRef's fields but its url; None: no case
    money = models.JSONField(null=True, blank=True)  # seam.WorkerMoney's fields; None: no claim
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("网上反映进度（公开部分）")
        verbose_name_plural = _("网上反映进度（公开部分）")

    def __str__(self) -> str:
        return f"#{self.signal_id}"


class PortalProject(models.Model):
    """A construction project as its notice board's QR link (维权信息告示牌) tells the internet zone's
    portal: its name, town and general contractor's name, as printed on the board. The internet
    zone reads no project and no enterprise (its database role may not); the internal zone's tick
    writes these (``services.portal_projects_refresh``)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=150)
    town = models.ForeignKey(Town, on_delete=models.PROTECT, related_name="+")
    contractor_name = models.CharField(max_length=100, blank=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("告示牌项目（公开部分）")
        verbose_name_plural = _("告示牌项目（公开部分）")

    def __str__(self) -> str:
        return self.name


class MaterialRelay(models.Model):
    """Material a worker added on the internet zone's portal to a report merged into another. The
    portal reads no report but the worker's own (deploy/portal-role.sql), so it tells that report's
    handlers and leaves this row; the internal zone's tick tells the main report's other handlers
    (``services.material_relays_deliver``) and deletes it. Written, never read, by the portal."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(SignalEvent, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("待转达的补充材料")
        verbose_name_plural = _("待转达的补充材料")

    def __str__(self) -> str:
        return f"#{self.signal_id}"


class PortalAttempt(models.Model):
    """A submission or a failed status lookup on the public portal, by hashed source address."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交")
        LOOKUP_FAILED = "lookup_failed", _("查询失败")
        RECOVER = "recover", _("找回查询码")

    ip_hash = models.CharField(max_length=64)
    action = models.CharField(max_length=16, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("网上反映访问记录")
        verbose_name_plural = _("网上反映访问记录")
        indexes = [models.Index(fields=["ip_hash", "action", "at"], name="portal_attempt_window")]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class PortalBucket(models.Model):
    """One source address's portal attempts of one kind on one day: the row its checks lock.

    Counting the attempts of the last hour and recording a new one happen under a lock on this
    row, so simultaneous submissions from one address are counted one after the other and the
    per-hour limit holds under concurrency (PostgreSQL row lock; SQLite serialises writers).
    """

    ip_hash = models.CharField(max_length=64)
    action = models.CharField(max_length=16, choices=PortalAttempt.Action.choices)
    day = models.DateField()

    class Meta:
        verbose_name = _("网上反映限频桶")
        verbose_name_plural = _("网上反映限频桶")
        constraints = [
            models.UniqueConstraint(fields=["ip_hash", "action", "day"], name="portal_bucket_unique")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.day:%Y-%m-%d}"
