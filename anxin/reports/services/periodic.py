"""Periodic reports (§五(二) 定期报告制度): the templates from the district file, each unit's report
prefilled from Anxin's data for its scope and period, saved, submitted (locked), corrected by a new
version with a reason; the sweep that flags a report missing on its due day.

Each write: who may (``reports.access.may_submit_for`` — a user of the report's own unit), one
transaction, the status through ``reports.workflow.REPORTS`` with its event row (what changes no
status — prefilled, refreshed, saved, corrected — is an event row through ``REPORTS.record``), the
notices after commit. A refusal says why in Chinese and changes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from anxin.core.audit import acting, system_actor
from anxin.core.errors import DomainError
from anxin.core.money import parse_yuan
from anxin.notify.services import notify_units
from anxin.org.access import office_unit_ids
from anxin.org.models import Unit, UnitKind, User
from anxin.reports import access, figures, periods
from anxin.reports.models import MissingReport, PeriodicReport, ReportStatus, ReportTemplate
from anxin.reports.workflow import CORRECT, PREFILL, REFRESH, REPORTS, SAVE, SUBMIT, SUPERSEDE

SECTION = "report_templates"
NARRATIVE_PARTS = ("风险研判", "主要做法", "存在问题", "下步打算")
KINDS = {UnitKind.TOWN_GOVERNMENT.value, UnitKind.DEPARTMENT.value}
MONEY_UNIT = "元"
MAX_EXTRA = 10**12  # a count or fen beyond this is a typing mistake
# How many ended periods the missing-report sweep looks back over (a tick outage across a period
# still flags it once the tick runs again).
LOOKBACK = 3


def _nolog(_line: str) -> None:
    return None


# --- templates (district file) ----------------------------------------------------------------------


def _parts(where: str, name: str, value: Any, fields: tuple[str, ...]) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise DomainError(f"{where}：{name} 应为列表", field=name)
    found: list[dict] = []
    seen: set[str] = set()
    for n, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise DomainError(f"{where}：{name} 第 {n} 项应为 {{{', '.join(fields)}}}", field=name)
        for key in fields[:2]:
            if not str(item.get(key) or "").strip():
                raise DomainError(f"{where}：{name} 第 {n} 项缺少 {key}", field=name)
        code = str(item["code"]).strip()
        if code in seen:
            raise DomainError(f"{where}：{name} 中代码 {code} 重复", field=name)
        seen.add(code)
        found.append({key: str(item.get(key) or "").strip() for key in fields})
    return found


def report_templates_load(*, data: dict, actor: User, log: Callable[[str], None] = _nolog) -> None:
    """``seam.DISTRICT_SECTIONS``: the district file's ``report_templates`` into ``ReportTemplate``.
    Idempotent (keyed by ``code``). An unknown figure code or unit kind, a bad frequency or due day
    is refused naming the entry; a template no longer in the file becomes inactive."""
    entries = data.get(SECTION)
    if entries is None:
        return
    if not isinstance(entries, list):
        raise DomainError(f"区配置 {SECTION} 应为列表", field=SECTION)
    seen: set[str] = set()
    with transaction.atomic(), acting(actor):
        for order, item in enumerate(entries, start=1):
            item = item if isinstance(item, dict) else {}
            code = str(item.get("code") or "").strip()
            where = f"区配置 {SECTION} 第 {order} 项（{code or '无代码'}）"
            for field in ("code", "name", "unit_kinds", "figures"):
                if not item.get(field):
                    raise DomainError(f"{where}：缺少字段 {field}", field=field)
            if code in seen:
                raise DomainError(f"{where}：代码 {code} 重复", field="code")
            seen.add(code)
            kinds = item["unit_kinds"]
            if not isinstance(kinds, list):
                raise DomainError(f"{where}：unit_kinds 应为单位类型的列表", field="unit_kinds")
            unknown = [str(k) for k in kinds if k not in KINDS]
            if unknown:
                raise DomainError(
                    f"{where}：适用单位类型 unit_kinds 中的 {'、'.join(unknown)} 不是可报送的单位类型"
                    f"（{'、'.join(sorted(KINDS))}）",
                    field="unit_kinds",
                )
            codes = item["figures"]
            if not isinstance(codes, list):
                raise DomainError(f"{where}：figures 应为指标代码的列表", field="figures")
            unknown = [str(c) for c in codes if c not in figures.FIGURES]
            if unknown:
                raise DomainError(
                    f"{where}：自动汇总指标 figures 中的 {'、'.join(unknown)} 不是已定义的指标",
                    field="figures",
                )
            numbers: dict[str, int | None] = {}
            for field, low, high in (("frequency_months", 1, 12), ("due_day", 1, 28)):
                value = item.get(field)
                if value in (None, ""):
                    numbers[field] = None
                    continue
                if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                    raise DomainError(
                        f"{where}：{field} 应为 {low}–{high} 的整数或留空（按参数）", field=field
                    )
                numbers[field] = value
            narrative = _parts(where, "narrative", item.get("narrative"), ("code", "label", "hint"))
            extras = _parts(where, "extras", item.get("extras"), ("code", "label", "unit"))
            ReportTemplate.objects.update_or_create(
                code=code,
                defaults={
                    "name": str(item["name"]).strip(),
                    "unit_kinds": list(kinds),
                    "frequency_months": numbers["frequency_months"],
                    "due_day": numbers["due_day"],
                    "figures": list(codes),
                    "narrative": narrative,
                    "extras": extras,
                    "citation": str(item.get("citation") or "§五(二)").strip(),
                    "active": True,
                },
            )
        retired = 0
        for template in ReportTemplate.objects.filter(active=True).exclude(code__in=seen):
            template.active = False
            template.save(update_fields=["active"])
            retired += 1
    log(f"定期报告模板：{len(seen)} 个" + (f"，停用 {retired} 个" if retired else ""))


def template_for(unit: Unit) -> ReportTemplate | None:
    """The active template that applies to ``unit``'s kind (first by code), or None."""
    for template in ReportTemplate.objects.filter(active=True).order_by("code"):
        if unit.kind in (template.unit_kinds or []):
            return template
    return None


