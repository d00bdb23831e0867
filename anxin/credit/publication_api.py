"""The public API of the publication of major violations: ``GET /api/v1/public/violations/?q=`` — no
login, throttled per address, published entries within their dates only (the public page's rule), no
personal data beyond what 令29 第六条 publishes (the legal representative's name; never an ID number)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle

from anxin.core.api_schema import ContractViewMixin, query_value
from anxin.credit import publication_selectors as selectors
from anxin.credit.models import PublicationEntry, ViolationClass
from anxin.credit.services.publication import mask_id_numbers


class PublicThrottle(AnonRateThrottle):
    """Every caller of a public endpoint counts as anonymous, by address."""

    scope = "public"

    def get_rate(self) -> str:
        return getattr(settings, "PUBLIC_API_RATE", "60/minute")


class PublicViolationSerializer(serializers.ModelSerializer):
    batch = serializers.CharField(source="batch.number", help_text="公布批次编号")
    violation_class = serializers.ChoiceField(
        choices=ViolationClass.choices, help_text="违法行为类别（令29 第五条）"
    )
    violation_class_label = serializers.CharField(source="get_violation_class_display")
    facts = serializers.CharField(help_text="主要违法事实")
    handling = serializers.CharField(help_text="查处情况")

    class Meta:
        model = PublicationEntry
        fields = [
            "batch",
            "name",
            "uscc",
            "address",
            "legal_rep",
            "violation_class",
            "violation_class_label",
            "facts",
            "handling",
            "published_on",
            "visible_until",
        ]
        read_only_fields = fields

    def to_representation(self, instance: PublicationEntry) -> dict:
        """Any ID-number-like run in the words is starred (what was typed by mistake never goes out)."""
        data = super().to_representation(instance)
        for name in ("name", "address", "legal_rep", "facts", "handling"):
            data[name] = mask_id_numbers(data[name])
        return data


class PublicViolationsView(ContractViewMixin, ListAPIView):  # type: ignore[misc]  # the mixin's pagination
    """重大劳动保障违法行为公布（无需登录）：已公布且在公布期限内的信息，可按单位名称或统一社会信用代码查询。"""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]
    serializer_class = PublicViolationSerializer

    def get_queryset(self):
        params = self.request.query_params
        q = query_value(params, "q") if "q" in params else ""
        return selectors.public_entries(q=q[:100])

    @extend_schema(
        operation_id="public_violations_list",
        parameters=[
            OpenApiParameter("q", str, description="单位名称（部分）或统一社会信用代码", required=False)
        ],
        responses={
            200: PublicViolationSerializer(many=True),
            429: OpenApiResponse(description="请求过于频繁，请稍后再试"),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
