"""The Standard Safeguarding Dataset (data-to-insight) table ``ssd_pre_proceedings`` as CSV.

Column names are data-to-insight's own (its data model ``ssd_pre_proceedings.yml``, items PREP001A
to PREP024A, including its spelling ``prep_la_inital_plan_approved``). One row per child per
pre-proceedings episode of the LA, every year PLO Tracker holds. Each column's source field is
listed in ``COLUMNS``; every one of them is mapped to the SSD in ``cases.mapping`` (a test checks).
Yes/no columns are Y, N or U (not known); dates ISO 8601; codes as the SSD guidance lists them
where it has a list that PLO Tracker's codes match one to one (legal gateway outcome A-C,
short-notice reason A-C, pre-proceedings outcome); the care plans are PLO Tracker's shared codes (the
SSD's list is of orders, not plans). Not held by PLO Tracker, so empty: the number of child
protection plans (PREP007A) and the parents' representation at the point of issue (PREP015A).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from cases import constants as c
from cases import models as m

# (column, source model and field in cases.mapping, or None when PLO Tracker does not hold it)
COLUMNS: tuple[tuple[str, tuple[str, str] | None], ...] = (
    ("prep_table_id", None),
    ("prep_person_id", ("Child", "la_child_id")),
    ("prep_plo_family_id", ("Family", "la_reference")),
    ("prep_pre_pro_decision_date", ("PreProceedingsEpisode", "start_date")),
    ("prep_initial_pre_pro_meeting_date", ("PreProceedingsMeeting", "meeting_date")),
    ("prep_pre_pro_outcome", ("PreProceedingsEpisode", "outcome")),
    ("prep_agree_stepdown_issue_date", ("PreProceedingsEpisode", "step_decision_date")),
    ("prep_cp_plans_referral_period", None),
    ("prep_legal_gateway_outcome", ("PreProceedingsEpisode", "gateway_outcome")),
    ("prep_prev_pre_proc_child", ("PreProceedingsEpisode", "previous_pre_proceedings")),
    ("prep_prev_care_proc_child", ("PreProceedingsEpisode", "previous_care_proceedings")),
    ("prep_pre_pro_letter_date", ("PreProceedingsEpisode", "lbp_sent_date")),
    ("prep_care_pro_letter_date", ("PreProceedingsEpisode", "letter_initiating_cp_date")),
    ("prep_pre_pro_meetings_num", ("PreProceedingsEpisode", "recorded_review_count")),
    ("prep_pre_pro_parents_legal_rep", ("PreProceedingsEpisode", "parents_legal_representation")),
    ("prep_parents_legal_rep_point_of_issue", None),
    ("prep_court_reference", ("Proceedings", "court_case_number")),
    ("prep_care_proc_court_hearings", ("Hearing", "listed_date")),
    ("prep_care_proc_short_notice", ("Proceedings", "short_notice")),
    ("prep_proc_short_notice_reason", ("Proceedings", "short_notice_reason")),
    ("prep_la_inital_plan_approved", ("ChildProceedings", "interim_plan_approved")),
    ("prep_la_initial_care_plan", ("ChildProceedings", "interim_plan")),
    ("prep_la_final_plan_approved", ("ChildProceedings", "final_plan_approved")),
    ("prep_la_final_care_plan", ("ChildProceedings", "final_plan")),
)
HEADERS = [name for name, _source in COLUMNS]

GATEWAY_CODES = {
    c.GatewayOutcome.CONTINUE_PLAN: "A",
    c.GatewayOutcome.START_PRE_PROCEEDINGS: "B",
    c.GatewayOutcome.ISSUE_PROCEEDINGS: "C",
}
OUTCOME_TEXT = {
    c.PPOutcome.ISSUE: "Decision to Issue Care Proceedings",
    c.PPOutcome.STEP_DOWN: "Decision to step down",
    c.PPOutcome.OTHER: "Other",
}
SHORT_NOTICE_CODES = {
    c.ShortNoticeReason.IMMEDIATE_SAFETY: "A",
    c.ShortNoticeReason.ABDUCTION: "A",  # the SSD's (A) includes an immediate threat of abduction
    c.ShortNoticeReason.EPO_CRITERIA: "B",
    c.ShortNoticeReason.OTHER: "C",
}
REPRESENTATION_CODES = {
    c.LegalRepresentation.ALL: "Y",
    c.LegalRepresentation.SOME: "Y",  # at least one parent was represented
    c.LegalRepresentation.NONE: "N",
    c.LegalRepresentation.UNKNOWN: "U",
}


def _yes_no(value: bool | None) -> str:
    return {True: "Y", False: "N"}.get(value, "U")


def ssd_episodes(*, local_authority: m.LocalAuthority) -> QuerySet[m.PreProceedingsEpisode]:
    """Every episode of the LA with what its rows need, in a fixed number of queries."""
    return (
        m.PreProceedingsEpisode.objects.filter(local_authority=local_authority, start_date__isnull=False)
        .select_related("family")
        .prefetch_related(
            Prefetch("children", queryset=m.Child.objects.order_by("la_child_id")),
            Prefetch("meetings", queryset=m.PreProceedingsMeeting.objects.order_by("meeting_date", "pk")),
            Prefetch(
                "proceedings",
                queryset=m.Proceedings.objects.order_by("issue_date", "pk").prefetch_related("child_parts", "hearings"),
            ),
            Prefetch(
                "children__episodes",
                queryset=m.PreProceedingsEpisode.objects.only("pk", "start_date"),
                to_attr="all_episodes",
            ),
            Prefetch(
                "children__proceedings_parts",
                queryset=m.ChildProceedings.objects.select_related("proceedings").only("pk", "child_id", "proceedings"),
                to_attr="all_parts",
            ),
        )
        .order_by("start_date", "pk")
    )


def _earlier_count(dates: Iterable[dt.date | None], start: dt.date, flagged: bool) -> int:
    """Earlier periods recorded for the child; at least 1 when the episode says there was one."""
    count = sum(1 for day in dates if day is not None and day < start)
    return max(count, 1 if flagged else 0)


def _review_count(episode: m.PreProceedingsEpisode) -> int | None:
    reviews = [meeting for meeting in episode.meetings.all() if meeting.kind == c.MeetingKind.REVIEW]
    if reviews:
        return len(reviews)
    return episode.recorded_review_count


def _childs_application(episode: m.PreProceedingsEpisode, child: m.Child):
    """The first application the episode led to that the child is part of, and the child's part in it."""
    for proceedings in episode.proceedings.all():
        for part in proceedings.child_parts.all():
            if part.child_id == child.pk:
                return proceedings, part
    return None, None


