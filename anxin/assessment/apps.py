from __future__ import annotations

from django.apps import AppConfig

from anxin.core import seam


class AssessmentConfig(AppConfig):
    """Assessment (§五(三)): schemes as data, every unit scored from what Anxin saw it do (with the
    records behind each point), provisional through the year and final after objections; the
    one-vote veto; responsibility traced back after an incident; spot checks with rectification and
    their circular; referral to 纪检监察. The last app in the flow: it reads every earlier app through
    its selectors; no app reads it. Earlier apps learn of it only through the seam.

    Each part registers its own contributions below (one method per part)."""

    name = "anxin.assessment"
    label = "assessment"
    verbose_name = "考核评价"

    def ready(self) -> None:
        from anxin.assessment import audit  # noqa: F401  (auditlog registration)

        seam.register(seam.MENU_GROUPS, seam.MenuGroup("assessment", "考核评价", "award", 40), app=self.label)
        seam.register(seam.ROLE_PERMISSIONS, self.role_permissions, app=self.label)
        self.ready_scoring()
        self.ready_final()
        self.ready_traces()
        self.ready_spotchecks()
        self.ready_measures()

    def role_permissions(self) -> dict[str, list[str]]:
        """The office runs the assessment; the leaders and the auditors read every unit's; a town or a
        department reads its own scores, objects to its final score and answers its rectification."""
        from anxin.org.models import Role

        read = [
            "assessment.view_scheme",
            "assessment.view_score",
            "assessment.view_trace",
            "assessment.view_finding",
            "assessment.view_vetoproposal",
            "assessment.view_spotcheck",
            "assessment.view_rectification",
        ]
        everything = [*read, "assessment.view_assessment_all", "assessment.view_referral"]
        return {
            Role.OFFICE: [
                *everything,
                "assessment.manage_assessment",
                "assessment.export_assessment",
                "assessment.run_spot_checks",
                "assessment.refer_findings",
            ],
            Role.LEADER: [*everything, "assessment.export_assessment"],
            Role.AUDITOR: everything,
            Role.DEPARTMENT: [*read, "assessment.file_objection", "assessment.answer_rectification"],
            Role.TOWN: [*read, "assessment.file_objection", "assessment.answer_rectification"],
        }

    # --- scoring: schemes, measures, scores with evidence, hand scores, scoreboard, provisional tick --
    def ready_scoring(self) -> None:
        """The scoring part registers here (menu, home panel, the provisional-score sweep, district
        section ``assessment_schemes``, demo data, clause items)."""

    # --- final: finalisation, objections, lock, ranking and report; the one-vote veto ------------------
    def ready_final(self) -> None:
        """The final part registers here (veto and objection queues, the veto-proposal sweep, district
        section ``assessment_vetoes``, demo data, clause items)."""

    # --- traces: 责任倒查 of a case, findings, referral to 纪检监察 --------------------------------------
    def ready_traces(self) -> None:
        """The traces part registers here (the case page's tab or action, menu, demo data, clause
        items)."""

    # --- spot checks: the draw, inspection, rectification, the circular --------------------------------
    def ready_spotchecks(self) -> None:
        """The spot-check part registers here (menu, to-do panel (rectification), the rectification
        sweep, demo data, clause items)."""

    # --- measures: the computed indicators (what each computed indicator's ``measure`` names) ----------
    def ready_measures(self) -> None:
        """The measures part registers the computed measures (``measures_data``) in the registry."""
        from anxin.assessment.measures_data import register_all

        register_all()
