"""Import of a channel's spreadsheet of signals: all rows or none, errors by row and column.

Rows are identified by the channel's own reference (渠道编号): re-importing the same file
updates what changed and duplicates nothing. Used by the screen (with a dry-run preview) and by
``manage.py import signals FILE [--channel CODE]``.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.access import is_system, require_perm, scope_of
from anxin.core.errors import DomainError
from anxin.core.models import SecurityEventKind
from anxin.core.money import parse_yuan
from anxin.core.services import security_event_record
from anxin.core.tabular import Column, ImportResult, RowError, read_table, template_bytes
from anxin.intake.models import Channel, Signal, SignalKind
from anxin.intake.services.facts import FACT_FIELDS, clean_facts
from anxin.intake.services.recording import Incoming, _facts_differ, _Matcher, signals_record
from anxin.intake.services.reference import channels_for
from anxin.org.models import Town, User

COLUMNS = [
    Column(
        "reference",
        "渠道编号",
        True,
        "来源渠道自己的登记编号（工单号、信访件号等）；重复导入时据此更新",
        "12333-20261120-0001",
    ),
    Column(
        "kind",
        "线索类型",
        True,
        "欠薪投诉举报/社保欠费/停产停业/企业主失联逃匿/集体讨薪苗头/工程款结算纠纷/水电异常/纳税异常/涉诉涉执/信贷逾期/民间借贷风险/其他",
        "欠薪投诉举报",
    ),
    Column(
        "employer_uscc",
        "统一社会信用代码",
        False,
        "已登记企业填代码即可；与企业名称至少填一项",
        "91320411MA1XXXXXXX",
    ),
    Column("employer_name", "企业名称", False, "未登记的企业进入待匹配队列", "常州市某某机械有限公司"),
    Column("town", "镇/街道", False, "企业未登记时的用工地点，名称或代码", "罗溪镇"),
    Column("received_at", "接收时间", True, "如 2026-11-20 或 2026-11-20 09:30", "2026-11-20 09:30"),
    Column("occurred_at", "发生时间", False, "", "2026-11-18"),
    Column("workers", "涉及人数", False, "非负整数", "12"),
    Column("amount", "涉及金额（元）", False, "如 86,000.00", "86000.00"),
    Column("months_owed", "拖欠月数", False, "非负整数", "2"),
    Column("period", "拖欠期间", False, "", "2026年9月至10月"),
    Column("summary", "情况摘要", True, "", "12名工人反映9、10月工资未发"),
    Column("reporter_name", "反映人", False, "", "王五"),
    Column("reporter_phone", "反映人电话", False, "手机号", "13912345678"),
    Column("channel", "渠道", False, "留空则为导入时选择的渠道；填写时须为本单位可录入的渠道", ""),
]
HEADER = {c.key: c.header for c in COLUMNS}
KIND_BY_TEXT = {}
for _code, _label in SignalKind.choices:
    if _code != SignalKind.ARREARS_REPORT:
        KIND_BY_TEXT[_code] = _code
        KIND_BY_TEXT[str(_label)] = _code
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y年%m月%d日",
)


def signal_template() -> bytes:
    return template_bytes(
        title="线索导入",
        columns=COLUMNS,
        notes=[
            "每行一条线索；“渠道编号”在同一渠道内唯一，重复导入同一编号时更新原线索，不会重复登记。",
            "统一社会信用代码列请保持文本格式，避免 Excel 截断。",
            "任何一行有误，整个文件都不会写入；错误按行号和列名列出。",
        ],
    )


def parse_datetime(text: str) -> datetime.datetime | None:
    text = (text or "").strip().replace("T", " ")
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            value = datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return timezone.make_aware(value)
    raise ValidationError(_("“%(v)s”不是有效的日期时间（示例 2026-11-20 或 2026-11-20 09:30）") % {"v": text})


def _int(text: str) -> int:
    text = (text or "").strip()
    if not text:
        return 0
    if not re.fullmatch(r"\d{1,7}", text):
        raise ValidationError(_("“%(v)s”不是非负整数") % {"v": text})
    return int(text)


class _Lookups:
    def __init__(self, actor: User):
        self.towns = {}
        for town in Town.objects.all():
            self.towns[town.name] = town
            self.towns[town.code] = town
        self.channels = {}
        for channel in channels_for(actor):
            self.channels[channel.code] = channel
            self.channels[channel.name] = channel


def _parse_row(record: dict[str, str], lookups: _Lookups, default_channel: Channel | None):
    problems: list[tuple[str, str]] = []
    facts: dict = {}
    out = {"facts": facts, "channel": default_channel, "town": None, "reference": ""}

    def attempt(key, func, target=facts):
        if key not in record:
            return
        try:
            target[key] = func(record[key])
        except ValidationError as exc:
            problems.append((key, "；".join(exc.messages)))

    reference = (record.get("reference") or "").strip()
    if not reference:
        problems.append(("reference", _("必填")))
    elif len(reference) > 60:
        problems.append(("reference", _("不超过 60 个字符")))
    out["reference"] = reference
    channel_text = (record.get("channel") or "").strip()
    if channel_text:
        if channel_text not in lookups.channels:
            problems.append(("channel", _("未知的渠道或本单位不能录入“%(v)s”") % {"v": channel_text}))
        else:
            out["channel"] = lookups.channels[channel_text]
    elif default_channel is None:
        problems.append(("channel", _("请填写渠道，或在导入时选择渠道")))

    def kind(text):
        text = text.strip()
        if text not in KIND_BY_TEXT:
            raise ValidationError(_("未知的线索类型“%(v)s”") % {"v": text})
        return KIND_BY_TEXT[text]

    attempt("kind", kind)

    def town(text):
        text = text.strip()
        if not text:
            return None
        if text not in lookups.towns:
            raise ValidationError(_("未知的镇/街道“%(v)s”") % {"v": text})
        return lookups.towns[text]

    attempt("town", town, out)
    attempt("received_at", parse_datetime)
    attempt("occurred_at", parse_datetime)
    for key in ("workers", "months_owed"):
        attempt(key, _int)
    attempt("amount", lambda t: parse_yuan(t) if t.strip() else 0)
    for key in ("employer_uscc", "employer_name", "period", "summary", "reporter_name", "reporter_phone"):
        if key in record:
            facts[key] = record[key].strip()
    if facts.get("received_at") is None and "received_at" in facts:
        problems.append(("received_at", _("必填")))
    return out, problems


def signal_import(
    *,
    actor: User,
    content: bytes,
    filename: str,
    dry_run: bool,
    channel: Channel | None = None,
    ip: str | None = None,
) -> ImportResult:
    """Check every row; unless it is a dry run and only if every row passes, write them all."""
    require_perm(actor, "intake.import_signal")
    if isinstance(channel, str):
        code = channel
        channel = Channel.objects.filter(code=code).first()
        if channel is None:
            raise DomainError(_("未知的渠道代码“%(c)s”") % {"c": code}, field="channel")
    if channel is not None and channel not in channels_for(actor):
        raise DomainError(_("您所在单位不能在“%(c)s”渠道导入线索") % {"c": channel.name}, field="channel")
    rows = read_table(content, filename, COLUMNS)
    lookups = _Lookups(actor)
    result = ImportResult(total=len(rows), dry_run=dry_run)
    now = timezone.now()
    parsed = []
    seen: dict[tuple[int, str], int] = {}
    for row_no, record in rows:
        out, problems = _parse_row(record, lookups, channel)
        if not problems:
            for key, message in clean_facts(out["facts"], now=now).items():
                problems.append((key if key in HEADER else "summary", message))
        for key, message in problems:
            result.errors.append(RowError(row_no, HEADER.get(key, ""), message))
        if problems:
            continue
        key = (out["channel"].pk, out["reference"])
        if key in seen:
            result.errors.append(
                RowError(row_no, HEADER["reference"], _("与第 %(n)d 行重复") % {"n": seen[key]})
            )
            continue
        seen[key] = row_no
        parsed.append((row_no, out))
    items = [
        Incoming(channel=o["channel"], facts=o["facts"], reference=o["reference"], town=o["town"])
        for _n, o in parsed
    ]
    matcher = _Matcher(items, actor)
    scope = scope_of(actor)
    existing = {}
    refs_by_channel: dict[int, set[str]] = {}
    for item in items:
        refs_by_channel.setdefault(item.channel.pk, set()).add(item.reference)
    for channel_id, refs in refs_by_channel.items():
        for signal in Signal.objects.filter(channel_id=channel_id, reference__in=refs):
            existing[(channel_id, signal.reference)] = signal
    for (row_no, _out), item in zip(parsed, items, strict=True):
        enterprise = matcher.match(item.facts)
        if not is_system(actor) and scope.town_ids and not scope.everything:
            town_id = enterprise.town_id if enterprise else (item.town.pk if item.town else None)
            if town_id is None and item.town is None:
                item.town = actor.unit.town
                town_id = item.town.pk
            if town_id not in scope.town_ids:
                result.errors.append(
                    RowError(row_no, HEADER["employer_name"], _("该企业不在本镇/街道辖区，不能导入"))
                )
                continue
        current = existing.get((item.channel.pk, item.reference))
        if current is None:
            action = "新增"
            changed = []
        else:
            changed = _facts_differ(current, {k: v for k, v in item.facts.items() if k in FACT_FIELDS})
            action = "更新" if changed else "无变化"
        result.preview.append(
            {
                "row": row_no,
                "reference": item.reference,
                "name": enterprise.name
                if enterprise
                else (item.facts.get("employer_name") or item.facts.get("employer_uscc")),
                "matched": enterprise is not None,
                "action": action,
                "changed": changed,
            }
        )
    if result.errors or dry_run:
        return result
    try:
        recorded = signals_record(actor=actor, items=items)
    except ValidationError as exc:
        index = int(exc.code) if (exc.code or "").isdigit() else 0
        row_no = parsed[index][0] if parsed else 0
        for field, messages in exc.message_dict.items():
            result.errors.append(RowError(row_no, HEADER.get(field, ""), "；".join(messages)))
        return result
    except DomainError as exc:
        result.errors.append(RowError(0, HEADER.get(exc.field or "", ""), exc.message))
        return result
    for record in recorded:
        setattr(result, record.outcome, getattr(result, record.outcome) + 1)
    security_event_record(
        kind=SecurityEventKind.IMPORT,
        user=actor,
        ip=ip,
        summary=f"导入线索 {filename}：新增 {result.created}，更新 {result.updated}，无变化 {result.unchanged}",
        detail={"filename": filename, "rows": result.total, "channel": channel.code if channel else ""},
    )
    return result
