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
        """Registered by the sanctions part."""

    # --- 重大劳动保障违法行为社会公布 -----------------------------------------------------------------
    def ready_publication(self) -> None:
        """Registered by the publication part."""

    # --- 守法诚信等级 ---------------------------------------------------------------------------------
    def ready_grades(self) -> None:
        """Registered by the grades part."""
