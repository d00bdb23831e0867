"""Forms of the case's 资金 tab (claims and payments) and of the claims and payments ledgers' filters.
Amounts are typed in 元 (``YuanFormField``); months as ``YYYY-MM``."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.cases.forms import DATE, Styled
from anxin.core.forms import FilterForm, YuanFormField
from anxin.core.money import format_yuan
from anxin.money.models import RECORDABLE_SOURCES, Basis, ClaimStatus, PaymentSource
from anxin.org.access import town_choices

# 2026-09, 2026/9, 2026年9月; a whole date (an Excel date cell, 2026-09-01) names its month
_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(?:[-/.]\s*\d{1,2}\s*日?)?\s*$")


def parse_month(text: str) -> datetime.date:
    """ "2026-09", "2026/9", "2026年9月" → the first day of that month."""
    found = _MONTH.match(text or "")
    if found is None:
        raise ValidationError(_("月份格式应为 YYYY-MM，如 2026-09"))
    year, month = int(found.group(1)), int(found.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        raise ValidationError(_("月份格式应为 YYYY-MM，如 2026-09"))
    return datetime.date(year, month, 1)


class MonthField(forms.CharField):
    """A month typed ``YYYY-MM`` (the browser's month picker), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-09"})

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        return parse_month(text)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m}"
        return value


def source_choices() -> list[tuple[str, Any]]:
    return [(s.value, s.label) for s in RECORDABLE_SOURCES]


class ClaimForm(Styled, forms.Form):
    """One worker's claim on the case (登记欠薪)."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=30)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    period_from = MonthField(label=_("欠薪起始月"))
    period_to = MonthField(label=_("欠薪截止月"))
    months = forms.IntegerField(
        label=_("欠薪月数"), min_value=1, max_value=600, required=False, help_text=_("留空按起止月计算")
    )
    amount = YuanFormField(label=_("申报金额（元）"), allow_zero=False)
    basis = forms.ChoiceField(label=_("认定依据"), choices=Basis.choices)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "claim_%s")
        super().__init__(*args, **kwargs)
        self.style()


class ConfirmForm(forms.Form):
    """人社局 confirms one worker's arrears: the amount (blank: as claimed) and why it differs."""

    amount = YuanFormField(label=_("确认金额（元）"), required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class CorrectForm(forms.Form):
    """A recorded correction of a confirmed amount."""

    amount = YuanFormField(label=_("更正后金额（元）"))
    reason = forms.CharField(label=_("更正理由"), max_length=500)


class PaymentForm(Styled, forms.Form):
    """One payment to one worker."""

    claim = forms.TypedChoiceField(label=_("劳动者"), coerce=int)
    amount = YuanFormField(label=_("支付金额（元）"), allow_zero=False)
    paid_on = forms.DateField(label=_("支付日期"), widget=DATE, initial=timezone.localdate)
    source = forms.ChoiceField(label=_("来源"), choices=source_choices)
    reference = forms.CharField(
        label=_("凭证号"), max_length=100, required=False, help_text=_("银行回单号、执行款编号等")
    )
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args: Any, claims: list = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        kwargs.setdefault("auto_id", "pay_%s")
        super().__init__(*args, **kwargs)
        claim = self.fields["claim"]
        assert isinstance(claim, forms.ChoiceField)
        claim.choices = [("", "——")] + [
            (c.pk, f"{c.name}（尚欠 ¥{format_yuan(c.outstanding)}）") for c in claims
        ]
        self.style()


class RunForm(Styled, forms.Form):
    """A payment run: one amount box per worker still owed, one source, date and reference."""

    paid_on = forms.DateField(label=_("支付日期"), widget=DATE, initial=timezone.localdate)
    source = forms.ChoiceField(label=_("来源"), choices=source_choices)
    reference = forms.CharField(label=_("凭证号"), max_length=100, required=False)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)

    def __init__(self, *args: Any, claims: list = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        kwargs.setdefault("auto_id", "run_%s")
        super().__init__(*args, **kwargs)
        self.claims = [c for c in claims if c.outstanding > 0]
        for claim in self.claims:
            self.fields[f"amount_{claim.pk}"] = YuanFormField(
                label=claim.name, required=False, allow_zero=False
            )
        self.style()

    def rows(self) -> list[tuple[Any, Any]]:
        """(claim, its amount box) for the template."""
        return [(c, self[f"amount_{c.pk}"]) for c in self.claims]

    def amounts(self) -> list[tuple[Any, int]]:
        """(claim, fen) for the boxes filled in."""
        return [
            (c, self.cleaned_data[f"amount_{c.pk}"])
            for c in self.claims
            if self.cleaned_data.get(f"amount_{c.pk}")
        ]


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲正理由"), max_length=500)


# --- ledgers' filters ---------------------------------------------------------------------------------


class ClaimFilter(FilterForm):
    q = forms.CharField(label=_("姓名"), required=False)
    case = forms.CharField(label=_("案件编号"), required=False)
    town = forms.ChoiceField(label=_("镇/街道"), required=False)
    status = forms.ChoiceField(
        label=_("确认状态"), required=False, choices=[("", _("全部状态")), *ClaimStatus.choices]
    )
    paid = forms.ChoiceField(
        label=_("支付情况"),
        required=False,
        choices=[("", _("全部支付情况")), ("full", _("已足额支付")), ("owed", _("尚欠"))],
    )
    basis = forms.ChoiceField(
        label=_("认定依据"), required=False, choices=[("", _("全部依据")), *Basis.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        town = self.fields["town"]
        assert isinstance(town, forms.ChoiceField)
        town.choices = town_choices(self.user)


class PaymentFilter(FilterForm):
    case = forms.CharField(label=_("案件编号"), required=False)
    source = forms.ChoiceField(
        label=_("来源"), required=False, choices=[("", _("全部来源")), *PaymentSource.choices]
    )
    date_from = forms.DateField(label=_("支付日期起"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("支付日期止"), required=False, widget=DATE)
    town = forms.ChoiceField(label=_("镇/街道"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        town = self.fields["town"]
        assert isinstance(town, forms.ChoiceField)
        town.choices = town_choices(self.user)
