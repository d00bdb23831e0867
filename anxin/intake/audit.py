"""Audit-log registration for the intake (reporters' personal data masked in diffs)."""

from auditlog.registry import auditlog

from anxin.intake.models import Channel, ReportClosure, SelfReport, Signal

auditlog.register(Channel)
# The tracking code is the worker's key to the portal (with their phone): never in the history.
# ``self_report`` is the reverse side of SelfReport.signal, no column of the signal: reading it for
# the diff of a new report would query the self-reports (which the portal's database role may not).
auditlog.register(
    Signal,
    exclude_fields=[
        "created_at",
        "updated_at",
        "reporter_phone_index",
        "source_ip_hash",
        "tracking_code",
        "self_report",
    ],
    mask_fields=["reporter_phone", "reporter_id_number"],
)
auditlog.register(SelfReport, exclude_fields=["created_at", "updated_at"])
auditlog.register(ReportClosure)
