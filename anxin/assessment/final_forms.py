"""Forms of the finalisation: the objection queue's filters, a unit's objection (reason, evidence), the
office's answer (upheld with the points after, or not)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.assessment.models import ObjectionStatus, UnitGroup
from anxin.cases.forms import Styled
from anxin.core.forms import FilterForm
from anxin.intake.forms import MultipleFileField

TEXT = {"rows": 4}


class ObjectionFilter(FilterForm):
    """The objection queue: search, status, year, group."""

    q = forms.CharField(label=_("搜索"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *ObjectionStatus.choices]
    )
    year = forms.IntegerField(label=_("考核年度"), required=False, min_value=2000, max_value=2100)
    group = forms.ChoiceField(
        label=_("考核对象"), required=False, choices=[("", _("全部单位")), *UnitGroup.choices]
    )


class _Form(Styled, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class ObjectionForm(_Form):
    reason = forms.CharField(
        label=_("异议理由"),
        max_length=5000,
        widget=forms.Textarea(attrs=TEXT),
        help_text=_("写明对哪条依据记录、哪个数值有异议，以及事实和依据"),
    )
    evidence = MultipleFileField(
        label=_("佐证材料"), required=False, help_text=_("PDF 或图片，可选多个（最多 10 个）")
    )


class AnswerForm(_Form):
    decision = forms.ChoiceField(
        label=_("答复结论"),
        choices=[("uphold", _("采纳异议（调整该项得分）")), ("reject", _("不予采纳（得分不变）"))],
        widget=forms.RadioSelect,
    )
    points_after = forms.DecimalField(
        label=_("调整后得分"),
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        help_text=_("采纳时填写，单位：分"),
    )
    answer = forms.CharField(label=_("答复意见"), max_length=2000, widget=forms.Textarea(attrs=TEXT))
