"""Decisions over the API (issue #18 item 6): ``GET /api/v1/decisions/?owner=&status=&overdue=``,
``GET /api/v1/decisions/{id}/``, ``POST /api/v1/decisions/{id}/progress`` (``text``), ``/complete``
(``result``), ``/accept`` (optional ``opinion``), ``/send-back`` (``reason``). Scoped like the screens
(office and leaders: all; a unit: its own and co-handled; outside: 404); who may act: 403; a move the
state does not allow: 409; bad input: 400 in Chinese. Evidence files are given on the screens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from anxin.conference import decisions_selectors as selectors
from anxin.conference.models import Decision, DecisionStatus
from anxin.conference.services import decisions as services
from anxin.core.api import clash_is_a_conflict
from anxin.core.api_schema import (
    FLAG,
    ContractViewMixin,
    Pagination,
    StrictCharField,
    flag,
    not_found,
    query_value,
    words_schema,
)
from anxin.org.models import Unit, User

ISSUED = [s for s in DecisionStatus.values if s != DecisionStatus.DRAFT]


class DecisionReportSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="progress 进展、completion 完成")
    text = serializers.CharField()
    unit = serializers.CharField(source="unit.code")
    reported_at = serializers.DateTimeField()
    evidence = serializers.SerializerMethodField(help_text="佐证材料件数")
    accepted = serializers.BooleanField(allow_null=True, help_text="完成报告：是否通过验收；未答复为 null")
    answer = serializers.CharField(help_text="联席办意见")

    def get_evidence(self, obj: Any) -> int:
        return len(obj.evidence.all())


class SupervisionNoticeSerializer(serializers.Serializer):
    reference = serializers.CharField()
    issued_on = serializers.DateField()
    requirements = serializers.CharField()
    reply_by = serializers.DateField()


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    meeting = serializers.IntegerField(source="meeting_id")
    meeting_title = serializers.CharField(source="meeting.title")
    minutes_reference = serializers.CharField(source="minutes.reference", help_text="纪要文号")
    subject = serializers.CharField()
    result_required = serializers.CharField(help_text="工作要求（须达成的结果）")
    owner = serializers.CharField(source="owner.code", help_text="牵头单位代码")
    co_units = serializers.SerializerMethodField(help_text="配合单位代码")
    due = serializers.DateField(source="due_on")
    status = serializers.CharField(help_text="open 落实中、reported 已报完成待验收、done 已验收办结")
    overdue = serializers.BooleanField(source="is_overdue", help_text="落实中且已过完成时限（按今天计算）")
    result = serializers.CharField(help_text="报告的完成情况")
    completed_on = serializers.DateField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)

    def get_co_units(self, obj: Any) -> list[str]:
        return [u.code for u in obj.co_units.all()]


class DecisionDetailSerializer(DecisionSerializer):
    reports = DecisionReportSerializer(many=True)
    notices = SupervisionNoticeSerializer(many=True, help_text="督办通知")


class DecisionProgressSerializer(serializers.Serializer):
    text = StrictCharField(max_length=5000, help_text="进展情况")


class DecisionCompleteSerializer(serializers.Serializer):
    result = StrictCharField(max_length=5000, help_text="完成情况（对照工作要求写明达成的结果，必填）")


class DecisionAcceptSerializer(serializers.Serializer):
    opinion = StrictCharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="验收意见"
    )


class DecisionSendBackSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=2000, help_text="退回理由（必填）")


def _actor(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def _visible(request: Request) -> None:
    if not request.user.has_perm("conference.view_decision"):
        raise PermissionDenied("角色无查看议定事项的权限")


def _decision(request: Request, id: int) -> Decision:
    _visible(request)
    try:
        return selectors.decision_get(user=request.user, pk=id)
    except Http404 as exc:
        raise NotFound("没有找到该议定事项") from exc


def _detail(decision: Decision) -> Response:
    fresh = (
        Decision.objects.select_related("owner", "meeting", "minutes")
        .prefetch_related("co_units", "reports__unit", "reports__evidence", "notices")
        .get(pk=decision.pk)
    )
    return Response(DecisionDetailSerializer(fresh).data)


class DecisionsView(ContractViewMixin, GenericAPIView):
    """议定事项台账：owner 牵头单位代码、status 状态、overdue 仅逾期。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DecisionSerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="conference_decisions_list",
        parameters=[
            OpenApiParameter("owner", OpenApiTypes.STR, description="牵头单位代码"),
            OpenApiParameter(
                "status",
                words_schema(ISSUED, any_case=False),
                description="状态：open 落实中、reported 已报完成待验收、done 已验收办结",
            ),
            OpenApiParameter("overdue", FLAG, description="true：仅逾期未完成"),
        ],
        responses=DecisionSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        _visible(request)
        params = request.query_params
        owner: Any = None
        code = query_value(params, "owner")
        if code:
            owner = Unit.objects.filter(code=code).first()
            if owner is None:
                raise not_found("owner", f"没有代码为“{code}”的单位（见 /api/v1/units/）")
        wanted = query_value(params, "status").strip()
        if wanted and wanted not in ISSUED:
            raise ValidationError({"status": ["状态须为：" + "、".join(ISSUED)]})
        rows: QuerySet[Decision] = selectors.decision_list(
            user=request.user, owner=owner, status=wanted, overdue=flag(params, "overdue")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(DecisionSerializer(page, many=True).data)


class DecisionView(ContractViewMixin, GenericAPIView):
    """议定事项：落实报告、联席办意见和督办通知。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DecisionDetailSerializer
    pagination_class = None

    @extend_schema(operation_id="conference_decision_detail", responses=DecisionDetailSerializer)
    def get(self, request: Request, id: int) -> Response:
        return _detail(_decision(request, id))


class ProgressView(ContractViewMixin, GenericAPIView):
    """牵头单位报告进展（落实中的事项，可多次报告）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DecisionProgressSerializer
    pagination_class = None

    @extend_schema(
        operation_id="conference_decision_progress",
        request=DecisionProgressSerializer,
        responses=DecisionDetailSerializer,
    )
    def post(self, request: Request, id: int) -> Response:
        decision = _decision(request, id)
        data = DecisionProgressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with clash_is_a_conflict():
            services.decision_progress(
                actor=_actor(request), decision=decision, text=data.validated_data["text"]
            )
        return _detail(decision)


class CompleteView(ContractViewMixin, GenericAPIView):
    """牵头单位报告完成（须写完成情况）→ 已报完成待验收。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DecisionCompleteSerializer
    pagination_class = None

    @extend_schema(
        operation_id="conference_decision_complete",
        request=DecisionCompleteSerializer,
        responses=DecisionDetailSerializer,
    )
    def post(self, request: Request, id: int) -> Response:
        decision = _decision(request, id)
        data = DecisionCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decision_complete(
            actor=_actor(request), decision=decision, result=data.validated_data["result"]
        )
        return _detail(decision)


class AcceptView(ContractViewMixin, GenericAPIView):
    """联席办验收办结（已报完成的事项）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DecisionAcceptSerializer
    pagination_class = None

    @extend_schema(
        operation_id="conference_decision_accept",
        request=DecisionAcceptSerializer,
        responses=DecisionDetailSerializer,
    )
    def post(self, request: Request, id: int) -> Response:
        decision = _decision(request, id)
        data = DecisionAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with clash_is_a_conflict():
            services.decision_accept(
                actor=_actor(request), decision=decision, opinion=data.validated_data["opinion"]
            )
        return _detail(decision)


class SendBackView(ContractViewMixin, GenericAPIView):
    """联席办退回重办（须写理由）→ 落实中。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DecisionSendBackSerializer
    pagination_class = None

    @extend_schema(
        operation_id="conference_decision_send_back",
        request=DecisionSendBackSerializer,
        responses=DecisionDetailSerializer,
    )
    def post(self, request: Request, id: int) -> Response:
        decision = _decision(request, id)
        data = DecisionSendBackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decision_send_back(
            actor=_actor(request), decision=decision, reason=data.validated_data["reason"]
        )
        return _detail(decision)


@extend_schema(exclude=True)
class ProgressNoSlash(ProgressView):
    pass


@extend_schema(exclude=True)
class CompleteNoSlash(CompleteView):
    pass


@extend_schema(exclude=True)
class AcceptNoSlash(AcceptView):
    pass


@extend_schema(exclude=True)
class SendBackNoSlash(SendBackView):
    pass
