"""Audit-log registration for monitoring: what people edit (the watch list and its follow-ups,
immediate reports, sensitive periods and their daily reports, screening campaigns and tasks, the
indicator list) is in the audit log. What the scan derives in bulk (assessments, alerts, scan
runs, level changes) and the append-only event tables are not — see tests/test_audit_coverage.py.

Workflow steps move a status with a conditional ``UPDATE … WHERE status = old`` (DESIGN rule 4),
which Django's save signals — and so django-auditlog — never see. ``guarded_update`` does that
update and writes the audit-log entry (the field diff) itself, in the same transaction; it lives
in ``anxin.core.audit`` (the cases app uses it too) and is re-exported here.
"""

from __future__ import annotations

from auditlog.registry import auditlog

from anxin.core.audit import guarded_update
from anxin.monitoring.models import (
    DailyReport,
    FollowUp,
    ImmediateReport,
    Indicator,
    LeaderInstruction,
    ReportReading,
    ScreeningCampaign,
    ScreeningTask,
    SensitivePeriod,
    WatchEntry,
)

auditlog.register(Indicator)
auditlog.register(WatchEntry)
auditlog.register(FollowUp)
auditlog.register(ImmediateReport)
auditlog.register(LeaderInstruction, m2m_fields={"units"})
auditlog.register(ReportReading)
auditlog.register(SensitivePeriod)
auditlog.register(DailyReport)
auditlog.register(ScreeningCampaign, m2m_fields={"kinds", "towns"})
auditlog.register(ScreeningTask)

__all__ = ["guarded_update"]
