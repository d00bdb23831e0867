"""The case's 资金 tab (claims, confirmations, payments, reversals, history), the 工资清偿台账 (claims
across the cases a user sees) and the 支付台账 (payments), with their Excel exports. Thin: validate,
call a service (``anxin.money.services``), message, back to the tab; a refusal comes back on the tab
with what was typed and the message beside its field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from anxin.cases.models import Case
from anxin.cases.views._common import fail, refuse
from anxin.cases.views.case_page import render_case_page
from anxin.core import seam
from anxin.core.access import get_scoped_or_404
from anxin.core.crypto import blind_index
from anxin.core.errors import DomainError
from anxin.core.ledger import Column, Header, Ledger, ledger_view
from anxin.core.paging import paginate
from anxin.core.validators import normalize_id_number
from anxin.money import selectors, services
from anxin.money.claims_forms import (
    ClaimFilter,
    ClaimForm,
    ConfirmForm,
    CorrectForm,
    PaymentFilter,
    PaymentForm,
    ReverseForm,
    RunForm,
)
from anxin.money.funds_views import case_advances_context
from anxin.money.models import Claim, ClaimEvent, ClaimStatus, Payment, money_cases, sees_money
from anxin.money.services import ClaimInput
from anxin.org.models import User

TAB = "money"
CLAIMS_PER_PAGE = 100
RUN_LIMIT = 200  # workers still owed beyond which the payment run is an Excel import, not a form
PAYMENTS_SHOWN = 200  # the tab lists the latest entries; the payments ledger has them all


# --- the case's 资金 tab ------------------------------------------------------------------------------


def case_tabs(request: HttpRequest, case: Case) -> list[seam.Tab]:
    """``seam.CASE_TABS``: 资金, for whoever may see the case's money."""
    if not (request.user.has_perm("money.view_claim") and sees_money(request.user)):
        return []
    return [{"key": TAB, "label": "资金", "render": render_tab}]


def render_tab(request: HttpRequest, case: Case, **bound: Any) -> str:
    """The tab's body. ``bound``: a refused form by its context name (``claim_form``,
    ``payment_form``, ``run_form``), or ``kept``: what was typed into a row's small form
    (``form``, ``claim`` or ``payment``, ``error`` and the fields)."""
    user: User = request.user  # type: ignore[assignment]  # the case page is behind login
    kept: dict = bound.pop("kept", None) or {}
    is_open = case.is_open
    may_register = is_open and services.may_register(user, case)
    may_confirm = is_open and services.may_confirm(user)
    may_pay = is_open and services.may_pay(user, case)
    paging = paginate(request, Claim.objects.filter(case=case).order_by("pk"), per_page=CLAIMS_PER_PAGE)
    for claim in paging["page"]:
        if may_confirm:
            _row_forms(claim, kept)
    owed = _owed(case) if may_pay else []
    payments = list(
        Payment.objects.filter(case=case)
        .select_related("claim", "recorded_by")
        .order_by("-recorded_at", "-pk")[: PAYMENTS_SHOWN + 1]
    )
    chosen = request.GET.get("pay", "")
    context = {
        "case": case,
        "money": selectors.case_money([case.pk]).get(case.pk) or seam.CaseMoney(),
        **paging,
        "claims": paging["paginator"].count,
        "payments": payments[:PAYMENTS_SHOWN],
        "payments_more": len(payments) > PAYMENTS_SHOWN,
        "payments_url": case_payments_url(case),
        "reversed_ids": set(
            Payment.objects.filter(case=case, reverses__isnull=False).values_list("reverses_id", flat=True)
        ),
        # entries the fund's side must correct with them (an advance, proceeds): no reversal button
        "fund_paid_ids": set(
            Payment.objects.filter(
                Q(advance_item__isnull=False) | Q(proceeds__isnull=False), case=case
            ).values_list("pk", flat=True)
        ),
        "events": ClaimEvent.objects.filter(claim__case=case)
        .select_related("claim", "actor")
        .order_by("-at", "-pk")[:100],
        "may_register": may_register,
        "may_confirm": may_confirm,
        "may_pay": may_pay,
        "may_reverse": is_open and user.has_perm("money.reverse_payment"),
        "may_export": user.has_perm("money.export_money"),
        "pending": Claim.objects.filter(case=case, status=ClaimStatus.CLAIMED).count() if may_confirm else 0,
        "claim_form": ClaimForm() if may_register else None,
        "payment_form": PaymentForm(claims=owed, initial={"claim": int(chosen) if chosen.isdigit() else None})
        if owed
        else None,
        "run_form": RunForm(claims=owed) if 1 < len(owed) <= RUN_LIMIT else None,
        "run_too_many": len(owed) > RUN_LIMIT,
        "kept": kept,
        # the advances and proceeds of the case (§四(八)): money/_case_advances.html
        **case_advances_context(request, case),
    }
    for name, form in bound.items():  # a refused form replaces the blank one
        context[name] = form
    return render_to_string("money/case_money_tab.html", context, request=request)


