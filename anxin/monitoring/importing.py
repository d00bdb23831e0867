"""Import of monthly observations: one indicator per file (or an 指标 column), all rows or none,
idempotent by enterprise + indicator + month. ``manage.py import observations FILE``."""

from __future__ import annotations

import contextlib
import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from anxin.core.access import require_perm
from anxin.core.errors import DomainError
from anxin.core.models import SecurityEventKind
from anxin.core.money import parse_yuan
from anxin.core.services import security_event_record
from anxin.core.tabular import Column, ImportResult, RowError, read_table, template_bytes
from anxin.core.validators import validate_uscc
from anxin.monitoring import services
from anxin.monitoring.models import Indicator, IndicatorKind, Observation
from anxin.org.models import User
from anxin.registry.models import Enterprise

COLUMNS = [
    Column("uscc", "统一社会信用代码", True, "18位", "91320411MA1XXXXXXX"),
    Column("month", "月份", True, "YYYY-MM，如 2026-10", "2026-10"),
    Column("value", "数值", True, "金额填元（如 12,000.00）；是/否类填 是 或 否；其余填非负整数", "3"),
    Column("indicator", "指标", False, "指标代码或名称；留空则为导入时选择的指标", ""),
]
HEADER = {c.key: c.header for c in COLUMNS}
MONTH = re.compile(r"^\s*(\d{4})[-/.年](\d{1,2})月?\s*$")


def observation_template() -> bytes:
    names = "、".join(Indicator.objects.values_list("name", flat=True))
    return template_bytes(
        title="监测数据导入",
        columns=COLUMNS,
        notes=[f"指标：{names}。", "同一企业、同一指标、同一月份重复导入时更新数值，不会重复。"],
    )


def parse_month(text: str) -> datetime.date:
    match = MONTH.match(text or "")
    if not match:
        raise ValidationError(_("“%(v)s”不是有效的月份（示例 2026-10）") % {"v": text})
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ValidationError(_("“%(v)s”不是有效的月份（示例 2026-10）") % {"v": text})
    return datetime.date(year, month, 1)


def parse_value(indicator: Indicator, text) -> int:
    text = str(text).strip()
    if indicator.kind == IndicatorKind.MONEY:
        return parse_yuan(text)
    if indicator.kind == IndicatorKind.FLAG:
        if text in ("是", "1", "有", "true", "True"):
            return 1
        if text in ("否", "0", "无", "false", "False"):
            return 0
        raise ValidationError(_("“%(v)s”须为 是 或 否") % {"v": text})
    if not re.fullmatch(r"\d{1,12}", text):
        raise ValidationError(_("“%(v)s”不是非负整数") % {"v": text})
    return int(text)


def observation_import(
    *,
    actor: User,
    content: bytes,
    filename: str,
    dry_run: bool,
    indicator: Indicator | str | None = None,
    ip: str | None = None,
) -> ImportResult:
    require_perm(actor, "monitoring.import_observation")
    indicators = {}
    for item in Indicator.objects.all():
        indicators[item.code] = indicators[item.name] = item
    if isinstance(indicator, str):
        if indicator not in indicators:
            raise DomainError(_("未知的指标“%(v)s”") % {"v": indicator}, field="indicator")
        indicator = indicators[indicator]
    rows = read_table(content, filename, COLUMNS)
    result = ImportResult(total=len(rows), dry_run=dry_run)
    codes = set()
    for _n, record in rows:
        with contextlib.suppress(ValidationError):
            codes.add(validate_uscc(record.get("uscc", "")))
    visible = {e.uscc: e for e in Enterprise.objects.for_user(actor).filter(uscc__in=codes)}
    planned, seen = [], {}
    for row_no, record in rows:
        problems = []
        enterprise = chosen = month = value = None
        try:
            uscc = validate_uscc(record.get("uscc", ""))
            enterprise = visible.get(uscc)
            if enterprise is None:
                # One answer for "registered elsewhere" and "nowhere" (no existence oracle, #13).
                problems.append(("uscc", _("该企业未登记，或不在您的管辖范围内")))
        except ValidationError as exc:
            problems.append(("uscc", "；".join(exc.messages)))
        chosen_text = (record.get("indicator") or "").strip()
        if chosen_text:
            chosen = indicators.get(chosen_text)
            if chosen is None:
                problems.append(("indicator", _("未知的指标“%(v)s”") % {"v": chosen_text}))
        else:
            chosen = indicator
            if chosen is None:
                problems.append(("indicator", _("请填写指标，或在导入时选择指标")))
        try:
            month = parse_month(record.get("month", ""))
        except ValidationError as exc:
            problems.append(("month", "；".join(exc.messages)))
        if chosen is not None and not services.may_report(actor, chosen):
            unit = chosen.channel.unit
            problems.append(
                (
                    "indicator",
                    _("“%(i)s”由%(u)s报送，您所在单位不能报送")
                    % {"i": chosen.name, "u": unit.short_name or unit.name},
                )
            )
            chosen = None
        if chosen is not None:
            try:
                value = parse_value(chosen, record.get("value", ""))
            except ValidationError as exc:
                problems.append(("value", "；".join(exc.messages)))
        for key, message in problems:
            result.errors.append(RowError(row_no, HEADER[key], message))
        if problems:
            continue
        key = (enterprise.pk, chosen.pk, month)
        if key in seen:
            result.errors.append(RowError(row_no, HEADER["month"], _("与第 %(n)d 行重复") % {"n": seen[key]}))
            continue
        seen[key] = row_no
        planned.append((row_no, enterprise, chosen, month, value))
    existing = {
        (o.enterprise_id, o.indicator_id, o.month): o.value
        for o in Observation.objects.filter(
            enterprise_id__in={p[1].pk for p in planned}, month__in={p[3] for p in planned}
        )
    }
    for row_no, enterprise, chosen, month, value in planned:
        before = existing.get((enterprise.pk, chosen.pk, month))
        action = "新增" if before is None else ("无变化" if before == value else "更新")
        result.preview.append(
            {
                "row": row_no,
                "uscc": enterprise.uscc,
                "name": enterprise.name,
                "action": action,
                "changed": [f"{chosen.name} {month:%Y-%m}：{chosen.display(value)}"],
            }
        )
    if result.errors or dry_run:
        return result
    counts = services.observations_record(actor=actor, rows=[(e, i, m, v) for _r, e, i, m, v in planned])
    result.created, result.updated, result.unchanged = (
        counts["created"],
        counts["updated"],
        counts["unchanged"],
    )
    security_event_record(
        kind=SecurityEventKind.IMPORT,
        user=actor,
        ip=ip,
        summary=f"导入监测数据 {filename}：新增 {result.created}，更新 {result.updated}，无变化 {result.unchanged}",
        detail={"filename": filename, "rows": result.total},
    )
    return result
