"""Excel imports of money (``manage.py import claims|payments FILE`` and the import screens): all rows
or none, every problem named by row and column.

- ``claims``: workers' claims on cases (案件编号, 姓名, 身份证号, 手机号, 欠薪起始月, 欠薪截止月, 欠薪月数,
  申报金额（元）, 认定依据), registered per case through ``services.claims_register``.
- ``payments``: a payment run (案件编号, 身份证号, 金额（元）, 支付日期, 来源, 凭证号): the rows of one case
  with the same source, date and reference become one ``services.payment_run``. A worker without a
  claim on that case, or a payment above what they are still owed, is refused naming row and column.

The screens may be opened for one case (``?case=<id>``, from the case's 资金 tab): rows may then leave
案件编号 blank, and a row naming another case is refused."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from anxin.cases.models import Case
from anxin.core.access import is_system
from anxin.core.crypto import blind_index
from anxin.core.errors import DomainError
from anxin.core.importviews import ImportScreen
from anxin.core.models import SecurityEventKind
from anxin.core.money import format_yuan, parse_yuan
from anxin.core.services import security_event_record
from anxin.core.tabular import Column, ImportResult, RowError, read_table, template_bytes
from anxin.core.validators import mask_id_number, validate_id_number
from anxin.core.xlsx import XLSX_TYPE
from anxin.money import services
from anxin.money.claims_forms import parse_month
from anxin.money.models import RECORDABLE_SOURCES, Basis, Claim, money_cases
from anxin.money.services import ClaimInput
from anxin.org.models import User

# --- claims -----------------------------------------------------------------------------------------------

CLAIM_COLUMNS = [
    Column("case", "案件编号", False, "本案件编号；从案件“资金”页进入导入时可留空", "XB-2026-0001"),
    Column("name", "姓名", True, "", "张三"),
    Column(
        "id_number",
        "身份证号",
        True,
        "18位；同一案件中每人只能登记一次。请设为文本格式",
        "320411199001010013",
    ),
    Column("phone", "手机号", False, "11位手机号", "13812345678"),
    Column("period_from", "欠薪起始月", True, "YYYY-MM，如 2026-09", "2026-09"),
    Column("period_to", "欠薪截止月", True, "YYYY-MM，不晚于本月", "2026-11"),
    Column("months", "欠薪月数", False, "留空按起止月计算", "3"),
    Column("amount", "申报金额（元）", True, "以元填写，可带两位小数", "15000.00"),
    Column(
        "basis",
        "认定依据",
        True,
        "、".join(str(b.label) for b in Basis),
        str(Basis.WAGE_LEDGER.label),
    ),
]
CLAIM_HEADER = {c.key: c.header for c in CLAIM_COLUMNS}
# check_claim's field names → the file's columns
_CLAIM_FIELD = {
    "name": "name",
    "id_number": "id_number",
    "phone": "phone",
    "period_from": "period_from",
    "period_to": "period_to",
    "months": "months",
    "amount": "amount",
    "basis": "basis",
}


def claim_template(case: Case | None = None) -> bytes:
    columns = CLAIM_COLUMNS
    if case is not None:
        columns = [
            Column(c.key, c.header, c.required, c.help, case.number) if c.key == "case" else c
            for c in columns
        ]
    return template_bytes(
        title="欠薪名单导入",
        columns=columns,
        notes=[
            "只能为本单位牵头（或联席办）的办理中案件登记欠薪。",
            "身份证号列请保持文本格式，避免 Excel 截断末位。",
        ],
    )


def _choice(text: str, choices: Any, what: str) -> str:
    value = text.strip()
    for code, label in choices:
        if value in (code, str(label)):
            return str(code)
    raise ValidationError(
        _("“%(v)s”不是有效的%(w)s（可选：%(o)s）")
        % {"v": value, "w": what, "o": "、".join(str(label) for _c, label in choices)}
    )


def _cases(
    actor: User, rows: list[tuple[int, dict[str, str]]], case: Case | None, result: ImportResult
) -> dict[int, Case]:
    """Each row's case (by row number): its 案件编号 among the cases the actor sees, or ``case``; a
    row naming none, an unknown one or another case than ``case`` is an error."""
    numbers = {r.get("case", "").strip() for _n, r in rows} - {""}
    found = {c.number: c for c in money_cases(actor).filter(number__in=numbers).select_related("lead_unit")}
    if case is not None:
        found[case.number] = case
    by_row: dict[int, Case] = {}
    header = CLAIM_HEADER["case"]
    for row_no, record in rows:
        number = record.get("case", "").strip()
        if not number:
            if case is None:
                result.errors.append(RowError(row_no, header, _("必填")))
                continue
            number = case.number
        if case is not None and number != case.number:
            result.errors.append(RowError(row_no, header, _("本次导入限于案件 %(n)s") % {"n": case.number}))
            continue
        if number not in found:
            result.errors.append(
                RowError(row_no, header, _("案件 %(n)s 不存在或不在您的范围内") % {"n": number})
            )
            continue
        by_row[row_no] = found[number]
    return by_row


def _case_refusal(case: Case, allowed: bool, what: str) -> str:
    if not case.is_open:
        return _("案件 %(n)s 已结案，不能再%(w)s") % {"n": case.number, "w": what}
    if not allowed:
        return _("您的单位不能为案件 %(n)s %(w)s") % {"n": case.number, "w": what}
    return ""


def claim_import(
    *,
    actor: User,
    content: bytes,
    filename: str,
    dry_run: bool,
    ip: str | None = None,
    case: Case | None = None,
) -> ImportResult:
    """Check every row (the claim rules of ``services.check_claim``, the case, the same worker twice
    in a case); unless a dry run and only if all pass, register every case's claims."""
    if not (is_system(actor) or actor.has_perm("money.add_claim")):
        raise PermissionDenied(_("您的角色不能登记欠薪"))
    rows = read_table(content, filename, CLAIM_COLUMNS)
    result = ImportResult(total=len(rows), dry_run=dry_run)
    cases = _cases(actor, rows, case, result)
    today = timezone.localdate()
    refusals: dict[int, str] = {}
    existing: dict[int, set[str]] = defaultdict(set)
    for claim_case, index in Claim.objects.filter(case__in={c.pk for c in cases.values()}).values_list(
        "case_id", "id_number_index"
    ):
        existing[claim_case].add(index)
    seen: dict[tuple[int, str], int] = {}
    planned: dict[int, list[ClaimInput]] = defaultdict(list)
    for row_no, record in rows:
        row_case = cases.get(row_no)
        if row_case is not None and row_case.pk not in refusals:
            refusals[row_case.pk] = _case_refusal(
                row_case, services.may_register(actor, row_case), _("登记欠薪")
            )
        if row_case is not None and refusals[row_case.pk]:
            result.errors.append(RowError(row_no, CLAIM_HEADER["case"], refusals[row_case.pk]))
            continue
        problems: dict[str, str] = {}
        row = ClaimInput(
            name=record.get("name", ""),
            id_number=record.get("id_number", ""),
            phone=record.get("phone", ""),
            period_from=None,
            period_to=None,
            amount=0,
            basis="",
        )
        for key in ("period_from", "period_to"):
            if record.get(key, "").strip():
                try:
                    setattr(row, key, parse_month(record[key]))
                except ValidationError as exc:
                    problems[key] = exc.messages[0]
        months = record.get("months", "").strip()
        if months:
            if months.isdigit() and 0 < int(months) < 1000:
                row.months = int(months)
            else:
                problems["months"] = _("“%(v)s”不是正整数") % {"v": months}
        try:
            row.amount = parse_yuan(record.get("amount", "").strip() or None, allow_zero=False, spoken=True)
        except ValidationError as exc:
            problems["amount"] = exc.messages[0]
        if record.get("basis", "").strip():
            try:
                row.basis = _choice(record["basis"], Basis.choices, _("认定依据"))
            except ValidationError as exc:
                problems["basis"] = exc.messages[0]
        checked = services.check_claim(row, today=today)
        for name, message in checked.items():
            if name in ("amount", "basis") and name in problems:
                continue
            if name in ("period_from", "period_to") and name in problems:
                continue
            problems.setdefault(name, message)
        if row_case is not None and "id_number" not in problems:
            index = blind_index(row.id_number, purpose="id_number")
            if index in existing[row_case.pk]:
                problems["id_number"] = _("该劳动者在案件 %(n)s 已登记") % {"n": row_case.number}
            elif (row_case.pk, index) in seen:
                problems["id_number"] = _("与第 %(n)d 行重复（同一案件每人只能登记一次）") % {
                    "n": seen[(row_case.pk, index)]
                }
            else:
                seen[(row_case.pk, index)] = row_no
        for name, message in problems.items():
            result.errors.append(RowError(row_no, CLAIM_HEADER[_CLAIM_FIELD.get(name, name)], message))
        if problems or row_case is None:
            continue
        planned[row_case.pk].append(row)
        result.preview.append(
            {
                "row": row_no,
                "case": row_case.number,
                "name": row.name,
                "id_number": mask_id_number(row.id_number),
                "amount": format_yuan(row.amount),
                "action": "新增",
            }
        )
    result.errors.sort(key=lambda e: e.row)
    if result.errors or dry_run:
        return result
    by_pk = {c.pk: c for c in cases.values()}
    with transaction.atomic():
        for case_pk, inputs in planned.items():
            try:
                services.claims_register(actor=actor, case=by_pk[case_pk], rows=inputs)
            except DomainError as exc:  # changed since the check (another user registered the same worker)
                transaction.set_rollback(True)
                result.errors.append(RowError(result.preview[0]["row"], "", exc.message))
                result.created = 0
                return result
            result.created += len(inputs)
        security_event_record(
            kind=SecurityEventKind.IMPORT,
            user=actor,
            ip=ip,
            summary=f"导入欠薪名单 {filename}：{result.created} 人，{len(planned)} 个案件",
            detail={
                "filename": filename,
                "rows": result.total,
                "cases": sorted(c.number for c in by_pk.values()),
            },
        )
    return result


