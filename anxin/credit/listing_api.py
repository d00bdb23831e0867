"""The joint-punishment list over the API (issue #17 item 6): list (``?status=&enterprise=``), propose,
serve the notice, record a defence, decide, early removal; the conditions a proposal may name.
Scoped like the screens (outside the scope: 404); only 人社局 and the office write (403); a refusal of
the rules (the defence period, the condition, the minimum time, arrears outstanding) is a 409 with
the rule and its clause named; a body that is not well formed is a 400."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from anxin.cases.models import Case
from anxin.core.access import get_scoped_or_404
from anxin.core.api import clash_is_a_conflict
from anxin.core.api_schema import ContractViewMixin, EnterpriseBrief, Pagination, not_found, query_value
from anxin.core.files import atomic_with_files
from anxin.core.validators import normalize_uscc
from anxin.credit import access
from anxin.credit.models import CONDITION_CITATIONS, Condition, Listing, ListingStatus
from anxin.credit.services import listing as services
from anxin.org.models import User
from anxin.registry.models import Enterprise

NO_CONDITION = (
    f"列入失信联合惩戒名单须选择列入条件（{services.RULE_CONDITIONS}），可选代码见 /api/v1/credit/conditions/"
)


class PersonSerializer(serializers.Serializer):
    role = serializers.CharField(
        help_text="身份：legal_rep 法定代表人、principal 主要负责人、responsible 直接责任人员"
    )
    name = serializers.CharField()
    id_number = serializers.CharField(source="id_masked", help_text="身份证号码（脱敏）")


class DefenceOutSerializer(serializers.Serializer):
    received_on = serializers.DateField()
    summary = serializers.CharField()
    adopted = serializers.BooleanField(allow_null=True, help_text="复核是否采纳；未复核为 null")
    answer = serializers.CharField()
    answered_on = serializers.DateField(allow_null=True)


class ListingSerializer(serializers.ModelSerializer):
    enterprise = EnterpriseBrief()
    case = serializers.IntegerField(
        source="case_id", read_only=True, allow_null=True, help_text="所涉案件 id"
    )
    condition_lines = serializers.SerializerMethodField(help_text="列入条件核查的各项（数额、标准、记录）")
    condition_citation = serializers.CharField(help_text="列入条件的依据条款")
    blacklisted = serializers.BooleanField(source="in_force", help_text="今天是否在列入期内")
    persons = PersonSerializer(many=True)
    defences = DefenceOutSerializer(many=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "number",
            "enterprise",
            "case",
            "condition",
            "condition_citation",
            "condition_lines",
            "origin",
            "status",
            "reasons",
            "notice_reference",
            "notice_served_on",
            "service_method",
            "defence_due",
            "defence_basis",
            "decided_on",
            "decision_reasons",
            "decision_reference",
            "term_start",
            "term_end",
            "term_basis",
            "restarts",
            "ended_on",
            "blacklisted",
            "persons",
            "defences",
        ]

    def get_condition_lines(self, obj: Listing) -> list[str]:
        return [str(line) for line in (obj.condition_check or {}).get("lines", [])]


class ProposeSerializer(serializers.Serializer):
    enterprise = serializers.CharField(required=False, help_text="企业统一社会信用代码（与 case 二选一）")
    case = serializers.IntegerField(required=False, min_value=1, help_text="案件 id（与 enterprise 二选一）")
    condition = serializers.ChoiceField(
        choices=Condition.choices,
        help_text="列入条件代码（/api/v1/credit/conditions/）",
        error_messages={"required": NO_CONDITION, "invalid_choice": NO_CONDITION, "null": NO_CONDITION},
    )
    reasons = serializers.CharField(max_length=2000, help_text="提出理由")

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("enterprise") and not attrs.get("case"):
            raise ValidationError({"enterprise": ["请指明企业（统一社会信用代码）或案件"]})
        return attrs


class ServeSerializer(serializers.Serializer):
    served_on = serializers.DateField(help_text="送达日期：不晚于今天，不早于提出日期")
    reference = serializers.CharField(max_length=60, help_text="告知书文号")
    method = serializers.ChoiceField(choices=services.SERVICE_METHODS, help_text="送达方式")
    issued_on = serializers.DateField(required=False, help_text="告知书作出日期（默认送达日期）")


class DefenceSerializer(serializers.Serializer):
    received_on = serializers.DateField(help_text="收到日期：须在陈述申辩期限内")
    summary = serializers.CharField(max_length=5000, help_text="陈述申辩内容")


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("list", "列入"), ("not_list", "不予列入")])
    reasons = serializers.CharField(max_length=5000)
    decided_on = serializers.DateField(
        required=False, help_text="决定日期（默认今天），须在陈述申辩期限届满之后"
    )
    reference = serializers.CharField(max_length=60, required=False, default="", help_text="决定书文号")


class RemoveSerializer(serializers.Serializer):
    reasons = serializers.CharField(max_length=2000, help_text="准予提前移出的理由")
    pledge = serializers.FileField(help_text="当事人签署的信用承诺书（PDF 或图片）")
    applied_on = serializers.DateField(required=False, help_text="申请日期（默认今天）")
    corrected_on = serializers.DateField(help_text="改正（清偿）日期：欠薪全部清偿之日，满最短期限方可申请")


class ConditionSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the condition's name (a field named like Field.label)
    citation = serializers.CharField()


def _actor(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def _decider(request: Request) -> User:
    user = _actor(request)
    if not access.may_decide(user):
        raise PermissionDenied(services.DECIDERS_ONLY)
    return user


def _listings(user: Any) -> QuerySet[Listing]:
    return (
        Listing.objects.for_user(user)
        .select_related("enterprise", "case")
        .prefetch_related("persons", "defences")
    )


def _listing(request: Request, pk: int) -> Listing:
    if not request.user.has_perm("credit.view_listing"):
        raise PermissionDenied("角色无查看失信联合惩戒名单的权限")
    return get_scoped_or_404(_listings(request.user), request.user, pk=pk)


def _answer(listing: Listing, code: int = status.HTTP_200_OK) -> Response:
    listing = (
        Listing.objects.select_related("enterprise")
        .prefetch_related("persons", "defences")
        .get(pk=listing.pk)
    )
    return Response(ListingSerializer(listing).data, status=code)


class ListingsView(ContractViewMixin, GenericAPIView):
    """失信联合惩戒名单：GET 列表（status 状态、enterprise 统一社会信用代码）；POST 提出拟列入（区人社局或联席办）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ListingSerializer
    pagination_class = Pagination

    @extend_schema(
        operation_id="credit_listings_list",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=ListingStatus.values, description="状态"),
            OpenApiParameter("enterprise", OpenApiTypes.STR, description="企业统一社会信用代码"),
        ],
        responses=ListingSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        if not request.user.has_perm("credit.view_listing"):
            raise PermissionDenied("角色无查看失信联合惩戒名单的权限")
        rows = _listings(request.user).order_by("-proposed_at", "-pk")
        wanted = query_value(request.query_params, "status")
        if wanted:
            if wanted not in ListingStatus.values:
                raise ValidationError({"status": ["状态须为：" + "、".join(ListingStatus.values)]})
            rows = rows.filter(status=wanted)
        code = query_value(request.query_params, "enterprise")
        if code:
            rows = rows.filter(enterprise__uscc=normalize_uscc(code))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ListingSerializer(page, many=True).data)

    @extend_schema(
        operation_id="credit_listings_propose", request=ProposeSerializer, responses={201: ListingSerializer}
    )
    def post(self, request: Request) -> Response:
        actor = _decider(request)
        data = ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        enterprise = case = None
        if v.get("case"):
            case = Case.objects.for_user(actor).filter(pk=v["case"]).select_related("enterprise").first()
            if case is None:
                raise not_found("case", "案件不存在或不在您的范围内")
        if v.get("enterprise"):
            enterprise = (
                Enterprise.objects.for_user(actor).filter(uscc=normalize_uscc(v["enterprise"])).first()
            )
            if enterprise is None:
                raise not_found("enterprise", "未找到该统一社会信用代码的企业")
        with clash_is_a_conflict():
            listing = services.listing_propose(
                actor=actor, condition=v["condition"], reasons=v["reasons"], enterprise=enterprise, case=case
            )
        return _answer(listing, status.HTTP_201_CREATED)


