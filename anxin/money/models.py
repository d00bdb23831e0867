"""Money (§三(八), §四(六)(八)): what each worker of a case is owed (claims confirmed by 人社局), what has
been paid to them and from where (an append-only ledger), what employers promised to pay (schedules),
and the emergency revolving funds with their ledgers. Cases come before money in the flow: a case
learns "paid so far" through the seam (``seam.CASE_PAID``), never by importing this module."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.cases.models import Case, CaseQuerySet, LegalAction
from anxin.core.access import Scope, ScopedQuerySet
from anxin.core.crypto import EncryptedTextField
from anxin.core.models import Event
from anxin.core.validators import mask_id_number, mask_phone
from anxin.intake.models import Signal
from anxin.org.models import Town


class Instalment(models.Model):
    """One payment a mediation agreement, an arbitration award or a court settlement schedules: the
    employer's promise to pay this much by this date, and when it was in fact paid. ``tick`` reminds
    the handling and lead units before the date and reports it once when it passed unpaid."""

    action = models.ForeignKey(LegalAction, on_delete=models.PROTECT, related_name="instalments")
    due_on = models.DateField(_("应付日期"))
    amount = models.BigIntegerField(_("金额（分）"))
    paid_on = models.DateField(_("实付日期"), null=True, blank=True)
    paid_note = models.CharField(_("履行说明"), max_length=200, blank=True)
    # ``tick`` marks (each once): reminded before the date, reported when it passed unpaid.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    missed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("分期履行")
        verbose_name_plural = _("分期履行")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                # the name it had in cases (the table moved with its constraint)
                name="case_instalment_amount_positive",
                violation_error_message=_("金额须大于零"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.due_on} {self.amount}"


class PaymentSource(models.TextChoices):
    """Where a yuan paid to a worker came from (§四(六)(八); 保障农民工工资支付条例 第二十九、三十二、
    六十三条). ``closing`` is the amount typed when a case closed before the ledger knew workers —
    kept for those entries, never chosen for a new one."""

    EMPLOYER = "employer", _("企业自行支付")
    GENERAL_CONTRACTOR = "general_contractor", _("总承包单位支付")
    WAGE_DEPOSIT = "wage_deposit", _("工资保证金")
    EMERGENCY_FUND = "emergency_fund", _("应急周转金")
    ASSET_REALISATION = "asset_realisation", _("资产变现")
    COURT_ENFORCEMENT = "court_enforcement", _("法院执行款")
    OTHER = "other", _("其他")
    CLOSING = "closing", _("结案登记")


# What a person may choose when recording a payment: ``closing`` is history only, the emergency fund
# pays only through an approved advance (its ledger entry and the workers' entries together), and the
# wage deposit only through a draw on the project's deposit (``payments_from_deposit``, called by the
# deposit's own ledger: the deposit's balance and the workers' entries move together).
RECORDABLE_SOURCES = [
    s
    for s in PaymentSource
    if s not in (PaymentSource.CLOSING, PaymentSource.EMERGENCY_FUND, PaymentSource.WAGE_DEPOSIT)
]
# What proceeds recorded on a case may come from (repay the fund first, §四(八)).
PROCEEDS_SOURCES = [PaymentSource.COURT_ENFORCEMENT, PaymentSource.ASSET_REALISATION, PaymentSource.EMPLOYER]
# The same as choices, named for the API schema's enums (settings.SPECTACULAR_SETTINGS).
RECORDABLE_SOURCE_CHOICES = [(s.value, s.label) for s in RECORDABLE_SOURCES]
PROCEEDS_SOURCE_CHOICES = [(s.value, s.label) for s in PROCEEDS_SOURCES]


class Basis(models.TextChoices):
    """How a worker's arrears were established (§四(六) 确定欠薪金额)."""

    WAGE_LEDGER = "wage_ledger", _("工资支付台账")
    ATTENDANCE = "attendance", _("考勤记录")
    STATEMENT = "statement", _("劳动者陈述")
    AWARD = "award", _("仲裁裁决")
    JUDGMENT = "judgment", _("法院判决")
    MEDIATION = "mediation", _("调解协议")


class ClaimStatus(models.TextChoices):
    CLAIMED = "claimed", _("待确认")
    CONFIRMED = "confirmed", _("已确认")


# Units that see a case's file but not its money: 公安分局 investigates the crime (§三(十三)); the
# amounts it needs are on the referral it receives, not in the workers' ledger.
MONEY_BLIND_DUTIES = frozenset({"criminal-investigation"})