def expected_units(template: ReportTemplate) -> QuerySet[Unit]:
    """The units that must report under ``template``: member units of its kinds."""
    return Unit.objects.filter(is_member=True, kind__in=template.unit_kinds or []).order_by("order", "code")


# --- reports ----------------------------------------------------------------------------------------


def _require_unit(actor: Any, unit: Unit) -> None:
    if not access.may_submit_for(actor, unit.pk):
        raise DomainError(f"只能填报、报送本单位的定期报告，不能为“{unit.name}”填报", code="forbidden")


def _require_draft(report: PeriodicReport) -> None:
    if report.status != ReportStatus.DRAFT:
        raise DomainError(
            f"该报告（第{report.version}版）已于"
            f"{timezone.localtime(report.submitted_at):%Y-%m-%d %H:%M}报送，已锁定，不能修改；"
            "如需更正，请发起更正（新版本，须写明理由）"
            if report.submitted_at
            else "该报告已锁定，不能修改",
            code="locked",
        )


def report_period(template: ReportTemplate, key: str, *, today: datetime.date) -> periods.Period:
    return periods.period_of(key, template, on=today)


def report_prefill(
    *, actor: User, unit: Unit, period: str, now: datetime.datetime | None = None
) -> PeriodicReport:
    """The unit's draft for ``period`` (version 1), prefilled with the template's figures computed
    for the unit's scope and the period's days. A draft already there is returned as it is; a
    report already submitted is refused (a correction is the way to change it)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    _require_unit(actor, unit)
    template = template_for(unit)
    if template is None:
        raise DomainError(f"“{unit.name}”不在定期报告制度的报送单位之列（没有适用的报告模板）")
    span = report_period(template, period, today=today)
    if not span.started(today):
        raise DomainError(f"报告期 {span.label} 尚未开始，不能生成草稿", field="period")
    existing = PeriodicReport.objects.filter(unit=unit, period=span.key).order_by("-version").first()
    if existing is not None:
        if existing.status == ReportStatus.DRAFT:
            return existing
        raise DomainError(
            f"{unit.name} {span.label}的报告已报送（第{existing.version}版）；如需修改，请发起更正",
            code="exists",
        )
    try:
        with transaction.atomic(), acting(actor):
            report = PeriodicReport.objects.create(
                unit=unit,
                template=template,
                period=span.key,
                period_start=span.start,
                period_end=span.end,
                due_on=span.due_on,
                basis=span.basis,
                version=1,
                status=ReportStatus.DRAFT,
                figures=figures.figures_for(unit, span.start, span.end, list(template.figures)),
                prefilled_at=now,
                created_by=actor,
            )
            REPORTS.record(report, PREFILL, actor=actor, note=span.basis, at=now)
    except IntegrityError:
        # A second 生成草稿 at the same moment: the other request made it.
        raise DomainError(
            f"{unit.name} {span.label}的报告草稿刚刚已生成，请刷新后在其上填写", code="exists"
        ) from None
    return report


def report_refresh(
    *, actor: User, report: PeriodicReport, now: datetime.datetime | None = None
) -> PeriodicReport:
    """Compute a draft's figures again (the data has moved since); recorded in its history."""
    now = now or timezone.now()
    _require_unit(actor, report.unit)
    _require_draft(report)
    with transaction.atomic(), acting(actor):
        locked = PeriodicReport.objects.select_for_update().get(pk=report.pk)
        _require_draft(locked)
        locked.figures = figures.figures_for(
            locked.unit, locked.period_start, locked.period_end, list(locked.template.figures)
        )
        locked.prefilled_at = now
        locked.save(update_fields=["figures", "prefilled_at", "updated_at"])
        REPORTS.record(locked, REFRESH, actor=actor, at=now)
    report.refresh_from_db()
    return report


