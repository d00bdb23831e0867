"""The joint conference's records (§二): meetings and proposals, minutes and decisions."""

from anxin.conference.models.files import ConferenceFile
from anxin.conference.models.meetings import (
    ChairPost,
    ConferencePost,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingPack,
    MeetingProposal,
    MeetingStatus,
    MeetingUnit,
    ProposalStatus,
    Topic,
)
from anxin.conference.models.minutes import (
    ACTIVE,
    FOLLOWED,
    Decision,
    DecisionEvent,
    DecisionReport,
    DecisionStatus,
    Minutes,
    MinutesStatus,
    ReportKind,
    SupervisionNotice,
)

__all__ = [
    "ACTIVE",
    "FOLLOWED",
    "ChairPost",
    "ConferenceFile",
    "ConferencePost",
    "Decision",
    "DecisionEvent",
    "DecisionReport",
    "DecisionStatus",
    "Meeting",
    "MeetingEvent",
    "MeetingKind",
    "MeetingPack",
    "MeetingProposal",
    "MeetingStatus",
    "MeetingUnit",
    "Minutes",
    "MinutesStatus",
    "ProposalStatus",
    "ReportKind",
    "SupervisionNotice",
    "Topic",
]
