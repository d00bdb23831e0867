"""Forms of the publicity screens: the ledger's filters, recording or correcting an activity (several
photos at once, checked by content in the service), withdrawing with a reason, the counts' period."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.cases.forms import DATE, Styled
from anxin.core.forms import FilterForm
from anxin.intake.forms import MultipleFileField, MultipleFileInput
from anxin.reports.models import PublicityKind
from anxin.reports.publicity_selectors import recording_units


class PublicityFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    unit = forms.ChoiceField(label=_("开展单位"), required=False)
    kind = forms.ChoiceField(
        label=_("活动形式"), required=False, choices=[("", _("全部形式")), *PublicityKind.choices]
    )
    date_from = forms.DateField(label=_("活动日期自"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("活动日期至"), required=False, widget=DATE)
    withdrawn = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), ("no", _("有效（计入统计）")), ("yes", _("已撤销"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = recording_units(self.user) if self.user is not None else []
        self.fields["unit"].choices = [("", _("全部单位")), *[(u.code, u.name) for u in units]]  # type: ignore[attr-defined]


class PublicityForm(Styled, forms.Form):
    date = forms.DateField(label=_("活动日期"), widget=DATE)
    kind = forms.ChoiceField(label=_("活动形式"), choices=[("", _("请选择")), *PublicityKind.choices])
    title = forms.CharField(label=_("活动名称"), max_length=100)
    place = forms.CharField(label=_("地点"), max_length=100)
    audience = forms.IntegerField(label=_("受众人数（人）"), min_value=0, max_value=10_000_000, initial=0)
    materials = forms.IntegerField(
        label=_("发放宣传品（份）"), min_value=0, max_value=10_000_000, initial=0, required=False
    )
    description = forms.CharField(
        label=_("活动内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False
    )
    photos = MultipleFileField(
        label=_("活动照片（可多选，JPG/PNG/HEIC）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/heic,image/heif"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class WithdrawForm(Styled, forms.Form):
    reason = forms.CharField(label=_("撤销理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class CountsForm(FilterForm):
    """The counts table's dates: a period (``YYYY-MM``) or a date range."""

    period = forms.CharField(label=_("报告期"), required=False, max_length=7)
    date_from = forms.DateField(label=_("自"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("至"), required=False, widget=DATE)