def _row_forms(claim: Claim, kept: dict) -> None:
    """A claim's small forms (confirm, correct), bound to what was typed when it was refused."""
    mine = kept.get("claim") == claim.pk
    claim.confirm_form = ConfirmForm(  # type: ignore[attr-defined]
        kept if mine and kept.get("form") == "confirm" else None,
        auto_id=f"confirm{claim.pk}_%s",
        initial={"amount": claim.amount},
    )
    claim.correct_form = CorrectForm(  # type: ignore[attr-defined]
        kept if mine and kept.get("form") == "correct" else None,
        auto_id=f"correct{claim.pk}_%s",
        initial={"amount": claim.confirmed_amount},
    )
    for form in (claim.confirm_form, claim.correct_form):  # type: ignore[attr-defined]
        for _name, field in form.fields.items():
            field.widget.attrs.update(
                {
                    "class": "form-control form-control-sm mb-1",
                    "aria-label": str(field.label),
                    "placeholder": str(field.label),
                }
            )


def _back(case: Case) -> HttpResponse:
    return redirect(reverse("case-detail", args=[case.pk]) + f"?tab={TAB}")


def _again(request: HttpRequest, case: Case, **bound: Any) -> HttpResponse:
    """The case page on its 资金 tab again, with the refused form."""
    return render_case_page(request, case, tab=TAB, tab_html=render_tab(request, case, **bound))


def _kept(request: HttpRequest, form: str, error: str, **more: Any) -> dict:
    return {**request.POST.dict(), "form": form, "error": error, **more}


