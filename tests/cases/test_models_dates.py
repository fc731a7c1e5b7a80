"""Sane bounds on every date of every case model, written once in CaseRecord: nothing before 1900,
happened dates not in the future, planned dates at most PLO_MAX_YEARS_AHEAD years ahead, an
expected due date at most 10 months ahead. One message per field, the bound first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases import services
from tests import factories as f
from tests.cases.milestone_posts import long_date, months_later

pytestmark = pytest.mark.django_db

D = dt.date


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def test_it_declares_a_bound_for_every_date_field_of_every_case_model():
    case_models = [model for model in apps.get_app_config("cases").get_models() if issubclass(model, m.CaseRecord)]
    assert m.TrackerMeeting in case_models
    assert m.Child in case_models
    for model in case_models:
        dates = {
            field.name
            for field in model._meta.get_fields()
            if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
        }
        declared = [*model.happened_dates, *model.planned_dates, *model.months_ahead]
        assert sorted(declared) == sorted(dates), model.__name__  # each exactly once


@pytest.mark.parametrize(
    ("today", "planned", "expected_due"),
    [
        # 5 years on from a leap day is 28 February; 10 months from 31 May is 31 March.
        (D(2028, 2, 29), D(2033, 2, 28), D(2028, 12, 29)),
        (D(2027, 5, 31), D(2032, 5, 31), D(2028, 3, 31)),
        # 10 months from 30 April 2026 is February 2027, which has 28 days.
        (D(2026, 4, 30), D(2031, 4, 30), D(2027, 2, 28)),
        (D(2026, 12, 1), D(2031, 12, 1), D(2027, 10, 1)),
    ],
)
def test_it_works_out_each_horizon_from_today(today, planned, expected_due):
    assert m.Hearing().latest_date("listed_date", today=today) == planned
    assert m.Child().latest_date("expected_due_date", today=today) == expected_due
    assert m.Child().latest_date("date_of_birth", today=today) == today


def test_it_bounds_the_meeting_dates():
    today = timezone.localdate()
    five_years = months_later(today, 60)
    limit = long_date(five_years)
    meeting = f.TrackerMeetingFactory.build(chair=f.UserFactory(), meeting_date=D(9999, 12, 31))
    meeting.local_authority = f.la()
    assert errors_of(meeting)["meeting_date"] == [f"The meeting date must be on or before {limit}."]
    meeting.meeting_date = D(1, 1, 1)
    assert errors_of(meeting)["meeting_date"] == ["The meeting date must be on or after 1 January 1900."]
    meeting.meeting_date = five_years
    meeting.full_clean()

    item = f.MeetingItemFactory(meeting__meeting_date=today)
    item.decision, item.review_date = c.MeetingDecision.CONTINUE, five_years + dt.timedelta(days=1)
    assert errors_of(item)["review_date"] == [f"The review date must be on or before {limit}."]

    action = f.MeetingActionFactory(item=item)
    action.due_date = D(9999, 12, 31)
    action.completed_date = today + dt.timedelta(days=1)
    assert errors_of(action) == {
        "due_date": [f"The due date must be on or before {limit}."],
        "completed_date": ["The completed date must be today or in the past."],
    }


def test_it_refuses_an_expected_due_date_beyond_ten_months():
    child = f.ChildFactory(date_of_birth=None, expected_due_date=timezone.localdate())
    child.expected_due_date = D(9999, 12, 31)
    assert errors_of(child)["expected_due_date"][0].startswith("The expected due date must be on or before ")


def test_it_gives_one_message_per_field_the_bound_first():
    episode = f.EpisodeFactory(gateway_meeting_date=D(2025, 1, 6))
    # Before 1900 and before the start date: only the first is said.
    episode.lbp_sent_date = D(1, 1, 1)
    assert errors_of(episode) == {
        "lbp_sent_date": ["The date the letter before proceedings was sent must be on or after 1 January 1900."]
    }


def test_it_checks_the_bounds_of_the_fields_validated_only():
    assessment = f.AssessmentFactory()
    assessment.due_date = D(9999, 12, 31)
    # A form that does not show the due date leaves it to the service's full validation.
    assessment.clean_fields(exclude={"due_date"})
    assert "due_date" in errors_of(assessment)


def test_it_refuses_a_far_future_instructed_date_in_the_service_without_overflowing(social_worker):
    episode = f.EpisodeFactory(family__local_authority=social_worker.local_authority)
    assessment = m.Assessment(
        family=episode.family,
        assessment_type=m.AssessmentType.objects.get(code="viability"),
        provider=c.AssessmentProvider.IN_HOUSE,
        instructed_date=D(9999, 12, 31),
    )
    with pytest.raises(ValidationError) as caught:
        services.assessment_save(user=social_worker, assessment=assessment)
    assert caught.value.message_dict["instructed_date"] == ["The date instructed must be today or in the past."]
    assert not m.Assessment.objects.exists()
