"""The monthly payroll over the API (issue #16 item 8): ``POST /api/v1/projects/{id}/payrolls/`` (a
month's payroll, checked against the roster; ``?dry_run=true`` checks and writes nothing) and ``GET
/api/v1/projects/{id}/payrolls/{month}`` (the month's status, dates and current payroll's findings).
Amounts are yuan strings with two decimals; ID numbers go out masked.

A request the serializer reads is checked there (400 by field; a row's problems under ``rows`` by its
position, 0 first). What the service then refuses about the payroll as a whole or against the records
on file — the same worker twice, a month not yet ended or before the project started, another
contractor's payroll — is a 400 in the same shape. A project outside the caller's scope is a 404; one
the caller may read but not keep (a town) is a 403. A version written at the same moment by someone
else is a 409."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from anxin.core.access import get_scoped_or_404
from anxin.core.api_schema import FLAG, ContractViewMixin, StrictCharField, UsccField, flag
from anxin.core.errors import DomainError
from anxin.core.money import YuanField
from anxin.money.claims_api import MONTH_PATTERN, IdNumberField, MonthField
from anxin.registry.models import Project
from anxin.sites import payroll_selectors as selectors
from anxin.sites.access import may_manage
from anxin.sites.models import Finding, FindingKind, MonthStatus, PayrollLine
from anxin.sites.models.payroll import Door
from anxin.sites.services import PayrollInput, PayrollRefused, payroll_submit
from anxin.sites.services.payroll import MAX_FEN, Submitted

MAX_ROWS = 10000
FINDING_LABELS = dict(FindingKind.choices)
STATUS_LABELS = dict(MonthStatus.choices)

# --- serializers ---------------------------------------------------------------------------------------------


class PayrollRowSerializer(serializers.Serializer):
    id_number = IdNumberField()
    name = StrictCharField(max_length=50)
    days = serializers.DecimalField(
        max_digits=3,
        decimal_places=1,
        min_value=0,
        max_value=31,
        required=False,
        default=Decimal(0),
        help_text="出勤天数",
    )
    due = YuanField(max_fen=MAX_FEN, help_text="应发（元）")
    paid = YuanField(max_fen=MAX_FEN, help_text="实发（元）；未发放为 0")
    paid_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="发放日期 YYYY-MM-DD，不晚于今天；已发放而未填视为逾期发放",
    )


class PayrollRequestSerializer(serializers.Serializer):
    month = MonthField(help_text="工资所属月份 YYYY-MM：已结束的月份，不早于项目开工月份")
    rows = serializers.ListField(child=PayrollRowSerializer(), min_length=1, max_length=MAX_ROWS)
    contractor = UsccField(
        required=False, help_text="代发单位（施工总承包单位）的统一社会信用代码；填写时须为本项目的总承包单位"
    )


class FindingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FindingKind.choices, help_text="问题类型")
    kind_label = serializers.CharField(help_text="问题类型名称")
    name = serializers.CharField(help_text="劳动者姓名")
    row = serializers.IntegerField(
        allow_null=True,
        help_text="工资表中的行号：接口报送为序号（1 起），Excel 为表格行号；在册未发放为 null",
    )
    due = YuanField(help_text="应发（元）")
    paid = YuanField(help_text="实发（元）")
    shortfall = YuanField(help_text="少发（元）")
    paid_on = serializers.DateField(allow_null=True)
    text = serializers.CharField(help_text="说明")


class LineSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    name = serializers.CharField()
    id_number = serializers.CharField(help_text="身份证号（脱敏）")
    days = serializers.DecimalField(max_digits=3, decimal_places=1)
    due = YuanField()
    paid = YuanField()
    paid_on = serializers.DateField(allow_null=True)
    on_roster = serializers.BooleanField()


class PayrollAnswerSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    dry_run = serializers.BooleanField()
    status = serializers.ChoiceField(choices=MonthStatus.choices, help_text="本月状态（试运行为核对结果）")
    status_label = serializers.CharField()
    version = serializers.IntegerField(allow_null=True, help_text="版本（试运行或未报送为 null）")
    pay_due_on = serializers.DateField(help_text="发放期限（含）：次月 payroll.pay_day 日")
    report_due_on = serializers.DateField(help_text="报送期限（含）：次月 payroll.report_day 日")
    basis = serializers.DictField(help_text="两个期限所依据的参数：代码、取值、依据条款、生效日期")
    workers = serializers.IntegerField(help_text="工资表人数")
    on_roster = serializers.IntegerField(help_text="当月实名制花名册在场人数")
    due_total = YuanField()
    paid_total = YuanField()
    short_workers = serializers.IntegerField()
    short_amount = YuanField(help_text="少发合计（元）")
    missing_workers = serializers.IntegerField()
    late_workers = serializers.IntegerField()
    unrostered_workers = serializers.IntegerField()
    signal = serializers.IntegerField(
        allow_null=True, help_text="本月“工资未足额发放”线索编号（未推送为 null）"
    )
    missing_signal = serializers.IntegerField(allow_null=True, help_text="本月“工资发放表未按时报送”线索编号")
    findings = FindingSerializer(many=True)
    lines = LineSerializer(many=True, required=False, help_text="工资表明细（仅 GET）")


# --- views ---------------------------------------------------------------------------------------------------


def _project(request: Request, pk: int) -> Project:
    if not request.user.has_perm("sites.view_payroll"):
        raise PermissionDenied("角色无查看工资发放的权限")
    return get_scoped_or_404(
        Project.objects.select_related("general_contractor", "town", "supervisor__unit"), request.user, pk=pk
    )


def _finding(f: Any, row: int | None) -> dict:
    return {
        "kind": f.kind,
        "kind_label": str(FINDING_LABELS[f.kind]),
        "name": f.name,
        "row": row,
        "due": f.due,
        "paid": f.paid,
        "shortfall": f.shortfall,
        "paid_on": f.paid_on,
        "text": f.text,
    }


def _answer(result: Submitted) -> dict:
    o = result.outcome
    pm = result.payroll_month
    return {
        "project": result.project.pk,
        "month": f"{result.month:%Y-%m}",
        "dry_run": result.dry_run,
        "status": pm.status if pm else o.status,
        "status_label": str(STATUS_LABELS[pm.status if pm else o.status]),
        "version": result.payroll.version if result.payroll else None,
        "pay_due_on": result.pay_due_on,
        "report_due_on": result.report_due_on,
        "basis": result.basis,
        "workers": o.rows,
        "on_roster": o.on_roster,
        "due_total": o.due_total,
        "paid_total": o.paid_total,
        "short_workers": o.short_workers,
        "short_amount": o.short_amount,
        "missing_workers": o.missing_workers,
        "late_workers": o.late_workers,
        "unrostered_workers": o.unrostered_workers,
        "signal": pm.short_signal_id if pm else None,
        "missing_signal": pm.missing_signal_id if pm else None,
        "findings": [_finding(f, f.row) for f in o.findings],
    }


def _refusal(exc: PayrollRefused) -> ValidationError:
    """The service's problems in the serializer's shape: a row's under ``rows`` by its position."""
    body: dict[str, Any] = {}
    for row, key, message in exc.problems:
        if row:
            body.setdefault("rows", {}).setdefault(str(row - 1), {}).setdefault(key, []).append(message)
        else:
            body.setdefault(key, []).append(message)
    return ValidationError(body)