def ssd_rows(episodes: Iterable[m.PreProceedingsEpisode]) -> Iterable[list]:
    """One row per child per episode, in ``HEADERS`` order."""
    for episode in episodes:
        initial = next((x.meeting_date for x in episode.meetings.all() if x.kind == c.MeetingKind.INITIAL), None)
        for child in episode.children.all():
            proceedings, part = _childs_application(episode, child)
            yield [
                f"{episode.pk}-{child.pk}",
                child.la_child_id,
                episode.family.la_reference,
                episode.start_date,
                initial,
                OUTCOME_TEXT.get(episode.outcome, ""),
                episode.step_decision_date,
                None,
                GATEWAY_CODES.get(episode.gateway_outcome, "D"),
                _earlier_count(
                    (e.start_date for e in child.all_episodes), episode.start_date, episode.previous_pre_proceedings
                ),
                _earlier_count(
                    (p.proceedings.issue_date for p in child.all_parts),
                    episode.start_date,
                    episode.previous_care_proceedings,
                ),
                episode.lbp_sent_date,
                episode.letter_initiating_cp_date,
                _review_count(episode),
                REPRESENTATION_CODES.get(episode.parents_legal_representation, "U"),
                None,
                proceedings.court_case_number if proceedings else None,
                sum(1 for hearing in proceedings.hearings.all() if hearing.took_place) if proceedings else None,
                _yes_no(proceedings.short_notice) if proceedings else None,
                SHORT_NOTICE_CODES.get(proceedings.short_notice_reason, "") if proceedings else None,
                _yes_no(part.interim_plan_approved) if part else None,
                part.interim_plan if part else None,
                _yes_no(part.final_plan_approved) if part else None,
                part.final_plan if part else None,
            ]
