"""Intake over the API: channels and kinds by code, signals (idempotent by channel + reference),
verification, and enterprise self-reports (§四(一)). Scoped like the screens."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from anxin.core.access import get_scoped_or_404
from anxin.core.api import CodeRelatedField, ModelPermissions
from anxin.core.api_schema import (
    NOT_BLANK_PATTERN,
    PAST_DATE,
    AnswerChoiceField,
    ApiModelSerializer,
    ContractViewMixin,
    EnterpriseBrief,
    StrictBooleanField,
    StrictCharField,
    UsccField,
    not_found,
    query_value,
    words_schema,
)
from anxin.core.money import YuanField, yuan_str
from anxin.core.validators import normalize_uscc
from anxin.intake import services
from anxin.intake.models import Channel, SelfReport, Signal, SignalKind, Verification
from anxin.intake.services import MAX_AMOUNT_FEN
from anxin.org.models import User
from anxin.registry.models import Enterprise

SIGNAL_RELATED = ("channel", "enterprise", "town", "assigned_unit", "verified_by__unit")
POSTABLE_KINDS = [c for c in SignalKind.choices if c[0] != SignalKind.ARREARS_REPORT]


class ChannelSerializer(ApiModelSerializer):
    unit = CodeRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Channel
        fields = ["code", "name", "unit", "citation", "towns_feed"]


class ChannelViewSet(ContractViewMixin, viewsets.ReadOnlyModelViewSet):
    """信息渠道（§三(一)）及其归口单位。"""

    serializer_class = ChannelSerializer
    queryset = Channel.objects.select_related("unit").order_by("order")
    lookup_field = "code"
    pagination_class = None


@extend_schema(
    responses={
        200: {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
            },
        }
    }
)
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def signal_kinds(request):
    """可报送的线索类型代码及名称（即 POST /api/v1/signals/ 接受的 kind）。

    企业欠薪报告（arrears_report）不在此列：它由 POST /api/v1/self-reports/ 生成，查询结果中可能出现。
    """
    return Response([{"code": code, "name": str(label)} for code, label in POSTABLE_KINDS])


class ChannelField(CodeRelatedField):
    """The channel of a posted signal: those recorded by officers (the portal's and the arrears
    report's have their own doors). A channel of another unit is a 403 from the service."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            door = (
                Channel.objects.filter(code=data).filter(Q(is_public=True) | Q(is_self_report=True)).first()
            )
            if door is not None:
                raise ValidationError(
                    [
                        f"“{door.name}”渠道的线索只能通过"
                        f"{'网上反映页面' if door.is_public else 'POST /api/v1/self-reports/'}登记"
                    ]
                )
        return super().to_internal_value(data)


class EnterpriseOfSignal(serializers.Serializer):
    uscc = StrictCharField(help_text="统一社会信用代码（未匹配时为来源给出的代码，可为空）")
    name = StrictCharField(help_text="企业名称（未匹配时为来源给出的名称，可为空）")
    matched = StrictBooleanField(help_text="是否已匹配到已登记企业")


