"""The SSD ssd_pre_proceedings table: data-to-insight's column names, and a row worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from cases import constants as c
from cases import models as m
from cases.extracts import ssd
from cases.mapping import mapping_for
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date

# data-to-insight's ssd_pre_proceedings, items PREP001A-PREP024A, in its table's order (its spelling).
D2I_COLUMNS = [
    "prep_table_id",
    "prep_person_id",
    "prep_plo_family_id",
    "prep_pre_pro_decision_date",
    "prep_initial_pre_pro_meeting_date",
    "prep_pre_pro_outcome",
    "prep_agree_stepdown_issue_date",
    "prep_cp_plans_referral_period",
    "prep_legal_gateway_outcome",
    "prep_prev_pre_proc_child",
    "prep_prev_care_proc_child",
    "prep_pre_pro_letter_date",
    "prep_care_pro_letter_date",
    "prep_pre_pro_meetings_num",
    "prep_pre_pro_parents_legal_rep",
    "prep_parents_legal_rep_point_of_issue",
    "prep_court_reference",
    "prep_care_proc_court_hearings",
    "prep_care_proc_short_notice",
    "prep_proc_short_notice_reason",
    "prep_la_inital_plan_approved",
    "prep_la_initial_care_plan",
    "prep_la_final_plan_approved",
    "prep_la_final_care_plan",
]


def test_it_names_the_columns_as_data_to_insight_does():
    assert ssd.HEADERS == D2I_COLUMNS


def test_it_takes_each_column_from_a_field_mapped_to_the_ssd():
    for column, source in ssd.COLUMNS:
        if source is not None:
            assert mapping_for(*source).ssd, (column, source)


@pytest.fixture
def issued_family(la_a, la_b):
    family = f.FamilyFactory(local_authority=la_a, la_reference="FAM-0042", name="Elm")
    child = f.ChildFactory(family=family, la_child_id="E0042")
    sibling = f.ChildFactory(family=family, la_child_id="E0043")
    # An earlier episode and earlier proceedings of the child.
    f.EpisodeFactory(
        family=family,
        children=[child],
        gateway_meeting_date=D(2022, 1, 10),
        start_date=D(2022, 1, 10),
        step_decision_date=D(2022, 5, 3),
        outcome=c.PPOutcome.STEP_DOWN,
    )
    earlier = f.ProceedingsFactory(family=family, issue_date=D(2023, 2, 1), concluded_date=D(2023, 9, 1))
    f.ChildProceedingsFactory(proceedings=earlier, child=child)
    episode = f.EpisodeFactory(
        family=family,
        children=[child, sibling],
        gateway_meeting_date=D(2025, 3, 3),
        start_date=D(2025, 3, 3),
        lbp_sent_date=D(2025, 3, 5),
        previous_pre_proceedings=True,
        previous_care_proceedings=True,
        parents_legal_representation=c.LegalRepresentation.SOME,
        step_decision_date=D(2025, 7, 1),
        outcome=c.PPOutcome.ISSUE,
        court_application_date=D(2025, 7, 4),
        letter_initiating_cp_date=D(2025, 7, 4),
    )
    f.MeetingFactory(episode=episode, kind="initial", meeting_date=D(2025, 3, 17))
    f.MeetingFactory(episode=episode, kind="review", meeting_date=D(2025, 4, 28))
    proceedings = f.ProceedingsFactory(
        family=family,
        episode=episode,
        court_case_number="CM25C00042",
        issue_date=D(2025, 7, 7),
        short_notice=True,
        short_notice_reason=c.ShortNoticeReason.EPO_CRITERIA,
    )
    f.ChildProceedingsFactory(
        proceedings=proceedings,
        child=child,
        interim_plan=c.CarePlan.FAMILY_OR_FRIENDS,
        interim_plan_approved=True,
        final_plan="",
        final_plan_approved=None,
    )
    f.ChildProceedingsFactory(proceedings=proceedings, child=sibling)
    f.HearingFactory(proceedings=proceedings, listed_date=D(2025, 7, 21), status=c.HearingStatus.HELD)
    reason = m.DelayReason.objects.get(code="expert_late_report")
    f.HearingFactory(
        proceedings=proceedings, listed_date=D(2025, 9, 1), status=c.HearingStatus.ADJOURNED, reason=reason
    )
    f.HearingFactory(
        proceedings=proceedings,
        listed_on=D(2025, 7, 7),
        listed_date=D(2025, 10, 6),
        status=c.HearingStatus.VACATED,
        vacated_on=D(2025, 10, 1),
        reason=reason,
    )
    # Another LA's episode is never in LA A's table.
    other = f.FamilyFactory(local_authority=la_b)
    f.EpisodeFactory(family=other, children=[f.ChildFactory(family=other, la_child_id="S0001")])
    return episode, child


def test_it_writes_a_row_for_each_child_of_each_episode_worked_out_by_hand(issued_family, la_a):
    episode, child = issued_family

    rows = {
        row[0]: dict(zip(ssd.HEADERS, row, strict=True)) for row in ssd.ssd_rows(ssd.ssd_episodes(local_authority=la_a))
    }

    assert len(rows) == 3  # the earlier episode's child, and the two children of the issued one
    assert rows[f"{episode.pk}-{child.pk}"] == {
        "prep_table_id": f"{episode.pk}-{child.pk}",
        "prep_person_id": "E0042",
        "prep_plo_family_id": "FAM-0042",
        "prep_pre_pro_decision_date": D(2025, 3, 3),
        "prep_initial_pre_pro_meeting_date": D(2025, 3, 17),
        "prep_pre_pro_outcome": "Decision to Issue Care Proceedings",
        "prep_agree_stepdown_issue_date": D(2025, 7, 1),
        "prep_cp_plans_referral_period": None,
        "prep_legal_gateway_outcome": "B",
        "prep_prev_pre_proc_child": 1,  # the 2022 episode
        "prep_prev_care_proc_child": 1,  # the 2023 application
        "prep_pre_pro_letter_date": D(2025, 3, 5),
        "prep_care_pro_letter_date": D(2025, 7, 4),
        "prep_pre_pro_meetings_num": 1,
        "prep_pre_pro_parents_legal_rep": "Y",
        "prep_parents_legal_rep_point_of_issue": None,
        "prep_court_reference": "CM25C00042",
        "prep_care_proc_court_hearings": 2,  # held and adjourned on the day; the vacated one did not take place
        "prep_care_proc_short_notice": "Y",
        "prep_proc_short_notice_reason": "B",
        "prep_la_inital_plan_approved": "Y",
        "prep_la_initial_care_plan": "family_or_friends",
        "prep_la_final_plan_approved": "U",
        "prep_la_final_care_plan": "",
    }


def test_it_counts_a_previous_episode_the_episode_says_there_was_when_none_is_recorded(la_a):
    family = f.FamilyFactory(local_authority=la_a)
    child = f.ChildFactory(family=family)
    episode = f.EpisodeFactory(family=family, children=[child], previous_pre_proceedings=True)

    (row,) = ssd.ssd_rows(ssd.ssd_episodes(local_authority=la_a))

    values = dict(zip(ssd.HEADERS, row, strict=True))
    assert values["prep_table_id"] == f"{episode.pk}-{child.pk}"
    assert (values["prep_prev_pre_proc_child"], values["prep_prev_care_proc_child"]) == (1, 0)
    assert values["prep_court_reference"] is None
    assert values["prep_pre_pro_outcome"] == ""


def test_it_reads_the_table_in_a_fixed_number_of_queries(issued_family, la_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        list(ssd.ssd_rows(ssd.ssd_episodes(local_authority=la_a)))
