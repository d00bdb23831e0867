"""Cases over the API: open from an alert or signals, list with filters, advance (or skip, or
close), and the legal actions of a case. Scoped and permissioned like the screens; domain refusals
come back as 400 (409 for a conflict) with the Chinese message."""

from __future__ import annotations

from contextlib import contextmanager

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from anxin.cases import actions as action_services
from anxin.cases import services
from anxin.cases.models import (
    MAX_MONTHS,
    MAX_WORKERS,
    ActionKind,
    ActionStep,
    Case,
    LegalAction,
    Outcome,
    Stage,
)
from anxin.cases.selectors import actions_mine
from anxin.core.access import get_scoped_or_404
from anxin.core.api import CodeRelatedField, ModelPermissions
from anxin.core.api_schema import (
    FLAG,
    NOT_BLANK_PATTERN,
    ApiModelSerializer,
    ContractViewMixin,
    EnterpriseBrief,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    UsccField,
    conflict,
    flag,
    not_found,
    query_value,
    words_schema,
)
from anxin.core.errors import DomainError
from anxin.core.money import YuanField, amount_pattern, yuan_str
from anxin.core.seam import paid_so_far
from anxin.core.validators import normalize_uscc
from anxin.intake.models import Signal
from anxin.monitoring.models import Alert
from anxin.org.models import Unit
from anxin.registry.models import Enterprise, Project


class ActionSerializer(ApiModelSerializer):
    unit = CodeRelatedField(slug_field="code", read_only=True, help_text="承办单位代码")
    copy_unit = CodeRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="抄送（备案）单位代码；无抄送为 null"
    )
    amount = serializers.SerializerMethodField()

    class Meta:
        model = LegalAction
        fields = [
            "id",
            "kind",
            "unit",
            "copy_unit",
            "status",
            "reference",
            "document",
            "issued_on",
            "served_on",
            "pay_by",
            "amount",
            "percent",
            "workers",
            "basis",
            "conditions",
            "due_at",
            "due_basis",
            "result",
            "requested_at",
            "completed_at",
        ]

    def get_amount(self, obj) -> str:
        return yuan_str(obj.amount)


class CaseListSerializer(serializers.ListSerializer):
    """A page of cases: what has been paid on them is asked once for the whole page."""

    def to_representation(self, data):
        cases = list(data.all() if hasattr(data, "all") else data)
        self.child.paid = paid_so_far([c.pk for c in cases])
        return super().to_representation(cases)


class CaseSerializer(ApiModelSerializer):
    enterprise = serializers.SerializerMethodField()
    town = CodeRelatedField(slug_field="code", read_only=True)
    lead_unit = CodeRelatedField(slug_field="code", read_only=True)
    co_units = CodeRelatedField(slug_field="code", read_only=True, many=True)
    amount_claimed = serializers.SerializerMethodField()
    amount_paid = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "enterprise",
            "project",
            "origin",
            "summary",
            "town",
            "lead_unit",
            "co_units",
            "level",
            "workers",
            "amount_claimed",
            "mass_incident",
            "malicious",
            "owner_absconded",
            "sudden_closure",
            "stage",
            "stage_since",
            "stage_due_at",
            "stage_due_basis",
            "overdue",
            "deadline_at",
            "deadline_basis",
            "outcome",
            "amount_paid",
            "opened_at",
            "closed_at",
        ]
        list_serializer_class = CaseListSerializer

    paid: dict[int, int] | None = None  # fen paid per case, set for a page by CaseListSerializer

    @extend_schema_field(EnterpriseBrief)
    def get_enterprise(self, obj) -> dict:
        return {"uscc": obj.enterprise.uscc, "name": obj.enterprise.name}

    def get_amount_claimed(self, obj) -> str:
        return yuan_str(obj.amount_claimed)

    def get_amount_paid(self, obj) -> str:
        # what money has recorded as paid on the case so far (seam.paid_so_far); no docstring:
        # it would become the field's description in the OpenAPI schema
        if self.paid is None or obj.pk not in self.paid:
            return yuan_str(paid_so_far([obj.pk])[obj.pk])
        return yuan_str(self.paid[obj.pk])

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue


