from django.apps import AppConfig

from anxin.core import seam


class CasesConfig(AppConfig):
    """Case handling: one enterprise, one plan — stages, incidents, legal actions, deadlines (§四(三)–(七))."""

    name = "anxin.cases"
    label = "cases"
    verbose_name = "案件处置"

    def ready(self) -> None:
        from anxin.cases import audit  # noqa: F401  (auditlog registration)

        label = self.label
        seam.register(seam.DEMO_DATA, seam.DemoData(load=self.load_demo), app=label)
        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=label)
        seam.register(seam.SWEEPS, self.sweeps, app=label)
        seam.register(seam.MENU, self.menu, app=label)
        seam.register(seam.MENU_GROUPS, seam.MenuGroup("cases", "案件处置", "briefcase", 25), app=label)
        seam.register(seam.HOME_PANELS, self.home_panels, app=label)
        seam.register(seam.COCKPIT_PANELS, self.cockpit_panels, app=label)
        seam.register(seam.ENTERPRISE_TABS, self.enterprise_tabs, app=label)
        seam.register(seam.PAGE_ACTIONS, _open_case_actions, app=label)
        seam.register(seam.PAGE_RELATED, _related_cases, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.clause_items, app=label)
        seam.register(seam.SIGNAL_CASES, _signal_cases, app=label)
        seam.register(seam.CASE_CLOSED, _case_closed_tell_reports, app=label)

    def load_demo(self, *, actor, log) -> None:
        from anxin.cases import demo

        demo.load(actor=actor, log=log)

    def role_permissions(self) -> dict[str, list[str]]:
        from anxin.org.models import Role

        view = ["cases.view_case", "cases.view_legalaction", "cases.view_casedocument"]
        work = [
            *view,
            "cases.add_case",
            "cases.change_case",
            "cases.move_case",
            "cases.close_case",
            "cases.request_legalaction",
            "cases.handle_legalaction",
            "cases.export_case",
            "cases.add_casedocument",
        ]
        return {
            Role.OFFICE: [*work, "cases.approve_plan"],
            Role.LEADER: [*view, "cases.export_case"],
            Role.DEPARTMENT: work,
            Role.TOWN: work,
            Role.AUDITOR: view,
        }

    def sweeps(self) -> list[seam.Sweep]:
        from anxin.cases.deadlines import deadlines_sweep

        return [seam.Sweep("案件期限提醒与逾期上报", deadlines_sweep)]

    def menu(self, user) -> list[dict]:
        """案件台账 and 期限看板 for units with a territory or a line (a unit without one, 公安分局 or
        检察院, sees no case file: its referrals are in 我的待办); 我的待办 for units that handle or
        are copied legal actions."""
        from anxin.cases.actions import kinds_for
        from anxin.core.access import scope_of

        items = []
        handled, copied = kinds_for(user)
        if user.has_perm("cases.view_case") and not scope_of(user).nothing:
            items.append(
                {
                    "label": "案件台账",
                    "group": "cases",
                    "url_name": "case-list",
                    "icon": "briefcase",
                    "order": 30,
                }
            )
            items.append(
                {
                    "label": "期限看板",
                    "group": "cases",
                    "url_name": "case-deadlines",
                    "icon": "clock",
                    "order": 32,
                }
            )
        if user.has_perm("cases.handle_legalaction") and (handled or copied):  # readers have no to-do
            items.append(
                {
                    "label": "我的待办",
                    "group": "cases",
                    "url_name": "case-todo",
                    "icon": "checklist",
                    "order": 31,
                }
            )
        return items

    def home_panels(self, request) -> list[dict]:
        from anxin.cases import selectors

        if not request.user.has_perm("cases.view_legalaction"):
            return []
        panels = []
        todo = selectors.todo_summary(user=request.user)
        if todo["handles"] or todo["leads"] or todo["plans"]:
            panels.append({"template": "cases/_home_panel.html", "order": 6, "todo": todo})
        referrals = selectors.unit_referrals(user=request.user)
        if referrals is not None:  # 公安分局's referrals, 检察院's copies: on their home page
            panels.append({"template": "cases/_home_referrals.html", "order": 7, "referrals": referrals})
        return panels

    def cockpit_panels(self, request) -> list[dict]:
        from anxin.cases import selectors

        if not request.user.has_perm("cases.view_case"):
            return []
        return [
            {
                "template": "cases/_cockpit_panel.html",
                "order": 10,
                "ensures": selectors.three_ensures(user=request.user),
            }
        ]

    def enterprise_tabs(self, request, enterprise) -> list[dict]:
        if not request.user.has_perm("cases.view_case"):
            return []
        return [{"key": "cases", "label": "案件", "render": _render_cases_tab}]

    def clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§四(三)",
                {
                    "kind": "案件处置",
                    "text": "一企一策处置方案；查明事实→控制现场→协调调解→仲裁/诉讼→执行→结案",
                },
            ),
            ("§四(四)", {"kind": "案件处置", "text": "群体性事件、突然关停现场处置与财产控制清单"}),
            ("§四(五)", {"kind": "案件处置", "text": "调解、仲裁援助、法院绿色通道、行政处罚"}),
            ("§四(六)", {"kind": "案件处置", "text": "责令限期支付、动用工资保证金、申请应急周转金"}),
            ("§四(七)", {"kind": "案件处置", "text": "涉嫌拒不支付劳动报酬罪移送公安并报检察院备案"}),
        ]