# --- payments ------------------------------------------------------------------------------------------------

PAYMENT_COLUMNS = [
    Column("case", "案件编号", False, "本案件编号；从案件“资金”页进入导入时可留空", "XB-2026-0001"),
    Column("id_number", "身份证号", True, "已在该案件登记欠薪的劳动者。请设为文本格式", "320411199001010013"),
    Column("amount", "金额（元）", True, "本次支付金额，不超过该劳动者尚欠金额", "5000.00"),
    Column("paid_on", "支付日期", True, "YYYY-MM-DD，不晚于今天", "2026-12-01"),
    Column("source", "来源", True, "、".join(str(s.label) for s in RECORDABLE_SOURCES), "企业自行支付"),
    Column(
        "reference",
        "凭证号",
        False,
        "银行回单号、执行款编号等；同一案件、来源、日期和凭证号的行合为一次批量支付",
        "",
    ),
]
PAYMENT_HEADER = {c.key: c.header for c in PAYMENT_COLUMNS}


def payment_template(case: Case | None = None) -> bytes:
    columns = PAYMENT_COLUMNS
    if case is not None:
        columns = [
            Column(c.key, c.header, c.required, c.help, case.number) if c.key == "case" else c
            for c in columns
        ]
    return template_bytes(
        title="批量支付导入",
        columns=columns,
        notes=[
            "同一案件、来源、支付日期和凭证号的各行登记为一次批量支付；全部通过校验才登记。",
            "某人的金额超过其尚欠金额、或该人未在该案件登记欠薪时，整份文件不登记。",
        ],
    )