MAX_ID = 2**63 - 1  # a BigAutoField: a larger number is refused as a field error, not a database overflow


class OpenSerializer(serializers.Serializer):
    alert = StrictIntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="由预警立案：预警编号（不存在或不在您的范围内答复 404）",
    )
    signals = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        help_text="由线索立案：线索编号（须已匹配企业；不存在或不在您的范围内答复 404）",
    )
    enterprise_uscc = UsccField(
        required=False, help_text="直接立案时的企业（未登记或不在您的范围内答复 404）"
    )
    project = StrictIntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="工程项目编号（/api/v1/projects/ 的 id）：工程建设领域的欠薪案件",
    )
    summary = StrictCharField(max_length=4000)
    workers = StrictIntegerField(min_value=0, max_value=MAX_WORKERS, required=False)
    amount_claimed = YuanField(required=False)
    co_units = CodeRelatedField(
        slug_field="code", queryset=Unit.objects.all(), many=True, required=False, help_text="协办单位代码"
    )
    mass_incident = StrictBooleanField(required=False, default=False)
    malicious = StrictBooleanField(required=False, default=False)
    owner_absconded = StrictBooleanField(required=False, default=False)
    sudden_closure = StrictBooleanField(required=False, default=False)
    separate = StrictBooleanField(
        required=False, default=False, help_text="企业已有办理中的案件时，确属另一起纠纷才另立新案"
    )

    # One of the three ways to open a case.
    request_schema = {
        "anyOf": [
            {"required": ["alert"]},
            {"required": ["signals"], "properties": {"signals": {"minItems": 1}}},
            {"required": ["enterprise_uscc"]},
        ]
    }


_POSITIVE_AMOUNT = {
    "anyOf": [
        {"type": "string", "pattern": amount_pattern(allow_negative=False, allow_zero=False)},
        {"type": "integer", "minimum": 1},
    ]
}


class AdvanceSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["advance", "skip", "close"])
    reason = StrictCharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="跳过的理由（skip 必填）；结案说明",
    )
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, help_text="结案方式（close 必填）"
    )
    amount_paid = YuanField(required=False, help_text="已清偿金额（close 必填）")

    # skip needs a reason; close needs outcome and amount_paid.
    request_schema = {
        "anyOf": [
            {"properties": {"action": {"enum": ["advance"]}}},
            {
                "properties": {"action": {"enum": ["skip"]}, "reason": {"pattern": NOT_BLANK_PATTERN}},
                "required": ["reason"],
            },
            {
                "properties": {
                    "action": {"enum": ["close"]},
                    "outcome": {"enum": ["paid", "partly"]},
                    "amount_paid": _POSITIVE_AMOUNT,
                },
                "required": ["outcome", "amount_paid"],
            },
            {
                "properties": {"action": {"enum": ["close"]}, "outcome": {"enum": ["mediated"]}},
                "required": ["outcome", "amount_paid"],
            },
            {
                "properties": {
                    "action": {"enum": ["close"]},
                    "outcome": {"enum": ["unfounded"]},
                    "reason": {"pattern": NOT_BLANK_PATTERN},
                },
                "required": ["outcome", "amount_paid", "reason"],
            },
        ]
    }

    def validate(self, attrs):
        if attrs["action"] == "close":
            if "outcome" not in attrs or "amount_paid" not in attrs:
                raise ValidationError({"outcome": ["结案须提供 outcome 和 amount_paid"]})
            if attrs["outcome"] in (Outcome.PAID, Outcome.PARTLY) and attrs["amount_paid"] <= 0:
                raise ValidationError({"amount_paid": ["全额清偿或部分清偿须填写已支付金额"]})
            if attrs["outcome"] == Outcome.UNFOUNDED and not attrs["reason"].strip():
                raise ValidationError({"reason": ["以“不属实”结案须说明核查情况"]})
        return attrs


