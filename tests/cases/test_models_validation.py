"""Every schema rule: clean() names the field with a helpful message, and the database refuses
the row too where it can hold the rule (so imports and bulk writes cannot bypass it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import constants as c
from cases import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def assert_db_refuses(instance, constraint: str) -> None:
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        instance.save()


def episode(**changes):
    instance = f.EpisodeFactory(gateway_meeting_date=D(2025, 1, 6))
    for name, value in changes.items():
        setattr(instance, name, value)
    return instance


# (description, builder, field with the error, words in the message, database constraint or None)
EPISODE_RULES = [
    (
        "start before gateway",
        lambda: episode(start_date=D(2025, 1, 1)),
        "start_date",
        "on or after the legal gateway meeting",
        "episode_start_after_gateway",
    ),
    (
        "LBP before start",
        lambda: episode(lbp_sent_date=D(2025, 1, 2)),
        "lbp_sent_date",
        "on or after the pre-proceedings start date",
        "episode_lbp_after_start",
    ),
    (
        "decision before start",
        lambda: episode(step_decision_date=D(2025, 1, 1), outcome=c.PPOutcome.STEP_DOWN),
        "step_decision_date",
        "on or after the pre-proceedings start date",
        "episode_decision_after_start",
    ),
    (
        "court application before decision",
        lambda: episode(
            step_decision_date=D(2025, 5, 1), outcome=c.PPOutcome.ISSUE, court_application_date=D(2025, 4, 30)
        ),
        "court_application_date",
        "on or after the decision to issue",
        "episode_application_after_decision",
    ),
    (
        "letter before court application",
        lambda: episode(
            step_decision_date=D(2025, 5, 1),
            outcome=c.PPOutcome.ISSUE,
            court_application_date=D(2025, 5, 5),
            letter_initiating_cp_date=D(2025, 5, 4),
        ),
        "letter_initiating_cp_date",
        "on or after the court application",
        "episode_letter_after_application",
    ),
    (
        "outcome without decision date",
        lambda: episode(outcome=c.PPOutcome.STEP_DOWN),
        "step_decision_date",
        "outcome and the decision date together",
        "episode_outcome_with_decision",
    ),
    (
        "decision date without outcome",
        lambda: episode(step_decision_date=D(2025, 5, 1)),
        "outcome",
        "outcome and the decision date together",
        "episode_outcome_with_decision",
    ),
    (
        "court application after stepping down",
        lambda: episode(
            step_decision_date=D(2025, 5, 1), outcome=c.PPOutcome.STEP_DOWN, court_application_date=D(2025, 5, 2)
        ),
        "court_application_date",
        "Care proceedings issued",
        "episode_application_only_when_issued",
    ),
    (
        "offered FGDM not said whether held at decision",
        lambda: episode(
            fgdm_offered=True, step_decision_date=D(2025, 5, 1), outcome=c.PPOutcome.STEP_DOWN, fgdm_facilitated=None
        ),
        "fgdm_facilitated",
        "Say whether the offered family group meeting took place",
        "episode_offered_fgdm_says_if_held",
    ),
    (
        "FGDM held date without it being held",
        lambda: episode(fgdm_offered=True, fgdm_facilitated=False, fgdm_held_date=D(2025, 2, 1)),
        "fgdm_held_date",
        "needs the meeting to have taken place",
        "episode_fgdm_held_date_needs_held",
    ),
    (
        "FGDM held before offered",
        lambda: episode(
            fgdm_offered=True, fgdm_offered_date=D(2025, 2, 1), fgdm_facilitated=True, fgdm_held_date=D(2025, 1, 20)
        ),
        "fgdm_held_date",
        "on or after the date it was offered",
        "episode_fgdm_held_after_offer",
    ),
]


@pytest.mark.parametrize(
    ("rule", "build", "field", "words", "constraint"), EPISODE_RULES, ids=[r[0] for r in EPISODE_RULES]
)
def test_it_enforces_episode_rules(rule, build, field, words, constraint):
    instance = build()
    errors = errors_of(instance)
    assert field in errors, errors
    assert words in " ".join(errors[field])
    assert_db_refuses(instance, constraint)


def test_it_accepts_a_complete_valid_episode():
    instance = episode(
        lbp_sent_date=D(2025, 1, 10),
        fgdm_offered=True,
        fgdm_offered_date=D(2025, 1, 10),
        fgdm_facilitated=True,
        fgdm_held_date=D(2025, 2, 3),
        step_decision_date=D(2025, 5, 1),
        outcome=c.PPOutcome.ISSUE,
        court_application_date=D(2025, 5, 1),
        letter_initiating_cp_date=D(2025, 5, 2),
    )
    instance.full_clean()
    instance.save()


def test_it_requires_a_start_date_when_the_gateway_starts_pre_proceedings():
    errors = errors_of(episode(start_date=None))
    assert errors["start_date"] == ["Enter the date pre-proceedings started."]


def test_it_refuses_dates_in_the_future():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    errors = errors_of(episode(lbp_sent_date=tomorrow))
    assert errors["lbp_sent_date"] == ["The date the letter before proceedings was sent must be today or in the past."]
    child = f.ChildFactory.build(family=f.FamilyFactory(), date_of_birth=tomorrow)
    assert "date_of_birth" in errors_of(child)


def test_it_requires_a_date_of_birth_or_a_due_date():
    child = f.ChildFactory(date_of_birth=D(2024, 1, 1))
    child.date_of_birth = None
    errors = errors_of(child)
    assert errors["date_of_birth"] == ["Enter a date of birth, or an expected due date for an unborn child."]
    assert_db_refuses(child, "child_dob_or_due_date")


def test_it_accepts_an_unborn_child_with_a_future_due_date():
    child = f.ChildFactory.build(
        family=f.FamilyFactory(), date_of_birth=None, expected_due_date=timezone.localdate() + dt.timedelta(days=60)
    )
    child.local_authority = child.family.local_authority
    child.full_clean()
    assert child.is_unborn


def test_it_asks_to_clear_the_due_date_once_born():
    child = f.ChildFactory.build(family=f.FamilyFactory(), expected_due_date=D(2024, 2, 1))
    child.local_authority = child.family.local_authority
    assert "expected_due_date" in errors_of(child)


def test_it_refuses_a_meeting_before_the_episode_started():
    meeting = f.MeetingFactory.build(episode=episode(), meeting_date=D(2025, 1, 1))
    meeting.local_authority = meeting.episode.local_authority
    assert "on or after the start date" in errors_of(meeting)["meeting_date"][0]


def test_it_enforces_proceedings_rules():
    proceedings = f.ProceedingsFactory(issue_date=D(2025, 3, 3))
    proceedings.guardian_allocated_date = D(2025, 3, 1)
    assert "on or after the issue date" in errors_of(proceedings)["guardian_allocated_date"][0]
    assert_db_refuses(proceedings, "proceedings_guardian_after_issue")

    proceedings.refresh_from_db()
    proceedings.short_notice = True
    assert errors_of(proceedings)["short_notice_reason"] == ["Select why the application was made at short notice."]
    assert_db_refuses(proceedings, "proceedings_short_notice_reason")

    proceedings.refresh_from_db()
    proceedings.short_notice_reason = c.ShortNoticeReason.ABDUCTION
    assert "short_notice_reason" in errors_of(proceedings)
    assert_db_refuses(proceedings, "proceedings_short_notice_reason")


def test_it_enforces_final_outcome_rules():
    part = f.ChildProceedingsFactory(proceedings__issue_date=D(2025, 3, 3))
    part.final_outcome = m.OrderOutcome.objects.get(code="sgo")
    assert errors_of(part)["final_outcome_date"] == ["Enter the date of the final order or outcome."]
    assert_db_refuses(part, "child_proceedings_outcome_with_date")
    part.final_outcome_date = D(2025, 3, 1)
    assert "on or after the issue date" in errors_of(part)["final_outcome_date"][0]


class TestExtensions:
    def test_it_requires_the_new_end_date_after_the_current_end(self):
        part = f.ChildProceedingsFactory(proceedings__issue_date=D(2025, 1, 6))
        # 26 weeks from 6 January 2025 is 7 July 2025.
        extension = f.ExtensionFactory.build(
            child_proceedings=part, granted_date=D(2025, 6, 30), new_end_date=D(2025, 7, 7)
        )
        extension.local_authority = part.local_authority
        assert errors_of(extension)["new_end_date"] == [
            "The new end date must be after the current end date, 7 July 2025."
        ]

    def test_it_limits_an_extension_to_eight_weeks(self):
        part = f.ChildProceedingsFactory(proceedings__issue_date=D(2025, 1, 6))
        # 7 July 2025 + 8 weeks = 1 September 2025.
        extension = f.ExtensionFactory.build(
            child_proceedings=part, granted_date=D(2025, 6, 30), new_end_date=D(2025, 9, 2)
        )
        extension.local_authority = part.local_authority
        assert "on or before 1 September 2025" in errors_of(extension)["new_end_date"][0]
        extension.new_end_date = D(2025, 9, 1)
        extension.full_clean()

    def test_it_measures_a_second_extension_from_the_first(self):
        part = f.ChildProceedingsFactory(proceedings__issue_date=D(2025, 1, 6))
        f.ExtensionFactory(child_proceedings=part, granted_date=D(2025, 6, 30), new_end_date=D(2025, 9, 1))
        second = f.ExtensionFactory.build(
            child_proceedings=part, granted_date=D(2025, 8, 25), new_end_date=D(2025, 8, 31)
        )
        second.local_authority = part.local_authority
        assert "after the current end date, 1 September 2025" in errors_of(second)["new_end_date"][0]

    def test_it_requires_a_reason_and_the_database_refuses_an_end_before_the_grant(self):
        extension = f.ExtensionFactory()
        extension.reason = "  "
        assert "reason" in errors_of(extension)
        extension.new_end_date = extension.granted_date
        assert_db_refuses(extension, "extension_end_after_granted")


class TestHearings:
    @pytest.mark.parametrize("status", [c.HearingStatus.ADJOURNED, c.HearingStatus.VACATED])
    def test_it_requires_a_reason_when_adjourned_or_vacated(self, status):
        hearing = f.HearingFactory()
        hearing.status = status
        errors = errors_of(hearing)
        assert errors["reason"][0].startswith("Select the reason the hearing was")
        if status == c.HearingStatus.VACATED:
            hearing.vacated_on = hearing.listed_date
        assert_db_refuses(hearing, "hearing_reason_when_adjourned_or_vacated")
        hearing.reason = m.DelayReason.objects.get(code="judiciary_no_judge")
        hearing.full_clean()

    def test_it_asks_for_the_day_a_hearing_was_vacated_and_only_for_a_vacated_hearing(self):
        hearing = f.HearingFactory(status=c.HearingStatus.LISTED)
        hearing.status = c.HearingStatus.VACATED
        hearing.reason = m.DelayReason.objects.get(code="judiciary_no_judge")
        assert errors_of(hearing)["vacated_on"] == ["Enter the date the hearing was vacated."]
        assert_db_refuses(hearing, "hearing_vacated_on_when_vacated")
        hearing.vacated_on = hearing.listed_date
        hearing.full_clean()
        hearing.status, hearing.reason = c.HearingStatus.HELD, None
        assert errors_of(hearing)["vacated_on"] == ["Leave the date vacated empty unless the hearing was vacated."]

    def test_it_refuses_orders_at_a_hearing_that_did_not_take_place(self):
        hearing = f.HearingFactory(status=c.HearingStatus.LISTED)
        hearing.orders_made = [c.HearingOrder.INTERIM_CARE]
        assert errors_of(hearing)["orders_made"] == [
            "Orders are made only at a hearing that was held or adjourned on the day."
        ]
        assert_db_refuses(hearing, "hearing_orders_when_it_took_place")
        hearing.status = c.HearingStatus.HELD
        hearing.full_clean()

    def test_it_refuses_a_listing_made_in_the_future(self):
        hearing = f.HearingFactory()
        hearing.listed_on = timezone.localdate() + dt.timedelta(days=1)
        assert "listed_on" in errors_of(hearing)

    def test_it_relists_only_an_adjourned_or_vacated_hearing_of_the_same_application_on_or_after_its_end(self):
        held = f.HearingFactory(status=c.HearingStatus.HELD)
        relisting = f.HearingFactory.build(proceedings=held.proceedings, replaces=held, status=c.HearingStatus.LISTED)
        assert errors_of(relisting)["replaces"] == ["Only an adjourned or vacated hearing is re-listed."]
        other = f.HearingFactory.build(proceedings=f.ProceedingsFactory(), replaces=held, status=c.HearingStatus.LISTED)
        assert errors_of(other)["replaces"] == ["A re-listing replaces a hearing of the same application."]
        held.status, held.reason = c.HearingStatus.ADJOURNED, m.DelayReason.objects.get(code="judiciary_no_judge")
        held.save()
        relisting.listed_date = held.listed_date - dt.timedelta(days=1)
        day = f"{held.listed_date:%-d %B %Y}"
        assert errors_of(relisting)["listed_date"] == [
            f"A re-listed hearing is listed on or after the day it was adjourned, {day}."
        ]
        relisting.listed_date = held.listed_date + dt.timedelta(days=14)
        relisting.full_clean()
        relisting.save()
        held.status, held.reason = c.HearingStatus.HELD, None
        assert errors_of(held)["status"] == ["This hearing was re-listed, so it stays adjourned or vacated."]

    def test_it_refuses_a_hearing_held_in_the_future_or_before_issue(self):
        hearing = f.HearingFactory()
        hearing.listed_date = timezone.localdate() + dt.timedelta(days=3)
        assert "status" in errors_of(hearing)
        hearing.status = c.HearingStatus.LISTED
        hearing.full_clean()
        hearing.listed_date = hearing.proceedings.issue_date - dt.timedelta(days=1)
        assert "listed_date" in errors_of(hearing)

    def test_it_counts_held_and_adjourned_hearings_as_taking_place(self):
        assert m.Hearing(status=c.HearingStatus.HELD).took_place
        assert m.Hearing(status=c.HearingStatus.ADJOURNED).took_place
        assert not m.Hearing(status=c.HearingStatus.VACATED).took_place


def test_it_enforces_assessment_rules():
    assessment = f.AssessmentFactory(instructed_date=D(2025, 2, 3))
    assessment.completed_date = D(2025, 2, 1)
    assert "completed_date" in errors_of(assessment)
    assert_db_refuses(assessment, "assessment_completed_after_instructed")
    assessment.refresh_from_db()
    assessment.due_date = D(2025, 2, 1)
    assert_db_refuses(assessment, "assessment_due_after_instructed")
    assessment.refresh_from_db()
    assessment.outcome = c.AssessmentOutcome.POSITIVE
    assert errors_of(assessment)["completed_date"] == ["Enter the completion date before the outcome."]
    assert_db_refuses(assessment, "assessment_outcome_needs_completion")
    assessment.refresh_from_db()
    assessment.episode = None
    # Not on a field: the milestone form has none for the link, and an error on one would be a 500.
    assert errors_of(assessment) == {
        NON_FIELD_ERRORS: ["Link the assessment to the pre-proceedings episode or the proceedings."]
    }


def test_it_requires_days_lost_of_at_least_one():
    event = f.DelayEventFactory()
    event.days_lost = 0
    assert errors_of(event)["days_lost"][0].startswith("Days lost must be 1 or more")
    assert_db_refuses(event, "delay_days_lost_positive")
