"""Claims and payments over the API (issue #15 item 6): a case's claims (GET, POST), confirming one
(POST), a case's payments ledger (GET, POST), reversing an entry (POST), and the reference lists of
payment sources and claim bases. Amounts are yuan strings with two decimals; the ledger has no
update path (PUT, PATCH and DELETE answer 405).

A request the serializer reads is checked there (400 by field); what a service then refuses about
the records on file — the same worker twice in a case, a payment above what is still owed, a
confirmed amount below what was paid, a closed case — is a 409 with the field's message, as the
other writes of the API answer a clash with the current state."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anxin.cases.models import Case
from anxin.core.access import get_scoped_or_404
from anxin.core.api import clash_is_a_conflict
from anxin.core.api_schema import (
    NOT_BLANK_PATTERN,
    ContractViewMixin,
    PhoneField,
    StrictCharField,
    StrictIntegerField,
    not_found,
)
from anxin.core.crypto import blind_index
from anxin.core.errors import DomainError
from anxin.core.models import SecurityEventKind
from anxin.core.money import YuanField
from anxin.core.security import client_ip
from anxin.core.services import security_event_record
from anxin.core.validators import validate_id_number
from anxin.money import services
from anxin.money.models import (
    RECORDABLE_SOURCE_CHOICES,
    Basis,
    Claim,
    Payment,
    PaymentSource,
    money_cases,
    sees_money,
)
from anxin.money.services import ClaimInput
from anxin.money.services.claims import MAX_CLAIM_FEN
from anxin.org.models import User

MAX_ID = 2**63 - 1
IDENTITY_PERM = "registry.view_worker_identity"
MONTH_PATTERN = "^(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])$"
ID_NUMBER_PATTERN = "^[1-9][0-9]{16}[0-9Xx]$"


# --- fields -----------------------------------------------------------------------------------------------


class MonthField(serializers.Field):
    """A month ``YYYY-MM`` on the wire, the month's first day in Python."""

    default_error_messages = {"invalid": "月份格式应为 YYYY-MM，如 2026-09"}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not re.fullmatch(MONTH_PATTERN, data):
            self.fail("invalid")
        import datetime

        return datetime.date(int(data[:4]), int(data[5:7]), 1)

    def to_representation(self, value: Any) -> str:
        return f"{value:%Y-%m}"


class MonthFieldExtension(OpenApiSerializerFieldExtension):
    target_class = MonthField

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": MONTH_PATTERN, "example": "2026-09"}


class IdNumberField(serializers.Field):
    """A worker's 居民身份证号码 in a request: 18 characters, the check digit right (GB 11643)."""

    default_error_messages = {"invalid": "身份证号应为18位，末位为数字或 X"}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or not re.fullmatch(ID_NUMBER_PATTERN, data):
            self.fail("invalid")
        try:
            return validate_id_number(data, today=timezone.localdate())
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None

    def to_representation(self, value: Any) -> str:
        return str(value)


class IdNumberFieldExtension(OpenApiSerializerFieldExtension):
    target_class = IdNumberField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return {
                "type": "string",
                "description": "身份证号（无查看权限时为脱敏形式，如 3204**********1234）",
            }
        return {
            "type": "string",
            "format": "id-number",
            "pattern": ID_NUMBER_PATTERN,
            "example": "320411199001010013",
            "description": "居民身份证号码（GB 11643）：18位，第1–6位为地区码，第7–14位为出生日期，末位为校验码（数字或 X）。",
        }


# --- serializers -------------------------------------------------------------------------------------------


