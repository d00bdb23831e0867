"""The real-name roster (实名制, 保障农民工工资支付条例 第二十八条) and the wage special account
(第二十六条) of a construction project: every write, by the office or the project's supervising line
(``access.may_manage``; a town reads only).

A worker on the roster has a valid ID number (GB 11643 check digit) and phone, works for the general
contractor or one of the project's subcontractors (总承包企业负总责、分包企业负直接责任), and is on a
project once at a time: no second open entry, and no new stretch overlapping an earlier one. Start and
leave days are not in the future, and a worker leaves on or after the day they started. A refused call
writes nothing; an import is all its rows or none, each problem named by row and field."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core.audit import acting, guarded_update
from anxin.core.crypto import blind_index
from anxin.core.errors import DomainError
from anxin.core.validators import mask_id_number, normalize_uscc, validate_id_number, validate_phone
from anxin.org.models import User
from anxin.registry.models import Enterprise, Project
from anxin.sites.access import may_manage
from anxin.sites.models import (
    AccountEventKind,
    RosterEntry,
    SpecialAccount,
    SpecialAccountEvent,
)

MAX_TEXT = 50  # name, team, trade


@dataclass
class WorkerInput:
    """One worker as typed, imported or posted. ``employer``: an enterprise, or its 统一社会信用代码."""

    name: str
    id_number: str
    phone: str
    employer: Enterprise | str | None
    start_date: datetime.date | None
    team: str = ""
    trade: str = ""
    leave_date: datetime.date | None = None
    errors: dict[str, str] = field(default_factory=dict)
    conflict: bool = False  # refused against the roster on file (the API's 409), not for its own content


class RosterRefused(DomainError):
    """Rows of a roster import refused: ``problems`` is ``[(row number, field, message)]``."""

    def __init__(self, message: str, *, problems: list[tuple[int, str, str]]):
        first = problems[0][1] if problems else None
        super().__init__(message, field=first)
        self.problems = problems


def _require_manager(actor: User, project: Project) -> None:
    if not may_manage(actor, project):
        raise PermissionDenied(_("只有联席办或该项目的行业主管部门可以维护实名制花名册和工资专用账户"))


def employers(project: Project) -> dict[str, Enterprise]:
    """The enterprises that may employ workers on the project by credit code: its general contractor
    first, then its subcontractors (registered ones only)."""
    found: dict[str, Enterprise] = {}
    if project.general_contractor is not None:
        found[project.general_contractor.uscc] = project.general_contractor
    for sub in project.subcontractors.all():
        found.setdefault(sub.uscc, sub)
    return found


def _employer(project: Project, value: Enterprise | str | None, allowed: dict[str, Enterprise]) -> Enterprise:
    if value is None or value == "":
        raise ValidationError(_("请填写用工单位（施工总承包单位或分包单位的统一社会信用代码）"))
    code = value.uscc if isinstance(value, Enterprise) else normalize_uscc(str(value))
    if code not in allowed:
        raise ValidationError(
            _("用工单位“%(c)s”不是本项目的施工总承包单位或分包单位") % {"c": str(code)[:30]}
        )
    return allowed[code]


def _text(value: str | None, label: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(_("请填写%(w)s") % {"w": label})
    if len(text) > MAX_TEXT:
        raise ValidationError(_("%(w)s不能超过%(n)d个字") % {"w": label, "n": MAX_TEXT})
    return text


def check_worker(
    row: WorkerInput, *, project: Project, today: datetime.date, allowed: dict[str, Enterprise]
) -> dict[str, str]:
    """Every problem of one row on its own, by field (empty when it is good). Normalises the row in
    place (the ID number, the phone, the employer as an enterprise)."""
    errors: dict[str, str] = {}

    def check(name: str, fn: Callable[[], None]) -> None:
        try:
            fn()
        except ValidationError as exc:
            errors[name] = exc.messages[0]

    def name() -> None:
        row.name = _text(row.name, _("姓名"), required=True)

    def id_number() -> None:
        row.id_number = validate_id_number(row.id_number, today=today)

    def phone() -> None:
        row.phone = validate_phone(row.phone)

    def employer() -> None:
        row.employer = _employer(project, row.employer, allowed)

    def team() -> None:
        row.team = _text(row.team, _("班组"))

    def trade() -> None:
        row.trade = _text(row.trade, _("工种"))

    for key, fn in (
        ("name", name),
        ("id_number", id_number),
        ("phone", phone),
        ("employer", employer),
        ("team", team),
        ("trade", trade),
    ):
        check(key, fn)
    if row.start_date is None:
        errors["start_date"] = _("请填写进场日期")
    elif row.start_date > today:
        errors["start_date"] = _("进场日期不能晚于今天")
    if row.leave_date is not None:
        if row.leave_date > today:
            errors["leave_date"] = _("退场日期不能晚于今天")
        elif row.start_date is not None and row.leave_date < row.start_date:
            errors["leave_date"] = _("退场日期不能早于进场日期")
    return errors


def _overlap(entry: RosterEntry, start: datetime.date, leave: datetime.date | None) -> bool:
    """Whether an entry's stretch shares a day with ``start``..``leave`` (open: to this day on)."""
    return (leave is None or entry.start_date <= leave) and (
        entry.leave_date is None or entry.leave_date >= start
    )


