"""Forms of the case screens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anxin.cases import actions as action_services
from anxin.cases.models import (
    MAX_MONTHS,
    MAX_WORKERS,
    ActionKind,
    ActionStep,
    AssetItem,
    Custody,
    DocumentKind,
    Incident,
    Outcome,
    Stage,
)
from anxin.cases.selectors import FLAG_FIELDS
from anxin.core.forms import FilterForm, YuanFormField
from anxin.core.money import YuanFormField as MoneyField
from anxin.monitoring.models import Level
from anxin.org.access import town_choices, units_for
from anxin.org.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class Styled:
    """Tabler classes on every widget."""

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def add_error(self, field, error):
        """A field in error is marked (Tabler's ``is-invalid``, ``aria-invalid``) beside its
        message, and the first of them in the form's order takes the focus when the page comes
        back (``autofocus`` without JavaScript; ``data-error-focus`` for anxin.js, which also
        scrolls it to the middle of the screen) — a refused form is never out of sight."""
        super().add_error(field, error)
        first = next((name for name in self.fields if name in self._errors), None)
        for name, each in self.fields.items():
            attrs = each.widget.attrs
            if name in self._errors:
                classes = attrs.get("class", "")
                if "is-invalid" not in classes.split():
                    attrs["class"] = f"{classes} is-invalid".strip()
                attrs["aria-invalid"] = "true"
            if name == first and not isinstance(each.widget, forms.HiddenInput):
                attrs.update({"autofocus": True, "data-error-focus": ""})
            else:
                attrs.pop("autofocus", None)
                attrs.pop("data-error-focus", None)

    @property
    def error_anchor(self) -> str:
        """The id of the form's error block (``cases/_form_errors.html``)."""
        prefix = self.auto_id if isinstance(self.auto_id, str) and "%s" in self.auto_id else "form_%s"
        return prefix % "errors"

    @property
    def focus_block(self) -> bool:
        """Only errors about the form as a whole: its error block takes the focus."""
        return bool(self.non_field_errors()) and not any(n in self.errors for n in self.fields)


class CaseFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    state = forms.ChoiceField(
        label=_("办理状态"),
        required=False,
        choices=[("", _("全部状态")), ("open", _("办理中")), ("closed", _("已结案"))],
    )
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=[("", _("全部阶段")), *Stage.choices])
    town = forms.ChoiceField(label=_("镇/街道"), required=False)
    lead = forms.ChoiceField(label=_("牵头单位"), required=False)
    flag = forms.ChoiceField(
        label=_("标记"), required=False, choices=[("", _("全部标记")), *FLAG_FIELDS.items()]
    )
    overdue = forms.BooleanField(label=_("仅阶段逾期"), required=False)
    date_from = forms.DateField(
        label=_("立案起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("立案止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    closed_from = forms.DateField(
        label=_("结案起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    closed_to = forms.DateField(
        label=_("结案止"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the towns and units inside the user's scope (a town user: its own town).
        self.fields["town"].choices = town_choices(self.user)
        self.fields["lead"].choices = [
            ("", _("全部牵头单位")),
            *units_for(self.user, kinds=["town_government", "department", "office"]).values_list(
                "code", "name"
            ),
        ]


class CaseOpenForm(Styled, forms.Form):
    enterprise = forms.CharField(label=_("企业统一社会信用代码"), max_length=18)
    project = forms.IntegerField(label=_("工程项目"), required=False, widget=forms.Select)
    alert = forms.IntegerField(required=False, widget=forms.HiddenInput)
    signals = forms.CharField(required=False, widget=forms.HiddenInput)
    summary = forms.CharField(label=_("基本案情"), widget=forms.Textarea(attrs={"rows": 4}))
    workers = forms.IntegerField(label=_("涉及人数"), min_value=0, max_value=MAX_WORKERS, required=False)
    amount_claimed = YuanFormField(label=_("登记欠薪金额（元）"), required=False)
    co_units = forms.ModelMultipleChoiceField(
        label=_("协办单位"),
        queryset=Unit.objects.filter(kind__in=["department", "town_government"]).order_by(
            "kind", "order", "pk"
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("可多选。牵头单位之外参与处置的部门或镇（街道），立案后收到协办通知并可查看本案"),
    )
    mass_incident = forms.BooleanField(label=_("群体性事件"), required=False)
    malicious = forms.BooleanField(label=_("涉嫌恶意欠薪"), required=False)
    owner_absconded = forms.BooleanField(label=_("企业主逃匿"), required=False)
    sudden_closure = forms.BooleanField(label=_("企业突然关停"), required=False)
    separate = forms.BooleanField(
        label=_("另立新案（确属另一起纠纷）"),
        required=False,
        help_text=_("该企业已有办理中的案件；同一纠纷的预警和线索请关联到该案件"),
    )

    def __init__(self, *args, projects=(), current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].widget.choices = [
            ("", _("（不涉及工程项目）")),
            *[(p.pk, p.name) for p in projects],
        ]
        if current is None:  # asked only when the enterprise has an open case
            del self.fields["separate"]
        self.style()


class MoveForm(forms.Form):
    action = forms.ChoiceField(choices=[("advance", "advance"), ("skip", "skip")])
    reason = forms.CharField(required=False, max_length=2000)


class CloseForm(Styled, forms.Form):
    outcome = forms.ChoiceField(label=_("结案方式"), choices=Outcome.choices)
    amount_paid = YuanFormField(label=_("已支付金额"))
    note = forms.CharField(label=_("结案说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class CaseEditForm(Styled, forms.Form):
    summary = forms.CharField(label=_("基本案情"), widget=forms.Textarea(attrs={"rows": 4}))
    workers = forms.IntegerField(label=_("涉及人数"), min_value=0, max_value=MAX_WORKERS)
    amount_claimed = YuanFormField(label=_("登记欠薪金额"))
    level = forms.ChoiceField(label=_("风险等级"), choices=[])
    co_units = CaseOpenForm.base_fields["co_units"]
    mass_incident = forms.BooleanField(label=_("群体性事件"), required=False)
    malicious = forms.BooleanField(label=_("涉嫌恶意欠薪"), required=False)
    owner_absconded = forms.BooleanField(label=_("企业主逃匿"), required=False)
    sudden_closure = forms.BooleanField(label=_("企业突然关停"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = Level.choices
        self.style()


class PlanForm(Styled, forms.Form):
    measures = forms.CharField(label=_("工作措施"), widget=forms.Textarea(attrs={"rows": 5}))
    responsible = forms.CharField(label=_("责任人及分工"), widget=forms.Textarea(attrs={"rows": 3}))
    timeline = forms.CharField(label=_("时间安排"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class IncidentForm(Styled, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Incident.Kind.choices)
    occurred_at = forms.DateTimeField(label=_("发生时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    place = forms.CharField(label=_("地点"), max_length=200)
    people = forms.IntegerField(label=_("聚集人数"), min_value=0, initial=0)
    serious = forms.BooleanField(label=_("造成严重不良社会影响"), required=False)
    command_post = forms.CharField(label=_("现场指挥部及到场人员"), widget=forms.Textarea(attrs={"rows": 2}))
    measures = forms.CharField(label=_("采取的措施"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class AssetForm(Styled, forms.Form):
    item = forms.ChoiceField(label=_("财物"), choices=AssetItem.Item.choices)
    description = forms.CharField(label=_("描述"), max_length=300, required=False)
    custody = forms.ChoiceField(label=_("保管方式"), choices=Custody.choices)
    custodian = forms.CharField(label=_("保管人/保管单位"), max_length=200)
    agreement = forms.CharField(label=_("委托保管协议编号"), max_length=100, required=False)
    fee = YuanFormField(label=_("保管费"), required=False)
    preservation_ref = forms.CharField(label=_("财产保全申请/裁定文号"), max_length=100, required=False)
    looted = forms.BooleanField(label=_("曾被哄抢（待追回）"), required=False)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ActionForm(Styled, forms.Form):
    """The form of one kind of legal measure: only the fields that kind asks for
    (``actions.FIELDS``), its required ones marked and refused when empty; labels in that kind's
    words. The kind travels as a hidden field and must be the one the form was made for."""

    kind = forms.CharField(widget=forms.HiddenInput)
    amount = MoneyField(label=_("金额"), required=False)
    workers = forms.IntegerField(label=_("涉及人数"), min_value=0, max_value=MAX_WORKERS, required=False)
    served_on = forms.DateField(
        label=_("送达日期"),
        required=False,
        widget=DATE,
        help_text=_("通知书实际送达用人单位的日期，可补录此前送达的；不填为今天"),
    )
    pay_by = forms.DateField(label=_("限期支付日期"), required=False, widget=DATE)
    percent = forms.IntegerField(label=_("加付比例（%）"), required=False, min_value=0, max_value=1000)
    single_months = forms.IntegerField(
        label=_("拖欠最多的一名劳动者：月数"), required=False, min_value=0, max_value=MAX_MONTHS
    )
    single_amount = MoneyField(label=_("该劳动者被拖欠金额"), required=False)
    reference = forms.CharField(label=_("文书编号"), max_length=100, required=False)
    document = forms.ChoiceField(
        label=_("文书"),
        required=False,
        choices=[
            ("payment_notice", _("限期支付工资通知书")),
            ("rectification", _("劳动保障监察责令改正指令书")),
        ],
    )
    basis = forms.CharField(label=_("法律依据"), max_length=300, required=False)
    unit = forms.ModelChoiceField(
        label=_("调解主持单位"),
        queryset=Unit.objects.filter(kind="town_government") | Unit.objects.filter(code="justice"),
        required=False,
        empty_label=_("按职责分派"),
        help_text=_("镇（街道）或司法局（人民调解）；不选则按职责分派"),
    )
    details = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # Offered only once the service has said a same-kind action is already open (``offer_another``).
    another = forms.BooleanField(
        label=_("另行发起（确属另一项同类措施）"),
        required=False,
        help_text=_("本案已有办理中的同类措施；同一事项请在该措施中继续办理，不要重复发起"),
    )
    another_reason = forms.CharField(label=_("另行发起的理由"), max_length=300, required=False)

    # Each kind's words for its fields, where the general label would leave the officer guessing.
    LABELS: dict[str, dict[str, str]] = {
        ActionKind.ORDER: {
            "amount": _("责令支付金额"),
            "pay_by": _("限期支付日期"),
            "document": _("文书"),
        },
        ActionKind.PENALTY: {"amount": _("罚款金额")},
        ActionKind.REFERRAL: {
            "amount": _("拖欠劳动报酬总额"),
            "workers": _("被拒不支付劳动报酬的人数"),
        },
        ActionKind.MEDIATION: {"amount": _("涉及金额")},
        ActionKind.ARBITRATION: {"amount": _("申请仲裁的金额")},
        ActionKind.COURT: {"amount": _("诉请金额"), "reference": _("案号")},
        ActionKind.DEPOSIT: {"amount": _("申请动用保证金金额")},
        ActionKind.FUND: {"amount": _("申请垫付金额")},
    }
    HELP: dict[str, dict[str, str]] = {
        ActionKind.ORDER: {
            "pay_by": _("不填则自送达之日起按参数 order.pay_working_days 计算（工作日）"),
        },
        ActionKind.COMPENSATION: {
            "percent": _(
                "应付金额的百分比，须在参数 compensation.min_percent 至 compensation.max_percent 之间"
                "（劳动保障监察条例 第二十六条）"
            ),
        },
        ActionKind.PENALTY: {"basis": _("法律、法规的名称和条款")},
        ActionKind.REFERRAL: {
            "single_months": _("移送须达到江苏“数额较大”标准（参数 crime.*），系统按参数核查"),
        },
    }

    def __init__(self, *args, kind: str, offer_another: bool = False, **kwargs):
        kwargs.setdefault("auto_id", f"action_{kind}_%s")
        super().__init__(*args, **kwargs)
        # "measure", not "kind": a template's ``form.kind`` is the bound field of that name
        self.measure = kind
        self.measure_label = ActionKind(kind).label
        spec = action_services.FIELDS[kind]
        keep = {"kind", *spec, *(("another", "another_reason") if offer_another else ())}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        order = ["kind", *spec, "another", "another_reason"]
        self.order_fields(order)
        for name, required in spec.items():
            field = self.fields[name]
            field.required = required
            if name in self.LABELS.get(kind, {}):
                field.label = self.LABELS[kind][name]
            if name in self.HELP.get(kind, {}):
                field.help_text = self.HELP[kind][name]
        if offer_another:
            self.fields["another_reason"].required = False  # the service asks for it with its reason
        self.fields["kind"].initial = kind
        self.style()

    def clean_kind(self) -> str:
        if self.cleaned_data["kind"] != self.measure:
            raise forms.ValidationError(_("请选择措施"))
        return self.measure

    def is_money(self, name: str) -> bool:
        return isinstance(self.fields[name], MoneyField)


def action_forms(kinds, *, bound: ActionForm | None = None) -> list[ActionForm]:
    """One form per kind the user may start, in the order of the kinds; the rejected one bound."""
    return [bound if bound is not None and bound.measure == k else ActionForm(kind=k) for k in kinds]


class StepForm(Styled, forms.Form):
    step = forms.ChoiceField(label=_("事项"), choices=ActionStep.Step.choices)
    on = forms.DateField(label=_("日期"), widget=DATE)
    amount = YuanFormField(label=_("金额"), required=False)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        if steps:
            self.fields["step"].choices = [(s, ActionStep.Step(s).label) for s in steps]
        self.style()


class DocumentForm(Styled, forms.Form):
    kind = forms.ChoiceField(label=_("文书类型"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("标题"), max_length=150, required=False)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、JPEG 或 PNG，不超过 5 MB"))

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        if kinds:
            self.fields["kind"].choices = [(k, DocumentKind(k).label) for k in kinds]
        self.style()
