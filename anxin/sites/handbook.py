"""《农民工劳动计酬手册》 (§三(九)) and the rights notice board (维权信息告示牌, 条例 第三十四条): the reads.

A worker's handbook is their stretch on a project's roster, month by month, with what the general
contractor's **current** payroll of each month (``PayrollMonth.payroll``, the latest version) says
about them — matched by the ID number's blind index on that project: days worked, amount due,
amount paid and the day paid. A month with no payroll yet reads 未报送 (or 待报送 while its report
day has not passed); a month whose payroll leaves the worker out reads 未列入工资表.

The notice board gathers what a worker on the site must be able to read: the project, its general
contractor (总承包企业负总责), who answers for wages on site, the labour-inspection hotline and the
units to call, the wage special account, and a QR code of the portal's report form with this project
chosen (the link is intake's: ``intake.public.project_report_link``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone

from anxin.core.policy import param
from anxin.intake.public import project_report_link
from anxin.org.models import Unit
from anxin.registry.models import PartyRole, Project
from anxin.sites.models import (
    ContactRole,
    MonthStatus,
    PayrollLine,
    PayrollMonth,
    RosterEntry,
    SiteContact,
    SpecialAccount,
)

HOTLINE = "12333"  # 劳动保障监察举报投诉电话 (人社部门全国统一)
LABOUR_INSPECTION_DUTY = "labour-inspection"  # the district file's duty of 人社局's 劳动保障监察


# --- the handbook -------------------------------------------------------------------------------


class MonthState:
    PAID = "paid"  # the current payroll lists the worker
    NOT_LISTED = "not_listed"  # a payroll was reported, the worker is not on it
    MISSING = "missing"  # no payroll by the report day
    PENDING = "pending"  # no payroll yet, the report day has not passed


STATE_LABELS = {
    MonthState.PAID: "已报送",
    MonthState.NOT_LISTED: "未列入工资表",
    MonthState.MISSING: "未报送",
    MonthState.PENDING: "待报送",
}


@dataclass(frozen=True)
class HandbookMonth:
    """One month of a worker's handbook (fen; ``days`` as the payroll gives them)."""

    month: datetime.date
    state: str
    days: Decimal | None = None
    due: int | None = None
    paid: int | None = None
    paid_on: datetime.date | None = None
    version: int | None = None  # the payroll version the figures come from

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def shortfall(self) -> int:
        if self.due is None or self.paid is None:
            return 0
        return max(self.due - self.paid, 0)


class _Totals:
    months: list[HandbookMonth]

    @property
    def due_total(self) -> int:
        return sum(m.due or 0 for m in self.months)

    @property
    def paid_total(self) -> int:
        return sum(m.paid or 0 for m in self.months)

    @property
    def days_total(self) -> Decimal:
        return sum((m.days or Decimal(0) for m in self.months), Decimal(0))


@dataclass
class Handbook(_Totals):
    """A worker's 计酬手册 for one stretch on one project's roster."""

    entry: RosterEntry
    months: list[HandbookMonth] = field(default_factory=list)

    @property
    def project(self) -> Project:
        return self.entry.project

    # What the worker's portal page shows of the stretch (the shape ``CopiedHandbook`` has too).
    @property
    def project_name(self) -> str:
        return self.entry.project.name

    @property
    def town_name(self) -> str:
        return self.entry.project.town.name

    @property
    def employer_name(self) -> str:
        return self.entry.employer.name

    @property
    def team(self) -> str:
        return self.entry.team

    @property
    def start_date(self) -> datetime.date:
        return self.entry.start_date

    @property
    def leave_date(self) -> datetime.date | None:
        return self.entry.leave_date


@dataclass
class CopiedHandbook(_Totals):
    """A stretch of a worker's 计酬手册 as the internet zone reads it (``PortalHandbook.books``)."""

    project_name: str
    town_name: str
    employer_name: str
    team: str
    start_date: datetime.date
    leave_date: datetime.date | None
    months: list[HandbookMonth] = field(default_factory=list)


