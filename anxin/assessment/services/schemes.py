"""Assessment schemes (§五(三) 细化考核标准): the district's default per group (``assessment_schemes`` in
the district file), a year's scheme created from it or copied from last year's, a draft edited by the
office, activated (the version in use superseded in the same transaction, then that group's provisional
scores recomputed), a new version of the one in use (a scheme in use is never edited in place).

Every write refuses once the year's finalisation has opened (``AssessmentYear`` not open): "考核已开始
终评，方案不得变更". A measure key unknown is refused when a scheme is activated (``check_measures``): when the office
activates a draft, and when the district file's default is put in use on load (the load refused, the
entry named; every part registers its measures in ``ready()``, before any load).
A refusal says why in Chinese and changes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from anxin.assessment import access, grading, measures
from anxin.assessment.models import (
    AssessmentYear,
    HandScore,
    Indicator,
    IndicatorKind,
    Scheme,
    SchemeStatus,
    UnitGroup,
    YearStatus,
)
from anxin.assessment.services import scoring
from anxin.assessment.workflow import ACTIVATE, SCHEMES, SUPERSEDE
from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.org.models import User

SECTION = "assessment_schemes"
CLAUSE = "§五(三)"
OFFICE_ONLY = "只有联席办可以制定、修改和启用考核方案"
FROZEN = "考核已开始终评，方案不得变更"
KINDS = {k.value for k in IndicatorKind}
GROUPS = {g.value for g in UnitGroup}
SETTING_KEYS = ("full_at", "zero_at", "target")
MAX_POINTS = Decimal("1000")


def _nolog(_line: str) -> None:
    return None


# --- checking a scheme's figures (the district file and the editor share these) ----------------------


def _decimal(value: Any, where: str, what: str, *, field: str, allow_none: bool = False) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_none:
            return None
        raise DomainError(f"{where}：请填写{what}", field=field)
    if isinstance(value, bool):
        raise DomainError(f"{where}：{what}应为数字", field=field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise DomainError(f"{where}：{what}应为数字", field=field) from None
    if not number.is_finite() or number < 0:
        raise DomainError(f"{where}：{what}不能为负数", field=field)
    if number > MAX_POINTS:
        raise DomainError(f"{where}：{what}不超过 {MAX_POINTS} 分", field=field)
    return grading.points(number)


def clean_settings(raw: Any, where: str) -> dict:
    """An indicator's formula figures: ``full_at`` / ``zero_at`` (shares, 0–1, full above zero) and
    ``target`` (a count, > 0); other keys a measure reads are kept as given."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        raise DomainError(f"{where}：计分参数应为键值对（如 full_at: 0.95）", field="settings")
    found = dict(raw)
    for key in ("full_at", "zero_at"):
        if key in found:
            try:
                share = Decimal(str(found[key]))
            except InvalidOperation:
                raise DomainError(f"{where}：计分参数 {key} 应为 0–1 之间的比例", field="settings") from None
            if isinstance(found[key], bool) or not (0 <= share <= 1):
                raise DomainError(f"{where}：计分参数 {key} 应为 0–1 之间的比例", field="settings")
            found[key] = float(share)
    if "full_at" in found and "zero_at" in found and found["full_at"] <= found["zero_at"]:
        raise DomainError(f"{where}：满分线 full_at 须高于零分线 zero_at", field="settings")
    if "target" in found:
        try:
            target = Decimal(str(found["target"]))
        except InvalidOperation:
            raise DomainError(f"{where}：计分参数 target 应为正数", field="settings") from None
        if isinstance(found["target"], bool) or target <= 0:
            raise DomainError(f"{where}：计分参数 target 应为正数", field="settings")
        found["target"] = int(target) if target == target.to_integral_value() else float(target)
    return found


