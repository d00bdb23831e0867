"""The wage deposit (农民工工资保证金, §三(九); 保障农民工工资支付条例 第三十二条; 人社部发〔2021〕65号).

A project's :class:`Deposit` holds what the general contractor must deposit — the required amount and
the computation it came from (every parameter with its code, value and clause) — how it was deposited
(cash in a deposit account, a bank guarantee, insurance), and its return after completion. Its money
moves only through :class:`DepositEvent`, an append-only ledger numbered per deposit whose running
balance the database keeps at or above zero; a mistake is corrected by a reversing event, never by an
edit. A :class:`DepositDraw` is the use of the deposit for a case's workers: ordered by the
supervising department, paid by the bank within its deadline, topped up by the contractor within
its own."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.cases.models import Case, LegalAction
from anxin.core.access import ScopedQuerySet
from anxin.core.models import Event
from anxin.money.models import PaymentRun
from anxin.registry.models import Enterprise, Project
from anxin.sites.models.roster import ProjectScopedQuerySet


class DepositForm(models.TextChoices):
    CASH = "cash", _("现金存储")
    GUARANTEE = "guarantee", _("银行保函")
    INSURANCE = "insurance", _("工程保证保险")


class DepositStatus(models.TextChoices):
    REQUIRED = "required", _("待存储")
    EXEMPT = "exempt", _("免存")
    HELD = "held", _("已存储")
    NOTICE = "notice", _("返还公示中")
    RETURNED = "returned", _("已返还")


class Deposit(models.Model):
    """The wage deposit of one construction project, owed by its general contractor."""

    project = models.OneToOneField(
        Project, verbose_name=_("工程项目"), on_delete=models.PROTECT, related_name="wage_deposit"
    )
    contractor = models.ForeignKey(
        Enterprise, verbose_name=_("施工总承包单位"), on_delete=models.PROTECT, related_name="+"
    )
    contract_signed_on = models.DateField(_("施工合同签订日期"))
    contract_amount = models.BigIntegerField(_("合同金额（分）"))
    required = models.BigIntegerField(_("应存金额（分）"))
    computation = models.JSONField(_("应存金额计算过程"), default=dict)
    due_on = models.DateField(_("存储期限"), db_index=True)
    due_basis = models.CharField(_("期限依据"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=10, choices=DepositStatus.choices, default=DepositStatus.REQUIRED
    )
    form = models.CharField(_("存储方式"), max_length=10, choices=DepositForm.choices, blank=True)
    bank = models.CharField(_("存储银行/保险机构"), max_length=100, blank=True)
    reference = models.CharField(_("账号/保函（保单）编号"), max_length=100, blank=True)
    deposited_on = models.DateField(_("存储日期"), null=True, blank=True)
    # return (65号文 第十七条): completion, the public notice, the review, the release
    completed_on = models.DateField(_("竣工日期"), null=True, blank=True)
    notice_from = models.DateField(_("公示开始"), null=True, blank=True)
    notice_until = models.DateField(_("公示截止"), null=True, blank=True)
    review_due_on = models.DateField(_("审核期限"), null=True, blank=True, db_index=True)
    review_basis = models.CharField(_("审核期限依据"), max_length=300, blank=True)
    returned_on = models.DateField(_("返还日期"), null=True, blank=True)
    # ``tick`` marks (each once)
    late_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    objects = ProjectScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("农民工工资保证金")
        verbose_name_plural = _("农民工工资保证金")
        ordering = ["due_on", "pk"]
        permissions = [("manage_deposit", _("可登记和动用农民工工资保证金"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(required__gte=0) & Q(contract_amount__gte=0),
                name="sites_deposit_amounts_not_negative",
                violation_error_message=_("金额不能为负数"),
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | (~Q(form="") & Q(deposited_on__isnull=False)),
                name="sites_deposit_held_has_form",
                violation_error_message=_("已存储的保证金须有存储方式和存储日期"),
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | Q(returned_on__isnull=False),
                name="sites_deposit_returned_has_date",
                violation_error_message=_("已返还的保证金须有返还日期"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} 工资保证金"


class EventKind(models.TextChoices):
    REQUIRE = "require", _("核定应存金额")
    DEPOSIT = "deposit", _("存储")
    DRAW = "draw", _("责令动用")
    PAY = "pay", _("银行支付")
    TOP_UP = "top_up", _("补足")
    TOPPED_UP = "topped_up", _("动用已补足")
    REVERSAL = "reversal", _("冲正")
    RETURN_REQUEST = "return_request", _("申请返还（公示）")
    RETURN_REFUSE = "return_refuse", _("不予返还")
    RETURN = "return", _("返还")
    FLAG = "flag", _("逾期提示")


# How each kind of event moves the balance (the others leave it as it was).
BALANCE_SIGN = {
    EventKind.DEPOSIT: 1,
    EventKind.TOP_UP: 1,
    EventKind.PAY: -1,
    EventKind.RETURN: -1,
}


class DrawStatus(models.TextChoices):
    ORDERED = "ordered", _("待银行支付")
    PAID = "paid", _("已支付待补足")
    TOPPED_UP = "topped_up", _("已补足")


class DrawQuerySet(ScopedQuerySet):
    """A draw is seen by whoever sees its project."""

    def for_user(self, user):
        return self.filter(deposit__project__in=Project.objects.for_user(user).values("pk"))


class DepositDraw(models.Model):
    """A use of the deposit for a case's workers (65号文 第十三、十四条): when the contractor did not
    pay the confirmed arrears by the date an order to pay set, the supervising department orders the
    bank to pay; the bank pays within its working days; the contractor tops up within its own."""

    deposit = models.ForeignKey(
        Deposit, verbose_name=_("保证金"), on_delete=models.PROTECT, related_name="draws"
    )
    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        LegalAction, verbose_name=_("逾期未履行的责令支付"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.BigIntegerField(_("动用金额（分）"))
    status = models.CharField(
        _("状态"), max_length=10, choices=DrawStatus.choices, default=DrawStatus.ORDERED
    )
    ordered_on = models.DateField(_("通知日期"))
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("通知人"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("支付通知书编号"), max_length=100, blank=True)
    bank_due_on = models.DateField(_("银行支付期限"), db_index=True)
    bank_due_basis = models.CharField(_("支付期限依据"), max_length=300)
    paid_on = models.DateField(_("银行支付日期"), null=True, blank=True)
    paid_amount = models.BigIntegerField(_("实际支付（分）"), default=0)
    paid_reference = models.CharField(_("银行回单号"), max_length=100, blank=True)
    run = models.ForeignKey(
        PaymentRun,
        verbose_name=_("支付记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    topup_due_on = models.DateField(_("补足期限"), null=True, blank=True, db_index=True)
    topup_basis = models.CharField(_("补足期限依据"), max_length=300, blank=True)
    topped_up = models.BigIntegerField(_("已补足（分）"), default=0)
    topped_up_on = models.DateField(_("补足日期"), null=True, blank=True)
    bank_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)
    topup_flagged_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = DrawQuerySet.as_manager()

    class Meta:
        verbose_name = _("工资保证金动用")
        verbose_name_plural = _("工资保证金动用")
        ordering = ["deposit", "ordered_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(paid_amount__gte=0) & Q(paid_amount__lte=models.F("amount")),
                name="sites_draw_amounts",
                violation_error_message=_("动用金额须大于零，实际支付不超过动用金额"),
            ),
            models.CheckConstraint(
                condition=Q(topped_up__gte=0) & Q(topped_up__lte=models.F("paid_amount")),
                name="sites_draw_topped_up_within_paid",
                violation_error_message=_("补足金额不能超过实际支付金额"),
            ),
            models.CheckConstraint(
                condition=Q(status="ordered") | (Q(paid_on__isnull=False) & Q(topup_due_on__isnull=False)),
                name="sites_draw_paid_has_dates",
                violation_error_message=_("已支付的动用须有支付日期和补足期限"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deposit} 动用 {self.amount}"

    @property
    def topup_left(self) -> int:
        return max(self.paid_amount - self.topped_up, 0)


class DepositEvent(Event):
    """One line of a deposit's ledger — append-only, numbered per deposit (``seq``, unique), with the
    balance after it (never below zero: the database refuses it, and a second writer of the same
    ``seq``). Money lines (存储, 银行支付, 补足, 返还, 冲正) carry an amount; the others (核定, 申请返还,
    逾期提示, status moves) carry zero and the balance as it stood."""

    deposit = models.ForeignKey(
        Deposit, verbose_name=_("保证金"), on_delete=models.PROTECT, related_name="events"
    )
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("事项"), max_length=16, choices=EventKind.choices)
    amount = models.BigIntegerField(_("金额（分）"), default=0)
    balance_after = models.BigIntegerField(_("余额（分）"))
    on = models.DateField(_("日期"))
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    draw = models.ForeignKey(
        DepositDraw,
        verbose_name=_("动用"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("冲正的记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("工资保证金台账")
        verbose_name_plural = _("工资保证金台账")
        ordering = ["deposit", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["deposit", "seq"],
                name="sites_deposit_event_seq_once",
                violation_error_message=_("保证金台账已被他人同时更新，请重试"),
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0),
                name="sites_deposit_balance_not_negative",
                violation_error_message=_("保证金余额不足"),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="sites_deposit_event_amount_not_negative",
                violation_error_message=_("金额不能为负数"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deposit_id}#{self.seq} {self.kind} {self.amount}"