def _kind_requirements() -> list[dict]:
    """The request schema's alternatives: the kinds grouped by the fields they require."""
    shapes = {"amount": _POSITIVE_AMOUNT, "workers": {"minimum": 1}, "basis": {"pattern": NOT_BLANK_PATTERN}}
    groups: dict[tuple[str, ...], list[str]] = {}
    for kind in action_services.FIELDS:
        groups.setdefault(tuple(action_services.required_fields(kind)), []).append(str(kind))
    alternatives = []
    for required, kinds in groups.items():
        item: dict = {
            "properties": {"kind": {"enum": kinds}, **{n: shapes[n] for n in required if n in shapes}}
        }
        if required:
            item["required"] = list(required)
        alternatives.append(item)
    return alternatives


class ActionRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    amount = YuanField(required=False, help_text="金额（责令支付、罚款、移送、保证金、应急周转金须大于零）")
    workers = StrictIntegerField(min_value=0, max_value=MAX_WORKERS, required=False, default=0)
    served_on = serializers.DateField(
        required=False,
        help_text="送达日期（order：通知书实际送达用人单位的日期，不晚于今天、不早于立案日；不填为今天）",
    )
    pay_by = serializers.DateField(
        required=False,
        help_text="支付期限（order：不早于送达日期；不填则自送达之日起按参数 order.pay_working_days 个工作日计算）",
    )
    percent = StrictIntegerField(min_value=0, max_value=1000, required=False)
    single_months = StrictIntegerField(min_value=0, max_value=MAX_MONTHS, required=False, default=0)
    single_amount = YuanField(required=False)
    reference = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    document = serializers.ChoiceField(
        choices=["payment_notice", "rectification"], required=False, help_text="责令限期支付的文书"
    )
    basis = StrictCharField(max_length=300, required=False, allow_blank=True, default="")
    details = StrictCharField(max_length=4000, required=False, allow_blank=True, default="")
    unit = CodeRelatedField(
        slug_field="code",
        queryset=Unit.objects.filter(Q(town__isnull=False) | Q(code="justice")),
        required=False,
        help_text="调解主持单位代码：案件所在镇/街道政府或 justice（司法局）；另一镇/街道答复 409",
    )
    another = serializers.BooleanField(
        required=False,
        default=False,
        help_text="确属另一项同类措施（同一承办单位已有办理中的同类措施时，否则答复 409）；须同时填写 another_reason。"
        "责令限期支付和移送公安任何时候只能有一项",
    )
    another_reason = StrictCharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="另行发起的理由"
    )

    # What each kind needs besides its kind — the one table the forms follow too
    # (``actions.FIELDS``); the case's state may still refuse it (409).
    request_schema = {"anyOf": _kind_requirements()}

    def validate(self, attrs):
        kind = attrs["kind"]
        missing = {
            name: [f"“{ActionKind(kind).label}”须填写此项"]
            for name in action_services.required_fields(kind)
            if attrs.get(name) in (None, "", 0)
            or (isinstance(attrs.get(name), str) and not attrs[name].strip())
        }
        if missing:
            raise ValidationError(missing)
        return attrs


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("enterprise", OpenApiTypes.STR, description="统一社会信用代码"),
            OpenApiParameter(
                "stage",
                words_schema(Stage.values, any_case=False),
                description="阶段代码：facts、control、mediation…",
            ),
            OpenApiParameter("overdue", FLAG, description="true：本阶段已逾期"),
        ]
    )
)
class CaseViewSet(
    ContractViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """欠薪案件（§四(三)–(七)）：立案、查询、推进阶段、法律措施。"""

    serializer_class = CaseSerializer
    permission_classes = [permissions.IsAuthenticated, ModelPermissions]
    queryset = Case.objects.none()
    lookup_value_regex = r"\d+"  # anything else is a 404 from the router, never a ValueError

    def get_queryset(self):
        cases = Case.objects.for_user(self.request.user).select_related("enterprise", "town", "lead_unit")
        cases = cases.prefetch_related("co_units")
        params = self.request.query_params
        if params.get("enterprise"):
            cases = cases.filter(enterprise__uscc=normalize_uscc(params["enterprise"].replace("\x00", "")))
        stage = query_value(params, "stage").strip()
        if stage:
            if stage not in Stage.values:
                raise ValidationError({"stage": [f"阶段代码须为 {'、'.join(Stage.values)} 之一"]})
            cases = cases.filter(stage=stage)
        if flag(params, "overdue"):
            cases = cases.open().filter(stage_due_at__lt=timezone.now())
        return cases.order_by("-opened_at", "-pk")

    @extend_schema(request=OpenSerializer, responses={201: CaseSerializer})
    def create(self, request, *args, **kwargs):
        """立案：由预警（alert）、由线索（signals）或直接（enterprise_uscc）。"""
        if not request.user.has_perm("cases.add_case"):
            self.permission_denied(request, message="角色无立案权限")
        data = OpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = request.user
        alert = None
        if v.get("alert"):
            alert = Alert.objects.for_user(user).filter(pk=v["alert"]).select_related("enterprise").first()
            if alert is None:
                raise not_found("alert", "预警不存在或不在您的范围内")
        signals = list(
            Signal.objects.for_user(user).filter(pk__in=v.get("signals") or [], enterprise__isnull=False)
        )
        if len(signals) != len(set(v.get("signals") or [])):
            raise not_found("signals", "部分线索不存在、未匹配企业或不在您的范围内")
        enterprise = alert.enterprise if alert else (signals[0].enterprise if signals else None)
        if enterprise is None:
            uscc = v.get("enterprise_uscc") or ""
            if not uscc:
                raise ValidationError({"non_field_errors": ["请提供 alert、signals 或 enterprise_uscc 之一"]})
            enterprise = Enterprise.objects.for_user(user).filter(uscc=uscc).first()
            if enterprise is None:
                raise not_found("enterprise_uscc", "未登记的企业或不在您的范围内")
        project = None
        if v.get("project"):
            project = Project.objects.for_user(user).filter(pk=v["project"]).first()
            if project is None:
                raise not_found("project", "工程项目不存在或不在您的范围内")
        co_units = list(dict.fromkeys(v.get("co_units") or []))
        with _state_refusal_is_a_conflict(fields=("alert", "signals", "project")):
            case = services.case_open(
                actor=user,
                enterprise=enterprise,
                project=project,
                alert=alert,
                signals=signals,
                summary=v["summary"],
                workers=v.get("workers"),
                amount_claimed=v.get("amount_claimed"),
                co_units=co_units,
                mass_incident=v["mass_incident"],
                malicious=v["malicious"],
                owner_absconded=v["owner_absconded"],
                sudden_closure=v["sudden_closure"],
                separate=v["separate"],
            )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=case.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=AdvanceSerializer, responses=CaseSerializer)
    # The services check the permission of each move (move_case, close_case), not "add".
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def advance(self, request, pk=None):
        """推进：advance 进入下一阶段；skip 跳过下一阶段（须 reason）；close 结案（须 outcome、amount_paid）。"""
        case = get_scoped_or_404(Case.objects.select_related("lead_unit"), request.user, pk=pk)
        data = AdvanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["action"] == "close":
            services.case_close(
                actor=request.user,
                case=case,
                outcome=v["outcome"],
                amount_paid=v["amount_paid"],
                note=v["reason"],
            )
        else:
            services.case_move(actor=request.user, case=case, action=v["action"], reason=v["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)

    @extend_schema(methods=["GET"], responses=ActionSerializer(many=True))
    @extend_schema(methods=["POST"], request=ActionRequestSerializer, responses={201: ActionSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="actions",
        permission_classes=[permissions.IsAuthenticated],
        pagination_class=None,  # every action of the case, as one list
    )
    def legal_actions(self, request, pk=None):
        """案件的法律措施：GET 列表；POST 发起（按职责分派承办单位）。"""
        case = get_scoped_or_404(Case.objects.select_related("lead_unit"), request.user, pk=pk)
        if request.method == "GET":
            rows = (
                LegalAction.objects.for_user(request.user)
                .filter(case=case)
                .select_related("unit", "copy_unit")
            )
            return Response(ActionSerializer(rows, many=True).data)
        kind = request.data.get("kind") if isinstance(request.data, dict) else None
        if case.is_open and isinstance(kind, str) and kind in ActionKind.values:
            # who may start it is said before what it lacks
            action_services.require_may_request(request.user, case, kind)
        data = ActionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with _state_refusal_is_a_conflict(fields=(None, "kind", "unit")):
            made = action_services.action_request(
                actor=request.user,
                case=case,
                kind=v["kind"],
                amount=v.get("amount") or 0,
                workers=v["workers"],
                pay_by=v.get("pay_by"),
                served_on=v.get("served_on"),
                percent=v.get("percent"),
                single_months=v["single_months"],
                single_amount=v.get("single_amount") or 0,
                document=v.get("document", ""),
                reference=v["reference"],
                basis=v["basis"],
                another=v["another"],
                another_reason=v["another_reason"],
                details=v["details"],
                unit=v.get("unit"),
            )
        return Response(ActionSerializer(made).data, status=status.HTTP_201_CREATED)


@contextmanager
def _state_refusal_is_a_conflict(*, fields=(None, "kind")):
    """Refusals about what is on file rather than about the request's own fields are 409, like
    the other state refusals, not 400: action_request's that name no field, or only the kind (a
    compensation without a lapsed order, a deposit for a case without a project); case_open's
    about the records named (signals of two enterprises, a project the enterprise has no part in)."""
    try:
        yield
    except DomainError as exc:
        if exc.code == "invalid" and exc.field in fields:
            raise DomainError(exc.message, code="conflict", field=exc.field) from exc
        raise


@extend_schema(exclude=True)  # the same operation as cases/{id}/advance/, documented once
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def case_advance_noslash(request, pk: int):
    """``POST /api/v1/cases/{id}/advance`` as the issue spells it (a POST cannot follow a redirect)."""
    return CaseViewSet.as_view({"post": "advance"})(request._request, pk=pk)


class StepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(
        choices=ActionStep.Step.choices,
        help_text="事项代码；每种措施可登记的事项不同（其余答复 409，并列出可登记的事项）",
    )
    on = serializers.DateField(help_text="日期：不晚于今天")
    amount = YuanField(required=False)
    note = StrictCharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        help_text="说明（refused、result 必填）",
    )

    # A refusal or a result says why.
    request_schema = {
        "anyOf": [
            {"properties": {"step": {"not": {"enum": ["refused", "result"]}}}},
            {"properties": {"note": {"pattern": NOT_BLANK_PATTERN}}, "required": ["note"]},
        ]
    }


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, description="措施代码：order、referral、court…"),
            OpenApiParameter("status", OpenApiTypes.STR, description="状态：open、accepted、done、lapsed…"),
            OpenApiParameter("mine", FLAG, description="true：分派给本单位的（我的待办）"),
        ]
    )
)
class LegalActionViewSet(
    ContractViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """法律措施：承办单位（如公安分局的移送、法院的绿色通道）查询分派给本单位的措施并登记办理进展。"""

    serializer_class = ActionSerializer
    permission_classes = [permissions.IsAuthenticated, ModelPermissions]
    queryset = LegalAction.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        rows = LegalAction.objects.for_user(self.request.user).select_related("unit", "copy_unit")
        params = self.request.query_params
        if params.get("kind"):
            rows = rows.filter(kind=params["kind"].replace("\x00", ""))
        if params.get("status"):
            rows = rows.filter(status=params["status"].replace("\x00", ""))
        if flag(params, "mine"):
            rows = rows.filter(actions_mine(self.request.user))
        return rows.order_by("-requested_at", "-pk")

    @extend_schema(request=StepSerializer, responses=ActionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def steps(self, request, pk=None):
        """登记办理进展（受理/立案、不予立案、立案、保全、判决、执行、支付…），部分事项改变措施状态。"""
        found = get_scoped_or_404(LegalAction.objects.select_related("case", "unit"), request.user, pk=pk)
        data = StepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if not action_services.handles(request.user, found):
            self.permission_denied(request, message="只有承办单位或联席办可以登记办理进展")
        if v["step"] not in action_services.STEPS[found.kind]:
            # Well formed, but not a step of this kind of action: a clash with the action itself.
            raise conflict("step", f"该措施可登记的事项：{'、'.join(action_services.STEPS[found.kind])}")
        action_services.action_step(
            actor=request.user,
            action=found,
            step=v["step"],
            on=v["on"],
            note=v["note"],
            amount=v.get("amount") or 0,
        )
        return Response(ActionSerializer(LegalAction.objects.get(pk=found.pk)).data)
