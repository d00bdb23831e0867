"""The wage deposit over the API (issue #16 item 8): a project's deposit with the required amount and its
computation (GET), fixing and recording it (POST); a draw, a top-up and the return on a deposit, and the
bank's payment of a draw (POST). Amounts are yuan strings with two decimals; the ledger has no update
path. A request the serializer reads is checked there (400 by field); out of scope or unknown is 404;
what a service then refuses about the records on file (a draw above the balance, a deposit already
recorded, a return while a case is open) is a 409 with the field's message, as money's writes answer."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anxin.cases.models import Case
from anxin.core.access import get_scoped_or_404
from anxin.core.api import clash_is_a_conflict
from anxin.core.api_schema import ContractViewMixin, StrictCharField, StrictIntegerField, not_found
from anxin.core.money import YuanField
from anxin.org.models import User
from anxin.registry.models import Project
from anxin.sites import deposit_selectors as selectors
from anxin.sites.models import Deposit, DepositDraw, DepositEvent, DepositForm
from anxin.sites.services import deposits as services

VIEW = "sites.view_deposit"
MAX_ID = 2**63 - 1


# --- answers ----------------------------------------------------------------------------------------------


class StepSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="步骤")  # type: ignore[assignment]
    value = serializers.CharField(help_text="取值")
    clause = serializers.CharField(help_text="依据（条款）")
    codes = serializers.ListField(child=serializers.CharField(), help_text="所用参数代码")


class ParamSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    value = serializers.CharField(help_text="取值（金额类参数以分计）")
    unit = serializers.CharField()
    citation = serializers.CharField()


class RequiredSerializer(serializers.Serializer):
    """The required amount with its computation (as stored, or as it would be fixed today)."""

    amount = YuanField(read_only=True, help_text="应存金额（元）")
    exempt = serializers.BooleanField(help_text="免存")
    rate = serializers.CharField(help_text="适用存储比例（%）")
    on = serializers.DateField(help_text="计算所依据的合同签订日期")
    provisional = serializers.BooleanField(help_text="尚未核定：按今日签订合同试算")
    contract_amount = YuanField(read_only=True, help_text="合同金额（元）")
    steps = StepSerializer(many=True)
    params = ParamSerializer(many=True)
    arrears_rule = serializers.CharField(help_text="计入欠薪记录的口径")


def required_data(computation: dict, *, provisional: bool) -> dict:
    return {
        "amount": computation["required"],
        "exempt": computation["exempt"],
        "rate": computation["rate"],
        "on": computation["on"],
        "provisional": provisional,
        "contract_amount": computation["contract_amount"],
        "steps": computation["steps"],
        "params": computation["params"],
        "arrears_rule": computation.get("arrears_rule", ""),
    }


class EventSerializer(serializers.ModelSerializer):
    amount = YuanField(read_only=True)
    balance_after = YuanField(read_only=True, help_text="本笔后的余额（元）")
    kind = serializers.CharField(
        read_only=True,
        help_text="require、deposit、draw、pay、top_up、topped_up、reversal、return_request、return_refuse、return、flag",
    )

    class Meta:
        model = DepositEvent
        fields = ["id", "seq", "kind", "amount", "balance_after", "on", "note", "draw", "at"]


class DrawSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.number", read_only=True, help_text="案件编号")
    case_id = serializers.IntegerField(read_only=True)
    amount = YuanField(read_only=True)
    paid_amount = YuanField(read_only=True)
    topped_up = YuanField(read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="ordered：待银行支付；paid：已支付待补足；topped_up：已补足"
    )

    class Meta:
        model = DepositDraw
        fields = [
            "id",
            "case",
            "case_id",
            "amount",
            "status",
            "ordered_on",
            "reference",
            "bank_due_on",
            "paid_on",
            "paid_amount",
            "topup_due_on",
            "topped_up",
            "topped_up_on",
        ]


class DepositSerializer(serializers.ModelSerializer):
    contractor = serializers.CharField(
        source="contractor.uscc", read_only=True, help_text="总包单位统一社会信用代码"
    )
    contract_amount = YuanField(read_only=True)
    required = YuanField(read_only=True)  # type: ignore[assignment]
    balance = YuanField(read_only=True, help_text="余额（元），由台账逐笔计算")
    status = serializers.CharField(read_only=True, help_text="required、exempt、held、notice、returned")
    events = serializers.SerializerMethodField()
    draws = serializers.SerializerMethodField()

    class Meta:
        model = Deposit
        fields = [
            "id",
            "project",
            "contractor",
            "contract_signed_on",
            "contract_amount",
            "required",
            "balance",
            "due_on",
            "status",
            "form",
            "bank",
            "reference",
            "deposited_on",
            "completed_on",
            "notice_from",
            "notice_until",
            "review_due_on",
            "returned_on",
            "events",
            "draws",
        ]

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, obj: Deposit) -> list:
        return EventSerializer(selectors.ledger_of(obj), many=True).data  # type: ignore[return-value]

    @extend_schema_field(DrawSerializer(many=True))
    def get_draws(self, obj: Deposit) -> list:
        return DrawSerializer(selectors.draws_of(obj), many=True).data  # type: ignore[return-value]


class ProjectDepositsSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    required = RequiredSerializer(  # type: ignore[assignment]
        allow_null=True, help_text="应存金额及其计算过程；项目未登记总包单位时为 null"
    )
    problem = serializers.CharField(help_text="无法计算时的原因")
    deposits = DepositSerializer(many=True)


# --- requests ---------------------------------------------------------------------------------------------


class DepositRequestSerializer(serializers.Serializer):
    contract_signed_on = serializers.DateField(required=False, help_text="施工合同签订日期（尚未核定时必填）")
    form = serializers.ChoiceField(
        choices=DepositForm.choices, required=False, help_text="存储方式（登记存储时）"
    )
    amount = YuanField(allow_zero=False, required=False, help_text="存储金额（元）")
    deposited_on = serializers.DateField(required=False)
    bank = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    reference = StrictCharField(max_length=100, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict) -> dict:
        recording = {"form", "amount", "deposited_on"} & set(attrs)
        if recording and not {"form", "amount", "deposited_on"} <= set(attrs):
            missing = sorted({"form", "amount", "deposited_on"} - set(attrs))
            raise serializers.ValidationError({name: ["登记存储时必填"] for name in missing})
        return attrs


class DrawRequestSerializer(serializers.Serializer):
    case = StrictIntegerField(min_value=1, max_value=MAX_ID, help_text="本项目案件的 id")
    amount = YuanField(allow_zero=False, help_text="动用金额（元）")
    reference = StrictCharField(max_length=100, required=False, allow_blank=True, default="")


class TopUpRequestSerializer(serializers.Serializer):
    amount = YuanField(allow_zero=False, help_text="补足金额（元）")
    on = serializers.DateField(help_text="补足日期")
    reference = StrictCharField(max_length=100, required=False, allow_blank=True, default="")


class ReturnRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[("request", "申请返还（开始公示）"), ("approve", "返还"), ("refuse", "不予返还")]
    )
    completed_on = serializers.DateField(required=False, help_text="竣工日期（request 时必填）")
    returned_on = serializers.DateField(required=False, help_text="返还日期（approve 时必填）")
    note = StrictCharField(max_length=500, required=False, allow_blank=True, default="")


class PaidRequestSerializer(serializers.Serializer):
    paid_on = serializers.DateField(help_text="银行支付日期")
    reference = StrictCharField(max_length=100, required=False, allow_blank=True, default="")


# --- helpers ----------------------------------------------------------------------------------------------


def _actor(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def _need_view(request: Request) -> None:
    if not request.user.has_perm(VIEW):
        raise PermissionDenied("角色无查看工资保证金的权限")


def _deposit(request: Request, pk: int) -> Deposit:
    _need_view(request)
    qs = selectors.with_balance(Deposit.objects.select_related("project__supervisor", "contractor"))
    return get_scoped_or_404(qs, request.user, pk=pk)


def _answer(deposit: Deposit, code: int = status.HTTP_200_OK) -> Response:
    fresh = selectors.with_balance(Deposit.objects.select_related("contractor")).get(pk=deposit.pk)
    return Response(DepositSerializer(fresh).data, status=code)


# --- views ------------------------------------------------------------------------------------------------


class ProjectDepositsView(ContractViewMixin, APIView):
    """项目的农民工工资保证金（§三(九)，人社部发〔2021〕65号）：GET 应存金额及计算过程、保证金、台账和动用；
    POST 核定应存金额（contract_signed_on）并/或登记存储（form、amount、deposited_on、bank、reference）。"""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    @extend_schema(operation_id="project_deposits_list", responses=ProjectDepositsSerializer)
    def get(self, request: Request, id: int) -> Response:
        _need_view(request)
        project = get_scoped_or_404(Project.objects.select_related("general_contractor"), request.user, pk=id)
        deposit = selectors.deposit_of(user=request.user, project=project)
        problem = ""
        required: dict | None
        if deposit is not None:
            required = required_data(deposit.computation, provisional=False)
        else:
            computation, problem = selectors.preview(project)
            required = required_data(computation.as_dict(), provisional=True) if computation else None
        body = {
            "project": project.pk,
            "required": RequiredSerializer(required).data if required is not None else None,
            "problem": problem,
            "deposits": DepositSerializer([deposit] if deposit else [], many=True).data,
        }
        return Response(body)

    @extend_schema(
        operation_id="project_deposits_create",
        request=DepositRequestSerializer,
        responses={201: DepositSerializer},
    )
    def post(self, request: Request, id: int) -> Response:
        _need_view(request)
        project = get_scoped_or_404(
            Project.objects.select_related("general_contractor", "supervisor"), request.user, pk=id
        )
        actor = _actor(request)
        if not services.may_manage_deposit(actor, project):
            raise PermissionDenied("只有联席办或项目的行业主管部门可以办理工资保证金")
        data = DepositRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        deposit = Deposit.objects.filter(project=project).first()
        if deposit is None and "contract_signed_on" not in v:
            raise serializers.ValidationError(
                {"contract_signed_on": ["尚未核定应存金额：请填写施工合同签订日期"]}
            )
        if deposit is not None and "form" not in v:
            raise serializers.ValidationError(
                {"form": ["该项目已核定应存金额：登记存储请填写存储方式、金额和日期"]}
            )
        with clash_is_a_conflict(), transaction.atomic():
            if deposit is None:
                deposit = services.deposit_require(
                    actor=actor, project=project, contract_signed_on=v["contract_signed_on"]
                )
            if "form" in v:
                services.deposit_record(
                    actor=actor,
                    deposit=deposit,
                    form=v["form"],
                    amount=v["amount"],
                    deposited_on=v["deposited_on"],
                    bank=v["bank"],
                    reference=v["reference"],
                )
        return _answer(deposit, status.HTTP_201_CREATED)


class DepositDrawsView(ContractViewMixin, APIView):
    """动用保证金（城建局/水利局或联席办）：本项目案件的欠薪经确认、责令限期支付逾期未付时，通知银行支付。"""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="deposit_draws_create", request=DrawRequestSerializer, responses={201: DrawSerializer}
    )
    def post(self, request: Request, id: int) -> Response:
        deposit = _deposit(request, id)
        actor = _actor(request)
        if not services.may_manage_deposit(actor, deposit.project):
            raise PermissionDenied("只有联席办或项目的行业主管部门可以动用工资保证金")
        data = DrawRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        case = Case.objects.for_user(actor).filter(pk=v["case"]).first()
        if case is None:
            raise not_found("case", "案件不存在或不在您的范围内")
        with clash_is_a_conflict():
            draw = services.draw_order(
                actor=actor, deposit=deposit, case=case, amount=v["amount"], reference=v["reference"]
            )
        return Response(DrawSerializer(draw).data, status=status.HTTP_201_CREATED)


class DepositTopUpsView(ContractViewMixin, APIView):
    """总包单位补足保证金：amount、on、reference；已支付的动用按先后补足。"""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="deposit_top_ups_create",
        request=TopUpRequestSerializer,
        responses={201: EventSerializer},
    )
    def post(self, request: Request, id: int) -> Response:
        deposit = _deposit(request, id)
        actor = _actor(request)
        if not services.may_manage_deposit(actor, deposit.project):
            raise PermissionDenied("只有联席办或项目的行业主管部门可以登记补足")
        data = TopUpRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with clash_is_a_conflict():
            event = services.deposit_top_up(
                actor=actor, deposit=deposit, amount=v["amount"], on=v["on"], reference=v["reference"]
            )
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)


class DepositReturnView(ContractViewMixin, APIView):
    """返还：action=request 开始公示（completed_on）；approve 公示期满后返还（returned_on）；refuse 不予返还（note）。"""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="deposit_return", request=ReturnRequestSerializer, responses={200: DepositSerializer}
    )
    def post(self, request: Request, id: int) -> Response:
        deposit = _deposit(request, id)
        actor = _actor(request)
        if not services.may_manage_deposit(actor, deposit.project):
            raise PermissionDenied("只有联席办或项目的行业主管部门可以办理返还")
        data = ReturnRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with clash_is_a_conflict():
            if v["action"] == "request":
                if "completed_on" not in v:
                    raise serializers.ValidationError({"completed_on": ["请填写竣工日期"]})
                services.deposit_return_request(
                    actor=actor, deposit=deposit, completed_on=v["completed_on"], note=v["note"]
                )
            else:
                if v["action"] == "approve" and "returned_on" not in v:
                    raise serializers.ValidationError({"returned_on": ["请填写返还日期"]})
                if v["action"] == "refuse" and not v["note"].strip():
                    raise serializers.ValidationError({"note": ["不予返还须说明理由"]})
                services.deposit_return_decide(
                    actor=actor,
                    deposit=deposit,
                    approve=v["action"] == "approve",
                    returned_on=v.get("returned_on"),
                    note=v["note"],
                )
        return _answer(deposit)


class DrawPaidView(ContractViewMixin, APIView):
    """银行已支付动用：按比例记入本案已确认劳动者的支付台账（来源：工资保证金），并起算补足期限。"""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="deposit_draw_paid", request=PaidRequestSerializer, responses={200: DrawSerializer}
    )
    def post(self, request: Request, id: int) -> Response:
        _need_view(request)
        draw = get_scoped_or_404(
            DepositDraw.objects.select_related("deposit__project__supervisor", "case"), request.user, pk=id
        )
        actor = _actor(request)
        if not services.may_manage_deposit(actor, draw.deposit.project):
            raise PermissionDenied("只有联席办或项目的行业主管部门可以登记银行支付")
        data = PaidRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        with clash_is_a_conflict():
            services.draw_paid(actor=actor, draw=draw, paid_on=v["paid_on"], reference=v["reference"])
        draw.refresh_from_db()
        return Response(DrawSerializer(draw).data)


# The spelling without the trailing slash: a POST cannot follow APPEND_SLASH's redirect.
@extend_schema(exclude=True)
class ProjectDepositsNoSlash(ProjectDepositsView):
    pass


@extend_schema(exclude=True)
class DepositDrawsNoSlash(DepositDrawsView):
    pass


@extend_schema(exclude=True)
class DepositTopUpsNoSlash(DepositTopUpsView):
    pass


@extend_schema(exclude=True)
class DepositReturnNoSlash(DepositReturnView):
    pass


@extend_schema(exclude=True)
class DrawPaidNoSlash(DrawPaidView):
    pass