def _first(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def _months(entry: RosterEntry, today: datetime.date) -> list[datetime.date]:
    """The months of the stretch, up to the leave date or this month."""
    last = _first(min(entry.leave_date or today, today))
    month, out = _first(entry.start_date), []
    while month <= last:
        out.append(month)
        month = _next(month)
    return out


def handbooks_of(entries: Iterable[RosterEntry], *, today: datetime.date | None = None) -> list[Handbook]:
    """The handbooks of these roster entries, in two queries whatever their number: the projects'
    months in the stretches, then the current payrolls' lines of these workers."""
    entries = list(entries)
    today = today or timezone.localdate()
    if not entries:
        return []
    spans = {e.pk: _months(e, today) for e in entries}
    first = min((m[0] for m in spans.values() if m), default=today)
    projects = {e.project_id for e in entries}
    months: dict[tuple[int, datetime.date], PayrollMonth] = {
        (pm.project_id, pm.month): pm
        for pm in PayrollMonth.objects.filter(project_id__in=projects, month__gte=first).only(
            "pk", "project_id", "month", "status", "payroll_id", "report_due_on"
        )
    }
    current = [pm.payroll_id for pm in months.values() if pm.payroll_id]
    lines: dict[tuple[int, str], PayrollLine] = {}
    if current:
        for line in PayrollLine.objects.filter(
            payroll_id__in=current, id_number_index__in={e.id_number_index for e in entries}
        ).select_related("payroll"):
            lines[(line.payroll_id, line.id_number_index)] = line
    report_days: dict[datetime.date, datetime.date] = {}  # a month without a row: its report day
    books = []
    for entry in entries:
        book = Handbook(entry=entry)
        for month in spans[entry.pk]:
            pm = months.get((entry.project_id, month))
            if pm is None and month not in report_days:
                report_days[month] = _report_day(month)
            book.months.append(_month(month, pm, lines, entry.id_number_index, today, report_days.get(month)))
        books.append(book)
    return books


def _report_day(month: datetime.date) -> datetime.date:
    """The day ``month``'s payroll is due (``payroll.report_day`` of the next month)."""
    next_month = _next(month)
    return next_month.replace(day=int(param("payroll.report_day", on=next_month)))


def _month(
    month: datetime.date,
    pm: PayrollMonth | None,
    lines: dict[tuple[int, str], PayrollLine],
    index: str,
    today: datetime.date,
    report_day: datetime.date | None,
) -> HandbookMonth:
    if pm is not None and pm.payroll_id:
        line = lines.get((pm.payroll_id, index))
        if line is None:
            return HandbookMonth(month=month, state=MonthState.NOT_LISTED)
        return HandbookMonth(
            month=month,
            state=MonthState.PAID,
            days=line.days,
            due=line.due,
            paid=line.paid,
            paid_on=line.paid_on,
            version=line.payroll.version,
        )
    if pm is not None:
        overdue = pm.status == MonthStatus.MISSING or pm.report_due_on < today
    else:  # a month the payroll part has not opened yet: its report day by the parameter
        overdue = report_day is not None and report_day < today
    return HandbookMonth(month=month, state=MonthState.MISSING if overdue else MonthState.PENDING)


def handbook_entry_get(*, user: Any, pk: int) -> RosterEntry:
    """A roster entry the user may read (404 outside their scope)."""
    return get_object_or_404(
        RosterEntry.objects.for_user(user).select_related("project", "project__town", "employer"), pk=pk
    )


def project_entries(project: Project) -> list[RosterEntry]:
    """Every stretch on the project's roster (a project's handbooks, a page each)."""
    return list(
        RosterEntry.objects.filter(project=project)
        .select_related("project", "project__town", "employer")
        .order_by("employer__name", "team", "name", "start_date", "pk")
    )


def worker_handbooks(id_index: str) -> list[Handbook]:
    """All of one worker's handbooks (every project they are or were rostered on), by project: the
    worker's own page on the portal. Nothing of anyone else."""
    entries = (
        RosterEntry.objects.filter(id_number_index=id_index)
        .select_related("project", "project__town", "employer")
        .order_by("project__name", "start_date", "pk")
    )
    return handbooks_of(entries)


@dataclass(frozen=True)
class WorkerPage:
    """The worker's own page on the portal: name, masked ID number, the stretches by project."""

    name: str
    id_masked: str
    books: list[Handbook] | list[CopiedHandbook]


def worker_page(id_index: str) -> WorkerPage:
    """The worker's page: from the rosters and payrolls where the process may read them (the
    internal zone), else from the copy the internal zone's tick writes (``PortalHandbook``), which
    the portal's database role sees only for the index the connection names."""
    if settings.PORTAL_READS_DISTRICT_DATA:
        books = worker_handbooks(id_index)
        if not books:
            return WorkerPage(name="", id_masked="", books=[])
        return WorkerPage(name=books[0].entry.name, id_masked=books[0].entry.id_number_masked, books=books)
    from anxin.intake.portal import portal_scope_id
    from anxin.sites.models import PortalHandbook

    portal_scope_id(id_index)
    copy = PortalHandbook.objects.filter(id_index=id_index).first()
    if copy is None:
        return WorkerPage(name="", id_masked="", books=[])
    return WorkerPage(name=copy.name, id_masked=copy.id_masked, books=[_from_json(b) for b in copy.books])


def book_json(book: Handbook) -> dict:
    """A stretch as ``PortalHandbook.books`` keeps it (what the portal page shows, nothing more)."""
    return {
        "project": book.project_name,
        "town": book.town_name,
        "employer": book.employer_name,
        "team": book.team,
        "start": book.start_date.isoformat(),
        "leave": book.leave_date.isoformat() if book.leave_date else None,
        "months": [
            {
                "month": m.month.isoformat(),
                "state": m.state,
                "days": str(m.days) if m.days is not None else None,
                "due": m.due,
                "paid": m.paid,
                "paid_on": m.paid_on.isoformat() if m.paid_on else None,
            }
            for m in book.months
        ],
    }


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _from_json(data: dict) -> CopiedHandbook:
    return CopiedHandbook(
        project_name=data["project"],
        town_name=data["town"],
        employer_name=data["employer"],
        team=data["team"],
        start_date=datetime.date.fromisoformat(data["start"]),
        leave_date=_day(data["leave"]),
        months=[
            HandbookMonth(
                month=datetime.date.fromisoformat(m["month"]),
                state=m["state"],
                days=Decimal(m["days"]) if m["days"] is not None else None,
                due=m["due"],
                paid=m["paid"],
                paid_on=_day(m["paid_on"]),
            )
            for m in data["months"]
        ],
    )


# --- the notice board ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    role: str
    name: str
    phone: str


@dataclass
class Board:
    """What the project's 维权信息告示牌 shows."""

    project: Project
    contractor: str
    builder: str
    contacts: list[Contact]
    hotlines: list[tuple[str, str]]  # (who, phone)
    account_bank: str
    account_masked: str
    link: str

    @property
    def address(self) -> str:
        """The project's address with its town in front (unless the address already starts with it)."""
        town, address = self.project.town.name, (self.project.address or "").strip()
        return address if address.startswith(town) else f"{town} {address}".strip()


def general_contractor_name(project: Project) -> str:
    if project.general_contractor_id:
        return project.general_contractor.name  # type: ignore[union-attr]
    ref = project.contractor_references.filter(role=PartyRole.GENERAL).first()
    return ref.name if ref else ""


def site_contacts(project: Project) -> list[SiteContact]:
    return list(SiteContact.objects.filter(project=project).order_by("role"))


def board_of(project: Project) -> Board:
    """The board's content for ``project`` (the caller has checked the user may read it)."""
    by_role = {c.role: c for c in site_contacts(project)}
    contacts = [
        Contact(role=str(label), name=by_role[role].name, phone=by_role[role].phone)
        for role, label in ContactRole.choices
        if role in by_role
    ]
    hotlines: list[tuple[str, str]] = [("劳动保障监察举报投诉电话", HOTLINE)]
    hrss = Unit.objects.filter(duties__code=LABOUR_INSPECTION_DUTY).first()
    if hrss is not None and hrss.public_phone and hrss.public_phone != HOTLINE:
        hotlines.append((hrss.full_name or hrss.name, hrss.public_phone))
    supervisor = project.supervisor.unit
    if supervisor is not None and supervisor.public_phone:
        hotlines.append((supervisor.full_name or supervisor.name, supervisor.public_phone))
    if project.town.public_phone:
        hotlines.append((f"{project.town.name}（属地）", project.town.public_phone))
    account = SpecialAccount.objects.filter(project=project).first()
    return Board(
        project=project,
        contractor=general_contractor_name(project),
        builder=project.builder.name if project.builder_id else project.builder_name,  # type: ignore[union-attr]
        contacts=contacts,
        hotlines=hotlines,
        account_bank=account.bank if account else "",
        account_masked=account.account_masked if account else "",
        link=project_report_link(project),
    )


BOARD_NOTICE = (
    "农民工工资由施工总承包单位通过农民工工资专用账户按月足额直接发放到本人银行账户（总包代发），"
    "不得以任何理由拖欠。",
    "施工总承包单位对所承包工程的农民工工资支付负总责，分包单位对所招用农民工的实名制管理和工资支付负直接责任。",
    "请与用工单位签订劳动合同，进行用工实名登记，核对本人的考勤和工资，保管好工资卡。",
    "遇到拖欠工资，可先向项目负责人、劳资专管员反映；未解决的，拨打举报投诉电话或扫描二维码网上反映。",
    "可凭本人身份证号和花名册登记的手机号，在网上查看本人《农民工劳动计酬手册》。",
)
