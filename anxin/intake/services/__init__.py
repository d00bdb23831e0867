"""Writes of the intake: recording signals from every channel, routing, verification, dedup,
triage, the worker portal's answers, and enterprise self-reports (§三(一), §四(一)).

Every function here is a service (DESIGN rule 2): keyword-only, takes ``actor``, one transaction,
an append-only ``SignalEvent`` for every change, notifications only after commit.

One module per job; each imports what it needs from its siblings:

- ``reference``  the channels from the district file, and which an officer may use
- ``facts``      the facts' checks and normalisation, the uploads' checks, the verification deadline
- ``recording``  recording signals (one or a batch), re-sends, duplicates, announcements, files
- ``workflow``   the stage transitions (``STAGES``) and who may act; accept, verify, handle, close,
                 reply, note
- ``triage``     the office's urging, matching, keeping apart and merging
- ``sweep``      the periodic sweeps (overdue verification, the portal's rate-limit records)
- ``portal``     the public portal: report, lookup by tracking code, rating, limits
- ``selfreport`` the enterprise's written arrears report and its timeliness

The public names are re-exported here for callers outside intake (``from anxin.intake import
services; services.signal_verify(...)``). A test that replaces a name must patch the module
where it lives (``services.portal.signal_record``), not this package.
"""

from anxin.intake.services.facts import (
    CLOCK_SKEW,
    FACT_FIELDS,
    MAX_AMOUNT_FEN,
    PORTAL_PHOTOS,
    clean_facts,
    files_problem,
    portal_problems,
    verification_due,
)
from anxin.intake.services.portal import (
    CODE_ALPHABET,
    CODE_LENGTH,
    material_relays_deliver,
    merged_reopens_follow,
    new_tracking_code,
    normalize_tracking_code,
    portal_add_material,
    portal_limited,
    portal_lookup,
    portal_rate,
    portal_recover_request,
    portal_recover_verify,
    portal_submit,
)
from anxin.intake.services.recording import (
    Incoming,
    Recorded,
    attachment_store,
    portal_reports_route,
    signal_record,
    signals_record,
)
from anxin.intake.services.reference import channels_for, district_load_channels
from anxin.intake.services.selfreport import self_report_record, self_report_timeliness
from anxin.intake.services.sweep import (
    followups_escalate,
    portal_attempts_purge,
    portal_progress_refresh,
    portal_projects_refresh,
    recovery_codes_purge,
    signals_mark_overdue,
)
from anxin.intake.services.triage import (
    signal_keep,
    signal_match,
    signal_match_new_enterprise,
    signal_merge,
    signal_urge,
)
from anxin.intake.services.workflow import (
    HANDLER,
    STAGES,
    TRANSITIONS,
    allowed_actions,
    is_handler,
    open_cases,
    signal_accept,
    signal_close,
    signal_handle,
    signal_note,
    signal_reply,
    signal_verify,
)

__all__ = [
    "CLOCK_SKEW",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "FACT_FIELDS",
    "HANDLER",
    "MAX_AMOUNT_FEN",
    "PORTAL_PHOTOS",
    "STAGES",
    "TRANSITIONS",
    "Incoming",
    "Recorded",
    "allowed_actions",
    "attachment_store",
    "channels_for",
    "clean_facts",
    "district_load_channels",
    "files_problem",
    "followups_escalate",
    "is_handler",
    "material_relays_deliver",
    "merged_reopens_follow",
    "new_tracking_code",
    "normalize_tracking_code",
    "open_cases",
    "portal_add_material",
    "portal_attempts_purge",
    "portal_limited",
    "portal_lookup",
    "portal_problems",
    "portal_progress_refresh",
    "portal_projects_refresh",
    "portal_rate",
    "portal_recover_request",
    "portal_recover_verify",
    "portal_reports_route",
    "portal_submit",
    "recovery_codes_purge",
    "self_report_record",
    "self_report_timeliness",
    "signal_accept",
    "signal_close",
    "signal_handle",
    "signal_keep",
    "signal_match",
    "signal_match_new_enterprise",
    "signal_merge",
    "signal_note",
    "signal_record",
    "signal_reply",
    "signal_urge",
    "signal_verify",
    "signals_mark_overdue",
    "signals_record",
    "verification_due",
]
