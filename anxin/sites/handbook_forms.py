"""Forms of the handbook part: the notice board's contacts (officers) and the worker's two steps on
the public portal (ID number with a captcha, then the SMS code)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.intake.forms import _captcha
from anxin.sites.models import ContactRole, SiteContact


class ContactsForm(forms.Form):
    """A name and a phone for each role the board shows (leave both empty to clear one)."""

    def __init__(self, *args: Any, contacts: list[SiteContact] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = {c.role: c for c in contacts or []}
        for role, label in ContactRole.choices:
            contact = current.get(role)
            self.fields[f"{role}_name"] = forms.CharField(
                label=_("%(r)s姓名") % {"r": label},
                max_length=50,
                required=False,
                initial=contact.name if contact else "",
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
            self.fields[f"{role}_phone"] = forms.CharField(
                label=_("%(r)s电话") % {"r": label},
                max_length=20,
                required=False,
                initial=contact.phone if contact else "",
                widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}),
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (str(label), self[f"{role}_name"], self[f"{role}_phone"]) for role, label in ContactRole.choices
        ]

    def contacts(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {role: (data[f"{role}_name"], data[f"{role}_phone"]) for role in ContactRole.values}


class HandbookAskForm(forms.Form):
    id_number = forms.CharField(
        label=_("本人身份证号码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control", "autocomplete": "off", "autocapitalize": "characters"}
        ),
        help_text=_("验证码将发送到您在工地实名制花名册上登记的手机号"),
    )
    captcha = _captcha()


class HandbookCodeForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码（6 位数字）"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "class": "form-control"}
        ),
    )
