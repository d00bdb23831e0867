"""Spot checks (不定期抽查, §五(三)): the draw, the inspection, rectification (整改) and the circular
(抽查情况通报).

**The draw is reproducible.** The units are drawn with ``random.Random(f"anxin-spotcheck|{seed}")``
(Python seeds a ``Random`` from a string through SHA-512 of its UTF-8 bytes, so the same text gives the
same sequence on every machine and every run, whatever ``PYTHONHASHSEED``) calling ``sample`` on the
population's unit codes sorted. Within each unit drawn, its items are drawn with
``random.Random(f"anxin-spotcheck|{seed}|{unit code}")`` calling ``sample`` on the unit's item
population: ``"enterprise:<id>"`` for each operating enterprise its users see (a town: in its
territory; a department: in its line) and ``"project:<id>"`` for each project under construction
they see, sorted by kind then id. Both populations are recorded (``SpotCheck.population``,
``SpotCheckUnit.population``), with the seed, who and when: ``redraw`` runs the same arithmetic
from the record and says whether it gives the same units and items.

Rectification items are set by the office from an item where a problem was found, default due
``spotcheck.rectification_days`` days later; the unit answers with evidence, the office accepts or
returns with a reason and a new due day (default today + ``spotcheck.rectification_days``; the
escalation is cleared); ``tick`` escalates an overdue open or returned item to the office once per due
day. An item keeps the due day it had when it first went overdue (``overdue_due``: escalated, or
answered after the due day), which the measure counts by. The circular goes to every member unit, with
its copy to 区委组织部 (a recipient that is a name only); its annex rows are saved when it is issued
(``SpotCheck.circular_annex``) and the Word prints those."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from anxin.assessment import access
from anxin.assessment.models import (
    AssessmentFile,
    CircularRecipient,
    ItemResult,
    Rectification,
    RectificationStatus,
    SpotCheck,
    SpotCheckItem,
    SpotCheckStatus,
    SpotCheckUnit,
)
from anxin.assessment.workflow import (
    ACCEPT,
    ANSWER_ACTION,
    CIRCULATE,
    RECTIFICATIONS,
    RETURN,
    SPOT_CHECKS,
    START,
)
from anxin.conference.services.minutes import suggest_reference
from anxin.core.audit import acting, guarded_update, system_actor
from anxin.core.errors import DomainError
from anxin.core.files import atomic_with_files, file_store
from anxin.core.gongwen import cn_date
from anxin.core.policy import param_record
from anxin.core.policy_defaults import OPINIONS
from anxin.core.uploads import DOCUMENTS
from anxin.notify.services import notify_units
from anxin.org.access import office_unit_ids
from anxin.org.models import Role, Unit, User

CLAUSE = f"《{OPINIONS}》§五(三)（不定期抽查）"
RECTIFICATION_DAYS = "spotcheck.rectification_days"
ITEMS_PER_UNIT = "spotcheck.items_per_unit"
ORGANISATION_DEPARTMENT = "中共常州市新北区委组织部"
CIRCULAR_PREFIX = "新欠薪联办通"
OFFICE_ONLY = "只有联席办可以组织不定期抽查、下达和验收整改、印发抽查通报"
MAX_FILES = 10
SALT = "anxin-spotcheck"


@dataclass(frozen=True)
class Paper:
    """An uploaded file as the services take it: its name as uploaded and its bytes."""

    name: str
    content: bytes


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def spot_check_url(spot_check: SpotCheck) -> str:
    return reverse("assessment-spotcheck", args=[spot_check.pk])


def rectification_url(rectification: Rectification) -> str:
    return reverse("assessment-rectification", args=[rectification.pk])


def _office(actor: User) -> None:
    if not access.may_run_spot_checks(actor):
        raise PermissionDenied(OFFICE_ONLY)


def _text(value: str, field: str, what: str, limit: int = 5000) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(f"请填写{what}", field=field)
    if len(text) > limit:
        raise DomainError(f"{what}不超过 {limit} 字", field=field)
    return text


# --- the draw (pure arithmetic, re-run from the record) ----------------------------------------------


def draw_units(seed: str, population: Sequence[str], count: int) -> list[str]:
    """``count`` unit codes out of ``population`` (sorted first), in the order drawn."""
    return random.Random(f"{SALT}|{seed}").sample(  # noqa: S311  (reproducible by design: the seed is public)
        sorted(population), count
    )


def draw_items(seed: str, unit_code: str, population: Sequence[str], count: int) -> list[str]:
    """At most ``count`` item keys (``enterprise:<id>``/``project:<id>``) out of one unit's population."""
    keys = sorted(population, key=_item_order)
    return random.Random(f"{SALT}|{seed}|{unit_code}").sample(  # noqa: S311  (reproducible by design)
        keys, min(count, len(keys))
    )


