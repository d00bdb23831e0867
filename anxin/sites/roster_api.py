"""A project's real-name roster over the API (issue #16 item 8): ``GET|POST
/api/v1/projects/{id}/workers/`` (the roster, paged, ``?q=`` a name or a whole ID number, ``?on_site=``
true for the workers on site, false for those who left; one worker put on it) and ``POST
/api/v1/projects/{id}/workers/{worker_id}/leave`` (the worker left on ``leave_date``).

A request the serializer reads is checked there (400 by field); what the roster on file refuses — the
same worker already on site, a stretch overlapping an earlier one, a worker who already left — is a
409, as money's writes answer a clash with the records. A project outside the caller's scope is a 404;
a role or unit that reads but does not keep the roster (a town) is a 403."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anxin.core.access import get_scoped_or_404
from anxin.core.api_schema import (
    FALSE_WORDS,
    FLAG,
    TRUE_WORDS,
    ContractViewMixin,
    PhoneField,
    StrictCharField,
    UsccField,
    query_value,
)
from anxin.core.models import SecurityEventKind
from anxin.core.security import client_ip
from anxin.core.services import security_event_record
from anxin.money.claims_api import IdNumberField
from anxin.org.models import User
from anxin.registry.models import Project
from anxin.sites import services
from anxin.sites.access import may_manage
from anxin.sites.models import RosterEntry
from anxin.sites.roster_selectors import roster_entries

IDENTITY_PERM = "registry.view_worker_identity"


class WorkerSerializer(serializers.Serializer):
    """A worker on a project's roster (one stretch of work, 进场 → 退场)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    id_number = serializers.SerializerMethodField(help_text="身份证号（无查看权限时为脱敏形式）")
    phone = serializers.SerializerMethodField(help_text="手机号（无查看权限时为脱敏形式）")
    employer = serializers.CharField(
        source="employer.uscc", read_only=True, help_text="用工单位统一社会信用代码"
    )
    team = serializers.CharField(read_only=True)
    trade = serializers.CharField(read_only=True)
    start_date = serializers.DateField(read_only=True)
    leave_date = serializers.DateField(read_only=True, allow_null=True)
    on_site = serializers.SerializerMethodField(help_text="是否在场（未退场）")

    def _reveal(self) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.has_perm(IDENTITY_PERM))

    def get_id_number(self, obj: RosterEntry) -> str:
        return obj.id_number if self._reveal() else obj.id_number_masked

    def get_phone(self, obj: RosterEntry) -> str:
        return obj.phone if self._reveal() else obj.phone_masked

    def get_on_site(self, obj: RosterEntry) -> bool:
        return obj.leave_date is None


class WorkerRequestSerializer(serializers.Serializer):
    name = StrictCharField(max_length=50, help_text="姓名")
    id_number = IdNumberField()
    phone = PhoneField(help_text="手机号（必填：劳动者查询计酬手册时接收验证码）")
    employer = UsccField(help_text="用工单位统一社会信用代码：本项目施工总承包单位或分包单位")
    team = StrictCharField(max_length=50, required=False, allow_blank=True, default="", help_text="班组")
    trade = StrictCharField(max_length=50, required=False, allow_blank=True, default="", help_text="工种")
    start_date = serializers.DateField(help_text="进场日期（YYYY-MM-DD），不晚于今天（北京时间）")
    leave_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="退场日期；仍在场的不填或为 null"
    )

    def validate_phone(self, value: str) -> str:
        if not value:
            raise ValidationError("请填写手机号")
        return value


class LeaveSerializer(serializers.Serializer):
    leave_date = serializers.DateField(
        help_text="退场日期（YYYY-MM-DD）：不早于进场日期，不晚于今天（北京时间）"
    )


def _actor(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # every view here is behind IsAuthenticated
    return user


def _project(request: Request, pk: int) -> Project:
    if not request.user.has_perm("sites.view_rosterentry"):
        raise Http404  # a role that reads no roster learns nothing about the project either
    return get_scoped_or_404(
        Project.objects.select_related("supervisor", "general_contractor"), request.user, pk=pk
    )


def _manage(request: Request, project: Project) -> None:
    if not may_manage(_actor(request), project):
        raise PermissionDenied("只有联席办或该项目的行业主管部门可以维护实名制花名册")


def _on_site(request: Request) -> str:
    value = query_value(request.query_params, "on_site").strip().lower()
    if value in TRUE_WORDS:
        return "1"
    if value in FALSE_WORDS:
        return "0"
    if value:
        raise ValidationError({"on_site": ["取值须为 true 或 false"]})
    return ""


class ProjectWorkersView(ContractViewMixin, APIView):
    """工程项目的实名制花名册（条例 第二十八条）：GET 分页列表；POST 一名劳动者进场登记（联席办或项目的行业主管部门）。"""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="project_workers_list",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="姓名的一部分，或完整的18位身份证号"),
            OpenApiParameter("on_site", FLAG, description="true：在场的；false：已退场的；不填：全部"),
        ],
        responses=WorkerSerializer(many=True),
    )
    def get(self, request: Request, id: int) -> Response:
        project = _project(request, id)
        q = query_value(request.query_params, "q").replace("\x00", "")[:50]
        rows = roster_entries(user=request.user, project=project, q=q, on_site=_on_site(request))
        paginator = self.pagination_class()  # type: ignore[misc]
        page = paginator.paginate_queryset(rows, request, view=self)
        if page and request.user.has_perm(IDENTITY_PERM):
            security_event_record(
                kind=SecurityEventKind.SENSITIVE_VIEW,
                user=request.user,
                ip=client_ip(request),
                summary=f"接口查看 {project.name} 花名册完整身份证号和手机号（{len(page)} 人）",
                detail={"project": project.pk, "workers": len(page)},
            )
        data = WorkerSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="project_workers_create",
        request=WorkerRequestSerializer,
        responses={201: WorkerSerializer},
    )
    def post(self, request: Request, id: int) -> Response:
        project = _project(request, id)
        _manage(request, project)
        data = WorkerRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # the services' refusals: 400 for the request's content (an employer not of this project, a
        # date in the future), 409 against the roster on file (already on site, overlapping stretch)
        entry = services.roster_add(actor=_actor(request), project=project, **data.validated_data)
        entry = RosterEntry.objects.select_related("employer").get(pk=entry.pk)
        return Response(
            WorkerSerializer(entry, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class WorkerLeaveView(ContractViewMixin, APIView):
    """一名劳动者退场：记录退场日期（联席办或项目的行业主管部门）；已退场的为 409。"""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="project_worker_leave", request=LeaveSerializer, responses=WorkerSerializer)
    def post(self, request: Request, id: int, worker_id: int) -> Response:
        project = _project(request, id)
        entry = (
            RosterEntry.objects.filter(project=project, pk=worker_id)
            .select_related("employer", "project", "project__supervisor")
            .first()
        )
        if entry is None:
            raise Http404
        _manage(request, project)
        data = LeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.roster_leave(
            actor=_actor(request), entry=entry, leave_date=data.validated_data["leave_date"]
        )
        return Response(WorkerSerializer(entry, context={"request": request}).data)


# The spellings without the trailing slash (a POST cannot follow APPEND_SLASH's redirect): the same
# operations as the documented paths, left out of the schema.


@extend_schema(exclude=True)
class ProjectWorkersNoSlash(ProjectWorkersView):
    pass


@extend_schema(exclude=True)
class WorkerLeaveNoSlash(WorkerLeaveView):
    pass