class ServeView(ContractViewMixin, GenericAPIView):
    """登记拟列入告知书送达：陈述申辩期限自送达之次日起计算。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ServeSerializer
    pagination_class = None

    @extend_schema(
        operation_id="credit_listing_serve_notice", request=ServeSerializer, responses=ListingSerializer
    )
    def post(self, request: Request, id: int) -> Response:
        listing = _listing(request, id)
        actor = _decider(request)
        data = ServeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with clash_is_a_conflict():
            services.listing_serve_notice(
                actor=actor,
                listing=listing,
                served_on=v["served_on"],
                reference=v["reference"],
                method=v["method"],
                issued_on=v.get("issued_on"),
            )
        return _answer(listing)


class DefenceView(ContractViewMixin, GenericAPIView):
    """登记陈述申辩（须在陈述申辩期限内收到）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DefenceSerializer
    pagination_class = None

    @extend_schema(
        operation_id="credit_listing_defence", request=DefenceSerializer, responses={201: ListingSerializer}
    )
    def post(self, request: Request, id: int) -> Response:
        listing = _listing(request, id)
        actor = _decider(request)
        data = DefenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with clash_is_a_conflict():
            services.defence_record(
                actor=actor, listing=listing, received_on=v["received_on"], summary=v["summary"]
            )
        return _answer(listing, status.HTTP_201_CREATED)