def _item_order(key: str) -> tuple[str, int]:
    kind, _, pk = key.partition(":")
    return kind, int(pk) if pk.isdigit() else 0


def item_population(unit: Unit) -> list[str]:
    """What may be drawn within ``unit``, as its users see the registry: operating enterprises and
    projects under construction (a town: its territory; a department: its line), sorted."""
    from anxin.registry.models import Enterprise, EnterpriseStatus, Project, ProjectStatus
    from anxin.reports.figures import viewer_for

    viewer = viewer_for(unit)
    enterprises = (
        Enterprise.objects.for_user(viewer)
        .filter(status=EnterpriseStatus.OPERATING)
        .values_list("pk", flat=True)
        .distinct()
    )
    projects = (
        Project.objects.for_user(viewer)
        .filter(status=ProjectStatus.ACTIVE)
        .values_list("pk", flat=True)
        .distinct()
    )
    keys = [f"enterprise:{pk}" for pk in set(enterprises)] + [f"project:{pk}" for pk in set(projects)]
    return sorted(keys, key=_item_order)


def _next_number(year: int) -> str:
    prefix = f"CC-{year}-"
    last = (
        SpotCheck.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:03d}"


def default_items_per_unit(on: datetime.date | None = None) -> int:
    return int(param_record(ITEMS_PER_UNIT, on=on).typed_value)


def default_population() -> list[str]:
    return sorted(access.assessed_units().values_list("code", flat=True))


def random_seed() -> str:
    """A fresh seed the draw form offers (the office may type its own, e.g. a lottery number)."""
    return f"{random.SystemRandom().randrange(10**8):08d}"


def _subject(key: str, names: dict[str, str]) -> str:
    kind = key.partition(":")[0]
    what = "企业" if kind == "enterprise" else "项目"
    return f"{what}：{names.get(key, key)}"[:100]


def _names(keys: Iterable[str]) -> dict[str, str]:
    from anxin.registry.models import Enterprise, Project

    keys = list(keys)
    ent = [int(k.split(":")[1]) for k in keys if k.startswith("enterprise:")]
    prj = [int(k.split(":")[1]) for k in keys if k.startswith("project:")]
    names = {
        f"enterprise:{pk}": n for pk, n in Enterprise.objects.filter(pk__in=ent).values_list("pk", "name")
    }
    names |= {f"project:{pk}": n for pk, n in Project.objects.filter(pk__in=prj).values_list("pk", "name")}
    return names


def unit_names(codes: Iterable[str]) -> list[str]:
    """The units' names for their codes, in the same order (a code with no unit stays as it is)."""
    codes = list(codes)
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
    return [names.get(c, c) for c in codes]


