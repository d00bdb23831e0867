"""Audit-log registration for monitoring: what people edit (the watch list and its follow-ups,
immediate reports, sensitive periods and their daily reports, screening campaigns and tasks, the
indicator list) is in the audit log. What the scan derives in bulk (assessments, alerts, scan
runs, level changes) and the append-only event tables are not — see tests/test_audit_coverage.py.

Workflow steps move a status with a conditional ``UPDATE … WHERE status = old`` (DESIGN rule 4),
which Django's save signals — and so django-auditlog — never see. ``guarded_update`` does that
update and writes the audit-log entry (the field diff) itself, in the same transaction.
"""

from __future__ import annotations

from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog

from anxin.monitoring.models import (
    DailyReport,
    FollowUp,
    ImmediateReport,
    Indicator,
    ScreeningCampaign,
    ScreeningTask,
    SensitivePeriod,
    WatchEntry,
)

auditlog.register(Indicator)
auditlog.register(WatchEntry)
auditlog.register(FollowUp)
auditlog.register(ImmediateReport)
auditlog.register(SensitivePeriod)
auditlog.register(DailyReport)
auditlog.register(ScreeningCampaign, m2m_fields={"kinds", "towns"})
auditlog.register(ScreeningTask)


def guarded_update(queryset, pk: int, **values) -> int:
    """``queryset.filter(pk=pk).update(**values)`` (the caller's guard is in ``queryset``), plus
    an audit-log entry with the field diff when one row moved. Returns the rows touched."""
    model = queryset.model
    before = model._base_manager.filter(pk=pk).first()
    touched = queryset.filter(pk=pk).update(**values)
    if touched == 1 and before is not None:
        after = model._base_manager.get(pk=pk)
        changes = model_instance_diff(before, after)
        if changes:
            LogEntry.objects.log_create(after, action=LogEntry.Action.UPDATE, changes=changes)
    return touched
