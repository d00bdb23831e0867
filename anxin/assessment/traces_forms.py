"""Forms of the traces part (filters, the finding, the veto decision, the referral)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from anxin.assessment import access
from anxin.assessment.models import (
    FindingSource,
    FindingStatus,
    ReferralStatus,
    TraceReason,
    VetoCondition,
    VetoStatus,
)
from anxin.core.forms import FilterForm
from anxin.intake.forms import MultipleFileField, MultipleFileInput
from anxin.org.models import Unit


def _units():
    return access.assessed_units()


def _year_default() -> int:
    return timezone.localdate().year


class TraceFilter(FilterForm):
    q = forms.CharField(label="搜索", required=False)
    reason = forms.ChoiceField(
        label="倒查事由", required=False, choices=[("", "全部事由"), *TraceReason.choices]
    )


class FindingFilter(FilterForm):
    q = forms.CharField(label="搜索", required=False)
    year = forms.IntegerField(label="考核年度", required=False, min_value=2000, max_value=2100)
    unit = forms.ModelChoiceField(
        label="责任单位", required=False, queryset=Unit.objects.none(), empty_label="全部单位"
    )
    source = forms.ChoiceField(
        label="来源", required=False, choices=[("", "全部来源"), *FindingSource.choices]
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *FindingStatus.choices]
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["unit"].queryset = _units()  # type: ignore[attr-defined]


class VetoFilter(FilterForm):
    q = forms.CharField(label="搜索", required=False)
    year = forms.IntegerField(label="考核年度", required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *VetoStatus.choices])


class ReferralFilter(FilterForm):
    q = forms.CharField(label="搜索", required=False)
    year = forms.IntegerField(label="移交年度", required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态"), *ReferralStatus.choices]
    )


class FindingForm(forms.Form):
    unit = forms.ModelChoiceField(label="责任单位", queryset=Unit.objects.none())
    year = forms.IntegerField(label="考核年度", min_value=2000, max_value=2100, initial=_year_default)
    text = forms.CharField(label="认定的问题", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    deduction = forms.DecimalField(
        label="建议扣分", min_value=0, max_value=100, decimal_places=2, initial=0,
        help_text="计入考核方案中“认定问题扣分”扣分项（受该项上限约束）",
    )  # fmt: skip
    veto_condition = forms.ModelChoiceField(
        label="同时建议一票否决",
        required=False,
        queryset=VetoCondition.objects.none(),
        empty_label="不建议否决",
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else _units()  # type: ignore[attr-defined]
        self.fields["veto_condition"].queryset = VetoCondition.objects.filter(active=True)  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由", widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}), max_length=2000
    )


class TraceSaveForm(forms.Form):
    note = forms.CharField(
        label="说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        max_length=5000,
    )


class ReferralForm(forms.Form):
    to_body = forms.CharField(
        label="接收机关",
        max_length=60,
        initial="区纪委监委",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    letter = forms.CharField(
        label="移交函内容",
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
        max_length=10000,
    )
    papers = MultipleFileField(
        label="证据材料（PDF、图片，可多选）",
        required=False,
        widget=MultipleFileInput(
            attrs={"class": "form-control", "accept": "application/pdf,image/jpeg,image/png"}
        ),
    )


class ReceiveForm(forms.Form):
    received_on = forms.DateField(
        label="签收日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    received_by_name = forms.CharField(
        label="签收人", max_length=40, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class ConcludeForm(forms.Form):
    outcome_on = forms.DateField(
        label="反馈日期", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    outcome = forms.CharField(
        label="处理结果", widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}), max_length=10000
    )


class TellForm(forms.Form):
    message = forms.CharField(
        label="告知被移交单位的内容",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        max_length=2000,
    )