def clean_indicator(raw: Any, where: str) -> dict[str, Any]:
    """One indicator row checked (code, name, kind, measure, points, cap, settings, criteria,
    citation): points > 0 (a deduction or bonus read from a measure may have 0: the measure gives
    points), a computed indicator names a measure, a manual one has its criteria. The measure key is
    not looked up here (see the module)."""
    if not isinstance(raw, dict):
        raise DomainError(f"{where}：应为指标（code、name、kind、points…）", field="indicators")
    code = str(raw.get("code") or "").strip()
    name = str(raw.get("name") or "").strip()
    where = f"{where}（{code or name or '无代码'}）"
    if not code:
        raise DomainError(f"{where}：缺少指标代码 code", field="code")
    if len(code) > 40 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code):
        raise DomainError(f"{where}：指标代码只能由字母、数字、- 和 _ 组成（不超过 40 个字符）", field="code")
    if not name:
        raise DomainError(f"{where}：缺少指标名称 name", field="name")
    if len(name) > 100:
        raise DomainError(f"{where}：指标名称不超过 100 字", field="name")
    kind = str(raw.get("kind") or "").strip()
    if kind not in KINDS:
        raise DomainError(
            f"{where}：类型 kind 应为 computed（自动计算）、manual（人工评分）、deduction（扣分项）或 bonus（加分项）",
            field="kind",
        )
    measure = str(raw.get("measure") or "").strip()
    if kind == IndicatorKind.COMPUTED and not measure:
        raise DomainError(f"{where}：自动计算的指标须选择计算口径", field="measure")
    if kind == IndicatorKind.MANUAL and measure:
        raise DomainError(f"{where}：人工评分的指标不设计算口径", field="measure")
    points = _decimal(raw.get("points"), where, "分值", field="points")
    assert points is not None
    by_measure_points = kind in (IndicatorKind.DEDUCTION, IndicatorKind.BONUS) and bool(measure)
    if points <= 0 and not by_measure_points:
        raise DomainError(f"{where}：分值须大于 0", field="points")
    cap = _decimal(raw.get("cap"), where, "本项上限", field="cap", allow_none=True)
    if kind in (IndicatorKind.DEDUCTION, IndicatorKind.BONUS) and cap is None:
        raise DomainError(f"{where}：扣分项、加分项须设本项上限", field="cap")
    if kind in (IndicatorKind.COMPUTED, IndicatorKind.MANUAL):
        cap = None
    criteria = str(raw.get("criteria") or "").strip()
    if kind == IndicatorKind.MANUAL and not criteria:
        raise DomainError(f"{where}：人工评分的指标须写明评分标准", field="criteria")
    citation = str(raw.get("citation") or "").strip()
    if len(citation) > 60:
        raise DomainError(f"{where}：依据不超过 60 字", field="citation")
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "measure": measure,
        "points": points,
        "cap": cap,
        "settings": clean_settings(raw.get("settings"), where),
        "criteria": criteria,
        "citation": citation,
    }


def clean_scheme(raw: Any, where: str) -> dict[str, Any]:
    """A whole scheme (group, title, caps, bands, note, indicators) checked, naming the entry."""
    if not isinstance(raw, dict):
        raise DomainError(f"{where}：应为考核方案（group、title、indicators…）", field=SECTION)
    group = str(raw.get("group") or "").strip()
    if group not in GROUPS:
        raise DomainError(f"{where}：考核对象 group 应为 town（镇街）或 department（部门）", field="group")
    where = f"{where}（{UnitGroup(group).label}）"
    title = str(raw.get("title") or "").strip()
    if not title:
        raise DomainError(f"{where}：缺少方案名称 title", field="title")
    if len(title) > 100:
        raise DomainError(f"{where}：方案名称不超过 100 字", field="title")
    deduction_cap = _decimal(raw.get("deduction_cap", 0), where, "扣分上限", field="deduction_cap")
    bonus_cap = _decimal(raw.get("bonus_cap", 0), where, "加分上限", field="bonus_cap")
    try:
        bands = grading.validate_bands(raw.get("grade_bands"))
    except DomainError as exc:
        raise DomainError(f"{where}：{exc.message}", field="grade_bands") from None
    rows = raw.get("indicators")
    if not isinstance(rows, list) or not rows:
        raise DomainError(f"{where}：至少设一个考核指标", field="indicators")
    indicators = [clean_indicator(row, f"{where} 第 {n} 个指标") for n, row in enumerate(rows, start=1)]
    codes = [i["code"] for i in indicators]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if repeated:
        raise DomainError(f"{where}：指标代码 {'、'.join(repeated)} 重复", field="indicators")
    if not any(i["kind"] in (IndicatorKind.COMPUTED, IndicatorKind.MANUAL) for i in indicators):
        raise DomainError(f"{where}：至少设一个计分指标（自动计算或人工评分）", field="indicators")
    return {
        "group": group,
        "title": title,
        "deduction_cap": deduction_cap,
        "bonus_cap": bonus_cap,
        "grade_bands": bands,
        "note": str(raw.get("note") or "").strip(),
        "indicators": indicators,
    }


