"""Case handling (§一 "三个确保", §四(三)–(七)): one dispute at one enterprise, its plan (一企一策),
its stages, incidents and site control, and every unit's legal actions with their deadlines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.models import Event, StoredFile, TimeStampedModel
from anxin.intake.models import Signal
from anxin.monitoring.models import Alert, Level
from anxin.org.models import Town, Unit
from anxin.registry.models import Enterprise, Project, in_line


class Stage(models.TextChoices):
    """§四(三): 查明事实 → 控制现场（人、财、物）→ 协调调解 → 引导仲裁或诉讼, then enforcement and closure."""

    FACTS = "facts", _("查明事实")
    CONTROL = "control", _("控制现场")
    MEDIATION = "mediation", _("协调调解")
    LITIGATION = "litigation", _("仲裁/诉讼")
    ENFORCEMENT = "enforcement", _("执行")
    CLOSED = "closed", _("结案")


STAGE_ORDER = [s.value for s in Stage]
OPEN_STAGES = STAGE_ORDER[:-1]


class Outcome(models.TextChoices):
    PAID = "paid", _("全额清偿")
    PARTLY = "partly", _("部分清偿并转入司法程序")
    MEDIATED = "mediated", _("调解结案")
    UNFOUNDED = "unfounded", _("不属实")


class Origin(models.TextChoices):
    ALERT = "alert", _("风险预警")
    SIGNALS = "signals", _("预警线索")
    MANUAL = "manual", _("直接立案")


class CaseQuerySet(ScopedQuerySet):
    """The office, leaders and auditors see every case; a town the cases on its territory; a
    department the cases in its line and those it leads or co-handles. A unit that only receives
    an action (公安分局 a referral, 检察院 its copy) sees that action, not the case file."""

    def sees_none(self, scope: Scope) -> bool:
        return scope.nothing and not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        q = Q(pk__in=[])
        if scope.town_ids:
            q |= Q(town_id__in=scope.town_ids)
        if scope.unit_id:
            q |= Q(lead_unit_id=scope.unit_id) | Q(co_units__id=scope.unit_id)
        return q | in_line(scope)

    def open(self):
        return self.exclude(stage=Stage.CLOSED)


MAX_WORKERS = 100_000  # 涉及人数: the bound intake and monitoring use
MAX_MONTHS = 240  # 拖欠月数: as intake's months_owed


class Case(TimeStampedModel):
    """One wage-arrears dispute at one enterprise (and, for construction, one project), handled
    by its lead unit — by default the town it lies in (§二 属地管理) — with co-units, from 查明事实
    through the stages to 结案 within a stored deadline; the signals and alerts it grew from."""

    number = models.CharField(_("案件编号"), max_length=20, unique=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="cases"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("工程项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    origin = models.CharField(_("来源"), max_length=8, choices=Origin.choices)
    summary = models.TextField(_("基本案情"))
    town = models.ForeignKey(Town, verbose_name=_("属地"), on_delete=models.PROTECT, related_name="+")
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("牵头单位"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("默认为企业（项目）所在镇/街道（§二 属地管理）"),
    )
    co_units = models.ManyToManyField(Unit, verbose_name=_("协办单位"), blank=True, related_name="+")
    signals = models.ManyToManyField(Signal, verbose_name=_("相关线索"), blank=True, related_name="+")
    alerts = models.ManyToManyField(Alert, verbose_name=_("相关预警"), blank=True, related_name="+")
    level = models.CharField(_("风险等级"), max_length=6, choices=Level.choices, default=Level.NONE)
    workers = models.PositiveIntegerField(_("涉及人数"), default=0)
    amount_claimed = models.BigIntegerField(
        _("登记欠薪金额（分）"),
        default=0,
        help_text=_("据线索和现场登记汇总的金额；逐人核定由人社局在工资清偿环节确认，此前仅作参考"),
    )
    mass_incident = models.BooleanField(_("群体性事件"), default=False)
    malicious = models.BooleanField(_("涉嫌恶意欠薪"), default=False)
    owner_absconded = models.BooleanField(_("企业主逃匿"), default=False)
    sudden_closure = models.BooleanField(_("企业突然关停"), default=False)
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.FACTS)
    stage_since = models.DateTimeField(_("进入本阶段时间"))
    stage_due_at = models.DateTimeField(_("本阶段期限"), null=True, blank=True, db_index=True)
    stage_due_basis = models.CharField(_("期限依据"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期报牵头单位时间"), null=True, blank=True)
    office_escalated_at = models.DateTimeField(_("逾期报联席办时间"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("办结期限"), db_index=True)
    deadline_basis = models.CharField(_("办结期限依据"), max_length=300)
    extended = models.BooleanField(_("已延长办结期限"), default=False)
    deadline_reminded_at = models.DateTimeField(_("办结期限提醒时间"), null=True, blank=True)
    deadline_escalated_at = models.DateTimeField(_("超办结期限上报时间"), null=True, blank=True)
    opened_at = models.DateTimeField(_("立案时间"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("立案人"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("结案方式"), max_length=10, choices=Outcome.choices, blank=True)
    closing_note = models.TextField(_("结案说明"), blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("结案人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("欠薪案件")
        verbose_name_plural = _("欠薪案件")
        ordering = ["-opened_at", "-pk"]
        permissions = [
            ("move_case", _("可推进案件阶段")),
            ("close_case", _("可结案")),
            ("approve_plan", _("可审批一企一策处置方案")),
            ("export_case", _("可导出案件台账")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_claimed__gte=0),
                name="case_amount_claimed_not_negative",
                violation_error_message=_("金额不能为负数"),
            ),
            models.CheckConstraint(
                condition=~Q(stage="closed") | (~Q(outcome="") & Q(closed_at__isnull=False)),
                name="case_closed_has_outcome",
                violation_error_message=_("结案须有结案方式和结案时间"),
            ),
        ]
        indexes = [models.Index(fields=["town", "stage"], name="case_town_stage")]

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise.name}"

    @property
    def is_open(self) -> bool:
        return self.stage != Stage.CLOSED

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.stage_due_at is not None and self.stage_due_at < timezone.now()

    @property
    def flags(self) -> list[str]:
        return [
            str(label)
            for name, label in (
                ("mass_incident", _("群体性事件")),
                ("malicious", _("涉嫌恶意欠薪")),
                ("owner_absconded", _("企业主逃匿")),
                ("sudden_closure", _("企业突然关停")),
            )
            if getattr(self, name)
        ]


class CaseEvent(Event):
    """Append-only: every stage move, plan step, action, incident and note (who, when, why)."""

    class Kind(models.TextChoices):
        OPEN = "open", _("立案")
        MOVE = "move", _("推进阶段")
        SKIP = "skip", _("跳过阶段")
        CLOSE = "close", _("结案")
        EXTEND = "extend", _("延长办结期限")
        UPDATE = "update", _("修改案件信息")
        PLAN = "plan", _("一企一策方案")
        INCIDENT = "incident", _("现场处置")
        ASSET = "asset", _("财产控制")
        ACTION = "action", _("法律措施")
        REMIND = "remind", _("到期提醒")
        ESCALATE = "escalate", _("逾期上报")
        NOTE = "note", _("备注")
        DOCUMENT = "document", _("文书")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    from_stage = models.CharField(_("原阶段"), max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=12, choices=Stage.choices, blank=True)

    class Meta:
        verbose_name = _("案件记录")
        verbose_name_plural = _("案件记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草拟中")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("退回修改")


class Plan(models.Model):
    """一企一策 (§四(三)): the measures, who answers for them, the timeline. A red case's plan needs
    the office's approval before mediation."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="plan")
    measures = models.TextField(_("工作措施"))
    responsible = models.TextField(_("责任人及分工"))
    timeline = models.TextField(_("时间安排"))
    status = models.CharField(_("状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    updated_at = models.DateTimeField(_("更新时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("编制人"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("一企一策处置方案")
        verbose_name_plural = _("一企一策处置方案")

    def __str__(self) -> str:
        return f"{self.case.number} 处置方案"


class Incident(models.Model):
    """§四(四): a mass or extreme incident or a sudden closure — when, where, how many, whether it had
    a serious social impact (a listing condition of the joint-punishment list), the on-site command
    post and who is there, what was done."""

    class Kind(models.TextChoices):
        MASS = "mass", _("群体性事件")
        EXTREME = "extreme", _("极端事件")
        CLOSURE = "closure", _("企业突然关停")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="incidents")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("发生时间"))
    place = models.CharField(_("地点"), max_length=200)
    people = models.PositiveIntegerField(_("聚集人数"), default=0)
    serious = models.BooleanField(
        _("造成严重不良社会影响"),
        default=False,
        help_text=_(
            "失信联合惩戒名单的列入条件之一（拒不履行责令支付且引发群体性、极端事件造成严重不良社会影响）"
        ),
    )
    command_post = models.TextField(_("现场指挥部及到场人员"))
    measures = models.TextField(_("采取的措施"))
    recorded_at = models.DateTimeField(_("登记时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("现场处置")
        verbose_name_plural = _("现场处置")
        ordering = ["occurred_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="mass") | Q(people__gt=0),
                name="incident_mass_has_people",
                violation_error_message=_("群体性事件须填写聚集人数"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class Custody(models.TextChoices):
    """§四(四): three ways to keep an asset safe."""

    SELF = "self", _("责令当事人自行妥善保管")
    ENTRUSTED = "entrusted", _("委托基层组织代为保管")
    PRESERVATION = "preservation", _("申请财产保全")


class AssetItem(models.Model):
    """One item of the asset-control checklist (控人员、控财物): its custody, and — if it was looted
    in an incident — its recovery. An entrusted item carries its custody agreement and fee (the fee
    is repaid first when the assets are dealt with, §四(四))."""

    class Item(models.TextChoices):
        SEAL = "seal", _("印章")
        BOOKS = "books", _("财务账册")
        ATTENDANCE = "attendance", _("考勤卡")
        DOCUMENTS = "documents", _("其他重要文件")
        PROPERTY = "property", _("房产等土地附着物")
        EQUIPMENT = "equipment", _("机器设备")
        STOCK = "stock", _("原材料、产品")
        VEHICLE = "vehicle", _("车辆")
        OTHER = "other", _("其他财物")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assets")
    item = models.CharField(_("财物"), max_length=12, choices=Item.choices)
    description = models.CharField(_("描述"), max_length=300, blank=True)
    custody = models.CharField(_("保管方式"), max_length=12, choices=Custody.choices)
    custodian = models.CharField(_("保管人/保管单位"), max_length=200)
    agreement = models.CharField(_("委托保管协议"), max_length=100, blank=True)
    fee = models.BigIntegerField(_("保管费（分）"), default=0, help_text=_("后续处置时优先受偿"))
    preservation_ref = models.CharField(_("财产保全申请/裁定文号"), max_length=100, blank=True)
    looted = models.BooleanField(_("曾被哄抢"), default=False)
    recovered_on = models.DateField(_("追回日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    recorded_at = models.DateTimeField(_("登记时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("财产控制")
        verbose_name_plural = _("财产控制")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(custody="entrusted") | ~Q(agreement=""),
                name="asset_entrusted_has_agreement",
                violation_error_message=_("委托基层组织保管须办理委托保管手续（填写协议编号）"),
            ),
            models.CheckConstraint(
                condition=~Q(custody="preservation") | ~Q(preservation_ref=""),
                name="asset_preservation_has_reference",
                violation_error_message=_("申请财产保全须填写申请或裁定文号"),
            ),
            models.CheckConstraint(
                condition=Q(fee__gte=0),
                name="asset_fee_not_negative",
                violation_error_message=_("保管费不能为负数"),
            ),
            models.CheckConstraint(
                condition=Q(custody="entrusted") | Q(fee=0),
                name="asset_fee_only_when_entrusted",
                violation_error_message=_("只有委托基层组织保管才有保管费"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()}（{self.get_custody_display()}）"


class ActionKind(models.TextChoices):
    """§四(五)–(七): what each unit does, each routed by the duty it answers for."""

    ORDER = "order", _("责令限期支付")
    COMPENSATION = "compensation", _("加付赔偿金")
    PENALTY = "penalty", _("行政处罚")
    REFERRAL = "referral", _("移送公安（涉嫌拒不支付劳动报酬罪）")
    MEDIATION = "mediation", _("调解")
    ARBITRATION = "arbitration", _("仲裁（法律援助）")
    COURT = "court", _("法院绿色通道")
    DEPOSIT = "deposit", _("动用工资保证金")
    FUND = "fund", _("申请应急周转金")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    ACCEPTED = "accepted", _("已受理/立案")
    DONE = "done", _("已办结")
    LAPSED = "lapsed", _("逾期未履行")
    REFUSED = "refused", _("不予受理/不予立案")
    CANCELLED = "cancelled", _("已撤回")


ACTIVE_ACTION = [ActionStatus.OPEN, ActionStatus.ACCEPTED]


class ActionQuerySet(ScopedQuerySet):
    """An action is seen by the unit it is routed to, the unit that receives its copy, and whoever
    sees its case. A unit that receives a referral (公安分局, or 检察院 its copy) also sees the orders
    to pay of that case: the referral rests on them (刑法第276条之一 "经政府有关部门责令支付仍不支付"),
    and their notices and proofs of service are its evidence."""

    def sees_none(self, scope: Scope) -> bool:
        return scope.nothing and not scope.unit_id

    def scope_filter(self, scope: Scope) -> Q:
        q = Q(case__in=Case._base_manager.filter(Case.objects.none().scope_filter(scope)).values("pk"))
        if scope.unit_id:
            referred = LegalAction._base_manager.filter(
                Q(unit_id=scope.unit_id) | Q(copy_unit_id=scope.unit_id), kind=ActionKind.REFERRAL
            ).values("case_id")
            q |= Q(unit_id=scope.unit_id) | Q(copy_unit_id=scope.unit_id)
            q |= Q(kind=ActionKind.ORDER, case__in=referred)
        return q


class LegalAction(models.Model):
    """A legal measure taken in a case (§四(五)–(七)) — an order to pay, a penalty, a referral to
    the police, mediation, arbitration, the court's green channel, the wage deposit, the emergency
    fund — routed to the unit whose duty it is, with its document, amount, deadline and result."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(_("措施"), max_length=14, choices=ActionKind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+")
    route_basis = models.CharField(_("分派依据"), max_length=200)
    copy_unit = models.ForeignKey(
        Unit,
        verbose_name=_("抄送备案单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    requested_at = models.DateTimeField(_("发起时间"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("文书编号"), max_length=100, blank=True)
    document = models.CharField(
        _("文书"),
        max_length=14,
        choices=[
            ("payment_notice", _("限期支付工资通知书")),
            ("rectification", _("劳动保障监察责令改正指令书")),
        ],
        blank=True,
        help_text=_("仅责令限期支付"),
    )
    issued_on = models.DateField(_("作出日期"), null=True, blank=True)
    served_on = models.DateField(
        _("送达日期"), null=True, blank=True, help_text=_("仅责令限期支付：通知书实际送达用人单位的日期")
    )
    pay_by = models.DateField(_("限期支付日期"), null=True, blank=True)
    amount = models.BigIntegerField(_("金额（分）"), default=0)
    percent = models.PositiveSmallIntegerField(_("比例（%）"), null=True, blank=True)
    workers = models.PositiveIntegerField(_("涉及人数"), default=0)
    basis = models.CharField(_("法律依据"), max_length=300, blank=True)
    details = models.TextField(_("办理情况"), blank=True)
    conditions = models.JSONField(_("条件核查"), default=dict, blank=True)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True, db_index=True)
    due_basis = models.CharField(_("期限依据"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期报牵头单位时间"), null=True, blank=True)
    office_escalated_at = models.DateTimeField(_("逾期报联席办时间"), null=True, blank=True)
    copied_at = models.DateTimeField(_("抄送时间"), null=True, blank=True)
    result = models.TextField(_("结果"), blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("法律措施")
        verbose_name_plural = _("法律措施")
        ordering = ["requested_at", "pk"]
        permissions = [
            ("request_legalaction", _("可发起法律措施")),
            ("handle_legalaction", _("可办理法律措施")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="action_amount_not_negative",
                violation_error_message=_("金额不能为负数"),
            ),
            models.CheckConstraint(
                condition=~Q(kind="order") | Q(pay_by__isnull=False),
                name="action_order_has_pay_by",
                violation_error_message=_("责令限期支付须写明支付期限"),
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"], name="action_unit_status")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_ACTION

    @property
    def is_overdue(self) -> bool:
        return self.is_active and self.due_at is not None and self.due_at < timezone.now()


class ActionStep(models.Model):
    """A dated step of an action: the court's 立案、诉前保全、审理、执行、费用减免、限制出境, an
    arbitration's filing and award, a mediation agreement, police acceptance — append-only."""

    class Step(models.TextChoices):
        ISSUED = "issued", _("作出/送达")
        ACCEPTED = "accepted", _("受理/立案")
        REFUSED = "refused", _("不予受理/不予立案")
        FILING = "filing", _("立案")
        PRESERVATION = "preservation", _("诉前（诉讼）财产保全")
        TRIAL = "trial", _("审理")
        JUDGMENT = "judgment", _("判决/裁定")
        ENFORCEMENT = "enforcement", _("强制执行")
        FEE_RELIEF = "fee_relief", _("诉讼费用减免缓")
        EXIT_BAN = "exit_ban", _("限制出境")
        AWARD = "award", _("仲裁裁决")
        AGREEMENT = "agreement", _("达成调解协议")
        PAYMENT = "payment", _("履行支付")
        RESULT = "result", _("办理结果")
        NOTE = "note", _("进展")

    action = models.ForeignKey(LegalAction, on_delete=models.PROTECT, related_name="steps")
    step = models.CharField(_("事项"), max_length=14, choices=Step.choices)
    on = models.DateField(_("日期"))
    amount = models.BigIntegerField(_("金额（分）"), default=0)
    note = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("办理进展")
        verbose_name_plural = _("办理进展")
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.on}"


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("调解协议书")
    AWARD = "award", _("仲裁裁决书/调解书")
    RULING = "ruling", _("判决书/裁定书")
    PRESERVATION = "preservation", _("财产保全裁定")
    CUSTODY = "custody", _("委托保管协议")
    SERVICE = "service", _("文书送达回证")
    PENALTY = "penalty", _("行政处罚决定书")
    REFERRAL = "referral", _("移送/受理文书")
    OTHER = "other", _("其他材料")


def document_path(instance, filename: str) -> str:
    return f"cases/{timezone.now():%Y/%m}/{instance.token}{instance.extension}"


class CaseDocument(StoredFile):
    """A file behind a case or one of its actions: the mediation agreement, an award or judgment,
    a preservation ruling, a custody agreement, a served notice — checked by content (PDF, JPEG,
    PNG), never by name."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    action = models.ForeignKey(
        LegalAction, on_delete=models.PROTECT, related_name="documents", null=True, blank=True
    )
    kind = models.CharField(_("文书类型"), max_length=12, choices=DocumentKind.choices)
    title = models.CharField(_("标题"), max_length=150)
    file = models.FileField(_("文件"), upload_to=document_path, max_length=200)

    class Meta(StoredFile.Meta):
        verbose_name = _("案件文书")
        verbose_name_plural = _("案件文书")

    def __str__(self) -> str:
        return self.title
