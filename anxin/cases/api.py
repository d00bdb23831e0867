"""Cases over the API: open from an alert or signals, list with filters, advance (or skip, or
close), and the legal actions of a case. Scoped and permissioned like the screens; domain refusals
come back as 400 (409 for a conflict) with the Chinese message."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from anxin.cases import actions as action_services
from anxin.cases import services
from anxin.cases.models import MAX_MONTHS, MAX_WORKERS, ActionKind, Case, LegalAction, Outcome, Stage
from anxin.cases.selectors import actions_mine
from anxin.core.access import get_scoped_or_404
from anxin.core.api import CodeRelatedField, ModelPermissions
from anxin.core.money import YuanField, yuan_str
from anxin.core.seam import paid_so_far
from anxin.core.validators import normalize_uscc
from anxin.intake.models import Signal
from anxin.monitoring.models import Alert
from anxin.org.models import Unit
from anxin.registry.models import Enterprise, Project


class ActionSerializer(serializers.ModelSerializer):
    unit = CodeRelatedField(slug_field="code", read_only=True)
    copy_unit = CodeRelatedField(slug_field="code", read_only=True)
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


class CaseSerializer(serializers.ModelSerializer):
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
    alert = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="由预警立案：预警编号"
    )
    signals = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        help_text="由线索立案：线索编号",
    )
    enterprise_uscc = serializers.CharField(max_length=30, required=False, help_text="直接立案时的企业")
    project = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="工程项目编号（/api/v1/projects/ 的 id）：工程建设领域的欠薪案件",
    )
    summary = serializers.CharField(max_length=4000)
    workers = serializers.IntegerField(min_value=0, max_value=MAX_WORKERS, required=False)
    amount_claimed = YuanField(required=False)
    co_units = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    mass_incident = serializers.BooleanField(required=False, default=False)
    malicious = serializers.BooleanField(required=False, default=False)
    owner_absconded = serializers.BooleanField(required=False, default=False)
    sudden_closure = serializers.BooleanField(required=False, default=False)
    separate = serializers.BooleanField(
        required=False, default=False, help_text="企业已有办理中的案件时，确属另一起纠纷才另立新案"
    )


class AdvanceSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["advance", "skip", "close"])
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    amount_paid = YuanField(required=False)


class ActionRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActionKind.choices)
    amount = YuanField(required=False)
    workers = serializers.IntegerField(min_value=0, max_value=MAX_WORKERS, required=False, default=0)
    pay_by = serializers.DateField(required=False)
    percent = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    single_months = serializers.IntegerField(min_value=0, max_value=MAX_MONTHS, required=False, default=0)
    single_amount = YuanField(required=False)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    document = serializers.ChoiceField(
        choices=["payment_notice", "rectification"], required=False, help_text="责令限期支付的文书"
    )
    basis = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    details = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    unit = serializers.CharField(
        max_length=40, required=False, help_text="调解主持单位代码（镇/街道或 justice）"
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("enterprise", OpenApiTypes.STR, description="统一社会信用代码"),
            OpenApiParameter("stage", OpenApiTypes.STR, description="阶段代码：facts、control、mediation…"),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="true：本阶段已逾期"),
        ]
    )
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
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
        stage = (params.get("stage") or "").strip()
        if stage:
            if stage not in Stage.values:
                raise ValidationError({"stage": [f"阶段代码须为 {'、'.join(Stage.values)} 之一"]})
            cases = cases.filter(stage=stage)
        overdue = (params.get("overdue") or "").strip().lower()
        if overdue in ("true", "1", "yes"):
            cases = cases.open().filter(stage_due_at__lt=timezone.now())
        elif overdue and overdue not in ("false", "0", "no"):
            raise ValidationError({"overdue": ["取值须为 true 或 false"]})
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
                raise ValidationError({"alert": ["预警不存在或不在您的范围内"]})
        signals = list(
            Signal.objects.for_user(user).filter(pk__in=v.get("signals") or [], enterprise__isnull=False)
        )
        if len(signals) != len(set(v.get("signals") or [])):
            raise ValidationError({"signals": ["部分线索不存在、未匹配企业或不在您的范围内"]})
        enterprise = alert.enterprise if alert else (signals[0].enterprise if signals else None)
        if enterprise is None:
            uscc = (v.get("enterprise_uscc") or "").strip().upper()
            if not uscc:
                raise ValidationError({"non_field_errors": ["请提供 alert、signals 或 enterprise_uscc 之一"]})
            enterprise = Enterprise.objects.for_user(user).filter(uscc=uscc).first()
            if enterprise is None:
                raise ValidationError({"enterprise_uscc": ["未登记的企业或不在您的范围内"]})
        project = None
        if v.get("project"):
            project = Project.objects.for_user(user).filter(pk=v["project"]).first()
            if project is None:
                raise ValidationError({"project": ["工程项目不存在或不在您的范围内"]})
        co_codes = v.get("co_units") or []
        co_units = list(Unit.objects.filter(code__in=co_codes))
        if len(co_units) != len(set(co_codes)):
            raise ValidationError({"co_units": ["有不存在的单位代码"]})
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
            if "outcome" not in v or "amount_paid" not in v:
                raise ValidationError({"outcome": ["结案须提供 outcome 和 amount_paid"]})
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
        data = ActionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        unit = None
        if v.get("unit"):
            unit = Unit.objects.filter(code=v["unit"]).first()
            if unit is None:
                raise ValidationError({"unit": ["单位代码不存在"]})
        made = action_services.action_request(
            actor=request.user,
            case=case,
            kind=v["kind"],
            amount=v.get("amount") or 0,
            workers=v["workers"],
            pay_by=v.get("pay_by"),
            percent=v.get("percent"),
            single_months=v["single_months"],
            single_amount=v.get("single_amount") or 0,
            document=v.get("document", ""),
            reference=v["reference"],
            basis=v["basis"],
            details=v["details"],
            unit=unit,
        )
        return Response(ActionSerializer(made).data, status=status.HTTP_201_CREATED)


@extend_schema(exclude=True)  # the same operation as cases/{id}/advance/, documented once
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def case_advance_noslash(request, pk: int):
    """``POST /api/v1/cases/{id}/advance`` as the issue spells it (a POST cannot follow a redirect)."""
    return CaseViewSet.as_view({"post": "advance"})(request._request, pk=pk)


class StepSerializer(serializers.Serializer):
    step = serializers.CharField(max_length=14, help_text="事项代码：accepted、refused、filing、payment…")
    on = serializers.DateField()
    amount = YuanField(required=False)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, description="措施代码：order、referral、court…"),
            OpenApiParameter("status", OpenApiTypes.STR, description="状态：open、accepted、done、lapsed…"),
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="true：分派给本单位的（我的待办）"),
        ]
    )
)
class LegalActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
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
        mine = (params.get("mine") or "").strip().lower()
        if mine in ("true", "1", "yes"):
            rows = rows.filter(actions_mine(self.request.user))
        elif mine and mine not in ("false", "0", "no"):
            raise ValidationError({"mine": ["取值须为 true 或 false"]})
        return rows.order_by("-requested_at", "-pk")

    @extend_schema(request=StepSerializer, responses=ActionSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def steps(self, request, pk=None):
        """登记办理进展（受理/立案、不予立案、立案、保全、判决、执行、支付…），部分事项改变措施状态。"""
        found = get_scoped_or_404(LegalAction.objects.select_related("case", "unit"), request.user, pk=pk)
        data = StepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["step"] not in action_services.STEPS[found.kind]:
            raise ValidationError(
                {"step": [f"该措施可登记的事项：{'、'.join(action_services.STEPS[found.kind])}"]}
            )
        if not action_services.handles(request.user, found):
            self.permission_denied(request, message="只有承办单位或联席办可以登记办理进展")
        action_services.action_step(
            actor=request.user,
            action=found,
            step=v["step"],
            on=v["on"],
            note=v["note"],
            amount=v.get("amount") or 0,
        )
        return Response(ActionSerializer(LegalAction.objects.get(pk=found.pk)).data)
