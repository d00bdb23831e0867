"""The joint-punishment list's procedure (失信联合惩戒对象名单, 暂行办法; §三(七) 人社局 黑名单).

拟列入 (by hand, or proposed by ``tick`` from a case that meets a condition) → 告知书送达 (the defence
period starts) → 陈述申辩 recorded and answered → 列入 / 不予列入 (never before the period ends) → the
term (``blacklist.years``) → 期满移出 by ``tick``, or 提前移出 on application (after
``blacklist.early_removal_months``, arrears paid, a written credit pledge). A listed enterprise that
defaults again has its term restarted (``blacklist.restart_on_redefault``).

Each write: who may (``credit.access.may_decide``), one transaction, the status through
``credit.workflow.LISTING`` with its event row, the notices after commit. A refusal names the rule
and its clause, and the figures it was judged on."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from anxin.cases.actions import referral_check
from anxin.cases.models import ActionKind, ActionStatus, Case, Incident, LegalAction
from anxin.cases.services.common import office_unit_ids
from anxin.core import seam
from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.crypto import blind_index
from anxin.core.deadlines import working_days_after
from anxin.core.errors import DomainError
from anxin.core.events import publish
from anxin.core.files import atomic_with_files, file_store
from anxin.core.money import format_yuan
from anxin.core.policy import param_record
from anxin.core.uploads import DOCUMENTS
from anxin.core.validators import mask_id_number, validate_id_number
from anxin.credit import access
from anxin.credit.models import (
    CONDITION_CITATIONS,
    LIST_RULES,
    OPEN_LISTING,
    Condition,
    CreditFile,
    Defence,
    ListedPerson,
    Listing,
    ListingEvent,
    ListingOrigin,
    ListingStatus,
    PersonRole,
    RemovalApplication,
    RemovalStatus,
    TaskKind,
)
from anxin.credit.services.sanctions import sanction_tasks_open
from anxin.credit.workflow import (
    ANSWER,
    APPLY_REMOVAL,
    DEFENCE,
    DROP,
    EXPIRE,
    GRANT,
    LIST,
    LISTING,
    NOT_LIST,
    PERSON,
    PROPOSE,
    REFUSE,
    REMOVAL,
    REMOVE,
    RESTART,
)
from anxin.notify.services import notify_units
from anxin.org.models import User
from anxin.registry.models import Enterprise

YEARS = "blacklist.years"
EARLY_MONTHS = "blacklist.early_removal_months"
DEFENCE_DAYS = "blacklist.defence_working_days"
REMOVAL_DAYS = "blacklist.removal_decision_working_days"
RESTART_ON_REDEFAULT = "blacklist.restart_on_redefault"

# The clauses a refusal names (暂行办法, 人社部令第45号).
RULE_CONDITIONS = f"《{LIST_RULES}》第五条（列入条件）"
RULE_NOTICE = f"《{LIST_RULES}》（作出列入决定前书面告知，当事人享有陈述、申辩的权利）"
RULE_PERSONS = f"《{LIST_RULES}》第五条（将用人单位及其法定代表人或者主要负责人、直接负责的主管人员和其他直接责任人员一并列入）"
RULE_TERM = f"《{LIST_RULES}》（名单管理期限）"
RULE_REMOVAL = f"《{LIST_RULES}》（提前移出：改正违法行为满规定期限并作出书面信用承诺）"

SERVICE_METHODS = ["直接送达", "留置送达", "邮寄送达", "电子送达", "委托送达", "公告送达"]

DECIDERS_ONLY = "只有区人社局和联席办可以办理失信联合惩戒名单（其他单位在本单位范围内只读）"


@dataclass(frozen=True)
class Paper:
    """An uploaded paper as the services take it: its name as uploaded and its bytes."""

    name: str
    content: bytes


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _guard(actor: User) -> None:
    if not access.may_decide(actor):
        raise PermissionDenied(DECIDERS_ONLY)


def _text(value: Any, field: str, what: str, *, limit: int = 2000) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(f"请填写{what}", field=field)
    if len(text) > limit:
        raise DomainError(f"{what}不超过 {limit} 字", field=field)
    return text


def _param(code: str, on: datetime.date) -> tuple[Any, dict]:
    """A parameter's value on ``on`` and what the record keeps of it (value, citation, since)."""
    record = param_record(code, on=on)
    return record.typed_value, {
        "code": code,
        "value": str(record.value),
        "name": record.name,
        "citation": record.citation,
        "since": f"{record.effective_from:%Y-%m-%d}",
    }


def _day(day: datetime.date) -> str:
    return f"{day:%Y-%m-%d}"


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same date ``years`` later (29 February → 1 March when the year has none)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)


def term_of(start: datetime.date, on: datetime.date | None = None) -> tuple[datetime.date, str]:
    """The last day (inclusive) of a term starting ``start``: the same date ``blacklist.years``
    later, minus one day — and the words that say why."""
    years, info = _param(YEARS, on or start)
    end = add_years(start, int(years)) - datetime.timedelta(days=1)
    basis = f"{info['citation']}：{years} 年（参数 {YEARS}={years}），自 {_day(start)} 起至 {_day(end)} 止"
    return end, basis[:300]


def early_removal_from(listing: Listing) -> tuple[datetime.date, dict]:
    """The first day an early removal may be applied for: the term's start plus
    ``blacklist.early_removal_months``."""
    from anxin.monitoring.rules import add_months

    assert listing.term_start is not None
    months, info = _param(EARLY_MONTHS, listing.term_start)
    return add_months(listing.term_start, int(months)), info