class ClaimSerializer(serializers.Serializer):
    """A worker's claim as answers give it."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    id_number = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    period_from = MonthField(read_only=True)
    period_to = MonthField(read_only=True)
    months = serializers.IntegerField(read_only=True)
    amount = YuanField(read_only=True, help_text="申报金额（元）")
    basis = serializers.ChoiceField(choices=Basis.choices, read_only=True)
    note = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=[("claimed", "待确认"), ("confirmed", "已确认")], read_only=True)
    claimed = YuanField(source="amount", read_only=True, help_text="申报金额（元）")
    confirmed = YuanField(
        source="confirmed_amount", read_only=True, allow_null=True, help_text="确认金额（元）；未确认为 null"
    )
    confirm_note = serializers.CharField(read_only=True)
    paid = YuanField(read_only=True, help_text="已付（元）")
    outstanding = YuanField(read_only=True, help_text="尚欠（元）")

    def _reveal(self) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.has_perm(IDENTITY_PERM))

    def get_id_number(self, obj: Claim) -> str:
        return obj.id_number if self._reveal() else obj.id_number_masked

    def get_phone(self, obj: Claim) -> str:
        return obj.phone if self._reveal() else obj.phone_masked


class ClaimRequestSerializer(serializers.Serializer):
    name = StrictCharField(max_length=50)
    id_number = IdNumberField()
    phone = PhoneField(required=False, default="")
    period_from = MonthField(help_text="欠薪起始月 YYYY-MM")
    period_to = MonthField(help_text="欠薪截止月 YYYY-MM：不早于起始月，不晚于本月（北京时间）")
    months = StrictIntegerField(
        min_value=1, max_value=600, required=False, help_text="欠薪月数：1 至起止月所跨月数；不填按起止月计算"
    )
    amount = YuanField(allow_zero=False, max_fen=MAX_CLAIM_FEN, help_text="申报金额（元）")
    basis = serializers.ChoiceField(
        choices=Basis.choices, help_text="认定依据代码（见 /api/v1/claim-bases/）"
    )
    note = StrictCharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict) -> dict:
        row = ClaimInput(
            name=attrs["name"],
            id_number=attrs["id_number"],
            phone=attrs["phone"],
            period_from=attrs["period_from"],
            period_to=attrs["period_to"],
            months=attrs.get("months"),
            amount=attrs["amount"],
            basis=attrs["basis"],
            note=attrs["note"],
        )
        errors = services.check_claim(row, today=timezone.localdate())
        if errors:
            raise ValidationError({k: [v] for k, v in errors.items()})
        attrs["row"] = row
        return attrs


class ConfirmSerializer(serializers.Serializer):
    amount = YuanField(
        required=False,
        max_fen=MAX_CLAIM_FEN,
        help_text="确认金额（元）；不填按申报金额确认。填写时须同时说明 note",
    )
    note = StrictCharField(max_length=300, required=False, allow_blank=True, default="")

    # An amount given comes with its reason.
    request_schema = {
        "anyOf": [
            {"not": {"required": ["amount"]}},
            {"properties": {"note": {"pattern": NOT_BLANK_PATTERN}}, "required": ["amount", "note"]},
        ]
    }

    def validate(self, attrs: dict) -> dict:
        if "amount" in attrs and not attrs["note"].strip():
            raise ValidationError({"note": ["填写确认金额时须说明理由（note）"]})
        return attrs


class PaymentSerializer(serializers.ModelSerializer):
    """A ledger entry (or a reversal, which names the entry it takes back in ``reverses``)."""

    amount = YuanField(read_only=True)
    worker = serializers.CharField(source="claim.name", read_only=True, allow_null=True, default=None)
    source = serializers.ChoiceField(choices=PaymentSource.choices, read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Payment
        fields = [
            "id",
            "claim",
            "worker",
            "amount",
            "paid_on",
            "source",
            "reference",
            "note",
            "run",
            "reverses",
            "recorded_at",
        ]
        read_only_fields = fields


class PaymentRequestSerializer(serializers.Serializer):
    claim = StrictIntegerField(min_value=1, max_value=MAX_ID, help_text="劳动者欠薪编号（本案 claims 的 id）")
    amount = YuanField(allow_zero=False, max_fen=MAX_CLAIM_FEN, help_text="支付金额（元），不超过尚欠金额")
    paid_on = serializers.DateField(help_text="支付日期（YYYY-MM-DD），不晚于今天（北京时间）")
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field named "source"
        choices=RECORDABLE_SOURCE_CHOICES,
        help_text="来源代码（见 /api/v1/payment-sources/）",
    )
    reference = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    note = StrictCharField(max_length=500, required=False, allow_blank=True, default="")

    def validate_paid_on(self, value: Any) -> Any:
        if value > timezone.localdate():
            raise ValidationError("支付日期不能晚于今天")
        return value


class ReverseSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, help_text="冲正理由")


class CodeName(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


# --- views -------------------------------------------------------------------------------------------------


def _case(request: Any, pk: int) -> Case:
    case = get_scoped_or_404(Case.objects.select_related("lead_unit", "enterprise"), request.user, pk=pk)
    if not sees_money(request.user):
        raise Http404  # a unit that sees the case but none of its money (公安分局)
    return case


def _actor(request: Request) -> User:
    """The signed-in user (every view here is behind ``IsAuthenticated``)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def _need(request: Any, perm: str, message: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(message)


class CaseClaimsView(ContractViewMixin, APIView):
    """案件的劳动者欠薪（§四(六)）：GET 列表；POST 登记一名劳动者（牵头单位或联席办）。"""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    @extend_schema(operation_id="case_claims_list", responses=ClaimSerializer(many=True))
    def get(self, request: Request, id: int) -> Response:
        _need(request, "money.view_claim", "角色无查看欠薪的权限")
        case = _case(request, id)
        rows = list(Claim.objects.filter(case=case).order_by("pk"))
        if rows and request.user.has_perm(IDENTITY_PERM):
            # full ID numbers and phones leave the system: logged like the registry's reveal
            security_event_record(
                kind=SecurityEventKind.SENSITIVE_VIEW,
                user=request.user,
                ip=client_ip(request),
                summary=f"接口查看 {case.number} 劳动者完整身份证号和手机号（{len(rows)} 人）",
                detail={"case": case.pk, "claims": len(rows)},
            )
        return Response(ClaimSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="case_claims_create", request=ClaimRequestSerializer, responses={201: ClaimSerializer}
    )
    def post(self, request: Request, id: int) -> Response:
        _need(request, "money.add_claim", "角色无登记欠薪的权限")
        case = _case(request, id)
        if not services.may_register(_actor(request), case):
            raise PermissionDenied("只有牵头单位或联席办可以登记欠薪")
        data = ClaimRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row: ClaimInput = data.validated_data["row"]
        index = blind_index(row.id_number, purpose="id_number")
        if case.is_open and Claim.objects.filter(case=case, id_number_index=index).exists():
            raise DomainError("该劳动者（同一身份证号）在本案已登记", code="conflict", field="id_number")
        with clash_is_a_conflict():
            claim = services.claim_register(actor=_actor(request), case=case, row=row)
        return Response(
            ClaimSerializer(claim, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class ClaimConfirmView(ContractViewMixin, APIView):
    """确认一名劳动者的欠薪（区人社局或联席办）：amount 不填按申报金额；与申报不同须说明 note。"""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(operation_id="claim_confirm", request=ConfirmSerializer, responses=ClaimSerializer)
    def post(self, request: Request, id: int) -> Response:
        _need(request, "money.confirm_claim", "角色无确认欠薪的权限")
        claim = get_scoped_or_404(Claim.objects.select_related("case"), request.user, pk=id)
        if not services.may_confirm(_actor(request)):
            raise PermissionDenied("只有区人社局或联席办可以确认欠薪金额")
        data = ConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with clash_is_a_conflict():
            claim = services.claim_confirm(
                actor=_actor(request), claim=claim, amount=v.get("amount"), note=v["note"]
            )
        return Response(ClaimSerializer(claim, context={"request": request}).data)


def _payments(case: Case) -> QuerySet[Payment]:
    return Payment.objects.filter(case=case).select_related("claim").order_by("paid_on", "pk")


class CasePaymentsView(ContractViewMixin, APIView):
    """案件的支付台账：GET 全部支付及冲正记录；POST 登记一笔支付（牵头单位、区人社局或联席办）。"""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    @extend_schema(operation_id="case_payments_list", responses=PaymentSerializer(many=True))
    def get(self, request: Request, id: int) -> Response:
        _need(request, "money.view_payment", "角色无查看支付记录的权限")
        case = _case(request, id)
        return Response(PaymentSerializer(_payments(case), many=True).data)

    @extend_schema(
        operation_id="case_payments_create",
        request=PaymentRequestSerializer,
        responses={201: PaymentSerializer},
    )
    def post(self, request: Request, id: int) -> Response:
        _need(request, "money.add_payment", "角色无登记支付的权限")
        case = _case(request, id)
        if not services.may_pay(_actor(request), case):
            raise PermissionDenied("只有牵头单位、区人社局或联席办可以登记支付")
        data = PaymentRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        claim = Claim.objects.filter(case=case, pk=v["claim"]).first()
        if claim is None:
            raise not_found("claim", "该劳动者不是本案登记的劳动者")
        with clash_is_a_conflict():
            payment = services.payment_record(
                actor=_actor(request),
                claim=claim,
                amount=v["amount"],
                paid_on=v["paid_on"],
                source=v["source"],
                reference=v["reference"],
                note=v["note"],
            )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class PaymentReverseView(ContractViewMixin, APIView):
    """冲正一笔支付（联席办）：另记一笔冲正记录，原记录不变。"""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="payment_reverse", request=ReverseSerializer, responses={201: PaymentSerializer}
    )
    def post(self, request: Request, id: int) -> Response:
        _need(request, "money.view_payment", "角色无查看支付记录的权限")
        payment = (
            Payment.objects.filter(case__in=money_cases(request.user).values("pk"), pk=id)
            .select_related("case", "claim")
            .first()
        )
        if payment is None:
            raise not_found("id", "支付记录不存在或不在您的范围内")
        _need(request, "money.reverse_payment", "只有联席办可以冲正支付记录")
        data = ReverseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with clash_is_a_conflict():
            reversal = services.payment_reverse(
                actor=_actor(request), payment=payment, reason=data.validated_data["reason"]
            )
        return Response(PaymentSerializer(reversal).data, status=status.HTTP_201_CREATED)


@extend_schema(responses=CodeName(many=True))
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def payment_sources(request: Request) -> Response:
    """支付来源代码及名称（支付记录中的 source）。emergency_fund（应急周转金）只由财政局审核拨付垫付时记入，
    wage_deposit（工资保证金）只由工程项目保证金动用时银行的支付记入，
    POST /api/v1/cases/{id}/payments/ 均不接受；本案有未归还垫付时，court_enforcement、asset_realisation 须经
    POST /api/v1/cases/{id}/proceeds 登记（先还周转金）。"""
    return Response(
        [{"code": s.value, "name": str(s.label)} for s in PaymentSource if s != PaymentSource.CLOSING]
    )


@extend_schema(responses=CodeName(many=True))
@api_view(["GET"])
@permission_classes([permissions.IsAuthenticated])
def claim_bases(request: Request) -> Response:
    """欠薪认定依据代码及名称（即登记欠薪时的 basis）。"""
    return Response([{"code": b.value, "name": str(b.label)} for b in Basis])


# The spellings without the trailing slash (a POST cannot follow APPEND_SLASH's redirect): the
# same operations as the documented paths, left out of the schema.


@extend_schema(exclude=True)
class CaseClaimsNoSlash(CaseClaimsView):
    pass


@extend_schema(exclude=True)
class ClaimConfirmNoSlash(ClaimConfirmView):
    pass


@extend_schema(exclude=True)
class CasePaymentsNoSlash(CasePaymentsView):
    pass


@extend_schema(exclude=True)
class PaymentReverseNoSlash(PaymentReverseView):
    pass
