"""Objections over the API (issue #19 item 7): ``POST /api/v1/assessment/scores/{id}/object`` (and with
the trailing slash). Body: ``item`` — the line objected to, either the indicator's **code** (a JSON
string, e.g. ``"verify"``) or the line's **id** (a JSON integer, as ``GET /api/v1/assessment/scores/``
gives it), in either case a line of that very score; ``reason`` (required). A user of the score's own
unit with ``assessment.file_objection``, within the objection period (the last day allowed). Answers
201 with the objection; a score the caller does not see, or an item not in it: 404; a caller who sees
the score but is not of its unit (the office, a leader): 403; outside the period, the year not
finalised or locked, a pending objection on the same line: 409; a missing reason: 400."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from anxin.assessment import final_selectors as selectors
from anxin.assessment.models import Objection, Score, ScoreItem
from anxin.assessment.services import final as services
from anxin.core.api import clash_is_a_conflict
from anxin.core.api_schema import ContractViewMixin, StrictCharField, not_found
from anxin.org.models import User


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "description": "指标代码（如 verify）"},
            {"type": "integer", "description": "得分明细 id"},
        ]
    }
)
class ItemField(serializers.Field):
    """The line objected to: an indicator code (string) or a line id (integer)."""

    default_error_messages = {"invalid": "须为指标代码（字符串）或得分明细 id（整数）"}

    def to_internal_value(self, data: Any) -> tuple[str, Any]:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            return ("id", data)
        if isinstance(data, str) and data.strip():
            return ("code", data.strip())
        self.fail("invalid")
        raise AssertionError  # unreachable: fail raises

    def to_representation(self, value: Any) -> Any:
        return value


class ObjectRequestSerializer(serializers.Serializer):
    item = ItemField(help_text="异议的得分项：指标代码（字符串）或得分明细 id（整数），须属于该得分")
    reason = StrictCharField(max_length=5000, help_text="异议理由（必填）")


class ObjectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    score = serializers.IntegerField(source="item.score_id")
    item = serializers.IntegerField(source="item_id", help_text="得分明细 id")
    indicator = serializers.CharField(source="item.indicator.code", help_text="指标代码")
    unit = serializers.CharField(source="item.score.unit.code", help_text="单位代码")
    year = serializers.IntegerField(source="item.score.year")
    reason = serializers.CharField()
    status = serializers.CharField(help_text="pending 待答复、upheld 采纳、rejected 不予采纳")
    points_before = serializers.DecimalField(max_digits=7, decimal_places=2)
    points_after = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    answer = serializers.CharField()
    objection_until = serializers.SerializerMethodField(help_text="异议截止日（含当日）")
    created_at = serializers.DateTimeField()

    def get_objection_until(self, obj: Objection) -> str | None:
        state = selectors.year_state(obj.item.score.year)
        return state.objection_until.isoformat() if state and state.objection_until else None


def _actor(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def _line(score: Score, ref: tuple[str, Any]) -> ScoreItem:
    kind, value = ref
    lines = ScoreItem.objects.filter(score=score).select_related("score__unit", "indicator")
    found = lines.filter(indicator__code=value).first() if kind == "code" else lines.filter(pk=value).first()
    if found is None:
        raise not_found("item", f"该得分中没有“{value}”这一项（填指标代码或得分明细 id）")
    return found


class ObjectView(ContractViewMixin, GenericAPIView):
    """本单位对终评得分的一项提出异议（异议期内，截止日当天可提；每项同时只能有一件待答复）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ObjectRequestSerializer
    pagination_class = None

    @extend_schema(
        operation_id="assessment_score_object",
        request=ObjectRequestSerializer,
        responses={201: ObjectionSerializer},
    )
    def post(self, request: Request, id: int) -> Response:
        actor = _actor(request)
        score = Score.objects.for_user(actor).filter(pk=id).select_related("unit").first()
        if score is None:
            raise not_found("id", "没有找到该得分")
        data = ObjectRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = _line(score, data.validated_data["item"])
        with clash_is_a_conflict():
            objection = services.file_objection(item=line, reason=data.validated_data["reason"], actor=actor)
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


@extend_schema(exclude=True)
class ObjectNoSlash(ObjectView):
    pass