def _notify(listing: Listing, subject: str, body: str = "", *, units: list[int] | None = None) -> None:
    ids = units if units is not None else [u.pk for u in access.authority_units()] + office_unit_ids()
    notify_units(
        unit_ids=ids,
        subject=f"{listing.number} {subject}",
        body=body,
        url=reverse("credit-listing", args=[listing.pk]),
        topic="credit-listing",
        about=listing.enterprise.name,
    )


def _changed(listing: Listing) -> None:
    publish(seam.CREDIT_CHANGED, enterprise_ids=[listing.enterprise_id])


# --- the conditions -----------------------------------------------------------------------------------


def condition_check(case: Case, condition: str, *, on: datetime.date | None = None) -> dict:
    """Whether ``case`` meets ``condition`` on ``on``, as recorded on the listing: ``met``, the lines
    (each figure with what it must reach), the parameters (value, citation), the records it rests on
    (the lapsed order, the referral, the incident) and the clause."""
    on = on or timezone.localdate()
    records: dict[str, Any] = {"case": case.pk, "case_number": case.number}
    lapsed = (
        LegalAction.objects.filter(case=case, kind=ActionKind.ORDER, status=ActionStatus.LAPSED)
        .order_by("pay_by", "pk")
        .first()
    )
    lines: list[str] = []
    params: list[dict] = []
    if lapsed is not None:
        records["order"] = lapsed.pk
        lines.append(
            f"案件 {case.number}：责令限期支付（{lapsed.reference or '#' + str(lapsed.pk)}）"
            f"限 {_day(lapsed.pay_by)} 前支付，逾期未支付（拒不履行）"
            if lapsed.pay_by
            else f"案件 {case.number}：责令限期支付（{lapsed.reference or '#' + str(lapsed.pk)}）逾期未支付"
        )
    else:
        lines.append(f"案件 {case.number}：尚无逾期未履行的责令限期支付（列入须经责令限期支付而逾期未支付）")
    if condition == Condition.ORDER_THRESHOLD:
        referral = (
            LegalAction.objects.filter(case=case, kind=ActionKind.REFERRAL)
            .exclude(status__in=[ActionStatus.REFUSED, ActionStatus.CANCELLED])
            .order_by("-pk")
            .first()
        )
        checked = (referral.conditions or {}) if referral is not None else {}
        if referral is not None and checked.get("met"):
            records["referral"] = referral.pk
            lines.append(f"已移送公安（#{referral.pk}），移送时核查达到拒不支付劳动报酬罪数额标准：")
            lines.extend(line for line in checked.get("lines", []) if not line.startswith("责令限期支付"))
            params.extend(checked.get("params", []))
            met = lapsed is not None
        else:
            verdict = referral_check(
                case=case,
                workers=case.workers,
                total=case.amount_claimed,
                single_months=0,
                single_amount=0,
                on=on,
            )
            lines.append(
                f"按案件登记的涉及人数 {case.workers} 人、欠薪金额 ¥{format_yuan(case.amount_claimed)} 核查数额标准："
            )
            lines.extend(line for line in verdict.lines if line.startswith(("单人标准", "多人标准")))
            params.extend(verdict.params)
            met = verdict.met  # the threshold and a lapsed order (referral_check asks both)
    elif condition == Condition.ORDER_INCIDENT:
        incident = (
            Incident.objects.filter(
                case=case, kind__in=[Incident.Kind.MASS, Incident.Kind.EXTREME], serious=True
            )
            .order_by("occurred_at", "pk")
            .first()
        )
        if incident is not None:
            records["incident"] = incident.pk
            when = timezone.localtime(incident.occurred_at)
            lines.append(
                f"{when:%Y-%m-%d} 在{incident.place}发生{incident.get_kind_display()}"
                f"（{incident.people} 人），登记为造成严重不良社会影响"
            )
        else:
            lines.append("案件未登记造成严重不良社会影响的群体性事件或极端事件")
        met = lapsed is not None and incident is not None
    else:
        raise DomainError(
            f"列入失信联合惩戒名单须选择列入条件（{RULE_CONDITIONS}），不得以其他理由列入",
            field="condition",
        )
    return {
        "met": met,
        "condition": condition,
        "clause": CONDITION_CITATIONS[condition],
        "lines": lines,
        "params": params,
        "records": records,
        "on": _day(on),
    }


def case_conditions(case: Case, *, on: datetime.date | None = None) -> list[dict]:
    """Both conditions checked against ``case`` (the case page's 失信惩戒 tab)."""
    return [condition_check(case, c, on=on) for c in Condition.values]


def _refusal(check: dict) -> DomainError:
    label = Condition(check["condition"]).label
    return DomainError(
        f"不符合列入条件“{label}”（{check['clause']}）：" + "；".join(check["lines"]),
        field="condition",
        code="guard",
    )


def _next_number(year: int) -> str:
    prefix = f"XB-SX-{year}-"
    last = (
        Listing.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:04d}"


def _open_refusal(enterprise: Enterprise) -> DomainError | None:
    current = Listing.objects.filter(enterprise=enterprise, status__in=OPEN_LISTING).first()
    if current is None:
        return None
    return DomainError(
        f"{enterprise.name} 已有进行中的列入程序或在列名单 {current.number}（{current.get_status_display()}），"
        "同一企业同时只能有一个列入程序",
        field="enterprise",
        code="conflict",
    )


