"""Monitoring over the API: indicators and rules by code, bulk observations (idempotent by
enterprise + indicator + month), alerts, and an enterprise's risk explained."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from anxin.core.access import get_scoped_or_404
from anxin.core.api import CodeRelatedField
from anxin.core.api_schema import (
    FLAG,
    PY_WHITESPACE,
    ApiModelSerializer,
    ContractViewMixin,
    EnterpriseBrief,
    StrictCharField,
    StrictIntegerField,
    UsccField,
    flag,
    json_parser_classes,
    query_value,
    words_schema,
)
from anxin.core.errors import DomainError
from anxin.core.models import SecurityEventKind
from anxin.core.money import amount_pattern
from anxin.core.security import client_ip
from anxin.core.services import security_event_record
from anxin.core.validators import normalize_uscc
from anxin.intake.models import Signal
from anxin.monitoring import services
from anxin.monitoring.importing import parse_month, parse_value
from anxin.monitoring.models import Alert, AlertStatus, Indicator, Level, RiskAssessment
from anxin.monitoring.rules import RULES
from anxin.registry.models import Enterprise

MAX_BULK = 5000


class IndicatorSerializer(ApiModelSerializer):
    channel = CodeRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Indicator
        fields = ["code", "name", "unit", "kind", "channel", "citation"]


class IndicatorViewSet(ContractViewMixin, viewsets.ReadOnlyModelViewSet):
    """监测指标及其来源渠道。"""

    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.select_related("channel").order_by("order")
    lookup_field = "code"
    pagination_class = None


class RuleSerializer(serializers.Serializer):
    code = StrictCharField()
    name = StrictCharField()
    level = serializers.ChoiceField(choices=Level.choices, help_text="最高等级")
    citation = StrictCharField()
    params = serializers.ListField(child=StrictCharField(), help_text="读取的政策参数代码")
    description = StrictCharField()


@extend_schema(responses={200: RuleSerializer(many=True)})
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


# A month as the API reads it (parse_month, in ASCII digits): 2000-01 to 2100-12, "-", "/", "." or
# 年 between, 月 optional at the end, blanks around.
MONTH_PATTERN = f"^[{PY_WHITESPACE}]*(?:20[0-9]{{2}}|2100)[-/.年](?:0?[1-9]|1[0-2])月?[{PY_WHITESPACE}]*$"
FLAG_VALUES = ["是", "1", "有", "true", "True", "否", "0", "无", "false", "False"]
# A value of any indicator: an amount (money), a yes/no word (flag) or a count (digits, which the
# amount pattern includes). Which one applies depends on the indicator.
_AMOUNT = amount_pattern(allow_negative=False)[1:-1]
_WORD = f"[{PY_WHITESPACE}]*(?:{'|'.join(FLAG_VALUES)})[{PY_WHITESPACE}]*"
VALUE_PATTERN = f"^(?:{_AMOUNT}|{_WORD})$"


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-10"})
class MonthField(StrictCharField):
    """A month, 2000-01 to 2100-12 (ASCII digits; the Excel import also reads other spellings)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not re.match(MONTH_PATTERN, value):
            raise ValidationError(f"“{value[:30]}”不是有效的月份（示例 2026-10）")
        try:
            return parse_month(value)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None


@extend_schema_field({"type": "string", "pattern": VALUE_PATTERN, "example": "12345.67"})
class ValueField(StrictCharField):
    """A value as text; which form applies (amount, yes/no, count) depends on the indicator."""


class ObservationItem(serializers.Serializer):
    enterprise_uscc = UsccField(help_text="已登记且在您管辖范围内的企业（否则答复 404）")
    indicator = CodeRelatedField(
        slug_field="code",
        queryset=Indicator.objects.select_related("channel__unit"),
        help_text="指标代码，见 /api/v1/indicators/",
        error_messages={"does_not_exist": "未知的指标“{value}”，见 /api/v1/indicators/"},
    )
    month = MonthField(help_text="月份，如 2026-10（2000–2100 年）")
    value = ValueField(
        help_text="按指标类型：金额为元字符串（如 12345.67）；是/否类为 是/否 或 1/0；计数为非负整数"
    )


