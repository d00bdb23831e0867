"""Spot checks over the API (issue #19 item 7): ``GET /api/v1/assessment/spot-checks/`` (the rounds the
user sees), ``POST /api/v1/assessment/spot-checks/`` (the draw: ``title``, ``seed``, ``units`` how
many; optional ``population`` unit codes and ``items_per_unit``; answers 201 with ``units``, the codes
drawn, and the round's ``id`` and ``number``), ``GET /api/v1/assessment/spot-checks/{id}`` (the round:
the draw record, units with items as the user may see them, rectification, recipients). Scoped like
the screens (the office, leaders, auditors: all; a unit: the rounds it was drawn in, its own items,
and once circulated the rounds whose circular it received, with the recipients; outside: 404);
only the office draws (403); bad input: 400 in Chinese."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from anxin.assessment import access
from anxin.assessment import spotchecks_selectors as selectors
from anxin.assessment.models import SpotCheck
from anxin.assessment.services import spotchecks as services
from anxin.core.api_schema import ContractViewMixin, Pagination, StrictCharField
from anxin.org.models import User

VIEW = "assessment.view_spotcheck"


class RectificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    unit = serializers.CharField(source="unit.code", help_text="整改责任单位代码")
    requirement = serializers.CharField()
    due = serializers.DateField()
    status = serializers.CharField(
        help_text="open 待整改、answered 已报整改情况、returned 退回重新整改、accepted 已验收"
    )
    escalated_at = serializers.DateTimeField(allow_null=True, help_text="逾期报联席办的时间")


class SpotCheckItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.CharField(help_text="检查事项（企业或项目名称）")
    enterprise = serializers.IntegerField(source="enterprise_id", allow_null=True)
    project = serializers.IntegerField(source="project_id", allow_null=True)
    result = serializers.CharField(help_text="pending 待检查、ok 未发现问题、problem 发现问题")
    observations = serializers.CharField()
    checked_on = serializers.DateField(allow_null=True)
    rectifications = RectificationSerializer(many=True)


class CheckUnitSerializer(serializers.Serializer):
    unit = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    order = serializers.IntegerField(help_text="抽中顺序")
    population = serializers.ListField(child=serializers.CharField(), help_text="企业（项目）抽取范围")
    conclusion = serializers.CharField()
    items = SpotCheckItemSerializer(many=True)


class SpotCheckSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="编号 CC-年-序号")
    year = serializers.IntegerField()
    title = serializers.CharField()
    seed = serializers.CharField(help_text="随机种子")
    population = serializers.ListField(
        child=serializers.CharField(), help_text="抽取范围（单位代码，已排序）"
    )
    units = serializers.ListField(
        source="drawn", child=serializers.CharField(), help_text="抽中单位代码（按抽中顺序）"
    )
    items_per_unit = serializers.IntegerField()
    drawn_by = serializers.CharField(source="drawn_by.username")
    drawn_at = serializers.DateTimeField()
    status = serializers.CharField(help_text="drawn 已抽取、checking 检查中、circulated 已通报")
    circular_reference = serializers.CharField()
    circulated_on = serializers.DateField(allow_null=True)


class RecipientSerializer(serializers.Serializer):
    unit = serializers.CharField(
        source="unit.code", allow_null=True, help_text="成员单位代码；非系统用户（如区委组织部）为 null"
    )
    name = serializers.CharField()
    copy = serializers.BooleanField(help_text="抄送")
    sent_at = serializers.DateTimeField()


class SpotCheckDetailSerializer(SpotCheckSerializer):
    checked_units = CheckUnitSerializer(many=True, help_text="被抽查单位（单位用户只看到本单位）")
    recipients = RecipientSerializer(many=True, help_text="通报发送对象")


class DrawSerializer(serializers.Serializer):
    title = StrictCharField(max_length=100, help_text="抽查名称")
    seed = StrictCharField(max_length=64, help_text="随机种子（同一种子和范围总得到同样的结果）")
    units = serializers.IntegerField(help_text="抽取单位数")
    population = serializers.ListField(
        child=StrictCharField(max_length=40),
        required=False,
        help_text="抽取范围（单位代码）；默认全部被考核单位",
    )
    items_per_unit = serializers.IntegerField(
        required=False, help_text="每单位抽取企业（项目）数；默认参数 spotcheck.items_per_unit"
    )


def _actor(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def _visible(request: Request) -> None:
    if not request.user.has_perm(VIEW):
        raise PermissionDenied("角色无查看不定期抽查的权限")


def _detail(request: Request, spot_check: SpotCheck, *, code: int = 200) -> Response:
    data: dict[str, Any] = dict(SpotCheckSerializer(spot_check).data)
    data["checked_units"] = CheckUnitSerializer(
        selectors.units_of(spot_check, user=request.user), many=True
    ).data
    rows = selectors.recipients_shown(spot_check, user=request.user)
    data["recipients"] = RecipientSerializer(rows, many=True).data
    return Response(data, status=code)


class SpotChecksView(ContractViewMixin, GenericAPIView):
    """不定期抽查：列表（GET）和随机抽取（POST，联席办）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SpotCheckSerializer
    pagination_class = Pagination

    @extend_schema(operation_id="assessment_spot_checks_list", responses=SpotCheckSerializer(many=True))
    def get(self, request: Request) -> Response:
        _visible(request)
        page = self.paginate_queryset(selectors.spot_check_list(user=request.user))
        return self.get_paginated_response(SpotCheckSerializer(page, many=True).data)

    @extend_schema(
        operation_id="assessment_spot_checks_draw",
        request=DrawSerializer,
        responses={201: SpotCheckDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        _visible(request)
        if not access.may_run_spot_checks(request.user):
            raise PermissionDenied(services.OFFICE_ONLY)
        data = DrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        spot_check = services.draw(
            title=v["title"],
            seed=v["seed"],
            units=v["units"],
            population=v.get("population"),
            items_per_unit=v.get("items_per_unit"),
            actor=_actor(request),
        )
        return _detail(request, spot_check, code=status.HTTP_201_CREATED)


class SpotCheckView(ContractViewMixin, GenericAPIView):
    """一次抽查：抽取记录、被抽查单位和检查事项、整改事项、通报发送对象。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SpotCheckDetailSerializer
    pagination_class = None

    @extend_schema(operation_id="assessment_spot_check_detail", responses=SpotCheckDetailSerializer)
    def get(self, request: Request, id: int) -> Response:
        _visible(request)
        try:
            spot_check = selectors.spot_check_get(user=request.user, pk=id)
        except Http404 as exc:
            raise NotFound("没有找到该抽查") from exc
        return _detail(request, spot_check)


@extend_schema(exclude=True)
class SpotChecksNoSlash(SpotChecksView):
    pass


@extend_schema(exclude=True)
class SpotCheckNoSlash(SpotCheckView):
    pass
