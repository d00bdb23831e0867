"""Forms of the grades and objections screens: the ledgers' filters, the year's computation and
confirmation, an adjustment with its reasons, an objection recorded and answered."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.cases.forms import DATE, Styled
from anxin.core.forms import FilterForm
from anxin.credit.models import Grade, GradeYear, ObjectionStatus
from anxin.org.access import town_choices


class _Form(Styled, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class GradeFilter(FilterForm):
    """The grades ledger: year, grade, town, confirmed or not, changed by hand, search."""

    year = forms.TypedChoiceField(label=_("评价年度"), required=False, coerce=int, empty_value=None)
    grade = forms.ChoiceField(label=_("等级"), required=False, choices=[("", _("全部等级")), *Grade.choices])
    town = forms.ChoiceField(label=_("镇/街道"), required=False)
    confirmed = forms.ChoiceField(
        label=_("确认状态"),
        required=False,
        choices=[("", _("全部")), ("yes", _("已确认")), ("no", _("测算中"))],
    )
    adjusted = forms.BooleanField(label=_("仅人工调整"), required=False)
    q = forms.CharField(label=_("搜索"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        assert isinstance(year, forms.ChoiceField)
        year.choices = [
            (str(y), f"{y}年度") for y in GradeYear.objects.order_by("-year").values_list("year", flat=True)
        ]
        town = self.fields["town"]
        assert isinstance(town, forms.ChoiceField)
        town.choices = town_choices(self.user)


class ObjectionFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *ObjectionStatus.choices]
    )
    subject = forms.ChoiceField(
        label=_("异议事项"),
        required=False,
        choices=[("", _("全部事项")), ("grade", _("守法诚信等级")), ("listing", _("失信联合惩戒名单"))],
    )
    overdue = forms.BooleanField(label=_("仅逾期未答复"), required=False)


class YearForm(_Form):
    year = forms.IntegerField(label=_("评价年度"), min_value=2000, max_value=2100)


class AdjustForm(_Form):
    to = forms.ChoiceField(label=_("调整为"), choices=Grade.choices)
    reasons = forms.CharField(label=_("调整理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ObjectionForm(_Form):
    """What the enterprise submitted: when it was received, its reasons, its papers."""

    received_on = forms.DateField(label=_("收到日期"), widget=DATE)
    reasons = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    evidence = forms.FileField(label=_("证明材料（可选）"), required=False)


class AnswerForm(_Form):
    upheld = forms.TypedChoiceField(
        label=_("答复结论"),
        choices=[("1", _("异议成立")), ("0", _("异议不成立"))],
        coerce=lambda v: v == "1",
    )
    new_grade = forms.ChoiceField(
        label=_("变更后的等级（异议成立时）"), required=False, choices=[("", "—"), *Grade.choices]
    )
    answer = forms.CharField(label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
