"""Forms of the registry screens. Validation here; writes through services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anxin.core.access import scope_of
from anxin.core.forms import FilterForm
from anxin.core.money import YuanFormField
from anxin.core.validators import validate_phone, validate_uscc
from anxin.org.models import Town
from anxin.registry.models import (
    Enterprise,
    EnterpriseKind,
    EnterpriseStatus,
    Industry,
    Project,
    ProjectStatus,
    ProjectSupervisor,
)


def towns_for(user):
    """Towns a user may register things in: a town user only its own."""
    scope = scope_of(user)
    towns = Town.objects.order_by("order")
    if scope.everything or not scope.town_ids:
        return towns
    return towns.filter(pk__in=scope.town_ids)


class EnterpriseForm(forms.ModelForm):
    kinds = forms.ModelMultipleChoiceField(
        label=_("企业类型"),
        queryset=EnterpriseKind.objects.order_by("order"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("可多选。§四(一) 重点排查劳动密集型、劳务派遣、建筑、房地产企业"),
    )

    class Meta:
        model = Enterprise
        fields = [
            "uscc",
            "name",
            "legal_rep",
            "town",
            "address",
            "industry",
            "ownership",
            "kinds",
            "employees",
            "status",
            "contact_person",
            "contact_phone",
            "note",
        ]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns_for(user)
        self.fields["town"].empty_label = _("请选择镇/街道")
        if self.instance.pk:
            self.fields["kinds"].initial = list(self.instance.kinds.all())

    def clean_uscc(self):
        return validate_uscc(self.cleaned_data.get("uscc"))

    def clean_contact_phone(self):
        value = self.cleaned_data.get("contact_phone")
        return validate_phone(value) if value else ""


class EnterpriseFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    town = forms.ChoiceField(label=_("镇/街道"), required=False)
    kind = forms.ChoiceField(label=_("企业类型"), required=False)
    status = forms.ChoiceField(
        label=_("经营状态"), required=False, choices=[("", _("全部状态")), *EnterpriseStatus.choices]
    )
    industry = forms.ChoiceField(
        label=_("行业"), required=False, choices=[("", _("全部行业")), *Industry.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [("", _("全部镇/街道"))] + [(t.code, t.name) for t in towns_for(user)]
        self.fields["kind"].choices = [
            ("", _("全部类型")),
            *list(EnterpriseKind.objects.order_by("order").values_list("code", "name")),
        ]


def _enterprise_by_code(code: str, field_label: str) -> Enterprise:
    normalized = validate_uscc(code)
    enterprise = Enterprise.objects.filter(uscc=normalized).first()
    if enterprise is None:
        raise ValidationError(
            _("%(label)s“%(code)s”尚未登记，请先在企业台账中登记该企业")
            % {"label": field_label, "code": normalized}
        )
    return enterprise


class ProjectForm(forms.ModelForm):
    contract_amount = YuanFormField(label=_("合同金额（元）"), required=False, allow_zero=True)
    general_contractor_uscc = forms.CharField(
        label=_("施工总承包单位统一社会信用代码"),
        max_length=30,
        help_text=_("总承包单位对农民工工资负总责（§三(九)）"),
    )
    builder_uscc = forms.CharField(
        label=_("建设单位统一社会信用代码"),
        max_length=30,
        required=False,
        help_text=_("建设单位已在台账登记时填写"),
    )
    subcontractor_usccs = forms.CharField(
        label=_("分包单位统一社会信用代码"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个"),
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "permit_no",
            "town",
            "address",
            "builder_name",
            "supervisor",
            "contract_amount",
            "start_date",
            "planned_end_date",
            "actual_end_date",
            "status",
            "note",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "actual_end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = [
        "name",
        "permit_no",
        "town",
        "address",
        "supervisor",
        "builder_name",
        "builder_uscc",
        "general_contractor_uscc",
        "subcontractor_usccs",
        "contract_amount",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns_for(user)
        self.fields["supervisor"].queryset = ProjectSupervisor.objects.order_by("order")
        if self.instance.pk:
            self.fields["general_contractor_uscc"].initial = self.instance.general_contractor.uscc
            self.fields["builder_uscc"].initial = self.instance.builder.uscc if self.instance.builder else ""
            self.fields["subcontractor_usccs"].initial = "\n".join(
                s.uscc for s in self.instance.subcontractors.all()
            )

    def clean_contract_amount(self):
        return self.cleaned_data.get("contract_amount") or 0

    def clean_general_contractor_uscc(self):
        return _enterprise_by_code(self.cleaned_data["general_contractor_uscc"], _("总承包单位"))

    def clean_builder_uscc(self):
        code = (self.cleaned_data.get("builder_uscc") or "").strip()
        return _enterprise_by_code(code, _("建设单位")) if code else None

    def clean_subcontractor_usccs(self):
        text = self.cleaned_data.get("subcontractor_usccs") or ""
        found, errors = [], []
        for line_no, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                found.append(_enterprise_by_code(line, _("第 %(n)d 行分包单位") % {"n": line_no}))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return list(dict.fromkeys(found))

    def service_fields(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        data["general_contractor"] = self.cleaned_data["general_contractor_uscc"]
        data["builder"] = self.cleaned_data.get("builder_uscc")
        return data


class ProjectFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    town = forms.ChoiceField(label=_("镇/街道"), required=False)
    supervisor = forms.ChoiceField(label=_("主管部门"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *ProjectStatus.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [("", _("全部镇/街道"))] + [(t.code, t.name) for t in towns_for(user)]
        self.fields["supervisor"].choices = [
            ("", _("全部主管部门")),
            *list(ProjectSupervisor.objects.order_by("order").values_list("code", "name")),
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("导入文件"), help_text=_("Excel（.xlsx）或 CSV，请使用下载的模板"))
