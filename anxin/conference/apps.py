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
        report on the decisions they own."""
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
                "conference.manage_posts",
                "conference.export_conference",
                "conference.handle_decision",
            ],
            Role.LEADER: [*read, "conference.sign_minutes", "conference.export_conference"],
            Role.DEPARTMENT: [*read, "conference.propose_meeting", "conference.handle_decision"],
            Role.TOWN: [*read, "conference.propose_meeting", "conference.handle_decision"],
            Role.AUDITOR: read,
        }

    # --- meetings: calendar, list, page, proposals, the plenary interval, the pack, posts -----------
    def ready_meetings(self) -> None:
        """The meetings part registers here: menu, cockpit panel (days since the last plenary), home
        panel (proposals to answer, meetings coming), the plenary-interval sweep, demo data, clause
        items; its meeting-page sections and pack sections (``conference.sections``)."""

    # --- minutes and decisions: drafting, signing, issue, 我的待办, escalation, 督办 ------------------
    def ready_minutes(self) -> None:
        """The minutes part registers here: menu (议定事项台账), to-do panel (the owner's decisions),
        the decisions sweep (reminders, escalation), clause items; its meeting-page sections (纪要,
        议定事项) and the pack's section (every decision with its status)."""