def clean_extras(template: ReportTemplate, raw: dict | None) -> dict[str, int]:
    """The extras typed by the unit: counts as whole numbers ≥ 0; money (unit 元) as int fen, or as
    text in yuan (→ fen).
    Codes not in the template are refused; an empty value is left out."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise DomainError("补充数据应为 {代码: 数值}", field="extras")
    defined = {e["code"]: e for e in template.extras or []}
    unknown = [str(k) for k in raw if k not in defined]
    if unknown:
        raise DomainError(f"补充数据中的 {'、'.join(unknown)} 不是本报告模板的指标", field="extras")
    found: dict[str, int] = {}
    for code, value in raw.items():
        extra = defined[code]
        if value in (None, ""):
            continue
        if extra.get("unit") == MONEY_UNIT:
            if isinstance(value, int) and not isinstance(value, bool):
                fen = value  # already fen (a form's YuanFormField, the API after parse_yuan)
            else:
                try:
                    fen = parse_yuan(str(value))
                except ValidationError as exc:
                    raise DomainError(
                        f"“{extra['label']}”：{exc.messages[0]}（以元为单位）", field=f"extras.{code}"
                    ) from exc
            if fen < 0 or fen > MAX_EXTRA:
                raise DomainError(f"“{extra['label']}”金额不能为负数", field=f"extras.{code}")
            found[code] = fen
            continue
        try:
            number = int(str(value).strip())
        except ValueError as exc:
            raise DomainError(f"“{extra['label']}”应为整数", field=f"extras.{code}") from exc
        if number < 0 or number > MAX_EXTRA:
            raise DomainError(f"“{extra['label']}”应为不小于 0 的整数", field=f"extras.{code}")
        found[code] = number
    return found


def clean_narrative(template: ReportTemplate, raw: dict | None) -> dict[str, str]:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise DomainError("文字部分应为 {代码: 文字}", field="narrative")
    defined = {p["code"] for p in template.narrative or []}
    unknown = [str(k) for k in raw if k not in defined]
    if unknown:
        raise DomainError(f"文字部分中的 {'、'.join(unknown)} 不是本报告模板的内容", field="narrative")
    return {code: str(text or "").strip() for code, text in raw.items() if str(text or "").strip()}


def report_save(
    *,
    actor: User,
    report: PeriodicReport,
    narrative: dict | None = None,
    extras: dict | None = None,
    now: datetime.datetime | None = None,
) -> PeriodicReport:
    """Save a draft's narrative and extras (validated; money in yuan → fen). A submitted report is
    refused with the reason."""
    _require_unit(actor, report.unit)
    _require_draft(report)
    text = clean_narrative(report.template, narrative)
    numbers = clean_extras(report.template, extras)
    with transaction.atomic(), acting(actor):
        locked = PeriodicReport.objects.select_for_update().get(pk=report.pk)
        _require_draft(locked)
        locked.narrative = text
        locked.extras = numbers
        locked.save(update_fields=["narrative", "extras", "updated_at"])
        REPORTS.record(locked, SAVE, actor=actor, at=now)
    report.refresh_from_db()
    return report


def report_submit(
    *,
    actor: User,
    report: PeriodicReport,
    narrative: dict | None = None,
    extras: dict | None = None,
    now: datetime.datetime | None = None,
) -> PeriodicReport:
    """Submit a draft (its narrative and extras as given, else as saved): only after the period has
    ended, every narrative part written. Locked from then; a correction's submission supersedes the
    version it corrects; a missing-report flag of the period is stamped with the time."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    _require_unit(actor, report.unit)
    _require_draft(report)
    if today <= report.period_end:
        raise DomainError(
            f"报告期尚未结束（{report.period_end:%Y-%m-%d} 结束），不能报送", code="period", field="period"
        )
    template = report.template
    text = clean_narrative(template, narrative) if narrative is not None else dict(report.narrative or {})
    numbers = clean_extras(template, extras) if extras is not None else dict(report.extras or {})
    missing = [p["label"] for p in template.narrative or [] if not text.get(p["code"])]
    if missing:
        raise DomainError(f"请填写：{'、'.join(missing)}", field="narrative")
    step = REPORTS.step(report, SUBMIT)
    first_at = now
    with transaction.atomic(), acting(actor):
        report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
        _require_draft(report)
        if report.correction_of_id:
            earlier = PeriodicReport.objects.get(pk=report.correction_of_id)
            first_at = earlier.first_submitted_at or earlier.submitted_at or now
            if earlier.status == ReportStatus.SUBMITTED:
                REPORTS.move(
                    earlier,
                    REPORTS.step(earlier, SUPERSEDE),
                    actor=actor,
                    note=f"被第{report.version}版更正：{report.correction_reason}",
                    now=now,
                )
        # The figures as of the submission (the period has ended: its data is complete now), not
        # as of the draft's making; recorded in the history like a refresh.
        report.figures = figures.figures_for(
            report.unit, report.period_start, report.period_end, list(template.figures)
        )
        report.prefilled_at = now
        report.save(update_fields=["figures", "prefilled_at", "updated_at"])
        REPORTS.record(report, REFRESH, actor=actor, note="报送时按报告期完整数据重新汇总", at=now)
        late = timezone.localtime(first_at).date() > report.due_on
        REPORTS.move(
            report,
            step,
            actor=actor,
            values={
                "narrative": text,
                "extras": numbers,
                "submitted_by": actor,
                "submitted_at": now,
                "first_submitted_at": first_at,
            },
            now=now,
            note="逾期报送" if late else "",
        )
        MissingReport.objects.filter(
            unit=report.unit, period=report.period, submitted_at__isnull=True
        ).update(submitted_at=now)
        if late and not report.correction_of_id:
            notify_units(
                unit_ids=office_unit_ids(),
                subject=f"{report.unit.name}补报了{report.period}定期报告（逾期）",
                url=reverse("periodic-detail", args=[report.pk]),
                topic="reports.periodic",
                about=report.unit.name,
            )
    return report