# --- 拟列入 ------------------------------------------------------------------------------------------


def listing_propose(
    *,
    actor: User,
    condition: str,
    reasons: str,
    enterprise: Enterprise | None = None,
    case: Case | None = None,
    persons: tuple[dict, ...] | list[dict] = (),
    origin: str = ListingOrigin.MANUAL,
    now: datetime.datetime | None = None,
) -> Listing:
    """Propose listing an enterprise on a condition, checked against its cases' records (``case``:
    that case; else the enterprise's cases, the first that meets it). ``persons``: dicts of
    ``role``, ``name``, ``id_number`` listed with it."""
    _guard(actor)
    now = _now(now)
    today = timezone.localdate(now)
    if not condition:
        raise DomainError(
            f"列入失信联合惩戒名单须选择列入条件（{RULE_CONDITIONS}），不得以其他理由列入", field="condition"
        )
    if condition not in Condition.values:
        raise DomainError(f"列入条件“{condition}”不是{RULE_CONDITIONS}规定的条件", field="condition")
    reasons = _text(reasons, "reasons", "提出理由")
    if case is None and enterprise is None:
        raise DomainError("请指明企业（统一社会信用代码）或案件", field="enterprise")
    if case is not None:
        if enterprise is not None and case.enterprise_id != enterprise.pk:
            raise DomainError(f"案件 {case.number} 不是 {enterprise.name} 的案件", field="case")
        enterprise = case.enterprise
        check = condition_check(case, condition, on=today)
    else:
        assert enterprise is not None
        cases = list(Case.objects.filter(enterprise=enterprise).order_by("pk"))
        if not cases:
            raise DomainError(
                f"{enterprise.name} 没有案件记录：列入须经责令限期支付而逾期未支付（{RULE_CONDITIONS}）",
                field="enterprise",
                code="guard",
            )
        checks = [condition_check(c, condition, on=today) for c in cases]
        check = next((c for c in checks if c["met"]), checks[-1])
        case = next(c for c in cases if c.pk == check["records"]["case"])
    if not check["met"]:
        raise _refusal(check)
    with atomic_with_files(), acting(actor):
        list(Enterprise.objects.select_for_update().filter(pk=enterprise.pk).values_list("pk"))
        if (refusal := _open_refusal(enterprise)) is not None:
            raise refusal
        listing = None
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    listing = Listing.objects.create(
                        number=_next_number(today.year),
                        enterprise=enterprise,
                        case=case,
                        condition=condition,
                        condition_check=check,
                        origin=origin,
                        reasons=reasons,
                        proposed_at=now,
                        proposed_by=actor,
                    )
                break
            except IntegrityError:
                if (refusal := _open_refusal(enterprise)) is not None:
                    raise refusal from None
        if listing is None:
            raise DomainError("编号分配冲突，请重试", code="conflict")
        LISTING.record(
            listing,
            PROPOSE,
            actor=actor,
            at=now,
            note=f"{ListingOrigin(origin).label}：{Condition(condition).label}（{check['clause']}）；{reasons}",
            ref=f"case:{case.pk}",
        )
        for person in persons:
            listed_person_add(actor=actor, listing=listing, now=now, **person)
        _notify(
            listing,
            f"拟列入失信联合惩戒名单：{enterprise.name}",
            f"{ListingOrigin(origin).label}，条件：{Condition(condition).label}。请制作并送达拟列入告知书。",
        )
    return listing


def listings_propose_auto(*, now: datetime.datetime | None = None) -> int:
    """``tick``: propose (origin ``auto``) every case that meets a condition — once per case (a case
    whose procedure ended, whatever the end, is never proposed again), never while the enterprise
    has a procedure under way."""
    now = _now(now)
    today = timezone.localdate(now)
    actor = system_actor()
    proposed = Listing.objects.filter(case__isnull=False).values("case_id")
    busy = Listing.objects.filter(status__in=OPEN_LISTING).values("enterprise_id")
    cases = (
        Case.objects.filter(actions__kind=ActionKind.ORDER, actions__status=ActionStatus.LAPSED)
        .exclude(pk__in=proposed)
        .exclude(enterprise_id__in=busy)
        .select_related("enterprise")
        .distinct()
        .order_by("pk")
    )
    count = 0
    for case in cases:
        for condition in Condition.values:
            check = condition_check(case, condition, on=today)
            if not check["met"]:
                continue
            try:
                listing_propose(
                    actor=actor,
                    condition=condition,
                    reasons=f"案件 {case.number} 符合列入条件：" + "；".join(check["lines"]),
                    case=case,
                    origin=ListingOrigin.AUTO,
                    now=now,
                )
            except DomainError:
                break  # another procedure of this enterprise began meanwhile
            count += 1
            break
    return count


# --- 告知、陈述申辩 -------------------------------------------------------------------------------------


def _store_paper(actor: User, paper: Paper | None, kind: str, field: str) -> CreditFile | None:
    if paper is None:
        return None
    return file_store(
        record=CreditFile(kind=kind),
        actor=actor,
        name=paper.name,
        content=paper.content,
        field=field,
        allowed=DOCUMENTS,
    )


