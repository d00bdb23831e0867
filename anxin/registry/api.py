"""Registry over the API: enterprises (addressed by uscc) and projects, scoped like the screens."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError

from anxin.core.api import CodeRelatedField, ModelPermissions
from anxin.core.money import YuanField
from anxin.core.validators import normalize_uscc, validate_phone, validate_uscc
from anxin.org.models import Town
from anxin.registry import selectors, services
from anxin.registry.models import (
    Enterprise,
    EnterpriseKind,
    EnterpriseStatus,
    Industry,
    Ownership,
    Project,
    ProjectStatus,
    ProjectSupervisor,
)


class EnterpriseKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnterpriseKind
        fields = ["code", "name", "citation"]


class EnterpriseKindViewSet(viewsets.ReadOnlyModelViewSet):
    """企业类型（§四(一)）。"""

    serializer_class = EnterpriseKindSerializer
    queryset = EnterpriseKind.objects.order_by("order")
    lookup_field = "code"
    pagination_class = None


class ProjectSupervisorSerializer(serializers.ModelSerializer):
    unit = CodeRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ProjectSupervisor
        fields = ["code", "name", "unit"]


class ProjectSupervisorViewSet(viewsets.ReadOnlyModelViewSet):
    """工程项目行业主管部门（城建、水利、交通）。"""

    serializer_class = ProjectSupervisorSerializer
    queryset = ProjectSupervisor.objects.select_related("unit").order_by("order")
    lookup_field = "code"
    pagination_class = None


class EnterpriseSerializer(serializers.ModelSerializer):
    uscc = serializers.CharField(max_length=30, help_text="统一社会信用代码（18位）")
    town = CodeRelatedField(slug_field="code", queryset=Town.objects.all(), help_text="镇/街道代码")
    town_name = serializers.CharField(source="town.name", read_only=True)
    kinds = CodeRelatedField(
        slug_field="code",
        many=True,
        queryset=EnterpriseKind.objects.all(),
        required=False,
        help_text="企业类型代码",
    )
    industry = serializers.ChoiceField(choices=Industry.choices)
    ownership = serializers.ChoiceField(choices=Ownership.choices, required=False)
    status = serializers.ChoiceField(choices=EnterpriseStatus.choices, required=False)
    employees = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False)

    class Meta:
        model = Enterprise
        fields = [
            "uscc",
            "name",
            "legal_rep",
            "town",
            "town_name",
            "address",
            "industry",
            "ownership",
            "kinds",
            "employees",
            "status",
            "contact_person",
            "contact_phone",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_uscc(self, value):
        try:
            return validate_uscc(value)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None

    def validate_contact_phone(self, value):
        if not value:
            return ""
        try:
            return validate_phone(value)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None

    def create(self, validated_data):
        kinds = validated_data.pop("kinds", [])
        return services.enterprise_create(actor=self.context["request"].user, kinds=kinds, **validated_data)

    def update(self, instance, validated_data):
        kinds = validated_data.pop("kinds", None)
        return services.enterprise_update(
            actor=self.context["request"].user, enterprise=instance, kinds=kinds, **validated_data
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("uscc", OpenApiTypes.STR, description="统一社会信用代码"),
            OpenApiParameter("town", OpenApiTypes.STR, description="镇/街道代码"),
            OpenApiParameter("kind", OpenApiTypes.STR, description="企业类型代码"),
            OpenApiParameter("status", OpenApiTypes.STR, description="经营状态"),
            OpenApiParameter("q", OpenApiTypes.STR, description="名称、代码或法定代表人"),
        ]
    )
)
class EnterpriseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """企业台账（按统一社会信用代码寻址，按用户辖区/条线限定范围）。"""

    serializer_class = EnterpriseSerializer
    permission_classes = [permissions.IsAuthenticated, ModelPermissions]
    lookup_field = "uscc"
    lookup_value_regex = "[0-9A-Za-z]{18}"
    queryset = Enterprise.objects.none()

    def get_queryset(self):
        params = self.request.query_params
        qs = selectors.enterprise_list(
            user=self.request.user,
            q=params.get("q", ""),
            town=params.get("town", ""),
            kind=params.get("kind", ""),
            status=params.get("status", ""),
        )
        if params.get("uscc"):
            # As the validator reads a code: full-width characters, blanks anywhere, lower case.
            qs = qs.filter(uscc=normalize_uscc(params["uscc"]))
        return qs

    def get_object(self):
        return selectors.enterprise_get(user=self.request.user, uscc=self.kwargs["uscc"])

    @transaction.atomic
    def perform_create(self, serializer):
        serializer.save()


class EnterpriseRef(serializers.SlugRelatedField):
    """An enterprise by its uscc (any registered one may be a contractor)."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="uscc", queryset=Enterprise.objects.all(), **kwargs)

    def to_internal_value(self, data):
        try:
            data = validate_uscc(data)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None
        try:
            return Enterprise.objects.get(uscc=data)
        except Enterprise.DoesNotExist:
            raise ValidationError(f"统一社会信用代码“{data}”尚未登记") from None


class ProjectSerializer(serializers.ModelSerializer):
    town = CodeRelatedField(slug_field="code", queryset=Town.objects.all())
    supervisor = CodeRelatedField(slug_field="code", queryset=ProjectSupervisor.objects.all())
    general_contractor = EnterpriseRef()
    builder = EnterpriseRef(required=False, allow_null=True)
    subcontractors = EnterpriseRef(many=True, required=False)
    contract_amount = YuanField(required=False)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "permit_no",
            "town",
            "address",
            "builder_name",
            "builder",
            "general_contractor",
            "subcontractors",
            "contract_amount",
            "start_date",
            "planned_end_date",
            "actual_end_date",
            "supervisor",
            "status",
            "note",
        ]

    def create(self, validated_data):
        subs = validated_data.pop("subcontractors", [])
        return services.project_create(
            actor=self.context["request"].user, subcontractors=subs, **validated_data
        )

    def update(self, instance, validated_data):
        subs = validated_data.pop("subcontractors", None)
        return services.project_update(
            actor=self.context["request"].user, project=instance, subcontractors=subs, **validated_data
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("town", OpenApiTypes.STR, description="镇/街道代码"),
            OpenApiParameter("status", OpenApiTypes.STR, description="项目状态"),
            OpenApiParameter("supervisor", OpenApiTypes.STR, description="主管部门代码"),
            OpenApiParameter("q", OpenApiTypes.STR, description="名称、总包单位等"),
        ]
    )
)
class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """工程项目（按用户辖区/条线限定范围）。"""

    serializer_class = ProjectSerializer
    permission_classes = [permissions.IsAuthenticated, ModelPermissions]
    queryset = Project.objects.none()

    def get_queryset(self):
        params = self.request.query_params
        return (
            selectors.project_list(
                user=self.request.user,
                q=params.get("q", ""),
                town=params.get("town", ""),
                status=params.get("status", ""),
                supervisor=params.get("supervisor", ""),
            )
            .select_related("builder")
            .prefetch_related("subcontractors")
        )

    def create(self, request, *args, **kwargs):
        if not selectors.may_hold_projects(request.user):
            raise PermissionDenied("本单位没有工程项目监管条线，不能登记工程项目。")
        return super().create(request, *args, **kwargs)

    def get_object(self):
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            from django.http import Http404

            raise Http404 from None
        return selectors.project_get(user=self.request.user, pk=pk)