def draw(
    *,
    title: str,
    seed: str,
    units: int,
    actor: User,
    population: Sequence[str] | None = None,
    items_per_unit: int | None = None,
    now: datetime.datetime | None = None,
    is_demo: bool = False,
) -> SpotCheck:
    """Draw a round (see the module): recorded with its seed, populations, who and when; numbered
    CC-年-序号. Refused: no title or seed, ``units`` < 1 or more than the population, an unknown or
    unassessed unit code."""
    _office(actor)
    title = _text(title, "title", "抽查名称", 100)
    seed = (seed or "").strip()
    if not seed:
        raise DomainError("请填写随机种子（可用系统给出的随机数，也可填写公开的号码）", field="seed")
    if len(seed) > 64:
        raise DomainError("随机种子不超过 64 个字符", field="seed")
    now = _now(now)
    today = timezone.localdate(now)
    assessed = {u.code: u for u in access.assessed_units()}
    if population is None:
        codes = sorted(assessed)
    else:
        codes = sorted({(c or "").strip() for c in population if (c or "").strip()})
        unknown = [c for c in codes if c not in assessed]
        if unknown:
            raise DomainError(f"单位代码不存在或不在考核范围内：{'、'.join(unknown)}", field="population")
    if not codes:
        raise DomainError("抽取范围内没有单位", field="population")
    if units is None or units < 1:
        raise DomainError("至少抽取 1 个单位", field="units")
    if units > len(codes):
        raise DomainError(f"抽取单位数 {units} 超过抽取范围的 {len(codes)} 个单位", field="units")
    per_unit = default_items_per_unit(today) if items_per_unit is None else int(items_per_unit)
    if per_unit < 0 or per_unit > 20:
        raise DomainError("每个单位抽取企业（项目）数应在 0 到 20 之间", field="items_per_unit")
    drawn = draw_units(seed, codes, units)
    pools = {code: item_population(assessed[code]) if per_unit else [] for code in drawn}
    picks = {code: draw_items(seed, code, pools[code], per_unit) for code in drawn}
    names = _names(k for keys in picks.values() for k in keys)
    for attempt in range(3):
        try:
            with transaction.atomic(), acting(actor):
                spot_check = SpotCheck.objects.create(
                    number=_next_number(today.year),
                    year=today.year,
                    title=title,
                    seed=seed,
                    population=codes,
                    units_count=units,
                    drawn=drawn,
                    items_per_unit=per_unit,
                    drawn_by=actor,
                    drawn_at=now,
                    is_demo=is_demo,
                )
                for order, code in enumerate(drawn, start=1):
                    check_unit = SpotCheckUnit.objects.create(
                        spot_check=spot_check, unit=assessed[code], order=order, population=pools[code]
                    )
                    keys = picks[code]
                    for key in keys:
                        kind, _, pk = key.partition(":")
                        SpotCheckItem.objects.create(
                            check_unit=check_unit,
                            enterprise_id=int(pk) if kind == "enterprise" else None,
                            project_id=int(pk) if kind == "project" else None,
                            subject=_subject(key, names),
                        )
                    if not keys:
                        SpotCheckItem.objects.create(
                            check_unit=check_unit, subject="本单位保障工资支付工作台账"
                        )
                SPOT_CHECKS.record(
                    spot_check,
                    "draw",
                    actor=actor,
                    note=f"随机种子“{seed}”，从 {len(codes)} 个单位中抽取 {units} 个："
                    f"{'、'.join(assessed[c].name for c in drawn)}；"
                    f"每单位抽取企业（项目）{per_unit} 家（参数 {ITEMS_PER_UNIT}）",
                    target=SpotCheckStatus.DRAWN,
                    at=now,
                )
            return spot_check
        except IntegrityError:
            if attempt == 2:
                raise DomainError("抽查编号冲突，请重试", code="conflict") from None
    raise AssertionError("unreachable")


@dataclass
class Redraw:
    """The draw re-run from the record: what it gives and whether it is what was recorded."""

    units: list[str]
    items: dict[str, list[str]]
    recorded_units: list[str]
    recorded_items: dict[str, list[str]]

    @property
    def same(self) -> bool:
        return self.units == self.recorded_units and self.items == self.recorded_items


def _key_of(item: SpotCheckItem) -> str | None:
    if item.enterprise_id:
        return f"enterprise:{item.enterprise_id}"
    if item.project_id:
        return f"project:{item.project_id}"
    return None


def redraw(spot_check: SpotCheck) -> Redraw:
    """重新验证抽取: the recorded seed and populations through the same arithmetic (no write)."""
    units = draw_units(spot_check.seed, spot_check.population, spot_check.units_count)
    recorded_units = list(spot_check.drawn)
    items: dict[str, list[str]] = {}
    recorded_items: dict[str, list[str]] = {}
    for check_unit in spot_check.units.select_related("unit").prefetch_related("items").order_by("order"):
        code = check_unit.unit.code
        items[code] = draw_items(spot_check.seed, code, check_unit.population, spot_check.items_per_unit)
        recorded_items[code] = [k for k in (_key_of(i) for i in check_unit.items.all()) if k]
    return Redraw(units=units, items=items, recorded_units=recorded_units, recorded_items=recorded_items)


