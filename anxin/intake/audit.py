"""Audit-log registration for the intake (reporters' personal data masked in diffs)."""

from auditlog.registry import auditlog

from anxin.intake.models import Channel, ReportClosure, SelfReport, Signal

auditlog.register(Channel)
# The tracking code is the worker's key to the portal (with their phone): never in the history.
auditlog.register(
    Signal,
    exclude_fields=["created_at", "updated_at", "reporter_phone_index", "source_ip_hash", "tracking_code"],
    mask_fields=["reporter_phone", "reporter_id_number"],
)
auditlog.register(SelfReport, exclude_fields=["created_at", "updated_at"])
auditlog.register(ReportClosure)
