"""The minutes over the API (issue #18 item 6): ``POST /api/v1/meetings/{id}/minutes`` (``text``,
``decisions`` [{``owner`` unit code, ``due``, ``result``, optional ``subject``, ``co_units``}] — creates
or replaces the draft), ``/minutes/submit``, ``/minutes/sign`` (the convener only), ``/minutes/return``
(``comments``), ``/minutes/issue`` (``reference``, optional ``units``). Scoped like the screens (a
meeting outside the scope: 404); who may act: 403; a move the state does not allow: 409; bad input:
400 with the reason in Chinese, nothing changed. POSTs answer with or without the trailing slash."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotAuthenticated, NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from anxin.conference import minutes_selectors as selectors
from anxin.conference.models import Meeting, Minutes
from anxin.conference.services import minutes as services
from anxin.core.api import clash_is_a_conflict
from anxin.core.api_schema import ContractViewMixin, StrictCharField, not_found
from anxin.org.models import Unit, User


class MinutesDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    seq = serializers.IntegerField()
    subject = serializers.CharField()
    result = serializers.CharField(source="result_required", help_text="工作要求（须达成的结果）")
    owner = serializers.CharField(source="owner.code", help_text="牵头单位代码")
    co_units = serializers.SerializerMethodField(help_text="配合单位代码")
    due = serializers.DateField(source="due_on")
    status = serializers.CharField()

    def get_co_units(self, obj: Any) -> list[str]:
        return [u.code for u in obj.co_units.all()]


class MinutesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meeting = serializers.IntegerField(source="meeting_id")
    status = serializers.CharField(
        help_text="draft 起草中、submitted 待召集人审签、returned 退回修改、signed 已审签、issued 已印发"
    )
    text = serializers.CharField()
    decisions = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    signed_by = serializers.CharField(source="signed_by.username", allow_null=True, default=None)
    signed_at = serializers.DateTimeField(allow_null=True)
    sign_opinion = serializers.CharField()
    return_comments = serializers.CharField()
    reference = serializers.CharField(help_text="纪要文号（印发后）")
    issued_on = serializers.DateField(allow_null=True)
    issued_to = serializers.SerializerMethodField(help_text="印发单位代码")

    def get_decisions(self, obj: Minutes) -> list[dict]:
        return MinutesDecisionSerializer(selectors.decisions_of(obj), many=True).data  # type: ignore[return-value]

    def get_issued_to(self, obj: Minutes) -> list[str]:
        return list(obj.issued_to.order_by("order", "code").values_list("code", flat=True))


class MinutesDecisionInSerializer(serializers.Serializer):
    owner = StrictCharField(help_text="牵头单位代码（成员单位或镇/街道，见 /api/v1/units/）")
    due = serializers.DateField(help_text="完成时限，不早于会议日期")
    result = StrictCharField(max_length=2000, help_text="工作要求（须达成的结果）")
    subject = StrictCharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="议定事项（默认同工作要求）"
    )
    co_units = serializers.ListField(
        child=StrictCharField(), required=False, default=list, max_length=40, help_text="配合单位代码"
    )


class MinutesDraftSerializer(serializers.Serializer):
    text = StrictCharField(max_length=20000, help_text="纪要正文")
    decisions = MinutesDecisionInSerializer(
        many=True, required=False, default=list, help_text="议定事项（至多 50 项）"
    )

    def validate_decisions(self, value: list) -> list:
        if len(value) > 50:
            raise ValidationError("议定事项不超过 50 项")
        return value


class MinutesSubmitSerializer(serializers.Serializer):
    note = StrictCharField(
        max_length=500, required=False, allow_blank=True, default="", help_text="送审说明（可选）"
    )


class MinutesSignSerializer(serializers.Serializer):
    opinion = StrictCharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="审签意见"
    )


class MinutesReturnSerializer(serializers.Serializer):
    comments = StrictCharField(max_length=2000, help_text="修改意见（必填）")


class MinutesIssueSerializer(serializers.Serializer):
    reference = StrictCharField(max_length=60, help_text="纪要文号，如 新欠薪联办纪〔2026〕1号，不得重复")
    units = serializers.ListField(
        child=StrictCharField(),
        required=False,
        allow_empty=False,
        max_length=60,
        help_text="印发单位代码（默认：参会单位及各议定事项的牵头、配合单位）",
    )


def _actor(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def _meeting(request: Request, id: int) -> Meeting:
    if not request.user.has_perm("conference.view_minutes"):
        raise NotFound("没有找到该会议")
    return selectors.meeting_get(user=request.user, pk=id)


def _minutes(request: Request, meeting: Meeting) -> Minutes:
    minutes = selectors.minutes_for(user=request.user, meeting=meeting)
    if minutes is None:
        raise NotFound("该会议尚无会议纪要")
    return minutes


def _units(codes: list[str], field: str) -> list[Unit]:
    found = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise not_found(field, f"没有代码为“{'、'.join(unknown)}”的单位（见 /api/v1/units/）")
    return [found[c] for c in codes]


def _answer(minutes: Minutes, code: int = status.HTTP_200_OK) -> Response:
    fresh = Minutes.objects.select_related("signed_by").get(pk=minutes.pk)
    return Response(MinutesSerializer(fresh).data, status=code)


class MinutesDraftView(ContractViewMixin, GenericAPIView):
    """起草或重写会议纪要（联席办；会议已召开，纪要处于起草中或退回修改）：正文和议定事项。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MinutesDraftSerializer
    pagination_class = None

    @extend_schema(
        operation_id="conference_minutes_draft",
        request=MinutesDraftSerializer,
        responses={200: MinutesSerializer},
    )
    def post(self, request: Request, id: int) -> Response:
        meeting = _meeting(request, id)
        actor = _actor(request)
        data = MinutesDraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        items = []
        for d in v["decisions"]:
            owner = _units([d["owner"]], "decisions")[0] if d["owner"] else None
            co = _units(list(d.get("co_units") or []), "decisions")
            items.append(
                services.DecisionInput(
                    result=d["result"], subject=d.get("subject", ""), owner=owner, due=d["due"], co_units=co
                )
            )
        with clash_is_a_conflict():  # a due date before the meeting, an owner that is no member
            minutes = services.minutes_draft(actor=actor, meeting=meeting, text=v["text"], decisions=items)
        return _answer(minutes)