def full_marks(indicators: list[dict] | Any) -> Decimal:
    """The base's full marks: the points of the computed and manual indicators."""
    total = Decimal(0)
    for row in indicators:
        kind = row["kind"] if isinstance(row, dict) else row.kind
        value = row["points"] if isinstance(row, dict) else row.points
        if kind in (IndicatorKind.COMPUTED, IndicatorKind.MANUAL):
            total += Decimal(value)
    return grading.points(total)


# --- the district file -----------------------------------------------------------------------------


def parse_section(data: dict) -> dict[str, dict]:
    """The district file's ``assessment_schemes``, checked: {group: scheme}. Missing: {}."""
    entries = data.get(SECTION)
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise DomainError(f"区配置 {SECTION} 应为列表", field=SECTION)
    found: dict[str, dict] = {}
    for n, entry in enumerate(entries, start=1):
        scheme = clean_scheme(entry, f"区配置 {SECTION} 第 {n} 项")
        if scheme["group"] in found:
            raise DomainError(
                f"区配置 {SECTION} 第 {n} 项：{UnitGroup(scheme['group']).label}的方案重复", field="group"
            )
        found[scheme["group"]] = scheme
    return found


def district_defaults(path: Path | None = None) -> dict[str, dict]:
    """The district's default schemes as the district file says today (``settings.DISTRICT_FILE``)."""
    path = path or django_settings.DISTRICT_FILE
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DomainError(f"读取区配置文件失败：{exc}") from None
    return parse_section(data)


def _write(scheme: Scheme, rows: list[dict]) -> None:
    for order, row in enumerate(rows):
        Indicator.objects.create(scheme=scheme, order=order, **row)


def assessment_schemes_load(
    *, data: dict, actor: User, log: Callable[[str], None] = _nolog, today: datetime.date | None = None
) -> None:
    """``seam.DISTRICT_SECTIONS``: the section checked (a bad entry names itself); for the current
    year, a group with no scheme at all gets the district's default as version 1, in use. Idempotent:
    a year that has a scheme for the group (any version, any status) is left as it is."""
    found = parse_section(data)
    if not found:
        return
    year = (today or timezone.localdate()).year
    made = []
    with transaction.atomic(), acting(actor):
        for group, default in found.items():
            if Scheme.objects.filter(year=year, group=group).exists():
                continue
            scheme = _create(actor=actor, year=year, group=group, source=default, based_on=None)
            try:
                check_measures(scheme)
            except DomainError as exc:
                raise DomainError(
                    f"区配置 {SECTION}（{UnitGroup(group).label}方案）：{exc.message}", field=SECTION
                ) from None
            now = timezone.now()
            SCHEMES.move(
                scheme,
                SCHEMES.step(scheme, ACTIVATE),
                actor=actor,
                note="按区配置启用默认方案",
                values={"activated_at": now, "activated_by": actor},
                now=now,
            )
            made.append(UnitGroup(group).label)
    log(
        f"考核方案：{len(found)} 类"
        + (f"，{year} 年度启用默认方案：{'、'.join(str(m) for m in made)}" if made else "")
    )


# --- the office's writes ---------------------------------------------------------------------------


def _office(actor: Any) -> None:
    if not access.may_manage(actor):
        raise PermissionDenied(OFFICE_ONLY)


def require_open(year: int) -> None:
    """Refused once the year's finalisation has opened (or the year is locked)."""
    state = AssessmentYear.objects.filter(year=year).first()
    if state is not None and state.status != YearStatus.OPEN:
        raise DomainError(FROZEN, code="invalid")


def _require_draft(scheme: Scheme) -> None:
    if scheme.status != SchemeStatus.DRAFT:
        raise DomainError(
            f"{scheme}{scheme.get_status_display()}，不能修改；使用中的方案请“另存新版本”后修改草稿。",
            code="invalid",
        )


def _create(*, actor: User, year: int, group: str, source: dict, based_on: Scheme | None) -> Scheme:
    last = Scheme.objects.filter(year=year, group=group).order_by("-version").first()
    scheme = Scheme.objects.create(
        year=year,
        group=group,
        version=(last.version + 1) if last else 1,
        title=source["title"],
        deduction_cap=source["deduction_cap"],
        bonus_cap=source["bonus_cap"],
        grade_bands=source["grade_bands"],
        note=source.get("note", ""),
        based_on=based_on,
        created_by=actor,
    )
    _write(scheme, source["indicators"])
    SCHEMES.record(scheme, "draft", actor=actor, note=source.get("how", ""), target=SchemeStatus.DRAFT)
    return scheme