class SignalSerializer(ApiModelSerializer):
    channel = ChannelField(
        slug_field="code",
        queryset=Channel.objects.filter(is_public=False, is_self_report=False),
        help_text="渠道代码，见 /api/v1/channels/（本单位归口的渠道；镇街可用镇街渠道）",
        error_messages={"does_not_exist": "未知的渠道代码“{value}”，可用代码见 /api/v1/channels/"},
    )
    kind = AnswerChoiceField(
        choices=POSTABLE_KINDS,
        answers=SignalKind.choices,
        help_text="线索类型代码，见 /api/v1/signal-kinds/（企业欠薪报告 arrears_report 只出现在查询结果中）",
        error_messages={"invalid_choice": "未知的线索类型代码“{input}”，可用代码见 /api/v1/signal-kinds/"},
    )
    enterprise_uscc = UsccField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="统一社会信用代码（与 enterprise_name 至少填一项）",
    )
    enterprise_name = StrictCharField(max_length=100, required=False, allow_blank=True, write_only=True)
    enterprise = serializers.SerializerMethodField()
    amount = YuanField(required=False, max_fen=MAX_AMOUNT_FEN, help_text="涉及金额（元）")
    reference = StrictCharField(
        max_length=60,
        help_text="渠道自己的编号（必填）；同一渠道同一编号重复提交时更新原记录，不会重复登记",
        error_messages={
            "required": "请填写渠道编号 reference：重复提交时据此更新原记录，不会重复登记",
            "blank": "请填写渠道编号 reference：重复提交时据此更新原记录，不会重复登记",
            "null": "请填写渠道编号 reference：重复提交时据此更新原记录，不会重复登记",
            "max_length": "渠道编号 reference 不超过 60 个字符",
        },
    )
    received_at = serializers.DateTimeField(
        help_text="接收时间（带时区）：不得晚于当前时间，且在工作日历覆盖的年份内（据此计算核实期限）"
    )
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="发生时间：不得晚于当前时间和接收时间"
    )
    town = StrictCharField(
        source="town.code",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="属地镇/街道代码，未定时为 null",
    )
    assigned_unit = StrictCharField(
        source="assigned_unit.code",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="牵头核实单位代码",
    )
    verified_by = serializers.SerializerMethodField(help_text="核实人：姓名（单位），未核实时为 null")

    class Meta:
        model = Signal
        fields = [
            "id",
            "channel",
            "reference",
            "kind",
            "enterprise_uscc",
            "enterprise_name",
            "enterprise",
            "received_at",
            "occurred_at",
            "workers",
            "amount",
            "months_owed",
            "summary",
            "town",
            "assigned_unit",
            "due_at",
            "stage",
            "verification",
            "verified_by",
            "verified_at",
            "verification_note",
            "duplicate_state",
        ]
        read_only_fields = [
            "stage",
            "verification",
            "verified_at",
            "verification_note",
            "duplicate_state",
            "due_at",
        ]
        validators = []  # a repeated (channel, reference) is an update, decided by the service
        extra_kwargs = {
            "summary": {"max_length": 4000},
            "workers": {"max_value": 100000},
            "months_owed": {"max_value": 240},
        }

    # Besides its fields: the enterprise by code or by name (at least one of the two).
    request_schema = {
        "anyOf": [
            {"required": ["enterprise_uscc"], "properties": {"enterprise_uscc": {"minLength": 18}}},
            {
                "required": ["enterprise_name"],
                "properties": {"enterprise_name": {"pattern": NOT_BLANK_PATTERN}},
            },
        ]
    }

    @extend_schema_field(EnterpriseOfSignal)
    def get_enterprise(self, signal) -> dict:
        if signal.enterprise_id:
            return {"uscc": signal.enterprise.uscc, "name": signal.enterprise.name, "matched": True}
        return {"uscc": signal.employer_uscc, "name": signal.employer_name, "matched": False}

    def get_verified_by(self, signal) -> str | None:
        user = signal.verified_by
        if user is None:
            return None
        unit = user.unit.short_name or user.unit.name if user.unit_id else ""
        return f"{user.display_name}（{unit}）" if unit else user.display_name

    def validate_reference(self, value):
        value = value.strip()
        if not value:
            raise ValidationError(["请填写渠道编号 reference：重复提交时据此更新原记录，不会重复登记"])
        return value

    def validate(self, attrs):
        if not attrs.get("enterprise_uscc") and not (attrs.get("enterprise_name") or "").strip():
            raise ValidationError({"enterprise_uscc": ["请填写 enterprise_uscc 或 enterprise_name"]})
        return attrs

    def save_signal(self, actor: User) -> services.Recorded:
        data = dict(self.validated_data)
        # Only what was sent: a re-send that leaves a field out leaves the stored value alone.
        facts = {"kind": data["kind"], "received_at": data["received_at"], "summary": data["summary"]}
        for source, target in (
            ("occurred_at", "occurred_at"),
            ("workers", "workers"),
            ("amount", "amount"),
            ("months_owed", "months_owed"),
            ("enterprise_uscc", "employer_uscc"),
            ("enterprise_name", "employer_name"),
        ):
            if source in data:
                facts[target] = data[source] if data[source] is not None or source == "occurred_at" else 0
        return services.signal_record(
            actor=actor, channel=data["channel"], reference=data["reference"], **facts
        )


