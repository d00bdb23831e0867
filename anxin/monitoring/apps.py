from django.apps import AppConfig

from anxin.core import seam


class MonitoringConfig(AppConfig):
    """Dynamic monitoring and early warning: indicators, rules, risk levels, alerts (§四(一)(二), §五(二))."""

    name = "anxin.monitoring"
    label = "monitoring"
    verbose_name = "监测预警"

    def ready(self) -> None:
        from anxin.monitoring import audit  # noqa: F401  (auditlog registration)

        label = self.label
        seam.register(seam.DISTRICT_SECTIONS, self.load_district, app=label)
        seam.register(seam.DEMO_DATA, seam.DemoData(load=self.load_demo), app=label)
        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=label)
        seam.register(seam.IMPORTERS, self.importers, app=label)
        seam.register(seam.SWEEPS, self.sweeps, app=label)
        seam.register(seam.EVENT_RECEIVERS, self.on_event, app=label)
        seam.register(seam.MENU, self.menu, app=label)
        seam.register(
            seam.MENU_GROUPS, seam.MenuGroup("monitoring", "监测预警", "alert-triangle", 15), app=label
        )
        seam.register(seam.HOME_PANELS, self.home_panels, app=label)
        seam.register(seam.ENTERPRISE_TABS, self.enterprise_tabs, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.clause_items, app=label)

    def load_district(self, data: dict, *, actor, log) -> None:
        from anxin.monitoring import services

        services.district_load_indicators(data=data, actor=actor, log=log)

    def load_demo(self, *, actor, log) -> None:
        from anxin.monitoring import demo

        demo.load(actor=actor, log=log)

    def role_permissions(self) -> dict[str, list[str]]:
        from anxin.org.models import Role

        view = [
            "monitoring.view_indicator",
            "monitoring.view_observation",
            "monitoring.view_riskassessment",
            "monitoring.view_alert",
            "monitoring.view_immediatereport",
            "monitoring.view_watchentry",
            "monitoring.view_sensitiveperiod",
            "monitoring.view_screeningcampaign",
            "monitoring.view_screeningtask",
        ]
        work = [
            *view,
            "monitoring.add_observation",
            "monitoring.import_observation",
            "monitoring.handle_alert",
            "monitoring.export_alert",
            "monitoring.submit_immediatereport",
            "monitoring.view_watchentry",
            "monitoring.manage_watchentry",
            "monitoring.add_dailyreport",
            "monitoring.change_screeningtask",
        ]
        return {
            Role.OFFICE: [
                *work,
                "monitoring.dismiss_alert",
                "monitoring.run_scan",
                "monitoring.review_immediatereport",
                "monitoring.add_sensitiveperiod",
                "monitoring.launch_screeningcampaign",
            ],
            Role.LEADER: [*view, "monitoring.export_alert", "monitoring.instruct_immediatereport"],
            Role.DEPARTMENT: work,
            Role.TOWN: work,
            Role.AUDITOR: view,
        }

    def importers(self) -> dict:
        from anxin.monitoring.importing import observation_import

        return {"observations": observation_import}

    def sweeps(self) -> list[seam.Sweep]:
        from anxin.monitoring import alerts, immediate, scan, sensitive, watch

        return [
            seam.Sweep("风险重评（全部企业）", scan.scan_sweep),
            seam.Sweep("预警逾期上报", alerts.alerts_escalate),
            seam.Sweep("即时报告逾期上报", immediate.reports_escalate),
            seam.Sweep("敏感时期回访周期调整", watch.followups_reschedule),
            seam.Sweep("重点监控回访逾期", watch.followups_mark_overdue),
            seam.Sweep("敏感时期日报缺报", sensitive.missing_mark),
        ]

    def on_event(self, topic: str, payload: dict) -> None:
        """A signal or observation changed, or an enterprise's credit (its integrity grade, a
        listing): re-assess its enterprises right after the commit."""
        if topic in (seam.SIGNALS_CHANGED, seam.OBSERVATIONS_CHANGED, seam.CREDIT_CHANGED):
            from anxin.monitoring import scan

            scan.on_enterprises_changed(payload["enterprise_ids"])

    def menu(self, user) -> list[dict]:
        """Monitoring's screens. A unit with no territory and no line (公安分局, 检察院: §三(三)(十三)
        give them no enterprises to watch) is never sent an alert and sees no risk: it gets only the
        screens it uses — 敏感时期 when it files daily reports, the observations when it reports some."""
        from anxin.core.access import scope_of
        from anxin.monitoring import sensitive, services

        items = []
        if scope_of(user).nothing:
            if user.has_perm("monitoring.view_sensitiveperiod") and sensitive.may_file(user):
                items.append(
                    {
                        "label": "敏感时期",
                        "group": "monitoring",
                        "url_name": "sensitive-list",
                        "icon": "calendar-event",
                        "order": 18,
                    }
                )
            if services.reports_any(user):
                for perm, label, url_name, icon, order in (
                    ("view_observation", "监测数据台账", "observation-list", "table", 22),
                    ("import_observation", "监测数据导入", "observation-import", "chart-line", 23),
                ):
                    if user.has_perm(f"monitoring.{perm}"):
                        items.append(
                            {
                                "label": label,
                                "group": "monitoring",
                                "url_name": url_name,
                                "icon": icon,
                                "order": order,
                            }
                        )
            return items
        if user.has_perm("monitoring.view_riskassessment"):
            items.append({"label": "驾驶舱", "url_name": "cockpit", "icon": "gauge", "order": 1})
        if user.has_perm("monitoring.view_alert"):
            items.append(
                {
                    "label": "风险预警",
                    "group": "monitoring",
                    "url_name": "alert-list",
                    "icon": "alert-triangle",
                    "order": 15,
                }
            )
        if user.has_perm("monitoring.view_riskassessment"):
            items.append(
                {
                    "label": "风险企业",
                    "group": "monitoring",
                    "url_name": "risk-list",
                    "icon": "building-factory",
                    "order": 14,
                }
            )
        if user.has_perm("monitoring.view_immediatereport"):
            items.append(
                {
                    "label": "即时报告",
                    "group": "monitoring",
                    "url_name": "report-list",
                    "icon": "speakerphone",
                    "order": 16,
                }
            )
        if user.has_perm("monitoring.view_watchentry"):
            items.append(
                {
                    "label": "重点监控",
                    "group": "monitoring",
                    "url_name": "watch-list",
                    "icon": "eye",
                    "order": 17,
                }
            )
        if user.has_perm("monitoring.view_screeningcampaign"):
            items.append(
                {
                    "label": "排查摸底",
                    "group": "monitoring",
                    "url_name": "screening-list",
                    "icon": "list-search",
                    "order": 19,
                }
            )
        if user.has_perm("monitoring.view_sensitiveperiod"):
            items.append(
                {
                    "label": "敏感时期",
                    "group": "monitoring",
                    "url_name": "sensitive-list",
                    "icon": "calendar-event",
                    "order": 18,
                }
            )
        if user.has_perm("monitoring.view_observation"):
            items.append(
                {
                    "label": "监测数据台账",
                    "group": "monitoring",
                    "url_name": "observation-list",
                    "icon": "table",
                    "order": 22,
                }
            )
        if user.has_perm("monitoring.import_observation") and services.reports_any(user):
            items.append(
                {
                    "label": "监测数据导入",
                    "group": "monitoring",
                    "url_name": "observation-import",
                    "icon": "chart-line",
                    "order": 23,
                }
            )
        return items

    def home_panels(self, request) -> list[dict]:
        from anxin.core.access import scope_of
        from anxin.monitoring import selectors

        user = request.user
        if not user.has_perm("monitoring.view_alert"):
            return []
        panels = []
        if not scope_of(user).nothing:  # a unit with no territory and no line is sent no alert
            panels.append(
                {
                    "template": "monitoring/_home_panel.html",
                    "order": 5,
                    "risk": selectors.risk_summary(user=user),
                }
            )
        todo = selectors.home_todo(user=user)  # what waits on the user's own unit (to-dos first)
        if todo:
            panels.append({"template": "monitoring/_home_todo.html", "order": 4, "todo": todo})
        return panels

    def enterprise_tabs(self, request, enterprise) -> list[dict]:
        if not request.user.has_perm("monitoring.view_riskassessment"):
            return []
        return [{"key": "risk", "label": "风险预警", "render": _render_risk_tab}]

    def clause_items(self) -> list[tuple[str, dict]]:
        from anxin.monitoring.rules import RULES

        return [
            (f"{rule.citation}", {"kind": "预警规则", "text": f"{rule.code}：{rule.name}"})
            for rule in RULES
            if "§" in rule.citation
        ]


def _render_risk_tab(request, enterprise) -> str:
    from django.template.loader import render_to_string

    from anxin.monitoring import selectors

    return render_to_string(
        "monitoring/_enterprise_risk.html",
        selectors.enterprise_risk(user=request.user, enterprise=enterprise),
        request=request,
    )
