"""Writes to case data. Views, imports, the API, commands and tasks call these; nothing else saves case records.

``records`` is the one validated save path they all use, ``cases`` holds the case record writes,
``meetings`` those of meeting mode, ``submissions`` the double-submit tokens, ``tracker_facts``
the check and repair of the tracker's stored facts, and ``retention`` legal holds and the purge of
closed cases past their retention period.
"""

from cases.services.cases import (
    assessment_save,
    case_create,
    child_order_save,
    child_save,
    delay_event_save,
    episode_save,
    extension_save,
    family_save,
    hearing_outcome_record,
    hearing_save,
    pp_meeting_save,
    proceedings_save,
)
from cases.services.meetings import (
    CLOSED_MESSAGE,
    MeetingStepError,
    NewAction,
    action_complete,
    action_create,
    meeting_close,
    meeting_item_decide,
    meeting_item_record,
    meeting_open,
)
from cases.services.retention import PurgeSummary, closed_cases_purge, family_legal_hold_set
from cases.services.submissions import submission_claim, submission_release
from cases.services.tracker_facts import facts_drift, facts_rebuild, facts_repair

__all__ = [
    "CLOSED_MESSAGE",
    "MeetingStepError",
    "NewAction",
    "PurgeSummary",
    "action_complete",
    "action_create",
    "assessment_save",
    "case_create",
    "child_order_save",
    "child_save",
    "closed_cases_purge",
    "delay_event_save",
    "episode_save",
    "extension_save",
    "facts_drift",
    "facts_rebuild",
    "facts_repair",
    "family_legal_hold_set",
    "family_save",
    "hearing_outcome_record",
    "hearing_save",
    "meeting_close",
    "meeting_item_decide",
    "meeting_item_record",
    "meeting_open",
    "pp_meeting_save",
    "proceedings_save",
    "submission_claim",
    "submission_release",
]
