"""The integrity grades over the API (issue #17 item 6): ``GET /api/v1/credit/grades/?year=`` — one
year's grades of the enterprises the caller may see (scoped like the enterprise), each with its credit
code, name, grade in force, computed grade, whether the year is confirmed and the evidence's summary.
Paged; filters ``grade`` and ``enterprise`` (credit code)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.exceptions import ValidationError

from anxin.core.api import ModelPermissions
from anxin.core.api_schema import FLAG, ContractViewMixin, flag, query_value, words_schema
from anxin.core.validators import normalize_uscc
from anxin.credit import grade_rules
from anxin.credit import grades_selectors as selectors
from anxin.credit.models import EnterpriseGrade, Grade, GradeYearStatus

YEAR_SCHEMA = {"type": "string", "pattern": r"^\s*(?:|\d{4})\s*$"}


class GradeSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="year.year", help_text="评价年度")
    enterprise = serializers.CharField(source="enterprise.uscc", help_text="统一社会信用代码")
    enterprise_name = serializers.CharField(source="enterprise.name", help_text="企业名称")
    grade = serializers.CharField(help_text="现行等级：A、B、C")
    computed = serializers.CharField(help_text="按规则测算的等级")
    adjusted = serializers.BooleanField(help_text="现行等级经人工调整或异议成立变更")
    confirmed = serializers.SerializerMethodField(help_text="该年度等级已经人社局确认")
    evidence_summary = serializers.SerializerMethodField(help_text="评价依据摘要（每条规则一句）")
    rules = serializers.SerializerMethodField(help_text="命中的规则代码")

    class Meta:
        model = EnterpriseGrade
        fields = [
            "id",
            "year",
            "enterprise",
            "enterprise_name",
            "grade",
            "computed",
            "adjusted",
            "confirmed",
            "evidence_summary",
            "rules",
            "computed_at",
        ]
        read_only_fields = fields

    def get_confirmed(self, obj: EnterpriseGrade) -> bool:
        return obj.year.status == GradeYearStatus.CONFIRMED

    def get_evidence_summary(self, obj: EnterpriseGrade) -> str:
        return grade_rules.summary(obj.evidence)

    def get_rules(self, obj: EnterpriseGrade) -> list[str]:
        return [line.get("rule", "") for line in obj.evidence]


@extend_schema(
    parameters=[
        OpenApiParameter("year", YEAR_SCHEMA, description="评价年度（四位数字）；缺省为最近测算的年度"),
        OpenApiParameter("grade", words_schema(Grade.values, any_case=False), description="等级：A、B、C"),
        OpenApiParameter("enterprise", OpenApiTypes.STR, description="统一社会信用代码"),
        OpenApiParameter("adjusted", FLAG, description="true：仅人工调整或异议变更的"),
    ]
)
class GradeListView(ContractViewMixin, generics.ListAPIView):  # type: ignore[misc]
    """守法诚信等级（§三(七)，人社部规〔2016〕1号）：某年度可见企业的等级及依据摘要。"""

    serializer_class = GradeSerializer
    permission_classes = [permissions.IsAuthenticated, ModelPermissions]
    queryset = EnterpriseGrade.objects.none()

    def get_queryset(self) -> QuerySet[EnterpriseGrade]:
        params = self.request.query_params
        raw_year = query_value(params, "year").strip()
        year = None
        if raw_year:
            if not (raw_year.isdigit() and len(raw_year) == 4):
                raise ValidationError({"year": ["评价年度须为四位数字，如 2026"]})
            year = int(raw_year)
        grade = query_value(params, "grade").strip()
        if grade and grade not in Grade.values:
            raise ValidationError({"grade": ["等级须为 A、B、C 之一"]})
        rows = selectors.grade_list(
            user=self.request.user, year=year, grade=grade, adjusted=flag(params, "adjusted")
        )
        enterprise = query_value(params, "enterprise").replace("\x00", "").strip()
        if enterprise:
            rows = rows.filter(enterprise__uscc=normalize_uscc(enterprise))
        return rows
