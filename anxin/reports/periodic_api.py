"""Periodic reports over the API (§五(二)): ``GET /periodic-reports/?period=&unit=`` (scoped: a unit
its own, the office and the leaders every unit's), ``POST /periodic-reports/`` (``period`` YYYY-MM →
the user's own unit's draft, prefilled), ``GET /periodic-reports/{id}/``, ``POST
/periodic-reports/{id}/submit`` (``narrative`` {code: text}, optional ``extras`` {code: number, money
as a yuan string}). Outside the scope: 404; another unit's report: 403; a refusal of the rules (a
future period, a period not ended, a locked report) 400/409 with the reason in Chinese."""

from __future__ import annotations

import functools
import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from anxin.core.api_schema import ContractViewMixin, Pagination, query_value
from anxin.core.errors import DomainError
from anxin.core.money import parse_yuan, yuan_str
from anxin.org.models import User
from anxin.reports import periodic_selectors as selectors
from anxin.reports.models import PeriodicReport
from anxin.reports.services import periodic as services

VIEW = "reports.view_periodicreport"


class FigureSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField(help_text="数值；金额为元（两位小数的字符串）")
    unit = serializers.CharField(help_text="计量单位（件、家、人、元…）")
    group = serializers.CharField()
    link = serializers.CharField(help_text="同口径台账的链接")
    basis = serializers.CharField(help_text="口径：单位可见范围和起止日期")


class ReportSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", help_text="报送单位代码")
    unit_name = serializers.CharField(source="unit.name")
    template = serializers.CharField(source="template.code")
    figures = serializers.SerializerMethodField()
    extras = serializers.SerializerMethodField()
    late = serializers.BooleanField(help_text="是否晚于报送截止日报送")

    class Meta:
        model = PeriodicReport
        fields = [
            "id",
            "unit",
            "unit_name",
            "template",
            "period",
            "period_start",
            "period_end",
            "due_on",
            "version",
            "status",
            "prefilled_at",
            "figures",
            "narrative",
            "extras",
            "correction_reason",
            "submitted_at",
            "late",
        ]

    def get_figures(self, obj: PeriodicReport) -> list[dict]:
        return [
            {
                "code": code,
                "label": cell.get("label", ""),
                "value": yuan_str(cell.get("value", 0)) if cell.get("money") else str(cell.get("value", 0)),
                "unit": cell.get("unit", ""),
                "group": cell.get("group", ""),
                "link": cell.get("link", ""),
                "basis": cell.get("basis", ""),
            }
            for code, cell in (obj.figures or {}).items()
        ]

    def get_extras(self, obj: PeriodicReport) -> dict[str, str]:
        units = {e["code"]: e.get("unit") for e in obj.template.extras or []}
        return {
            code: (yuan_str(value) if units.get(code) == services.MONEY_UNIT else str(value)) or ""
            for code, value in (obj.extras or {}).items()
        }


# A period key as the schema states it (a real month of a plausible year); KEY (periods.py) is the
# looser shape the services parse, and they refuse what this lets through with the reason.
PERIOD_PATTERN = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"


class CreateSerializer(serializers.Serializer):
    period = serializers.RegexField(
        PERIOD_PATTERN,
        help_text="报告期（起始月）YYYY-MM",
        error_messages={"invalid": "报告期格式应为 YYYY-MM（如 2026-11）"},
    )


class SubmitSerializer(serializers.Serializer):
    narrative = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=10000),
        help_text="文字部分 {代码: 文字}：risk 风险研判、practice 主要做法、problems 存在问题、plans 下步打算",
    )
    extras = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=30),
        required=False,
        help_text="补充数据 {代码: 数值}；金额以元计（字符串）",
    )


def _actor(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    if not user.has_perm(VIEW):
        raise PermissionDenied("角色无查看定期报告的权限")
    return user


def _refusals(call: Any) -> Any:
    """A service's refusal: another unit's report 403; every other refusal of a well-formed request — a
    locked report, one already there, a period not started or not ended, a part not written — is 409
    (the records and the rules refuse it, as the project's API answers), with the reason in Chinese."""
    try:
        return call()
    except DomainError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied(exc.message) from exc
        raise DomainError(exc.message, code="conflict", field=exc.field) from exc


def _extras_in_fen(report: PeriodicReport, raw: dict | None) -> dict | None:
    """Money extras arrive as yuan strings: parsed here to fen (``parse_yuan``), the rest as given."""
    if raw is None:
        return None
    units = {e["code"]: e.get("unit") for e in report.template.extras or []}
    found: dict[str, Any] = {}
    for code, value in raw.items():
        if units.get(code) == services.MONEY_UNIT and str(value).strip():
            try:
                found[code] = parse_yuan(str(value))
            except DjangoValidationError as exc:
                raise ValidationError({f"extras.{code}": [f"{exc.messages[0]}（以元为单位）"]}) from exc
        else:
            found[code] = value
    return found


class ReportsView(ContractViewMixin, GenericAPIView):
    """定期报告：GET 列表（period 报告期、unit 单位代码；本单位只见本单位）；POST 生成本单位草稿（自动汇总）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReportSerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="periodic_reports_list",
        parameters=[
            OpenApiParameter(
                "period", OpenApiTypes.STR, description="报告期 YYYY-MM", pattern=PERIOD_PATTERN
            ),
            OpenApiParameter("unit", OpenApiTypes.STR, description="单位代码"),
        ],
        responses=ReportSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _actor(request)
        period = query_value(request.query_params, "period")
        # Given, it must be a period (an empty ``period=`` is refused as the schema says, not read as "all").
        if "period" in request.query_params and not re.match(PERIOD_PATTERN, period or ""):
            raise ValidationError({"period": ["报告期格式应为 YYYY-MM（如 2026-11）"]})
        rows = selectors.report_list(user=user, period=period, unit=query_value(request.query_params, "unit"))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ReportSerializer(page, many=True).data)

    @extend_schema(
        operation_id="periodic_reports_create", request=CreateSerializer, responses={201: ReportSerializer}
    )
    def post(self, request: Request) -> Response:
        user = _actor(request)
        data = CreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = user.unit
        if unit is None:
            raise PermissionDenied("只能填报本单位的定期报告")
        report = _refusals(
            functools.partial(
                services.report_prefill, actor=user, unit=unit, period=data.validated_data["period"]
            )
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ReportView(ContractViewMixin, GenericAPIView):
    """一份定期报告（某单位某期的一个版本）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReportSerializer
    pagination_class = None

    @extend_schema(operation_id="periodic_reports_get", responses=ReportSerializer)
    def get(self, request: Request, id: int) -> Response:
        user = _actor(request)
        return Response(ReportSerializer(selectors.report_get(user=user, pk=id)).data)


class SubmitView(ContractViewMixin, GenericAPIView):
    """报送：narrative 各部分必填；报告期结束后方可报送；报送后锁定。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SubmitSerializer
    pagination_class = None

    @extend_schema(
        operation_id="periodic_reports_submit", request=SubmitSerializer, responses=ReportSerializer
    )
    def post(self, request: Request, id: int) -> Response:
        user = _actor(request)
        report = selectors.report_get(user=user, pk=id)
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        extras = _extras_in_fen(report, v.get("extras"))
        _refusals(
            lambda: services.report_submit(actor=user, report=report, narrative=v["narrative"], extras=extras)
        )
        report.refresh_from_db()
        return Response(ReportSerializer(report).data)


@extend_schema(exclude=True)
class ReportsNoSlash(ReportsView):
    pass


@extend_schema(exclude=True)
class SubmitNoSlash(SubmitView):
    pass
