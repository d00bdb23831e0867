"""Every concrete model of the anxin apps is either in the audit log (django-auditlog: who changed
what, when, the field diff) or listed here with the reason it need not be. A new model fails this
test until someone decides which it is.

And the scan's own writes stay out of the audit log: ``monitoring.scan.changed_since`` reads it
to find edited enterprises, so a scan that wrote audit rows would make the next tick re-assess
everything."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.utils import timezone

NOT_AUDITED = {
    # Append-only tables: rows are written once and never edited; they are history themselves.
    "core.SecurityEvent": "append-only security log (logins, exports, imports)",
    "intake.SignalEvent": "append-only history of a signal (who, when, from → to, why)",
    "intake.SignalAttachment": "a stored file, written once with its upload (a SignalEvent)",
    "intake.RepaymentInstalment": "written once with its audited SelfReport, never edited",
    "intake.PortalAttempt": "rate-limit log of the public portal, hashed addresses",
    "intake.RecoveryCode": "one-use SMS code of the public portal's code recovery, hashed, expiring, purged by tick",
    "intake.PortalBucket": "rate-limit counter row of the public portal (one per hashed address, action and day), purged by tick",
    "cases.CaseEvent": "append-only history of a case",
    "cases.ActionStep": "append-only steps of a legal action",
    "money.Payment": "append-only ledger: each entry records who and when; a correction is a reversing entry",
    "money.PaymentRun": "written once with its Payment entries (who, when, total), never edited",
    "money.ClaimEvent": "append-only history of a claim (registered, confirmed, corrected from → to)",
    "money.FundEntry": "append-only fund ledger, numbered per fund, each row with who and when",
    "money.AdvanceItem": "written once with its audited Advance; its payment is set by the approval's ledger entries",
    "money.AdvanceEvent": "append-only history of a fund advance",
    "money.Proceeds": "written once with its allocation (who, when); the leftover is computed then",
    "money.Allocation": "written once with its Proceeds, in order, naming the entries it made",
    "sites.Payroll": "append-only: each upload of a month is a new version with who and when; never edited",
    "sites.PayrollLine": "written once with its Payroll (an upload's rows)",
    "sites.Finding": "written once with its Payroll (what the check found)",
    "sites.DepositEvent": "append-only wage-deposit ledger, numbered per deposit, each row with who and when",
    "sites.HandbookCode": "one-use SMS code of the worker's handbook on the portal, hashed, expiring, purged by tick",
    "sites.HandbookLimit": "rate-limit counter of the handbook on the portal (hashed address, action, hour), purged by tick",
    "monitoring.AlertEvent": "append-only history of an alert",
    "monitoring.ImmediateReportEvent": "append-only history of an immediate report",
    "monitoring.WatchEvent": "append-only history of a watch entry",
    "monitoring.RiskChange": "append-only history of an enterprise's level",
    "monitoring.MissingDailyReport": "flagged once by tick, never edited",
    "sites.PayrollMonthEvent": "append-only history of a project's payroll month (from → to, who, when)",
    "credit.ListingEvent": "append-only history of a listing (from → to, defences, sanction tasks, who, when)",
    "credit.ObjectionEvent": "append-only history of an objection",
    "credit.PublicationEvent": "append-only history of a publication period and its entries",
    "credit.GradeChange": "append-only history of an enterprise's grade in force (from → to, source, reasons, who)",
    "credit.CreditFile": "an uploaded paper, written once with who and when; never edited",
    "conference.MeetingEvent": "append-only history of a meeting and its minutes (from → to, who, when)",
    "conference.DecisionEvent": "append-only history of a decision (from → to, reports, reminders, 督办)",
    "conference.ConferenceFile": "an uploaded paper, written once with who and when; never edited",
    "conference.MeetingPack": "a snapshot written once with who prepared it and when; preparing again adds a row",
    "conference.PlenaryLapse": "a flag written once by tick per lapse of the plenary interval; never edited",
    "reports.ReportEvent": "append-only history of a periodic report (from → to, who, when)",
    "reports.OfficeDocumentEvent": "append-only history of an analysis or circular (from → to, who, when)",
    "reports.ReportsFile": "an uploaded photo or paper, written once with who and when; never edited",
    "reports.MissingReport": "flagged once by tick, its late submission stamped once; never edited",
    "assessment.SchemeEvent": "append-only history of a scheme (drafted, edited, activated, superseded)",
    "assessment.YearEvent": "append-only history of a year's assessment (finalised, locked, reminders)",
    "assessment.ObjectionEvent": "append-only history of an objection (filed, upheld or rejected, who, when)",
    "assessment.VetoEvent": "append-only history of a veto proposal (proposed, confirmed or rejected, why)",
    "assessment.ReferralEvent": "append-only history of a referral (sent, received, outcome, unit told)",
    "assessment.SpotCheckEvent": "append-only history of a spot-check round (drawn, started, circulated)",
    "assessment.RectificationEvent": "append-only history of a rectification item (set, answered, accepted)",
    "assessment.AssessmentFile": "an uploaded paper or photo, written once with who and when; never edited",
    "assessment.CircularRecipient": "written once when the circular is issued (who it went to, when); never edited",
    "assessment.ScoreItem": "recomputed from the data by the scoring (its Score's history keeps the points); "
    "an objection's upheld change is kept on the Objection (points before and after) and its events",
    # Derived rows written in bulk by the scan (and re-derived by the next one).
    "monitoring.RiskAssessment": "derived by the scan from the data and the parameters",
    "monitoring.Alert": "opened and refreshed in bulk by the scan; each human step is an AlertEvent",
    "monitoring.ScanRun": "the scan's own run record",
    "monitoring.ScanShard": "a part of a scan run (its id range, state and counts), written by the scan workers",
    # Data with its own provenance on every row.
    "monitoring.Observation": (
        "reported in bulk (import, API) with recorded_by/recorded_at on each row; "
        "every import is a SecurityEvent"
    ),
    # Repeat guards, not district data: short-lived rows purged by tick (anxin.core.once).
    "core.FormOnce": "one-time form tokens already used, purged by tick after ONCE_FORM_MAX_AGE_HOURS",
    "core.IdempotentRequest": "stored first answers to API Idempotency-Keys, purged by tick",
    "core.ExchangeBundle": "the file exchange's own record of each bundle (who, when, SHA-256, counts), written once",
    # Messages, not district data.
    "notify.Notification": "inbox copies of notices fanned out to users",
    "intake.PublicProgress": "a copy of what a report's status page may say (case progress, own claim), rewritten by tick",
    "intake.PortalProject": "a copy of what a notice board's link shows of a project, rewritten by tick",
    "intake.MaterialRelay": "a pointer to a merged report's material (its event), for the tick to pass on; then deleted",
    "credit.PublicListing": "a copy of what the public page prints of a listing in force, rewritten by tick",
    "sites.PortalHandbook": "a copy of what a worker's 计酬手册 page shows (rosters and payrolls are audited), rewritten by tick",
    "notify.PendingNotice": "a notice the internet zone wrote, waiting for the tick to fan it out to the inboxes (then deleted)",
    "notify.SmsMessage": "outbox of SMS handed to the gateway (masked numbers)",
}


def _anxin_models():
    return {
        m._meta.label: m
        for m in apps.get_models()
        if m.__module__.startswith("anxin.") and not m._meta.abstract and not m._meta.proxy
    }


def test_every_model_is_audited_or_listed_with_a_reason():
    models = _anxin_models()
    missing = sorted(label for label, model in models.items() if not auditlog.contains(model))
    unexplained = [label for label in missing if label not in NOT_AUDITED]
    assert not unexplained, f"既未登记审计日志、也未说明理由的模型：{unexplained}"
    assert all(reason.strip() for reason in NOT_AUDITED.values())


def test_the_allow_list_names_only_real_unaudited_models():
    models = _anxin_models()
    stale = [label for label in NOT_AUDITED if label not in models]
    both = [label for label in NOT_AUDITED if label in models and auditlog.contains(models[label])]
    assert not stale and not both, (stale, both)


@pytest.mark.parametrize(
    "label",
    [
        "monitoring.WatchEntry",
        "monitoring.FollowUp",
        "monitoring.ImmediateReport",
        "monitoring.SensitivePeriod",
        "monitoring.DailyReport",
        "monitoring.ScreeningCampaign",
        "monitoring.ScreeningTask",
        "monitoring.Indicator",
    ],
)
def test_the_human_edited_monitoring_models_are_audited(label):
    assert auditlog.contains(apps.get_model(label))


def test_a_sensitive_period_and_a_follow_up_are_in_the_audit_log(world, office, luoxi):
    from anxin.core.audit import history_for
    from anxin.monitoring import scan, sensitive, watch
    from anxin.monitoring.models import WatchEntry
    from anxin.monitoring.tests.factories import observe

    period = sensitive.period_declare(
        actor=office, name="审计测试", start=timezone.localdate(), end=timezone.localdate()
    )
    assert [e.actor for e in history_for(period)] == [office]
    observe(world.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    scan.scan(as_of=datetime.date(2026, 11, 25))
    entry = watch.watch_confirm(actor=luoxi, entry=WatchEntry.objects.get(enterprise=world.luoxi_factory))
    followup = watch.followup_record(
        actor=luoxi, entry=entry, visited_on=timezone.localdate(), wage_status="已发放"
    )
    assert history_for(followup).get().actor == luoxi


@pytest.fixture
def later(world):
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=True):
        yield world


def test_the_scan_writes_no_audit_rows_and_a_quiet_tick_reassesses_nobody(
    later, django_capture_on_commit_callbacks
):
    from anxin.monitoring import scan
    from anxin.monitoring.models import Alert, ImmediateReport, WatchEntry
    from anxin.monitoring.tests.factories import observe

    scan.scan_district(as_of=datetime.date(2026, 11, 25))  # the first: full
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=True),
        django_capture_on_commit_callbacks(execute=False),  # no re-assessment on commit
    ):
        observe(later.luoxi_factory, "wage_arrears_months", "2026-11", 3)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2), tick=True):
        logged = LogEntry.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            first = scan.scan_district(as_of=datetime.date(2026, 11, 25))
        # It found the change and wrote alerts, a draft report and a watch proposal …
        assert (first.mode, first.assessed) == ("changed", 1) and first.opened >= 2
        assert Alert.objects.exists() and ImmediateReport.objects.exists() and WatchEntry.objects.exists()
        # … and not one audit row.
        assert LogEntry.objects.count() == logged
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=3), tick=True):
        second = scan.scan_district(as_of=datetime.date(2026, 11, 25))
    assert (second.mode, second.assessed) == ("changed", 0)
