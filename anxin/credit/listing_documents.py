"""The listing's documents in 公文 layout (core.gongwen), each printing what was recorded — the
condition check's facts and figures, the clause, the service and the defence period with its basis,
the persons with masked ID numbers, the term with its basis, the sanctions sent, the reasons — never
a fixed text in their place. The issuer is 人社局's full name from the district file (the unit
holding the duty ``blacklist``), with its public phone."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

from anxin.core.gongwen import Annex, Gongwen, cn_date, document_bytes
from anxin.core.money import format_yuan
from anxin.credit import access
from anxin.credit.models import (
    LIST_RULES,
    Condition,
    Listing,
    ListingStatus,
    RemovalApplication,
    RemovalStatus,
)


def _day(day: datetime.date | None) -> str:
    return cn_date(day, "（未记录）")


def issuer() -> tuple[str, str]:
    """人社局's full name and public phone (the district file)."""
    units = access.authority_units()
    unit = units[0] if units else None
    return (unit.official_name if unit else "人力资源和社会保障局"), (unit.public_phone if unit else "")


def _recipient(listing: Listing) -> str:
    return f"{listing.enterprise.name}："


def _enterprise(listing: Listing) -> str:
    e = listing.enterprise
    parts = [f"统一社会信用代码：{e.uscc}"]
    if e.legal_rep:
        parts.append(f"法定代表人：{e.legal_rep}")
    if e.address:
        parts.append(f"住所：{e.address}")
    return f"{e.name}（{'；'.join(parts)}）"


def _persons_annex(listing: Listing) -> Annex | None:
    persons = list(listing.persons.order_by("role", "pk"))
    if not persons:
        return None
    return Annex(
        title="列入人员名单",
        header=("序号", "身份", "姓名", "身份证号码"),
        rows=[(str(n), p.get_role_display(), p.name, p.id_masked) for n, p in enumerate(persons, 1)],
        widths=(1.6, 6.0, 3.0, 5.0),
    )


def _facts(listing: Listing) -> list[str]:
    check = listing.condition_check or {}
    return [str(line) for line in check.get("lines", [])]


def _params(listing: Listing) -> list[str]:
    return [
        f"{p.get('shown') or p.get('value')}（{p.get('citation', '')}，参数 {p.get('code', '')}）"
        for p in (listing.condition_check or {}).get("params", [])
    ]


def _term_terms(listing: Listing) -> str:
    """What the decision says of the term, from the parameters in force on the decision day: a restart
    on a new default only when ``blacklist.restart_on_redefault`` says so, and the months before an
    early removal."""
    from anxin.core.policy import param_record

    on = listing.decided_on or timezone.localdate()
    restart = param_record("blacklist.restart_on_redefault", on=on)
    months = param_record("blacklist.early_removal_months", on=on)
    text = ""
    if restart.typed_value:
        text += f"列入期间再次拖欠农民工工资被责令支付而逾期未支付的，期限重新计算（{restart.citation}）；"
    return text + (
        f"改正违法行为满 {months.typed_value} 个月并作出书面信用承诺的，可以申请提前移出（{months.citation}）。"
    )