class ProjectPayrollsView(ContractViewMixin, APIView):
    """报送项目某月的总包代发工资表（§三(九)(十)）：逐人对照当月实名制花名册核对，答复核对结果和每一项问题
    （劳动者姓名、应发、实发、少发、发放日期）。同一月份再次报送为新版本。联席办或项目的行业主管部门可报送；
    镇/街道只读（403）。``?dry_run=true`` 只核对，不写入。"""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    @extend_schema(
        operation_id="project_payrolls_create",
        request=PayrollRequestSerializer,
        parameters=[OpenApiParameter("dry_run", FLAG, description="true：只核对并答复结果，不写入")],
        responses={201: PayrollAnswerSerializer, 200: PayrollAnswerSerializer},
    )
    def post(self, request: Request, id: int) -> Response:
        project = _project(request, id)
        if not may_manage(request.user, project):
            raise PermissionDenied("只有联席办或本项目的行业主管部门可以报送工资发放表")
        dry_run = flag(request.query_params, "dry_run")
        data = PayrollRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        rows = [
            PayrollInput(
                row=n,
                name=r["name"],
                id_number=r["id_number"],
                due=r["due"],
                paid=r["paid"],
                days=r["days"],
                paid_on=r["paid_on"],
            )
            for n, r in enumerate(v["rows"], start=1)
        ]
        try:
            result = payroll_submit(
                actor=request.user,  # type: ignore[arg-type]
                project=project,
                month=v["month"],
                rows=rows,
                door=Door.API,
                contractor_uscc=v.get("contractor") or None,
                dry_run=dry_run,
            )
        except PayrollRefused as exc:
            raise _refusal(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DomainError as exc:
            if exc.code == "invalid":
                raise DomainError(exc.message, code="conflict", field=exc.field) from exc
            raise
        return Response(
            PayrollAnswerSerializer(_answer(result)).data,
            status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED,
        )


@extend_schema(exclude=True)
class ProjectPayrollsNoSlash(ProjectPayrollsView):
    pass


class ProjectPayrollMonthView(ContractViewMixin, APIView):
    """项目某月的工资发放：状态（按时足额/有差异/未报送/待报送）、发放和报送期限及其依据、当前版本的核对问题和明细
    （身份证号脱敏）。月份须在项目开工月份至上月之间，否则 404。"""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None

    @extend_schema(
        operation_id="project_payroll_month",
        parameters=[
            OpenApiParameter(
                "month", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=MONTH_PATTERN, description="YYYY-MM"
            )
        ],
        responses=PayrollAnswerSerializer,
    )
    def get(self, request: Request, id: int, month: str) -> Response:
        project = _project(request, id)
        day = _month(month)
        if day not in selectors.due_months(project):
            raise Http404
        row = selectors.month_row(project, day)
        dates = selectors.dates_of(row, day)
        payroll = row.payroll if row else None
        findings: list = []
        lines: list = []
        if payroll is not None:
            line_rows = {
                line.pk: line for line in PayrollLine.objects.filter(payroll=payroll).order_by("row")
            }
            findings = [
                _finding(f, line_rows[f.line_id].row if f.line_id in line_rows else None)
                for f in Finding.objects.filter(payroll=payroll).order_by("pk")
            ]
            lines = [
                {
                    "row": line.row,
                    "name": line.name,
                    "id_number": line.id_number_masked,
                    "days": line.days,
                    "due": line.due,
                    "paid": line.paid,
                    "paid_on": line.paid_on,
                    "on_roster": line.roster_id is not None,
                }
                for line in line_rows.values()
            ]
        state = selectors.status_of(row, day)
        answer = {
            "project": project.pk,
            "month": f"{day:%Y-%m}",
            "dry_run": False,
            "status": state,
            "status_label": str(STATUS_LABELS[state]),
            "version": payroll.version if payroll else None,
            "pay_due_on": dates["pay_due_on"],
            "report_due_on": dates["report_due_on"],
            "basis": dates["basis"],
            "workers": payroll.rows if payroll else 0,
            "on_roster": (payroll.basis or {}).get("on_roster", 0) if payroll else 0,
            "due_total": payroll.due_total if payroll else 0,
            "paid_total": payroll.paid_total if payroll else 0,
            "short_workers": payroll.short_workers if payroll else 0,
            "short_amount": payroll.short_amount if payroll else 0,
            "missing_workers": payroll.missing_workers if payroll else 0,
            "late_workers": payroll.late_workers if payroll else 0,
            "unrostered_workers": payroll.unrostered_workers if payroll else 0,
            "signal": row.short_signal_id if row else None,
            "missing_signal": row.missing_signal_id if row else None,
            "findings": findings,
            "lines": lines,
        }
        return Response(PayrollAnswerSerializer(answer).data)


@extend_schema(exclude=True)
class ProjectPayrollMonthNoSlash(ProjectPayrollMonthView):
    pass


def _month(text: str) -> datetime.date:
    if not re.fullmatch(MONTH_PATTERN, text or ""):
        raise Http404
    return datetime.date(int(text[:4]), int(text[5:7]), 1)
