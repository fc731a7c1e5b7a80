"""How PLO Tracker fields map to the national returns, so extracts map 1:1.

- CIN: the Children in Need census 2026-27 (pre-proceedings block and child identifiers).
- SSD: the Standard Safeguarding Dataset (data-to-insight), mainly table ``ssd_pre_proceedings``;
  named here by the item it holds.

A field without an entry is PLO Tracker's own (the tracker needs it; neither return has it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mapping:
    cin: str = ""
    ssd: str = ""
    note: str = ""


FIELD_MAPPINGS: dict[tuple[str, str], Mapping] = {
    ("Family", "la_reference"): Mapping(ssd="ssd_pre_proceedings: family id (groups siblings who go through together)"),
    ("Child", "la_child_id"): Mapping(cin="LAchildID", ssd="person id"),
    ("Child", "date_of_birth"): Mapping(cin="PersonBirthDate", ssd="person date of birth"),
    ("Child", "expected_due_date"): Mapping(cin="ExpectedPersonBirthDate", ssd="person expected date of birth"),
    ("Child", "sex"): Mapping(cin="Sex", ssd="person sex"),
    ("Child", "ethnicity"): Mapping(cin="Ethnicity", ssd="person ethnicity"),
    ("PreProceedingsEpisode", "gateway_outcome"): Mapping(ssd="ssd_pre_proceedings: legal gateway outcome"),
    ("PreProceedingsEpisode", "start_date"): Mapping(cin="PPStartDate", ssd="ssd_pre_proceedings: PLO start date"),
    ("PreProceedingsEpisode", "lbp_sent_date"): Mapping(
        cin="LBPSentDate", ssd="ssd_pre_proceedings: prep_pre_pro_letter_date"
    ),
    ("PreProceedingsEpisode", "fgdm_offered"): Mapping(cin="FGDMMeetingOffer"),
    ("PreProceedingsEpisode", "fgdm_facilitated"): Mapping(
        cin="FGDMMeetingFac", note="Required once the episode is decided if a meeting was offered."
    ),
    ("PreProceedingsEpisode", "previous_pre_proceedings"): Mapping(ssd="ssd_pre_proceedings: previous PLO episodes"),
    ("PreProceedingsEpisode", "previous_care_proceedings"): Mapping(
        ssd="ssd_pre_proceedings: previous care proceedings"
    ),
    ("PreProceedingsEpisode", "parents_legal_representation"): Mapping(
        ssd="ssd_pre_proceedings: parents' legal representation"
    ),
    ("PreProceedingsEpisode", "step_decision_date"): Mapping(
        cin="StepDecisionDate", ssd="ssd_pre_proceedings: prep_agree_stepdown_issue_date"
    ),
    ("PreProceedingsEpisode", "outcome"): Mapping(cin="PPOutcome", ssd="ssd_pre_proceedings: outcome"),
    ("PreProceedingsEpisode", "court_application_date"): Mapping(cin="CourtAppDate"),
    ("PreProceedingsEpisode", "letter_initiating_cp_date"): Mapping(
        cin="LetterInitCPDate", ssd="ssd_pre_proceedings: prep_care_pro_letter_date"
    ),
    ("PreProceedingsMeeting", "meeting_date"): Mapping(
        cin="InitialPPMeetingDate (initial meeting); ReviewMeetingsCount = number of review meetings",
        ssd="ssd_pre_proceedings: number of review meetings",
    ),
    ("PreProceedingsEpisode", "recorded_review_count"): Mapping(
        cin="ReviewMeetingsCount",
        ssd="ssd_pre_proceedings: number of review meetings",
        note="Used only when the episode has no dated review meetings (a count brought in from a tracker).",
    ),
    ("Proceedings", "court_case_number"): Mapping(ssd="ssd_pre_proceedings: court reference"),
    ("Proceedings", "short_notice"): Mapping(ssd="ssd_pre_proceedings: short notice application"),
    ("Proceedings", "short_notice_reason"): Mapping(ssd="ssd_pre_proceedings: short notice reason"),
    ("ChildProceedings", "interim_plan"): Mapping(ssd="ssd_pre_proceedings: LA initial care plan"),
    ("ChildProceedings", "interim_plan_approved"): Mapping(ssd="ssd_pre_proceedings: initial care plan approved"),
    ("ChildProceedings", "final_plan"): Mapping(ssd="ssd_pre_proceedings: LA final care plan"),
    ("ChildProceedings", "final_plan_approved"): Mapping(ssd="ssd_pre_proceedings: final care plan approved"),
    ("Hearing", "listed_date"): Mapping(ssd="ssd_pre_proceedings: number of hearings (hearings that took place)"),
}


def mapping_for(model_name: str, field_name: str) -> Mapping:
    return FIELD_MAPPINGS.get((model_name, field_name), Mapping())
