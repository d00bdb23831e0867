"""Forms of the publication of major violations: the ledgers' filters, gathering a period on demand,
the review (a reason to remove or withdraw), editing what is published, the public page's search."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.forms import FilterForm
from anxin.credit.models import BatchStatus, EntryStatus, PublicationEntry, ViolationClass
from anxin.credit.services.publication import EDITABLE, ended_periods


class BatchFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *BatchStatus.choices]
    )
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)


class EntryFilter(FilterForm):
    q = forms.CharField(label=_("单位名称或信用代码"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *EntryStatus.choices]
    )
    violation_class = forms.ChoiceField(
        label=_("违法行为类别"), required=False, choices=[("", _("全部类别")), *ViolationClass.choices]
    )
    batch = forms.CharField(label=_("批次编号"), required=False, max_length=24)


class GatherForm(forms.Form):
    """Gather an ended period now (人社局 or the office)."""

    period = forms.TypedChoiceField(label=_("统计期"), coerce=datetime.date.fromisoformat, choices=())

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        field = self.fields["period"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (f"{p.start:%Y-%m-%d}", f"{p.label}（{p.start:%Y-%m-%d} 至 {p.end:%Y-%m-%d}）")
            for p in ended_periods(today)
        ]
        field.widget.attrs["class"] = "form-select"


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("审核意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class EntryEditForm(forms.Form):
    """What is published of one entry (令29 第六条), editable while the batch is a draft."""

    name = forms.CharField(label=_("单位名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200)
    legal_rep = forms.CharField(label=_("法定代表人（负责人）"), max_length=50)
    facts = forms.CharField(label=_("主要违法事实"), widget=forms.Textarea(attrs={"rows": 4}))
    handling = forms.CharField(label=_("查处情况"), widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(
        label=_("修改理由"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, entry: PublicationEntry | None = None, **kwargs: Any) -> None:
        if entry is not None:
            kwargs.setdefault("initial", {name: getattr(entry, name) for name in EDITABLE})
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class PublicSearchForm(forms.Form):
    q = forms.CharField(label=_("单位名称或统一社会信用代码"), required=False, max_length=100)
