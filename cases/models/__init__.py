"""The regional PLO schema: organisations, users, reference data, children and their PLO records.

Every identifiable record carries its local authority and is read through
``visible_to(user)``. Field ``help_text`` is the region's agreed definition: the data
dictionary page is generated from it. CIN census / SSD names are in ``cases.mapping``.

The models live in topic modules and are all importable from here (``from cases import models
as m``); the app label, tables, migrations and history triggers are unchanged.
"""

from cases.models.api import IdempotencyKey
from cases.models.assessments import Assessment, DelayEvent
from cases.models.audit import ReadAudit, ReadKind
from cases.models.imports import ImportMapping, ImportRun, ImportStatus
from cases.models.jobs import JobStatus, QueuedJob
from cases.models.meetings import MeetingAction, MeetingAttendee, MeetingItem, TrackerMeeting
from cases.models.organisations import Area, LocalAuthority, Team, User, UserManager
from cases.models.people import (
    CaseNote,
    DocumentKind,
    DocumentLink,
    FamilyMember,
    MemberRole,
    NoteKind,
    Person,
    Professional,
    ProfessionalRole,
)
from cases.models.pre_proceedings import PreProceedingsEpisode, PreProceedingsMeeting
from cases.models.proceedings import ChildProceedings, Extension, Hearing, Proceedings, listed_as_at, listed_as_at_sql
from cases.models.records import (
    CaseRecord,
    Child,
    Family,
    FieldCheckConstraint,
    ScopedQuerySet,
    on_or_after,
    track_history,
)
from cases.models.reference import (
    AssessmentType,
    ChildPopulation,
    Court,
    DelayDriver,
    DelayReason,
    HearingType,
    NationalComparator,
    OrderOutcome,
    ReferenceCode,
    Threshold,
)
from cases.models.tracker import TrackerRow

__all__ = [
    "Area",
    "Assessment",
    "AssessmentType",
    "CaseNote",
    "CaseRecord",
    "Child",
    "ChildPopulation",
    "ChildProceedings",
    "Court",
    "DelayDriver",
    "DelayEvent",
    "DelayReason",
    "DocumentKind",
    "DocumentLink",
    "Extension",
    "Family",
    "FamilyMember",
    "FieldCheckConstraint",
    "Hearing",
    "HearingType",
    "IdempotencyKey",
    "ImportMapping",
    "ImportRun",
    "ImportStatus",
    "JobStatus",
    "LocalAuthority",
    "MeetingAction",
    "MeetingAttendee",
    "MeetingItem",
    "MemberRole",
    "NationalComparator",
    "NoteKind",
    "OrderOutcome",
    "Person",
    "PreProceedingsEpisode",
    "PreProceedingsMeeting",
    "Proceedings",
    "Professional",
    "ProfessionalRole",
    "QueuedJob",
    "ReadAudit",
    "ReadKind",
    "ReferenceCode",
    "ScopedQuerySet",
    "Team",
    "Threshold",
    "TrackerMeeting",
    "TrackerRow",
    "User",
    "UserManager",
    "listed_as_at",
    "listed_as_at_sql",
    "on_or_after",
    "track_history",
]
