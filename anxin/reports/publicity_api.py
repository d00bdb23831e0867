"""Publicity over the API (issue #18 item 6): ``GET /api/v1/publicity/`` (scoped like the screens:
the office and the leaders every unit's, a unit its own; ``?unit=&kind=&date_from=&date_to=``) and
``POST`` (an activity of the caller's own unit: ``date``, ``kind``, ``title``, ``place``,
``audience``, optional ``materials``, ``description``). A body that is not well formed (an unknown
kind, a date that is not a date) is a 400; a well-formed one the rules refuse (a day after today) is a
409 naming the field; a user who may not record publicity gets 403."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from anxin.core.api import clash_is_a_conflict
from anxin.core.api_schema import (
    ContractViewMixin,
    Pagination,
    StrictCharField,
    StrictIntegerField,
    query_value,
)
from anxin.org.models import User
from anxin.reports.models import PublicityActivity, PublicityKind
from anxin.reports.publicity_selectors import publicity_list
from anxin.reports.services import publicity as services

VIEW = "reports.view_publicityactivity"


class PublicitySerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", help_text="开展单位代码")
    unit_name = serializers.CharField(source="unit.name", help_text="开展单位名称")
    kind_label = serializers.CharField(source="get_kind_display", help_text="活动形式名称")
    photos = serializers.SerializerMethodField(help_text="照片张数")

    class Meta:
        model = PublicityActivity
        fields = [
            "id",
            "unit",
            "unit_name",
            "date",
            "kind",
            "kind_label",
            "title",
            "place",
            "audience",
            "materials",
            "description",
            "photos",
            "withdrawn",
            "withdraw_reason",
        ]

    def get_photos(self, obj: PublicityActivity) -> int:
        return len(obj.photos.all())


class PublicityInSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="活动日期（不晚于今天）")
    kind = serializers.ChoiceField(
        choices=PublicityKind.choices,
        help_text="活动形式：" + "、".join(f"{v} {label}" for v, label in PublicityKind.choices),
    )
    title = StrictCharField(max_length=100, help_text="活动名称")
    place = StrictCharField(max_length=100, help_text="地点")
    audience = StrictIntegerField(min_value=0, max_value=10_000_000, help_text="受众人数")
    materials = StrictIntegerField(
        min_value=0, max_value=10_000_000, required=False, default=0, help_text="发放宣传品（份）"
    )
    description = StrictCharField(
        max_length=5000, required=False, allow_blank=True, default="", help_text="活动内容"
    )


def _date(request: Request, name: str) -> datetime.date | None:
    if name not in request.query_params:
        return None
    raw = query_value(request.query_params, name)
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: ["日期格式须为 YYYY-MM-DD"]}) from None


class PublicityView(ContractViewMixin, GenericAPIView):
    """宣传活动（§四(九)）：GET 列表（unit 单位代码、kind 形式、date_from/date_to 日期）；POST 登记本单位活动。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = PublicitySerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="publicity_list",
        parameters=[
            OpenApiParameter("unit", OpenApiTypes.STR, description="开展单位代码"),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=PublicityKind.values, description="活动形式"),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="活动日期自"),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="活动日期至"),
        ],
        responses=PublicitySerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if not request.user.has_perm(VIEW):
            raise PermissionDenied("角色无查看宣传活动的权限")
        kind = query_value(request.query_params, "kind")
        if "kind" in request.query_params and kind not in PublicityKind.values:
            raise ValidationError({"kind": ["活动形式须为：" + "、".join(PublicityKind.values)]})
        rows = publicity_list(
            user=request.user,
            unit=query_value(request.query_params, "unit"),
            kind=kind,
            date_from=_date(request, "date_from"),
            date_to=_date(request, "date_to"),
        ).prefetch_related("photos")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(PublicitySerializer(page, many=True).data)

    @extend_schema(
        operation_id="publicity_record", request=PublicityInSerializer, responses={201: PublicitySerializer}
    )
    def post(self, request: Request) -> Response:
        user = request.user
        if not isinstance(user, User):
            raise NotAuthenticated
        data = PublicityInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with clash_is_a_conflict():
            activity = services.publicity_record(
                actor=user,
                date=v["date"],
                kind=v["kind"],
                title=v["title"],
                place=v["place"],
                audience=v["audience"],
                materials=v.get("materials", 0),
                description=v.get("description", ""),
            )
        found = (
            PublicityActivity.objects.select_related("unit").prefetch_related("photos").get(pk=activity.pk)
        )
        return Response(PublicitySerializer(found).data, status=status.HTTP_201_CREATED)


@extend_schema(exclude=True)
class PublicityNoSlash(PublicityView):
    pass
