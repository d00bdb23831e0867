"""Forms of the registry screens. Validation here; writes through services."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from anxin.core.access import scope_of
from anxin.core.forms import FilterForm
from anxin.core.money import YuanFormField
from anxin.core.validators import validate_phone, validate_uscc
from anxin.org.access import towns_for  # towns a user may register things in, or filter by
from anxin.registry.models import (
    Enterprise,
    EnterpriseKind,
    EnterpriseStatus,
    Industry,
    PartyRole,
    Project,
    ProjectStatus,
    ProjectSupervisor,
)
from anxin.registry.services import Named


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
        kinds = EnterpriseKind.objects.order_by("order")
        scope = scope_of(user)
        if not (scope.everything or scope.all_enterprises or scope.town_ids) and scope.enterprise_kind_codes:
            kinds = kinds.filter(code__in=scope.enterprise_kind_codes)  # a department: its line's kinds
        self.fields["kind"].choices = [("", _("全部类型")), *list(kinds.values_list("code", "name"))]


_SUB_LINE = re.compile(r"[\s,，、;；]+")


class ProjectForm(forms.ModelForm):
    """A project and its parties, each named by 统一社会信用代码.

    A code the user may see (an enterprise of its scope) links that enterprise, and its registered
    name is shown. Any other code must come with the unit's full name as the user knows it, and
    the answer is the same whether the code is registered in another town or nowhere: the project
    keeps the typed name (what this user sees) and links the registered enterprise now or when it
    is registered (``registry.services.Named``). So the form tells a town nothing about codes
    outside its scope, and a contractor from another town can still be named.
    """

    contract_amount = YuanFormField(label=_("合同金额（元）"), required=False, allow_zero=True)
    general_contractor_uscc = forms.CharField(
        label=_("施工总承包单位统一社会信用代码"),
        max_length=30,
        help_text=_("总承包单位对农民工工资负总责（§三(九)）"),
    )
    general_contractor_name = forms.CharField(
        label=_("施工总承包单位名称"),
        max_length=100,
        required=False,
        help_text=_("营业执照上的全称；本辖区已登记的企业可不填"),
    )
    builder_uscc = forms.CharField(
        label=_("建设单位统一社会信用代码"),
        max_length=30,
        required=False,
        help_text=_("名称填在“建设单位”一栏"),
    )
    subcontractor_usccs = forms.CharField(
        label=_("分包单位"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个：统一社会信用代码，空格后写单位全称（本辖区已登记的企业可只填代码）"),
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
        "general_contractor_name",
        "subcontractor_usccs",
        "contract_amount",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        #: registered names of the codes the user may see, shown under their fields on a re-render
        self.known_names: dict[str, list[str]] = {}
        self.fields["town"].queryset = towns_for(user)
        self.fields["supervisor"].queryset = ProjectSupervisor.objects.order_by("order")
        project = self.instance
        if project.pk:
            self.fields["general_contractor_uscc"].initial = project.general_contractor_code
            self.fields["general_contractor_name"].initial = project.general_contractor_label
            builder_ref = next(
                (r for r in project.contractor_references.all() if r.role == PartyRole.BUILDER), None
            )
            self.fields["builder_uscc"].initial = (
                project.builder.uscc if project.builder else (builder_ref.uscc if builder_ref else "")
            )
            lines = []
            for sub in project.subcontractors.all():
                ref = project.reference(PartyRole.SUB, sub.uscc)
                lines.append(f"{sub.uscc} {ref.name if ref else sub.name}")
            for ref in project.contractor_references.all():
                if ref.role == PartyRole.SUB and ref.enterprise_id is None:
                    lines.append(f"{ref.uscc} {ref.name}")
            self.fields["subcontractor_usccs"].initial = "\n".join(lines)

    def _party(self, role: str, code: str, name: str, label: str, field: str) -> Enterprise | Named:
        """The enterprise behind ``code`` if the user may see it, else the code and typed name.

        Whether the code is registered elsewhere is looked up only by the service, after this
        answer: the message below is the same for "another town's" and "nowhere"."""
        normalized = validate_uscc(code)
        visible = Enterprise.objects.for_user(self.user).filter(uscc=normalized).first()
        if visible is not None:
            known = self.known_names.setdefault(field, [])
            known.append(str(_("台账登记名称：%(name)s") % {"name": visible.name}))
            self[field].help_text = "；".join(known)  # the bound field copied it when it was made
            return visible
        name = " ".join((name or "").split())
        if not name:
            raise ValidationError(
                _("%(label)s“%(code)s”不在您可查看的企业台账中，请填写该单位的全称")
                % {"label": label, "code": normalized}
            )
        return Named(role=role, uscc=normalized, name=name[:100])

    def clean_contract_amount(self):
        return self.cleaned_data.get("contract_amount") or 0

    def clean(self):
        cleaned = super().clean()
        general_code = (cleaned.get("general_contractor_uscc") or "").strip()
        if general_code:
            try:
                cleaned["general"] = self._party(
                    PartyRole.GENERAL,
                    general_code,
                    cleaned.get("general_contractor_name", ""),
                    _("总承包单位"),
                    "general_contractor_uscc",
                )
            except ValidationError as exc:
                self.add_error("general_contractor_uscc", exc)
        builder_code = (cleaned.get("builder_uscc") or "").strip()
        cleaned["builder"] = None
        if builder_code:
            try:
                cleaned["builder"] = self._party(
                    PartyRole.BUILDER,
                    builder_code,
                    cleaned.get("builder_name", ""),
                    _("建设单位"),
                    "builder_uscc",
                )
            except ValidationError as exc:
                self.add_error("builder_uscc", exc)
        parties, errors = [], []
        for line_no, line in enumerate((cleaned.get("subcontractor_usccs") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = _SUB_LINE.split(line.strip(), maxsplit=1)
            code, name = parts[0], (parts[1] if len(parts) > 1 else "")
            try:
                parties.append(
                    self._party(
                        PartyRole.SUB,
                        code,
                        name,
                        _("第 %(n)d 行分包单位") % {"n": line_no},
                        "subcontractor_usccs",
                    )
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            self.add_error("subcontractor_usccs", errors)
        cleaned["subs"] = parties
        return cleaned

    def named(self) -> list[Named]:
        """The parties named by code and typed name (the service links what is registered)."""
        parties = [
            self.cleaned_data.get("general"),
            self.cleaned_data.get("builder"),
            *self.cleaned_data["subs"],
        ]
        return list({(p.role, p.uscc): p for p in parties if isinstance(p, Named)}.values())

    def subcontractors(self) -> list[Enterprise]:
        return list(dict.fromkeys(p for p in self.cleaned_data["subs"] if isinstance(p, Enterprise)))

    def service_fields(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        general = self.cleaned_data["general"]
        if isinstance(general, Enterprise):
            data["general_contractor"] = general
        builder = self.cleaned_data.get("builder")
        data["builder"] = builder if isinstance(builder, Enterprise) else None
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
        supervisors = ProjectSupervisor.objects.order_by("order")
        scope = scope_of(user)
        if not (scope.everything or scope.all_projects or scope.town_ids) and scope.project_supervisor_codes:
            supervisors = supervisors.filter(code__in=scope.project_supervisor_codes)  # its line
        self.fields["supervisor"].choices = [
            ("", _("全部主管部门")),
            *list(supervisors.values_list("code", "name")),
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("导入文件"), help_text=_("Excel（.xlsx）或 CSV，请使用下载的模板"))
