"""Forms of the emergency funds' screens (§四(八)): amounts typed in yuan (``YuanFormField``, 元 beside
the box), fen in ``cleaned_data``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.cases.forms import DATE, Styled
from anxin.core.forms import FilterForm, YuanFormField
from anxin.core.money import YuanInput, format_yuan
from anxin.money.models import PROCEEDS_SOURCES, Claim, Fund, FundEntryKind, Situation


class FundEntryFilter(FilterForm):
    """The fund ledger's filters: kind and a date range."""

    kind = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", _("全部类别")), *FundEntryKind.choices]
    )
    date_from = forms.DateField(label=_("起"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("止"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AppropriationForm(Styled, forms.Form):
    """财政 拨入: amount, date, the appropriation's document number."""

    amount = YuanFormField(label=_("拨入金额"), allow_zero=False)
    date = forms.DateField(label=_("拨入日期"), widget=DATE)
    reference = forms.CharField(label=_("拨款文号/凭证号"), max_length=100)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class WriteOffForm(Styled, forms.Form):
    """核销 (the office's decision): which advance, how much, the decision's number, why."""

    advance = forms.TypedChoiceField(label=_("垫付"), coerce=int)
    amount = YuanFormField(label=_("核销金额"), allow_zero=False)
    reference = forms.CharField(label=_("核销决定文号"), max_length=100)
    reason = forms.CharField(label=_("核销理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, advances: list = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["advance"].choices = [  # type: ignore[attr-defined]
            (a.pk, f"{a.number} · {a.case.number} · 未归还 ¥{format_yuan(a.outstanding)}") for a in advances
        ]
        self.style()


class AdvanceRequestForm(Styled, forms.Form):
    """A request to a fund (§四(八)): the fund, the situation, the two checks, the assets, and one
    amount per worker (``amount_<claim id>``, empty: not in this request)."""

    fund = forms.ChoiceField(label=_("申请的周转金"))
    situation = forms.ChoiceField(
        label=_("适用情形"), choices=Situation.choices, widget=forms.RadioSelect, required=False
    )
    hardship = forms.BooleanField(label=_("劳动者生活临时困难"), required=False)
    incident_risk = forms.BooleanField(label=_("可能引发群体性突发事件"), required=False)
    assets_note = forms.CharField(
        label=_("可供执行的资产"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("本案没有财产控制清单或法院财产保全时，请说明企业可供执行的资产"),
    )
    reason = forms.CharField(
        label=_("申请理由"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, funds: list[Fund], claims: list[Claim], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = [(f.code, f.name) for f in funds]  # type: ignore[attr-defined]
        self.claims = claims
        for claim in claims:
            label = _("%(n)s 垫付金额") % {"n": claim.name}
            # drawn in the workers' table without a <label>: the box carries its name itself
            self.fields[f"amount_{claim.pk}"] = YuanFormField(
                label=label, required=False, widget=YuanInput(attrs={"aria-label": label})
            )
        self.style()

    def amount_field(self, claim: Claim) -> forms.BoundField:
        return self[f"amount_{claim.pk}"]

    def items(self) -> list[tuple[Claim, int]]:
        rows = []
        for claim in self.claims:
            amount = self.cleaned_data.get(f"amount_{claim.pk}")
            if amount is not None and amount != 0:
                rows.append((claim, amount))
            elif amount == 0 and self.data.get(f"amount_{claim.pk}", "").strip():
                rows.append((claim, 0))  # a typed zero is refused by the service, naming the worker
        return rows


class ApproveForm(Styled, forms.Form):
    paid_on = forms.DateField(label=_("拨付日期"), widget=DATE)
    note = forms.CharField(label=_("审核意见"), max_length=2000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class ReturnForm(Styled, forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class ProceedsForm(Styled, forms.Form):
    """执行款/变现款 on a case: repays the fund first, then the workers."""

    amount = YuanFormField(label=_("到账金额"), allow_zero=False)
    received_on = forms.DateField(label=_("到账日期"), widget=DATE)
    source = forms.ChoiceField(label=_("来源"), choices=[(s.value, s.label) for s in PROCEEDS_SOURCES])
    reference = forms.CharField(label=_("执行款编号/凭证号"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()