@extend_schema(
    request=ObservationItem(many=True, max_length=MAX_BULK),
    parameters=[
        OpenApiParameter(
            "dry_run",
            FLAG,
            description="true：只校验并报告每项的错误和将新增/更新/无变化的条数，不写入",
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
            "required": ["created", "updated", "unchanged"],
        }
    },
)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
@parser_classes(json_parser_classes())
def observations_bulk(request):
    """批量报送监测数据：列表，每项 {enterprise_uscc, indicator, month, value}；全部通过才写入，
    否则逐项列出错误（400；含本单位不能报送的指标为 403，含查不到的企业为 404）。
    ``?dry_run=true``：试运行，只校验，不写入；返回 {dry_run, ok, rows, created, updated, unchanged,
    errors: [{row, 字段: [错误]}]}，有错误时状态码与正式报送相同。"""
    if not request.user.has_perm("monitoring.add_observation"):
        return Response({"detail": "角色无此操作权限"}, status=status.HTTP_403_FORBIDDEN)
    dry_run = flag(request.query_params, "dry_run")
    if not isinstance(request.data, list):
        raise ValidationError({"non_field_errors": ["请求体须为列表"]})
    if len(request.data) > MAX_BULK:
        raise ValidationError({"non_field_errors": [f"一次最多 {MAX_BULK} 条"]})
    errors: list[dict] = []
    parsed: list[tuple | None] = []
    forbidden = False
    for raw in request.data:
        # Row by row, so that every row's problems are listed, not only the first kind found.
        item = ObservationItem(data=raw)
        if not item.is_valid():
            found = item.errors
            problems = dict(found) if isinstance(found, dict) else {"non_field_errors": list(found)}
            if isinstance(raw, dict) and not {"indicator", "value"} & set(problems):
                # The value against its indicator too, so one answer lists all the row's problems.
                known = Indicator.objects.filter(code=raw.get("indicator")).first()
                try:
                    parse_value(known, raw["value"]) if known else None
                except DjangoValidationError as exc:
                    problems["value"] = exc.messages
            errors.append(problems)
            parsed.append(None)
            continue
        v = item.validated_data
        problems = {}
        indicator = v["indicator"]
        if not services.may_report(request.user, indicator):
            forbidden = True
            unit = indicator.channel.unit
            problems["indicator"] = [
                f"“{indicator.name}”由{unit.short_name or unit.name}报送，您所在单位不能报送或修改"
            ]
        value = None
        try:
            value = parse_value(indicator, v["value"])
        except DjangoValidationError as exc:
            problems["value"] = exc.messages
        errors.append(problems)
        parsed.append((v["enterprise_uscc"], indicator, v["month"], value))
    codes = {row[0] for row in parsed if row is not None}
    visible = {e.uscc: e for e in Enterprise.objects.for_user(request.user).filter(uscc__in=codes)}
    seen: dict[tuple, int] = {}
    rows = []
    missing = False
    for index, row in enumerate(parsed):
        if row is None:
            continue
        uscc, indicator, month, value = row
        if uscc not in visible:
            missing = True
            errors[index]["enterprise_uscc"] = ["未找到该企业，或该企业不在您的管辖范围内"]
        if errors[index]:
            continue
        key = (uscc, indicator.code, month)
        if key in seen:
            errors[index]["non_field_errors"] = [f"与第 {seen[key]} 项重复（同一企业、指标、月份）"]
            continue
        seen[key] = index + 1
        rows.append((visible[uscc], indicator, month, value))
    # With errors, the status says the gravest (a dry run answers as the real run would, with its
    # report): an indicator the unit may not report (403), then an enterprise that is not on file
    # for the caller (404), else 400.
    refusal = (
        status.HTTP_403_FORBIDDEN
        if forbidden
        else status.HTTP_404_NOT_FOUND
        if missing
        else status.HTTP_400_BAD_REQUEST
    )
    if dry_run:
        report = _dry_report(len(parsed), errors)
        try:
            report.update(services.observations_record(actor=request.user, rows=rows, dry_run=True))
        except DomainError as exc:
            report["ok"] = False
            report["errors"].append({"row": None, exc.field or "non_field_errors": [exc.message]})
        return Response(report, status=status.HTTP_200_OK if report["ok"] else refusal)
    if any(errors):
        return Response(errors, status=refusal)
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


