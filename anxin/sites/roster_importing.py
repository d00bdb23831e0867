"""Excel import of a project's real-name roster (``manage.py import roster FILE`` and the project's
import screen): all rows or none, every problem named by row and column.

Columns: 项目ID, 姓名, 身份证号, 手机号, 用工单位统一社会信用代码, 班组, 工种, 进场日期, 退场日期. The rules are
the roster's (``services.roster.check_rows``): a valid ID and phone, an employer that is the project's
general contractor or one of its subcontractors, a worker once at a time on a project, dates not in the
future and a leave not before the start. The screen is opened for one project (``?project=<id>``):
项目ID may then be left blank, and a row naming another project is refused; on the command line 项目ID is
required."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from anxin.core.access import is_system
from anxin.core.errors import DomainError
from anxin.core.importviews import ImportScreen
from anxin.core.models import SecurityEventKind
from anxin.core.services import security_event_record
from anxin.core.tabular import Column, ImportResult, RowError, read_table, template_bytes
from anxin.core.validators import mask_id_number
from anxin.core.xlsx import XLSX_TYPE
from anxin.org.models import User
from anxin.registry.models import Enterprise, Project
from anxin.sites.access import may_manage
from anxin.sites.services.roster import RosterRefused, WorkerInput, check_rows, roster_import

COLUMNS = [
    Column(
        "project",
        "项目ID",
        False,
        "工程项目编号（项目页地址中的数字）；从项目“实名花名册”页进入导入时可留空",
        "1",
    ),
    Column("name", "姓名", True, "", "张三"),
    Column("id_number", "身份证号", True, "18位，末位为数字或 X。请设为文本格式", "320411199001010013"),
    Column("phone", "手机号", True, "11位手机号（劳动者查询计酬手册时接收验证码）", "13812345678"),
    Column(
        "employer",
        "用工单位统一社会信用代码",
        True,
        "本项目施工总承包单位或分包单位的统一社会信用代码",
        "91320411MA1XXXXXXX",
    ),
    Column("team", "班组", False, "如 木工一班", "木工一班"),
    Column("trade", "工种", False, "如 木工、钢筋工", "木工"),
    Column("start_date", "进场日期", True, "YYYY-MM-DD，不晚于今天", "2026-10-08"),
    Column("leave_date", "退场日期", False, "YYYY-MM-DD；仍在场的留空", ""),
]
HEADER = {c.key: c.header for c in COLUMNS}


def roster_template(project: Project | None = None) -> bytes:
    columns = COLUMNS
    if project is not None:
        example = project.general_contractor.uscc if project.general_contractor else ""
        columns = [
            Column(c.key, c.header, c.required, c.help, str(project.pk))
            if c.key == "project"
            else Column(c.key, c.header, c.required, c.help, example)
            if c.key == "employer" and example
            else c
            for c in columns
        ]
    return template_bytes(
        title="实名制花名册导入",
        columns=columns,
        notes=[
            "每名劳动者一行；同一劳动者在同一项目中不能同时有两段在场记录，新的进场日期须晚于上次退场日期。",
            "身份证号、手机号、统一社会信用代码列请保持文本格式，避免 Excel 截断末位。",
            "全部通过校验才写入；任何一行有误则不写入任何数据。",
        ],
    )


def _date(text: str) -> datetime.date:
    value = text.strip().replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        raise ValueError(_("日期格式应为 YYYY-MM-DD，如 2026-10-08")) from None


def _projects(
    actor: User, rows: list[tuple[int, dict[str, str]]], project: Project | None, result: ImportResult
) -> dict[int, Project]:
    """Each row's project (by row number): its 项目ID among the projects the actor may keep, or
    ``project``; a row naming none, an unknown one, or another project than ``project`` is an error."""
    ids = {r.get("project", "").strip() for _n, r in rows} - {""}
    numbers = {int(i) for i in ids if i.isdigit() and len(i) < 12}
    seen = (
        Project.objects.for_user(actor)
        .filter(pk__in=numbers)
        .select_related("supervisor", "general_contractor")
    )
    found = {p.pk: p for p in seen}
    if project is not None:
        found[project.pk] = project
    allowed: dict[int, bool] = {}
    by_row: dict[int, Project] = {}
    header = HEADER["project"]
    for row_no, record in rows:
        text = record.get("project", "").strip()
        if not text:
            if project is None:
                result.errors.append(RowError(row_no, header, _("必填")))
                continue
            text = str(project.pk)
        if project is not None and text != str(project.pk):
            result.errors.append(RowError(row_no, header, _("本次导入限于项目 %(n)s") % {"n": project.name}))
            continue
        target = found.get(int(text)) if text.isdigit() and len(text) < 12 else None
        if target is None:
            result.errors.append(
                RowError(row_no, header, _("项目 %(n)s 不存在或不在您的范围内") % {"n": text[:20]})
            )
            continue
        if target.pk not in allowed:
            allowed[target.pk] = may_manage(actor, target)
        if not allowed[target.pk]:
            result.errors.append(
                RowError(row_no, header, _("您的单位不能维护项目 %(n)s 的花名册") % {"n": target.name})
            )
            continue
        by_row[row_no] = target
    return by_row


def roster_import_file(
    *,
    actor: User,
    content: bytes,
    filename: str,
    dry_run: bool,
    ip: str | None = None,
    project: Project | None = None,
) -> ImportResult:
    """Check every row (the roster's rules, per project); unless a dry run and only if all pass, put
    every project's workers on its roster."""
    if not (is_system(actor) or actor.has_perm("sites.manage_roster")):
        raise PermissionDenied(_("您的角色不能维护实名制花名册"))
    rows = read_table(content, filename, COLUMNS)
    result = ImportResult(total=len(rows), dry_run=dry_run)
    projects = _projects(actor, rows, project, result)
    groups: dict[int, list[tuple[int, WorkerInput]]] = defaultdict(list)
    for row_no, record in rows:
        target = projects.get(row_no)
        dates: dict[str, datetime.date | None] = {"start_date": None, "leave_date": None}
        for key in dates:
            if record.get(key, "").strip():
                try:
                    dates[key] = _date(record[key])
                except ValueError as exc:
                    result.errors.append(RowError(row_no, HEADER[key], str(exc)))
        row = WorkerInput(
            name=record.get("name", ""),
            id_number=record.get("id_number", ""),
            phone=record.get("phone", ""),
            employer=record.get("employer", ""),
            team=record.get("team", ""),
            trade=record.get("trade", ""),
            start_date=dates["start_date"],
            leave_date=dates["leave_date"],
        )
        if target is not None:
            groups[target.pk].append((row_no, row))
    by_pk = {p.pk: p for p in projects.values()}
    for pk, items in groups.items():
        problems = check_rows(
            project=by_pk[pk], rows=[row for _n, row in items], numbers=[n for n, _row in items]
        )
        for n, name, message in problems:
            row_no = items[n - 1][0]
            if any(e.row == row_no and e.column == HEADER[name] for e in result.errors):
                continue  # a date that could not be read: said once
            result.errors.append(RowError(row_no, HEADER[name], message))
        bad = {items[n - 1][0] for n, _f, _m in problems}
        for row_no, row in items:
            if row_no in bad or any(e.row == row_no for e in result.errors):
                continue
            employer = row.employer
            result.preview.append(
                {
                    "row": row_no,
                    "project": by_pk[pk].name,
                    "name": row.name,
                    "id_number": mask_id_number(row.id_number),
                    "employer": employer.name if isinstance(employer, Enterprise) else "",
                    "start_date": f"{row.start_date:%Y-%m-%d}" if row.start_date else "",
                    "action": "进场" if row.leave_date is None else "进场并退场",
                }
            )
    result.errors.sort(key=lambda e: e.row)
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        for pk, items in groups.items():
            try:
                made = roster_import(actor=actor, project=by_pk[pk], rows=[row for _n, row in items])
            except (RosterRefused, DomainError) as exc:  # changed since the check (added meanwhile)
                transaction.set_rollback(True)
                problems = getattr(exc, "problems", None) or [(1, exc.field or "", exc.message)]
                result.errors = [
                    RowError(items[n - 1][0] if n <= len(items) else items[0][0], HEADER.get(f, ""), m)
                    for n, f, m in problems
                ]
                result.created = 0
                return result
            result.created += len(made)
        security_event_record(
            kind=SecurityEventKind.IMPORT,
            user=actor,
            ip=ip,
            summary=f"导入实名制花名册 {filename}：{result.created} 人，{len(groups)} 个项目",
            detail={"filename": filename, "rows": result.total, "projects": sorted(groups)},
        )
    return result


# --- the import screen ----------------------------------------------------------------------------------


def managed_projects(user: Any) -> list[Project]:
    """The projects whose roster ``user`` keeps (the upload form's choice)."""
    rows = Project.objects.for_user(user).select_related("supervisor").order_by("name")
    return [p for p in rows if may_manage(user, p)]


class RosterImportForm(forms.Form):
    project = forms.TypedChoiceField(label="工程项目", coerce=int)
    file = forms.FileField(label="导入文件", help_text="Excel（.xlsx）或 CSV，请使用下载的模板")

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.projects = {p.pk: p for p in managed_projects(user)}
        field = self.fields["project"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "请选择"), *[(p.pk, p.name) for p in self.projects.values()]]

    def clean_project(self) -> Project:
        return self.projects[self.cleaned_data["project"]]


