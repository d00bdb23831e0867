"""Integrity grades (守法诚信等级, 人社部规〔2016〕1号; §三(七)): the year's computation for every enterprise,
人社局's confirmation, an adjustment by hand with its reasons, and the daily sweep that keeps the
provisional year current. The rules themselves are ``credit.grade_rules`` (pure); this module loads
their facts in bulk, writes only what changed and records every change of a grade in force."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from anxin.cases.models import ActionKind, ActionStatus, Case, Incident, LegalAction
from anxin.core import events, seam
from anxin.core.audit import acting, system_actor
from anxin.core.errors import DomainError
from anxin.core.policy import param_record
from anxin.credit import access, grade_rules
from anxin.credit.models import (
    GRADE_RULES,
    EnterpriseGrade,
    Grade,
    GradeChange,
    GradeYear,
    GradeYearStatus,
    Listing,
    ListingStatus,
)
from anxin.org.models import User
from anxin.registry.models import Enterprise

CHUNK = 1000  # enterprises read, graded and written at a time
FIRST_YEAR = 2000
NOT_FOUND = (ActionStatus.CANCELLED, ActionStatus.REFUSED)  # withdrawn or not accepted: no finding
COUNTED_LISTINGS = (ListingStatus.LISTED, ListingStatus.REMOVED, ListingStatus.EXPIRED)  # not revoked
REFUSE_GRADE = "只有人社局（守法诚信等级评价职责）或联席办可以测算、确认和调整守法诚信等级（§三(七)）"


def require_may_grade(actor: User) -> None:
    if not access.may_grade(actor):
        raise PermissionDenied(REFUSE_GRADE)


def _start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def _local(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def grade_params(year: int, *, today: datetime.date | None = None) -> dict[str, grade_rules.Param]:
    """The parameters in force on the year's last day (or today, for the year under way)."""
    today = today or timezone.localdate()
    on = min(datetime.date(year, 12, 31), today)
    found = {}
    for code in grade_rules.PARAMETER_CODES:
        record = param_record(code, on=on)
        found[code] = grade_rules.Param(
            code=code,
            value=int(record.typed_value),
            unit=record.unit,
            citation=record.citation,
            effective_from=record.effective_from.isoformat(),
        )
    return found


def load_facts(enterprise_ids: list[int], year: int) -> dict[int, grade_rules.GradeFacts]:
    """What the grade rules read about these enterprises for ``year``, in four queries."""
    first, after = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    start, end = _start(first), _start(after)
    base: dict[int, dict[str, list]] = {pk: defaultdict(list) for pk in enterprise_ids}
    for pk, case_id, enterprise_id, kind, status, issued, requested, completed, pay_by, ref, number in (
        LegalAction.objects.filter(
            case__enterprise_id__in=enterprise_ids,
            kind__in=(ActionKind.ORDER, ActionKind.PENALTY, ActionKind.REFERRAL),
            requested_at__lt=end,
        )
        .filter(Q(requested_at__gte=start) | Q(completed_at__gte=start) | Q(issued_on__gte=first))
        .exclude(status__in=NOT_FOUND)
        .order_by("pk")
        .values_list(
            "pk",
            "case_id",
            "case__enterprise_id",
            "kind",
            "status",
            "issued_on",
            "requested_at",
            "completed_at",
            "pay_by",
            "reference",
            "case__number",
        )
    ):
        made = _local(requested)
        assert made is not None
        if kind == ActionKind.REFERRAL:
            base[enterprise_id]["referrals"].append(grade_rules.Act(pk, case_id, kind, made, ref, number))
            continue
        found_on = issued or made
        base[enterprise_id]["violations"].append(grade_rules.Act(pk, case_id, kind, found_on, ref, number))
        if status == ActionStatus.LAPSED:
            lapsed_on = _local(completed) or (pay_by + datetime.timedelta(days=1) if pay_by else found_on)
            base[enterprise_id]["ignored"].append(grade_rules.Act(pk, case_id, kind, lapsed_on, ref, number))
    with_incident: set[int] = set()
    for pk, case_id, enterprise_id, kind, occurred, number in (
        Incident.objects.filter(
            case__enterprise_id__in=enterprise_ids,
            kind__in=(Incident.Kind.MASS, Incident.Kind.EXTREME),
        )
        .order_by("pk")
        .values_list("pk", "case_id", "case__enterprise_id", "kind", "occurred_at", "case__number")
    ):
        with_incident.add(case_id)
        on = timezone.localdate(occurred)
        if on.year == year:
            base[enterprise_id]["incidents"].append(grade_rules.Inc(pk, case_id, kind, on, number))
    for case_id, enterprise_id, opened, number in Case.objects.filter(
        enterprise_id__in=enterprise_ids, mass_incident=True, opened_at__gte=start, opened_at__lt=end
    ).values_list("pk", "enterprise_id", "opened_at", "number"):
        if case_id not in with_incident:  # flagged on the case, no incident recorded
            base[enterprise_id]["incidents"].append(
                grade_rules.Inc(0, case_id, "flag", timezone.localdate(opened), number)
            )
    for pk, enterprise_id, number, term_start, term_end, ended_on in Listing.objects.filter(
        enterprise_id__in=enterprise_ids,
        status__in=COUNTED_LISTINGS,
        term_start__lte=datetime.date(year, 12, 31),
    ).values_list("pk", "enterprise_id", "number", "term_start", "term_end", "ended_on"):
        if term_start is None or term_end is None:
            continue
        last = min(term_end, ended_on) if ended_on else term_end
        if last >= first:
            base[enterprise_id]["listings"].append(grade_rules.Lst(pk, number, term_start, last))
    return {
        pk: grade_rules.GradeFacts(
            enterprise_id=pk,
            year=year,
            violations=tuple(b["violations"]),
            ignored=tuple(b["ignored"]),
            incidents=tuple(b["incidents"]),
            referrals=tuple(b["referrals"]),
            listings=tuple(b["listings"]),
        )
        for pk, b in base.items()
    }


