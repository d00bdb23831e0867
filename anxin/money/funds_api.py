"""The emergency funds over the API (§三(八), §四(八)): the funds with their balance, appropriations,
advance requests and 财政局's decision, proceeds on a case returning their allocation. Scoped and
permissioned like the screens; money in yuan strings with two decimals; refusals are 400 naming the
field (409 for a state or a lost race), nothing written. Ledger entries have no update path: PUT,
PATCH and DELETE answer 405."""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from anxin.cases.models import Case
from anxin.core.access import get_scoped_or_404
from anxin.core.api import CodeRelatedField, ModelPermissions
from anxin.core.api_schema import (
    ContractViewMixin,
    Pagination,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    not_found,
)
from anxin.core.errors import DomainError
from anxin.core.money import YuanField, yuan_str
from anxin.money import funds_selectors as selectors
from anxin.money import services
from anxin.money.models import (
    PROCEEDS_SOURCE_CHOICES,
    Advance,
    Claim,
    Fund,
    FundEntry,
    Proceeds,
    Situation,
    money_cases,
    sees_money,
)

MAX_ID = 2**63 - 1


# --- funds ---------------------------------------------------------------------------------------------


class FundSerializer(serializers.ModelSerializer):
    town = CodeRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="镇级周转金的镇/街道代码"
    )
    balance = YuanField(read_only=True, help_text="余额（元），由台账逐笔计算")
    level = serializers.CharField(read_only=True, help_text="district：区级；town：镇级")

    class Meta:
        model = Fund
        fields = ["code", "name", "level", "town", "balance"]


class AppropriationSerializer(serializers.Serializer):
    amount = YuanField(allow_zero=False, help_text="拨入金额（元），须大于零")
    date = serializers.DateField(help_text="拨入日期，不晚于今天")
    reference = StrictCharField(max_length=100, help_text="拨款文号或凭证号")
    note = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class FundEntrySerializer(serializers.ModelSerializer):
    fund = CodeRelatedField(slug_field="code", read_only=True)
    amount = YuanField(read_only=True)
    balance_after = YuanField(read_only=True, help_text="本笔后的余额（元）")

    class Meta:
        model = FundEntry
        fields = ["fund", "seq", "kind", "amount", "balance_after", "on", "reference", "note", "recorded_at"]


class FundViewSet(
    ContractViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """区、镇两级欠薪应急周转资金（§四(八)）：财政局、联席办、区领导看全部，镇/街道看本镇（街道）的。"""

    serializer_class = FundSerializer
    permission_classes = [permissions.IsAuthenticated, ModelPermissions]
    queryset = Fund.objects.none()
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    pagination_class = None

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return super().get_permissions()
        return [permissions.IsAuthenticated()]  # the service says who appropriates; PUT… is a 405

    def get_queryset(self):
        last = FundEntry.objects.filter(fund_id=OuterRef("pk")).order_by("-seq").values("balance_after")[:1]
        return (
            Fund.objects.for_user(self.request.user)
            .select_related("town")
            .annotate(balance=Coalesce(Subquery(last, output_field=IntegerField()), Value(0)))
            .order_by("level", "code")
        )

    @extend_schema(request=AppropriationSerializer, responses={201: FundEntrySerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="appropriations",
        permission_classes=[permissions.IsAuthenticated],
    )
    def appropriations(self, request, code=None):
        """财政拨入（区财政局或联席办）：amount、date、reference。"""
        fund = get_scoped_or_404(Fund.objects, request.user, code=code)
        data = AppropriationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        entry = services.fund_appropriate(
            actor=request.user,
            fund=fund,
            amount=v["amount"],
            on=v["date"],
            reference=v["reference"],
            note=v["note"],
        )
        return Response(FundEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(exclude=True)  # the same operation as funds/{code}/appropriations/, documented once
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def fund_appropriations_noslash(request: Request, code: str) -> Response:
    return FundViewSet.as_view({"post": "appropriations"})(request._request, code=code)


@extend_schema(
    responses={
        200: {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
                "required": ["code", "name"],
            },
        }
    }
)
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def fund_situations(request):
    """周转金可以垫付的两种情形（§四(八)）：POST /api/v1/fund-advances/ 的 situation。"""
    return Response([{"code": code, "name": str(label)} for code, label in Situation.choices])


# --- advances ------------------------------------------------------------------------------------------


# The one value a confirmed precondition takes, named once for the schema's enums (SPECTACULAR_SETTINGS).
CONFIRMED_FACT_CHOICES = [(True, True)]  # (value, label) as drf-spectacular hashes a plain enum


@extend_schema_field({"type": "boolean", "enum": [value for value, _label in CONFIRMED_FACT_CHOICES]})
class ConfirmedFact(StrictBooleanField):
    """A precondition the applicant confirms (§四(八)): ``true``, or the request is refused naming it."""

    default_error_messages = {"unconfirmed": "未确认此前提条件（§四(八)），不能申请"}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value is not True:
            self.fail("unconfirmed")
        return value


class AdvanceItemInput(serializers.Serializer):
    claim = StrictIntegerField(
        min_value=1, max_value=MAX_ID, help_text="本案劳动者欠薪的编号（claims 的 id）"
    )
    amount = YuanField(allow_zero=False, help_text="垫付金额（元），大于零")


class AdvanceRequestSerializer(serializers.Serializer):
    case = StrictIntegerField(min_value=1, max_value=MAX_ID, help_text="案件编号（id）")
    fund = CodeRelatedField(
        slug_field="code", queryset=Fund.objects.all(), help_text="周转金代码：district 或 town-<镇代码>"
    )
    situation = serializers.ChoiceField(
        choices=Situation.choices, help_text="适用情形：absconded、assets_illiquid"
    )
    hardship = ConfirmedFact(help_text="劳动者生活临时困难（§四(八)，须为 true）")
    incident_risk = ConfirmedFact(help_text="可能引发群体性突发事件（§四(八)，须为 true）")
    assets_available = StrictCharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="可供执行的资产说明（本案没有财产控制清单或法院财产保全时必填）",
    )
    reason = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")
    items = serializers.ListField(
        child=AdvanceItemInput(), min_length=1, help_text="劳动者及垫付金额（至少一人）"
    )


class AdvanceItemSerializer(serializers.Serializer):
    claim = serializers.IntegerField(source="claim_id")
    name = serializers.CharField(source="claim.name")
    amount = YuanField()
    paid = serializers.BooleanField(source="payment_id", help_text="已按此支付")

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["paid"] = instance.payment_id is not None
        return data


class AdvanceSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    fund = CodeRelatedField(slug_field="code", read_only=True)
    amount = YuanField(read_only=True)
    assets_available = serializers.CharField(source="assets_note", read_only=True)
    outstanding = serializers.SerializerMethodField()
    items = AdvanceItemSerializer(many=True, read_only=True)
    checks = serializers.JSONField(
        read_only=True, help_text="前提条件与上限的核查：code、label、clause、ok、detail"
    )

    class Meta:
        model = Advance
        fields = [
            "id",
            "number",
            "case",
            "fund",
            "situation",
            "hardship",
            "incident_risk",
            "assets_available",
            "reason",
            "amount",
            "status",
            "checks",
            "items",
            "requested_at",
            "decided_at",
            "decision_note",
            "paid_on",
            "outstanding",
        ]

    def get_outstanding(self, obj: Advance) -> str:
        return yuan_str(selectors.advance_outstanding(obj)) or "0.00"


class ApproveSerializer(serializers.Serializer):
    paid_on = serializers.DateField(required=False, help_text="拨付日期（不填为今天），不晚于今天")
    note = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=2000, help_text="退回理由")