class RosterImport(ImportScreen):
    key = "sites_roster_import_pending"
    permission = "sites.manage_roster"
    form_class = RosterImportForm
    template = "sites/roster_import.html"
    page_title = "导入实名制花名册"
    url_name = "roster-import"
    sample_filename = "实名制花名册导入模板.xlsx"
    importer = staticmethod(roster_import_file)
    sample = staticmethod(roster_template)

    def form_kwargs(self, request: HttpRequest) -> dict:
        kwargs: dict = {"user": request.user}
        if request.method == "GET" and request.GET.get("project", "").isdigit():
            kwargs["initial"] = {"project": int(request.GET["project"])}
        return kwargs

    def options(self, form: Any) -> dict:
        return {"project": form.cleaned_data["project"]}

    def keep(self, options: dict) -> dict:
        return {"project": options["project"].pk}

    def restore(self, request: HttpRequest, pending: dict) -> dict:
        found = {p.pk: p for p in managed_projects(request.user)}
        if pending.get("project") not in found:
            raise PermissionDenied
        return {"project": found[pending["project"]]}

    def finished(self, result: ImportResult, options: dict) -> tuple[str, str]:
        url = reverse("project-detail", args=[options["project"].pk]) + "?tab=roster"
        return f"导入完成：{result.created} 名劳动者进入花名册。", url

    def download(self, request: Any) -> HttpResponse:
        project = None
        if request.GET.get("project", "").isdigit():
            project = Project.objects.for_user(request.user).filter(pk=int(request.GET["project"])).first()
        response = HttpResponse(roster_template(project), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=self.sample_filename
        )
        return response


roster_import_view, roster_import_confirm, roster_import_template = RosterImport().views()
