"""Money (§四(六)(八)): what employers promised to pay and what has been paid to the workers of a
case. Cases come before money in the flow: a case learns "paid so far" through the seam
(``seam.CASE_PAID``), never by importing this module."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.cases.models import Case, LegalAction


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
    """Where a recorded payment comes from. Today only the amount typed when a case closes; the
    ledger of issue 15 adds the employer, the general contractor, the wage deposit, the emergency
    fund, asset realisation, court enforcement…"""

    CLOSING = "closing", _("结案登记")


class Payment(models.Model):
    """One sum paid to the workers of a case, as recorded — an append-only ledger entry.

    A row is never edited or deleted: a mistake is corrected by a reversing row (``reverses`` names
    the entry it takes back, its ``amount`` is positive and counts negatively), and the service
    refuses a reversal that would take the case's total below zero. What a case has been paid so far
    is the sum of its entries less its reversals (``selectors.paid_by_case``)."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("金额（分）"))
    paid_on = models.DateField(_("支付日期"))
    source = models.CharField(_("来源"), max_length=20, choices=PaymentSource.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
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
