"""Forms of the project's 实名花名册 tab: a worker, a worker's leave, the special account, and the
roster's filters. The rules themselves are the services' (``services.roster``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.cases.forms import DATE, Styled
from anxin.core.forms import FilterForm


def _choices(form: forms.Form, name: str, choices: list) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


ON_SITE_CHOICES = [("", _("在场情况：全部")), ("1", _("在场")), ("0", _("已退场"))]


class WorkerForm(Styled, forms.Form):
    """One worker put on the roster (进场登记)."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=30)
    phone = forms.CharField(label=_("手机号"), max_length=30)
    employer = forms.ChoiceField(label=_("用工单位"))
    team = forms.CharField(label=_("班组"), max_length=50, required=False)
    trade = forms.CharField(label=_("工种"), max_length=50, required=False)
    start_date = forms.DateField(label=_("进场日期"), widget=DATE)
    leave_date = forms.DateField(
        label=_("退场日期"), widget=DATE, required=False, help_text=_("仍在场的留空")
    )

    def __init__(self, *args: Any, employers: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        kwargs.setdefault("auto_id", "worker_%s")
        super().__init__(*args, **kwargs)
        _choices(self, "employer", [("", "请选择"), *employers])
        self.style()


class LeaveForm(forms.Form):
    """A worker's leave (退场) on a day."""

    leave_date = forms.DateField(label=_("退场日期"), widget=DATE)


class AccountForm(Styled, forms.Form):
    """The project's wage special account (农民工工资专用账户): first record or a change with its reason."""

    bank = forms.CharField(label=_("开户银行"), max_length=100)
    account = forms.CharField(label=_("账号"), max_length=60)
    opened_on = forms.DateField(label=_("开户日期"), widget=DATE)
    note = forms.CharField(
        label=_("变更理由"), max_length=300, required=False, help_text=_("变更已登记的账户时必填")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "account_%s")
        super().__init__(*args, **kwargs)
        self.style()


class RosterFilter(FilterForm):
    q = forms.CharField(label=_("姓名或身份证号"), required=False, max_length=50)
    employer = forms.ChoiceField(label=_("用工单位"), required=False)
    team = forms.ChoiceField(label=_("班组"), required=False)
    trade = forms.ChoiceField(label=_("工种"), required=False)
    on_site = forms.ChoiceField(label=_("在场情况"), required=False, choices=ON_SITE_CHOICES)

    def __init__(
        self,
        *args: Any,
        employers: list[tuple[str, str]] = (),  # type: ignore[assignment]
        teams: list[str] = (),  # type: ignore[assignment]
        trades: list[str] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "employer", [("", "全部用工单位"), *employers])
        _choices(self, "team", [("", "全部班组"), *[(t, t) for t in teams]])
        _choices(self, "trade", [("", "全部工种"), *[(t, t) for t in trades]])
        self.fields["q"].widget.attrs["placeholder"] = "姓名或完整身份证号"