def listing_serve_notice(
    *,
    actor: User,
    listing: Listing,
    served_on: datetime.date,
    reference: str,
    method: str,
    issued_on: datetime.date | None = None,
    proof: Paper | None = None,
    now: datetime.datetime | None = None,
) -> Listing:
    """The 拟列入告知书 served: its number, dates and method; the defence period runs
    ``blacklist.defence_working_days`` working days from the day after service."""
    _guard(actor)
    now = _now(now)
    today = timezone.localdate(now)
    reference = _text(reference, "reference", "告知书文号", limit=60)
    if method not in SERVICE_METHODS:
        raise DomainError("送达方式须为：" + "、".join(SERVICE_METHODS), field="method")
    if served_on is None:
        raise DomainError("请填写送达日期", field="served_on")
    if served_on > today:
        raise DomainError(f"送达日期 {_day(served_on)} 不能晚于今天", field="served_on")
    proposed_on = timezone.localdate(listing.proposed_at)
    if served_on < proposed_on:
        raise DomainError(
            f"送达日期 {_day(served_on)} 不能早于提出拟列入的日期 {_day(proposed_on)}", field="served_on"
        )
    issued_on = issued_on or served_on
    if issued_on > served_on or issued_on < proposed_on:
        raise DomainError(
            f"告知书作出日期须在提出拟列入（{_day(proposed_on)}）与送达（{_day(served_on)}）之间",
            field="issued_on",
        )
    step = LISTING.step(listing, "serve")
    days, info = _param(DEFENCE_DAYS, served_on)
    due, note = working_days_after(served_on, int(days))
    basis = (
        f"{info['citation']}：自送达之次日起 {days} 个工作日（参数 {DEFENCE_DAYS}={days}），至 {_day(due)}{note}"
    )[:300]
    with atomic_with_files(), acting(actor):
        stored = _store_paper(actor, proof, CreditFile.Kind.SERVICE, "proof")
        LISTING.move(
            listing,
            step,
            actor=actor,
            now=now,
            note=f"{reference}，{_day(served_on)} {method}；陈述申辩期限至 {_day(due)}",
            values={
                "notice_reference": reference,
                "notice_issued_on": issued_on,
                "notice_served_on": served_on,
                "service_method": method,
                "service_proof": stored,
                "defence_due": due,
                "defence_basis": basis,
            },
        )
        _notify(listing, "拟列入告知书已送达", f"陈述申辩期限至 {_day(due)}（{basis}）。")
    return listing


def defence_record(
    *,
    actor: User,
    listing: Listing,
    received_on: datetime.date,
    summary: str,
    paper: Paper | None = None,
    now: datetime.datetime | None = None,
) -> Defence:
    """A 陈述申辩 received within the period (after it, refused naming the last day)."""
    _guard(actor)
    now = _now(now)
    today = timezone.localdate(now)
    summary = _text(summary, "summary", "陈述申辩内容", limit=5000)
    if listing.status != ListingStatus.NOTICED:
        raise DomainError(
            f"名单处于“{listing.get_status_display()}”状态：陈述申辩在拟列入告知书送达后、作出决定前登记",
            code="transition",
        )
    if received_on is None:
        raise DomainError("请填写收到日期", field="received_on")
    if received_on > today:
        raise DomainError(f"收到日期 {_day(received_on)} 不能晚于今天", field="received_on")
    assert listing.notice_served_on is not None and listing.defence_due is not None
    if received_on < listing.notice_served_on:
        raise DomainError(
            f"收到日期 {_day(received_on)} 不能早于告知书送达日期 {_day(listing.notice_served_on)}",
            field="received_on",
        )
    if received_on > listing.defence_due:
        raise DomainError(
            f"陈述申辩期限已于 {_day(listing.defence_due)} 届满（{listing.defence_basis}），"
            f"{_day(received_on)} 收到的陈述申辩已逾期，不予登记（{RULE_NOTICE}）",
            field="received_on",
            code="guard",
        )
    with atomic_with_files(), acting(actor):
        stored = _store_paper(actor, paper, CreditFile.Kind.DEFENCE, "paper")
        defence = Defence.objects.create(
            listing=listing,
            received_on=received_on,
            summary=summary,
            paper=stored,
            recorded_by=actor,
            recorded_at=now,
        )
        LISTING.record(
            listing,
            DEFENCE,
            actor=actor,
            at=now,
            note=f"{_day(received_on)} 收到陈述申辩：{summary[:200]}",
            ref=f"defence:{defence.pk}",
        )
        _notify(listing, "收到陈述申辩", "作出决定前须复核答复。")
    return defence


