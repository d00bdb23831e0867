"""The one-vote veto (一票否决, §五(三) 实施一票否决).

Conditions are data (district file ``assessment_vetoes`` → ``VetoCondition``). A condition with a
``data_check`` is looked for in the data by ``tick`` (``vetoes_sweep``): each check is
``function(unit, year, settings, sweep) -> [(key, summary, evidence records)]`` (``Sweep``: what one
run shares — the keys already proposed, skipped before any work, and each case's trace, built once
per run), and each thing found is proposed once (``VetoProposal`` unique on year, unit, condition,
key), the office told. A finding naming a condition proposes too (``propose_from_finding``). The office confirms or rejects with a
reason (``workflow.VETOES``); a confirmed veto puts the unit's score for the year (if any, not locked)
at the scheme's lowest band whatever its points; a rejection changes nothing; nothing moves once the
year is locked.

Checks:

- ``mass_incident_unhandled`` — a mass or extreme incident in the year with at least ``min_workers``
  people (or marked 造成严重不良社会影响) at an enterprise whose trace (``traces.build_trace``) shows
  the unit missed a step before it: a signal not verified, an alert not handled, a follow-up not
  made, an immediate report not sent in time — the unit's territory or line failing to report or
  handle it.
- ``concealed_report`` — an immediate report (§五(二)) of the unit, due in the year, never sent
  ``late_hours`` hours after its deadline or sent later than that: treated as concealed (瞒报、迟报).
- ``falsification`` and any condition without a check: proposed from a finding only."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from anxin.assessment import access, grading, measures
from anxin.assessment.models import (
    AssessmentYear,
    Finding,
    FindingStatus,
    Score,
    ScoreStatus,
    UnitGroup,
    VetoCondition,
    VetoProposal,
    VetoStatus,
    YearStatus,
)
from anxin.assessment.workflow import CONFIRM, REJECT, VETOES
from anxin.core.audit import acting, system_actor
from anxin.core.errors import DomainError
from anxin.notify.services import notify_units
from anxin.org.access import office_unit_ids
from anxin.org.models import Unit, User

CLAUSE = "§五(三) 实施一票否决"
SECTION = "assessment_vetoes"
PROPOSE = "propose"
OFFICE_ONLY = "只有联席办可以确认或驳回一票否决建议"

Found = tuple[str, str, list[dict]]


@dataclasses.dataclass
class Sweep:
    """What one run of the data checks shares between units: the keys already proposed (per condition
    and unit: skipped before any work), each case's trace (built once per run, whatever the number of
    units) and the incidents of the year (queried once per threshold)."""

    year: int
    known: set[tuple[int, int, str]] = dataclasses.field(default_factory=set)
    condition_id: int = 0
    traces: dict[int, dict] = dataclasses.field(default_factory=dict)
    incidents: dict[int, list[Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def of(cls, year: int) -> Sweep:
        known = set(VetoProposal.objects.filter(year=year).values_list("condition_id", "unit_id", "key"))
        return cls(year=year, known=known)

    def done(self, unit: Unit, key: str) -> bool:
        return (self.condition_id, unit.pk, key[:60]) in self.known

    def trace(self, case: Any) -> dict:
        from anxin.assessment.services.traces import build_trace

        if case.pk not in self.traces:
            self.traces[case.pk] = build_trace(case)
        return self.traces[case.pk]


Check = Callable[[Unit, int, dict, Sweep | None], list[Found]]


def _nolog(_message: str) -> None:
    pass


def proposal_url(proposal: VetoProposal) -> str:
    return reverse("assessment-veto", args=[proposal.pk])


def year_locked(year: int) -> bool:
    return AssessmentYear.objects.filter(year=year, status=YearStatus.LOCKED).exists()


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime(year, 1, 1, tzinfo=tz),
        datetime.datetime(year + 1, 1, 1, tzinfo=tz),
    )


# --- the checks ----------------------------------------------------------------------------------------


def _incidents(year: int, minimum: int) -> list[Any]:
    """The year's mass or extreme incidents at or above ``minimum`` people (or marked serious), the
    first of each case only."""
    from anxin.cases.models import Incident

    start, end = _year_bounds(year)
    rows = (
        Incident.objects.filter(
            kind__in=[Incident.Kind.MASS, Incident.Kind.EXTREME], occurred_at__gte=start, occurred_at__lt=end
        )
        .filter(Q(people__gte=minimum) | Q(serious=True))
        .select_related("case", "case__enterprise")
        .order_by("occurred_at", "pk")
    )
    first: list[Any] = []
    seen_cases: set[int] = set()
    for incident in rows:
        if incident.case_id not in seen_cases:
            seen_cases.add(incident.case_id)
            first.append(incident)
    return first


def check_mass_incident_unhandled(
    unit: Unit, year: int, settings: dict, sweep: Sweep | None = None
) -> list[Found]:
    minimum = int(settings.get("min_workers", 50))
    sweep = sweep or Sweep(year=year)
    if minimum not in sweep.incidents:
        sweep.incidents[minimum] = _incidents(year, minimum)
    found: list[Found] = []
    for incident in sweep.incidents[minimum]:
        if sweep.done(unit, f"incident:{incident.pk}"):
            continue
        trace = sweep.trace(incident.case)
        missed = trace["missed"].get(unit.code) or []
        if not missed:
            continue
        summary = (
            f"{timezone.localdate(incident.occurred_at):%Y-%m-%d} {incident.case.enterprise.name}发生"
            f"{incident.get_kind_display()}（{incident.people} 人{'，造成严重不良社会影响' if incident.serious else ''}），"
            f"事发前{unit.name}有 {len(missed)} 项未按时核实、处置或报告（门槛：{minimum} 人，参数 min_workers）"
        )
        evidence = [
            {
                "kind": "case",
                "id": incident.case_id,
                "label": f"{incident.case.number} {incident.case.enterprise.name}",
                "url": reverse("case-detail", args=[incident.case_id]),
                "unit": unit.code,
                "unit_name": unit.name,
                "due": None,
                "done": None,
                "met": None,
                "note": f"{incident.get_kind_display()} {incident.people} 人",
            },
            *[
                {
                    "kind": s["kind"],
                    "id": s["record"],
                    "label": s["label"],
                    "url": s["url"],
                    "unit": s["unit"],
                    "unit_name": s.get("unit_name", ""),
                    "due": s["due"],
                    "done": s["done"],
                    "met": s["met"],
                    "note": "未按期完成",
                }
                for s in missed
            ],
        ]
        found.append((f"incident:{incident.pk}", summary, evidence))
    return found


def check_concealed_report(unit: Unit, year: int, settings: dict, sweep: Sweep | None = None) -> list[Found]:
    from anxin.monitoring.models import ImmediateReport

    late = datetime.timedelta(hours=int(settings.get("late_hours", 48)))
    start, end = _year_bounds(year)
    now = timezone.now()
    mine = Q(unit_id=unit.pk)
    if unit.town_id:
        mine |= Q(unit__isnull=True, town_id=unit.town_id)
    found: list[Found] = []
    rows = ImmediateReport.objects.filter(mine, due_at__gte=start, due_at__lt=end).select_related(
        "enterprise"
    )
    for r in rows.order_by("due_at", "pk"):
        if sweep is not None and sweep.done(unit, f"immediate:{r.pk}"):
            continue
        limit = r.due_at + late
        if r.submitted_at is None and r.status != "closed" and now > limit:
            what = f"逾期超过 {late.total_seconds() / 3600:g} 小时仍未报送"
        elif r.submitted_at is not None and r.submitted_at > limit:
            hours = (r.submitted_at - r.due_at).total_seconds() / 3600
            what = f"迟报 {hours:.0f} 小时（超过 {late.total_seconds() / 3600:g} 小时）"
        else:
            continue
        due_day = timezone.localtime(r.due_at)
        summary = f"{r.enterprise.name}的即时报告（期限 {due_day:%Y-%m-%d %H:%M}）{what}（参数 late_hours）"
        evidence = [
            {
                "kind": "immediate",
                "id": r.pk,
                "label": f"即时报告：{r.enterprise.name}",
                "url": reverse("report-detail", args=[r.pk]),
                "unit": unit.code,
                "unit_name": unit.name,
                "due": measures.as_iso(r.due_at),
                "done": measures.as_iso(r.submitted_at),
                "met": False,
                "note": what,
            }
        ]
        found.append((f"immediate:{r.pk}", summary, evidence))
    return found


CHECKS: dict[str, Check] = {
    "mass_incident_unhandled": check_mass_incident_unhandled,
    "concealed_report": check_concealed_report,
}
CHECK_LABELS = {
    "mass_incident_unhandled": "辖区（条线）发生达到人数的群体性事件且事发前未按时核实、处置或报告",
    "concealed_report": "即时报告事项逾期超过时限未报或迟报（瞒报、迟报）",
}


# --- the district file -----------------------------------------------------------------------------


def veto_conditions_load(*, data: dict, actor: User, log: Callable[[str], None] = _nolog) -> None:
    """``seam.DISTRICT_SECTIONS``: ``assessment_vetoes`` into ``VetoCondition`` (keyed by ``code``,
    idempotent). Refused, naming the entry: a missing code or name, a repeated code, an unknown
    ``data_check``, ``settings`` not a mapping (or a non-positive figure), ``groups`` not among
    town/department. A condition no longer in the file is set inactive (its proposals stay)."""
    entries = data.get(SECTION)
    if entries is None:
        return
    if not isinstance(entries, list):
        raise DomainError(f"区配置 {SECTION} 应为列表", field=SECTION)
    seen: set[str] = set()
    cleaned = []
    for order, item in enumerate(entries, start=1):
        item = item if isinstance(item, dict) else {}
        code = str(item.get("code") or "").strip()
        where = f"区配置 {SECTION} 第 {order} 项（{code or '无代码'}）"
        for field in ("code", "name"):
            if not str(item.get(field) or "").strip():
                raise DomainError(f"{where}：缺少字段 {field}", field=field)
        if code in seen:
            raise DomainError(f"{where}：代码 {code} 重复", field="code")
        seen.add(code)
        check = str(item.get("data_check") or "").strip()
        if check and check not in CHECKS:
            raise DomainError(
                f"{where}：数据核查口径 data_check={check} 不存在（可选：{'、'.join(CHECKS)}，或留空表示仅由认定问题提出）",
                field="data_check",
            )
        settings = item.get("settings") or {}
        if not isinstance(settings, dict):
            raise DomainError(f"{where}：settings 应为键值对", field="settings")
        for key, value in settings.items():
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise DomainError(f"{where}：参数 {key} 应为正整数", field="settings")
        groups = item.get("groups") or [UnitGroup.TOWN, UnitGroup.DEPARTMENT]
        if not isinstance(groups, list) or not set(groups) <= set(UnitGroup.values) or not groups:
            raise DomainError(f"{where}：适用单位 groups 只能是 town、department", field="groups")
        cleaned.append(
            (
                code,
                {
                    "name": str(item["name"]).strip()[:100],
                    "description": str(item.get("description") or "").strip(),
                    "data_check": check,
                    "settings": settings,
                    "groups": list(groups),
                    "citation": str(item.get("citation") or "§五(三)").strip()[:60],
                    "active": True,
                    "order": order,
                },
            )
        )
    with transaction.atomic(), acting(actor):
        for code, defaults in cleaned:
            VetoCondition.objects.update_or_create(code=code, defaults=defaults)
        retired = 0
        for condition in VetoCondition.objects.filter(active=True).exclude(code__in=seen):
            condition.active = False
            condition.save(update_fields=["active"])
            retired += 1
    log(f"一票否决情形：{len(seen)} 项" + (f"，停用 {retired} 项" if retired else ""))


# --- proposing ------------------------------------------------------------------------------------------


def _propose(
    *, year: int, unit: Unit, condition: VetoCondition, key: str, summary: str, evidence: list[dict],
    actor: Any, finding: Finding | None = None,
) -> VetoProposal | None:  # fmt: skip
    """Create the proposal unless one exists for the same key (None then)."""
    if VetoProposal.objects.filter(year=year, unit=unit, condition=condition, key=key).exists():
        return None
    try:
        with transaction.atomic():
            proposal = VetoProposal.objects.create(
                year=year, unit=unit, condition=condition, key=key[:60], summary=summary,
                evidence=evidence, finding=finding,
            )  # fmt: skip
    except IntegrityError:  # proposed by another worker meanwhile
        return None
    VETOES.record(proposal, PROPOSE, actor=actor, note=summary[:500], target=VetoStatus.PROPOSED)
    notify_units(
        unit_ids=office_unit_ids(),
        subject=f"一票否决建议：{unit.name}（{condition.name}）",
        body=summary[:300],
        url=proposal_url(proposal),
        topic="assessment-veto",
        about=unit.name,
    )
    return proposal


def propose_from_finding(*, finding: Finding, actor: User) -> VetoProposal | None:
    """A finding naming a veto condition proposes it (inside the finding's transaction)."""
    condition = finding.veto_condition
    if condition is None:
        return None
    evidence: list[dict] = [
        {
            "kind": "finding",
            "id": finding.pk,
            "label": f"{finding.number} {finding.text[:60]}",
            "url": reverse("assessment-finding", args=[finding.pk]),
            "unit": finding.unit.code,
            "unit_name": finding.unit.name,
            "due": None,
            "done": None,
            "met": False,
            "note": finding.get_source_display(),
        }
    ]
    if finding.trace is not None:
        for s in finding.trace.missed.get(finding.unit.code, []):
            evidence.append(
                {
                    "kind": s["kind"], "id": s["record"], "label": s["label"], "url": s["url"],
                    "unit": s["unit"], "unit_name": s.get("unit_name", ""), "due": s["due"], "done": s["done"],
                    "met": s["met"],
                    "note": f"责任倒查 {finding.trace.number}",
                }
            )  # fmt: skip
    return _propose(
        year=finding.year, unit=finding.unit, condition=condition, key=f"finding:{finding.pk}",
        summary=finding.text, evidence=evidence, actor=actor, finding=finding,
    )  # fmt: skip


def vetoes_propose(*, year: int, actor: Any = None) -> int:
    """Run every active data check for every assessed unit of its groups; propose what is new."""
    if year_locked(year):
        return 0
    actor = actor or system_actor()
    made = 0
    conditions = [c for c in VetoCondition.objects.filter(active=True) if c.data_check in CHECKS]
    if not conditions:
        return 0
    sweep = Sweep.of(year)
    units = list(access.assessed_units())
    for condition in conditions:
        check = CHECKS[condition.data_check]
        sweep.condition_id = condition.pk
        for unit in units:
            if access.group_of(unit) not in (condition.groups or []):
                continue
            for key, summary, evidence in check(unit, year, condition.settings or {}, sweep):
                if sweep.done(unit, key):
                    continue
                if _propose(
                    year=year, unit=unit, condition=condition, key=key, summary=summary,
                    evidence=evidence, actor=actor,
                ):  # fmt: skip
                    made += 1
    return made


def vetoes_sweep(*, now: datetime.datetime | None = None) -> int:
    """``tick``: the data checks for the current year (and, in January, the year just ended)."""
    today = timezone.localdate(now or timezone.now())
    made = vetoes_propose(year=today.year)
    if today.month == 1:
        made += vetoes_propose(year=today.year - 1)
    return made


# --- deciding -------------------------------------------------------------------------------------------


def _decide_checks(proposal: VetoProposal, actor: User, reason: str, action: str) -> tuple[Any, str]:
    if not access.may_manage(actor):
        raise PermissionDenied(OFFICE_ONLY)
    if year_locked(proposal.year):
        raise DomainError(f"{proposal.year} 年度考核已锁定，不能再确认或驳回一票否决", code="locked")
    step = VETOES.step(proposal, action)
    if action == CONFIRM and proposal.finding_id is not None:
        finding = Finding.objects.filter(pk=proposal.finding_id).only("number", "status").first()
        if finding is not None and finding.status == FindingStatus.WITHDRAWN:
            raise DomainError(
                f"提出该建议的认定问题 {finding.number} 已撤销，不能确认一票否决", code="transition"
            )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请写明理由", field="reason")
    return step, reason[:2000]


def veto_confirm(*, proposal: VetoProposal, actor: User, reason: str) -> VetoProposal:
    """Confirm: the unit's score for the year (if any and not locked) is vetoed and graded lowest."""
    step, reason = _decide_checks(proposal, actor, reason, CONFIRM)
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        VETOES.move(
            proposal, step, actor=actor, note=reason,
            values={"reason": reason, "decided_by": actor, "decided_at": now}, now=now,
        )  # fmt: skip
        score = (
            Score.objects.select_related("scheme")
            .filter(year=proposal.year, unit_id=proposal.unit_id)
            .exclude(status=ScoreStatus.LOCKED)
            .first()
        )
        if score is not None:
            score.vetoed = True
            score.grade = grading.grade_for(score.total, score.scheme.grade_bands, vetoed=True)
            score.save(update_fields=["vetoed", "grade", "updated_at"])
        notify_units(
            unit_ids=[proposal.unit_id],
            subject=f"{proposal.year} 年度考核一票否决：{proposal.condition.name}",
            body=reason[:300],
            url=proposal_url(proposal),
            topic="assessment-veto",
        )
    return proposal


def veto_reject(*, proposal: VetoProposal, actor: User, reason: str) -> VetoProposal:
    """Reject with the reason: nothing else changes (the unit is not told of a rejected proposal)."""
    step, reason = _decide_checks(proposal, actor, reason, REJECT)
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        VETOES.move(
            proposal, step, actor=actor, note=reason,
            values={"reason": reason, "decided_by": actor, "decided_at": now}, now=now,
        )  # fmt: skip
    return proposal


def reject_for_withdrawal(*, finding: Finding, actor: User, reason: str) -> int:
    """The finding was withdrawn (inside its transaction): the proposals made from it still waiting are
    rejected with the withdrawal's reason (a confirmed veto stands). How many."""
    now = timezone.now()
    note = f"认定问题 {finding.number} 已撤销：{reason}"[:2000]
    count = 0
    for proposal in VetoProposal.objects.filter(finding=finding, status=VetoStatus.PROPOSED):
        step = VETOES.step(proposal, REJECT)
        VETOES.move(
            proposal, step, actor=actor, note=note[:500],
            values={"reason": note, "decided_by": actor, "decided_at": now}, now=now,
        )  # fmt: skip
        count += 1
    return count


def vetoed_unit_ids(year: int) -> set[int]:
    """Units with a confirmed veto in ``year`` (for the scoring, which keeps ``vetoed`` on recompute)."""
    return set(
        VetoProposal.objects.filter(year=year, status=VetoStatus.CONFIRMED).values_list("unit_id", flat=True)
    )
