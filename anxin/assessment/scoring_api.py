"""Scoring over the API (§五(三)): ``GET /assessment/schemes/?year=&group=`` (every scheme with its
indicators; the rules are public to every user who may read schemes) and ``GET
/assessment/scores/?year=&unit=`` (``unit`` = unit code; scoped as the pages: a town or department its
own, the office, the leaders and the auditors every unit's), each score with its lines: indicator
code, name, kind, ``value``, ``points`` and ``records`` (the records behind it as stored, each with
its ``kind`` and ``id``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from anxin.assessment import measures
from anxin.assessment import scoring_selectors as selectors
from anxin.assessment.models import Indicator, IndicatorKind, Scheme, Score, ScoreItem, UnitGroup
from anxin.core.api_schema import ContractViewMixin, Pagination, query_value
from anxin.core.money import yuan_str
from anxin.org.models import User

VIEW_SCHEME = "assessment.view_scheme"
VIEW_SCORE = "assessment.view_score"


class SchemeIndicatorSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(
        choices=IndicatorKind.choices,
        help_text="computed 自动计算、manual 人工评分、deduction 扣分项、bonus 加分项",
    )
    points = serializers.DecimalField(
        max_digits=6, decimal_places=2, help_text="满分；扣分项、加分项为每次的分值"
    )
    cap = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True, help_text="扣分项、加分项的本项上限"
    )
    settings = serializers.DictField(help_text="计分参数：full_at / zero_at（比例）、target（计数）")

    class Meta:
        model = Indicator
        fields = ["code", "name", "kind", "measure", "points", "cap", "settings", "criteria", "citation"]


class SchemeSerializer(serializers.ModelSerializer):
    group = serializers.ChoiceField(
        choices=UnitGroup.choices, help_text="town 镇（街道）、department 区有关部门"
    )
    deduction_cap = serializers.DecimalField(max_digits=6, decimal_places=2)
    bonus_cap = serializers.DecimalField(max_digits=6, decimal_places=2)
    grade_bands = serializers.SerializerMethodField()
    indicators = SchemeIndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Scheme
        fields = [
            "id",
            "year",
            "group",
            "version",
            "title",
            "status",
            "deduction_cap",
            "bonus_cap",
            "grade_bands",
            "activated_at",
            "indicators",
        ]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"grade": {"type": "string"}, "min": {"type": "number"}},
                "required": ["grade", "min"],
            },
            "description": "等次划分，从高到低；最后一个等次最低分为 0",
        }
    )
    def get_grade_bands(self, obj: Scheme) -> list[dict]:
        return list(obj.grade_bands or [])


class ScoreRecordSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="记录类型（如 signal 线索）")
    id = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]
    url = serializers.CharField(allow_blank=True)
    met = serializers.BooleanField(allow_null=True, help_text="是否按时；无时限为 null")


class ScoreItemSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="indicator.code")
    name = serializers.CharField(source="indicator.name")
    kind = serializers.ChoiceField(source="indicator.kind", choices=IndicatorKind.choices)
    value = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        allow_null=True,
        help_text="指标值：比例 0–1 或次数；人工评分项为所评分数",
    )
    points = serializers.DecimalField(
        max_digits=7, decimal_places=2, help_text="本项得分（扣分项、加分项为扣、加的分数）"
    )
    numerator = serializers.IntegerField(
        allow_null=True, help_text="分子：次数；金额口径（money 为 true）为分，见 numerator_yuan"
    )
    denominator = serializers.IntegerField(
        allow_null=True, help_text="分母：次数；金额口径（money 为 true）为分，见 denominator_yuan"
    )
    money = serializers.SerializerMethodField(help_text="分子、分母是否为金额（分）")
    numerator_yuan = serializers.SerializerMethodField(help_text="金额口径的分子（元，两位小数）；否则 null")
    denominator_yuan = serializers.SerializerMethodField(
        help_text="金额口径的分母（元，两位小数）；否则 null"
    )
    records = serializers.SerializerMethodField()

    class Meta:
        model = ScoreItem
        fields = [
            "code",
            "name",
            "kind",
            "value",
            "numerator",
            "denominator",
            "money",
            "numerator_yuan",
            "denominator_yuan",
            "points",
            "formula",
            "note",
            "records",
        ]

    def get_money(self, obj: ScoreItem) -> bool:
        return measures.is_money(obj.indicator.measure)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_numerator_yuan(self, obj: ScoreItem) -> str | None:
        return yuan_str(obj.numerator) if measures.is_money(obj.indicator.measure) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_denominator_yuan(self, obj: ScoreItem) -> str | None:
        return yuan_str(obj.denominator) if measures.is_money(obj.indicator.measure) else None

    @extend_schema_field(ScoreRecordSerializer(many=True))
    def get_records(self, obj: ScoreItem) -> list[dict]:
        return [
            {
                "kind": str(r.get("kind", "")),
                "id": r.get("id"),
                "label": str(r.get("label", "")),
                "url": str(r.get("url") or ""),
                "met": r.get("met"),
            }
            for r in obj.records or []
        ]


class ScoreSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", help_text="单位代码")
    unit_name = serializers.CharField(source="unit.name")
    scheme = serializers.IntegerField(source="scheme_id")
    base = serializers.DecimalField(max_digits=7, decimal_places=2)
    deductions = serializers.DecimalField(max_digits=7, decimal_places=2, help_text="扣分（已按上限）")
    bonus = serializers.DecimalField(max_digits=7, decimal_places=2, help_text="加分（已按上限）")
    total = serializers.DecimalField(max_digits=7, decimal_places=2)
    items = ScoreItemSerializer(many=True, read_only=True)

    class Meta:
        model = Score
        fields = [
            "id",
            "year",
            "unit",
            "unit_name",
            "scheme",
            "status",
            "base",
            "deductions",
            "bonus",
            "total",
            "grade_by_points",
            "grade",
            "vetoed",
            "rank",
            "data_through",
            "computed_at",
            "items",
        ]


def _user(request: Request, perm: str, what: str) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    if not user.has_perm(perm):
        raise PermissionDenied(f"角色无查看{what}的权限")
    return user


def _year(params: Any) -> int | None:
    raw = query_value(params, "year").strip()
    if not raw:
        if "year" in params:
            raise ValidationError({"year": ["考核年度应为四位数年份"]})
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise ValidationError({"year": ["考核年度应为四位数年份"]})
    return int(raw)


class SchemesView(ContractViewMixin, GenericAPIView):
    """考核方案（含指标）：year 年度、group 考核对象。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SchemeSerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="assessment_schemes_list",
        parameters=[
            OpenApiParameter(
                "year", {"type": "integer", "minimum": 2000, "maximum": 2100}, description="考核年度"
            ),
            OpenApiParameter("group", OpenApiTypes.STR, enum=UnitGroup.values, description="考核对象"),
        ],
        responses=SchemeSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        _user(request, VIEW_SCHEME, "考核方案")
        year = _year(request.query_params)
        group = query_value(request.query_params, "group")
        if group and group not in UnitGroup.values:
            raise ValidationError({"group": ["考核对象应为 town 或 department"]})
        rows = selectors.scheme_list(year=year, group=group).prefetch_related("indicators")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(SchemeSerializer(page, many=True).data)


class ScoresView(ContractViewMixin, GenericAPIView):
    """考核得分（含各项指标的指标值、得分和依据记录）：year 年度、unit 单位代码；本单位只见本单位。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ScoreSerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="assessment_scores_list",
        parameters=[
            OpenApiParameter(
                "year", {"type": "integer", "minimum": 2000, "maximum": 2100}, description="考核年度"
            ),
            OpenApiParameter("unit", OpenApiTypes.STR, description="单位代码"),
        ],
        responses=ScoreSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _user(request, VIEW_SCORE, "考核得分")
        rows = selectors.api_scores(
            user=user, year=_year(request.query_params), unit=query_value(request.query_params, "unit")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ScoreSerializer(page, many=True).data)