def _reasons(result: grade_rules.GradeResult) -> str:
    return grade_rules.summary(result.evidence())


def grades_compute(*, actor: User, year: int, now: datetime.datetime | None = None) -> dict[str, int]:
    """Grade every enterprise for ``year`` (again): a new row for an enterprise never graded that year,
    one write for a row whose computation changed, none for the rest. The grade in force follows the
    computation unless it was set by hand (an adjustment, an upheld objection); each change of it is a
    ``GradeChange`` (source 测算). Refused once the year is confirmed."""
    require_may_grade(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not FIRST_YEAR <= year <= today.year:
        raise DomainError(
            f"评价年度须在 {FIRST_YEAR} 年至 {today.year} 年之间（评价周期为自然年度，不能测算未来年度）",
            field="year",
        )
    params = grade_params(year, today=today)
    counts = {"graded": 0, "created": 0, "changed": 0, "in_force_changed": 0}
    changed_ids: list[int] = []
    with transaction.atomic(), acting(actor):
        grade_year, _ = GradeYear.objects.get_or_create(year=year)
        grade_year = GradeYear.objects.select_for_update().get(pk=grade_year.pk)
        if grade_year.status == GradeYearStatus.CONFIRMED:
            raise DomainError(
                f"{year}年度守法诚信等级已于 {timezone.localtime(grade_year.confirmed_at):%Y-%m-%d} 确认，"
                f"不能重新测算；个别企业的等级请以调整或异议程序变更（{GRADE_RULES}）",
                code="confirmed",
            )
        ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True))
        for at in range(0, len(ids), CHUNK):
            chunk = ids[at : at + CHUNK]
            facts = load_facts(chunk, year)
            existing = {
                g.enterprise_id: g
                for g in EnterpriseGrade.objects.filter(year=grade_year, enterprise_id__in=chunk)
            }
            new_rows = []
            for enterprise_id in chunk:
                result = grade_rules.grade_of(facts[enterprise_id], params)
                evidence = result.evidence()
                counts["graded"] += 1
                row = existing.get(enterprise_id)
                if row is None:
                    new_rows.append(
                        EnterpriseGrade(
                            year=grade_year,
                            enterprise_id=enterprise_id,
                            grade=result.grade,
                            computed=result.grade,
                            evidence=evidence,
                            computed_at=now,
                        )
                    )
                    if result.grade != Grade.A:
                        changed_ids.append(enterprise_id)
                    continue
                if row.computed == result.grade and row.evidence == evidence:
                    continue
                fields = ["computed", "evidence", "computed_at"]
                row.computed, row.evidence, row.computed_at = result.grade, evidence, now
                if not row.adjusted and row.grade != result.grade:
                    GradeChange.objects.create(
                        grade=row,
                        from_grade=row.grade,
                        to_grade=result.grade,
                        source=GradeChange.Source.COMPUTED,
                        reasons=f"重新测算：{_reasons(result)}",
                        actor=actor,
                        at=now,
                    )
                    row.grade = result.grade
                    fields.append("grade")
                    counts["in_force_changed"] += 1
                    changed_ids.append(enterprise_id)
                row.save(update_fields=fields)
                counts["changed"] += 1
            EnterpriseGrade.objects.bulk_create(new_rows, batch_size=500)
            counts["created"] += len(new_rows)
        grade_year.computed_at = now
        grade_year.params = [p.evidence() for p in params.values()]
        grade_year.save(update_fields=["computed_at", "params"])
        if changed_ids:
            events.publish(seam.CREDIT_CHANGED, enterprise_ids=sorted(set(changed_ids)))
    return counts


