"""At the site (§四(四)): mass incidents and sudden closures, and the asset-control checklist with
each item's custody and, for looted property, its recovery."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.cases.models import AssetItem, Case, Custody, Incident
from anxin.cases.services.common import Kind, add_event, notify_case, office_unit_ids, works_on
from anxin.core.access import require_perm
from anxin.core.audit import acting, guarded_update
from anxin.core.errors import DomainError
from anxin.core.money import format_yuan
from anxin.org.models import Unit, User


def incident_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    occurred_at: datetime.datetime,
    place: str,
    people: int,
    command_post: str,
    measures: str,
    serious: bool = False,
) -> Incident:
    """A mass or extreme incident or a sudden closure: it flags the case and reaches the office (and,
    for a mass or extreme incident, the police) at once. ``serious``: it caused a serious social
    impact (what the joint-punishment list's second condition asks)."""
    require_perm(actor, "cases.change_case")
    if not works_on(actor, case):
        raise PermissionDenied(_("只有牵头、协办单位或联席办可以登记现场处置"))
    if kind not in Incident.Kind.values:
        raise DomainError(_("请选择事件类型"), field="kind")
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise DomainError(_("发生时间不能晚于现在"), field="occurred_at")
    place, command_post, measures = place.strip(), command_post.strip(), measures.strip()
    for value, field, label in (
        (place, "place", "地点"),
        (command_post, "command_post", "现场指挥部及到场人员"),
        (measures, "measures", "采取的措施"),
    ):
        if not value:
            raise DomainError(_("请填写%(f)s") % {"f": label}, field=field)
    if serious and kind == Incident.Kind.CLOSURE:
        raise DomainError(
            _("“造成严重不良社会影响”只用于群体性事件或极端事件（失信联合惩戒名单的列入条件）"),
            field="serious",
        )
    if kind == Incident.Kind.MASS and people <= 0:
        raise DomainError(_("群体性事件须填写聚集人数"), field="people")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        incident = Incident.objects.create(
            case=case,
            kind=kind,
            occurred_at=occurred_at,
            place=place,
            people=max(people, 0),
            serious=bool(serious),
            command_post=command_post,
            measures=measures,
            recorded_at=now,
            recorded_by=actor,
        )
        flag = "sudden_closure" if kind == Incident.Kind.CLOSURE else "mass_incident"
        guarded_update(Case.objects.all(), case.pk, **{flag: True, "updated_at": now})
        text = f"{incident.get_kind_display()}：{timezone.localtime(occurred_at):%m-%d %H:%M} {place}"
        if kind == Incident.Kind.MASS:
            text += f"，聚集 {people} 人"
        if serious:
            text += "，造成严重不良社会影响"
        add_event(case, Kind.INCIDENT, actor, now, f"{text}；现场指挥部：{command_post}；措施：{measures}")
        recipients = [case.lead_unit_id, *office_unit_ids()]
        if kind != Incident.Kind.CLOSURE:
            recipients += list(Unit.objects.filter(code="police").values_list("pk", flat=True))
        notify_case(case, recipients, text, measures[:200], sms=True, topic="case-incident")
    return incident


def asset_record(
    *,
    actor: User,
    case: Case,
    item: str,
    custody: str,
    custodian: str,
    description: str = "",
    agreement: str = "",
    fee: int = 0,
    preservation_ref: str = "",
    looted: bool = False,
    note: str = "",
) -> AssetItem:
    """One item of the asset-control checklist with its custody (§四(四))."""
    require_perm(actor, "cases.change_case")
    if not works_on(actor, case):
        raise PermissionDenied(_("只有牵头、协办单位或联席办可以登记财产控制"))
    if item not in AssetItem.Item.values:
        raise DomainError(_("请选择财物"), field="item")
    if custody not in Custody.values:
        raise DomainError(_("请选择保管方式"), field="custody")
    custodian, agreement, preservation_ref = custodian.strip(), agreement.strip(), preservation_ref.strip()
    if not custodian:
        raise DomainError(_("请填写保管人或保管单位"), field="custodian")
    if custody == Custody.ENTRUSTED and not agreement:
        raise DomainError(_("委托基层组织保管须办理委托保管手续（填写协议编号）"), field="agreement")
    if custody == Custody.PRESERVATION and not preservation_ref:
        raise DomainError(_("申请财产保全须填写申请或裁定文号"), field="preservation_ref")
    if fee < 0:
        raise DomainError(_("保管费不能为负数"), field="fee")
    if fee and custody != Custody.ENTRUSTED:
        raise DomainError(_("只有委托基层组织保管才有保管费"), field="fee")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        asset = AssetItem.objects.create(
            case=case,
            item=item,
            description=description.strip(),
            custody=custody,
            custodian=custodian,
            agreement=agreement,
            fee=fee,
            preservation_ref=preservation_ref,
            looted=looted,
            note=note.strip(),
            recorded_at=now,
            recorded_by=actor,
        )
        text = f"{asset.get_item_display()}：{asset.get_custody_display()}（{custodian}）"
        if fee:
            text += f"，保管费 ¥{format_yuan(fee)}（后续优先受偿）"
        if looted:
            text += "；曾被哄抢，待追回"
        add_event(case, Kind.ASSET, actor, now, text)
    return asset


def asset_recover(*, actor: User, asset: AssetItem, recovered_on: datetime.date, note: str = "") -> AssetItem:
    """Looted property recovered and put back in custody (§四(四))."""
    require_perm(actor, "cases.change_case")
    if not works_on(actor, asset.case):
        raise PermissionDenied(_("只有牵头、协办单位或联席办可以登记追回"))
    if not asset.looted:
        raise DomainError(_("该财物未登记为被哄抢"), code="transition")
    if asset.recovered_on:
        raise DomainError(_("已登记追回"), code="transition")
    if recovered_on > timezone.localdate():
        raise DomainError(_("追回日期不能晚于今天"), field="recovered_on")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        if (
            guarded_update(
                AssetItem.objects.filter(looted=True, recovered_on__isnull=True),
                asset.pk,
                recovered_on=recovered_on,
                note=(asset.note + "\n" + note.strip()).strip(),
            )
            != 1
        ):
            raise DomainError(_("已登记追回（可能已被他人登记），请刷新后查看"), code="conflict")
        add_event(
            asset.case, Kind.ASSET, actor, now, f"{asset.get_item_display()}已于 {recovered_on:%Y-%m-%d} 追回"
        )
    asset.refresh_from_db()
    return asset