class MinutesSubmitView(ContractViewMixin, GenericAPIView):
    """纪要送召集人审签（联席办）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MinutesSubmitSerializer
    pagination_class = None

    @extend_schema(
        operation_id="conference_minutes_submit", request=MinutesSubmitSerializer, responses=MinutesSerializer
    )
    def post(self, request: Request, id: int) -> Response:
        minutes = _minutes(request, _meeting(request, id))
        data = MinutesSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with clash_is_a_conflict():
            services.minutes_submit(actor=_actor(request), minutes=minutes, note=data.validated_data["note"])
        return _answer(minutes)


class MinutesSignView(ContractViewMixin, GenericAPIView):
    """召集人审签会议纪要（仅担任联席会议召集人的区领导）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MinutesSignSerializer
    pagination_class = None

    @extend_schema(
        operation_id="conference_minutes_sign", request=MinutesSignSerializer, responses=MinutesSerializer
    )
    def post(self, request: Request, id: int) -> Response:
        minutes = _minutes(request, _meeting(request, id))
        data = MinutesSignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with clash_is_a_conflict():
            services.minutes_sign(
                actor=_actor(request), minutes=minutes, opinion=data.validated_data["opinion"]
            )
        return _answer(minutes)


class MinutesReturnView(ContractViewMixin, GenericAPIView):
    """召集人退回会议纪要（须写修改意见）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MinutesReturnSerializer
    pagination_class = None

    @extend_schema(
        operation_id="conference_minutes_return", request=MinutesReturnSerializer, responses=MinutesSerializer
    )
    def post(self, request: Request, id: int) -> Response:
        minutes = _minutes(request, _meeting(request, id))
        data = MinutesReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.minutes_return(
            actor=_actor(request), minutes=minutes, comments=data.validated_data["comments"]
        )
        return _answer(minutes)


class MinutesIssueView(ContractViewMixin, GenericAPIView):
    """印发会议纪要（联席办；须经召集人审签）：文号、印发单位；议定事项随之交办。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MinutesIssueSerializer
    pagination_class = None

    @extend_schema(
        operation_id="conference_minutes_issue", request=MinutesIssueSerializer, responses=MinutesSerializer
    )
    def post(self, request: Request, id: int) -> Response:
        minutes = _minutes(request, _meeting(request, id))
        data = MinutesIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        units = _units(list(v["units"]), "units") if "units" in v else None
        with clash_is_a_conflict():
            services.minutes_issue(
                actor=_actor(request), minutes=minutes, reference=v["reference"], units=units
            )
        return _answer(minutes)


# The issue's spellings without the trailing slash (a POST cannot follow APPEND_SLASH's redirect).


@extend_schema(exclude=True)
class MinutesDraftNoSlash(MinutesDraftView):
    pass


@extend_schema(exclude=True)
class MinutesSubmitNoSlash(MinutesSubmitView):
    pass


@extend_schema(exclude=True)
class MinutesSignNoSlash(MinutesSignView):
    pass


@extend_schema(exclude=True)
class MinutesReturnNoSlash(MinutesReturnView):
    pass


@extend_schema(exclude=True)
class MinutesIssueNoSlash(MinutesIssueView):
    pass
