"""Monitoring (§四(一)(二), §五(二)): monthly indicators per enterprise, the risk each enterprise
carries (with the rules that fired, their evidence and the parameter values used), and alerts.

The rules themselves are code (``rules.py``: pure functions); what they found is data here, one
module per sub-domain: ``indicators`` (indicators and observations), ``risk`` (assessments, scans,
level changes, alerts), ``reports`` (immediate reports), ``watch`` (the watch list), ``sensitive``
(sensitive periods), ``screening`` (screening campaigns). Every model is imported here, so
``from anxin.monitoring.models import X`` works and Django finds them all.
"""

from anxin.monitoring.models.indicators import (
    Indicator,
    IndicatorKind,
    Observation,
    ObservationQuerySet,
    about_enterprises_of,
)
from anxin.monitoring.models.reports import (
    ImmediateReport,
    ImmediateReportEvent,
    ImmediateReportQuerySet,
    LeaderInstruction,
    ReportReading,
    ReportStatus,
)
from anxin.monitoring.models.risk import (
    ACTIVE_ALERT,
    LEVEL_RANK,
    Alert,
    AlertEvent,
    AlertQuerySet,
    AlertStatus,
    AssessmentQuerySet,
    Level,
    RiskAssessment,
    RiskChange,
    ScanRun,
    ScanShard,
)
from anxin.monitoring.models.screening import ScreeningCampaign, ScreeningTask, ScreeningTaskQuerySet
from anxin.monitoring.models.sensitive import DailyReport, MissingDailyReport, SensitivePeriod
from anxin.monitoring.models.watch import (
    LIVE_WATCH,
    FollowUp,
    WatchEntry,
    WatchEntryQuerySet,
    WatchEvent,
    WatchStatus,
)

__all__ = [
    "ACTIVE_ALERT",
    "LEVEL_RANK",
    "LIVE_WATCH",
    "Alert",
    "AlertEvent",
    "AlertQuerySet",
    "AlertStatus",
    "AssessmentQuerySet",
    "DailyReport",
    "FollowUp",
    "ImmediateReport",
    "ImmediateReportEvent",
    "ImmediateReportQuerySet",
    "Indicator",
    "IndicatorKind",
    "LeaderInstruction",
    "Level",
    "MissingDailyReport",
    "Observation",
    "ObservationQuerySet",
    "ReportReading",
    "ReportStatus",
    "RiskAssessment",
    "RiskChange",
    "ScanRun",
    "ScanShard",
    "ScreeningCampaign",
    "ScreeningTask",
    "ScreeningTaskQuerySet",
    "SensitivePeriod",
    "WatchEntry",
    "WatchEntryQuerySet",
    "WatchEvent",
    "WatchStatus",
    "about_enterprises_of",
]
