"""Monitoring over the API: indicators and rules by code, bulk observations (idempotent by
enterprise + indicator + month), alerts, and an enterprise's risk explained."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from anxin.core.access import get_scoped_or_404
from anxin.core.api import CodeRelatedField
from anxin.core.errors import DomainError
from anxin.core.models import SecurityEventKind
from anxin.core.security import client_ip
from anxin.core.services import security_event_record
from anxin.core.validators import normalize_uscc, validate_uscc
from anxin.intake.models import Signal
from anxin.monitoring import services
from anxin.monitoring.importing import parse_month, parse_value
from anxin.monitoring.models import Alert, AlertStatus, Indicator, RiskAssessment
from anxin.monitoring.rules import RULES
from anxin.registry.models import Enterprise

MAX_BULK = 5000


class IndicatorSerializer(serializers.ModelSerializer):
    channel = CodeRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Indicator
        fields = ["code", "name", "unit", "kind", "channel", "citation"]


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """监测指标及其来源渠道。"""

    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.select_related("channel").order_by("order")
    lookup_field = "code"
    pagination_class = None


@extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def rule_list(request):
    """预警规则：代码、名称、最高等级、依据、读取的政策参数。"""
    return Response(
        [
            {
                "code": r.code,
                "name": r.name,
                "level": r.level,
                "citation": r.citation,
                "params": list(r.params),
                "description": r.description,
            }
            for r in RULES
        ]
    )


class ObservationItem(serializers.Serializer):
    enterprise_uscc = serializers.CharField(max_length=30)
    indicator = serializers.CharField(max_length=40)
    month = serializers.CharField(max_length=10, help_text="YYYY-MM")
    value = serializers.CharField(max_length=30, help_text="金额为元字符串；是/否类为 1/0；其余为非负整数")


def _flag(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@extend_schema(
    request=ObservationItem(many=True),
    parameters=[
        OpenApiParameter(
            "dry_run",
            OpenApiTypes.BOOL,
            description="1：只校验并报告每项的错误和将新增/更新/无变化的条数，不写入",
        )
    ],
    responses={
        200: {
            "type": "object",
            "properties": {
                "created": {"type": "integer"},
                "updated": {"type": "integer"},
                "unchanged": {"type": "integer"},
                "dry_run": {"type": "boolean"},
                "ok": {"type": "boolean"},
                "rows": {"type": "integer"},
                "errors": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def observations_bulk(request):
    """批量报送监测数据：列表，每项 {enterprise_uscc, indicator, month, value}；全部通过才写入。
    ``?dry_run=1``：试运行，只校验，返回 {dry_run, ok, rows, created, updated, unchanged, errors:
    [{row, 字段: [错误]}]}，不写入任何数据。"""
    if not request.user.has_perm("monitoring.add_observation"):
        return Response({"detail": "角色无此操作权限"}, status=status.HTTP_403_FORBIDDEN)
    dry_run = _flag(request.query_params.get("dry_run", ""))
    if not isinstance(request.data, list):
        raise ValidationError({"non_field_errors": ["请求体须为列表"]})
    if len(request.data) > MAX_BULK:
        raise ValidationError({"non_field_errors": [f"一次最多 {MAX_BULK} 条"]})
    items = ObservationItem(data=request.data, many=True)
    if not items.is_valid():
        if not dry_run:
            raise ValidationError(items.errors)
        return Response(_dry_report(len(request.data), _row_errors(items.errors, len(request.data))))
    indicators = {i.code: i for i in Indicator.objects.select_related("channel__unit")}
    codes = set()
    errors: list[dict] = []
    parsed = []
    for item in items.validated_data:
        problems = {}
        try:
            uscc = validate_uscc(item["enterprise_uscc"])
            codes.add(uscc)
        except DjangoValidationError as exc:
            uscc = ""
            problems["enterprise_uscc"] = exc.messages
        indicator = indicators.get(item["indicator"])
        if indicator is None:
            problems["indicator"] = [f"未知的指标“{item['indicator']}”，见 /api/v1/indicators/"]
        elif not services.may_report(request.user, indicator):
            unit = indicator.channel.unit
            problems["indicator"] = [
                f"“{indicator.name}”由{unit.short_name or unit.name}报送，您所在单位不能报送或修改"
            ]
        try:
            month = parse_month(item["month"])
        except DjangoValidationError as exc:
            month, problems["month"] = None, exc.messages
        value = None
        if indicator is not None:
            try:
                value = parse_value(indicator, item["value"])
            except DjangoValidationError as exc:
                problems["value"] = exc.messages
        errors.append(problems)
        parsed.append((uscc, indicator, month, value))
    visible = {e.uscc: e for e in Enterprise.objects.for_user(request.user).filter(uscc__in=codes)}
    seen: dict[tuple, int] = {}
    rows = []
    for index, (uscc, indicator, month, value) in enumerate(parsed):
        if uscc and uscc not in visible:
            errors[index]["enterprise_uscc"] = ["未找到该企业，或该企业不在您的管辖范围内"]
        if errors[index]:
            continue
        key = (uscc, indicator.code, month)
        if key in seen:
            errors[index]["non_field_errors"] = [f"与第 {seen[key]} 项重复（同一企业、指标、月份）"]
            continue
        seen[key] = index + 1
        rows.append((visible[uscc], indicator, month, value))
    if dry_run:
        report = _dry_report(len(parsed), errors)
        try:
            report.update(services.observations_record(actor=request.user, rows=rows, dry_run=True))
        except DomainError as exc:
            report["ok"] = False
            report["errors"].append({"row": None, exc.field or "non_field_errors": [exc.message]})
        return Response(report)
    if any(errors):
        raise ValidationError(errors)
    # A refusal (DomainError) goes to the global handler: 400 with the field's message, 409 for a
    # conflict.
    counts = services.observations_record(actor=request.user, rows=rows)
    security_event_record(
        kind=SecurityEventKind.IMPORT,
        user=request.user,
        ip=client_ip(request),
        summary=f"接口报送监测数据 {len(rows)} 条：新增 {counts['created']}，更新 {counts['updated']}",
        detail={"rows": len(rows)},
    )
    return Response(counts)


def _row_errors(found, total: int) -> list[dict]:
    """DRF's errors of a list, one dict per row. They come by index (a dict) or as a list, by DRF
    version; a row that is not an object at all has a list of messages, not a dict of fields; an
    error about the whole list (not keyed by a row) is answered as such."""
    if isinstance(found, dict):
        if any(not isinstance(key, int) for key in found):
            raise ValidationError(found)
        found = [found.get(n, {}) for n in range(total)]
    return [dict(e) if isinstance(e, dict) else {"non_field_errors": list(e)} for e in found]


def _dry_report(total: int, errors: list[dict]) -> dict:
    """A dry run's answer: the rows with errors (numbered from 1) and, when none, the counts."""
    listed = [{"row": n, **problems} for n, problems in enumerate(errors, start=1) if problems]
    return {
        "dry_run": True,
        "ok": not listed,
        "rows": total,
        "created": 0,
        "updated": 0,
        "unchanged": 0,
        "errors": listed,
    }