def _message(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    return str(exc) or "您的角色不能进行此操作。"


def _claim_input(data: dict) -> ClaimInput:
    return ClaimInput(
        name=data["name"],
        id_number=data["id_number"],
        phone=data.get("phone") or "",
        period_from=data["period_from"],
        period_to=data["period_to"],
        months=data.get("months"),
        amount=data["amount"],
        basis=data["basis"],
        note=data.get("note") or "",
    )


def _case(request: HttpRequest, pk: int) -> Case:
    return selectors.money_case_get(user=request.user, pk=pk)


def _claim(request: HttpRequest, pk: int) -> Claim:
    return get_scoped_or_404(Claim.objects.select_related("case", "case__enterprise"), request.user, pk=pk)


@login_required
@permission_required("money.add_claim", raise_exception=True)
@require_POST
def claim_new(request: HttpRequest, pk: int) -> HttpResponse:
    """登记一名劳动者的欠薪."""
    case = _case(request, pk)
    form = ClaimForm(request.POST)
    if not form.is_valid():
        return _again(request, case, claim_form=form)
    try:
        claim = services.claim_register(actor=request.user, case=case, row=_claim_input(form.cleaned_data))  # type: ignore[arg-type]
    except (DomainError, PermissionDenied) as exc:
        form.add_error(
            exc.field if isinstance(exc, DomainError) and exc.field in form.fields else None, _message(exc)
        )
        return _again(request, case, claim_form=form)
    messages.success(request, f"已登记 {claim.name} 的欠薪。")
    return _back(case)


@login_required
@permission_required("money.confirm_claim", raise_exception=True)
@require_POST
def claim_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """人社局确认一名劳动者的欠薪（金额不同须说明）."""
    claim = _claim(request, pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        error = "；".join(str(e) for errors in form.errors.values() for e in errors)
        return _again(request, claim.case, kept=_kept(request, "confirm", error, claim=claim.pk))
    try:
        services.claim_confirm(
            actor=request.user,  # type: ignore[arg-type]
            claim=claim,
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
        )
    except (DomainError, PermissionDenied) as exc:
        return _again(request, claim.case, kept=_kept(request, "confirm", _message(exc), claim=claim.pk))
    messages.success(request, f"已确认 {claim.name} 的欠薪。")
    return _back(claim.case)


@login_required
@permission_required("money.confirm_claim", raise_exception=True)
@require_POST
def claims_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """确认全部：every claim still to confirm, at its claimed amount."""
    case = _case(request, pk)
    try:
        n = services.claims_confirm(actor=request.user, case=case)  # type: ignore[arg-type]
    except (DomainError, PermissionDenied) as exc:
        fail(request, exc)
    else:
        messages.success(request, f"已按申报金额确认 {n} 名劳动者的欠薪。")
    return _back(case)


@login_required
@permission_required("money.confirm_claim", raise_exception=True)
@require_POST
def claim_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """更正确认金额（记录原金额、新金额和理由）."""
    claim = _claim(request, pk)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        error = "；".join(str(e) for errors in form.errors.values() for e in errors)
        return _again(request, claim.case, kept=_kept(request, "correct", error, claim=claim.pk))
    try:
        services.claim_correct(
            actor=request.user,  # type: ignore[arg-type]
            claim=claim,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
        )
    except (DomainError, PermissionDenied) as exc:
        return _again(request, claim.case, kept=_kept(request, "correct", _message(exc), claim=claim.pk))
    messages.success(request, f"已更正 {claim.name} 的确认金额。")
    return _back(claim.case)


def _owed(case: Case) -> list[Claim]:
    """The case's workers still owed something, in the order registered."""
    return list(Claim.objects.filter(case=case, paid__lt=_owed_expr()).order_by("pk"))


@login_required
@permission_required("money.add_payment", raise_exception=True)
@require_POST
def payment_new(request: HttpRequest, pk: int) -> HttpResponse:
    """登记一笔支付（一名劳动者）."""
    case = _case(request, pk)
    owed = _owed(case)
    form = PaymentForm(request.POST, claims=owed)
    if not form.is_valid():
        return _again(request, case, payment_form=form)
    data = form.cleaned_data
    claim = next(c for c in owed if c.pk == data["claim"])
    try:
        services.payment_record(
            actor=request.user,  # type: ignore[arg-type]
            claim=claim,
            amount=data["amount"],
            paid_on=data["paid_on"],
            source=data["source"],
            reference=data["reference"],
            note=data["note"],
        )
    except DomainError as exc:
        refuse(form, exc)
        return _again(request, case, payment_form=form)
    except PermissionDenied as exc:
        form.add_error(None, _message(exc))
        return _again(request, case, payment_form=form)
    messages.success(request, f"已登记支付 {claim.name}。")
    return _back(case)


@login_required
@permission_required("money.add_payment", raise_exception=True)
@require_POST
def payment_run(request: HttpRequest, pk: int) -> HttpResponse:
    """批量支付：每名尚欠的劳动者一行金额，一个来源、日期和凭证号；全部写入或都不写入."""
    case = _case(request, pk)
    form = RunForm(request.POST, claims=_owed(case))
    if not form.is_valid():
        return _again(request, case, run_form=form)
    data = form.cleaned_data
    try:
        run = services.payment_run(
            actor=request.user,  # type: ignore[arg-type]
            case=case,
            rows=form.amounts(),
            paid_on=data["paid_on"],
            source=data["source"],
            reference=data["reference"],
            note=data["note"],
        )
    except DomainError as exc:
        form.add_error(exc.field if exc.field in ("paid_on", "source", "reference") else None, exc.message)
        return _again(request, case, run_form=form)
    except PermissionDenied as exc:
        form.add_error(None, _message(exc))
        return _again(request, case, run_form=form)
    messages.success(request, f"已登记批量支付 {run.rows} 人。")
    return _back(case)


@login_required
@permission_required("money.reverse_payment", raise_exception=True)
@require_POST
def payment_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """冲正一笔支付（须说明理由；原记录不变，另记一笔冲正）."""
    payment = payment_get(user=request.user, pk=pk)
    case = payment.case
    form = ReverseForm(request.POST)
    if not form.is_valid():
        return _again(request, case, kept=_kept(request, "reverse", "请填写冲正理由", payment=payment.pk))
    try:
        services.payment_reverse(actor=request.user, payment=payment, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
    except (DomainError, PermissionDenied) as exc:
        return _again(request, case, kept=_kept(request, "reverse", _message(exc), payment=payment.pk))
    messages.success(request, "已冲正该笔支付。")
    return _back(case)


# --- the ledgers' reads (scoped: the cases the user sees) ---------------------------------------------


def payments_seen(user: Any) -> QuerySet[Payment]:
    """Ledger entries of the cases ``user`` sees (a payment is seen with its case)."""
    return Payment.objects.filter(case__in=money_cases(user).values("pk"))


def payment_get(*, user: Any, pk: int) -> Payment:
    found = payments_seen(user).select_related("case", "case__enterprise", "claim").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _owed_expr() -> Any:
    return Coalesce(F("confirmed_amount"), F("amount"))


def claim_list(
    *,
    user: Any,
    q: str = "",
    case: str = "",
    town: str = "",
    status: str = "",
    paid: str = "",
    basis: str = "",
) -> QuerySet[Claim]:
    """Claims across the cases ``user`` sees, newest cases first. ``q``: a name, or a whole ID
    number (matched by its blind index)."""
    rows = Claim.objects.for_user(user).select_related("case", "case__town", "case__enterprise")
    if q:
        number = normalize_id_number(q)
        if len(number) == 18 and number[:17].isdigit():
            rows = rows.filter(id_number_index=blind_index(number, purpose="id_number"))
        else:
            rows = rows.filter(name__contains=q)
    if case:
        rows = rows.filter(case__number__icontains=case)
    if town:
        rows = rows.filter(case__town__code=town)
    if status:
        rows = rows.filter(status=status)
    if paid == "full":
        rows = rows.filter(status=ClaimStatus.CONFIRMED, paid__gte=_owed_expr())
    elif paid == "owed":
        rows = rows.filter(paid__lt=_owed_expr())
    if basis:
        rows = rows.filter(basis=basis)
    return rows.order_by("-case__opened_at", "-case_id", "pk")


def payment_list(
    *,
    user: Any,
    case: str = "",
    source: str = "",
    date_from: Any = None,
    date_to: Any = None,
    town: str = "",
) -> QuerySet[Payment]:
    """Ledger entries (and reversals) of the cases ``user`` sees, latest first."""
    rows = payments_seen(user).select_related("case", "case__town", "claim", "recorded_by", "reverses")
    if case:
        rows = rows.filter(case__number__icontains=case)
    if source:
        rows = rows.filter(source=source)
    if date_from:
        rows = rows.filter(paid_on__gte=date_from)
    if date_to:
        rows = rows.filter(paid_on__lte=date_to)
    if town:
        rows = rows.filter(case__town__code=town)
    return rows.order_by("-paid_on", "-pk")


def _signed(p: Payment) -> int:
    return -p.amount if p.reverses_id else p.amount


CLAIMS = Ledger(
    title="工资清偿台账",
    columns=[
        Column("案件编号", "case.number", 14),
        Column("企业", "case.enterprise.name", 28),
        Column("镇/街道", "case.town.name", 10),
        Column("姓名", "name", 10),
        Column("身份证号", "id_number_masked", 20),
        Column("手机号", "phone_masked", 14),
        Column("欠薪起始月", "period_from", 10, "date", "yyyy-mm"),
        Column("欠薪截止月", "period_to", 10, "date", "yyyy-mm"),
        Column("欠薪月数", "months", 8, "int"),
        Column("认定依据", "get_basis_display", 12),
        Column("申报金额（元）", "amount", 14, "money"),
        Column("确认金额（元）", "confirmed_amount", 14, "money"),
        Column("已付（元）", "paid", 14, "money"),
        Column("尚欠（元）", "outstanding", 14, "money"),
        Column("状态", "get_status_display", 8),
        Column("确认说明", "confirm_note", 24),
    ],
    screen=[
        Header("案件编号", "案件"),
        Header("姓名"),
        Header("身份证号", css="d-none d-md-table-cell"),
        Header("欠薪起始月", "欠薪期间", "d-none d-lg-table-cell"),
        Header("认定依据", "依据", "d-none d-lg-table-cell"),
        Header("申报金额（元）", "申报", "text-end"),
        Header("确认金额（元）", "确认", "text-end"),
        Header("已付（元）", "已付", "text-end"),
        Header("尚欠（元）", "尚欠", "text-end"),
        Header("状态"),
    ],
    filter_form=ClaimFilter,
    select=claim_list,
    permission="money.view_claim",
    export_permission="money.export_money",
    refusal="您的角色不能导出工资清偿台账。",
    template="money/claims_ledger.html",
    partial="money/claims_ledger_table.html",
)
claim_ledger = ledger_view(CLAIMS)


PAYMENTS = Ledger(
    title="工资支付台账",
    columns=[
        Column("支付日期", "paid_on", 12, "date"),
        Column("案件编号", "case.number", 14),
        Column("镇/街道", "case.town.name", 10),
        Column("劳动者", "claim.name", 10),
        Column("来源", "get_source_display", 14),
        Column("金额（元）", _signed, 14, "money"),
        Column("凭证号", "reference", 20),
        Column("类别", lambda p: "冲正" if p.reverses_id else "支付", 6),
        Column("说明", "note", 24),
        Column("登记人", "recorded_by.display_name", 10),
        Column("登记时间", "recorded_at", 17, "datetime"),
    ],
    screen=[
        Header("支付日期", "日期"),
        Header("案件编号", "案件"),
        Header("劳动者"),
        Header("来源"),
        Header("金额（元）", "金额", "text-end"),
        Header("凭证号", css="d-none d-md-table-cell"),
        Header("登记人", "登记", "d-none d-lg-table-cell"),
    ],
    filter_form=PaymentFilter,
    select=payment_list,
    permission="money.view_payment",
    export_permission="money.export_money",
    refusal="您的角色不能导出工资支付台账。",
    template="money/payments_ledger.html",
    partial="money/payments_ledger_table.html",
)
payment_ledger = ledger_view(PAYMENTS)


def menu(user: Any) -> list[seam.MenuItem]:
    """工资清偿台账 and 工资支付台账 under 案件处置, for whoever sees cases' money."""
    from anxin.core.access import scope_of

    if scope_of(user).nothing or not sees_money(user):
        return []
    items: list[seam.MenuItem] = []
    if user.has_perm("money.view_claim"):
        items.append(
            {
                "label": "工资清偿台账",
                "group": "cases",
                "url_name": "claim-ledger",
                "icon": "users",
                "order": 34,
            }
        )
    if user.has_perm("money.view_payment"):
        items.append(
            {
                "label": "工资支付台账",
                "group": "cases",
                "url_name": "payment-ledger",
                "icon": "cash",
                "order": 35,
            }
        )
    return items


def case_payments_url(case: Case) -> str:
    """The payments ledger filtered to one case (the tab lists the latest entries only)."""
    return reverse("payment-ledger") + f"?case={case.number}"