def as_source(scheme: Scheme) -> dict[str, Any]:
    """A scheme's figures in the shape ``clean_scheme`` returns (to copy it)."""
    return {
        "group": scheme.group,
        "title": scheme.title,
        "deduction_cap": scheme.deduction_cap,
        "bonus_cap": scheme.bonus_cap,
        "grade_bands": list(scheme.grade_bands or []),
        "note": scheme.note,
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "kind": i.kind,
                "measure": i.measure,
                "points": i.points,
                "cap": i.cap,
                "settings": dict(i.settings or {}),
                "criteria": i.criteria,
                "citation": i.citation,
            }
            for i in scheme.indicators.all()
        ],
    }


FROM_DISTRICT, FROM_LAST_YEAR = "district", "last_year"


def scheme_create(*, actor: User, year: int, group: str, source: str = FROM_DISTRICT) -> Scheme:
    """A draft of ``year``'s scheme for ``group``: from the district's default, or a copy of the
    previous year's scheme (the one in use, else its latest version). The version follows the year's
    last one for the group."""
    _office(actor)
    if group not in GROUPS:
        raise DomainError("请选择考核对象（镇街或部门）", field="group")
    if not 2000 <= int(year) <= 2100:
        raise DomainError("考核年度不正确", field="year")
    require_open(year)
    if Scheme.objects.filter(year=year, group=group, status=SchemeStatus.DRAFT).exists():
        raise DomainError(f"{year} 年度{UnitGroup(group).label}已有草稿，请直接修改草稿。", field="group")
    based_on = None
    if source == FROM_LAST_YEAR:
        previous = (
            Scheme.objects.filter(year=year - 1, group=group)
            .exclude(status=SchemeStatus.DRAFT)
            .order_by("-version")
        )
        based_on = previous.filter(status=SchemeStatus.ACTIVE).first() or previous.first()
        if based_on is None:
            raise DomainError(f"{year - 1} 年度没有{UnitGroup(group).label}考核方案可复制", field="source")
        figures = {**as_source(based_on), "how": f"复制{based_on}"}
    elif source == FROM_DISTRICT:
        defaults = district_defaults()
        if group not in defaults:
            raise DomainError(f"区配置中没有{UnitGroup(group).label}的默认考核方案", field="source")
        figures = {**defaults[group], "how": "按区配置默认方案"}
    else:
        raise DomainError("请选择方案来源", field="source")
    with transaction.atomic(), acting(actor):
        return _create(actor=actor, year=year, group=group, source=figures, based_on=based_on)


def parse_bands(text: str) -> list[dict]:
    """The editor's bands, one per line "优秀 90" (name, then the minimum), checked."""
    bands = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.replace("：", " ").replace(":", " ").replace("，", " ").replace(",", " ").strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            raise DomainError(f"等次划分第 {n} 行应为“等次名称 最低分”，如“优秀 90”", field="grade_bands")
        bands.append({"grade": parts[0], "min": parts[1]})
    try:
        return grading.validate_bands(bands)
    except DomainError as exc:
        raise DomainError(exc.message, field="grade_bands") from None


def bands_text(bands: list[dict]) -> str:
    return "\n".join(f"{b['grade']} {grading.points(b['min']).normalize():f}" for b in bands or [])


def scheme_update(
    *,
    actor: User,
    scheme: Scheme,
    title: str,
    deduction_cap: Any,
    bonus_cap: Any,
    grade_bands: list[dict],
    note: str = "",
    indicators: list[dict],
) -> Scheme:
    """A draft's figures replaced (its indicators added, edited, removed as given). Refused: not a
    draft, the year no longer open, a row that breaks the rules (named)."""
    _office(actor)
    _require_draft(scheme)
    require_open(scheme.year)
    cleaned = clean_scheme(
        {
            "group": scheme.group,
            "title": title,
            "deduction_cap": deduction_cap,
            "bonus_cap": bonus_cap,
            "grade_bands": grade_bands,
            "note": note,
            "indicators": indicators,
        },
        "考核方案",
    )
    with transaction.atomic(), acting(actor):
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        _require_draft(locked)
        kept = {i.code: i for i in locked.indicators.all()}
        wanted = {row["code"] for row in cleaned["indicators"]}
        for code, indicator in kept.items():
            if code not in wanted:
                indicator.delete()
        for order, row in enumerate(cleaned["indicators"]):
            if row["code"] in kept:
                indicator = kept[row["code"]]
                for field, value in row.items():
                    setattr(indicator, field, value)
                indicator.order = order
                indicator.save()
            else:
                Indicator.objects.create(scheme=locked, order=order, **row)
        for field in ("title", "deduction_cap", "bonus_cap", "grade_bands", "note"):
            setattr(locked, field, cleaned[field])
        locked.save()
        SCHEMES.record(
            locked, "edit", actor=actor, note="修改草稿", source=locked.status, target=locked.status
        )
    scheme.refresh_from_db()
    return scheme


