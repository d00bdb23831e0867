"""Forms of the public portal after a report is filed: adding material, recovering a lost tracking
code by phone number and SMS code. (The report form itself is ``forms.PortalReportForm``.)"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.intake.forms import PHONE_ATTRS, MultipleFileField, MultipleFileInput, _captcha


class MaterialForm(forms.Form):
    text = forms.CharField(
        label=_("补充说明"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("如：老板新的承诺、欠薪人数变化、新的联系方式"),
    )
    photos = MultipleFileField(
        label=_("照片（工资条、欠条、考勤记录等，选填）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "class": "form-control"}),
    )


class RecoverForm(forms.Form):
    phone = forms.CharField(
        label=_("提交反映时填写的手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={**PHONE_ATTRS, "class": "form-control"}),
    )
    captcha = _captcha()


class RecoverVerifyForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码（6 位数字）"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "form-control"}
        ),
    )