# --- inspection ----------------------------------------------------------------------------------------


def may_inspect(user: Any, check_unit: SpotCheckUnit) -> bool:
    """The office, or an inspector assigned to that unit."""
    pk = getattr(user, "pk", None)
    return access.may_run_spot_checks(user) or (
        pk is not None and check_unit.inspectors.filter(pk=pk).exists()
    )


def inspectors_queryset() -> Any:
    return User.objects.filter(is_active=True, role__in=[Role.OFFICE, Role.DEPARTMENT]).select_related("unit")


def assign_inspectors(
    *,
    actor: User,
    check_unit: SpotCheckUnit,
    inspectors: Sequence[User],
    now: datetime.datetime | None = None,
) -> SpotCheckUnit:
    """The office names the inspectors of a drawn unit (office or department users, never the unit's
    own users); each is notified."""
    _office(actor)
    spot_check = check_unit.spot_check
    if spot_check.status == SpotCheckStatus.CIRCULATED:
        raise DomainError("抽查已通报，不能再调整检查人员", code="conflict")
    people = list(inspectors)
    if not people:
        raise DomainError("请至少指定一名检查人员", field="inspectors")
    for person in people:
        if not person.is_active or person.role not in (Role.OFFICE, Role.DEPARTMENT):
            raise DomainError(f"{person}不是联席办或部门用户，不能担任检查人员", field="inspectors")
        if person.unit_id == check_unit.unit_id:
            raise DomainError(f"{person}是被抽查单位的工作人员，应当回避", field="inspectors")
    now = _now(now)
    with transaction.atomic(), acting(actor):
        check_unit.inspectors.set(people)
        names = "、".join(p.full_name or p.username for p in people)
        SPOT_CHECKS.record(spot_check, "assign", actor=actor, note=f"{check_unit.unit.name}：{names}", at=now)
        from anxin.notify.services import notify_users

        notify_users(
            user_ids=[p.pk for p in people],
            subject=f"{spot_check.number} 请检查{check_unit.unit.name}",
            body=spot_check.title,
            url=spot_check_url(spot_check),
            topic="assessment-spotcheck",
        )
    return check_unit


def start(*, actor: User, spot_check: SpotCheck, now: datetime.datetime | None = None) -> SpotCheck:
    """已抽取 → 检查中: every drawn unit has its inspectors."""
    _office(actor)
    step = SPOT_CHECKS.step(spot_check, START)
    missing = [u.unit.name for u in spot_check.units.select_related("unit") if not u.inspectors.exists()]
    if missing:
        raise DomainError(f"尚未指定检查人员：{'、'.join(missing)}")
    with transaction.atomic(), acting(actor):
        SPOT_CHECKS.move(spot_check, step, actor=actor, now=_now(now))
    return spot_check


def _store(actor: User, papers: Sequence[Paper], kind: str, field: str) -> list[AssessmentFile]:
    if len(papers) > MAX_FILES:
        raise DomainError(f"一次最多上传 {MAX_FILES} 个文件", field=field)
    return [
        file_store(
            record=AssessmentFile(kind=kind),
            actor=actor,
            name=p.name,
            content=p.content,
            field=field,
            allowed=DOCUMENTS,
        )
        for p in papers
    ]


