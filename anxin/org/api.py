"""Reference data of the organisation over the API: towns, units, roles (by stable code)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response

from anxin.core.api_schema import ApiModelSerializer, ContractViewMixin, StrictCharField
from anxin.org.models import Duty, Role, Town, Unit


class TownSerializer(ApiModelSerializer):
    kind_name = StrictCharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Town
        fields = ["code", "name", "kind", "kind_name"]


class DutySerializer(ApiModelSerializer):
    class Meta:
        model = Duty
        fields = ["code", "name", "citation"]


class UnitSerializer(ApiModelSerializer):
    town: serializers.SlugRelatedField[Town] = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="镇/街道政府的镇/街道代码；区级单位为 null",
    )
    duties = DutySerializer(many=True, read_only=True)

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "short_name",
            "full_name",
            "public_phone",
            "kind",
            "town",
            "citation",
            "duties",
        ]


class TownViewSet(ContractViewMixin, viewsets.ReadOnlyModelViewSet):
    """镇/街道。"""

    serializer_class = TownSerializer
    queryset = Town.objects.order_by("order")
    lookup_field = "code"
    pagination_class = None


class UnitViewSet(ContractViewMixin, viewsets.ReadOnlyModelViewSet):
    """成员单位、联席办、镇/街道政府，及其职责（§三）。"""

    serializer_class = UnitSerializer
    queryset = Unit.objects.select_related("town").prefetch_related("duties").order_by("order")
    lookup_field = "code"
    pagination_class = None


@extend_schema(
    responses=inline_serializer("Role", {"code": StrictCharField(), "name": StrictCharField()}, many=True)
)
@api_view(["GET"])
def roles(request):
    """角色列表（code 与中文名称）。"""
    return Response([{"code": role.value, "name": str(role.label)} for role in Role])
