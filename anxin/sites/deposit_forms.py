"""Forms of the wage deposit's screens: amounts typed in yuan (``YuanFormField``, 元 beside the box), fen
in ``cleaned_data``; dates as dates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.cases.forms import DATE, Styled
from anxin.core.forms import FilterForm, YuanFormField
from anxin.sites.models import DepositForm, DepositStatus


class _Form(Styled, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class RequireForm(_Form):
    """Fix the required amount: the contract's signing date (the amount is the project's contract sum)."""

    contract_signed_on = forms.DateField(label=_("施工合同签订日期"), widget=DATE)


class RecordForm(_Form):
    """The deposit as made: form, amount, date, bank, account or guarantee number."""

    form = forms.ChoiceField(label=_("存储方式"), choices=DepositForm.choices)
    amount = YuanFormField(label=_("存储金额"), allow_zero=False)
    deposited_on = forms.DateField(label=_("存储日期"), widget=DATE)
    bank = forms.CharField(label=_("存储银行/保险机构"), max_length=100)
    reference = forms.CharField(label=_("账号/保函（保单）编号"), max_length=100)


class DrawForm(_Form):
    """Order a draw for a case on the project."""

    case = forms.TypedChoiceField(label=_("案件"), coerce=int)
    amount = YuanFormField(label=_("动用金额"), allow_zero=False)
    reference = forms.CharField(label=_("支付通知书编号"), max_length=100, required=False)

    def __init__(self, *args: Any, cases: list = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [(c.pk, f"{c.number} {c.enterprise.name}") for c in cases]  # type: ignore[attr-defined]


class PaidForm(_Form):
    """The bank's payment of a draw."""

    paid_on = forms.DateField(label=_("银行支付日期"), widget=DATE)
    reference = forms.CharField(label=_("银行回单号"), max_length=100, required=False)


class TopUpForm(_Form):
    amount = YuanFormField(label=_("补足金额"), allow_zero=False)
    on = forms.DateField(label=_("补足日期"), widget=DATE)
    reference = forms.CharField(label=_("凭证号"), max_length=100, required=False)


class ReturnRequestForm(_Form):
    completed_on = forms.DateField(label=_("竣工日期"), widget=DATE)
    note = forms.CharField(
        label=_("无拖欠承诺及说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnDecideForm(_Form):
    decision = forms.ChoiceField(
        label=_("审核决定"),
        choices=[("approve", _("返还")), ("refuse", _("不予返还"))],
        widget=forms.RadioSelect,
    )
    returned_on = forms.DateField(label=_("返还日期"), widget=DATE, required=False)
    note = forms.CharField(
        label=_("审核意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReverseForm(_Form):
    event = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("冲正理由"), max_length=300)


class DepositFilter(FilterForm):
    """The district's deposit ledger: search by project or contractor, status, town, overdue only."""

    q = forms.CharField(label=_("搜索"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *DepositStatus.choices]
    )
    flagged = forms.BooleanField(label=_("仅逾期/不足"), required=False)
