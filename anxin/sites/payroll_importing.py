"""The payroll as a spreadsheet: the upload on a project's 工资发放 tab (the project and month chosen
on the form) and ``manage.py import payroll FILE`` (the file names each row's 项目ID and 月份; one file
may carry several projects' months). All rows or none: every problem named by row and column — the
file's own (an amount that is not a number, a date that is not a date) and the service's (an invalid
ID number, a negative amount, the same worker twice, a month not ended, another contractor's file)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anxin.core.access import is_system
from anxin.core.errors import DomainError
from anxin.core.models import SecurityEventKind
from anxin.core.money import format_yuan, parse_yuan
from anxin.core.services import security_event_record
from anxin.core.tabular import Column, ImportResult, RowError, read_table, template_bytes
from anxin.core.validators import mask_id_number
from anxin.money.claims_forms import parse_month  # one reading of 2026-10 / 2026年10月 for every import
from anxin.org.models import User
from anxin.registry.models import Project
from anxin.sites.models.payroll import Door
from anxin.sites.services.payroll import HEADERS, PayrollInput, PayrollRefused, Submitted, payroll_submit

COLUMNS = [
    Column(
        "project", HEADERS["project"], False, "工程项目编号（项目页地址中的数字）；在项目页上传时可不填", "12"
    ),
    Column("month", HEADERS["month"], False, "工资所属月份 YYYY-MM；在项目页上传时可不填", "2026-10"),
    Column(
        "contractor",
        HEADERS["contractor"],
        True,
        "施工总承包单位的统一社会信用代码，每行填写；须为本项目的总承包单位（防止误传其他项目的工资表）",
        "91320411MA0000001X",
    ),
    Column("name", HEADERS["name"], True, "", "张三"),
    Column(
        "id_number",
        HEADERS["id_number"],
        True,
        "18位；同一月份每人一行。请设为文本格式",
        "320411199001010013",
    ),
    Column("days", HEADERS["days"], False, "0 至 31，可带一位小数", "22"),
    Column("due", HEADERS["due"], True, "以元填写，可带两位小数", "6000.00"),
    Column("paid", HEADERS["paid"], True, "以元填写；未发放填 0", "6000.00"),
    Column(
        "paid_on", HEADERS["paid_on"], False, "YYYY-MM-DD；已发放的须填写，未填视为逾期发放", "2026-11-10"
    ),
]


def payroll_template() -> bytes:
    return template_bytes(
        title="总包代发工资表",
        columns=COLUMNS,
        notes=[
            "每名劳动者一行；系统按身份证号与本项目当月实名制花名册逐人核对。",
            "在册未列入、实发少于应发（少一分也算）、发放日期晚于发放期限、不在花名册的，均列为核对问题。",
            "同一月份重新上传即为新版本，原版本保留。",
        ],
    )


def _date(text: str) -> datetime.date:
    value = text.strip().replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise ValidationError(_("日期格式应为 YYYY-MM-DD，如 2026-11-10")) from None


def _days(text: str) -> Decimal:
    try:
        return Decimal(text.strip() or "0")
    except InvalidOperation:
        raise ValidationError(_("“%(v)s”不是数字") % {"v": text}) from None


def _amount(text: str) -> int:
    # negatives are read here and refused by the service, with its message
    return parse_yuan(text.strip() or None, allow_negative=True)


def payroll_import(
    *,
    actor: User,
    content: bytes,
    filename: str,
    dry_run: bool,
    ip: str | None = None,
    project: Project | None = None,
    month: datetime.date | None = None,
    door: str = Door.IMPORT,
) -> ImportResult:
    """Read and check every row; unless a dry run and only if all pass, submit each project's month.
    ``project`` and ``month`` (the screen's choice) stand for blank 项目ID / 月份 cells and bind the
    file to them. The result carries the check of each month in ``result.checked``."""
    if not (is_system(actor) or actor.has_perm("sites.manage_roster")):
        raise PermissionDenied(_("您的角色不能报送工资发放表"))
    records = read_table(content, filename, COLUMNS)
    result = ImportResult(total=len(records), dry_run=dry_run)
    result.checked = []  # type: ignore[attr-defined]
    wanted = {r.get("project", "").strip() for _n, r in records} - {""}
    visible = Project.objects.all() if is_system(actor) else Project.objects.for_user(actor)
    projects = {
        str(p.pk): p
        for p in visible.filter(
            pk__in=[int(v) for v in wanted if v.isdigit() and len(v) < 12]
        ).select_related("general_contractor", "town", "supervisor__unit")
    }
    groups: dict[tuple[int, datetime.date], list[PayrollInput]] = defaultdict(list)
    contractor_of: dict[tuple[int, datetime.date], tuple[int, str | None]] = {}
    project_of: dict[int, Project] = {}
    for row_no, record in records:
        problems: dict[str, str] = {}
        row_project = project
        text = record.get("project", "").strip()
        if text:
            found = projects.get(text)
            if found is None:
                problems["project"] = _("项目 %(p)s 不存在或不在您的范围内") % {"p": text}
            elif project is not None and found.pk != project.pk:
                problems["project"] = _("本次上传限于项目“%(n)s”（编号 %(p)d）") % {
                    "n": project.name,
                    "p": project.pk,
                }
            else:
                row_project = found
        elif project is None:
            problems["project"] = _("必填")
        row_month = month
        text = record.get("month", "").strip()
        if text:
            try:
                row_month = parse_month(text)
            except ValidationError as exc:
                problems["month"] = exc.messages[0]
            else:
                if month is not None and row_month != month:
                    problems["month"] = _("本次上传限于 %(m)s") % {"m": f"{month:%Y-%m}"}
        elif month is None:
            problems["month"] = _("必填")
        values: dict = {}
        for key, parse in (("days", _days), ("due", _amount), ("paid", _amount)):
            if key in ("due", "paid") and not record.get(key, "").strip():
                problems[key] = _("必填")
                continue
            try:
                values[key] = parse(record.get(key, ""))
            except ValidationError as exc:
                problems[key] = exc.messages[0]
        paid_on = None
        if record.get("paid_on", "").strip():
            try:
                paid_on = _date(record["paid_on"])
            except ValidationError as exc:
                problems["paid_on"] = exc.messages[0]
        if (
            row_project is not None
            and row_month is not None
            and "project" not in problems
            and "month" not in problems
        ):
            group = (row_project.pk, row_month)
            code = record.get("contractor", "").strip().upper()
            general = row_project.general_contractor
            if not code:
                problems["contractor"] = _("请填写代发单位（施工总承包单位）的统一社会信用代码")
            elif general is not None and code != general.uscc:
                problems["contractor"] = _(
                    "代发单位“%(c)s”不是本项目的施工总承包单位（%(g)s），请核对是否为其他项目的工资表"
                ) % {"c": code, "g": general.uscc}
            else:
                first = contractor_of.setdefault(group, (row_no, code))
                if first[1] != code:
                    problems["contractor"] = _(
                        "与第 %(n)d 行的代发单位不同：一份工资表只能由一个代发单位报送"
                    ) % {"n": first[0]}
        for name, message in problems.items():
            result.errors.append(RowError(row_no, HEADERS[name], message))
        if problems or row_project is None or row_month is None:
            continue
        project_of[row_project.pk] = row_project
        groups[(row_project.pk, row_month)].append(
            PayrollInput(
                row=row_no,
                name=record.get("name", ""),
                id_number=record.get("id_number", ""),
                due=values["due"],
                paid=values["paid"],
                days=values.get("days", Decimal(0)),
                paid_on=paid_on,
            )
        )
    checked: list[Submitted] = []

    def submit(group: tuple[int, datetime.date], *, dry_run: bool) -> Submitted:
        return payroll_submit(
            actor=actor,
            project=project_of[group[0]],
            month=group[1],
            rows=groups[group],
            door=door,
            contractor_uscc=contractor_of.get(group, (0, None))[1],
            dry_run=dry_run,
            file_name=filename,
        )

    for group, inputs in groups.items():
        try:
            submitted = submit(group, dry_run=True)
        except PayrollRefused as exc:
            result.errors.extend(RowError(e.row or inputs[0].row, e.column, e.message) for e in exc.errors)
            continue
        checked.append(submitted)
        _preview(result, submitted, inputs)
    result.errors.sort(key=lambda e: e.row)
    if result.errors:
        result.preview = []
        return result
    result.checked = checked  # type: ignore[attr-defined]
    if dry_run:
        return result
    done: list[Submitted] = []
    with transaction.atomic():
        for group, inputs in groups.items():
            try:
                done.append(submit(group, dry_run=False))
            except DomainError as exc:  # changed since the check
                transaction.set_rollback(True)
                result.errors.append(RowError(inputs[0].row, "", exc.message))
                return result
            result.created += len(inputs)
        security_event_record(
            kind=SecurityEventKind.IMPORT,
            user=actor,
            ip=ip,
            summary=f"导入总包代发工资表 {filename}：{result.created} 人，{len(done)} 个项目月份",
            detail={
                "filename": filename,
                "rows": result.total,
                "months": [f"{d.project.pk}:{d.month:%Y-%m}:v{d.payroll.version}" for d in done if d.payroll],
            },
        )
    result.checked = done  # type: ignore[attr-defined]
    return result


def _preview(result: ImportResult, submitted: Submitted, inputs: list[PayrollInput]) -> None:
    """One preview line per row (what the check found about it), then the rostered workers missing."""
    labels = {"short": "未足额", "late": "逾期发放", "unrostered": "未在花名册"}
    kinds: dict[int, list[str]] = defaultdict(list)
    for f in submitted.outcome.findings:
        if f.row is not None:
            kinds[f.row].append(labels[f.kind])
    for r in inputs:
        result.preview.append(
            {
                "row": r.row,
                "month": f"{submitted.month:%Y-%m}",
                "name": r.name,
                "id_number": mask_id_number(r.id_number),
                "due": format_yuan(r.due),
                "paid": format_yuan(r.paid),
                "action": "、".join(kinds.get(r.row, [])) or "按时足额",
            }
        )
    for f in submitted.outcome.findings:
        if f.row is None:
            result.preview.append(
                {"row": 0, "month": f"{submitted.month:%Y-%m}", "name": f.name, "action": "在册未发放"}
            )
