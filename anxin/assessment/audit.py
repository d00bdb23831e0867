"""Audit-log registration of the assessment's records (every change visible in the history)."""

from auditlog.registry import auditlog

from anxin.assessment.models import (
    AssessmentYear,
    Finding,
    HandScore,
    Indicator,
    Objection,
    Rectification,
    Referral,
    Scheme,
    Score,
    SpotCheck,
    SpotCheckItem,
    SpotCheckUnit,
    Trace,
    VetoCondition,
    VetoProposal,
)

for model in (
    Scheme,
    Indicator,
    AssessmentYear,
    HandScore,
    Objection,
    VetoCondition,
    VetoProposal,
    Finding,
    Referral,
    SpotCheck,
    SpotCheckUnit,
    SpotCheckItem,
    Rectification,
):
    auditlog.register(model)

# a provisional score is recomputed by every tick: its history keeps the points, not the clock
auditlog.register(Score, exclude_fields=["computed_at", "data_through"])
auditlog.register(Trace, exclude_fields=["steps", "missed"])
