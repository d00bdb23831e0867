"""Forms of spot checks: the rounds' and rectification lists' filters, the draw, inspectors, an item's
result, a unit's conclusion, a rectification item, the unit's answer, the office's acceptance or
return, the circular."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.assessment.models import ItemResult, RectificationStatus, SpotCheckStatus
from anxin.cases.forms import DATE, Styled
from anxin.core.forms import FilterForm
from anxin.intake.forms import MultipleFileField
from anxin.org.models import Unit

TEXT = {"rows": 3}


def assessed_queryset() -> Any:
    from anxin.assessment.access import assessed_units

    return assessed_units()


class SpotCheckFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *SpotCheckStatus.choices]
    )
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    unit = forms.ModelChoiceField(
        label=_("被抽查单位"), queryset=Unit.objects.none(), required=False, empty_label=_("全部单位")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = assessed_queryset()  # type: ignore[attr-defined]


class RectificationFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *RectificationStatus.choices]
    )
    unit = forms.ModelChoiceField(
        label=_("整改责任单位"), queryset=Unit.objects.none(), required=False, empty_label=_("全部单位")
    )
    overdue = forms.BooleanField(label=_("仅逾期"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = assessed_queryset()  # type: ignore[attr-defined]


class _Form(Styled, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class DrawForm(_Form):
    title = forms.CharField(label=_("抽查名称"), max_length=100)
    seed = forms.CharField(
        label=_("随机种子"),
        max_length=64,
        help_text=_(
            "系统已给出一个随机数，也可改填公开的号码（如当日福利彩票开奖号码）；同一种子和范围总得到同样的结果"
        ),
    )
    units = forms.IntegerField(label=_("抽取单位数"), min_value=1, max_value=100)
    population = forms.ModelMultipleChoiceField(
        label=_("抽取范围"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选即全部被考核的镇（街道）和部门"),
    )
    items_per_unit = forms.IntegerField(label=_("每单位抽取企业（项目）数"), min_value=0, max_value=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["population"].queryset = assessed_queryset()  # type: ignore[attr-defined]


class InspectorsForm(_Form):
    check_unit = forms.IntegerField(widget=forms.HiddenInput)
    inspectors = forms.ModelMultipleChoiceField(label=_("检查人员"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from anxin.assessment.services.spotchecks import inspectors_queryset

        self.fields["inspectors"].queryset = inspectors_queryset()  # type: ignore[attr-defined]


class ItemForm(_Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label=_("检查结果"),
        choices=[(ItemResult.OK, ItemResult.OK.label), (ItemResult.PROBLEM, ItemResult.PROBLEM.label)],
    )
    observations = forms.CharField(
        label=_("检查发现"), required=False, max_length=5000, widget=forms.Textarea(attrs=TEXT)
    )
    checked_on = forms.DateField(label=_("检查日期"), widget=DATE)
    photos = MultipleFileField(label=_("现场照片"), required=False, help_text=_("JPG 或 PNG，可选多个"))
    papers = MultipleFileField(label=_("检查材料"), required=False, help_text=_("PDF 或图片，可选多个"))


class ConclusionForm(_Form):
    check_unit = forms.IntegerField(widget=forms.HiddenInput)
    conclusion = forms.CharField(label=_("检查结论"), max_length=5000, widget=forms.Textarea(attrs=TEXT))


class RectifyForm(_Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    requirement = forms.CharField(label=_("整改要求"), max_length=5000, widget=forms.Textarea(attrs=TEXT))
    due = forms.DateField(
        label=_("整改期限"), widget=DATE, required=False, help_text=_("默认今天起按参数计算，可修改")
    )


class CircularForm(_Form):
    reference = forms.CharField(label=_("通报文号"), max_length=60)
    body = forms.CharField(label=_("通报正文"), max_length=20000, widget=forms.Textarea(attrs={"rows": 14}))
    copy_to = forms.CharField(label=_("抄送"), max_length=60)


class AnswerForm(_Form):
    answer = forms.CharField(label=_("整改情况"), max_length=5000, widget=forms.Textarea(attrs=TEXT))
    evidence = MultipleFileField(
        label=_("整改佐证"), required=False, help_text=_("PDF 或图片，可选多个（最多 10 个）")
    )


class AcceptForm(_Form):
    opinion = forms.CharField(
        label=_("验收意见"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXT)
    )


class ReturnForm(_Form):
    reason = forms.CharField(label=_("退回理由"), max_length=2000, widget=forms.Textarea(attrs=TEXT))
    due = forms.DateField(
        label=_("重新整改期限"),
        widget=DATE,
        required=False,
        help_text=_("默认今天起按参数 spotcheck.rectification_days 计算，可修改；退回后按新期限判断是否逾期"),
    )
