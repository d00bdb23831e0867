from __future__ import annotations

from typing import Any

from django.apps import AppConfig

from anxin.core import seam


class CreditConfig(AppConfig):
    """Credit (§三(七)(十)(十一)): the joint-punishment list with its due process, joint sanctions,
    the publication of major violations, integrity grades, objections. After sites in the flow: it
    reads registry, cases and money; earlier apps learn an enterprise's credit only through
    ``seam.ENTERPRISE_CREDIT`` and the ``credit.changed`` topic.

    Each part registers its own contributions below (one method per part)."""

    name = "anxin.credit"
    label = "credit"
    verbose_name = "信用监管"

    def ready(self) -> None:
        from anxin.credit import audit  # noqa: F401  (auditlog registration)

        seam.register(seam.MENU_GROUPS, seam.MenuGroup("credit", "信用监管", "shield-x", 28), app=self.label)
        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=self.label)
        seam.register(seam.ENTERPRISE_CREDIT, self.enterprise_credit, app=self.label)
        seam.register(seam.ENTERPRISE_TABS, self.enterprise_tabs, app=self.label)
        seam.register(seam.MENU, self.menu, app=self.label)
        self.ready_listing()
        self.ready_sanctions()
        self.ready_publication()
        self.ready_grades()
        from anxin.credit import demo

        seam.register(seam.DEMO_DATA, seam.DemoData(load=demo.load), app=self.label)

    def role_permissions(self) -> dict[str, list[str]]:
        """Everyone who works in the district reads credit within their scope; deciding is limited
        further to 人社局 and the office by ``credit.access`` (a permission alone is not enough)."""
        from anxin.org.models import Role

        read = [
            "credit.view_listing",
            "credit.view_sanctiontask",
            "credit.view_publicationbatch",
            "credit.view_publicationentry",
            "credit.view_gradeyear",
            "credit.view_enterprisegrade",
            "credit.view_objection",
        ]
        decide = [
            "credit.decide_listing",
            "credit.publish_violations",
            "credit.grade_enterprises",
            "credit.handle_sanctiontask",
        ]
        return {
            Role.OFFICE: [*read, *decide, "credit.export_credit"],
            Role.DEPARTMENT: [*read, *decide, "credit.export_credit"],
            Role.TOWN: [*read, "credit.export_credit"],
            Role.LEADER: [*read, "credit.export_credit"],
            Role.AUDITOR: read,
        }

    def enterprise_credit(self, enterprise_ids: list[int], on: Any) -> dict:
        from anxin.credit.standing import enterprise_credit

        return enterprise_credit(enterprise_ids, on)

    def enterprise_tabs(self, request: Any, enterprise: Any) -> list[seam.Tab]:
        from anxin.credit.sections import enterprise_tabs

        return enterprise_tabs(request, enterprise)  # type: ignore[return-value]

    def menu(self, user: Any) -> list[seam.MenuItem]:
        if not user.has_perm("credit.view_listing"):
            return []
        return [
            {
                "label": "信用监管概览",
                "url_name": "credit-overview",
                "icon": "shield-x",
                "order": 1,
                "group": "credit",
            }
        ]

    # --- 失信联合惩戒名单: the procedure, the term, early removal, objections -------------------------
    def ready_listing(self) -> None:
        """The listing part: the ledger's menu item, the enterprise's 信用 tab section (10), the
        overview's card (10), the case page's 失信惩戒 tab, the sweeps (proposals from cases,
        term ends, re-default restarts, early-removal reminders) and the clause items."""
        from anxin.credit import listing_views, sections

        label = self.label
        sections.add(sections.TAB_SECTIONS, 10, listing_views.tab_section)
        sections.add(sections.OVERVIEW_CARDS, 10, listing_views.overview_card)
        seam.register(seam.CASE_TABS, listing_views.case_tabs, app=label)
        seam.register(seam.MENU, listing_views.menu, app=label)
        seam.register(seam.SWEEPS, self.listing_sweeps, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.listing_clause_items, app=label)

    def listing_sweeps(self) -> list[seam.Sweep]:
        from anxin.credit.services import listing

        return [
            seam.Sweep("失信惩戒：依案件提出拟列入", listing.listings_propose_auto),
            seam.Sweep("失信惩戒：列入期间再次失信重新计算期限", listing.listings_restart),
            seam.Sweep("失信惩戒：期满移出", listing.listings_expire),
            seam.Sweep("失信惩戒：提前移出申请到期提醒与逾期上报", listing.removals_remind),
        ]

    def listing_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§三(七)",
                {
                    "kind": "失信名单",
                    "text": "失信联合惩戒名单：依案件自动提出或人社局提出（列入条件逐项核查），告知送达、"
                    "陈述申辩期限、列入/不予列入决定及文书，期满移出、再次失信重新计算、提前移出",
                },
            )
        ]

    # --- 联合惩戒: sanction tasks, the 失信 mark --------------------------------------------------------
    def ready_sanctions(self) -> None:
        """The district's measures, the tasks' deadlines, 我的待办, the menu, and the sections of the
        enterprise's 信用 tab, a listing's page and the overview."""
        from anxin.credit import sanctions_views, sections

        label = self.label
        seam.register(seam.DISTRICT_SECTIONS, self.sanctions_load_district, app=label)
        seam.register(seam.SWEEPS, self.sanctions_sweeps, app=label)
        seam.register(seam.TODO_PANELS, sanctions_views.todo_panels, app=label)
        seam.register(seam.MENU, sanctions_views.menu, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.sanctions_clause_items, app=label)
        sections.add(sections.TAB_SECTIONS, 20, sanctions_views.tab_section)
        sections.add(sections.LISTING_SECTIONS, 20, sanctions_views.listing_section)
        sections.add(sections.OVERVIEW_CARDS, 20, sanctions_views.overview_card)

    def sanctions_load_district(self, data: dict, *, actor: Any, log: Any) -> None:
        from anxin.credit.services.sanctions import sanction_measures_load

        sanction_measures_load(data=data, actor=actor, log=log)

    def sanctions_sweeps(self) -> list[seam.Sweep]:
        from anxin.credit.services.sanctions import sanction_tasks_sweep

        return [seam.Sweep("联合惩戒任务到期提醒与逾期上报", sanction_tasks_sweep)]

    def sanctions_clause_items(self) -> list[tuple[str, dict]]:
        """Each measure of the district file under the clause that gives the unit its restriction."""
        from anxin.credit.models import SanctionMeasure

        return [
            (m.citation, {"kind": "联合惩戒措施", "text": f"{m.unit.name}：{m.name}"})
            for m in SanctionMeasure.objects.filter(active=True).select_related("unit")
            if "§" in m.citation
        ]

    # --- 重大劳动保障违法行为社会公布 -----------------------------------------------------------------
    def ready_publication(self) -> None:
        """重大劳动保障违法行为社会公布 (人社部令第29号): the sweeps (a period's list drafted once it ends, entries
        past their last day taken off), the menu, the 信用 tab's section (30) and the overview card, the
        portal's link to the public page, the clauses."""
        from anxin.credit import publication_views as views
        from anxin.credit import sections

        label = self.label
        seam.register(seam.SWEEPS, self.publication_sweeps, app=label)
        seam.register(seam.MENU, views.menu, app=label)
        seam.register(seam.PORTAL_LINKS, views.portal_links, app=label)
        seam.register(seam.PUBLIC_URLS, "anxin.credit.public_urls", app=label)
        from anxin.credit.exchange import PARTS

        for part in PARTS:
            seam.register(seam.EXCHANGE_PARTS, part, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.publication_clause_items, app=label)
        sections.add(sections.TAB_SECTIONS, 30, views.tab_section)
        sections.add(sections.OVERVIEW_CARDS, 30, views.overview_card)

    def publication_sweeps(self) -> list[seam.Sweep]:
        from anxin import zones
        from anxin.credit.services.publication import batches_sweep, entries_lapse, public_listings_refresh

        return [
            seam.Sweep("重大劳动保障违法行为：期满生成待公布名单", batches_sweep),
            seam.Sweep("重大劳动保障违法行为：公布期满撤下", entries_lapse),
            seam.Sweep("失信名单：更新互联网区公布页的副本", zones.for_public_zone(public_listings_refresh)),
        ]

    def publication_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§三(七)",
                {
                    "kind": "重大违法行为公布",
                    "text": "按季度（参数）从案件汇总拖欠工资数额较大、拒不支付移送司法、造成严重不良社会影响的"
                    "违法行为，人社局逐条审核保留或删除（须写理由）、修改公布内容后公布；未审核不得公布",
                },
            ),
            (
                "§三(七)",
                {
                    "kind": "重大违法行为公布",
                    "text": "门户公示页按单位名称或信用代码查询，仅显示已公布且在公布期限内的信息，不显示身份证号；"
                    "期满或撤下当日不再显示；名单可导出 Word（公文格式）和 Excel 供官网发布",
                },
            ),
        ]

    # --- 守法诚信等级 ---------------------------------------------------------------------------------
    def ready_grades(self) -> None:
        """守法诚信等级 and 异议: the tab's section, the overview's cards, the listing page's objection
        block, the menu, the sweeps, the clause items."""
        from anxin.credit import grades_sections as g
        from anxin.credit import sections

        sections.add(sections.TAB_SECTIONS, 40, g.enterprise_section)
        sections.add(sections.OVERVIEW_CARDS, 40, g.overview_confirm)
        sections.add(sections.OVERVIEW_CARDS, 41, g.overview_objections)
        sections.add(sections.LISTING_SECTIONS, 40, g.listing_section)
        seam.register(seam.MENU, g.menu, app=self.label)
        seam.register(seam.SWEEPS, g.sweeps, app=self.label)
        seam.register(seam.CLAUSE_ITEMS, g.clause_items, app=self.label)
