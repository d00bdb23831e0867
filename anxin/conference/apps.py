from __future__ import annotations

from django.apps import AppConfig

from anxin.core import seam


class ConferenceConfig(AppConfig):
    """The joint conference at work (§二): meetings (plenary, topic, proposed by a member unit), the
    plenary pack, minutes signed by the convener and issued, decisions (议定事项) followed to
    acceptance, 督办通知. After credit in the flow: it reads the earlier apps through their selectors;
    reports (later) reads it. Earlier apps learn of it only through the seam.

    Each part registers its own contributions below (one method per part)."""

    name = "anxin.conference"
    label = "conference"
    verbose_name = "联席会议"

    def ready(self) -> None:
        from anxin.conference import audit  # noqa: F401  (auditlog registration)

        seam.register(
            seam.MENU_GROUPS, seam.MenuGroup("conference", "联席会议", "users-group", 30), app=self.label
        )
        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=self.label)
        self.ready_meetings()
        self.ready_minutes()

    def role_permissions(self) -> dict[str, list[str]]:
        """The office runs the conference; the leaders read it and the convener signs (``access.is_convener``
        also asks for the post); member units read what they are invited to, propose topic meetings and
        report on the decisions they own. The posts (召集人, 联席办主任, 副召集人) are designated by the
        安全管理员 (secadmin) alone."""
        from anxin.org.models import Role

        read = [
            "conference.view_meeting",
            "conference.view_minutes",
            "conference.view_decision",
            "conference.view_meetingproposal",
        ]
        return {
            Role.OFFICE: [
                *read,
                "conference.manage_meetings",
                "conference.export_conference",
                "conference.handle_decision",
            ],
            Role.LEADER: [*read, "conference.sign_minutes", "conference.export_conference"],
            Role.DEPARTMENT: [*read, "conference.propose_meeting", "conference.handle_decision"],
            Role.TOWN: [*read, "conference.propose_meeting", "conference.handle_decision"],
            Role.AUDITOR: read,
            # role assignment is the 安全管理员's under 三员分立: the posts that sign minutes and approve
            # documents are designated by them, never by the office that drafts
            Role.SECADMIN: ["conference.manage_posts"],
        }

    # --- meetings: calendar, list, page, proposals, the plenary interval, the pack, posts -----------
    def ready_meetings(self) -> None:
        """The meetings part registers here: menu, cockpit panel (days since the last plenary), home
        panel (proposals to answer, meetings coming), the plenary-interval sweep, demo data, clause
        items; its meeting-page sections and pack sections (``conference.sections``)."""
        from anxin.conference import demo, meetings_pack, meetings_views, sections

        label = self.label
        seam.register(seam.MENU, meetings_views.menu, app=label)
        seam.register(seam.HOME_PANELS, meetings_views.home_panels, app=label)
        seam.register(seam.COCKPIT_PANELS, meetings_views.cockpit_panels, app=label)
        seam.register(seam.SWEEPS, self.meetings_sweeps, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.meetings_clause_items, app=label)
        seam.register(
            seam.DEMO_DATA,
            seam.DemoData(load=demo.load, real_data=demo.real_data),
            app=label,
        )
        sections.add(sections.PACK_SECTIONS, 10, meetings_pack.figures_section)
        sections.add(sections.PACK_SECTIONS, 20, meetings_pack.overdue_section)

    def meetings_sweeps(self) -> list[seam.Sweep]:
        from anxin.conference.services.meetings import plenary_interval_flag

        return [seam.Sweep("联席会议：全体会议超过召开周期提示", plenary_interval_flag)]

    def meetings_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§二",
                {
                    "kind": "联席会议",
                    "text": "安排全体会议和专题会议（议题、议程、参会单位、会议材料），由召集人、副召集人或联席办主任主持"
                    "（按职务记录），登记各单位出席情况后登记召开，取消须写明原因；参会单位收到会议通知",
                },
            ),
            (
                "§二",
                {
                    "kind": "专题会议提议",
                    "text": "成员单位提议召开专题会议（写明理由），联席办安排会议或说明理由不予召开，提议单位收到答复",
                },
            ),
            (
                "§二",
                {
                    "kind": "全体会议周期",
                    "text": "全体会议超过召开周期（参数 meeting.plenary_interval_months，默认 3 个月）未召开的，"
                    "每次超期提示联席办和召集人一次；工作台和驾驶舱显示距上次全体会议天数",
                },
            ),
            (
                "§二",
                {
                    "kind": "会议材料包",
                    "text": "联席办一键生成全体会议材料包：统计期间的线索、预警、重点监管、案件、即时报告、工资清偿数据，"
                    "分单位逾期事项，议定事项落实情况；可下载公文格式 Word",
                },
            ),
            (
                "§二",
                {
                    "kind": "联席会议职务",
                    "text": "安全管理员（三员分立，角色分配归安全管理员）确定召集人（区领导）、副召集人、联席办主任任职，"
                    "召集人和联席办主任各只有一名在任，不得任命自己；终止任职须写明原因，保留历史",
                },
            ),
        ]

    # --- minutes and decisions: drafting, signing, issue, 我的待办, escalation, 督办 ------------------
    def ready_minutes(self) -> None:
        """The minutes part registers here: menu (议定事项台账), to-do panel (the owner's decisions),
        the decisions sweep (reminders, escalation), clause items; its meeting-page sections (纪要,
        议定事项) and the pack's section (every decision with its status)."""
        from anxin.conference import decisions_sections, decisions_views, minutes_views, sections

        label = self.label
        seam.register(seam.MENU, decisions_views.menu, app=label)
        seam.register(seam.TODO_PANELS, decisions_views.todo_panels, app=label)
        seam.register(seam.HOME_PANELS, decisions_views.home_panels, app=label)
        seam.register(seam.SWEEPS, self.minutes_sweeps, app=label)
        seam.register(seam.CLAUSE_ITEMS, self.minutes_clause_items, app=label)
        sections.add(sections.MEETING_SECTIONS, 20, minutes_views.meeting_section_minutes)
        sections.add(sections.MEETING_SECTIONS, 30, minutes_views.meeting_section_decisions)
        sections.add(sections.PACK_SECTIONS, 30, decisions_sections.every_decision)
        sections.add(sections.PACK_SECTIONS, 31, decisions_sections.overdue_by_unit)
        from anxin.conference import minutes_demo

        seam.register(
            seam.DEMO_DATA,
            seam.DemoData(load=minutes_demo.load, real_data=minutes_demo.real_data),
            app=label,
        )

    def minutes_sweeps(self) -> list[seam.Sweep]:
        from anxin.conference.services import decisions

        return [
            seam.Sweep("联席会议议定事项：到期前提醒牵头单位", decisions.decisions_remind),
            seam.Sweep("联席会议议定事项：逾期报联席办", decisions.decisions_escalate),
        ]

    def minutes_clause_items(self) -> list[tuple[str, dict]]:
        return [
            (
                "§二",
                {
                    "kind": "会议纪要",
                    "text": "会议召开后联席办起草会议纪要（正文和议定事项），送召集人审签或退回修改（须写意见）；"
                    "只有经召集人审签的纪要才能编号印发（公文格式 Word），印发单位收到通知",
                },
            ),
            (
                "§二",
                {
                    "kind": "议定事项",
                    "text": "议定事项随纪要印发交办牵头单位（我的待办），配合单位可查看；牵头单位报告进展和完成情况"
                    "（附佐证材料），联席办验收或退回；到期前按参数 decision.remind_working_days 提醒，"
                    "逾期报联席办，联席办可印发督办通知；下次全体会议材料包列出历次议定事项落实情况",
                },
            ),
        ]
