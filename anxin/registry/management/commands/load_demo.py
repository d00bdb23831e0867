"""Load the demo district: enterprises, projects and one login per persona (printed)."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from anxin.core.audit import system_actor
from anxin.org.models import Town, User
from anxin.org.services import user_save
from anxin.registry import demo, services
from anxin.registry.models import Enterprise, EnterpriseKind, Project, ProjectSupervisor

DEMO_USERNAMES = {p.username for p in demo.PERSONAS}


class Command(BaseCommand):
    help = "载入演示数据（约300家企业、40个工程项目、各角色演示账号）；数据库中有非演示数据时拒绝执行"

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="DEBUG 关闭时也载入（演示账号密码公开，切勿用于生产库）",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("DEBUG 关闭（生产配置）时拒绝载入演示数据：演示账号的密码是公开的。")
        if not Town.objects.exists():
            raise CommandError("请先运行 load_district 载入区配置")
        real_enterprises = Enterprise.objects.filter(is_demo=False).count()
        real_projects = Project.objects.filter(is_demo=False).count()
        real_users = User.objects.exclude(username__in=DEMO_USERNAMES | {"system"}).count()
        if real_enterprises or real_projects or real_users:
            raise CommandError(
                f"数据库中已有非演示数据（企业 {real_enterprises}、项目 {real_projects}、用户 {real_users}），"
                "拒绝载入演示数据。演示数据只能载入空库或演示库。"
            )
        actor = system_actor()
        with transaction.atomic():
            for persona in demo.PERSONAS:
                user_save(
                    actor=actor,
                    username=persona.username,
                    unit=persona.unit,
                    role=persona.role,
                    password=demo.DEMO_PASSWORD,
                    full_name=persona.full_name,
                )
            if Enterprise.objects.exists():
                self.stdout.write("演示企业和项目已存在，未重复载入。")
            else:
                self._load_registry(actor)
            # Later apps add their demo data through ``AppConfig.load_demo`` (signals, alerts…).
            for config in apps.get_app_configs():
                loader = getattr(config, "load_demo", None)
                if loader is not None:
                    loader(actor=actor, log=self.stdout.write)
        self._print_logins()

    def _load_registry(self, actor) -> None:
        towns = {t.code: t for t in Town.objects.order_by("order")}
        kinds = {k.code: k for k in EnterpriseKind.objects.all()}
        supervisors = {s.code: s for s in ProjectSupervisor.objects.all()}
        rows = demo.enterprises(list(towns), {c: t.name for c, t in towns.items()})
        by_code = {}
        for row in rows:
            row = dict(row)
            row["town"] = towns[row["town"]]
            row_kinds = [kinds[k] for k in row.pop("kinds")]
            enterprise = services.enterprise_create(actor=actor, kinds=row_kinds, is_demo=True, **row)
            by_code[enterprise.uscc] = enterprise
        for row in demo.projects(rows, list(towns)):
            row = dict(row)
            row["town"] = towns[row["town"]]
            row["supervisor"] = supervisors[row["supervisor"]]
            row["builder"] = by_code[row["builder"]]
            row["general_contractor"] = by_code[row["general_contractor"]]
            subs = [by_code[c] for c in row.pop("subcontractors")]
            services.project_create(actor=actor, subcontractors=subs, is_demo=True, **row)
        worker_rows = demo.workers(rows)
        for row in worker_rows:
            row = dict(row)
            services.worker_create(actor=actor, employer=by_code[row.pop("employer")], **row)
        self.stdout.write(
            f"已载入演示企业 {len(rows)} 家、工程项目 {Project.objects.count()} 个、劳动者 {len(worker_rows)} 人"
        )

    def _print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for persona in demo.PERSONAS:
            self.stdout.write(f"  {persona.username:<10} {persona.note}")