def _clash(row: WorkerInput, earlier: list[RosterEntry]) -> str:
    """Why the worker cannot be added beside their earlier stretches on the project ("" if they can)."""
    assert row.start_date is not None
    for entry in earlier:
        if entry.leave_date is None:
            return _("该劳动者（%(id)s）已在本项目花名册中，自 %(d)s 进场，尚未退场") % {
                "id": mask_id_number(row.id_number),
                "d": f"{entry.start_date:%Y-%m-%d}",
            }
        if _overlap(entry, row.start_date, row.leave_date):
            return _("该劳动者（%(id)s）在本项目 %(a)s 至 %(b)s 已有在场记录，与本次时段重叠") % {
                "id": mask_id_number(row.id_number),
                "a": f"{entry.start_date:%Y-%m-%d}",
                "b": f"{entry.leave_date:%Y-%m-%d}",
            }
    return ""


def check_rows(
    *,
    project: Project,
    rows: list[WorkerInput],
    today: datetime.date | None = None,
    numbers: list[int] | None = None,
) -> list[tuple[int, str, str]]:
    """Every problem of the rows (numbered from 1) as ``(row, field, message)``: each row's own, then
    against the roster on file and the rows above it (the same worker twice, overlapping stretches).
    ``numbers``: how messages name the rows (a spreadsheet's row numbers), else 1, 2, …"""
    today = today or timezone.localdate()
    allowed = employers(project)
    for row in rows:
        row.errors = check_worker(row, project=project, today=today, allowed=allowed)
    indexes = {
        n: blind_index(row.id_number, purpose="id_number")
        for n, row in enumerate(rows, start=1)
        if "id_number" not in row.errors
    }
    on_file: dict[str, list[RosterEntry]] = {}
    for entry in RosterEntry.objects.filter(project=project, id_number_index__in=set(indexes.values())):
        on_file.setdefault(entry.id_number_index, []).append(entry)
    above: dict[str, list[tuple[int, RosterEntry]]] = {}
    for n, row in enumerate(rows, start=1):
        if n not in indexes or row.start_date is None or {"start_date", "leave_date"} & set(row.errors):
            continue
        index = indexes[n]
        clash = _clash(row, on_file.get(index, []))
        row.conflict = bool(clash)
        if not clash:
            for m, other in above.get(index, []):
                if _overlap(other, row.start_date, row.leave_date):
                    clash = _("与第 %(n)d 行是同一劳动者，在场时段重叠") % {
                        "n": numbers[m - 1] if numbers else m
                    }
                    break
        if clash:
            row.errors["id_number"] = clash
        else:
            above.setdefault(index, []).append(
                (n, RosterEntry(start_date=row.start_date, leave_date=row.leave_date))
            )
    return [(n, name, message) for n, row in enumerate(rows, start=1) for name, message in row.errors.items()]


def _refusal(problems: list[tuple[int, str, str]], single: WorkerInput | None) -> DomainError:
    if single is not None:
        _n, name, message = problems[0]
        rest = [m for _r, _f, m in problems[1:]]
        code = "conflict" if single.conflict and len(problems) == 1 else "invalid"
        return DomainError("；".join([message, *rest]), field=name, code=code)
    shown = "；".join(f"第 {n} 行：{message}" for n, _f, message in problems[:5])
    more = _("等 %(n)d 处") % {"n": len(problems)} if len(problems) > 5 else ""
    return RosterRefused(
        _("未登记，请更正后重新提交：%(e)s%(m)s") % {"e": shown, "m": more}, problems=problems
    )


def _entry(project: Project, row: WorkerInput, actor: User, now: datetime.datetime) -> RosterEntry:
    assert isinstance(row.employer, Enterprise) and row.start_date is not None
    return RosterEntry(
        project=project,
        name=row.name,
        id_number=row.id_number,
        id_number_index=blind_index(row.id_number, purpose="id_number"),
        phone=row.phone,
        phone_index=blind_index(row.phone, purpose="phone") if row.phone else "",
        employer=row.employer,
        team=row.team,
        trade=row.trade,
        start_date=row.start_date,
        leave_date=row.leave_date,
        added_by=actor,
        added_at=now,
    )


def roster_import(*, actor: User, project: Project, rows: list[WorkerInput]) -> list[RosterEntry]:
    """Put many workers on the project's roster: all of them or none. When any row has a problem,
    :class:`RosterRefused` lists them (``problems``: row, field, message) and nothing is written."""
    _require_manager(actor, project)
    if not rows:
        raise DomainError(_("请至少登记一名劳动者"))
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        Project.objects.select_for_update().get(pk=project.pk)  # one writer of a project's roster at a time
        problems = check_rows(project=project, rows=rows, today=timezone.localdate(now))
        if problems:
            raise _refusal(problems, single=rows[0] if len(rows) == 1 else None)
        try:
            with transaction.atomic():
                made = [_entry(project, row, actor, now) for row in rows]
                for entry in made:  # one by one: each creation is in the audit log
                    entry.save()
        except IntegrityError:
            raise DomainError(
                _("有劳动者已被他人同时登记，请刷新后查看"), code="conflict", field="id_number"
            ) from None
    return made