def defence_answer(
    *,
    actor: User,
    defence: Defence,
    adopted: bool,
    answer: str,
    answered_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Defence:
    """The answer to a defence: adopted or not, and why (before the decision)."""
    _guard(actor)
    now = _now(now)
    today = timezone.localdate(now)
    answer = _text(answer, "answer", "复核意见", limit=5000)
    listing = defence.listing
    if listing.status != ListingStatus.NOTICED:
        raise DomainError(
            f"名单处于“{listing.get_status_display()}”状态，不能再复核陈述申辩", code="transition"
        )
    answered_on = answered_on or today
    if answered_on > today or answered_on < defence.received_on:
        raise DomainError(
            f"复核日期须在收到申辩（{_day(defence.received_on)}）与今天之间", field="answered_on"
        )
    with transaction.atomic(), acting(actor):
        touched = guarded_update(
            Defence.objects.filter(answered_on__isnull=True),
            defence.pk,
            answer=answer,
            adopted=bool(adopted),
            answered_on=answered_on,
            answered_by=actor,
        )
        if touched != 1:
            raise DomainError("该陈述申辩已复核答复", code="conflict")
        LISTING.record(
            listing,
            ANSWER,
            actor=actor,
            at=now,
            note=f"{'采纳' if adopted else '不予采纳'}（{_day(defence.received_on)} 的陈述申辩）：{answer[:200]}",
            ref=f"defence:{defence.pk}",
        )
    defence.refresh_from_db()
    return defence


# --- 列入人员 ----------------------------------------------------------------------------------------


def listed_person_add(
    *,
    actor: User,
    listing: Listing,
    role: str,
    name: str,
    id_number: str,
    now: datetime.datetime | None = None,
) -> ListedPerson:
    """A person listed with the enterprise (before the decision): role, name, ID number (checked,
    kept encrypted with its blind index, shown masked)."""
    _guard(actor)
    now = _now(now)
    if listing.status not in (ListingStatus.PROPOSED, ListingStatus.NOTICED):
        raise DomainError("列入人员须在作出决定前登记", code="transition")
    if role not in PersonRole.values:
        raise DomainError("请选择人员身份", field="role")
    name = _text(name, "name", "姓名", limit=50)
    try:
        number = validate_id_number(id_number, today=timezone.localdate(now))
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), field="id_number") from None
    index = blind_index(number, purpose="id_number")
    if ListedPerson.objects.filter(listing=listing, id_number_index=index).exists():
        raise DomainError(f"身份证号码 {mask_id_number(number)} 的人员已在该名单中", field="id_number")
    with transaction.atomic(), acting(actor):
        person = ListedPerson.objects.create(
            listing=listing,
            role=role,
            name=name,
            id_number=number,
            id_number_index=index,
            added_by=actor,
            added_at=now,
        )
        LISTING.record(
            listing,
            PERSON,
            actor=actor,
            at=now,
            note=f"登记列入人员：{person.get_role_display()} {name}（{mask_id_number(number)}）",
            ref=f"person:{person.pk}",
        )
    return person


def listed_person_remove(
    *, actor: User, person: ListedPerson, reason: str, now: datetime.datetime | None = None
) -> None:
    """Take a person off a listing before the decision (a wrong entry), with the reason."""
    _guard(actor)
    now = _now(now)
    listing = person.listing
    if listing.status not in (ListingStatus.PROPOSED, ListingStatus.NOTICED):
        raise DomainError("作出决定后不能再删除列入人员", code="transition")
    reason = _text(reason, "reason", "删除理由", limit=300)
    with transaction.atomic(), acting(actor):
        note = (
            f"删除列入人员：{person.get_role_display()} {person.name}（{person.id_masked}）；理由：{reason}"
        )
        person.delete()
        LISTING.record(listing, PERSON, actor=actor, at=now, note=note)


def decision_problems(listing: Listing, decided_on: datetime.date, decision: str = LIST) -> list[str]:
    """Why a decision on ``decided_on`` would be refused (empty: it may be made)."""
    if listing.status == ListingStatus.PROPOSED:
        return [f"拟列入告知书尚未送达：作出决定前须书面告知当事人并听取陈述申辩（{RULE_NOTICE}）"]
    if listing.status != ListingStatus.NOTICED:
        return [f"名单处于“{listing.get_status_display()}”状态，不能作出列入决定"]
    problems = []
    assert listing.defence_due is not None
    if decided_on <= listing.defence_due:
        first = listing.defence_due + datetime.timedelta(days=1)
        problems.append(
            f"陈述申辩期限至 {_day(listing.defence_due)}（含当日）尚未届满，{_day(first)} 起方可作出决定"
            f"（{listing.defence_basis}；{RULE_NOTICE}）"
        )
    open_defence = listing.defences.filter(answered_on__isnull=True).order_by("received_on").first()
    if open_defence is not None:
        problems.append(
            f"当事人 {_day(open_defence.received_on)} 提出的陈述申辩尚未复核答复，须先复核（{RULE_NOTICE}）"
        )
    if (
        decision == LIST
        and not listing.persons.filter(role__in=[PersonRole.LEGAL_REP, PersonRole.PRINCIPAL]).exists()
    ):
        problems.append(f"列入决定须登记企业的法定代表人或主要负责人（{RULE_PERSONS}）")
    return problems


