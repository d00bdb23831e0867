"""Forms of the joint-punishment list's screens: the ledger's filters and one form per step of the
procedure. Dates as dates; a paper as an uploaded file (checked by its content in the service)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.cases.forms import DATE, Styled
from anxin.core.forms import FilterForm
from anxin.credit.models import Condition, ListingOrigin, ListingStatus, PersonRole
from anxin.credit.services.listing import SERVICE_METHODS
from anxin.org.access import town_choices

TEXT = {"rows": 3}


class _Form(Styled, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class ListingFilter(FilterForm):
    """The ledger: search by name, credit code or number; status, condition, town, origin, and the
    two that ask for action (申辩期将满, 本月期满)."""

    q = forms.CharField(label=_("搜索"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *ListingStatus.choices]
    )
    condition = forms.ChoiceField(
        label=_("列入条件"),
        required=False,
        choices=[
            ("", _("全部条件")),
            (Condition.ORDER_THRESHOLD, _("拒不支付且达到数额标准")),
            (Condition.ORDER_INCIDENT, _("拒不支付且引发群体性、极端事件")),
        ],
    )
    town = forms.ChoiceField(label=_("镇/街道"), required=False)
    origin = forms.ChoiceField(
        label=_("提出方式"), required=False, choices=[("", _("全部方式")), *ListingOrigin.choices]
    )
    due = forms.ChoiceField(
        label=_("待办"),
        required=False,
        choices=[("", _("全部")), ("defence", _("申辩期将满")), ("term", _("本月期满"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = town_choices(self.user)  # type: ignore[attr-defined]


class ProposeForm(_Form):
    """提出拟列入: the enterprise by its credit code, or a case by its number; the condition; why."""

    uscc = forms.CharField(label=_("企业统一社会信用代码"), max_length=30, required=False)
    case_number = forms.CharField(label=_("或案件编号"), max_length=20, required=False)
    condition = forms.ChoiceField(
        label=_("列入条件"), choices=[("", _("请选择列入条件")), *Condition.choices], required=False
    )
    reasons = forms.CharField(label=_("提出理由"), widget=forms.Textarea(attrs=TEXT), max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("uscc") or "").strip() and not (data.get("case_number") or "").strip():
            self.add_error("uscc", _("请填写企业统一社会信用代码或案件编号"))
        return data


class ServeForm(_Form):
    reference = forms.CharField(label=_("告知书文号"), max_length=60)
    issued_on = forms.DateField(label=_("作出日期"), widget=DATE, required=False)
    served_on = forms.DateField(label=_("送达日期"), widget=DATE)
    method = forms.ChoiceField(label=_("送达方式"), choices=[(m, m) for m in SERVICE_METHODS])
    proof = forms.FileField(label=_("送达回证（PDF/图片，可选）"), required=False)


class DefenceForm(_Form):
    received_on = forms.DateField(label=_("收到日期"), widget=DATE)
    summary = forms.CharField(label=_("陈述申辩内容"), widget=forms.Textarea(attrs=TEXT), max_length=5000)
    paper = forms.FileField(label=_("书面材料（PDF/图片，可选）"), required=False)


class AnswerForm(_Form):
    statement = forms.IntegerField(widget=forms.HiddenInput)  # the defence (陈述申辩) answered
    adopted = forms.TypedChoiceField(
        label=_("复核结论"),
        choices=[("yes", _("采纳")), ("no", _("不予采纳"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(label=_("复核意见"), widget=forms.Textarea(attrs=TEXT), max_length=5000)


class PersonForm(_Form):
    role = forms.ChoiceField(label=_("身份"), choices=PersonRole.choices)
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号码"), max_length=30)


class PersonRemoveForm(_Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("删除理由"), max_length=300)


class DecideForm(_Form):
    decision = forms.ChoiceField(
        label=_("决定"), choices=[("list", _("列入")), ("not_list", _("不予列入"))], widget=forms.RadioSelect
    )
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE)
    reference = forms.CharField(label=_("决定书文号"), max_length=60, required=False)
    reasons = forms.CharField(label=_("决定理由"), widget=forms.Textarea(attrs=TEXT), max_length=5000)


class DropForm(_Form):
    reasons = forms.CharField(label=_("撤销理由"), widget=forms.Textarea(attrs=TEXT), max_length=2000)


class RemovalApplyForm(_Form):
    applied_on = forms.DateField(label=_("申请日期"), widget=DATE)
    corrected_on = forms.DateField(label=_("改正（清偿）日期"), widget=DATE)
    pledge = forms.FileField(label=_("信用承诺书（PDF/图片）"))
    reasons = forms.CharField(
        label=_("申请理由"), widget=forms.Textarea(attrs=TEXT), max_length=2000, required=False
    )


class RemovalDecideForm(_Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    grant = forms.TypedChoiceField(
        label=_("决定"),
        choices=[("yes", _("准予提前移出")), ("no", _("不予提前移出"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("决定日期"), widget=DATE)
    reasons = forms.CharField(label=_("决定理由"), widget=forms.Textarea(attrs=TEXT), max_length=5000)
