"""The office's analysis (形势分析报告) and circular (情况通报) for a period (§五(二): 由区联席办向区委、区政府
主要领导和分管领导作分析研判汇报，并将汇总情况通报各成员单位).

起草 (composed from the data: ``office_selectors.data_for`` is the snapshot, the body parts are
prefilled with sentences generated from it) → the office edits the body and may refresh the data
while the document is a draft or returned (each recorded) → 送联席办主任审核 → the director
(``access.may_approve``: an office user holding the post 联席办主任) 审核通过 or 退回修改 with
comments (required) → 印发 with its 文号 and day: the analysis goes to the leaders' unit, the
circular to every member unit (``issued_to``), each landing in the units' inboxes with a link.

Each write: who may (``reports.access``), one transaction, the status through
``reports.workflow.DOCUMENTS`` with its event row (non-moves through ``DOCUMENTS.record``), the
body's edits in the audit log, notices after commit. A refusal is a ``DomainError`` in Chinese and
nothing is changed."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.core.money import format_yuan
from anxin.notify.services import notify_units, notify_users
from anxin.org.models import Unit, UnitKind, User
from anxin.reports import access, periods
from anxin.reports import office_selectors as data
from anxin.reports.models import DocumentKind, DocumentStatus, OfficeDocument
from anxin.reports.periodic_selectors import DRAFT, LATE, NONE, ON_TIME
from anxin.reports.workflow import (
    APPROVE,
    COMPOSE,
    DIRECTOR,
    DOCUMENTS,
    ISSUE,
    OFFICE,
    REFRESH,
    RETURN,
    SAVE,
    SUBMIT,
)

CITATION = "§五(二)"
ANALYSIS_PARTS = [
    ("overall", "总体情况"),
    ("risks", "主要风险"),
    ("measures", "工作措施"),
    ("advice", "下步建议"),
]
CIRCULAR_PARTS = [
    ("overall", "总体情况"),
    ("submissions", "各单位报送情况"),
    ("problems", "存在问题"),
    ("requirements", "工作要求"),
]
PARTS = {DocumentKind.ANALYSIS: ANALYSIS_PARTS, DocumentKind.CIRCULAR: CIRCULAR_PARTS}
EDITABLE = (DocumentStatus.DRAFT, DocumentStatus.RETURNED)
COMPOSERS_ONLY = "只有区联席办可以起草、修改和印发形势分析报告和情况通报"
DIRECTOR_ONLY = "只有联席办主任可以审核形势分析报告和情况通报"
PART_LIMIT = 10_000


def parts_of(kind: str) -> list[tuple[str, str]]:
    return PARTS[DocumentKind(kind)]


def title_for(kind: str, period: str) -> str:
    found = periods.period_of(period)
    start, end = found.start, found.end
    span = (
        f"{start.year}年{start.month}月"
        if (start.year, start.month) == (end.year, end.month)
        else f"{start.year}年{start.month}月至{end.month}月"
        if start.year == end.year
        else f"{start.year}年{start.month}月至{end.year}年{end.month}月"
    )
    if kind == DocumentKind.ANALYSIS:
        return f"关于{span}全区企业欠薪形势的分析报告"
    return f"关于{span}预防和解决企业欠薪问题工作情况的通报"


# --- the sentences a draft starts from -------------------------------------------------------------------


def value_text(figure: dict) -> str:
    """A figure as a sentence says it: ``12条``, ``8,000.00元``."""
    if figure.get("money"):
        return f"{format_yuan(int(figure['value']))}元"
    return f"{figure['value']}{figure.get('unit', '')}"


def _amount(figure: dict, value: int) -> str:
    return f"{format_yuan(value)}元" if figure.get("money") else f"{value}{figure.get('unit', '')}"


def span_label(snapshot: dict) -> str:
    """The period as a document names it: ``2026年11月``, ``2026年10月至12月``."""
    start = datetime.date.fromisoformat(snapshot["start"])
    end = datetime.date.fromisoformat(snapshot["end"])
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.year}年{start.month}月"
    if start.year == end.year:
        return f"{start.year}年{start.month}月至{end.month}月"
    return f"{start.year}年{start.month}月至{end.year}年{end.month}月"


VERIFICATION = (
    ("signals_substantiated", "属实"),
    ("signals_partly", "部分属实"),
    ("signals_unfounded", "不属实"),
)


def _value(district: dict, code: str) -> int:
    return int((district.get(code) or {}).get("value") or 0)


def _said(district: dict, code: str, words: str) -> str:
    """``words`` followed by the figure as said (``收到欠薪线索`` + ``3条``)."""
    return f"{words}{value_text(district[code])}"


def _signals_clause(district: dict) -> str:
    if "signals_received" not in district:
        return ""
    if not _value(district, "signals_received"):
        return "未收到欠薪线索"
    text = _said(district, "signals_received", "收到欠薪线索")
    detail = []
    channels = [
        _said(district, code, f["label"].removeprefix("其中："))
        for code, f in district.items()
        if code.startswith("signals_channel_") and _value(district, code)
    ]
    if channels:
        detail.append("来自" + "、".join(channels))
    checked = [_said(district, code, words) for code, words in VERIFICATION if _value(district, code)]
    if checked:
        detail.append("经核实" + "、".join(checked))
    if _value(district, "signals_pending"):
        detail.append(_said(district, "signals_pending", "尚待核实"))
    return text + (f"（{'，'.join(detail)}）" if detail else "")


def _overall_clauses(district: dict) -> list[str]:
    """The headline figures as a civil servant writes them: a zero is left out unless it is the news
    (no signal received, no incident)."""
    clauses = [_signals_clause(district)]
    if _value(district, "alerts_opened"):
        text = _said(district, "alerts_opened", "生成风险预警")
        if "alerts_on_time" in district:
            text += _said(district, "alerts_on_time", "，其中按期处置")
        clauses.append(text)
    cases = [
        _said(district, code, words)
        for code, words in (("cases_opened", "立案处置"), ("cases_closed", "结案"))
        if _value(district, code)
    ]
    if cases:
        clauses.append("，".join(cases))
    money = []
    if _value(district, "money_recovered"):
        money.append(_said(district, "money_recovered", "为劳动者追回工资"))
    if _value(district, "workers_paid"):
        money.append(_said(district, "workers_paid", "惠及劳动者"))
    if money:
        clauses.append("，".join(money))
    if _value(district, "immediate_reports"):
        clauses.append(_said(district, "immediate_reports", "上报即时报告"))
    if "incidents" in district:
        clauses.append(
            _said(district, "incidents", "发生群体性事件等突发事件")
            if _value(district, "incidents")
            else "未发生群体性事件等突发事件"
        )
    if _value(district, "publicity_activities"):
        text = _said(district, "publicity_activities", "开展欠薪治理宣传活动")
        if _value(district, "publicity_audience"):
            text += _said(district, "publicity_audience", "，受众")
        clauses.append(text)
    return [c for c in clauses if c]


def _previous(snapshot: dict) -> dict[str, int]:
    """The previous period's headline values: ``previous`` in the snapshot, else the trend's last but
    one value (documents composed before ``previous`` was kept)."""
    earlier = (snapshot.get("previous") or {}).get("figures")
    if earlier:
        return {code: int(f["value"]) for code, f in earlier.items()}
    series = (snapshot.get("trends") or {}).get("series") or {}
    return {
        code: int(entry["values"][-2])
        for code, entry in series.items()
        if len(entry.get("values") or []) >= 2
    }


def _changes(snapshot: dict) -> list[str]:
    district = snapshot.get("district") or {}
    before = _previous(snapshot)
    said = []
    for code, words in data.HEADLINE.items():
        if code not in district or code not in before:
            continue
        delta = _value(district, code) - before[code]
        if delta:
            said.append(f"{words}{'增加' if delta > 0 else '减少'}{_amount(district[code], abs(delta))}")
    return said


def _figures_sentence(snapshot: dict) -> str:
    district = snapshot.get("district") or {}
    span = span_label(snapshot)
    if not district:
        return f"{span}，系统未汇总到全区数据。"
    text = f"{span}，全区" + "；".join(_overall_clauses(district)) + "。"
    changes = _changes(snapshot)
    if changes:
        text += "与上期相比，" + "，".join(changes) + "。"
    return text


def _names(rows: list[dict], *states: str) -> list[str]:
    return [r["name"] for r in rows if r["status"] in states]


def _composed_on(snapshot: dict) -> datetime.date:
    return datetime.date.fromisoformat(str(snapshot.get("composed_at") or snapshot["end"])[:10])


def overdue(snapshot: dict) -> list[str]:
    """The units with no report in force once their due day has passed (未报送 or only a draft)."""
    on = _composed_on(snapshot)
    return [
        r["name"]
        for r in snapshot.get("submissions") or []
        if r["status"] in (DRAFT, NONE) and datetime.date.fromisoformat(r["due_on"]) < on
    ]


def _submissions_sentence(snapshot: dict) -> str:
    rows = snapshot.get("submissions") or []
    if not rows:
        return "本期无应报送定期报告的单位。"
    on = _composed_on(snapshot)
    summary = snapshot.get("submission_summary") or {}
    text = f"本期应报送定期报告的成员单位{len(rows)}家，截至{on.month}月{on.day}日，"
    if summary.get(ON_TIME, 0) == len(rows):
        return text + "均已按时报送。"
    parts = []
    if summary.get(ON_TIME):
        parts.append(f"按时报送{summary[ON_TIME]}家")
    for state, words in ((LATE, "逾期报送"), (DRAFT, "已填报未提交"), (NONE, "未报送")):
        names = _names(rows, state)
        if names:
            parts.append(f"{words}{len(names)}家（{'、'.join(names)}）")
    text += "，".join(parts) + "。"
    late = overdue(snapshot)
    waiting = len(_names(rows, DRAFT, NONE)) - len(late)
    if waiting:
        text += f"尚未提交的单位中{waiting}家未到报送截止日。"
    return text


def draft_body(kind: str, snapshot: dict) -> dict[str, str]:
    """The body parts prefilled from the snapshot (then edited by the office)."""
    overall = _figures_sentence(snapshot)
    missing = overdue(snapshot)
    if kind == DocumentKind.ANALYSIS:
        risks = snapshot.get("risks") or {}
        enterprises = risks.get("enterprises") or []
        reports = snapshot.get("immediate_reports") or []
        incidents = risks.get("incidents") or []
        alerts = risks.get("alerts") or []
        risk = (
            "风险较高的企业有："
            + "；".join(f"{e['name']}（{e['town']}，{e['level']}，{e['points']}分）" for e in enterprises)
            + "。"
            if enterprises
            else "目前无红色、橙色风险企业。"
        )
        if alerts:
            risk += f"尚未办结的风险预警中，按风险等级列示{len(alerts)}条，须盯紧处置时限。"
        risk += (
            f"本期发生群体性事件、极端事件或企业突然关停{len(incidents)}起。"
            if incidents
            else "本期未发生群体性事件、极端事件或企业突然关停。"
        )
        if reports:
            risk += f"本期即时报告{len(reports)}件。"
        advice = []
        if missing:
            advice.append(f"督促{'、'.join(missing)}尽快报送本期定期报告")
        if enterprises:
            advice.append("对红色、橙色风险企业逐一落实属地和条线责任，实行一企一策、动态跟踪")
        advice.append("持续做好动态监测预警和即时报告工作，对上报事项连续跟踪、滚动更新")
        return {
            "overall": overall,
            "risks": risk,
            "measures": _submissions_sentence(snapshot),
            "advice": "；".join(advice) + "。",
        }
    publicity = snapshot.get("publicity") or []
    total = {k: sum(p[k] for p in publicity) for k in ("activities", "audience", "materials")}
    silent = [p["name"] for p in publicity if not p["activities"]]
    if total["activities"]:
        said = f"本期各单位开展宣传活动{total['activities']}次，受众{total['audience']}人次"
        said += f"，发放宣传品{total['materials']}份。" if total["materials"] else "。"
    else:
        said = "本期各单位均未登记宣传活动。"
    submissions = _submissions_sentence(snapshot) + said
    problems = []
    if missing:
        problems.append(f"{'、'.join(missing)}逾期未报送本期定期报告")
    if silent and total["activities"]:
        problems.append(f"{'、'.join(silent)}本期未登记宣传活动")
    due = next((p for p in snapshot.get("params") or [] if p.get("code") == data.DUE_DAY), None)
    rule = f"（参数 {due['code']}={due['value']}，{due['citation']}）" if due else ""
    requirements = (
        f"各成员单位应于每期结束后次月{due['value'] if due else ''}日前报送定期报告{rule}；"
        + ("逾期未报的单位收到本通报后尽快补报，" if missing else "")
        + "对上报事项连续跟踪、滚动更新。"
    )
    return {
        "overall": overall,
        "submissions": submissions,
        "problems": ("；".join(problems) + "。") if problems else "本期未发现报送和宣传方面的突出问题。",
        "requirements": requirements,
    }


# --- who ---------------------------------------------------------------------------------------------------


def _compose_guard(actor: User) -> None:
    if not access.may_compose(actor):
        raise PermissionDenied(COMPOSERS_ONLY)


def _check(actor: User, who: str) -> None:
    if who == DIRECTOR:
        if not access.may_approve(actor):
            raise PermissionDenied(DIRECTOR_ONLY)
    elif who == OFFICE:
        _compose_guard(actor)


def _url(document: OfficeDocument) -> str:
    return reverse("reports-office-document", args=[document.pk])


def _director_ids() -> list[int]:
    from anxin.conference.models import ChairPost, ConferencePost

    return list(
        ConferencePost.objects.filter(post=ChairPost.DIRECTOR, active=True, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


# --- the workflow ------------------------------------------------------------------------------------------


def document_compose(
    *, actor: User, kind: str, period: str, today: datetime.date | None = None
) -> OfficeDocument:
    """Draft the ``kind`` document of ``period`` from the data (a period that has begun; one of each
    kind per period)."""
    _compose_guard(actor)
    if kind not in DocumentKind.values:
        raise DomainError("文件类型须为形势分析报告或情况通报", field="kind")
    today = today or timezone.localdate()
    found = periods.period_of(period, on=today)
    start, end = found.start, found.end
    if start > today:
        raise DomainError(f"报告期 {period} 尚未开始，不能起草", field="period")
    if OfficeDocument.objects.filter(kind=kind, period=period).exists():
        raise DomainError(f"{period} 已有{DocumentKind(kind).label}，请在原文件上修改", field="period")
    snapshot = data.data_for(kind, period, today)
    try:
        with transaction.atomic(), acting(actor):
            document = OfficeDocument.objects.create(
                kind=kind,
                period=period,
                period_start=start,
                period_end=end,
                title=title_for(kind, period),
                data=snapshot,
                body=draft_body(kind, snapshot),
                drafted_by=actor,
            )
            DOCUMENTS.record(
                document,
                COMPOSE,
                actor=actor,
                note=f"依 {snapshot['composed_at']} 的数据起草",
                target=document.status,
            )
    except IntegrityError:
        raise DomainError(f"{period} 已有{DocumentKind(kind).label}", field="period") from None
    return document


def _editable(document: OfficeDocument, what: str) -> None:
    if document.status not in EDITABLE:
        raise DomainError(
            f"文件处于“{document.get_status_display()}”状态，不能{what}（仅起草中或退回修改的文件可以{what}）",
            code="transition",
        )


def document_refresh(
    *, actor: User, document: OfficeDocument, today: datetime.date | None = None
) -> OfficeDocument:
    """Recompute the data snapshot of a draft (the body is left as edited); recorded."""
    _compose_guard(actor)
    _editable(document, "重新汇总数据")
    snapshot = data.data_for(document.kind, document.period, today)
    with transaction.atomic(), acting(actor):
        touched = OfficeDocument.objects.filter(pk=document.pk, status__in=EDITABLE).update(
            data=snapshot, updated_at=timezone.now()
        )
        if touched != 1:
            raise DomainError("该文件已被他人处理，请刷新后查看", code="conflict")
        DOCUMENTS.record(
            document,
            REFRESH,
            actor=actor,
            note=f"数据重新汇总（{snapshot['composed_at']}），原汇总时间 {document.data.get('composed_at', '')}",
            source=document.status,
            target=document.status,
        )
    document.refresh_from_db()
    return document


def document_save(*, actor: User, document: OfficeDocument, body: dict[str, Any]) -> OfficeDocument:
    """Edit the body's parts (the earlier text stays in the audit log); only a draft or a returned
    document is edited."""
    _compose_guard(actor)
    _editable(document, "修改正文")
    parts = parts_of(document.kind)
    cleaned: dict[str, str] = {}
    for key, label in parts:
        text = str(body.get(key) or "").strip()
        if len(text) > PART_LIMIT:
            raise DomainError(f"“{label}”不超过 {PART_LIMIT} 字", field=key)
        cleaned[key] = text
    with transaction.atomic(), acting(actor):
        fresh = OfficeDocument.objects.select_for_update().get(pk=document.pk)
        _editable(fresh, "修改正文")
        changed = [label for key, label in parts if (fresh.body or {}).get(key, "") != cleaned[key]]
        if not changed:
            return fresh
        fresh.body = cleaned
        fresh.save(update_fields=["body", "updated_at"])
        DOCUMENTS.record(
            fresh,
            SAVE,
            actor=actor,
            note="修改：" + "、".join(changed),
            source=fresh.status,
            target=fresh.status,
        )
    document.refresh_from_db()
    return document


def document_submit(
    *, actor: User, document: OfficeDocument, now: datetime.datetime | None = None
) -> OfficeDocument:
    """Send to the office director (every part of the body written)."""
    step = DOCUMENTS.step(document, SUBMIT)
    _check(actor, step.who)
    empty = [
        label for key, label in parts_of(document.kind) if not str((document.body or {}).get(key, "")).strip()
    ]
    if empty:
        raise DomainError(f"请先填写正文：{'、'.join(empty)}")
    now = now or timezone.now()
    with transaction.atomic():
        DOCUMENTS.move(document, step, actor=actor, values={"submitted_at": now}, now=now)
        notify_users(
            user_ids=_director_ids(),
            subject=f"待审核：{document.title}",
            body=f"{actor.display_name}送审，请审核。",
            url=_url(document),
            topic="reports-office",
            about=document.get_kind_display(),
        )
    return document


def document_approve(
    *, actor: User, document: OfficeDocument, note: str = "", now: datetime.datetime | None = None
) -> OfficeDocument:
    """The office director approves a submitted document — never one they drafted themselves
    (审核 is a second pair of eyes)."""
    step = DOCUMENTS.step(document, APPROVE)
    _check(actor, step.who)
    if document.drafted_by_id == actor.pk:
        raise DomainError("不能审核通过本人起草的文件，请由另一位联席办主任审核", code="forbidden")
    now = now or timezone.now()
    with transaction.atomic():
        DOCUMENTS.move(
            document,
            step,
            actor=actor,
            note=(note or "").strip()[:2000],
            values={"approved_by": actor, "approved_at": now, "return_comments": ""},
            now=now,
        )
        notify_users(
            user_ids=[document.drafted_by_id],
            subject=f"已审核通过：{document.title}",
            body="可编文号印发。",
            url=_url(document),
            topic="reports-office",
            about=document.get_kind_display(),
        )
    return document


def document_return(
    *, actor: User, document: OfficeDocument, comments: str, now: datetime.datetime | None = None
) -> OfficeDocument:
    """The office director returns a submitted document with comments (required)."""
    step = DOCUMENTS.step(document, RETURN)
    _check(actor, step.who)
    text = (comments or "").strip()
    if not text:
        raise DomainError("退回修改须填写审核意见", field="comments")
    if len(text) > 2000:
        raise DomainError("审核意见不超过 2000 字", field="comments")
    with transaction.atomic():
        DOCUMENTS.move(document, step, actor=actor, note=text, values={"return_comments": text}, now=now)
        notify_users(
            user_ids=[document.drafted_by_id],
            subject=f"退回修改：{document.title}",
            body=text,
            url=_url(document),
            topic="reports-office",
            about=document.get_kind_display(),
        )
    return document


def recipients(kind: str) -> list[Unit]:
    """Who a document is issued to: the analysis to the leaders' unit, the circular to every unit that
    reports (``office_selectors.expected_units``: the periodic part's definition)."""
    if kind == DocumentKind.ANALYSIS:
        return list(Unit.objects.filter(kind=UnitKind.LEADERSHIP).order_by("order", "pk"))
    return data.expected_units()


def document_issue(
    *,
    actor: User,
    document: OfficeDocument,
    reference: str,
    issued_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> OfficeDocument:
    """Issue an approved document with its 文号 and day; it lands in its recipients' inboxes."""
    step = DOCUMENTS.step(document, ISSUE)
    _check(actor, step.who)
    number = (reference or "").strip()
    if not number:
        raise DomainError("印发须填写文号", field="reference")
    if len(number) > 60:
        raise DomainError("文号不超过 60 字", field="reference")
    now = now or timezone.now()
    day = issued_on or timezone.localdate(now)
    if day > timezone.localdate(now):
        raise DomainError("印发日期不能晚于今天", field="issued_on")
    if document.approved_at and day < timezone.localdate(document.approved_at):
        raise DomainError("印发日期不能早于审核日期", field="issued_on")
    units = recipients(document.kind)
    with transaction.atomic():
        DOCUMENTS.move(
            document,
            step,
            actor=actor,
            note=f"文号 {number}，印发 {day:%Y-%m-%d}，发送 {len(units)} 个单位",
            values={"reference": number, "issued_on": day, "issued_by": actor},
            now=now,
        )
        with acting(actor):
            document.issued_to.set(units)
        notify_units(
            unit_ids=[u.pk for u in units],
            subject=f"{number} {document.title}",
            body=f"区联席办印发{document.get_kind_display()}，请查阅。",
            url=_url(document),
            topic="reports-office",
            about=document.get_kind_display(),
        )
    return document