def listing_decide(
    *,
    actor: User,
    listing: Listing,
    decision: str,
    reasons: str,
    decided_on: datetime.date | None = None,
    reference: str = "",
    now: datetime.datetime | None = None,
) -> Listing:
    """列入 (the term from ``decided_on`` for ``blacklist.years`` years; the joint sanctions' tasks
    sent) or 不予列入 — once the notice is served, the defence period over and every defence
    answered."""
    _guard(actor)
    now = _now(now)
    today = timezone.localdate(now)
    if decision not in (LIST, NOT_LIST):
        raise DomainError("决定须为“列入”或“不予列入”", field="decision")
    reasons = _text(reasons, "reasons", "决定理由", limit=5000)
    reference = (reference or "").strip()[:60]
    decided_on = decided_on or today
    if decided_on > today:
        raise DomainError(f"决定日期 {_day(decided_on)} 不能晚于今天", field="decided_on")
    problems = decision_problems(listing, decided_on, decision)
    if problems:
        code = (
            "transition" if listing.status not in (ListingStatus.PROPOSED, ListingStatus.NOTICED) else "guard"
        )
        raise DomainError("；".join(problems), code=code)
    step = LISTING.step(listing, decision)
    values: dict[str, Any] = {
        "decided_on": decided_on,
        "decided_by": actor,
        "decision_reasons": reasons,
        "decision_reference": reference,
    }
    if decision == LIST:
        end, basis = term_of(decided_on)
        values.update(term_start=decided_on, term_end=end, term_basis=basis)
        note = f"列入，期限 {_day(decided_on)} 至 {_day(end)}；{reasons}"
    else:
        note = f"不予列入：{reasons}"
    with transaction.atomic(), acting(actor):
        LISTING.move(listing, step, actor=actor, now=now, note=note, values=values)
        if decision == LIST:
            sanction_tasks_open(actor=actor, listing=listing, kind=TaskKind.APPLY, now=now)
            _changed(listing)
            _notify(listing, f"已列入失信联合惩戒名单：{listing.enterprise.name}", note)
        else:
            _notify(listing, f"决定不予列入：{listing.enterprise.name}", note)
    return listing


def listing_drop(
    *, actor: User, listing: Listing, reasons: str, now: datetime.datetime | None = None
) -> Listing:
    """Withdraw a proposal before the notice is served, with the reasons."""
    _guard(actor)
    now = _now(now)
    reasons = _text(reasons, "reasons", "撤销理由")
    step = LISTING.step(listing, DROP)
    with transaction.atomic(), acting(actor):
        LISTING.move(listing, step, actor=actor, now=now, note=reasons, values={"end_reasons": reasons})
        _notify(listing, "撤销拟列入", reasons)
    return listing


# --- 期满、再次失信 ----------------------------------------------------------------------------------


def listings_expire(*, now: datetime.datetime | None = None) -> int:
    """``tick``: a listing is in force through its last day; the first run after it ends it
    (期满移出, ``ended_on`` = the last day), sends the tasks to lift the sanctions and tells 人社局
    and the office."""
    now = _now(now)
    today = timezone.localdate(now)
    actor = system_actor()
    count = 0
    for listing in Listing.objects.filter(status=ListingStatus.LISTED, term_end__lt=today).select_related(
        "enterprise"
    ):
        assert listing.term_end is not None
        with transaction.atomic(), acting(actor):
            try:
                LISTING.move(
                    listing,
                    LISTING.step(listing, EXPIRE),
                    actor=actor,
                    now=now,
                    note=f"列入期限 {_day(listing.term_end)} 届满，移出名单（{listing.term_basis}）",
                    values={
                        "ended_on": listing.term_end,
                        "end_reasons": f"期满（{listing.term_basis}）"[:2000],
                    },
                )
            except DomainError:
                continue
            close_pending_removals(listing, actor=actor, now=now, why="名单已期满移出")
            sanction_tasks_open(actor=actor, listing=listing, kind=TaskKind.LIFT, now=now)
            _changed(listing)
            _notify(
                listing, f"期满移出失信联合惩戒名单：{listing.enterprise.name}", "已通知各惩戒单位解除措施。"
            )
        count += 1
    return count


def close_pending_removals(listing: Listing, *, actor: User, now: datetime.datetime, why: str) -> int:
    """A listing that ended another way (期满, 撤销) leaves no application waiting for a decision: each
    pending one is closed 不予提前移出 with the reason, inside the caller's transaction."""
    count = 0
    for application in listing.removals.filter(status=RemovalStatus.PENDING):
        REMOVAL.move(
            application,
            REMOVAL.step(application, REFUSE),
            actor=actor,
            now=now,
            note=f"{why}，提前移出申请无需决定",
            values={
                "decided_on": timezone.localdate(now),
                "decided_by": actor,
                "decision_reasons": f"{why}，无需决定",
            },
        )
        count += 1
    return count


def listings_restart(*, now: datetime.datetime | None = None) -> int:
    """``tick``: while listed, an order to pay on any case of the enterprise that lapses after the
    term started restarts the term from the day after its pay-by date (when
    ``blacklist.restart_on_redefault``); each order counted once."""
    now = _now(now)
    today = timezone.localdate(now)
    actor = system_actor()
    count = 0
    restart, info = _param(RESTART_ON_REDEFAULT, today)
    if not restart:
        return 0
    listings = Listing.objects.filter(status=ListingStatus.LISTED).select_related("enterprise")
    for listing in listings:
        assert listing.term_start is not None and listing.term_end is not None
        counted = set(
            ListingEvent.objects.filter(listing=listing, action=RESTART).values_list("ref", flat=True)
        )
        first = (listing.condition_check or {}).get("records", {}).get("order")
        orders = (
            LegalAction.objects.filter(
                case__enterprise_id=listing.enterprise_id,
                kind=ActionKind.ORDER,
                status=ActionStatus.LAPSED,
                pay_by__gte=listing.term_start,
            )
            .exclude(pk=first)
            .select_related("case")
            .order_by("pay_by", "pk")
        )
        for order in orders:
            ref = f"action:{order.pk}"
            if ref in counted:
                continue
            assert order.pay_by is not None
            start = order.pay_by + datetime.timedelta(days=1)
            end, basis = term_of(start, on=today)
            basis = f"再次失信重新计算：{basis}"[:300]
            with transaction.atomic(), acting(actor):
                guarded_update(
                    Listing.objects.filter(status=ListingStatus.LISTED),
                    listing.pk,
                    term_start=start,
                    term_end=max(end, listing.term_end),
                    term_basis=basis,
                    restarts=listing.restarts + 1,
                )
                LISTING.record(
                    listing,
                    RESTART,
                    actor=actor,
                    at=now,
                    note=(
                        f"案件 {order.case.number} 的责令限期支付（{order.reference or '#' + str(order.pk)}）"
                        f"限 {_day(order.pay_by)} 前支付而逾期未支付：期限自 {_day(start)} 起重新计算，至 {_day(end)}"
                        f"（{info['citation']}，参数 {RESTART_ON_REDEFAULT}=是）"
                    ),
                    ref=ref,
                )
                _changed(listing)
                _notify(listing, "列入期间再次失信，期限重新计算", f"新的期限至 {_day(end)}。")
            listing.refresh_from_db()
            counted.add(ref)
            count += 1
    return count