def _render_cases_tab(request, enterprise) -> str:
    from django.template.loader import render_to_string

    from anxin.cases.models import Case

    cases = Case.objects.for_user(request.user).filter(enterprise=enterprise).select_related("lead_unit")[:50]
    return render_to_string(
        "cases/_enterprise_cases.html", {"cases": cases, "enterprise": enterprise}, request=request
    )


def _open_case_actions(request, page: str, obj) -> list[seam.PageAction]:
    """ "立案处置" on a signal's page (an enterprise matched, not found unfounded) and on an alert's
    page (not dismissed): the case form opens prefilled from it (§四(三) 一企一策)."""
    from django.urls import reverse

    if not request.user.has_perm("cases.add_case"):
        return []
    url = reverse("case-new")
    if (
        page == "intake.signal"
        and obj.enterprise_id
        and obj.verification != "unfounded"
        and not _signal_taken(obj)
    ):
        return [
            {
                "label": "立案处置",
                "url": f"{url}?signals={obj.pk}",
                "icon": "briefcase",
                "testid": "signal-open-case",
            }
        ]
    if page == "monitoring.alert" and obj.status != "dismissed" and not _alert_taken(obj):
        return [
            {
                "label": "立案处置（一企一策）",
                "url": f"{url}?alert={obj.pk}",
                "icon": "briefcase",
                "testid": "alert-open-case",
            }
        ]
    return []


def _signal_taken(signal) -> bool:
    """An open case already holds the signal: the page names it (关联案件); a second 立案 is not offered."""
    from anxin.cases.models import Case

    return Case.objects.open().filter(signals=signal).exists()


def _signal_cases(signal_ids: list[int]) -> dict:
    from anxin.cases.public import signal_cases

    return signal_cases(signal_ids)


def _case_closed_tell_reports(case, *, actor, outcome: str, amount_paid: int, now) -> None:
    from anxin.cases.public import case_closed_tell_reports

    case_closed_tell_reports(case, actor=actor, outcome=outcome, amount_paid=amount_paid, now=now)


def _alert_taken(alert) -> bool:
    """An open case already holds the alert: "立案处置" would only be refused."""
    from anxin.cases.models import Case

    return Case.objects.open().filter(alerts=alert).exists()


def _related_cases(request, page: str, obj) -> list[seam.RelatedRecord]:
    """On an alert's (a signal's) page: the cases that hold it, and — for an alert no case holds
    yet — the enterprise's open case, so nobody handles twice what a case already handles (§四(二)
    → §四(三)). Only the cases the user may open."""
    from django.urls import reverse

    from anxin.cases.models import Case

    if not request.user.has_perm("cases.view_case"):
        return []
    visible = Case.objects.for_user(request.user).select_related("lead_unit").order_by("opened_at", "pk")
    field = {"monitoring.alert": "alerts", "intake.signal": "signals"}[page]
    holding = list(visible.filter(**{field: obj}).distinct())
    records: list[seam.RelatedRecord] = [
        {
            "label": "已立案处置" if page == "monitoring.alert" else "已纳入案件",
            "text": f"{case.number} · {case.get_stage_display()} · 牵头：{case.lead_unit.name}",
            "url": reverse("case-detail", args=[case.pk]),
            "testid": "related-case",
        }
        for case in holding
    ]
    if not holding and page == "monitoring.alert" and obj.enterprise_id:
        current = visible.open().filter(enterprise_id=obj.enterprise_id).distinct().first()
        if current is not None:
            records.append(
                {
                    "label": "该企业有办理中的案件（可在案件页关联本预警）",
                    "text": f"{current.number} · {current.get_stage_display()} · 牵头：{current.lead_unit.name}",
                    "url": reverse("case-detail", args=[current.pk]),
                    "testid": "related-open-case",
                }
            )
    return records