def check_measures(scheme: Scheme) -> None:
    """Every measure the scheme names is registered and suits its group; a 0-point deduction or bonus
    reads a points measure. Refused naming the indicator."""
    for indicator in scheme.indicators.all():
        if not indicator.measure:
            continue
        try:
            measure = measures.get(indicator.measure)
        except DomainError as exc:
            raise DomainError(f"指标“{indicator.name}”：{exc.message}", field="measure") from None
        if scheme.group not in measure.groups:
            raise DomainError(
                f"指标“{indicator.name}”：计算口径“{measure.label}”不适用于{scheme.get_group_display()}",
                field="measure",
            )
        if indicator.points <= 0 and measure.kind != measures.POINTS:
            raise DomainError(
                f"指标“{indicator.name}”：按次计分的口径“{measure.label}”须设每次分值（大于 0）",
                field="points",
            )


def _carry_hand_scores(old: Scheme, new: Scheme, actor: User) -> int:
    """The office's hand scores under the version superseded go with the same indicator (code and
    kind) of the new one, so activating a new version loses no hand score."""
    targets = {(i.code, i.kind): i for i in new.indicators.all() if i.kind != IndicatorKind.COMPUTED}
    moved = 0
    for hand in HandScore.objects.filter(indicator__scheme=old).select_related("indicator"):
        target = targets.get((hand.indicator.code, hand.indicator.kind))
        if target is None or HandScore.objects.filter(indicator=target, unit_id=hand.unit_id).exists():
            continue
        copy = HandScore.objects.create(
            indicator=target,
            unit_id=hand.unit_id,
            points=min(
                hand.points,
                target.points if target.kind == IndicatorKind.MANUAL else (target.cap or hand.points),
            ),
            note=hand.note,
            scored_by=hand.scored_by,
        )
        copy.files.set(hand.files.all())
        moved += 1
    return moved


def scheme_activate(*, actor: User, scheme: Scheme, now: datetime.datetime | None = None) -> Scheme:
    """The draft put in use: its measures checked, the version in use for the year and group
    superseded in the same transaction (hand scores carried over), then that group's provisional
    scores recomputed (for a year already begun)."""
    _office(actor)
    require_open(scheme.year)
    step = SCHEMES.step(scheme, ACTIVATE)
    check_measures(scheme)
    now = now or timezone.now()
    with transaction.atomic(), acting(actor):
        current = (
            Scheme.objects.select_for_update()
            .filter(year=scheme.year, group=scheme.group, status=SchemeStatus.ACTIVE)
            .first()
        )
        if current is not None:
            SCHEMES.move(
                current,
                SCHEMES.step(current, SUPERSEDE),
                actor=actor,
                note=f"由第{scheme.version}版替代",
                now=now,
            )
        SCHEMES.move(
            scheme,
            step,
            actor=actor,
            note="启用" + (f"，替代第{current.version}版" if current else ""),
            values={"activated_at": now, "activated_by": actor},
            now=now,
        )
        if current is not None:
            _carry_hand_scores(current, scheme, actor)
        if scheme.year <= timezone.localdate(now).year:
            scoring.score_year(year=scheme.year, now=now, group=scheme.group)
    return scheme


def scheme_new_version(*, actor: User, scheme: Scheme) -> Scheme:
    """A draft copy of the scheme in use (version n+1, ``based_on`` it) to edit and activate."""
    _office(actor)
    require_open(scheme.year)
    if scheme.status != SchemeStatus.ACTIVE:
        raise DomainError("只能从使用中的方案另存新版本", code="invalid")
    if Scheme.objects.filter(year=scheme.year, group=scheme.group, status=SchemeStatus.DRAFT).exists():
        raise DomainError(f"{scheme.year} 年度{scheme.get_group_display()}已有草稿，请直接修改草稿。")
    with transaction.atomic(), acting(actor):
        return _create(
            actor=actor,
            year=scheme.year,
            group=scheme.group,
            source={**as_source(scheme), "how": f"由第{scheme.version}版另存"},
            based_on=scheme,
        )
