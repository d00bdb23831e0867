"""Import of enterprises from a spreadsheet: all rows or none, errors by row and column.

Re-importing the same file updates by 统一社会信用代码 instead of duplicating. Used by the
screen (with a dry-run preview) and by ``manage.py import enterprises FILE``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anxin.core.access import require_perm, scope_of
from anxin.core.models import SecurityEventKind
from anxin.core.services import security_event_record
from anxin.core.tabular import Column, ImportResult, RowError, read_table, template_bytes
from anxin.core.validators import validate_phone, validate_uscc
from anxin.org.models import Town, User
from anxin.registry import services
from anxin.registry.models import Enterprise, EnterpriseKind, EnterpriseStatus, Industry, Ownership

COLUMNS = [
    Column(
        "uscc",
        "统一社会信用代码",
        True,
        "18位，GB 32100-2015；以此识别企业，重复导入时更新",
        "91320411MA1XXXXXXX",
    ),
    Column("name", "企业名称", True, "营业执照上的名称", "常州市某某机械有限公司"),
    Column("legal_rep", "法定代表人", True, "", "张三"),
    Column("town", "所属镇/街道", True, "镇/街道名称或代码，如“罗溪镇”或“luoxi”", "罗溪镇"),
    Column("address", "地址", True, "", "罗溪镇某某路1号"),
    Column("industry", "行业门类", True, "国民经济行业分类门类字母或名称，如“C”或“制造业”", "C"),
    Column(
        "ownership", "经济类型", False, "国有/集体/私营/外商投资/港澳台投资/个体工商户/其他，默认私营", "私营"
    ),
    Column(
        "kinds",
        "企业类型",
        False,
        "可多个，用顿号或逗号分隔，如“工业企业、劳动密集型”",
        "工业企业、劳动密集型",
    ),
    Column("employees", "职工人数", False, "非负整数", "120"),
    Column("status", "经营状态", False, "在营/停产/关停/注销/失联，默认在营", "在营"),
    Column("contact_person", "联系人", False, "", "李四"),
    Column("contact_phone", "联系电话", False, "手机或带区号的固定电话", "13812345678"),
    Column("note", "备注", False, "", ""),
]
HEADER = {c.key: c.header for c in COLUMNS}
_SPLIT = re.compile(r"[、,，;；/\s]+")


def enterprise_template() -> bytes:
    return template_bytes(
        title="企业导入",
        columns=COLUMNS,
        notes=["镇/街道用户只能导入本辖区企业。", "统一社会信用代码列请保持文本格式，避免 Excel 截断。"],
    )


def _choice(value: str, choices, default: str | None, header: str, *, lettered: bool = False) -> str:
    """A choice by code or label; ``lettered`` lists (行业门类 "C 制造业") also match the name alone."""
    text = value.strip()
    if not text:
        if default is None:
            raise ValidationError(_("必填"))
        return default
    for code, label in choices:
        label = str(label)
        if text in (code, label) or (lettered and (label[2:] == text or text.upper() == code)):
            return code
    options = "、".join(str(label) for _code, label in choices)
    raise ValidationError(_("“%(v)s”不是有效的%(h)s（可选：%(o)s）") % {"v": text, "h": header, "o": options})


class _Lookups:
    def __init__(self):
        self.towns = {}
        for town in Town.objects.all():
            self.towns[town.name] = town
            self.towns[town.code] = town
        self.kinds = {}
        for kind in EnterpriseKind.objects.all():
            self.kinds[kind.name] = kind
            self.kinds[kind.code] = kind


def _clean_row(
    record: dict[str, str], lookups: _Lookups
) -> tuple[dict, list[EnterpriseKind] | None, list[tuple[str, str]]]:
    """Field values for the service, the kinds, and (column key, message) problems.

    Only the columns the file has are read: a column left out of the file leaves the field as it
    is on update (the model default on create); kinds are None when the column is absent.
    """
    problems: list[tuple[str, str]] = []
    data: dict = {}

    def attempt(key, func):
        if key not in record:
            return
        try:
            data[key] = func(record[key])
        except ValidationError as exc:
            problems.append((key, "；".join(exc.messages)))

    def required(value):
        value = value.strip()
        if not value:
            raise ValidationError(_("必填"))
        return value

    attempt("uscc", validate_uscc)
    for key in ("name", "legal_rep", "address"):
        attempt(key, required)

    def town(value):
        value = value.strip()
        if not value:
            raise ValidationError(_("必填"))
        if value not in lookups.towns:
            raise ValidationError(_("未知的镇/街道“%(v)s”") % {"v": value})
        return lookups.towns[value]

    attempt("town", town)
    attempt("industry", lambda v: _choice(v, Industry.choices, None, HEADER["industry"], lettered=True))
    attempt("ownership", lambda v: _choice(v, Ownership.choices, Ownership.PRIVATE, HEADER["ownership"]))
    attempt(
        "status", lambda v: _choice(v, EnterpriseStatus.choices, EnterpriseStatus.OPERATING, HEADER["status"])
    )

    def employees(value):
        value = value.strip()
        if not value:
            return 0
        if not re.fullmatch(r"\d{1,7}", value):
            raise ValidationError(_("“%(v)s”不是非负整数") % {"v": value})
        return int(value)

    attempt("employees", employees)
    attempt("contact_phone", lambda v: validate_phone(v) if v.strip() else "")
    for key in ("contact_person", "note"):
        if key in record:
            data[key] = record[key].strip()
    if "kinds" not in record:
        return data, None, problems
    kinds: list[EnterpriseKind] = []
    for token in filter(None, _SPLIT.split(record["kinds"].strip())):
        if token in lookups.kinds:
            kinds.append(lookups.kinds[token])
        else:
            options = "、".join(sorted({k.name for k in lookups.kinds.values()}))
            problems.append(("kinds", _("未知的企业类型“%(v)s”（可选：%(o)s）") % {"v": token, "o": options}))
    return data, list(dict.fromkeys(kinds)), problems


def enterprise_import(
    *, actor: User, content: bytes, filename: str, dry_run: bool, ip: str | None = None
) -> ImportResult:
    """Check every row; unless it is a dry run and only if every row passes, write them all."""
    require_perm(actor, "registry.import_enterprise")
    rows = read_table(content, filename, COLUMNS)
    lookups = _Lookups()
    scope = scope_of(actor)
    result = ImportResult(total=len(rows), dry_run=dry_run)
    seen: dict[str, int] = {}
    planned: list[tuple[int, dict, list[EnterpriseKind], Enterprise | None]] = []
    existing = {
        e.uscc: e
        for e in Enterprise.objects.filter(
            uscc__in=[validate_uscc_or_blank(r["uscc"]) for _n, r in rows]
        ).prefetch_related("kinds")
    }
    visible = set(Enterprise.objects.for_user(actor).filter(uscc__in=existing).values_list("uscc", flat=True))
    for row_no, record in rows:
        data, kinds, problems = _clean_row(record, lookups)
        for key, message in problems:
            result.errors.append(RowError(row_no, HEADER[key], message))
        if problems:
            continue
        uscc = data["uscc"]
        if uscc in seen:
            result.errors.append(RowError(row_no, HEADER["uscc"], _("与第 %(n)d 行重复") % {"n": seen[uscc]}))
            continue
        seen[uscc] = row_no
        if not scope.everything and scope.town_ids and data["town"].pk not in scope.town_ids:
            result.errors.append(RowError(row_no, HEADER["town"], _("不在本单位辖区，不能导入")))
            continue
        current = existing.get(uscc)
        if current is not None and uscc not in visible:
            result.errors.append(
                RowError(row_no, HEADER["uscc"], _("该企业已由其他辖区登记，不能在此更新，请联系联席办"))
            )
            continue
        planned.append((row_no, data, kinds, current))
    for row_no, data, kinds, current in planned:
        changed = [] if current is None else _changed_columns(current, data, kinds)
        if current is None:
            action = "新增"
        elif not changed:
            action = "无变化"
        else:
            action = "更新"
        result.preview.append(
            {"row": row_no, "uscc": data["uscc"], "name": data["name"], "action": action, "changed": changed}
        )
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        for (row_no, data, kinds, current), preview in zip(planned, result.preview, strict=True):
            try:
                if current is None:
                    services.enterprise_create(actor=actor, kinds=kinds or [], **data)
                    result.created += 1
                elif preview["action"] == "无变化":
                    result.unchanged += 1
                else:
                    services.enterprise_update(actor=actor, enterprise=current, kinds=kinds, **data)
                    result.updated += 1
            except ValidationError as exc:
                # A rule only the database or model knows: name the row, write nothing.
                transaction.set_rollback(True)
                for field, messages in exc.message_dict.items():
                    result.errors.append(RowError(row_no, HEADER.get(field, ""), "；".join(messages)))
                result.created = result.updated = result.unchanged = 0
                return result
        security_event_record(
            kind=SecurityEventKind.IMPORT,
            user=actor,
            ip=ip,
            summary=f"导入企业 {filename}：新增 {result.created}，更新 {result.updated}，无变化 {result.unchanged}",
            detail={"filename": filename, "rows": result.total},
        )
    return result


def validate_uscc_or_blank(value: str) -> str:
    try:
        return validate_uscc(value)
    except ValidationError:
        return ""


def _changed_columns(current: Enterprise, data: dict, kinds: list[EnterpriseKind] | None) -> list[str]:
    """The headers of the columns whose value differs from the stored enterprise."""
    changed = []
    for key, value in data.items():
        stored = current.town_id if key == "town" else getattr(current, key)
        if (value.pk if key == "town" else value) != stored:
            changed.append(HEADER[key])
    if kinds is not None and {k.pk for k in current.kinds.all()} != {k.pk for k in kinds}:
        changed.append(HEADER["kinds"])
    return changed
