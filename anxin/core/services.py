"""Writes of the shared kernel: policy parameters, the calendar, security events."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import chinese_calendar
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.audit import acting
from anxin.core.errors import DomainError
from anxin.core.models import (
    CalendarDay,
    ParameterType,
    PolicyParameter,
    SecurityEvent,
    SecurityEventKind,
)
from anxin.core.policy import LARGE_CHANGE_FACTOR, change_factor, clean_parameter_value, show_parameter_value
from anxin.core.policy_defaults import DEFAULT_EFFECTIVE_FROM, DEFAULTS

if TYPE_CHECKING:
    # The project's user model (settings.AUTH_USER_MODEL): read by the type checker only; at run
    # time core imports no app.
    from anxin.org.models import User

Log = Callable[[str], None]


def _nolog(_message: str) -> None:
    return None


# --- security events -------------------------------------------------------------------------


def security_event_record(
    *,
    kind: str,
    user: User | AnonymousUser | None = None,
    username: str = "",
    ip: str | None = None,
    summary: str = "",
    detail: dict | None = None,
) -> SecurityEvent:
    """Append one security event (login, export, parameter change…)."""
    if kind not in SecurityEventKind.values:
        raise ValueError(f"unknown security event kind {kind!r}")
    if isinstance(user, AnonymousUser) or (user is not None and not user.pk):
        user = None
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=username or (getattr(user, "username", "") if user else ""),
        ip=ip or None,
        summary=summary[:300],
        detail=detail or {},
    )


# --- policy parameters -----------------------------------------------------------------------


def _check_value(value_type: str, value: str, *, code: str = "") -> str:
    """The value as stored, or a DomainError: not of its type, too large, outside the bounds of
    the parameter's definition (``policy.clean_parameter_value``)."""
    return clean_parameter_value(code, value_type, value)


def policy_seed_defaults(*, actor: User, overrides: dict | None = None, log: Log = _nolog) -> int:
    """Create each default parameter that has no value yet (idempotent). Returns rows created.

    ``overrides`` (from the district file) maps a code to a value that replaces the default
    when the parameter is first seeded; an existing parameter is never changed here. Every
    override is checked against its parameter's bounds first, even where it would not apply,
    and a bad one is refused naming the code: nothing is written.
    """
    overrides = overrides or {}
    if not isinstance(overrides, dict):
        raise DomainError(_("区配置文件的 policy_parameters 须为“参数代码: 取值”的映射"))
    unknown = set(overrides) - {d["code"] for d in DEFAULTS}
    if unknown:
        raise DomainError(
            _("区配置文件中有未知的政策参数：%(codes)s") % {"codes": "、".join(sorted(map(str, unknown)))}
        )
    checked: dict[str, str] = {}
    for item in DEFAULTS:
        if item["code"] in overrides:
            try:
                checked[item["code"]] = _check_value(item["type"], overrides[item["code"]], code=item["code"])
            except DomainError as exc:
                raise DomainError(
                    _("区配置文件中政策参数“%(code)s”的取值无效：%(why)s")
                    % {"code": item["code"], "why": exc.message}
                ) from None
    created = 0
    with transaction.atomic(), acting(actor):
        for item in DEFAULTS:
            if PolicyParameter.objects.filter(code=item["code"]).exists():
                continue
            value = checked.get(item["code"]) or _check_value(item["type"], item["value"], code=item["code"])
            PolicyParameter.objects.create(
                code=item["code"],
                name=item["name"],
                value=value,
                value_type=item["type"],
                unit=item["unit"],
                effective_from=DEFAULT_EFFECTIVE_FROM,
                citation=item["citation"],
                note=item.get("note", ""),
                to_confirm=item.get("to_confirm", False),
                created_by=actor,
            )
            created += 1
    log(f"政策参数：新增 {created} 项，共 {len(DEFAULTS)} 项")
    return created


CITATION_MAX_LENGTH = 200  # PolicyParameter.citation's column
REASON_MAX_LENGTH = 500