def grades_confirm(*, actor: User, year: int, now: datetime.datetime | None = None) -> GradeYear:
    """人社局 confirms the year's grades: after the year has ended and been computed since. Once
    confirmed, the year is no longer recomputed."""
    require_may_grade(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic(), acting(actor):
        grade_year = GradeYear.objects.select_for_update().filter(year=year).first()
        if grade_year is None or grade_year.computed_at is None:
            raise DomainError(f"{year}年度尚未测算守法诚信等级，不能确认", code="not_computed")
        if grade_year.status == GradeYearStatus.CONFIRMED:
            raise DomainError(f"{year}年度守法诚信等级已确认，无需重复确认", code="confirmed")
        year_end = datetime.date(year, 12, 31)
        if today <= year_end:
            raise DomainError(
                f"评价周期为每年1月1日至12月31日，{year}年度尚未结束，不能确认（{GRADE_RULES}）",
                code="year_open",
            )
        if timezone.localdate(grade_year.computed_at) <= year_end:
            raise DomainError(
                f"{year}年度的等级最近一次于 {timezone.localtime(grade_year.computed_at):%Y-%m-%d} 测算，"
                "早于年度结束：请先重新测算，使全年记录计入后再确认",
                code="stale",
            )
        grade_year.status = GradeYearStatus.CONFIRMED
        grade_year.confirmed_at = now
        grade_year.confirmed_by = actor
        grade_year.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        # The confirmed grades are now the ones in force (seam.ENTERPRISE_CREDIT): tell the earlier apps
        # about every enterprise graded B or C this year or the last confirmed one (one leaving C too).
        graded = EnterpriseGrade.objects.exclude(grade="A")
        announce = set(graded.filter(year=grade_year).values_list("enterprise_id", flat=True))
        before = (
            GradeYear.objects.filter(status=GradeYearStatus.CONFIRMED, year__lt=year)
            .order_by("-year")
            .first()
        )
        if before is not None:
            announce |= set(graded.filter(year=before).values_list("enterprise_id", flat=True))
        if announce:
            events.publish(seam.CREDIT_CHANGED, enterprise_ids=sorted(announce))
    return grade_year


def grade_change(
    *, actor: User, grade: EnterpriseGrade, to: str, source: str, reasons: str, now: datetime.datetime
) -> GradeChange:
    """Set the grade in force by hand (inside the caller's transaction): the row is marked adjusted
    (a later computation no longer overrides it), the change recorded, earlier apps told."""
    change = GradeChange.objects.create(
        grade=grade, from_grade=grade.grade, to_grade=to, source=source, reasons=reasons, actor=actor, at=now
    )
    grade.grade, grade.adjusted = to, True
    grade.save(update_fields=["grade", "adjusted"])
    events.publish(seam.CREDIT_CHANGED, enterprise_ids=[grade.enterprise_id])
    return change


def grade_adjust(
    *, actor: User, grade: EnterpriseGrade, to: str, reasons: str, now: datetime.datetime | None = None
) -> GradeChange:
    """人社局 changes a grade in force by hand, with its reasons (a ``GradeChange``, source 人工调整)."""
    require_may_grade(actor)
    now = now or timezone.now()
    reasons = (reasons or "").strip()
    if to not in Grade.values:
        raise DomainError("请选择调整后的等级（A、B 或 C）", field="to")
    if not reasons:
        raise DomainError(f"调整守法诚信等级须写明理由（{GRADE_RULES}：等级变更应记录理由）", field="reasons")
    with transaction.atomic(), acting(actor):
        locked = (
            EnterpriseGrade.objects.select_for_update(of=("self",))
            .select_related("year", "enterprise")
            .get(pk=grade.pk)
        )
        if locked.grade == to:
            raise DomainError(f"该企业 {locked.year.year} 年度已是 {to} 级，无需调整", field="to")
        change = grade_change(
            actor=actor, grade=locked, to=to, source=GradeChange.Source.ADJUSTED, reasons=reasons, now=now
        )
    grade.refresh_from_db()
    return change


def grades_sweep(*, now: datetime.datetime | None = None) -> int:
    """``tick``: the current year's provisional grades recomputed once a day, and last year's in
    January until 人社局 confirms them. Idempotent: a year computed today is not computed again."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    years = [today.year] + ([today.year - 1] if today.month == 1 else [])
    done = 0
    actor = system_actor()
    for year in years:
        grade_year = GradeYear.objects.filter(year=year).first()
        if grade_year is not None and (
            grade_year.status == GradeYearStatus.CONFIRMED
            or (grade_year.computed_at is not None and timezone.localdate(grade_year.computed_at) == today)
        ):
            continue
        grades_compute(actor=actor, year=year, now=now)
        done += 1
    return done