def sees_money(user: Any) -> bool:
    """Whether the user may read workers' money at all (within the cases they see)."""
    if not getattr(user, "has_role", lambda *r: False)("department"):
        return True  # only a department's duties can make it blind to money: no query for the others
    duties: frozenset[str] = getattr(user, "duty_codes", frozenset())
    return not (duties and duties <= MONEY_BLIND_DUTIES)


def money_cases(user: Any) -> CaseQuerySet:
    """The cases whose money ``user`` may read: the cases they see, unless their unit sees no money."""
    return Case.objects.for_user(user) if sees_money(user) else Case.objects.none()


class ClaimQuerySet(ScopedQuerySet):
    """A worker's claim is seen by whoever sees its case's money (``money_cases``)."""

    def for_user(self, user):
        return self.filter(case__in=money_cases(user).values("pk"))


class Claim(models.Model):
    """What one worker is owed in one case (欠薪确认, §四(六)): registered by the lead unit or the
    office, confirmed by 人社局 (or the office) — the confirmed amount may differ from the claimed one,
    with a note — and changed after that only through a recorded :class:`ClaimCorrection`.

    ``paid`` is the running total of the worker's ledger entries (entries less reversals), kept by the
    payment services in the same transaction as the entry and checked by the database: it never goes
    below zero nor above what is owed (the confirmed amount, or the claimed one before confirmation).
    It is never typed; ``selectors`` test it against the ledger."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    id_number = EncryptedTextField(_("身份证号码"))
    id_number_index = models.CharField(max_length=64, db_index=True, editable=False)
    phone = EncryptedTextField(_("手机号"), blank=True)
    period_from = models.DateField(_("欠薪起始月"))
    period_to = models.DateField(_("欠薪截止月"))
    months = models.PositiveSmallIntegerField(_("欠薪月数"))
    amount = models.BigIntegerField(_("申报金额（分）"))
    basis = models.CharField(_("认定依据"), max_length=12, choices=Basis.choices)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    # the portal report this worker made, when one of the case's reports is theirs (by ID number)
    signal = models.ForeignKey(
        Signal, verbose_name=_("网上反映"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.CLAIMED
    )
    confirmed_amount = models.BigIntegerField(_("确认金额（分）"), null=True, blank=True)
    confirm_note = models.CharField(_("确认说明"), max_length=300, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    paid = models.BigIntegerField(_("已付（分）"), default=0, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("欠薪确认")
        verbose_name_plural = _("欠薪确认")
        ordering = ["case", "pk"]
        permissions = [
            ("confirm_claim", _("可确认欠薪金额")),
            ("export_money", _("可导出工资清偿台账")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "id_number_index"],
                name="money_claim_worker_once_per_case",
                violation_error_message=_("该劳动者（同一身份证号）在本案已登记"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="money_claim_amount_positive",
                violation_error_message=_("申报金额须大于零"),
            ),
            models.CheckConstraint(
                condition=Q(period_to__gte=F("period_from")),
                name="money_claim_period_in_order",
                violation_error_message=_("欠薪截止月不能早于起始月"),
            ),
            models.CheckConstraint(
                condition=(Q(status="claimed") & Q(confirmed_amount__isnull=True))
                | (Q(status="confirmed") & Q(confirmed_amount__gte=0)),
                name="money_claim_confirmed_has_amount",
                violation_error_message=_("已确认的欠薪须有确认金额"),
            ),
            models.CheckConstraint(
                condition=Q(paid__gte=0)
                & (
                    (Q(confirmed_amount__isnull=True) & Q(paid__lte=F("amount")))
                    | (Q(confirmed_amount__isnull=False) & Q(paid__lte=F("confirmed_amount")))
                ),
                name="money_claim_not_overpaid",
                violation_error_message=_("支付金额不能超过尚欠金额"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.owed}"

    @property
    def owed(self) -> int:
        """Fen owed: the confirmed amount once 人社局 has confirmed, the claimed amount before."""
        return self.confirmed_amount if self.confirmed_amount is not None else self.amount

    @property
    def outstanding(self) -> int:
        return max(self.owed - self.paid, 0)

    @property
    def is_confirmed(self) -> bool:
        return self.status == ClaimStatus.CONFIRMED

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class ClaimEvent(Event):
    """Append-only history of a claim: registered, confirmed, corrected (from → to amount, why)."""

    class Kind(models.TextChoices):
        REGISTER = "register", _("登记")
        CONFIRM = "confirm", _("确认")
        CORRECT = "correct", _("更正")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事项"), max_length=10, choices=Kind.choices)
    from_amount = models.BigIntegerField(_("原金额（分）"), null=True, blank=True)
    to_amount = models.BigIntegerField(_("新金额（分）"), null=True, blank=True)

    class Meta:
        verbose_name = _("欠薪确认记录")
        verbose_name_plural = _("欠薪确认记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.from_amount} → {self.to_amount}"


class PaymentRun(models.Model):
    """One payment to many workers at once (a payroll paid by the employer, a deposit draw): its
    rows are :class:`Payment` entries written together, all or none."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=20, choices=PaymentSource.choices)
    paid_on = models.DateField(_("支付日期"))
    reference = models.CharField(_("凭证号"), max_length=100, blank=True)
    rows = models.PositiveIntegerField(_("人数"))
    total = models.BigIntegerField(_("合计（分）"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("批量支付")
        verbose_name_plural = _("批量支付")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.paid_on} {self.total}"


class Payment(models.Model):
    """One sum paid to the workers of a case, as recorded — an append-only ledger entry.

    A row is never edited or deleted: a mistake is corrected by a reversing row (``reverses`` names
    the entry it takes back, its ``amount`` is positive and counts negatively), and the service
    refuses a reversal that would take the case's total below zero. What a case has been paid so far
    is the sum of its entries less its reversals (``selectors.paid_by_case``)."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(
        Claim,
        verbose_name=_("劳动者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    amount = models.BigIntegerField(_("金额（分）"))
    paid_on = models.DateField(_("支付日期"))
    source = models.CharField(_("来源"), max_length=20, choices=PaymentSource.choices)
    reference = models.CharField(
        _("凭证号"), max_length=100, blank=True, help_text=_("银行回单号、执行款编号等")
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    run = models.ForeignKey(
        PaymentRun,
        verbose_name=_("批量支付"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    proceeds = models.ForeignKey(
        "Proceeds",
        verbose_name=_("执行款/变现款"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("冲正的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("支付记录")
        verbose_name_plural = _("支付记录")
        ordering = ["paid_on", "pk"]
        permissions = [("reverse_payment", _("可冲正支付记录"))]
        indexes = [models.Index(fields=["case", "paid_on"], name="money_payment_case_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="money_payment_amount_positive",
                violation_error_message=_("金额须大于零"),
            )
        ]

    def __str__(self) -> str:
        sign = "-" if self.reverses_id else ""
        return f"{self.case_id} {self.paid_on} {sign}{self.amount}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


# --- the emergency revolving funds (§四(八), §三(八)) ---------------------------------------------------


class FundLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    TOWN = "town", _("镇级")


FUND_DUTY = "emergency-fund"  # the duty (§三(八)) whose unit — 财政局 — reviews and pays out


class FundQuerySet(ScopedQuerySet):
    """The office, leaders and auditors see every fund, and so does the unit with the fund's duty
    (财政局, §三(八)); a town sees its own town's fund; nobody else sees any."""

    def sees_all(self, scope: Scope) -> bool:
        return scope.everything

    def for_user(self, user):
        from anxin.core.access import scope_of

        scope = scope_of(user)
        if scope.everything or FUND_DUTY in getattr(user, "duty_codes", ()):
            return self.all()
        if scope.town_ids:
            return self.filter(level=FundLevel.TOWN, town_id__in=scope.town_ids)
        return self.none()


class Fund(models.Model):
    """A wage-arrears emergency revolving fund (欠薪应急周转资金): the district's, or one town's.
    Its balance is never stored as a number anyone edits: it is the last :class:`FundEntry`'s
    ``balance_after``, each entry adding to or taking from the one before."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=8, choices=FundLevel.choices)
    town = models.OneToOneField(
        Town, verbose_name=_("镇/街道"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = FundQuerySet.as_manager()

    class Meta:
        verbose_name = _("应急周转资金")
        verbose_name_plural = _("应急周转资金")
        ordering = ["level", "code"]
        permissions = [
            ("appropriate_fund", _("可登记周转金拨入和核销")),
            ("approve_advance", _("可审核拨付应急周转金")),
            ("request_advance", _("可申请应急周转金垫付")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level="district") & Q(town__isnull=True))
                | (Q(level="town") & Q(town__isnull=False)),
                name="money_fund_town_when_town_level",
                violation_error_message=_("镇级周转金须指定镇/街道，区级不指定"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Situation(models.TextChoices):
    """§四(八): the two situations in which the fund may advance wages."""

    ABSCONDED = "absconded", _("企业经营者逃逸")
    ASSETS_ILLIQUID = "assets_illiquid", _("资产一时难以变现")


class AdvanceStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待财政局审核")
    APPROVED = "approved", _("已拨付")
    RETURNED = "returned", _("已退回")


class AdvanceQuerySet(ScopedQuerySet):
    """An advance is seen by whoever sees its case and by whoever sees its fund (财政局)."""

    def for_user(self, user):
        return self.filter(
            Q(case__in=Case.objects.for_user(user).values("pk"))
            | Q(fund__in=Fund.objects.for_user(user).values("pk"))
        )


class Advance(models.Model):
    """A request that a fund advance wages on a case (§四(八)), with the situation, the checks the
    opinions make preconditions (as found when submitted: ``checks``), the workers and amounts, and
    财政局's decision. Approved, it pays each worker from the fund (ledger entries on both sides);
    what is repaid is the fund's ``repayment`` entries that name it."""

    number = models.CharField(_("编号"), max_length=24, unique=True)
    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="+")
    fund = models.ForeignKey(
        Fund, verbose_name=_("周转金"), on_delete=models.PROTECT, related_name="advances"
    )
    situation = models.CharField(_("适用情形"), max_length=16, choices=Situation.choices)
    hardship = models.BooleanField(_("劳动者临时生活困难"), default=False)
    incident_risk = models.BooleanField(_("可能引发群体性突发事件"), default=False)
    assets_note = models.CharField(_("可供执行的资产"), max_length=500, blank=True)
    reason = models.TextField(_("申请理由"), blank=True)
    checks = models.JSONField(_("前提条件核查"), default=list)
    amount = models.BigIntegerField(_("申请金额（分）"))
    status = models.CharField(
        _("状态"), max_length=10, choices=AdvanceStatus.choices, default=AdvanceStatus.SUBMITTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    # stored when paid out (DESIGN rule 5): the day after which an unrepaid advance is reported
    repay_due_on = models.DateField(_("归还提示日期"), null=True, blank=True, db_index=True)
    repay_due_basis = models.CharField(_("提示日期依据"), max_length=300, blank=True)
    # ``tick`` marks it once when it has been out longer than the parameterised period
    overdue_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AdvanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("周转金垫付")
        verbose_name_plural = _("周转金垫付")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="money_advance_amount_positive",
                violation_error_message=_("申请金额须大于零"),
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(paid_on__isnull=False),
                name="money_advance_approved_has_date",
                violation_error_message=_("已拨付的垫付须有拨付日期"),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class AdvanceItem(models.Model):
    """One worker in an advance request: how much the fund advances to them (never more than the
    capped share of their confirmed outstanding amount). ``payment`` is their ledger entry once paid."""

    advance = models.ForeignKey(Advance, on_delete=models.PROTECT, related_name="items")
    claim = models.ForeignKey(Claim, verbose_name=_("劳动者"), on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("垫付金额（分）"))
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="advance_item"
    )

    class Meta:
        verbose_name = _("垫付明细")
        verbose_name_plural = _("垫付明细")
        ordering = ["advance", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["advance", "claim"],
                name="money_advance_item_once",
                violation_error_message=_("同一劳动者在一份申请中只能列一次"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="money_advance_item_positive",
                violation_error_message=_("垫付金额须大于零"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.advance_id} {self.claim_id} {self.amount}"


class AdvanceEvent(Event):
    """Append-only: an advance submitted, approved, returned, repaid, written off, flagged overdue."""

    advance = models.ForeignKey(Advance, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("事项"), max_length=20)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = _("垫付记录")
        verbose_name_plural = _("垫付记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.advance_id} {self.action}"


class Proceeds(models.Model):
    """Money recovered on a case — court enforcement, asset realisation, or the employer repaying —
    and how it was allocated (§四(八) 后期法院执行到位的资金，应首先用于偿还应急周转资金): first to the
    case's open advances, fund by fund, then to the workers' outstanding claims; ``unallocated`` is
    what was left over (returned or dealt with outside the ledger, as noted)."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("金额（分）"))
    received_on = models.DateField(_("到账日期"))
    source = models.CharField(_("来源"), max_length=20, choices=PaymentSource.choices)
    reference = models.CharField(_("执行款编号/凭证号"), max_length=100, blank=True)
    unallocated = models.BigIntegerField(_("未分配余额（分）"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("执行款/变现款")
        verbose_name_plural = _("执行款/变现款")
        ordering = ["-received_on", "-pk"]
        permissions = [("record_proceeds", _("可登记执行款和变现款"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="money_proceeds_amount_positive",
                violation_error_message=_("金额须大于零"),
            ),
            models.CheckConstraint(
                condition=Q(unallocated__gte=0) & Q(unallocated__lte=F("amount")),
                name="money_proceeds_unallocated_in_range",
                violation_error_message=_("未分配余额须在零和到账金额之间"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.received_on} {self.amount}"


class FundEntryKind(models.TextChoices):
    """What an entry does to the fund: money in (拨入, 归还), out (垫付), or an advance written off by
    the office's decision (核销: the balance does not move, the advance stops being owed)."""

    APPROPRIATION = "appropriation", _("财政拨入")
    ADVANCE = "advance", _("垫付支出")
    REPAYMENT = "repayment", _("归还")
    WRITE_OFF = "write_off", _("核销")


# How each kind moves the balance.
BALANCE_SIGN = {
    FundEntryKind.APPROPRIATION: 1,
    FundEntryKind.ADVANCE: -1,
    FundEntryKind.REPAYMENT: 1,
    FundEntryKind.WRITE_OFF: 0,
}


class FundEntry(models.Model):
    """One line of a fund's ledger — append-only. Entries are numbered per fund (``seq``, unique) and
    each carries the balance after it, which the database keeps at or above zero: two approvals racing
    for the last yuan both write entry N+1 of the same fund, and one of them fails."""

    fund = models.ForeignKey(Fund, verbose_name=_("周转金"), on_delete=models.PROTECT, related_name="entries")
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("类别"), max_length=14, choices=FundEntryKind.choices)
    amount = models.BigIntegerField(_("金额（分）"))
    balance_after = models.BigIntegerField(_("余额（分）"))
    on = models.DateField(_("日期"))
    reference = models.CharField(_("文号/凭证号"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    advance = models.ForeignKey(
        Advance,
        verbose_name=_("垫付"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fund_entries",
    )
    proceeds = models.ForeignKey(
        Proceeds,
        verbose_name=_("执行款/变现款"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("周转金台账")
        verbose_name_plural = _("周转金台账")
        ordering = ["fund", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "seq"],
                name="money_fund_entry_seq_once",
                violation_error_message=_("周转金台账已被他人同时更新，请重试"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="money_fund_entry_amount_positive",
                violation_error_message=_("金额须大于零"),
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0),
                name="money_fund_balance_not_negative",
                violation_error_message=_("周转金余额不足"),
            ),
            models.CheckConstraint(
                condition=Q(kind="appropriation") | Q(advance__isnull=False),
                name="money_fund_entry_names_advance",
                violation_error_message=_("垫付、归还和核销须对应一笔垫付"),
            ),
        ]
        indexes = [models.Index(fields=["fund", "on"], name="money_fund_entry_day")]

    def __str__(self) -> str:
        return f"{self.fund_id}#{self.seq} {self.kind} {self.amount}"


class AllocationKind(models.TextChoices):
    FUND = "fund", _("偿还应急周转金")
    WORKER = "worker", _("支付劳动者")


class Allocation(models.Model):
    """One line of how proceeds were spent, in the order they were allocated: an advance repaid (its
    fund entry) or a worker paid (their ledger entry)."""

    proceeds = models.ForeignKey(Proceeds, on_delete=models.PROTECT, related_name="allocations")
    order = models.PositiveIntegerField(_("顺序"))
    kind = models.CharField(_("用途"), max_length=8, choices=AllocationKind.choices)
    amount = models.BigIntegerField(_("金额（分）"))
    fund_entry = models.OneToOneField(
        FundEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="allocation"
    )
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="allocation"
    )

    class Meta:
        verbose_name = _("执行款分配")
        verbose_name_plural = _("执行款分配")
        ordering = ["proceeds", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="money_allocation_amount_positive",
                violation_error_message=_("金额须大于零"),
            ),
            models.CheckConstraint(
                condition=(Q(kind="fund") & Q(fund_entry__isnull=False) & Q(payment__isnull=True))
                | (Q(kind="worker") & Q(payment__isnull=False) & Q(fund_entry__isnull=True)),
                name="money_allocation_names_its_entry",
                violation_error_message=_("分配须对应周转金归还或劳动者支付记录"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proceeds_id}#{self.order} {self.kind} {self.amount}"