class AlertSerializer(serializers.ModelSerializer):
    enterprise = serializers.SerializerMethodField()
    town = serializers.CharField(source="town.code", default=None, read_only=True)
    unit = serializers.CharField(source="unit.code", default=None, read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "enterprise",
            "rule",
            "level",
            "status",
            "explanation",
            "evidence",
            "town",
            "unit",
            "opened_at",
            "last_fired_at",
            "cleared_at",
            "due_at",
            "outcome",
        ]

    def get_enterprise(self, alert) -> dict:
        return {"uscc": alert.enterprise.uscc, "name": alert.enterprise.name}

    def to_representation(self, alert):
        data = super().to_representation(alert)
        data["evidence"] = _visible_evidence(self.context["request"].user, data.get("evidence") or {})
        return data


def _visible_evidence(user, evidence: dict) -> dict:
    """The evidence with only the signals the user may open (alerts follow the enterprise's town,
    signals their own routing)."""
    inner = dict(evidence.get("evidence") or {})
    ids = inner.get("signals") or []
    if ids:
        visible = set(Signal.objects.for_user(user).filter(pk__in=ids).values_list("pk", flat=True))
        inner["signals"] = [i for i in ids if i in visible]
    return {**evidence, "evidence": inner}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("enterprise", OpenApiTypes.STR, description="企业统一社会信用代码"),
            OpenApiParameter("rule", OpenApiTypes.STR, description="规则代码，见 /api/v1/rules/"),
            OpenApiParameter(
                "status", OpenApiTypes.STR, description="open / acknowledged / handled / dismissed"
            ),
        ]
    )
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """风险预警（按用户范围）。"""

    serializer_class = AlertSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Alert.objects.none()

    def get_queryset(self):
        if not self.request.user.has_perm("monitoring.view_alert"):
            return Alert.objects.none()
        alerts = Alert.objects.for_user(self.request.user).select_related("enterprise", "town", "unit")
        params = self.request.query_params
        if params.get("enterprise"):
            alerts = alerts.filter(enterprise__uscc=normalize_uscc(params["enterprise"].replace("\x00", "")))
        if params.get("rule"):
            alerts = alerts.filter(rule=params["rule"].replace("\x00", ""))
        if params.get("status"):
            if params["status"] not in AlertStatus.values:
                raise ValidationError({"status": ["取值须为 open、acknowledged、handled 或 dismissed"]})
            alerts = alerts.filter(status=params["status"])
        return alerts.order_by("-opened_at", "-pk")


@extend_schema(responses={200: {"type": "object"}})
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def enterprise_risk(request, uscc: str):
    """企业当前风险等级、风险分和每条触发规则（说明、证据、所用参数）。"""
    if not request.user.has_perm("monitoring.view_riskassessment"):
        return Response({"detail": "角色无此操作权限"}, status=status.HTTP_403_FORBIDDEN)
    enterprise = get_scoped_or_404(
        Enterprise.objects.all(), request.user, uscc=uscc.strip().upper().replace("\x00", "")
    )
    assessment = RiskAssessment.objects.filter(enterprise=enterprise).first()
    if assessment is None:
        return Response(
            {
                "uscc": enterprise.uscc,
                "name": enterprise.name,
                "level": "none",
                "points": 0,
                "findings": [],
                "assessed_at": None,
            }
        )
    return Response(
        {
            "uscc": enterprise.uscc,
            "name": enterprise.name,
            "level": assessment.level,
            "points": assessment.points,
            "as_of": assessment.as_of.isoformat(),
            "assessed_at": assessment.assessed_at.isoformat(),
            "findings": [
                {**f, "evidence": _visible_evidence(request.user, {"evidence": f["evidence"]})["evidence"]}
                for f in assessment.findings
            ],
        }
    )