def notice(listing: Listing) -> bytes:
    """拟列入失信联合惩戒对象名单告知书."""
    name, phone = issuer()
    condition = Condition(listing.condition).label
    facts = _facts(listing)
    params = _params(listing)
    paragraphs = [
        f"当事人：{_enterprise(listing)}",
        "经查：" + "；".join(facts) + "。" if facts else "经查：（条件核查未记录）",
    ]
    if params:
        paragraphs.append("认定标准：" + "；".join(params) + "。")
    paragraphs += [
        f"你单位的上述行为符合“{condition}”的情形，依据{listing.condition_citation}，本机关拟将你单位"
        "及其法定代表人或者主要负责人、直接负责的主管人员和其他直接责任人员列入拖欠农民工工资失信联合惩戒对象名单。",
    ]
    if listing.notice_served_on and listing.defence_due:
        paragraphs.append(
            f"根据《{LIST_RULES}》，你单位享有陈述、申辩的权利。本告知书于{_day(listing.notice_served_on)}"
            f"以{listing.service_method}方式送达，请于送达之次日起至{_day(listing.defence_due)}前"
            f"（{listing.defence_basis}）向本机关提出书面陈述、申辩意见；逾期未提出的，视为放弃陈述、申辩的权利。"
        )
    else:
        from anxin.core.policy import param

        issued = listing.notice_issued_on or timezone.localdate(listing.proposed_at)
        days = param("blacklist.defence_working_days", on=issued)
        paragraphs.append(
            f"根据《{LIST_RULES}》，你单位享有陈述、申辩的权利，可自本告知书送达之次日起 {days} 个工作日内"
            "向本机关提出书面陈述、申辩意见；逾期未提出的，视为放弃陈述、申辩的权利。"
        )
    paragraphs.append(f"联系单位：{name}" + (f"，联系电话：{phone}" if phone else "") + "。")
    annex = _persons_annex(listing)
    return document_bytes(
        Gongwen(
            issuer=name,
            number=listing.notice_reference,
            title="拟列入拖欠农民工工资失信联合惩戒对象名单告知书",
            recipient=_recipient(listing),
            paragraphs=paragraphs,
            signature=name,
            date=listing.notice_issued_on or timezone.localdate(listing.proposed_at),
            attachments=[annex.title] if annex else [],
            annexes=[annex] if annex else [],
            footnote=f"名单编号：{listing.number}",
        )
    )


def _sanctions(listing: Listing) -> list[str]:
    return [
        f"{t.unit.name}：{t.measure.name}"
        for t in listing.sanction_tasks.filter(kind="apply").select_related("unit", "measure").order_by("pk")
    ]


def _remedy(name: str) -> str:
    return (
        f"你单位如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"
        f"联系单位：{name}。"
    )


def _defences(listing: Listing) -> list[str]:
    lines = []
    for d in listing.defences.order_by("received_on", "pk"):
        verdict = "采纳" if d.adopted else "不予采纳"
        lines.append(
            f"你单位于{_day(d.received_on)}提出陈述、申辩：{d.summary}。经复核，{verdict}：{d.answer}。"
        )
    if not lines and listing.defence_due:
        lines.append(f"你单位在陈述、申辩期限（至{_day(listing.defence_due)}）内未提出陈述、申辩。")
    return lines


def decision(listing: Listing) -> bytes:
    """列入拖欠农民工工资失信联合惩戒对象名单决定书."""
    if listing.status not in (
        ListingStatus.LISTED,
        ListingStatus.REMOVED,
        ListingStatus.EXPIRED,
        ListingStatus.REVOKED,
    ):
        raise ValueError("only a listing decided 列入 has a decision")
    name, _phone = issuer()
    persons = list(listing.persons.order_by("role", "pk"))
    sanctions = _sanctions(listing)
    facts = _facts(listing)
    paragraphs = [
        f"当事人：{_enterprise(listing)}",
        ("经查：" + "；".join(facts) + "。") if facts else "经查：（条件核查未记录）",
        f"本机关于{_day(listing.notice_served_on)}向你单位送达了拟列入告知书（{listing.notice_reference}）。",
        *_defences(listing),
        f"本机关认为：{listing.decision_reasons}",
        f"依据{listing.condition_citation}，本机关决定将你单位及下列人员列入拖欠农民工工资失信联合惩戒对象名单：",
        *[f"{p.get_role_display()}：{p.name}（身份证号码 {p.id_masked}）" for p in persons],
        f"列入期限自{_day(listing.term_start)}起至{_day(listing.term_end)}止（{listing.term_basis}）。"
        + _term_terms(listing),
    ]
    if sanctions:
        paragraphs.append("列入期间，下列单位依法依规实施联合惩戒：" + "；".join(sanctions) + "。")
    else:
        paragraphs.append("列入期间，有关单位依法依规实施联合惩戒。")
    paragraphs.append(_remedy(name))
    return document_bytes(
        Gongwen(
            issuer=name,
            number=listing.decision_reference,
            title="列入拖欠农民工工资失信联合惩戒对象名单决定书",
            recipient=_recipient(listing),
            paragraphs=paragraphs,
            signature=name,
            date=listing.decided_on,
            footnote=f"名单编号：{listing.number}",
        )
    )