# --- 提前移出 ----------------------------------------------------------------------------------------


def arrears_check(listing: Listing) -> dict:
    """What is still owed on the listing's cases (the case it rests on and those of a re-default):
    the money ledger's outstanding figure where it holds claims, else the case's claimed amount
    less what was paid (``seam.paid_so_far``)."""
    case_ids = []
    if listing.case_id:
        case_ids.append(listing.case_id)
    refs = ListingEvent.objects.filter(
        listing=listing, action=RESTART, ref__startswith="action:"
    ).values_list("ref", flat=True)
    order_ids = [int(r.split(":", 1)[1]) for r in refs]
    case_ids += list(LegalAction.objects.filter(pk__in=order_ids).values_list("case_id", flat=True))
    case_ids = sorted(set(case_ids))
    money = seam.case_money(case_ids)
    paid = seam.paid_so_far(case_ids)
    rows = []
    for case in Case.objects.filter(pk__in=case_ids).order_by("pk"):
        figures = money.get(case.pk)
        if figures is not None and figures.workers:
            rows.append(
                {
                    "case": case.pk,
                    "number": case.number,
                    "source": "资金台账（确认的欠薪减已支付）",
                    "owed": figures.confirmed + figures.pending,
                    "paid": figures.paid,
                    "outstanding": figures.outstanding,
                }
            )
        else:
            got = paid.get(case.pk, 0)
            rows.append(
                {
                    "case": case.pk,
                    "number": case.number,
                    "source": "案件登记的欠薪金额减已支付",
                    "owed": case.amount_claimed,
                    "paid": got,
                    "outstanding": max(case.amount_claimed - got, 0),
                }
            )
    return {"cases": rows, "outstanding": sum(r["outstanding"] for r in rows)}


def removal_apply(
    *,
    actor: User,
    listing: Listing,
    applied_on: datetime.date,
    corrected_on: datetime.date,
    pledge_file: Paper | None,
    reasons: str,
    now: datetime.datetime | None = None,
) -> RemovalApplication:
    """An application for early removal: not before the term's start plus
    ``blacklist.early_removal_months``, nor before the same time has passed since the correction (the
    arrears paid, ``corrected_on``: "改正后满6个月"), not while arrears are outstanding, with the written credit
    pledge; to be decided within ``blacklist.removal_decision_working_days`` working days."""
    _guard(actor)
    now = _now(now)
    today = timezone.localdate(now)
    reasons = (reasons or "").strip()[:2000]
    if listing.status != ListingStatus.LISTED:
        raise DomainError(
            f"名单处于“{listing.get_status_display()}”状态：只有在列名单可以申请提前移出", code="transition"
        )
    if applied_on is None or corrected_on is None:
        raise DomainError("请填写申请日期和改正（清偿）日期", field="applied_on")
    if applied_on > today:
        raise DomainError(f"申请日期 {_day(applied_on)} 不能晚于今天", field="applied_on")
    if corrected_on > applied_on:
        raise DomainError("改正（清偿）日期不能晚于申请日期", field="corrected_on")
    start = listing.term_start
    assert start is not None  # a listing in force has its term
    first, info = early_removal_from(listing)
    if applied_on < first:
        raise DomainError(
            f"列入之日（{_day(start)}）起满 {info['value']} 个月方可申请提前移出，"
            f"最早 {_day(first)} 可以申请（{info['citation']}，参数 {EARLY_MONTHS}={info['value']}）",
            field="applied_on",
            code="guard",
        )
    from anxin.monitoring.rules import add_months

    after_correction = add_months(corrected_on, int(info["value"]))
    if applied_on < after_correction:
        raise DomainError(
            f"改正（清偿）之日（{_day(corrected_on)}）起满 {info['value']} 个月方可申请提前移出，"
            f"最早 {_day(after_correction)} 可以申请（{info['citation']}，参数 {EARLY_MONTHS}={info['value']}）",
            field="corrected_on",
            code="guard",
        )
    paid = arrears_check(listing)
    if paid["outstanding"] > 0:
        owed = "；".join(
            f"案件 {r['number']} 尚欠 ¥{format_yuan(r['outstanding'])}（{r['source']}）"
            for r in paid["cases"]
            if r["outstanding"] > 0
        )
        raise DomainError(
            f"拖欠工资尚未清偿：{owed}。清偿后方可申请提前移出（{RULE_REMOVAL}）",
            field="pledge",
            code="guard",
        )
    if pledge_file is None or not pledge_file.content:
        raise DomainError(f"须上传当事人签署的信用承诺书（PDF 或图片）（{RULE_REMOVAL}）", field="pledge")
    if listing.removals.filter(status=RemovalStatus.PENDING).exists():
        raise DomainError("该名单已有待决定的提前移出申请", code="conflict")
    days, days_info = _param(REMOVAL_DAYS, applied_on)
    due, note = working_days_after(applied_on, int(days))
    due_basis = (
        f"{days_info['citation']}：自收到申请之日起 {days} 个工作日（参数 {REMOVAL_DAYS}={days}），至 {_day(due)}{note}"
    )[:300]
    paid["checked_on"] = _day(today)
    with atomic_with_files(), acting(actor):
        stored = _store_paper(actor, pledge_file, CreditFile.Kind.PLEDGE, "pledge")
        assert stored is not None
        try:
            with transaction.atomic():
                application = RemovalApplication.objects.create(
                    listing=listing,
                    applied_on=applied_on,
                    corrected_on=corrected_on,
                    pledge=stored,
                    paid_check=paid,
                    reasons=reasons,
                    due_on=due,
                    due_basis=due_basis,
                    recorded_by=actor,
                    recorded_at=now,
                )
        except IntegrityError:
            raise DomainError("该名单已有待决定的提前移出申请", code="conflict") from None
        LISTING.record(
            listing,
            APPLY_REMOVAL,
            actor=actor,
            at=now,
            note=f"{_day(applied_on)} 申请提前移出，{_day(corrected_on)} 改正，已交信用承诺书；决定期限 {_day(due)}",
            ref=f"removal:{application.pk}",
        )
        _notify(listing, "收到提前移出申请", f"请于 {_day(due)} 前作出决定（{due_basis}）。")
    return application