class AlertListSerializer(serializers.ListSerializer):
    """A page of alerts: which of the signals their evidence names the user may open, read once for
    the page (one query, not one per alert; the load benchmark's API alert list, issue #20)."""

    def to_representation(self, data):
        alerts = list(data.all() if isinstance(data, models.Manager | models.QuerySet) else data)
        ids = {i for alert in alerts for i in _evidence_signals(alert.evidence or {})}
        user = self.context["request"].user
        self.context["visible_signals"] = _visible_signals(user, ids)
        return super().to_representation(alerts)


class AlertSerializer(ApiModelSerializer):
    enterprise = serializers.SerializerMethodField()
    town = StrictCharField(
        source="town.code", default=None, read_only=True, allow_null=True, help_text="属地镇/街道代码"
    )
    unit = StrictCharField(
        source="unit.code", default=None, read_only=True, allow_null=True, help_text="牵头处置单位代码"
    )

    class Meta:
        model = Alert
        list_serializer_class = AlertListSerializer
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

    @extend_schema_field(EnterpriseBrief)
    def get_enterprise(self, alert) -> dict:
        return {"uscc": alert.enterprise.uscc, "name": alert.enterprise.name}

    def to_representation(self, alert):
        data = super().to_representation(alert)
        data["evidence"] = _visible_evidence(
            self.context["request"].user, data.get("evidence") or {}, self.context.get("visible_signals")
        )
        return data


def _evidence_signals(evidence: dict) -> list:
    return (evidence.get("evidence") or {}).get("signals") or []


def _visible_signals(user, ids) -> set:
    if not ids:
        return set()
    return set(Signal.objects.for_user(user).filter(pk__in=ids).values_list("pk", flat=True))


def _visible_evidence(user, evidence: dict, visible: set | None = None) -> dict:
    """The evidence with only the signals the user may open (alerts follow the enterprise's town,
    signals their own routing). ``visible``: already read for a whole page (``AlertListSerializer``)."""
    inner = dict(evidence.get("evidence") or {})
    ids = _evidence_signals(evidence)
    if ids:
        visible = _visible_signals(user, ids) if visible is None else visible
        inner["signals"] = [i for i in ids if i in visible]
    return {**evidence, "evidence": inner}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("enterprise", OpenApiTypes.STR, description="企业统一社会信用代码"),
            OpenApiParameter("rule", OpenApiTypes.STR, description="规则代码，见 /api/v1/rules/"),
            OpenApiParameter(
                "status",
                words_schema(AlertStatus.values, any_case=False, strip=False),
                description="open / acknowledged / handled / dismissed",
            ),
        ]
    )
)
class AlertViewSet(
    ContractViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
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
        alert_status = query_value(params, "status")
        if alert_status:
            if alert_status not in AlertStatus.values:
                raise ValidationError({"status": ["取值须为 open、acknowledged、handled 或 dismissed"]})
            alerts = alerts.filter(status=alert_status)
        return alerts.order_by("-opened_at", "-pk")


class RiskSerializer(serializers.Serializer):
    uscc = StrictCharField(help_text="统一社会信用代码")
    name = StrictCharField(help_text="企业名称")
    level = serializers.ChoiceField(choices=Level.choices, help_text="风险等级；未评估为 none")
    points = StrictIntegerField(help_text="风险分")
    as_of = serializers.DateField(required=False, help_text="评估基准日（未评估时无此项）")
    assessed_at = serializers.DateTimeField(allow_null=True, help_text="评估时间；未评估为 null")
    findings = serializers.ListField(
        child=serializers.DictField(), help_text="每条触发的规则：说明、证据、所用参数"
    )


@extend_schema(responses={200: RiskSerializer})
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