def _date(text: str) -> datetime.date:
    value = text.strip().replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise ValidationError(_("日期格式应为 YYYY-MM-DD，如 2026-12-01")) from None


def payment_import(
    *,
    actor: User,
    content: bytes,
    filename: str,
    dry_run: bool,
    ip: str | None = None,
    case: Case | None = None,
) -> ImportResult:
    """Check every row (the case, the worker's claim on it, the amount against what the worker is
    still owed — less what earlier rows of the file pay them —, the date and the source); unless a
    dry run and only if all pass, record one payment run per case, source, date and reference."""
    if not (is_system(actor) or actor.has_perm("money.add_payment")):
        raise PermissionDenied(_("您的角色不能登记支付"))
    rows = read_table(content, filename, PAYMENT_COLUMNS)
    result = ImportResult(total=len(rows), dry_run=dry_run)
    cases = _cases(actor, rows, case, result)
    indexes: dict[int, str] = {}
    today = timezone.localdate()
    for row_no, record in rows:
        try:
            number = validate_id_number(record.get("id_number", ""), today=today)
        except ValidationError as exc:
            result.errors.append(RowError(row_no, PAYMENT_HEADER["id_number"], exc.messages[0]))
            continue
        indexes[row_no] = blind_index(number, purpose="id_number")
    claims = {
        (c.case_id, c.id_number_index): c
        for c in Claim.objects.filter(
            case__in={c.pk for c in cases.values()}, id_number_index__in=set(indexes.values())
        )
    }
    refusals: dict[int, str] = {}
    left: dict[int, int] = {}  # what each claim is still owed after the rows above
    groups: dict[tuple[int, str, datetime.date, str], list[tuple[int, Claim, int]]] = defaultdict(list)
    for row_no, record in rows:
        row_case = cases.get(row_no)
        if row_case is None:
            continue
        if row_case.pk not in refusals:
            refusals[row_case.pk] = _case_refusal(row_case, services.may_pay(actor, row_case), _("登记支付"))
        if refusals[row_case.pk]:
            result.errors.append(RowError(row_no, PAYMENT_HEADER["case"], refusals[row_case.pk]))
            continue
        problems: dict[str, str] = {}
        claim = None
        if row_no in indexes:
            claim = claims.get((row_case.pk, indexes[row_no]))
            if claim is None:
                problems["id_number"] = _("该劳动者在案件 %(n)s 没有登记欠薪") % {"n": row_case.number}
        amount = 0
        try:
            amount = parse_yuan(record.get("amount", "").strip() or None, allow_zero=False, spoken=True)
        except ValidationError as exc:
            problems["amount"] = exc.messages[0]
        paid_on = None
        if not record.get("paid_on", "").strip():
            problems["paid_on"] = _("必填")
        else:
            try:
                paid_on = _date(record["paid_on"])
                if paid_on > today:
                    problems["paid_on"] = _("支付日期不能晚于今天")
            except ValidationError as exc:
                problems["paid_on"] = exc.messages[0]
        source = ""
        try:
            source = _choice(
                record.get("source", ""), [(s.value, s.label) for s in RECORDABLE_SOURCES], _("来源")
            )
        except ValidationError as exc:
            problems["source"] = exc.messages[0]
        if claim is not None and "amount" not in problems:
            still = left.setdefault(claim.pk, claim.outstanding)
            if amount > still:
                problems["amount"] = _("支付 ¥%(a)s 超过 %(n)s 尚欠的 ¥%(o)s") % {
                    "a": format_yuan(amount),
                    "n": claim.name,
                    "o": format_yuan(still),
                }
            else:
                left[claim.pk] = still - amount
        reference = record.get("reference", "").strip()[:100]
        key = (row_case.pk, source, paid_on, reference)
        if claim is not None and not problems and any(c.pk == claim.pk for _r, c, _a in groups.get(key, [])):  # type: ignore[arg-type]
            first = next(r for r, c, _a in groups[key] if c.pk == claim.pk)  # type: ignore[index]
            problems["id_number"] = _("与第 %(n)d 行是同一次支付中的同一劳动者，请合并为一行") % {"n": first}
        for name, message in problems.items():
            result.errors.append(RowError(row_no, PAYMENT_HEADER[name], message))
        if problems or claim is None or paid_on is None:
            continue
        groups[key].append((row_no, claim, amount))  # type: ignore[index]
        result.preview.append(
            {
                "row": row_no,
                "case": row_case.number,
                "name": claim.name,
                "id_number": claim.id_number_masked,
                "amount": format_yuan(amount),
                "action": "支付",
            }
        )
    result.errors.sort(key=lambda e: e.row)
    if result.errors or dry_run:
        return result
    by_pk = {c.pk: c for c in cases.values()}
    with transaction.atomic():
        for (case_pk, source, paid_on, reference), items in groups.items():
            try:
                services.payment_run(
                    actor=actor,
                    case=by_pk[case_pk],
                    rows=[(claim, amount) for _r, claim, amount in items],
                    paid_on=paid_on,
                    source=source,
                    reference=reference,
                    note=f"导入 {filename}"[:500],
                )
            except DomainError as exc:  # changed since the check (a payment recorded meanwhile)
                transaction.set_rollback(True)
                column = PAYMENT_HEADER.get(exc.field or "", "")
                result.errors.append(RowError(items[0][0], column, exc.message))
                result.created = 0
                return result
            result.created += len(items)
        security_event_record(
            kind=SecurityEventKind.IMPORT,
            user=actor,
            ip=ip,
            summary=f"导入批量支付 {filename}：{result.created} 笔，{len(groups)} 次支付",
            detail={"filename": filename, "rows": result.total, "runs": len(groups)},
        )
    return result