FIELD_NAMES = {"assets_note": "assets_available"}  # the service's names → the API's


def _api_field(exc: DomainError) -> DomainError:
    if exc.field in FIELD_NAMES:
        exc.field = FIELD_NAMES[exc.field]
    return exc


class FundAdvanceViewSet(
    ContractViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """周转金垫付申请（§四(八)）：镇/街道（本镇周转金）或牵头单位（区级周转金）申请，区财政局审核拨付或退回。"""

    serializer_class = AdvanceSerializer
    permission_classes = [permissions.IsAuthenticated, ModelPermissions]
    queryset = Advance.objects.none()
    lookup_value_regex = r"\d+"
    pagination_class = Pagination

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return super().get_permissions()
        return [permissions.IsAuthenticated()]  # the services say who may request, approve, return

    def get_queryset(self):
        return (
            Advance.objects.for_user(self.request.user)
            .select_related("fund")
            .prefetch_related("items", "items__claim")
            .order_by("-requested_at", "-pk")
        )

    @extend_schema(request=AdvanceRequestSerializer, responses={201: AdvanceSerializer})
    def create(self, request, *args, **kwargs):
        """申请垫付：case、fund、situation、hardship、incident_risk、assets_available、items:[{claim, amount}]。
        格式不符（hardship、incident_risk 未确认为 true、金额不大于零、未列劳动者）答复 400；劳动者不是本案的答复
        404；本案现状不符合前提条件或上限（欠薪未确认、无可供执行的资产、超过上限或周转金余额、已有待审核的申请）
        答复 409，列出每一项不符合的条件及其依据条款。"""
        data = AdvanceRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        case = money_cases(request.user).filter(pk=v["case"]).first()
        if case is None:
            raise not_found("case", "案件不存在或不在您的范围内")
        ids = [item["claim"] for item in v["items"]]
        found = {c.pk: c for c in Claim.objects.filter(case=case, pk__in=ids)}
        missing = [f"第 {n} 项" for n, pk in enumerate(ids, start=1) if pk not in found]
        if missing:
            raise not_found("items", f"{'、'.join(missing)}的劳动者不是本案登记的劳动者")
        try:
            advance = services.advance_request(
                actor=request.user,
                case=case,
                fund=v["fund"],
                situation=v["situation"],
                hardship=v["hardship"],
                incident_risk=v["incident_risk"],
                assets_note=v["assets_available"],
                items=[(found[item["claim"]], item["amount"]) for item in v["items"]],
                reason=v["reason"],
            )
        except DomainError as exc:
            if isinstance(exc, services.funds.AdvanceRefused):
                exc.code = "transition"  # the case as it stands does not allow it: a conflict, not bad input
            raise _api_field(exc) from None
        return Response(
            AdvanceSerializer(self.get_queryset().get(pk=advance.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=ApproveSerializer, responses=AdvanceSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """区财政局审核拨付：从周转金支出并按劳动者登记“应急周转金”支付；余额不足答复 400。"""
        advance = get_scoped_or_404(Advance.objects.select_related("fund", "case"), request.user, pk=pk)
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services.advance_approve(
            actor=request.user,
            advance=advance,
            paid_on=v.get("paid_on") or timezone.localdate(),
            note=v["note"],
        )
        return Response(AdvanceSerializer(self.get_queryset().get(pk=advance.pk)).data)

    @extend_schema(request=ReturnSerializer, responses=AdvanceSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """区财政局退回申请（reason 必填）。"""
        advance = get_scoped_or_404(Advance.objects.select_related("fund", "case"), request.user, pk=pk)
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.advance_return(actor=request.user, advance=advance, reason=data.validated_data["reason"])
        return Response(AdvanceSerializer(self.get_queryset().get(pk=advance.pk)).data)


@extend_schema(exclude=True)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def fund_advances_noslash(request):
    return FundAdvanceViewSet.as_view({"post": "create"})(request._request)


@extend_schema(exclude=True)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def fund_advance_approve_noslash(request: Request, pk: int) -> Response:
    return FundAdvanceViewSet.as_view({"post": "approve"})(request._request, pk=pk)


@extend_schema(exclude=True)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def fund_advance_return_noslash(request: Request, pk: int) -> Response:
    return FundAdvanceViewSet.as_view({"post": "return_"})(request._request, pk=pk)


# --- proceeds ------------------------------------------------------------------------------------------


class ProceedsInput(serializers.Serializer):
    amount = YuanField(allow_zero=False, help_text="到账金额（元）")
    received_on = serializers.DateField(help_text="到账日期，不晚于今天")
    source = serializers.ChoiceField(  # type: ignore[assignment]  # the field's name is the issue's
        choices=PROCEEDS_SOURCE_CHOICES,
        help_text="来源：court_enforcement、asset_realisation、employer",
    )
    reference = StrictCharField(max_length=100, required=False, allow_blank=True, default="")


class AllocationSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    kind = serializers.CharField(help_text="fund：偿还周转金；worker：支付劳动者")
    amount = YuanField()
    fund = serializers.CharField(allow_null=True, help_text="偿还的周转金代码")
    advance = serializers.CharField(allow_null=True, help_text="偿还的垫付编号")
    claim = serializers.IntegerField(allow_null=True, help_text="支付的劳动者欠薪编号")

    def to_representation(self, instance):
        entry, payment = instance.fund_entry, instance.payment
        return {
            "order": instance.order,
            "kind": instance.kind,
            "amount": YuanField().to_representation(instance.amount),
            "fund": entry.fund.code if entry else None,
            "advance": entry.advance.number if entry and entry.advance_id else None,
            "claim": payment.claim_id if payment else None,
        }


class ProceedsSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id")
    amount = YuanField()
    unallocated = YuanField(help_text="未分配余额（元）")
    allocation = serializers.SerializerMethodField()

    class Meta:
        model = Proceeds
        fields = ["id", "case", "amount", "received_on", "source", "reference", "unallocated", "allocation"]

    @extend_schema(responses=AllocationSerializer(many=True))
    def get_allocation(self, obj: Proceeds) -> Any:
        rows = obj.allocations.select_related(
            "fund_entry", "fund_entry__fund", "fund_entry__advance", "payment"
        )
        return AllocationSerializer(rows.order_by("order"), many=True).data


class CaseProceedsView(ContractViewMixin, generics.GenericAPIView):
    """执行款、变现款、企业归还（§四(八)）：先偿还本案未归还的周转金垫付，再支付劳动者，答复分配结果。"""

    serializer_class = ProceedsInput
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None
    queryset = Proceeds.objects.none()

    @extend_schema(request=ProceedsInput, responses={201: ProceedsSerializer})
    def post(self, request: Request, pk: int) -> Response:
        case = get_scoped_or_404(Case.objects.select_related("lead_unit", "enterprise"), request.user, pk=pk)
        if not sees_money(request.user):
            raise Http404  # a unit that sees the case but none of its money (公安分局)
        data = ProceedsInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        proceeds = services.proceeds_record(
            actor=request.user,  # type: ignore[arg-type]  # behind IsAuthenticated
            case=case,
            amount=v["amount"],
            received_on=v["received_on"],
            source=v["source"],
            reference=v["reference"],
        )
        return Response(ProceedsSerializer(proceeds).data, status=status.HTTP_201_CREATED)


@extend_schema(exclude=True)
@api_view(["POST"])
@permission_classes([permissions.IsAuthenticated])
def case_proceeds_noslash(request: Request, pk: int) -> Response:
    """``POST /api/v1/cases/{id}/proceeds`` as the issue spells it (a POST cannot follow a redirect)."""
    return CaseProceedsView.as_view()(request._request, pk=pk)
