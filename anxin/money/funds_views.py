"""The emergency funds' screens (§三(八), §四(八)): the funds (周转金) and each fund's page with its
ledger, balance over time and advances out; the advance request from a case and the advance's page
where 财政局 approves or returns it; proceeds recorded on a case, repaying the funds first. Thin:
validate, call a service, render. Every read is scoped: a fund or an advance the user does not see
is a 404."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anxin.cases.models import ActionKind, ActionStatus, Case, LegalAction
from anxin.cases.services.common import is_lead
from anxin.core.access import get_scoped_or_404
from anxin.core.errors import DomainError
from anxin.core.ledger import Column, Ledger
from anxin.core.paging import paginate
from anxin.core.policy import param_record
from anxin.money import funds_selectors as selectors
from anxin.money import services
from anxin.money.funds_forms import (
    AdvanceRequestForm,
    AppropriationForm,
    ApproveForm,
    FundEntryFilter,
    ProceedsForm,
    ReturnForm,
    WriteOffForm,
)
from anxin.money.models import Advance, Claim, ClaimStatus, Fund, FundEntry, Proceeds, money_cases, sees_money
from anxin.money.services.funds import is_finance
from anxin.org.models import Role, User


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _select_entries(*, user: Any, fund: Fund, **filters: Any) -> QuerySet[FundEntry]:
    return selectors.fund_entries(fund, **filters)


FUND_LEDGER = Ledger(
    title="应急周转资金台账",
    page_title="周转金台账",
    columns=[
        Column("序号", "seq", 8, "int"),
        Column("日期", "on", 12, "date"),
        Column("类别", "get_kind_display", 10),
        Column("金额（元）", "amount", 16, "money"),
        Column("余额（元）", "balance_after", 16, "money"),
        Column("垫付编号", "advance.number", 16),
        Column("案件编号", "advance.case.number", 14),
        Column("文号/凭证号", "reference", 20),
        Column("说明", "note", 30),
        Column("登记人", "recorded_by.display_name", 12),
        Column("登记时间", "recorded_at", 17, "datetime"),
    ],
    filter_form=FundEntryFilter,
    select=_select_entries,
    permission="money.view_fund",
    export_permission="money.export_money",
    refusal="您的角色不能导出周转金台账。",
    template="money/fund_detail.html",
    partial="money/fund_entries.html",
)


# --- the funds ---------------------------------------------------------------------------------------


@login_required
@permission_required("money.view_fund", raise_exception=True)
def fund_list(request: HttpRequest) -> HttpResponse:
    """周转金: the funds the user sees with their balance and what they have out. A user who sees
    no fund (a department without the fund's duty) gets a 404, as for a fund outside their scope."""
    funds = selectors.funds_for(_user(request))
    if not funds:
        raise Http404
    return render(
        request,
        "money/fund_list.html",
        {
            "page_title": "应急周转资金",
            "funds": funds,
            "total_balance": sum(f.balance for f in funds),  # type: ignore[attr-defined]
            "total_out": sum(f.out for f in funds),  # type: ignore[attr-defined]
        },
    )


def _may_appropriate(user: User) -> bool:
    return user.has_perm("money.appropriate_fund") and (is_finance(user) or user.has_role(Role.OFFICE))


@login_required
@permission_required("money.view_fund", raise_exception=True)
def fund_detail(request: HttpRequest, code: str, **bound: Any) -> HttpResponse:
    """One fund: balance, ledger (filters, pages, Excel), balance over time, advances out with their
    ages, and the appropriation (财政局, office) and write-off (office) forms."""
    user = _user(request)
    fund = get_scoped_or_404(Fund.objects.select_related("town"), user, code=code)
    ledger = FUND_LEDGER
    form = FundEntryFilter(request.GET or None, user=user)
    rows = _select_entries(user=user, fund=fund, **form.filters())
    if request.GET.get("export") == "xlsx":
        if not ledger.may_export(user):
            messages.error(request, ledger.refusal)
            return redirect(request.path)
        return ledger.export(
            request, rows, filters=form.describe(), title=f"{fund.name}台账", filename=f"{fund.name}台账"
        )
    context = {
        "fund": fund,
        "form": form,
        "ledger": ledger,
        **paginate(request, rows, per_page=ledger.per_page),
    }
    if request.htmx and ledger.partial:  # type: ignore[attr-defined]  # django-htmx's middleware
        return render(request, ledger.partial, context)
    today = timezone.localdate()
    alert_days = selectors.repay_alert_days(today)
    advances = selectors.advances_outstanding(fund, today, limit=alert_days)
    series = selectors.balance_series(fund)
    may_write_off = services.may_write_off(user)
    context.update(
        {
            "page_title": fund.name,
            "summary": selectors.fund_summary(fund, n_out=len(advances)),
            "advances": advances,
            "alert_days": alert_days,
            "chart": json.dumps(
                {
                    "type": "line",
                    "labels": [f"{day:%Y-%m-%d}" for day, _b in series],
                    "values": [round(b / 100, 2) for _day, b in series],
                },
                ensure_ascii=False,
            ),
            "may_appropriate": _may_appropriate(user),
            "may_write_off": may_write_off and bool(advances),
            "appropriation_form": bound.get("appropriation_form")
            or AppropriationForm(auto_id="app_%s", initial={"date": today}),
            "write_off_form": bound.get("write_off_form") or WriteOffForm(auto_id="wo_%s", advances=advances),
            "pending": list(selectors.pending_advances(user).filter(fund=fund)[:20]),
        }
    )
    return render(request, ledger.template, context)


@login_required
@require_POST
def fund_appropriate(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    fund = get_scoped_or_404(Fund.objects, user, code=code)
    form = AppropriationForm(request.POST, auto_id="app_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.fund_appropriate(
                actor=user,
                fund=fund,
                amount=data["amount"],
                on=data["date"],
                reference=data["reference"],
                note=data["note"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("fund-detail", code=fund.code)
        else:
            messages.success(request, "已登记拨入。")
            return redirect("fund-detail", code=fund.code)
    return fund_detail(request, fund.code, appropriation_form=form)


@login_required
@require_POST
def advance_write_off(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    fund = get_scoped_or_404(Fund.objects, user, code=code)
    advances = selectors.advances_outstanding(fund)
    form = WriteOffForm(request.POST, auto_id="wo_%s", advances=advances)
    if form.is_valid():
        data = form.cleaned_data
        advance = next(a for a in advances if a.pk == data["advance"])
        try:
            services.advance_write_off(
                actor=user,
                advance=advance,
                amount=data["amount"],
                reference=data["reference"],
                reason=data["reason"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("fund-detail", code=fund.code)
        else:
            messages.success(request, f"已核销 {advance.number}。")
            return redirect("fund-detail", code=fund.code)
    return fund_detail(request, fund.code, write_off_form=form)


# --- advances ----------------------------------------------------------------------------------------


def _case_or_404(request: HttpRequest, case_id: int) -> Case:
    case = get_scoped_or_404(
        Case.objects.select_related("enterprise", "town", "lead_unit"), request.user, pk=case_id
    )
    if not sees_money(request.user):
        raise Http404  # a unit that sees the case but none of its money (公安分局)
    return case


def _claim_rows(case: Case, pct: int, worker_cap: int) -> list[Claim]:
    """The workers an advance may name: those whose arrears 人社局 confirmed — or every worker of a
    case the court has taken (§四(八) 经人社部门或法院查明事实), each with their cap."""
    rows = Claim.objects.filter(case=case).order_by("pk")
    court = LegalAction.objects.filter(case=case, kind=ActionKind.COURT).exclude(
        status__in=[ActionStatus.CANCELLED, ActionStatus.REFUSED]
    )
    if not court.exists():
        rows = rows.filter(status=ClaimStatus.CONFIRMED)
    claims = list(rows)
    advanced = services.funds.fund_advanced([c.pk for c in claims])
    for claim in claims:
        done = advanced.get(claim.pk, 0)
        claim.cap = min(  # type: ignore[attr-defined]
            services.funds.share_room(claim, done, pct), max(worker_cap - done, 0)
        )
    return claims


@login_required
@permission_required("money.request_advance", raise_exception=True)
def advance_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """申请应急周转金 on a case: the funds this user may ask, the situation, the two checks, the
    assets, an amount per worker with their outstanding and cap shown. A refusal lists every failing
    precondition with its clause."""
    user = _user(request)
    case = _case_or_404(request, case_id)
    funds = selectors.usable_funds(user, case)
    if not funds:
        raise PermissionDenied("您不能为本案申请应急周转金（镇级由本镇、区级由牵头单位申请）")
    today = timezone.localdate()
    share = param_record("fund.max_share_percent", on=today)
    per_worker = param_record("fund.max_per_worker", on=today)
    per_case = param_record("fund.max_per_case", on=today)
    pct, worker_cap = int(share.typed_value), int(per_worker.typed_value)
    claims = _claim_rows(case, pct, worker_cap)
    # a town asks its own town's fund first (§四(八) 区、镇两级); the lead unit or the office the district's
    own = next(
        (f.code for f in funds if f.town_id and f.town_id == case.town_id and user.has_role(Role.TOWN)), None
    )
    form = AdvanceRequestForm(
        request.POST or None, funds=funds, claims=claims, initial={"fund": own} if own else None
    )
    refused = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fund = next(f for f in funds if f.code == data["fund"])
        try:
            advance = services.advance_request(
                actor=user,
                case=case,
                fund=fund,
                situation=data["situation"] or "",
                hardship=data["hardship"],
                incident_risk=data["incident_risk"],
                assets_note=data["assets_note"],
                items=form.items(),
                reason=data["reason"],
            )
        except services.AdvanceRefused as exc:
            refused = exc
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已提交周转金申请 {advance.number}，待区财政局审核。")
            return redirect("advance-detail", pk=advance.pk)
    return render(
        request,
        "money/advance_new.html",
        {
            "page_title": f"申请应急周转金 · {case.number}",
            "case": case,
            "form": form,
            "claims": [(claim, form.amount_field(claim)) for claim in claims],
            "pct": pct,
            "worker_cap": worker_cap,
            "case_cap": int(per_case.typed_value),
            "params": [share, per_worker, per_case],
            "balances": {f.code: services.funds.balance(f) for f in funds},
            "refused": refused,
        },
    )


@login_required
@permission_required("money.view_advance", raise_exception=True)
def advance_detail(request: HttpRequest, pk: int, **bound: Any) -> HttpResponse:
    """The advance: its checks (clause, parameter values used), workers, events, ledger entries, and
    for 财政局 the approve and return forms."""
    user = _user(request)
    advance = get_scoped_or_404(
        Advance.objects.select_related("fund", "case", "case__enterprise", "requested_by", "decided_by"),
        user,
        pk=pk,
    )
    may_decide = services.may_approve(user) and advance.status == "submitted"
    return render(
        request,
        "money/advance_detail.html",
        {
            "page_title": f"周转金垫付 {advance.number}",
            "advance": advance,
            "items": advance.items.select_related("claim", "payment").order_by("pk"),
            "events": advance.events.select_related("actor").order_by("at", "pk"),
            "entries": FundEntry.objects.filter(advance=advance)
            .select_related("recorded_by")
            .order_by("seq"),
            "outstanding": selectors.advance_outstanding(advance),
            "case_visible": money_cases(user).filter(pk=advance.case_id).exists(),
            "may_decide": may_decide,
            "approve_form": bound.get("approve_form")
            or ApproveForm(auto_id="ap_%s", initial={"paid_on": timezone.localdate()}),
            "return_form": bound.get("return_form") or ReturnForm(auto_id="rt_%s"),
        },
    )


def _advance_for(request: HttpRequest, pk: int) -> Advance:
    return get_scoped_or_404(
        Advance.objects.select_related("fund", "case", "case__enterprise"), request.user, pk=pk
    )


@login_required
@require_POST
def advance_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    advance = _advance_for(request, pk)
    form = ApproveForm(request.POST, auto_id="ap_%s")
    if form.is_valid():
        try:
            services.advance_approve(
                actor=user,
                advance=advance,
                paid_on=form.cleaned_data["paid_on"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("advance-detail", pk=advance.pk)
        else:
            messages.success(request, f"已审核拨付 {advance.number}，已按劳动者登记支付。")
            return redirect("advance-detail", pk=advance.pk)
    return advance_detail(request, advance.pk, approve_form=form)


@login_required
@require_POST
def advance_return(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    advance = _advance_for(request, pk)
    form = ReturnForm(request.POST, auto_id="rt_%s")
    if form.is_valid():
        try:
            services.advance_return(actor=user, advance=advance, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("advance-detail", pk=advance.pk)
        else:
            messages.success(request, f"已退回 {advance.number}。")
            return redirect("advance-detail", pk=advance.pk)
    return advance_detail(request, advance.pk, return_form=form)


# --- proceeds ----------------------------------------------------------------------------------------


@login_required
@permission_required("money.record_proceeds", raise_exception=True)
def proceeds_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """执行款/变现款 on a case: the open advances it will repay first are shown before saving."""
    user = _user(request)
    case = _case_or_404(request, case_id)
    if not services.may_record_proceeds(user, case):
        raise PermissionDenied("只有牵头单位、联席办、区人社局或承办法院可以登记执行款、变现款")
    form = ProceedsForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proceeds = services.proceeds_record(
                actor=user,
                case=case,
                amount=data["amount"],
                received_on=data["received_on"],
                source=data["source"],
                reference=data["reference"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "已登记并分配。")
            return redirect("proceeds-detail", pk=proceeds.pk)
    return render(
        request,
        "money/fund_proceeds_new.html",
        {
            "page_title": f"登记执行款/变现款 · {case.number}",
            "case": case,
            "form": form,
            "open_advances": selectors.open_advances(case),
        },
    )


@login_required
@permission_required("money.view_payment", raise_exception=True)
def proceeds_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What proceeds were spent on, line by line (the stored allocation)."""
    user = _user(request)
    proceeds = Proceeds.objects.filter(pk=pk, case__in=money_cases(user).values("pk")).first()
    if proceeds is None:
        raise Http404
    return render(
        request,
        "money/fund_proceeds_detail.html",
        {
            "page_title": f"执行款/变现款分配 · {proceeds.case.number}",
            "proceeds": proceeds,
            "case": proceeds.case,
            "allocations": proceeds.allocations.select_related(
                "fund_entry", "fund_entry__fund", "fund_entry__advance", "payment", "payment__claim"
            ).order_by("order"),
        },
    )


# --- what other pages include ------------------------------------------------------------------------


def case_advances_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The context of ``money/_case_advances.html`` for the case's 资金 tab: ``advances`` (with
    ``outstanding``), ``proceeds`` (with their allocations), ``case``, and the buttons' flags
    ``may_request_advance`` and ``may_record_proceeds``."""
    user = _user(request)
    return {
        "case": case,
        "advances": selectors.case_advances(case, user),
        "proceeds": selectors.case_proceeds(case, user),
        "may_request_advance": case.is_open and bool(selectors.usable_funds(user, case)),
        "may_record_proceeds": case.is_open and services.may_record_proceeds(user, case),
        "is_lead": is_lead(user, case),
    }