def report_correct(
    *, actor: User, report: PeriodicReport, reason: str, now: datetime.datetime | None = None
) -> PeriodicReport:
    """Start a correction of a submitted report: version n+1, a draft copied from it, with the
    reason (required). The submitted version stays in force until the correction is submitted."""
    now = now or timezone.now()
    _require_unit(actor, report.unit)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("更正须填写理由", field="reason")
    if report.status != ReportStatus.SUBMITTED:
        raise DomainError(
            "只有已报送且现行有效的报告可以更正"
            if report.status == ReportStatus.SUPERSEDED
            else "草稿直接修改即可，无需更正",
            code="transition",
        )
    if PeriodicReport.objects.filter(
        unit=report.unit, period=report.period, status=ReportStatus.DRAFT
    ).exists():
        raise DomainError("该期已有未报送的更正稿，请在其上继续修改", code="exists")
    latest = (
        PeriodicReport.objects.filter(unit=report.unit, period=report.period).order_by("-version").first()
    )
    version = (latest.version if latest else report.version) + 1
    try:
        with transaction.atomic(), acting(actor):
            draft = PeriodicReport.objects.create(
                unit=report.unit,
                template=report.template,
                period=report.period,
                period_start=report.period_start,
                period_end=report.period_end,
                due_on=report.due_on,
                basis=report.basis,
                version=version,
                status=ReportStatus.DRAFT,
                figures=report.figures,
                prefilled_at=report.prefilled_at,
                narrative=report.narrative,
                extras=report.extras,
                correction_of=report,
                correction_reason=reason,
                created_by=actor,
            )
            REPORTS.record(draft, CORRECT, actor=actor, note=reason, at=now)
    except IntegrityError:
        # A second 发起更正 at the same moment: the other request made the correction draft.
        raise DomainError("该期已有未报送的更正稿，请在其上继续修改", code="exists") from None
    return draft