def roster_add(
    *,
    actor: User,
    project: Project,
    name: str,
    id_number: str,
    phone: str,
    employer: Enterprise | str | None,
    team: str,
    trade: str,
    start_date: datetime.date | None,
    leave_date: datetime.date | None = None,
) -> RosterEntry:
    """Put one worker on the project's roster (the screen's form, the API)."""
    row = WorkerInput(
        name=name,
        id_number=id_number,
        phone=phone,
        employer=employer,
        team=team,
        trade=trade,
        start_date=start_date,
        leave_date=leave_date,
    )
    return roster_import(actor=actor, project=project, rows=[row])[0]


def roster_leave(*, actor: User, entry: RosterEntry, leave_date: datetime.date | None) -> RosterEntry:
    """Record that a worker left the site (退场) on ``leave_date``: not before they started, not in
    the future, and only once."""
    project = entry.project
    _require_manager(actor, project)
    today = timezone.localdate()
    if leave_date is None:
        raise DomainError(_("请填写退场日期"), field="leave_date")
    if leave_date > today:
        raise DomainError(_("退场日期不能晚于今天"), field="leave_date")
    if leave_date < entry.start_date:
        raise DomainError(
            _("退场日期不能早于进场日期 %(d)s") % {"d": f"{entry.start_date:%Y-%m-%d}"}, field="leave_date"
        )
    with transaction.atomic(), acting(actor):
        touched = guarded_update(
            RosterEntry.objects.filter(leave_date__isnull=True), entry.pk, leave_date=leave_date
        )
        if touched != 1:
            current = RosterEntry.objects.get(pk=entry.pk)
            raise DomainError(
                _("%(n)s 已于 %(d)s 退场") % {"n": current.name, "d": f"{current.leave_date:%Y-%m-%d}"},
                code="conflict",
                field="leave_date",
            )
    entry.refresh_from_db()
    return entry


# --- the wage special account ---------------------------------------------------------------------------

_ACCOUNT = re.compile(r"[0-9]{8,32}")


def normalize_account(value: str | None) -> str:
    """An account number as stored: its digits, blanks and hyphens dropped."""
    return re.sub(r"[\s\-]", "", str(value or ""))


def special_account_record(
    *,
    actor: User,
    project: Project,
    bank: str,
    account: str,
    opened_on: datetime.date | None,
    note: str = "",
) -> SpecialAccount:
    """Record the project's wage special account: the first time, or a change — which needs its reason
    (``note``), kept with the change in the account's history (``SpecialAccountEvent``)."""
    _require_manager(actor, project)
    bank = (bank or "").strip()
    number = normalize_account(account)
    note = (note or "").strip()
    if not bank:
        raise DomainError(_("请填写开户银行"), field="bank")
    if len(bank) > 100:
        raise DomainError(_("开户银行不能超过100个字"), field="bank")
    if not _ACCOUNT.fullmatch(number):
        raise DomainError(_("账号应为8至32位数字"), field="account")
    if opened_on is None:
        raise DomainError(_("请填写开户日期"), field="opened_on")
    if opened_on > timezone.localdate():
        raise DomainError(_("开户日期不能晚于今天"), field="opened_on")
    if len(note) > 300:
        raise DomainError(_("变更理由不能超过300个字"), field="note")
    now = timezone.now()
    with transaction.atomic(), acting(actor):
        Project.objects.select_for_update().get(pk=project.pk)
        current = SpecialAccount.objects.filter(project=project).first()
        if current is None:
            record = SpecialAccount.objects.create(
                project=project,
                bank=bank,
                account=number,
                opened_on=opened_on,
                recorded_by=actor,
                recorded_at=now,
            )
            kind = AccountEventKind.FIRST
        else:
            if (current.bank, normalize_account(current.account), current.opened_on) == (
                bank,
                number,
                opened_on,
            ):
                raise DomainError(_("与已登记的专用账户相同，未作修改"), field="account")
            if not note:
                raise DomainError(_("变更已登记的工资专用账户须说明理由"), field="note")
            current.bank, current.account, current.opened_on = bank, number, opened_on
            current.recorded_by, current.recorded_at = actor, now
            current.save()
            record = current
            kind = AccountEventKind.CHANGE
        SpecialAccountEvent.objects.create(
            project=project,
            kind=kind,
            bank=bank,
            account_masked=record.account_masked,
            opened_on=opened_on,
            reason=note,
            actor=actor,
            at=now,
        )
    return record


__all__ = [
    "RosterRefused",
    "WorkerInput",
    "check_rows",
    "employers",
    "roster_add",
    "roster_import",
    "roster_leave",
    "special_account_record",
]