class RecordedSignalSerializer(SignalSerializer):
    outcome = serializers.ChoiceField(
        choices=[("created", "新登记"), ("updated", "已更新"), ("unchanged", "内容相同，未改动")],
        read_only=True,
        help_text="created：新登记；updated：按同一渠道编号更新了原记录；unchanged：内容相同",
    )

    class Meta(SignalSerializer.Meta):
        fields = [*SignalSerializer.Meta.fields, "outcome"]


class VerifySerializer(serializers.Serializer):
    result = serializers.ChoiceField(
        choices=[c for c in Verification.choices if c[0] != Verification.PENDING]
    )
    note = StrictCharField(max_length=2000, help_text="核实情况")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "enterprise",
                OpenApiTypes.STR,
                description="企业统一社会信用代码：该企业的线索，及尚待匹配、来源给出的代码为此代码的线索",
            ),
            OpenApiParameter("kind", OpenApiTypes.STR, description="线索类型代码"),
            OpenApiParameter("channel", OpenApiTypes.STR, description="渠道代码"),
            OpenApiParameter(
                "reference",
                OpenApiTypes.STR,
                description="渠道编号：与 channel 一起，读回本单位渠道报送的某一条线索",
            ),
            OpenApiParameter(
                "verified",
                words_schema(["true", "1", "yes", "false", "0", "no", *Verification.values]),
                description="true=已核实，false=待核实，或核实结论代码（pending、substantiated、partly、unfounded）",
            ),
        ]
    )
)
class SignalViewSet(
    ContractViewMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """预警线索：各渠道报送（同一渠道编号重复提交时更新）、查询、核实。"""

    serializer_class = SignalSerializer
    permission_classes = [permissions.IsAuthenticated, ModelPermissions]
    queryset = Signal.objects.none()

    def get_queryset(self):
        signals = Signal.objects.for_user(self.request.user).select_related(*SIGNAL_RELATED)
        params = self.request.query_params
        if params.get("enterprise"):
            # The registered enterprise's signals, and those still waiting for a match that carry
            # its code as the source gave it.
            uscc = normalize_uscc(params["enterprise"].replace("\x00", ""))
            signals = signals.filter(
                Q(enterprise__uscc=uscc) | Q(enterprise__isnull=True, employer_uscc=uscc)
            )
        if params.get("kind"):
            signals = signals.filter(kind=params["kind"].replace("\x00", ""))
        if params.get("channel"):
            signals = signals.filter(channel__code=params["channel"].replace("\x00", ""))
        if params.get("reference"):
            signals = signals.filter(reference=params["reference"].replace("\x00", "").strip())
        verified = query_value(params, "verified").strip().lower()
        if verified in ("true", "1", "yes"):
            signals = signals.exclude(verification=Verification.PENDING)
        elif verified in ("false", "0", "no", Verification.PENDING):
            signals = signals.filter(verification=Verification.PENDING)
        elif verified in Verification.values:
            signals = signals.filter(verification=verified)
        elif verified:
            raise ValidationError(
                {"verified": ["取值须为 true、false 或核实结论代码（substantiated、partly、unfounded）"]}
            )
        return signals.order_by("-received_at", "-pk")

    @extend_schema(
        responses={
            201: OpenApiResponse(RecordedSignalSerializer, description="新登记"),
            200: OpenApiResponse(
                RecordedSignalSerializer,
                description="本渠道已有此渠道编号的线索：已按本次内容更新（updated）或内容相同（unchanged）",
            ),
        }
    )
    def create(self, request, *args, **kwargs):
        """报送一条线索。同一渠道同一渠道编号（reference）再次报送时更新原记录（200），不重复登记。"""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        recorded = serializer.save_signal(request.user)
        # The signal as recorded, as the schema describes it: the sender's own report (an update
        # reaches only a signal the sender may see; a new one holds nothing but what was sent).
        signal = Signal.objects.select_related(*SIGNAL_RELATED).get(pk=recorded.signal.pk)
        body = {**self.get_serializer(signal).data, "outcome": recorded.outcome}
        return Response(
            body, status=status.HTTP_201_CREATED if recorded.outcome == "created" else status.HTTP_200_OK
        )

    @extend_schema(request=VerifySerializer, responses=SignalSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """记录核实结论（属实 substantiated / 部分属实 partly / 不属实 unfounded）。"""
        signal = get_scoped_or_404(Signal.objects.all(), request.user, pk=pk)
        serializer = VerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signal = services.signal_verify(actor=request.user, signal=signal, **serializer.validated_data)
        signal = (
            self.get_queryset().get(pk=signal.pk)
            if self.get_queryset().filter(pk=signal.pk).exists()
            else signal
        )
        return Response(self.get_serializer(signal).data)


class InstalmentSerializer(serializers.Serializer):
    due_on = serializers.DateField(help_text="计划支付日期：不早于开始拖欠日期")
    amount = YuanField(allow_zero=False, max_fen=MAX_AMOUNT_FEN)
    note = StrictCharField(max_length=200, required=False, allow_blank=True)


class SelfReportSerializer(ApiModelSerializer):
    enterprise_uscc = UsccField(
        write_only=True, help_text="统一社会信用代码：已登记且在您管辖范围内的企业（否则答复 404）"
    )
    enterprise = serializers.SerializerMethodField()
    arrears_since = serializers.DateField(help_text="开始拖欠日期：不晚于报告日期")
    reported_on = serializers.DateField(help_text=PAST_DATE["description"] + "（书面报告送达人社局日期）")
    amount = YuanField(allow_zero=False, max_fen=MAX_AMOUNT_FEN)
    plan = InstalmentSerializer(
        many=True, write_only=True, allow_empty=False, help_text="还款计划（至少一期），合计不超过拖欠金额"
    )
    instalments = serializers.SerializerMethodField()
    signal = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = SelfReport
        fields = [
            "id",
            "enterprise_uscc",
            "enterprise",
            "arrears_since",
            "reported_on",
            "workers",
            "amount",
            "cause",
            "plan",
            "instalments",
            "deadline_days",
            "deadline",
            "on_time",
            "parameter_evidence",
            "signal",
        ]
        read_only_fields = ["deadline_days", "deadline", "on_time", "parameter_evidence"]
        extra_kwargs = {"workers": {"min_value": 1, "max_value": 100000}, "cause": {"max_length": 2000}}

    @extend_schema_field(EnterpriseBrief)
    def get_enterprise(self, report) -> dict:
        return {"uscc": report.enterprise.uscc, "name": report.enterprise.name}

    @extend_schema_field(InstalmentSerializer(many=True))
    def get_instalments(self, report) -> list[dict]:
        return [
            {"due_on": i.due_on.isoformat(), "amount": yuan_str(i.amount), "note": i.note}
            for i in report.instalments.all()
        ]

    def validate_enterprise_uscc(self, uscc):
        enterprise = Enterprise.objects.for_user(self.context["request"].user).filter(uscc=uscc).first()
        if enterprise is None:
            raise not_found("enterprise_uscc", "未找到该企业，或该企业不在您的管辖范围内")
        return enterprise

    def validate_reported_on(self, value: datetime.date):
        if value > timezone.localdate():
            raise ValidationError(["报告日期不能晚于今天"])
        return value


class SelfReportViewSet(
    ContractViewMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """企业欠薪报告（§四(一)）：系统按 self_report.deadline_days 判定是否按时，并生成线索。"""

    serializer_class = SelfReportSerializer
    permission_classes = [permissions.IsAuthenticated, ModelPermissions]
    queryset = SelfReport.objects.none()

    def get_queryset(self):
        return (
            SelfReport.objects.for_user(self.request.user)
            .select_related("enterprise")
            .prefetch_related("instalments")
            .order_by("-reported_on", "-pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        report = services.self_report_record(
            actor=self.request.user,
            enterprise=data["enterprise_uscc"],
            arrears_since=data["arrears_since"],
            reported_on=data["reported_on"],
            workers=data["workers"],
            amount=data["amount"],
            cause=data["cause"],
            plan=[dict(step) for step in data["plan"]],
        )
        serializer.instance = report


@extend_schema(exclude=True)  # the same operation as signals/{id}/verify/, documented once
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def signal_verify_noslash(request, pk: int):
    """``POST /api/v1/signals/{id}/verify`` as the issue spells it (a POST cannot follow a redirect)."""
    return SignalViewSet.as_view({"post": "verify"})(request._request, pk=pk)