# --- missing reports (tick) -------------------------------------------------------------------------


def _submitted(period: str, unit_ids: Iterable[int]) -> set[int]:
    return set(
        PeriodicReport.objects.filter(
            period=period,
            unit_id__in=list(unit_ids),
            status__in=[ReportStatus.SUBMITTED, ReportStatus.SUPERSEDED],
        ).values_list("unit_id", flat=True)
    )


def missing_reports_flag(*, now: datetime.datetime | None = None) -> int:
    """``tick``: from the day after the due day of each of the last ``LOOKBACK`` ended periods, every
    expected unit without a submitted report is flagged once (``MissingReport``), to the unit and the
    office (a report submitted on its due day is on time, so nobody is flagged on that day). Returns
    how many were flagged now; running again flags nobody twice."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    flagged = 0
    office = office_unit_ids()
    for template in ReportTemplate.objects.filter(active=True):
        ended = periods.recent(template, today=today, n=LOOKBACK + 1)[1:]
        known = _first_known(template)
        for n, span in enumerate(ended):
            # The last ended period always; earlier ones (missed by a tick outage) back to the first
            # period the system knew reports of — never the months before reporting began.
            if n and (known is None or span.key < known):
                continue
            flagged += _flag_period(template, span, today=today, now=now, office=office)
    return flagged


def _first_known(template: ReportTemplate) -> str | None:
    """The first period of ``template`` with a report or a missing-report flag, or None."""
    keys = [
        PeriodicReport.objects.filter(template=template)
        .order_by("period")
        .values_list("period", flat=True)
        .first(),
        MissingReport.objects.filter(template=template)
        .order_by("period")
        .values_list("period", flat=True)
        .first(),
    ]
    found = [k for k in keys if k]
    return min(found) if found else None


def _flag_period(
    template: ReportTemplate,
    span: periods.Period,
    *,
    today: datetime.date,
    now: datetime.datetime,
    office: list[int],
) -> int:
    """Flag the expected units without a submitted report of ``span``, from the day after its due day."""
    flagged = 0
    if today <= span.due_on:
        return 0
    units = list(expected_units(template))
    done = _submitted(span.key, [u.pk for u in units])
    already = set(
        MissingReport.objects.filter(period=span.key, unit__in=units).values_list("unit_id", flat=True)
    )
    late = [u for u in units if u.pk not in done and u.pk not in already]
    if not late:
        return 0
    with transaction.atomic(), acting(system_actor()):
        for unit in late:
            MissingReport.objects.create(
                unit=unit, template=template, period=span.key, due_on=span.due_on, flagged_at=now
            )
            subject = f"{span.label}定期报告逾期未报（截止 {span.due_on:%Y-%m-%d}）"
            notify_units(
                unit_ids=[unit.pk],
                subject=subject,
                body=f"依据 §五(二) 定期报告制度，请尽快报送本单位{span.label}定期报告。",
                url=reverse("periodic-mine"),
                topic="reports.periodic",
                about=unit.name,
            )
            notify_units(
                unit_ids=office,
                subject=f"{unit.name}：{subject}",
                url=f"{reverse('periodic-inbox')}?period={span.key}",
                topic="reports.periodic",
                about=unit.name,
            )
            flagged += 1
    return flagged