class DecideView(ContractViewMixin, GenericAPIView):
    """作出决定：list 列入 / not_list 不予列入（告知书送达、陈述申辩期限届满、申辩均已复核后）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DecideSerializer
    pagination_class = None

    @extend_schema(
        operation_id="credit_listing_decide", request=DecideSerializer, responses=ListingSerializer
    )
    def post(self, request: Request, id: int) -> Response:
        listing = _listing(request, id)
        actor = _decider(request)
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with clash_is_a_conflict():
            services.listing_decide(
                actor=actor,
                listing=listing,
                decision=v["decision"],
                reasons=v["reasons"],
                decided_on=v.get("decided_on"),
                reference=v.get("reference", ""),
            )
        return _answer(listing)


class RemoveView(ContractViewMixin, GenericAPIView):
    """提前移出（multipart/form-data，pledge 为信用承诺书文件）：登记申请并由区人社局或联席办准予移出。
    列入未满规定期限、尚有拖欠未清偿、未附信用承诺书的，不予受理（409）。"""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RemoveSerializer
    pagination_class = None

    def get_parsers(self):
        return [MultiPartParser()]  # the pledge is a file

    @extend_schema(
        operation_id="credit_listing_remove",
        request={"multipart/form-data": RemoveSerializer},
        responses=ListingSerializer,
    )
    def post(self, request: Request, id: int) -> Response:
        listing = _listing(request, id)
        actor = _decider(request)
        data = RemoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        applied_on = v.get("applied_on") or timezone.localdate()
        upload = v["pledge"]
        # The application and its decision are one change: a refused decision leaves no application
        # (and no stored pledge) behind.
        with clash_is_a_conflict(), atomic_with_files():
            application = services.removal_apply(
                actor=actor,
                listing=listing,
                applied_on=applied_on,
                corrected_on=v["corrected_on"],
                pledge_file=services.Paper(name=upload.name, content=upload.read()),
                reasons=v["reasons"],
            )
            services.removal_decide(actor=actor, application=application, grant=True, reasons=v["reasons"])
        return _answer(listing)


@extend_schema(operation_id="credit_conditions", responses=ConditionSerializer(many=True))
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def conditions(request: Request) -> Response:
    """列入条件（暂行办法 第五条）：提出拟列入时的 condition 代码、名称及依据条款。"""
    return Response(
        [
            {"code": c.value, "label": str(c.label), "citation": CONDITION_CITATIONS[c.value]}
            for c in Condition
        ]
    )


# The spellings without the trailing slash (a POST cannot follow APPEND_SLASH's redirect).


@extend_schema(exclude=True)
class ListingsNoSlash(ListingsView):
    pass


@extend_schema(exclude=True)
class ServeNoSlash(ServeView):
    pass


@extend_schema(exclude=True)
class DefenceNoSlash(DefenceView):
    pass


@extend_schema(exclude=True)
class DecideNoSlash(DecideView):
    pass


@extend_schema(exclude=True)
class RemoveNoSlash(RemoveView):
    pass