# --- the import screens -------------------------------------------------------------------------------------


class MoneyImportForm(forms.Form):
    file = forms.FileField(label="导入文件", help_text="Excel（.xlsx）或 CSV，请使用下载的模板")
    case = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_case(self) -> Case | None:
        pk = self.cleaned_data.get("case")
        if not pk:
            return None
        case = money_cases(self.user).filter(pk=pk).first()
        if case is None:  # shown above the form: the field itself is hidden
            self.add_error(None, _("案件不存在或不在您的范围内"))
        return case


class _CaseImport(ImportScreen):
    """An import that may be opened for one case (``?case=<id>``, kept until the confirm)."""

    form_class = MoneyImportForm
    kind_label = ""
    ledger_url = ""

    def form_kwargs(self, request: HttpRequest) -> dict:
        kwargs: dict = {"user": request.user}
        if request.method == "GET" and request.GET.get("case", "").isdigit():
            kwargs["initial"] = {"case": int(request.GET["case"])}
        return kwargs

    def options(self, form: Any) -> dict:
        return {"case": form.cleaned_data.get("case")}

    def keep(self, options: dict) -> dict:
        return {"case": options["case"].pk if options.get("case") else None}

    def restore(self, request: HttpRequest, pending: dict) -> dict:
        pk = pending.get("case")
        if not pk:
            return {"case": None}
        case = money_cases(request.user).filter(pk=pk).first()
        if case is None:
            raise PermissionDenied
        return {"case": case}

    def finished(self, result: ImportResult, options: dict) -> tuple[str, str]:
        case = options.get("case")
        url = reverse("case-detail", args=[case.pk]) + "?tab=money" if case else reverse(self.ledger_url)
        return f"导入完成：{self.kind_label} {result.created} 条。", url

    def download(self, request):
        case = None
        if request.GET.get("case", "").isdigit():
            case = money_cases(request.user).filter(pk=int(request.GET["case"])).first()
        response = HttpResponse(self.sample_for(case), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=self.sample_filename
        )
        return response

    def sample_for(self, case: Case | None) -> bytes:
        raise NotImplementedError


class ClaimImport(_CaseImport):
    key = "money_claim_import_pending"
    permission = "money.add_claim"
    template = "money/claims_import.html"
    page_title = "导入欠薪名单"
    url_name = "claim-import"
    sample_filename = "欠薪名单导入模板.xlsx"
    kind_label = "登记欠薪"
    ledger_url = "claim-ledger"
    importer = staticmethod(claim_import)
    sample = staticmethod(claim_template)

    def sample_for(self, case: Case | None) -> bytes:
        return claim_template(case)


class PaymentImport(_CaseImport):
    key = "money_payment_import_pending"
    permission = "money.add_payment"
    template = "money/payments_import.html"
    page_title = "导入批量支付"
    url_name = "payment-import"
    sample_filename = "批量支付导入模板.xlsx"
    kind_label = "登记支付"
    ledger_url = "payment-ledger"
    importer = staticmethod(payment_import)
    sample = staticmethod(payment_template)

    def sample_for(self, case: Case | None) -> bytes:
        return payment_template(case)


claim_import_view, claim_import_confirm, claim_import_template = ClaimImport().views()
payment_import_view, payment_import_confirm, payment_import_template = PaymentImport().views()
