"""The filters of the immediate-report and watch-list ledgers (台账): what the screen shows is what
the Excel export holds."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.core.forms import FilterForm
from anxin.monitoring.models import Level, ReportStatus, WatchStatus
from anxin.org.access import town_choices


class ReportFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *ReportStatus.choices]
    )
    rule = forms.ChoiceField(
        label=_("触发条件"),
        required=False,
        choices=[
            ("", _("全部触发条件")),
            ("IMMEDIATE_ARREARS_2M", _("欠薪欠保两个月以上")),
            ("IMMEDIATE_COMPLAINTS_3", _("一个月内查实举报三次以上")),
        ],
    )
    town = forms.ChoiceField(label=_("镇/街道"), required=False)
    overdue = forms.BooleanField(label=_("仅逾期未报送"), required=False)
    mine = forms.BooleanField(label=_("本单位填报"), required=False)
    date_from = forms.DateField(
        label=_("触发起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("触发止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = town_choices(self.user)


class RiskFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    level = forms.ChoiceField(
        label=_("等级"),
        required=False,
        choices=[("", _("全部风险等级")), *[c for c in Level.choices if c[0] != "none"][::-1]],
    )
    town = forms.ChoiceField(label=_("镇/街道"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = town_choices(self.user)


class WatchFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        initial="live",
        choices=[("live", _("待确认与监控中")), ("", _("全部状态")), *WatchStatus.choices],
    )
    level = forms.ChoiceField(
        label=_("等级"),
        required=False,
        choices=[("", _("全部等级")), *[c for c in Level.choices if c[0] != "none"][::-1]],
    )
    town = forms.ChoiceField(label=_("镇/街道"), required=False)
    overdue = forms.BooleanField(label=_("仅回访逾期"), required=False)
    date_from = forms.DateField(
        label=_("提出起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("提出止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and "status" not in data:  # the ledger opens on the live entries
            data = data.copy()
            data["status"] = "live"
        super().__init__(data, *args, **kwargs)
        self.fields["town"].choices = town_choices(self.user)

    def describe(self) -> str:
        # Unfiltered, the ledger and its export hold the live entries: the file says so.
        return super().describe() or "状态=待确认与监控中"
