"""Registry over the API: enterprises (addressed by uscc) and projects, scoped like the screens."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from anxin.core import credit_mark
from anxin.core.access import is_system, scope_of
from anxin.core.api import CodeRelatedField, ModelPermissions
from anxin.core.api_schema import (
    USCC,
    ApiModelSerializer,
    ContractViewMixin,
    PhoneField,
    StrictCharField,
    StrictIntegerField,
    UsccField,
    conflict,
    not_found,
)
from anxin.core.money import YuanField
from anxin.core.validators import normalize_uscc, validate_uscc
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


class EnterpriseKindSerializer(ApiModelSerializer):
    class Meta:
        model = EnterpriseKind
        fields = ["code", "name", "citation"]


class EnterpriseKindViewSet(ContractViewMixin, viewsets.ReadOnlyModelViewSet):
    """企业类型（§四(一)）。"""

    serializer_class = EnterpriseKindSerializer
    queryset = EnterpriseKind.objects.order_by("order")
    lookup_field = "code"
    pagination_class = None


class ProjectSupervisorSerializer(ApiModelSerializer):
    unit = CodeRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="归口单位代码；尚未指定时为 null"
    )

    class Meta:
        model = ProjectSupervisor
        fields = ["code", "name", "unit"]


class ProjectSupervisorViewSet(ContractViewMixin, viewsets.ReadOnlyModelViewSet):
    """工程项目行业主管部门（城建、水利、交通）。"""

    serializer_class = ProjectSupervisorSerializer
    queryset = ProjectSupervisor.objects.select_related("unit").order_by("order")
    lookup_field = "code"
    pagination_class = None


class EnterpriseSerializer(ApiModelSerializer):
    uscc = UsccField(help_text="统一社会信用代码（18位）")
    town = CodeRelatedField(slug_field="code", queryset=Town.objects.all(), help_text="镇/街道代码")
    town_name = StrictCharField(source="town.name", read_only=True)
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
    employees = StrictIntegerField(min_value=0, max_value=10_000_000, required=False)
    contact_phone = PhoneField(required=False)
    blacklisted = serializers.SerializerMethodField(
        help_text="今日是否在失信联合惩戒名单中（列入期限内为 true）"
    )

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
            "blacklisted",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_blacklisted(self, enterprise: Enterprise) -> bool:
        """From the page's standings (one read for a list page, ``EnterpriseViewSet.list``), else
        read for this one enterprise (retrieve, create, update)."""
        found = self.context.get("standings")
        if found is None:
            found = credit_mark.standings([enterprise.pk])
        return credit_mark.is_blacklisted(found, enterprise.pk)

    def create(self, validated_data):
        kinds = validated_data.pop("kinds", [])
        with _registered_is_a_conflict():
            return services.enterprise_create(
                actor=self.context["request"].user, kinds=kinds, **validated_data
            )

    def update(self, instance, validated_data):
        kinds = validated_data.pop("kinds", None)
        with _registered_is_a_conflict():
            return services.enterprise_update(
                actor=self.context["request"].user, enterprise=instance, kinds=kinds, **validated_data
            )


@contextmanager
def _registered_is_a_conflict():
    """A credit code already on file is a 409 (the request clashes with the registry), not a 400."""
    try:
        yield
    except DjangoValidationError as exc:
        taken = getattr(exc, "error_dict", {}).get("uscc", [])
        if any(error.code == "unique" for error in taken):
            raise conflict("uscc", "该统一社会信用代码已登记") from None
        raise


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
    ContractViewMixin,
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

    def list(self, request, *args, **kwargs):
        """The page, with the 失信 mark of its enterprises read once (``core.credit_mark``)."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), "standings": credit_mark.standings_for(rows, "pk")}
        data = self.get_serializer_class()(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @transaction.atomic
    def perform_create(self, serializer):
        serializer.save()


class EnterpriseRef(serializers.SlugRelatedField):
    """An enterprise by its uscc (any registered one may be a contractor). A well-formed code not
    on file is a 404 naming the field: the request names something that does not exist."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="uscc", queryset=Enterprise.objects.all(), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            data = validate_uscc(data)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None
        name = self.field_name or getattr(self.parent, "field_name", "")  # a subcontractor: the list's name
        found = Enterprise.objects.filter(uscc=data).first()
        if found is not None and self._may_name(found):
            return found
        if self._sees_every_enterprise():
            raise not_found(name, f"统一社会信用代码“{data}”尚未登记")
        # A user who does not see the whole register gets one answer for "registered where you
        # cannot see it" and "registered nowhere" (issue #13 finding 6): the API never tells a
        # town whether a code is on file in another town. Another town's contractor is named on
        # the project page (a typed name, linked behind the scenes) or by the office.
        raise not_found(name, f"统一社会信用代码“{data}”未登记，或不在您可查看的企业台账中")

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def _sees_every_enterprise(self) -> bool:
        user = self._user()
        if user is None or is_system(user):
            return True
        return Enterprise.objects.all().sees_all(scope_of(user))

    def _may_name(self, enterprise: Enterprise) -> bool:
        """Visible to the user, or already on the project being edited."""
        if self._sees_every_enterprise():
            return True
        user = self._user()
        if Enterprise.objects.for_user(user).filter(pk=enterprise.pk).exists():
            return True
        root = self.root
        project = getattr(root, "instance", None)
        if isinstance(project, Project):
            on_file = {project.general_contractor_id, project.builder_id}
            on_file |= set(project.subcontractors.values_list("pk", flat=True))
            return enterprise.pk in on_file
        return False


class EnterpriseRefExtension(OpenApiSerializerFieldExtension):
    target_class = EnterpriseRef

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {"type": "string", "description": "统一社会信用代码"}
        return {
            **USCC,
            "description": USCC["description"]
            + "须为已登记且您可查看（或已是本项目参建单位）的企业；否则答复 404，“未登记”与“不在您的查看范围”答复相同。",
        }


class ProjectSerializer(ApiModelSerializer):
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

    def validate(self, attrs):
        """The general contractor is not also a subcontractor: a 400 when this request names both,
        a 409 when it clashes with what the project has on file."""
        message = "总承包单位不能同时作为本项目的分包单位"
        on_file = self.instance
        contractor = attrs.get("general_contractor", on_file.general_contractor if on_file else None)
        if "subcontractors" in attrs:
            if contractor in attrs["subcontractors"]:
                if "general_contractor" in attrs or on_file is None:
                    raise ValidationError({"subcontractors": [message]})
                raise conflict("subcontractors", message)
        elif (
            on_file is not None
            and "general_contractor" in attrs
            and on_file.subcontractors.filter(pk=contractor.pk).exists()
        ):
            raise conflict("general_contractor", message)
        return attrs

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
    ContractViewMixin,
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
