from django.apps import AppConfig

from anxin.core import seam


class IntakeConfig(AppConfig):
    """The early-warning information network: channels, signals, self-reports, the worker portal."""

    name = "anxin.intake"
    label = "intake"
    verbose_name = "预警信息"

    def ready(self) -> None:
        from anxin.intake import audit  # noqa: F401  (auditlog registration)

        label = self.label
        seam.register(seam.DISTRICT_SECTIONS, self.load_district, app=label)
        seam.register(seam.DEMO_DATA, seam.DemoData(load=self.load_demo), app=label)
        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=label)
        seam.register(seam.IMPORTERS, self.importers, app=label)
        seam.register(seam.SWEEPS, self.sweeps, app=label)
        seam.register(seam.MENU, self.menu, app=label)
        seam.register(seam.MENU_GROUPS, seam.MenuGroup("intake", "信息汇集", "bell-ringing", 20), app=label)
        seam.register(seam.HOME_PANELS, self.home_panels, app=label)
        seam.register(seam.ENTERPRISE_TABS, self.enterprise_tabs, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.clause_items, app=label)
        seam.register(seam.PUBLIC_URLS, "anxin.intake.public_urls", app=label)
        from anxin.intake.services.exchange import PARTS

        for part in PARTS:  # the reports before the actions on them
            seam.register(seam.EXCHANGE_PARTS, part, app=label)

    def load_district(self, data: dict, *, actor, log) -> None:
        from anxin.intake import services

        services.district_load_channels(data=data, actor=actor, log=log)

    def load_demo(self, *, actor, log) -> None:
        from anxin.intake import demo

        demo.load(actor=actor, log=log)

    def role_permissions(self) -> dict[str, list[str]]:
        from anxin.org.models import Role

        view = ["intake.view_channel", "intake.view_signal", "intake.view_selfreport"]
        work = [
            *view,
            "intake.add_signal",
            "intake.verify_signal",
            "intake.reply_signal",
            "intake.import_signal",
            "intake.export_signal",
            "intake.view_reporter",
        ]
        return {
            Role.OFFICE: [*work, "intake.triage_signal", "intake.add_selfreport"],
            Role.LEADER: [*view, "intake.export_signal"],
            Role.DEPARTMENT: [*work, "intake.add_selfreport"],
            Role.TOWN: work,
            Role.AUDITOR: view,
        }

    def importers(self) -> dict:
        from anxin.intake.importing import signal_import

        return {"signals": signal_import}

    def sweeps(self) -> list[seam.Sweep]:
        """Periodic work for ``manage.py tick``."""
        from anxin import zones
        from anxin.intake import services

        return [
            seam.Sweep("分派互联网区受理的网上反映", services.portal_reports_route),
            seam.Sweep("重新打开互联网区不满意的并入线索的主线索", services.merged_reopens_follow),
            seam.Sweep("转达互联网区并入线索的补充材料", services.material_relays_deliver),
            seam.Sweep(
                "更新互联网区进度页的案件进展", zones.for_public_zone(services.portal_progress_refresh)
            ),
            seam.Sweep(
                "更新互联网区告示牌链接的项目", zones.for_public_zone(services.portal_projects_refresh)
            ),
            seam.Sweep("线索核实逾期", services.signals_mark_overdue),
            seam.Sweep("清理网上反映访问记录", services.portal_attempts_purge, portal=True),
            seam.Sweep("不满意回访逾期上报", services.followups_escalate),
            seam.Sweep("清理找回查询码验证码", services.recovery_codes_purge, portal=True),
        ]

    def menu(self, user) -> list[dict]:
        """预警线索 for units that verify or feed signals (a unit with no territory and no line sees
        those its channel fed and those assigned to it); 欠薪报告 for units with a territory or line."""
        from anxin.core.access import scope_of

        items = []
        reaches = not scope_of(user).nothing
        if user.has_perm("intake.view_signal") and (reaches or _feeds_or_verifies(user)):
            items.append(
                {
                    "label": "预警线索",
                    "group": "intake",
                    "url_name": "signal-list",
                    "icon": "bell-ringing",
                    "order": 20,
                }
            )
        if user.has_perm("intake.triage_signal"):
            items.append(
                {
                    "label": "线索分拣",
                    "group": "intake",
                    "url_name": "signal-triage",
                    "icon": "arrows-split",
                    "order": 21,
                }
            )
        if user.has_perm("intake.view_selfreport") and reaches:
            items.append(
                {
                    "label": "欠薪报告",
                    "group": "intake",
                    "url_name": "selfreport-list",
                    "icon": "file-report",
                    "order": 22,
                }
            )
        return items

    def home_panels(self, request) -> list[dict]:
        from anxin.core.access import scope_of
        from anxin.intake import selectors

        user = request.user
        if not user.has_perm("intake.view_signal"):
            return []
        if not scope_of(user).nothing:
            return [
                {
                    "template": "intake/_home_panel.html",
                    "order": 10,
                    "signals": selectors.signal_summary(user=user),
                }
            ]
        if not _feeds_or_verifies(user):
            return []
        # A unit with no territory and no line: the signals its channel feeds; a 待核实 card only
        # when something is assigned to it (routing never names it otherwise).
        signals = selectors.signal_summary(user=user)
        return [
            {
                "template": "intake/_home_panel.html",
                "order": 10,
                "signals": signals,
                "verifies": bool(signals["mine"]),
            }
        ]

    def enterprise_tabs(self, request, enterprise) -> list[dict]:
        """The signals tab on the enterprise page (registry cannot import intake)."""
        if not request.user.has_perm("intake.view_signal"):
            return []
        return [{"key": "signals", "label": "预警线索", "render": _render_signals_tab}]

    def clause_items(self) -> list[tuple[str, dict]]:
        from anxin.intake.models import Channel

        items = [
            (
                c.citation,
                {"kind": "信息渠道", "text": f"{c.name}（归口：{c.unit.short_name or c.unit.name}）"},
            )
            for c in Channel.objects.select_related("unit")
        ]
        items += [
            (
                "§三(一)",
                {
                    "kind": "功能",
                    "text": "预警线索：各渠道信息汇入一处，按属地和条线分派、限期核实、疑似重复合并",
                },
            ),
            (
                "§四(一)",
                {"kind": "功能", "text": "企业欠薪报告：自拖欠之日起5日内书面报告，系统判定是否按时"},
            ),
        ]
        return items


def _feeds_or_verifies(user) -> bool:
    """The user's unit owns a channel (it feeds signals) or has signals assigned to it to verify."""
    from anxin.intake.models import Channel, Signal

    if not user.unit_id:
        return False
    cached = getattr(user, "_intake_feeds", None)
    if cached is None:
        cached = (
            Channel.objects.filter(unit_id=user.unit_id).exists()
            or Signal.objects.filter(assigned_unit_id=user.unit_id).exists()
        )
        user._intake_feeds = cached
    return cached


def _render_signals_tab(request, enterprise) -> str:
    from django.template.loader import render_to_string

    from anxin.core.paging import paginate
    from anxin.intake import selectors

    signals = selectors.enterprise_signals(user=request.user, enterprise=enterprise)
    return render_to_string(
        "intake/_enterprise_signals.html",
        {"enterprise": enterprise, **paginate(request, signals)},
        request=request,
    )
