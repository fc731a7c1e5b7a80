"""Forms: GOV.UK building blocks (``fields``), one form per milestone (``milestones``), meeting mode (``meetings``)."""

from cases.forms.fields import GovukDateField, GovukDateWidget, MilestoneForm, add_service_errors
from cases.forms.meetings import ActionForm, ActionFormSet, ItemDecisionForm, MeetingOpenForm, MeetingStep
from cases.forms.milestones import (
    AssessmentForm,
    CaseForm,
    CaseSearchForm,
    ChildForm,
    ChildOrderForm,
    DecisionForm,
    DelayEventForm,
    EpisodeStartForm,
    ExtensionForm,
    FamilyMeetingForm,
    HearingForm,
    HearingOutcomeForm,
    LetterForm,
    PPMeetingForm,
    ProceedingsForm,
)

__all__ = [
    "ActionForm",
    "ActionFormSet",
    "AssessmentForm",
    "CaseForm",
    "CaseSearchForm",
    "ChildForm",
    "ChildOrderForm",
    "DecisionForm",
    "DelayEventForm",
    "EpisodeStartForm",
    "ExtensionForm",
    "FamilyMeetingForm",
    "GovukDateField",
    "GovukDateWidget",
    "HearingForm",
    "HearingOutcomeForm",
    "ItemDecisionForm",
    "LetterForm",
    "MeetingOpenForm",
    "MeetingStep",
    "MilestoneForm",
    "PPMeetingForm",
    "ProceedingsForm",
    "add_service_errors",
]
