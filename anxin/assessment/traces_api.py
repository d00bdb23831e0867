"""The trace over the API: ``GET /api/v1/cases/{id}/trace`` (and with the slash) answers the case's
responsibility trace (责任倒查, §五(三)) as ``services.traces.build_trace`` lays it out — the office, the
leaders and the auditors; any other caller, or a case with nothing to trace, gets a 404."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from anxin.assessment import access
from anxin.assessment.services.traces import build_trace
from anxin.cases.models import Case
from anxin.core.api_schema import ContractViewMixin, not_found
from anxin.core.errors import DomainError

STEP = inline_serializer(
    "TraceStep",
    fields={
        "at": serializers.CharField(help_text="时间（本区时间 YYYY-MM-DD HH:MM；只有日期的为 YYYY-MM-DD）"),
        "kind": serializers.CharField(
            help_text="signal / alert / watch / followup / screening / immediate / incident"
        ),
        "label": serializers.CharField(),
        "unit": serializers.CharField(help_text="责任单位代码"),
        "unit_name": serializers.CharField(),
        "due": serializers.CharField(allow_null=True, help_text="期限（本区时间 YYYY-MM-DD HH:MM）"),
        "done": serializers.CharField(
            allow_null=True, help_text="完成时间（本区时间 YYYY-MM-DD HH:MM 或日期）"
        ),
        "met": serializers.BooleanField(allow_null=True, help_text="是否按时；无期限或事发时未到期为 null"),
        "url": serializers.CharField(),
        "record": serializers.CharField(help_text="记录标识，如 signal:12"),
    },
)
TRACE = inline_serializer(
    "CaseTrace",
    fields={
        "case": serializers.CharField(),
        "enterprise": serializers.CharField(),
        "reason": serializers.CharField(help_text="mass_incident / sudden_closure / referral"),
        "reason_label": serializers.CharField(),
        "incident_at": serializers.CharField(help_text="事发时间（本区时间 YYYY-MM-DD HH:MM）"),
        "incident_on": serializers.DateField(),
        "since": serializers.DateField(help_text="追溯起始日（事发前 12 个月）"),
        "window": serializers.CharField(),
        "clause": serializers.CharField(),
        "steps": serializers.ListField(child=STEP),
        "missed": serializers.DictField(help_text="单位代码 → 未按时的环节"),
        "units": serializers.DictField(child=serializers.CharField(), help_text="单位代码 → 名称"),
        "summary": serializers.ListField(child=serializers.DictField()),
    },
)


class CaseTraceView(ContractViewMixin, GenericAPIView):
    """案件的责任倒查时间线（§五(三)）：联席办、区领导和审计员可查；其他用户 404。"""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None
    serializer_class = None

    @extend_schema(operation_id="cases_trace", responses={200: TRACE})
    def get(self, request: Request, pk: int) -> Response:
        if not access.sees_all(request.user):
            raise not_found("id", "案件不存在")
        case = Case.objects.select_related("enterprise").filter(pk=pk).first()
        if case is None:
            raise not_found("id", "案件不存在")
        try:
            return Response(build_trace(case))
        except DomainError as exc:
            raise not_found("id", exc.message) from None


class CaseTraceNoSlashView(CaseTraceView):
    @extend_schema(exclude=True)  # the same operation as cases/{id}/trace/, documented once
    def get(self, request: Request, pk: int) -> Response:
        return super().get(request, pk)