def not_listed(listing: Listing) -> bytes:
    """不予列入拖欠农民工工资失信联合惩戒对象名单决定书."""
    if listing.status != ListingStatus.NOT_LISTED:
        raise ValueError("only a listing decided 不予列入 has this decision")
    name, _phone = issuer()
    paragraphs = [
        f"当事人：{_enterprise(listing)}",
        f"本机关于{_day(listing.notice_served_on)}向你单位送达了拟列入告知书（{listing.notice_reference}），"
        f"拟以“{Condition(listing.condition).label}”为由将你单位列入拖欠农民工工资失信联合惩戒对象名单。",
        *_defences(listing),
        f"经复核，本机关认为：{listing.decision_reasons}",
        "本机关决定不将你单位列入拖欠农民工工资失信联合惩戒对象名单。",
    ]
    return document_bytes(
        Gongwen(
            issuer=name,
            number=listing.decision_reference,
            title="不予列入拖欠农民工工资失信联合惩戒对象名单决定书",
            recipient=_recipient(listing),
            paragraphs=paragraphs,
            signature=name,
            date=listing.decided_on,
            footnote=f"名单编号：{listing.number}",
        )
    )


def removal(application: RemovalApplication) -> bytes:
    """提前移出拖欠农民工工资失信联合惩戒对象名单决定书 (or its refusal)."""
    if application.status == RemovalStatus.PENDING:
        raise ValueError("a pending application has no decision")
    listing = application.listing
    name, _phone = issuer()
    paid = application.paid_check or {}
    owed = "；".join(
        f"案件 {r.get('number')}：应付 {format_yuan(int(r.get('owed', 0)), symbol=True)}，"
        f"已付 {format_yuan(int(r.get('paid', 0)), symbol=True)}，"
        f"尚欠 {format_yuan(int(r.get('outstanding', 0)), symbol=True)}（{r.get('source', '')}）"
        for r in paid.get("cases", [])
    )
    granted = application.status == RemovalStatus.GRANTED
    paragraphs = [
        f"当事人：{_enterprise(listing)}",
        f"你单位于{_day(listing.term_start)}被列入拖欠农民工工资失信联合惩戒对象名单（{listing.number}，"
        f"决定书 {listing.decision_reference or '未编号'}），列入期限至{_day(listing.term_end)}。",
        f"你单位于{_day(application.applied_on)}申请提前移出，称已于{_day(application.corrected_on)}改正违法行为，"
        "并提交了书面信用承诺书。",
    ]
    if owed:
        paragraphs.append(f"经核查（{paid.get('checked_on', '')}）：{owed}。")
    paragraphs.append(f"本机关认为：{application.decision_reasons}")
    if granted:
        paragraphs.append(
            f"本机关决定自{_day(application.decided_on)}起将你单位及列入人员移出拖欠农民工工资失信联合惩戒对象名单，"
            "并通知有关单位解除联合惩戒措施。"
        )
        title = "提前移出拖欠农民工工资失信联合惩戒对象名单决定书"
    else:
        paragraphs.append("本机关决定不予提前移出。")
        title = "不予提前移出拖欠农民工工资失信联合惩戒对象名单决定书"
    paragraphs.append(_remedy(name))
    return document_bytes(
        Gongwen(
            issuer=name,
            title=title,
            recipient=_recipient(listing),
            paragraphs=paragraphs,
            signature=name,
            date=application.decided_on,
            footnote=f"名单编号：{listing.number}",
        )
    )


# kind → (title, whether the listing has it, build)
DOCUMENTS: dict[str, tuple[str, Callable[[Listing], bool]]] = {
    "notice": ("拟列入告知书", lambda listing: True),
    "decision": (
        "列入决定书",
        lambda listing: (
            listing.status
            in (ListingStatus.LISTED, ListingStatus.REMOVED, ListingStatus.EXPIRED, ListingStatus.REVOKED)
        ),
    ),
    "not-listed": ("不予列入决定书", lambda listing: listing.status == ListingStatus.NOT_LISTED),
}