@dataclass(frozen=True)
class ParameterChange:
    """A checked change of a parameter (``policy_parameter_check``): nothing written yet.

    ``replaces`` is the row of the same effective date that a correction overwrites; None for
    a new value (a new row, the earlier ones stay as history)."""

    code: str
    name: str
    unit: str
    value_type: str
    value: str
    effective_from: datetime.date
    latest: PolicyParameter
    replaces: PolicyParameter | None
    # The value the change is measured against: the one it corrects, else the one in force on the
    # effective date (the earliest one when the date comes before them all).
    current: PolicyParameter | None = None

    @property
    def old(self) -> str:
        if self.replaces is not None:
            return self.replaces.value
        return (self.current or self.latest).value

    @property
    def old_shown(self) -> str:
        """The current value as the office reads it (money in words and figures)."""
        return show_parameter_value(self.value_type, self.old, self.unit)

    @property
    def value_shown(self) -> str:
        """The new value as the office reads it (money in words and figures: 8万元（80,000.00 元））."""
        return show_parameter_value(self.value_type, self.value, self.unit)

    @property
    def factor(self) -> Decimal | None:
        """How many times larger or smaller the new value is than the current one (None: not a number)."""
        return change_factor(self.value_type, self.old, self.value)

    @property
    def large(self) -> bool:
        """More than ``LARGE_CHANGE_FACTOR`` times larger or smaller: asks to be confirmed again."""
        factor = self.factor
        return factor is not None and factor > LARGE_CHANGE_FACTOR

    def large_message(self) -> str:
        """Why the change asks again, in Chinese: both values and how many times apart they are."""
        factor = self.factor
        if factor is None or not factor.is_finite():  # from or to zero
            how = _("由 %(old)s 改为 %(new)s") % {"old": self.old_shown, "new": self.value_shown}
        else:
            how = _("新取值 %(new)s 是现行取值 %(old)s 的 %(times)s") % {
                "new": self.value_shown,
                "old": self.old_shown,
                "times": _times(factor, bigger=abs(Decimal(self.value)) > abs(Decimal(self.old))),
            }
        return _(
            "“%(name)s”%(how)s，变化超过 %(n)d 倍。请核对单位和位数（如“元”与“分”、多写或少写了零）；"
            "确认无误，请勾选“我已核对，确认变化超过 %(n)d 倍”后再提交"
        ) % {"name": self.name, "how": how, "n": LARGE_CHANGE_FACTOR}


def _times(factor: Decimal, *, bigger: bool) -> str:
    """``100`` → "100 倍"; ``12.5`` → "12.5 倍"; a smaller value: "100 分之一"."""
    shown = f"{factor:,.0f}" if factor >= 100 else f"{factor:.1f}".rstrip("0").rstrip(".")
    return _("%(n)s 倍") % {"n": shown} if bigger else _("%(n)s 分之一") % {"n": shown}


class LargeChange(DomainError):
    """A change of more than ``LARGE_CHANGE_FACTOR`` times the current value, not confirmed again.

    Carries the checked ``change`` so that a page can show it and ask for the second confirmation."""

    def __init__(self, change: ParameterChange):
        super().__init__(change.large_message(), code="large_change", field="confirm_large_change")
        self.change = change


def policy_parameter_check(
    *,
    code: str,
    value: str,
    effective_from: datetime.date,
    note: str = "",
    citation: str | None = None,
    correct: bool = False,
    correction_reason: str = "",
    confirm_large_change: bool = False,
) -> ParameterChange:
    """Everything ``policy_parameter_set`` checks before it writes, for a confirmation page.

    A value is checked against the parameter's bounds. A date that already has a value is
    refused unless ``correct`` is given with a ``correction_reason``; a correction replaces the
    value of that date only when the date is today or later (a value already in force on an
    earlier day may have been used by decisions: history is not rewritten). A value more than
    ten times larger or smaller than the current one (``LARGE_CHANGE_FACTOR``; from or to zero
    too) is refused with ``LargeChange`` unless ``confirm_large_change`` says the office checked
    it again: 80000 typed for 8万元 in 分 is 800 元."""
    latest = PolicyParameter.objects.filter(code=code).order_by("-effective_from").first()
    if latest is None:
        raise DomainError(_("没有代码为“%(code)s”的政策参数") % {"code": code}, field="code")
    reason = (correction_reason or "").strip()
    if correct and not reason:
        raise DomainError(_("更正当日取值须说明更正理由"), field="correction_reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(
            _("更正理由不能超过 %(n)d 个字符") % {"n": REASON_MAX_LENGTH}, field="correction_reason"
        )
    if not correct and not (note or "").strip():
        raise DomainError(_("请说明调整理由（如文件依据）"), field="note")
    if citation is not None and len(citation.strip()) > CITATION_MAX_LENGTH:
        raise DomainError(_("依据不能超过 %(n)d 个字符") % {"n": CITATION_MAX_LENGTH}, field="citation")
    text = _check_value(latest.value_type, value, code=code)
    same_day = PolicyParameter.objects.filter(code=code, effective_from=effective_from).first()
    day = f"{effective_from:%Y-%m-%d}"
    if not correct:
        if same_day is not None and effective_from < timezone.localdate():
            raise DomainError(
                _(
                    "参数“%(name)s”在 %(day)s 已有取值 %(value)s；已经生效的以前取值不能更正，请选择今天或以后的生效日期"
                )
                % {"name": latest.name, "day": day, "value": same_day.value},
                field="effective_from",
            )
        if same_day is not None:
            raise DomainError(
                _("参数“%(name)s”在 %(day)s 已有取值 %(value)s；如需更正，请勾选“更正当日取值”并说明更正理由")
                % {"name": latest.name, "day": day, "value": same_day.value},
                field="effective_from",
            )
    else:
        if same_day is None:
            raise DomainError(
                _("参数“%(name)s”在 %(day)s 没有可更正的取值；登记新取值时请不要勾选“更正当日取值”")
                % {"name": latest.name, "day": day},
                field="effective_from",
            )
        if effective_from < timezone.localdate():
            raise DomainError(
                _(
                    "%(day)s 起的取值已经生效，可能已被当时的决定引用，不能更正；"
                    "请登记一个今天或以后生效的新取值"
                )
                % {"day": day},
                field="effective_from",
            )
        if same_day.value == text:
            raise DomainError(_("新取值与原取值相同，无需更正"), field="value")
    current = same_day if correct else None
    if current is None:
        current = (
            PolicyParameter.objects.filter(code=code, effective_from__lte=effective_from)
            .order_by("-effective_from")
            .first()
            or PolicyParameter.objects.filter(code=code).order_by("effective_from").first()
        )
    change = ParameterChange(
        code=code,
        name=latest.name,
        unit=latest.unit,
        value_type=latest.value_type,
        value=text,
        effective_from=effective_from,
        latest=latest,
        replaces=same_day if correct else None,
        current=current,
    )
    if change.large and not confirm_large_change:
        raise LargeChange(change)
    return change


def policy_parameter_set(
    *,
    actor: User,
    code: str,
    value: str,
    effective_from: datetime.date,
    note: str = "",
    citation: str | None = None,
    ip: str | None = None,
    correct: bool = False,
    correction_reason: str = "",
    confirm_large_change: bool = False,
) -> PolicyParameter:
    """Record a new value of a parameter from a date; earlier values stay as history.

    With ``correct`` and a ``correction_reason``, the value already registered for that date
    (today or later) is replaced instead: the audit log keeps old → new with the reason, the
    row's note says so, and the security event is marked as a correction. A change of more than
    ten times the current value is refused (``LargeChange``, in Chinese) unless
    ``confirm_large_change`` is given: every caller — page, command, script — must say so."""
    change = policy_parameter_check(
        code=code,
        value=value,
        effective_from=effective_from,
        note=note,
        citation=citation,
        correct=correct,
        correction_reason=correction_reason,
        confirm_large_change=confirm_large_change,
    )
    text = change.value
    with transaction.atomic(), acting(actor, remote_addr=ip):
        if change.replaces is not None:
            row = _parameter_correct(
                actor=actor, change=change, note=note, citation=citation, reason=correction_reason.strip()
            )
        else:
            try:
                with transaction.atomic():
                    row = PolicyParameter.objects.create(
                        code=code,
                        name=change.name,
                        value=text,
                        value_type=change.value_type,
                        unit=change.unit,
                        effective_from=effective_from,
                        citation=(citation or change.latest.citation).strip(),
                        note=note.strip(),
                        to_confirm=False,
                        created_by=actor,
                    )
            except IntegrityError:
                raise DomainError(
                    _("参数“%(name)s”在 %(day)s 已有取值；如需更正，请勾选“更正当日取值”并说明更正理由")
                    % {"name": change.name, "day": f"{effective_from:%Y-%m-%d}"},
                    field="effective_from",
                ) from None
        detail: dict = {
            "code": code,
            "old": change.old,
            "new": text,
            "effective_from": effective_from.isoformat(),
        }
        # As the office reads it: money in yuan (words and figures), anything else with its unit.
        old_shown = (
            show_parameter_value(change.value_type, change.old, change.unit) if change.old != "" else "—"
        )
        new_shown = show_parameter_value(change.value_type, text, change.unit)
        summary = f"{code}: {old_shown} → {new_shown}（{effective_from} 起）"
        if change.large:
            detail |= {"large_change_confirmed": True, "factor": str(change.factor)}
        if change.replaces is not None:
            detail |= {"correction": True, "reason": correction_reason.strip()}
            summary = f"更正 {summary}：{correction_reason.strip()}"
        security_event_record(
            kind=SecurityEventKind.PARAMETER_CHANGE, user=actor, ip=ip, summary=summary, detail=detail
        )
    return row