def record_item(
    *,
    actor: User,
    item: SpotCheckItem,
    result: str,
    observations: str,
    checked_on: datetime.date | None,
    photos: Sequence[Paper] = (),
    papers: Sequence[Paper] = (),
    now: datetime.datetime | None = None,
) -> SpotCheckItem:
    """An inspector (or the office) records what was found at an item, while the round is 检查中."""
    check_unit = item.check_unit
    spot_check = check_unit.spot_check
    if not may_inspect(actor, check_unit):
        raise PermissionDenied("只有联席办或指定的检查人员可以登记检查结果")
    if spot_check.status != SpotCheckStatus.CHECKING:
        raise DomainError(f"抽查处于“{spot_check.get_status_display()}”，不能登记检查结果", code="conflict")
    if result not in (ItemResult.OK, ItemResult.PROBLEM):
        raise DomainError("请选择检查结果", field="result")
    observations = (observations or "").strip()
    if result == ItemResult.PROBLEM and not observations:
        raise DomainError("发现问题的，请写明检查发现", field="observations")
    now = _now(now)
    if checked_on is None:
        raise DomainError("请填写检查日期", field="checked_on")
    if checked_on > timezone.localdate(now) or checked_on < timezone.localdate(spot_check.drawn_at):
        raise DomainError("检查日期应在抽取之后、不晚于今天", field="checked_on")
    if item.result == ItemResult.PROBLEM and result != ItemResult.PROBLEM:
        held = []
        if item.rectifications.exists():
            held.append("整改事项")
        if item.findings.exists():
            held.append("认定的问题")
        if held:
            raise DomainError(
                f"该事项已据“发现问题”下达{'和'.join(held)}，不能改为“{ItemResult(result).label}”",
                field="result",
                code="conflict",
            )
    with atomic_with_files(), acting(actor):
        item.result, item.observations, item.checked_on, item.checked_by = (
            result,
            observations[:5000],
            checked_on,
            actor,
        )
        item.save(update_fields=["result", "observations", "checked_on", "checked_by", "updated_at"])
        stored = _store(actor, photos, AssessmentFile.Kind.PHOTO, "photos")
        stored += _store(actor, papers, AssessmentFile.Kind.DOCUMENT, "papers")
        if stored:
            item.files.add(*stored)
        SPOT_CHECKS.record(
            spot_check,
            "record",
            actor=actor,
            note=f"{check_unit.unit.name} · {item.subject}：{item.get_result_display()}",
            at=now,
        )
    return item


def conclude_unit(
    *, actor: User, check_unit: SpotCheckUnit, conclusion: str, now: datetime.datetime | None = None
) -> SpotCheckUnit:
    """The unit's conclusion (检查结论), by the office or its inspectors, while 检查中."""
    if not may_inspect(actor, check_unit):
        raise PermissionDenied("只有联席办或指定的检查人员可以填写检查结论")
    spot_check = check_unit.spot_check
    if spot_check.status != SpotCheckStatus.CHECKING:
        raise DomainError(f"抽查处于“{spot_check.get_status_display()}”，不能填写检查结论", code="conflict")
    conclusion = _text(conclusion, "conclusion", "检查结论")
    with transaction.atomic(), acting(actor):
        check_unit.conclusion = conclusion
        check_unit.save(update_fields=["conclusion"])
        SPOT_CHECKS.record(
            spot_check,
            "conclude",
            actor=actor,
            note=f"{check_unit.unit.name}：{conclusion[:300]}",
            at=_now(now),
        )
    return check_unit


# --- rectification -------------------------------------------------------------------------------------


def default_due(on: datetime.date) -> tuple[datetime.date, int, str]:
    """Today + ``spotcheck.rectification_days`` days: the day, the value, the citation."""
    record = param_record(RECTIFICATION_DAYS, on=on)
    days = int(record.typed_value)
    return on + datetime.timedelta(days=days), days, record.citation


def _notify_rect(rect: Rectification, unit_ids: list[int], subject: str, body: str = "") -> None:
    notify_units(
        unit_ids=unit_ids,
        subject=f"整改事项（{rect.item.check_unit.spot_check.number}）{subject}",
        body=body,
        url=rectification_url(rect),
        topic="assessment-rectification",
        about=rect.item.subject[:100],
    )


