"""Writes of the shared kernel: policy parameters, the calendar, security events."""

from __future__ import annotations

import datetime
from collections.abc import Callable
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
    parse_parameter_value,
)
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


def _check_value(value_type: str, value: str) -> str:
    text = str(value).strip()
    if not text:
        raise DomainError(_("请填写参数取值"), field="value")
    try:
        typed = parse_parameter_value(value_type, text)
    except Exception:
        raise DomainError(
            _("取值“%(value)s”不是有效的%(type)s") % {"value": text, "type": ParameterType(value_type).label},
            field="value",
        ) from None
    if (
        value_type in (ParameterType.INT, ParameterType.MONEY, ParameterType.DECIMAL)
        and isinstance(typed, int | Decimal)
        and typed < 0
    ):
        raise DomainError(_("参数取值不能为负数"), field="value")
    return text


def policy_seed_defaults(*, actor: User, overrides: dict | None = None, log: Log = _nolog) -> int:
    """Create each default parameter that has no value yet (idempotent). Returns rows created.

    ``overrides`` (from the district file) maps a code to a value that replaces the default
    when the parameter is first seeded; an existing parameter is never changed here.
    """
    overrides = overrides or {}
    unknown = set(overrides) - {d["code"] for d in DEFAULTS}
    if unknown:
        raise DomainError(
            _("区配置文件中有未知的政策参数：%(codes)s") % {"codes": "、".join(sorted(unknown))}
        )
    created = 0
    with transaction.atomic(), acting(actor):
        for item in DEFAULTS:
            if PolicyParameter.objects.filter(code=item["code"]).exists():
                continue
            value = _check_value(item["type"], str(overrides.get(item["code"], item["value"])))
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


def policy_parameter_set(
    *,
    actor: User,
    code: str,
    value: str,
    effective_from: datetime.date,
    note: str,
    citation: str | None = None,
    ip: str | None = None,
) -> PolicyParameter:
    """Record a new value of a parameter from a date; earlier values stay as history."""
    current = PolicyParameter.objects.filter(code=code).order_by("-effective_from").first()
    if current is None:
        raise DomainError(_("没有代码为“%(code)s”的政策参数") % {"code": code}, field="code")
    if not (note or "").strip():
        raise DomainError(_("请说明调整理由（如文件依据）"), field="note")
    text = _check_value(current.value_type, value)
    with transaction.atomic(), acting(actor, remote_addr=ip):
        try:
            with transaction.atomic():
                row = PolicyParameter.objects.create(
                    code=code,
                    name=current.name,
                    value=text,
                    value_type=current.value_type,
                    unit=current.unit,
                    effective_from=effective_from,
                    citation=(citation or current.citation).strip(),
                    note=note.strip(),
                    to_confirm=False,
                    created_by=actor,
                )
        except IntegrityError:
            raise DomainError(
                _("参数“%(name)s”在 %(day)s 已有取值；如需更正，请选择其他生效日期")
                % {"name": current.name, "day": effective_from},
                field="effective_from",
            ) from None
        security_event_record(
            kind=SecurityEventKind.PARAMETER_CHANGE,
            user=actor,
            ip=ip,
            summary=f"{code}: {current.value} → {text}（{effective_from} 起）",
            detail={
                "code": code,
                "old": current.value,
                "new": text,
                "effective_from": effective_from.isoformat(),
            },
        )
    return row


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
            rows = []
            day = datetime.date(year, 1, 1)
            while day.year == year:
                on_holiday, holiday_name = chinese_calendar.get_holiday_detail(day)
                workday = chinese_calendar.is_workday(day)
                if day in workdays:
                    name = _("调休上班")
                elif on_holiday and holiday_name:
                    name = _holiday_label(holiday_name)
                else:
                    name = ""
                rows.append(
                    CalendarDay(date=day, is_workday=workday, name=name, source=CalendarDay.Source.PACKAGE)
                )
                day += datetime.timedelta(days=1)
            CalendarDay.objects.bulk_create(rows)
            created += len(rows)
    log(f"工作日历：新增 {created} 天（{years[0]}–{years[-1]} 年中缺失的年份）")
    return created


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