def _parameter_correct(
    *, actor: User, change: ParameterChange, note: str, citation: str | None, reason: str
) -> PolicyParameter:
    """Overwrite the value of one effective date (a correction), guarded on the value the caller
    saw, with the audit-log entry (old → new and the reason) that an ``update()`` does not write."""
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry

    assert change.replaces is not None
    before = PolicyParameter.objects.select_for_update().filter(pk=change.replaces.pk).first()
    if before is None or before.value != change.replaces.value:
        raise DomainError(_("该取值刚刚被他人更改，请刷新页面后重试"), field="value")
    who = getattr(actor, "display_name", "") or actor.username
    stamp = timezone.localtime()
    money = change.value_type == ParameterType.MONEY  # said in yuan, never in the stored 分
    line = _("【%(at)s 更正，%(who)s】原取值 %(old)s → %(new)s；更正理由：%(reason)s") % {
        "at": f"{stamp:%Y-%m-%d %H:%M}",
        "who": who,
        "old": show_parameter_value(change.value_type, before.value) if money else before.value,
        "new": show_parameter_value(change.value_type, change.value, change.unit),
        "reason": reason,
    }
    values = {
        "value": change.value,
        "note": "\n".join(part for part in ((note or "").strip() or before.note, line) if part),
        "citation": (citation or before.citation).strip(),
    }
    touched = PolicyParameter.objects.filter(pk=before.pk, value=before.value).update(**values)
    if touched != 1:  # pragma: no cover - the row is locked above
        raise DomainError(_("该取值刚刚被他人更改，请刷新页面后重试"), field="value")
    after = PolicyParameter.objects.get(pk=before.pk)
    LogEntry.objects.log_create(
        after,
        action=LogEntry.Action.UPDATE,
        changes=model_instance_diff(before, after),
        additional_data={"correction": True, "reason": reason, "old": before.value, "new": change.value},
    )
    return after


# --- working-day calendar --------------------------------------------------------------------


def calendar_seed_from_package(*, actor: User, log: Log = _nolog) -> int:
    """Store every day of the years ``chinesecalendar`` knows and the calendar lacks (idempotent).

    Years already present are left as they are: the office may have corrected them.
    """
    from chinese_calendar.constants import holidays, workdays

    years = sorted({d.year for d in holidays} | {d.year for d in workdays})
    present = set(CalendarDay.objects.dates("date", "year").values_list("date__year", flat=True))
    created = 0
    with transaction.atomic(), acting(actor):
        for year in years:
            if year in present:
                continue
            rows = [
                CalendarDay(
                    date=day,
                    is_workday=workday,
                    name=_("调休上班") if swapped else _holiday_label(holiday) if holiday else "",
                    source=CalendarDay.Source.PACKAGE,
                )
                for day, workday, swapped, holiday in _package_year(year)
            ]
            CalendarDay.objects.bulk_create(rows)
            created += len(rows)
    log(f"工作日历：新增 {created} 天（{years[0]}–{years[-1]} 年中缺失的年份）")
    return created


