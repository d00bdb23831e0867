"""Forms of the intake screens and the public portal. Validation here; writes through services."""

from __future__ import annotations

import datetime

from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.forms import FilterForm
from anxin.core.money import YuanFormField, parse_yuan
from anxin.core.validators import normalize_uscc
from anxin.intake import portal, services
from anxin.intake.models import Channel, Satisfaction, SignalKind, Stage, Verification
from anxin.org.access import town_choices
from anxin.org.models import Town
from anxin.registry.models import Enterprise, Project

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
OFFICER_KINDS = [(k, label) for k, label in SignalKind.choices if k != SignalKind.ARREARS_REPORT]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _uploads(files) -> list[tuple[str, bytes]]:
    """(name, content) of uploaded files, each left readable again for the view."""
    out = []
    for f in files or ():
        out.append((f.name, f.read()))
        f.seek(0)
    return out


def _show_problems(form, problems: dict[str, str]) -> None:
    """Add the service's problems to the fields that passed their own checks (one message each).

    A field that failed its own check is missing from the facts the service saw; "name or code"
    is then a consequence of that failure, not a second error.
    """
    if "employer_uscc" in form.errors:
        problems.pop("employer_name", None)
    for field, message in problems.items():
        if field in form.fields and field not in form.errors:
            form.add_error(field, message)


class SignalFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    channel = forms.ChoiceField(label=_("渠道"), required=False)
    kind = forms.ChoiceField(
        label=_("类型"), required=False, choices=[("", _("全部类型")), *SignalKind.choices]
    )
    stage = forms.ChoiceField(label=_("阶段"), required=False, choices=[("", _("全部阶段")), *Stage.choices])
    verification = forms.ChoiceField(
        label=_("核实结论"), required=False, choices=[("", _("全部结论")), *Verification.choices]
    )
    town = forms.ChoiceField(label=_("镇/街道"), required=False)
    overdue = forms.BooleanField(label=_("仅逾期"), required=False)
    mine = forms.BooleanField(label=_("我的待核实"), required=False)
    followup = forms.BooleanField(label=_("不满意待回访"), required=False)
    date_from = forms.DateField(label=_("接收起"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("接收止"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("全部渠道")), *Channel.objects.values_list("code", "name")]
        self.fields["town"].choices = town_choices(self.user)  # inside the user's scope


class SignalForm(forms.Form):
    """An officer records a signal from their channel."""

    channel = forms.ModelChoiceField(label=_("渠道"), queryset=Channel.objects.none(), empty_label=None)
    reference = forms.CharField(
        label=_("渠道编号"),
        required=False,
        max_length=60,
        help_text=_("来源渠道的登记编号（如12333工单号）；重复报送时据此更新"),
    )
    kind = forms.ChoiceField(label=_("线索类型"), choices=OFFICER_KINDS)
    employer_uscc = forms.CharField(label=_("统一社会信用代码"), required=False, max_length=30)
    employer_name = forms.CharField(
        label=_("企业名称"),
        required=False,
        max_length=100,
        help_text=_("已登记企业填代码即可；未登记的企业填名称，进入待匹配队列"),
    )
    project = forms.ModelChoiceField(label=_("工程项目"), queryset=Project.objects.none(), required=False)
    town = forms.ModelChoiceField(
        label=_("用工地点（镇/街道）"),
        queryset=Town.objects.order_by("order"),
        required=False,
        help_text=_("企业未登记时用于确定属地"),
    )
    received_at = forms.DateTimeField(
        label=_("接收时间"),
        widget=DATETIME,
        initial=lambda: timezone.localtime().replace(second=0, microsecond=0),
    )
    occurred_at = forms.DateTimeField(label=_("发生时间"), widget=DATETIME, required=False)
    workers = forms.IntegerField(label=_("涉及人数"), min_value=0, max_value=100000, initial=0)
    amount = YuanFormField(label=_("涉及金额（元）"), required=False)
    months_owed = forms.IntegerField(label=_("拖欠月数"), min_value=0, max_value=240, initial=0)
    period = forms.CharField(
        label=_("拖欠期间"), required=False, max_length=60, help_text=_("如：2026年8月至10月")
    )
    summary = forms.CharField(label=_("情况摘要"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    reporter_name = forms.CharField(label=_("反映人"), required=False, max_length=50)
    reporter_phone = forms.CharField(label=_("反映人电话"), required=False, max_length=20)
    reporter_id_number = forms.CharField(label=_("反映人身份证号"), required=False, max_length=20)
    attachments = MultipleFileField(
        label=_("附件"), required=False, help_text=_("JPEG/PNG/PDF，每个不超过 5 MB")
    )

    def __init__(self, *args, user, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(pk__in=[c.pk for c in channels])
        self.fields["project"].queryset = Project.objects.for_user(user).order_by("name")

    def clean(self):
        """Every field first, then the service's checks of the facts: all errors on one submit."""
        data = super().clean()
        facts = {k: v for k, v in data.items() if k in services.FACT_FIELDS}
        facts["amount"] = facts.get("amount") or 0
        problems = services.clean_facts(facts)
        if "attachments" not in self.errors:
            problem = services.files_problem(_uploads(data.get("attachments")))
            if problem:
                problems["attachments"] = problem
        _show_problems(self, problems)
        return data


class VerifyForm(forms.Form):
    result = forms.ChoiceField(
        label=_("核实结论"),
        choices=[c for c in Verification.choices if c[0] != Verification.PENDING],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("核实情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class TextForm(forms.Form):
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class MatchForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_uscc(self):
        text = normalize_uscc(self.cleaned_data["uscc"])
        enterprise = Enterprise.objects.for_user(self.user).filter(uscc=text).first()
        if enterprise is None:
            raise forms.ValidationError(_("未找到该统一社会信用代码的企业，请先登记企业"))
        return enterprise


class SignalImportForm(forms.Form):
    channel = forms.ModelChoiceField(label=_("渠道"), queryset=Channel.objects.none(), empty_label=None)
    file = forms.FileField(label=_("导入文件"), help_text=_("Excel（.xlsx）或 CSV，请使用下载的模板"))

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(pk__in=[c.pk for c in channels])


class SelfReportFilter(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)
    timeliness = forms.ChoiceField(
        label=_("是否按时"),
        required=False,
        choices=[("", _("全部")), ("on_time", _("按时报告")), ("late", _("逾期报告"))],
    )


class SelfReportForm(forms.Form):
    uscc = forms.CharField(label=_("企业统一社会信用代码"), max_length=30)
    arrears_since = forms.DateField(label=_("开始拖欠日期"), widget=DATE)
    reported_on = forms.DateField(label=_("书面报告送达人社局日期"), widget=DATE)
    workers = forms.IntegerField(label=_("涉及人数"), min_value=1, max_value=100000)
    amount = YuanFormField(label=_("拖欠金额（元）"), allow_zero=False)
    cause = forms.CharField(label=_("拖欠原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    plan = forms.CharField(
        label=_("还款计划"),
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "2026-12-10 50000.00 第一期\n2027-01-10 30000.00"}
        ),
        help_text=_("每行一期：日期 金额（元） 说明（可省略）"),
    )
    scan = forms.FileField(
        label=_("书面报告扫描件"), required=False, help_text=_("PDF 或 JPEG/PNG，不超过 5 MB")
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_uscc(self):
        text = self.cleaned_data["uscc"].strip().upper()
        enterprise = Enterprise.objects.for_user(self.user).filter(uscc=text).first()
        if enterprise is None:
            raise forms.ValidationError(_("未找到该企业，或该企业不在您的管辖范围内"))
        return enterprise

    def clean_plan(self):
        steps = []
        for number, line in enumerate(self.cleaned_data["plan"].splitlines(), start=1):
            parts = line.split(None, 2)
            if not parts:
                continue
            if len(parts) < 2:
                raise forms.ValidationError(_("第 %(n)d 行须为“日期 金额 说明”") % {"n": number})
            try:
                due_on = datetime.date.fromisoformat(parts[0])
            except ValueError:
                raise forms.ValidationError(
                    _("第 %(n)d 行日期“%(v)s”格式不正确（示例 2026-12-10）") % {"n": number, "v": parts[0]}
                ) from None
            try:
                amount = parse_yuan(parts[1], allow_zero=False)
            except forms.ValidationError as exc:
                raise forms.ValidationError(
                    _("第 %(n)d 行金额：%(m)s") % {"n": number, "m": "；".join(exc.messages)}
                ) from None
            steps.append({"due_on": due_on, "amount": amount, "note": parts[2] if len(parts) > 2 else ""})
        if not steps:
            raise forms.ValidationError(_("请至少填写一期还款计划"))
        return steps


# --- the public portal ------------------------------------------------------------------------

PHONE_ATTRS = {"inputmode": "tel", "autocomplete": "tel"}
PORTAL_PHOTO_ACCEPT = "image/jpeg,image/png,image/heic,image/heif,.jpg,.jpeg,.png,.heic,.heif"


CAPTCHA_USED = _("验证码已失效，请重新输入")


class OnceCaptchaField(CaptchaField):
    """django-simple-captcha's field, but a solved captcha admits one submission: the challenge's
    row is deleted and only the request whose delete removed it passes (``portal.captcha_use``).
    The library's own check reads the row, then deletes it without looking at the count, so two
    submissions sent at once with one solved captcha both passed. A wrong answer uses the
    challenge up too (no guessing on one picture)."""

    def clean(self, value):
        forms.MultiValueField.clean(self, value)  # both parts present
        hashkey, answer = value[0], (value[1] or "").strip().lower()
        value[1] = ""  # never drawn back into the form
        store = portal.captcha_use(hashkey)
        if store is None:
            raise forms.ValidationError(CAPTCHA_USED, code="used")
        if store.response != answer:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class PortalCaptchaInput(CaptchaTextInput):
    """The captcha picture with a Chinese text alternative (the library's says "captcha")."""

    template_name = "intake/public/_captcha_widget.html"


def _captcha() -> CaptchaField:
    return OnceCaptchaField(
        label=_("验证码"),
        help_text=_("看不清？刷新页面可换一张"),
        widget=PortalCaptchaInput(
            attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "off"}
        ),
        error_messages={"invalid": _("验证码不正确，请重新输入"), "required": _("请输入验证码")},
    )


TOWN_UNKNOWN = "unknown"
AMOUNT_HELP = _(
    "填数字即可，如 32000 或 32,000.50；也可以写 3.2万、3万2（即 32000 元）、3万零500（即 30500 元）"
)


class PortalTownField(forms.ChoiceField):
    """The towns and 不清楚: ``cleaned_data`` holds the ``Town`` or ``None`` (不清楚 — the office's
    triage finds the place from the address and the employer)."""

    def __init__(self, **kwargs):
        super().__init__(choices=self._choices_now, **kwargs)

    @staticmethod
    def _choices_now():
        towns = [(str(pk), name) for pk, name in Town.objects.order_by("order").values_list("pk", "name")]
        return [("", _("请选择")), *towns, (TOWN_UNKNOWN, _("不清楚"))]

    def clean(self, value):
        value = super().clean(value)
        if value == TOWN_UNKNOWN:
            return None
        return Town.objects.get(pk=int(value))


class PortalReportForm(forms.Form):
    employer_name = forms.CharField(
        label=_("用人单位名称"), max_length=100, help_text=_("营业执照上的名称；不清楚可填常用名称")
    )
    employer_uscc = forms.CharField(label=_("统一社会信用代码（知道的话）"), max_length=30, required=False)
    town = PortalTownField(
        label=_("工作地点所在镇/街道"),
        help_text=_("不知道属于哪个镇/街道的，选“不清楚”，由区联席办根据地址分拣转办"),
    )
    work_address = forms.CharField(
        label=_("工作地点地址（选填）"),
        max_length=200,
        required=False,
        help_text=_("路名门牌、工业园或工地位置，如：罗溪镇空港大道88号"),
    )
    project_name = forms.CharField(
        label=_("工地/项目名称（建筑工地填写）"),
        max_length=150,
        required=False,
        help_text=_("工地围挡或项目牌上的名称；填写后由区城建局（建筑领域主管部门）核实办理"),
    )
    contractor_name = forms.CharField(
        label=_("包工头或总包单位（选填）"),
        max_length=100,
        required=False,
        help_text=_("带您干活的包工头姓名，或工地的总承包单位名称"),
    )
    period = forms.CharField(label=_("拖欠工资的期间"), max_length=60, help_text=_("如：2026年8月至10月"))
    months_owed = forms.IntegerField(label=_("拖欠几个月"), min_value=0, max_value=240)
    amount = YuanFormField(label=_("拖欠金额（估计即可）"), allow_zero=False, help_text=AMOUNT_HELP)
    workers = forms.IntegerField(label=_("被拖欠人数（含本人）"), min_value=1, max_value=100000, initial=1)
    summary = forms.CharField(label=_("具体情况"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)
    reporter_name = forms.CharField(label=_("您的姓名"), max_length=50)
    reporter_phone = forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs=PHONE_ATTRS),
        help_text=_("用于查询进度和接收答复"),
    )
    reporter_id_number = forms.CharField(label=_("身份证号（选填）"), max_length=20, required=False)
    photos = MultipleFileField(
        label=_("照片（选填，最多3张）"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": PORTAL_PHOTO_ACCEPT}),
        help_text=_(
            "工资条、欠条、考勤记录等。可上传 JPEG、PNG 或苹果手机的 HEIC/HEIF 照片，每张不超过 5 MB"
        ),
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意上方的个人信息使用说明"),
        error_messages={"required": _("请阅读并同意个人信息使用说明")},
    )
    captcha = _captcha()

    def __init__(self, *args, captcha_passed: bool | None = None, project: Project | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        if project is not None:  # opened from a site's notice board: the site and its town are fixed
            del self.fields["town"]
            del self.fields["project_name"]
            contractor = project.general_contractor
            if contractor is not None and not self.is_bound:
                self.initial.setdefault("contractor_name", contractor.name)
        if captcha_passed:  # solved on an earlier submit of this report that had other errors
            del self.fields["captcha"]
        elif captcha_passed is False:  # that pass was used up meanwhile (another submission)
            self.fields["captcha"].error_messages["required"] = CAPTCHA_USED

    def clean(self):
        """Every field first, then the service's checks of the facts: all errors on one submit."""
        data = super().clean()
        facts = {k: v for k, v in data.items() if k in services.FACT_FIELDS}
        _show_problems(self, services.portal_problems(facts=facts, photos=_uploads(data.get("photos"))))
        return data


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    phone = forms.CharField(
        label=_("提交时填写的手机号"), max_length=20, widget=forms.TextInput(attrs=PHONE_ATTRS)
    )
    captcha = _captcha()


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("满意度"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    still_unpaid = forms.BooleanField(label=_("仍未拿到工资"), required=False)
    comment = forms.CharField(
        label=_("意见和建议（选填）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )
