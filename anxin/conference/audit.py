"""Field-level history of the conference's records (django-auditlog). Event tables (``MeetingEvent``,
``DecisionEvent``) are append-only histories themselves."""

from auditlog.registry import auditlog

from anxin.conference.models import (
    ConferencePost,
    Decision,
    DecisionReport,
    Meeting,
    MeetingProposal,
    MeetingUnit,
    Minutes,
    SupervisionNotice,
)

auditlog.register(ConferencePost)
auditlog.register(Meeting, m2m_fields={"papers"})
auditlog.register(MeetingUnit)
auditlog.register(MeetingProposal)
auditlog.register(Minutes, m2m_fields={"issued_to"})
auditlog.register(Decision, m2m_fields={"co_units"})
auditlog.register(DecisionReport)
auditlog.register(SupervisionNotice)