def set_rectification(
    *,
    actor: User,
    item: SpotCheckItem,
    requirement: str,
    due: datetime.date | None = None,
    unit: Unit | None = None,
    now: datetime.datetime | None = None,
) -> Rectification:
    """The office sets a rectification item from an item where a problem was found: owner unit
    (default the unit checked), requirement, due (default today + ``spotcheck.rectification_days``)."""
    _office(actor)
    spot_check = item.check_unit.spot_check
    if item.result != ItemResult.PROBLEM:
        raise DomainError("只有发现问题的抽查事项才能下达整改", code="conflict")
    if spot_check.status == SpotCheckStatus.DRAWN:
        raise DomainError("抽查尚未开始检查", code="conflict")
    requirement = _text(requirement, "requirement", "整改要求")
    now = _now(now)
    today = timezone.localdate(now)
    default, days, citation = default_due(today)
    due = due or default
    if due <= today:
        raise DomainError("整改期限应晚于今天", field="due")
    owner = unit or item.check_unit.unit
    if access.group_of(owner) is None:
        raise DomainError(f"{owner.name}不是被考核单位，不能作为整改责任单位", field="unit")
    with transaction.atomic(), acting(actor):
        rect = Rectification.objects.create(
            item=item, unit=owner, requirement=requirement, due=due, set_by=actor
        )
        note = f"整改期限 {due:%Y-%m-%d}" + (
            f"（默认 {days} 日，参数 {RECTIFICATION_DAYS}={days}，{citation}）" if due == default else ""
        )
        RECTIFICATIONS.record(
            rect, "set", actor=actor, note=f"{requirement[:300]}；{note}", target=rect.status, at=now
        )
        _notify_rect(rect, [owner.pk], "请按期整改", f"{requirement[:200]}；{note}")
    return rect


def answer_rectification(
    *,
    actor: User,
    rectification: Rectification,
    answer: str,
    evidence: Sequence[Paper] = (),
    now: datetime.datetime | None = None,
) -> Rectification:
    """The owner unit reports what it did, with evidence (待整改 or 退回 → 已报整改情况)."""
    if not (
        access.may_act_for(actor, rectification.unit_id) and actor.has_perm("assessment.answer_rectification")
    ):
        raise PermissionDenied(f"该整改事项由{rectification.unit.name}整改，您所在单位不能报送")
    step = RECTIFICATIONS.step(rectification, ANSWER_ACTION)
    answer = _text(answer, "answer", "整改情况")
    now = _now(now)
    values: dict[str, Any] = {"answer": answer, "answered_at": now}
    late = timezone.localdate(now) > rectification.due
    if late and rectification.overdue_due is None:
        values["overdue_due"] = rectification.due
    note = answer[:500] + (f"（整改期限 {rectification.due:%Y-%m-%d} 之后报送，计为逾期）" if late else "")
    with atomic_with_files(), acting(actor):
        stored = _store(actor, evidence, AssessmentFile.Kind.EVIDENCE, "evidence")
        RECTIFICATIONS.move(rectification, step, actor=actor, note=note, values=values, now=now)
        if stored:
            rectification.files.add(*stored)
        _notify_rect(
            rectification, office_unit_ids(), f"{rectification.unit.name}已报整改情况，待验收", answer[:200]
        )
    return rectification


def accept_rectification(
    *, actor: User, rectification: Rectification, opinion: str = "", now: datetime.datetime | None = None
) -> Rectification:
    _office(actor)
    step = RECTIFICATIONS.step(rectification, ACCEPT)
    now = _now(now)
    opinion = (opinion or "").strip()[:2000]
    with transaction.atomic(), acting(actor):
        RECTIFICATIONS.move(
            rectification, step, actor=actor, note=opinion or "验收通过", values={"accepted_at": now}, now=now
        )
        _notify_rect(rectification, [rectification.unit_id], "已验收通过", opinion)
    return rectification


def return_rectification(
    *,
    actor: User,
    rectification: Rectification,
    reason: str,
    due: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Rectification:
    """The office returns an answer with a reason and a new due day (default today +
    ``spotcheck.rectification_days``), clearing the escalation: the unit is judged on the new day.
    Whether the item went overdue before stays in ``overdue_due``."""
    _office(actor)
    step = RECTIFICATIONS.step(rectification, RETURN)
    reason = _text(reason, "reason", "退回理由", 2000)
    now = _now(now)
    today = timezone.localdate(now)
    default, days, citation = default_due(today)
    due = due or default
    if due <= today:
        raise DomainError("重新整改期限应晚于今天", field="due")
    note = f"重新整改期限 {due:%Y-%m-%d}" + (
        f"（默认 {days} 日，参数 {RECTIFICATION_DAYS}={days}，{citation}）" if due == default else ""
    )
    with transaction.atomic(), acting(actor):
        RECTIFICATIONS.move(
            rectification,
            step,
            actor=actor,
            note=f"{reason}；{note}",
            values={"due": due, "escalated_at": None},
            now=now,
        )
        _notify_rect(
            rectification, [rectification.unit_id], "被退回，请重新整改", f"退回理由：{reason}；{note}"
        )
    return rectification


def rectifications_escalate(*, now: datetime.datetime | None = None) -> int:
    """``tick``: an open or returned rectification item past its due day is reported to the office,
    once per due day (``escalated_at``; a return clears it), naming the clause and the parameter; the
    item's first overdue due day is kept (``overdue_due``)."""
    now = _now(now)
    today = timezone.localdate(now)
    record = param_record(RECTIFICATION_DAYS, on=today)
    actor = system_actor()
    count = 0
    late = Rectification.objects.filter(
        status__in=[RectificationStatus.OPEN, RectificationStatus.RETURNED],
        escalated_at__isnull=True,
        due__lt=today,
    ).select_related("unit", "item__check_unit__spot_check")
    with acting(actor):
        for rect in late:
            with transaction.atomic():
                if guarded_update(
                    Rectification.objects.filter(escalated_at__isnull=True, due=rect.due),
                    rect.pk,
                    escalated_at=now,
                    **({} if rect.overdue_due else {"overdue_due": rect.due}),
                ):
                    note = (
                        f"{rect.unit.name}的整改事项期限 {rect.due:%Y-%m-%d} 已过，尚未报送整改情况；请督促整改"
                        f"（{CLAUSE}；整改默认期限参数 {RECTIFICATION_DAYS}={record.typed_value} 日，{record.citation}）"
                    )
                    RECTIFICATIONS.record(rect, "escalate", actor=actor, note=note, at=now)
                    _notify_rect(rect, office_unit_ids(), "逾期未整改", note)
                    count += 1
    return count


# --- the circular ---------------------------------------------------------------------------------------


def suggest_circular_reference(on: datetime.date | None = None) -> str:
    year = (on or timezone.localdate()).year
    used = SpotCheck.objects.filter(
        circular_reference__startswith=f"{CIRCULAR_PREFIX}〔{year}〕"
    ).values_list("circular_reference", flat=True)
    return suggest_reference(CIRCULAR_PREFIX, used, year)


def circular_draft(spot_check: SpotCheck) -> str:
    """The circular's body prefilled from the record: the draw, each unit's items and problems, the
    rectification set."""
    check_units = list(
        spot_check.units.select_related("unit").prefetch_related("items__rectifications").order_by("order")
    )
    items = [i for cu in check_units for i in cu.items.all()]
    problems = [i for i in items if i.result == ItemResult.PROBLEM]
    rects = [r for i in items for r in i.rectifications.all()]
    lines = [
        f"根据{CLAUSE}，区联席办于{cn_date(timezone.localdate(spot_check.drawn_at))}以随机种子“{spot_check.seed}”从 "
        f"{len(spot_check.population)} 个镇（街道）和部门中随机抽取 {len(check_units)} 个单位"
        f"（{'、'.join(cu.unit.name for cu in check_units)}），每个单位随机抽取企业（项目）"
        f"{spot_check.items_per_unit} 家，开展{spot_check.title}。现将有关情况通报如下。",
        f"本次共检查 {len(items)} 个事项，发现问题 {len(problems)} 个，下达整改事项 {len(rects)} 项。",
    ]
    for n, cu in enumerate(check_units, start=1):
        found = [i for i in cu.items.all() if i.result == ItemResult.PROBLEM]
        text = f"{n}. {cu.unit.name}：检查 {len(cu.items.all())} 个事项，"
        text += f"发现问题 {len(found)} 个" if found else "未发现问题"
        if found:
            text += "（" + "；".join(f"{i.subject}：{i.observations}" for i in found) + "）"
        if cu.conclusion:
            text += f"。检查结论：{cu.conclusion}"
        lines.append(text + "。")
    if rects:
        lines.append(
            "整改要求："
            + "；".join(f"{r.unit.name}于{cn_date(r.due)}前{r.requirement}" for r in rects)
            + "。"
        )
    lines.append("请各单位对照检查发现举一反三，按期完成整改并在安薪系统中报送整改情况。")
    return "\n".join(lines)


ANNEX_HEADER = ("被抽查单位", "检查事项", "检查结果", "检查发现", "整改要求")


def circular_annex_rows(spot_check: SpotCheck) -> list[list[str]]:
    """The circular's annex (抽查事项及整改情况一览表) as the record stands now: one row per item drawn,
    with its result, observations and the rectification set (requirement, unit, due, status). Saved
    on the round when the circular is issued; the Word prints the saved rows."""
    rows: list[list[str]] = []
    check_units = spot_check.units.select_related("unit").prefetch_related("items__rectifications__unit")
    for check_unit in check_units.order_by("order"):
        for item in check_unit.items.all():
            rects = "；".join(
                f"{r.requirement}（{r.unit.name}，{r.due:%Y-%m-%d}前，{r.get_status_display()}）"
                for r in item.rectifications.all()
            )
            rows.append(
                [
                    check_unit.unit.name,
                    item.subject,
                    item.get_result_display(),
                    item.observations or "—",
                    rects or "—",
                ]
            )
    return rows


def member_units() -> Any:
    return Unit.objects.filter(is_member=True).order_by("order", "pk")


def circulate(
    *,
    actor: User,
    spot_check: SpotCheck,
    reference: str,
    body: str,
    copy_to: str = ORGANISATION_DEPARTMENT,
    now: datetime.datetime | None = None,
) -> SpotCheck:
    """检查中 → 已通报: the circular under a 文号 to every member unit (notice and inbox), recorded as
    sent, with its copy (抄送) to ``copy_to`` (a name, not a user). Refused while an item is unchecked."""
    _office(actor)
    step = SPOT_CHECKS.step(spot_check, CIRCULATE)
    reference = _text(reference, "reference", "通报文号", 60)
    body = _text(body, "body", "通报正文", 20000)
    copy_to = _text(copy_to, "copy_to", "抄送单位", 60)
    pending = SpotCheckItem.objects.filter(
        check_unit__spot_check=spot_check, result=ItemResult.PENDING
    ).count()
    if pending:
        raise DomainError(f"还有 {pending} 个抽查事项未登记检查结果，检查完成后才能印发通报", code="conflict")
    if SpotCheck.objects.filter(circular_reference=reference).exclude(pk=spot_check.pk).exists():
        raise DomainError(f"通报文号“{reference}”已使用，请换一个", field="reference")
    now = _now(now)
    units = list(member_units())
    with transaction.atomic(), acting(actor):
        SPOT_CHECKS.move(
            spot_check,
            step,
            actor=actor,
            note=f"{reference}，主送 {len(units)} 个成员单位，抄送{copy_to}",
            values={
                "circular_reference": reference,
                "circular_body": body,
                "circulated_on": timezone.localdate(now),
                "circulated_by": actor,
                "circular_annex": circular_annex_rows(spot_check),
            },
            now=now,
        )
        CircularRecipient.objects.bulk_create(
            [CircularRecipient(spot_check=spot_check, unit=u, name=u.name, sent_at=now) for u in units]
            + [CircularRecipient(spot_check=spot_check, unit=None, name=copy_to, copy=True, sent_at=now)]
        )
        notify_units(
            unit_ids=[u.pk for u in units],
            subject=f"抽查情况通报 {reference}",
            body=spot_check.title,
            url=spot_check_url(spot_check),
            topic="assessment-spotcheck",
            about=spot_check.title[:100],
        )
    return spot_check


__all__ = [
    "Paper",
    "accept_rectification",
    "answer_rectification",
    "assign_inspectors",
    "circular_annex_rows",
    "circular_draft",
    "circulate",
    "conclude_unit",
    "draw",
    "record_item",
    "rectifications_escalate",
    "redraw",
    "return_rectification",
    "set_rectification",
    "start",
]
