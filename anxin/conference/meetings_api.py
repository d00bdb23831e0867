"""Meetings over the API (issue #18 item 6): ``GET|POST /api/v1/meetings/`` and
``GET /api/v1/meetings/{id}/``. Scoped like the screens (a unit sees the meetings it is invited to;
outside: 404); only the office schedules (403). A body that is not well formed (unknown kind, topic
or unit code, a bad date) is a 400; a rule the records refuse (the chair holds no post) a 409. The
minutes part adds ``/api/v1/meetings/{id}/minutes…``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from anxin.conference import access
from anxin.conference.models import Meeting, MeetingKind, MeetingStatus, MeetingUnit, Topic
from anxin.conference.services import meetings as services
from anxin.core.access import get_scoped_or_404
from anxin.core.api import clash_is_a_conflict
from anxin.core.api_schema import ContractViewMixin, Pagination, query_value
from anxin.org.models import Unit, User

VIEW = "conference.view_meeting"
KINDS = "会议类型须为 plenary（全体会议）或 topic（专题会议）"


class AttendanceSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.code", help_text="单位代码")
    unit_name = serializers.CharField(source="unit.name")
    attended = serializers.BooleanField(allow_null=True, help_text="是否出席；未登记为 null")
    attendees = serializers.CharField(help_text="出席人员（姓名、职务）")
    absence_reason = serializers.CharField()


class MeetingSerializer(serializers.ModelSerializer):
    chair = serializers.SerializerMethodField(help_text="主持人用户名")
    chair_name = serializers.SerializerMethodField()
    units_invited = AttendanceSerializer(source="units", many=True)
    topic_labels = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Meeting
        fields = [
            "id",
            "number",
            "kind",
            "title",
            "date",
            "start_time",
            "place",
            "chair",
            "chair_name",
            "chair_post",
            "topics",
            "topic_labels",
            "agenda",
            "status",
            "held_note",
            "cancel_reason",
            "units_invited",
        ]

    def get_chair(self, obj: Meeting) -> str | None:
        return obj.chair.username if obj.chair else None

    def get_chair_name(self, obj: Meeting) -> str | None:
        return obj.chair.display_name if obj.chair else None


class ScheduleSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=MeetingKind.values,
        help_text="plenary 全体会议 / topic 专题会议",
        error_messages={"invalid_choice": KINDS, "required": KINDS, "null": KINDS},
    )
    date = serializers.DateField(
        help_text="会议日期 YYYY-MM-DD", error_messages={"invalid": "日期格式须为 YYYY-MM-DD"}
    )
    place = serializers.CharField(max_length=100, help_text="地点")
    topics = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="议题代码：" + "、".join(Topic.values),
    )
    units_invited = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="参会单位代码；全体会议不填则邀请全部成员单位",
    )
    title = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    chair = serializers.CharField(required=False, default="", allow_blank=True, help_text="主持人用户名")
    start_time = serializers.TimeField(
        required=False, allow_null=True, default=None, help_text="开始时间 HH:MM"
    )
    agenda = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)

    def validate_topics(self, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in Topic.values]
        if unknown:
            raise ValidationError(f"未知的议题代码：{'、'.join(unknown)}；可选：{'、'.join(Topic.values)}")
        return value

    def validate_units_invited(self, value: list[str]) -> list[Unit]:
        units = {u.code: u for u in Unit.objects.filter(code__in=value)}
        unknown = [code for code in value if code not in units]
        if unknown:
            raise ValidationError(f"未知的单位代码：{'、'.join(unknown)}")
        return [units[code] for code in dict.fromkeys(value)]

    def validate_chair(self, value: str) -> User | None:
        if not value:
            return None
        user = User.objects.filter(username=value, is_active=True).first()
        if user is None:
            raise ValidationError(f"未找到用户 {value}")
        return user


def _meetings(user: Any) -> QuerySet[Meeting]:
    from django.db.models import Prefetch

    return (
        Meeting.objects.for_user(user)
        .select_related("chair")
        .prefetch_related(Prefetch("units", queryset=MeetingUnit.objects.select_related("unit")))
    )


def _actor(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    if not user.has_perm(VIEW):
        raise PermissionDenied("角色无查看联席会议的权限")
    return user


class MeetingsView(ContractViewMixin, GenericAPIView):
    """联席会议：GET 列表（kind 类型、status 状态、year 年度）；POST 安排会议（联席办）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MeetingSerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="meetings_list",
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=MeetingKind.values, description="会议类型"),
            OpenApiParameter("status", OpenApiTypes.STR, enum=MeetingStatus.values, description="状态"),
            OpenApiParameter(
                "year", {"type": "integer", "minimum": 1000, "maximum": 9999}, description="年度"
            ),
        ],
        responses=MeetingSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        user = _actor(request)
        rows = _meetings(user).order_by("-date", "-pk")
        kind = query_value(request.query_params, "kind")
        if kind:
            if kind not in MeetingKind.values:
                raise ValidationError({"kind": [KINDS]})
            rows = rows.filter(kind=kind)
        wanted = query_value(request.query_params, "status")
        if wanted:
            if wanted not in MeetingStatus.values:
                raise ValidationError({"status": ["状态须为：" + "、".join(MeetingStatus.values)]})
            rows = rows.filter(status=wanted)
        year = query_value(request.query_params, "year")
        if year:
            if not (year.isdigit() and len(year) == 4 and int(year) >= 1000):
                raise ValidationError({"year": ["年度须为四位数字，如 2026"]})
            rows = rows.filter(date__year=int(year))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(MeetingSerializer(page, many=True).data)

    @extend_schema(
        operation_id="meetings_schedule", request=ScheduleSerializer, responses={201: MeetingSerializer}
    )
    def post(self, request: Request) -> Response:
        user = _actor(request)
        if not access.may_manage(user):
            raise PermissionDenied(services.OFFICE_ONLY)
        data = ScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with clash_is_a_conflict():
            meeting = services.meeting_schedule(
                actor=user,
                kind=v["kind"],
                date=v["date"],
                place=v["place"],
                title=v["title"],
                start_time=v["start_time"],
                chair=v["chair"],
                topics=v["topics"],
                agenda=v["agenda"],
                units=v["units_invited"] or None,
            )
        return Response(
            MeetingSerializer(_meetings(user).get(pk=meeting.pk)).data, status=status.HTTP_201_CREATED
        )


class MeetingDetailView(ContractViewMixin, GenericAPIView):
    """一次联席会议：安排、出席情况、状态。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MeetingSerializer
    pagination_class = None

    @extend_schema(operation_id="meetings_detail", responses=MeetingSerializer)
    def get(self, request: Request, id: int) -> Response:
        user = _actor(request)
        return Response(MeetingSerializer(get_scoped_or_404(_meetings(user), user, pk=id)).data)


@extend_schema(exclude=True)
class MeetingsNoSlash(MeetingsView):
    """The issue's spelling without the trailing slash (a POST cannot follow APPEND_SLASH's redirect)."""