def removal_decide(
    *,
    actor: User,
    application: RemovalApplication,
    grant: bool,
    reasons: str,
    decided_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> RemovalApplication:
    """准予 (the listing ends on ``decided_on``, the sanctions' lift tasks sent) or 不予提前移出."""
    _guard(actor)
    now = _now(now)
    today = timezone.localdate(now)
    reasons = _text(reasons, "reasons", "决定理由", limit=5000)
    decided_on = decided_on or today
    if decided_on > today or decided_on < application.applied_on:
        raise DomainError(
            f"决定日期须在申请日期（{_day(application.applied_on)}）与今天之间", field="decided_on"
        )
    listing = application.listing
    step = REMOVAL.step(application, GRANT if grant else REFUSE)
    with transaction.atomic(), acting(actor):
        REMOVAL.move(
            application,
            step,
            actor=actor,
            now=now,
            note=reasons,
            values={"decided_on": decided_on, "decided_by": actor, "decision_reasons": reasons},
            event={"ref": f"removal:{application.pk}"},
        )
        if grant:
            LISTING.move(
                listing,
                LISTING.step(listing, REMOVE),
                actor=actor,
                now=now,
                note=f"准予提前移出（{_day(decided_on)}）：{reasons}",
                values={"ended_on": decided_on, "end_reasons": reasons},
            )
            sanction_tasks_open(actor=actor, listing=listing, kind=TaskKind.LIFT, now=now)
            _changed(listing)
            _notify(listing, f"准予提前移出：{listing.enterprise.name}", "已通知各惩戒单位解除措施。")
        else:
            _notify(listing, "不予提前移出", reasons)
    return application


def remind_until(today: datetime.date) -> datetime.date:
    """The last due day that is reminded today: ``case.remind_working_days`` working days ahead — the
    reminder window of every deadline in the district (cases, sanction tasks, removals, objections)."""
    remind = int(param_record("case.remind_working_days", on=today).typed_value)
    return working_days_after(today, remind)[0]


def removals_remind(*, now: datetime.datetime | None = None) -> int:
    """``tick``: an application still pending is reminded to 人社局 within ``case.remind_working_days``
    working days of its decision's due day, and reported to the office once overdue (each once)."""
    now = _now(now)
    today = timezone.localdate(now)
    actor = system_actor()
    count = 0
    pending = RemovalApplication.objects.filter(status=RemovalStatus.PENDING).select_related(
        "listing__enterprise"
    )
    with acting(actor):
        for application in pending.filter(reminded_at__isnull=True, due_on__lte=remind_until(today)):
            with transaction.atomic():
                if guarded_update(
                    RemovalApplication.objects.filter(reminded_at__isnull=True),
                    application.pk,
                    reminded_at=now,
                ):
                    _notify(
                        application.listing,
                        "提前移出申请即将到期",
                        f"决定期限 {_day(application.due_on)}（{application.due_basis}）。",
                        units=[u.pk for u in access.authority_units()],
                    )
                    count += 1
        for application in pending.filter(escalated_at__isnull=True, due_on__lt=today):
            with transaction.atomic():
                if guarded_update(
                    RemovalApplication.objects.filter(escalated_at__isnull=True),
                    application.pk,
                    escalated_at=now,
                ):
                    _notify(
                        application.listing,
                        "提前移出申请逾期未决定",
                        f"决定期限 {_day(application.due_on)} 已过（{application.due_basis}），请督促区人社局作出决定。",
                        units=office_unit_ids(),
                    )
                    count += 1
    return count