@functools.cache
def _package_year(year: int) -> tuple[tuple[datetime.date, bool, bool, str], ...]:
    """Each day of ``year`` as ``chinesecalendar`` has it: (date, working day, a 调休 working day,
    the holiday's English name or ""). The package's data is fixed for the process, so a process
    asks it once per year (a test run reloads the district after every transactional test)."""
    from chinese_calendar.constants import workdays

    days = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        on_holiday, holiday_name = chinese_calendar.get_holiday_detail(day)
        days.append(
            (day, chinese_calendar.is_workday(day), day in workdays, holiday_name if on_holiday else "")
        )
        day += datetime.timedelta(days=1)
    return tuple(days)


_HOLIDAY_LABELS = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_label(name: str) -> str:
    return _HOLIDAY_LABELS.get(name, name)


def calendar_day_set(
    *, actor: User, date: datetime.date, is_workday: bool, name: str = "", ip: str | None = None
) -> CalendarDay:
    """The office marks one day as working day or rest day (e.g. a newly announced 调休)."""
    if not CalendarDay.objects.filter(date__year=date.year).exists():
        raise DomainError(
            _("%(year)s 年尚无工作日历，请先新建该年日历再调整单日") % {"year": date.year}, field="date"
        )
    with transaction.atomic(), acting(actor, remote_addr=ip):
        day, created = CalendarDay.objects.select_for_update().get_or_create(
            date=date, defaults={"is_workday": is_workday, "name": name, "source": CalendarDay.Source.OFFICE}
        )
        old = None if created else day.is_workday
        if not created:
            day.is_workday = is_workday
            day.name = name
            day.source = CalendarDay.Source.OFFICE
            day.save()
        security_event_record(
            kind=SecurityEventKind.CALENDAR_CHANGE,
            user=actor,
            ip=ip,
            summary=f"{date}: {'工作日' if is_workday else '休息日'} {name}".strip(),
            detail={"date": date.isoformat(), "old": old, "new": is_workday},
        )
    return day


def calendar_year_create(*, actor: User, year: int, ip: str | None = None) -> int:
    """Create a year with the weekday rule (Mon–Fri work) for the office to correct day by day."""
    if CalendarDay.objects.filter(date__year=year).exists():
        raise DomainError(_("%(year)s 年的工作日历已存在") % {"year": year})
    if not 2000 <= year <= 2100:
        raise DomainError(_("年份超出范围"))
    rows = []
    day = datetime.date(year, 1, 1)
    while day.year == year:
        rows.append(CalendarDay(date=day, is_workday=day.weekday() < 5, source=CalendarDay.Source.OFFICE))
        day += datetime.timedelta(days=1)
    with transaction.atomic(), acting(actor, remote_addr=ip):
        CalendarDay.objects.bulk_create(rows)
        security_event_record(
            kind=SecurityEventKind.CALENDAR_CHANGE,
            user=actor,
            ip=ip,
            summary=f"新建 {year} 年工作日历（按周一至周五工作，待逐日补录节假日）",
            detail={"year": year},
        )
    return len(rows)


def import_uploads_purge(*, now: datetime.datetime | None = None, older_than_hours: int = 24) -> int:
    """Delete import previews never confirmed (``imports/`` in the media storage), a day on.

    They hold whole spreadsheets — reporters' phones among them — and a preview abandoned in a
    browser tab would otherwise stay on disk for ever.
    """
    from django.core.files.storage import default_storage

    now = now or timezone.now()
    try:
        _dirs, files = default_storage.listdir("imports")
    except (FileNotFoundError, NotImplementedError):
        return 0
    deleted = 0
    for name in files:
        path = f"imports/{name}"
        try:
            modified = default_storage.get_modified_time(path)
        except (FileNotFoundError, NotImplementedError):
            continue
        if now - modified > datetime.timedelta(hours=older_than_hours):
            default_storage.delete(path)
            deleted += 1
    return deleted
