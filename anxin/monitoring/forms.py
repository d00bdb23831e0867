"""Forms of the monitoring screens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.core.forms import FilterForm
from anxin.monitoring.models import AlertStatus, Indicator, Level
from anxin.monitoring.rules import RULES
from anxin.org.access import town_choices


class AlertFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    level = forms.ChoiceField(
        label=_("等级"),
        required=False,
        choices=[("", _("全部等级")), *[c for c in Level.choices if c[0] != "none"]],
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *AlertStatus.choices]
    )
    rule = forms.ChoiceField(
        label=_("规则"), required=False, choices=[("", _("全部规则")), *[(r.code, r.name) for r in RULES]]
    )
    town = forms.ChoiceField(label=_("镇/街道"), required=False)
    overdue = forms.BooleanField(label=_("仅逾期"), required=False)
    mine = forms.BooleanField(label=_("我的待处置"), required=False)
    active = forms.BooleanField(label=_("未关闭"), required=False)
    date_from = forms.DateField(
        label=_("生成起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("生成止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = town_choices(self.user)  # inside the user's scope


class ObservationImportForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("指标"), queryset=Indicator.objects.order_by("order"), empty_label=None
    )
    file = forms.FileField(label=_("导入文件"), help_text=_("Excel（.xlsx）或 CSV，请使用下载的模板"))


class ObservationFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    enterprise = forms.CharField(label=_("统一社会信用代码"), required=False, widget=forms.HiddenInput)
    indicator = forms.ChoiceField(label=_("指标"), required=False)
    town = forms.ChoiceField(label=_("镇/街道"), required=False)
    month_from = forms.DateField(
        label=_("起始月份"), required=False, input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )  # fmt: skip
    month_to = forms.DateField(
        label=_("截止月份"), required=False, input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [
            ("", _("全部指标")),
            *Indicator.objects.order_by("order", "pk").values_list("code", "name"),
        ]
        self.fields["town"].choices = town_choices(self.user)  # inside the user's scope
