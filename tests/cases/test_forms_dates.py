"""Dates out of bounds or malformed, posted to every date field of every milestone form and the
new-case form: each answers 200 with a GOV.UK message on that field and saves nothing, never a 500.
Each bound is tested at its last allowed day and its first refused day, worked out from today."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from cases import forms
from cases import models as m
from cases.views.cases import MILESTONES
from tests.cases import milestone_posts as posts
from tests.cases.milestone_posts import long_date, months_later
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date
HAPPENED, PLANNED, DUE = "happened", "planned", "expected due"

# Every date field of every form: (form, stage, new or correct, field, its label, its kind), posted
# in a submission where the field is filled and everything else is valid.
DATE_FIELDS = [
    ("child", "proceedings", "new", "date_of_birth", "date of birth", HAPPENED),
    ("child", "gateway", "new", "expected_due_date", "expected due date", DUE),
    ("episode", "gateway", "new", "gateway_meeting_date", "legal gateway meeting date", HAPPENED),
    ("episode", "gateway", "new", "start_date", "pre-proceedings start date", HAPPENED),
    ("letter", "pre-proceedings", "new", "lbp_sent_date", "date the letter before proceedings was sent", HAPPENED),
    (
        "family-meeting",
        "proceedings",
        "correct",
        "fgdm_offered_date",
        "date the family group meeting was offered",
        HAPPENED,
    ),
    ("family-meeting", "proceedings", "correct", "fgdm_held_date", "date the family group meeting was held", HAPPENED),
    ("pp-meeting", "pre-proceedings", "new", "meeting_date", "meeting date", HAPPENED),
    ("decision", "proceedings", "correct", "step_decision_date", "decision date", HAPPENED),
    ("decision", "proceedings", "correct", "court_application_date", "court application date", HAPPENED),
    (
        "decision",
        "proceedings",
        "correct",
        "letter_initiating_cp_date",
        "date of the letter initiating proceedings",
        HAPPENED,
    ),
    ("proceedings", "gateway", "new", "issue_date", "issue date", HAPPENED),
    ("proceedings", "gateway", "new", "guardian_allocated_date", "date the guardian was allocated", HAPPENED),
    ("hearing", "proceedings", "correct", "listed_date", "listed date", PLANNED),
    ("hearing", "proceedings", "new", "listed_on", "date the listing was made", HAPPENED),
    ("hearing", "proceedings", "correct", "listed_on", "date the listing was made", HAPPENED),
    ("hearing", "proceedings", "correct", "vacated_on", "date vacated", HAPPENED),
    ("hearing-outcome", "proceedings", "vacate", "vacated_on", "date vacated", HAPPENED),
    ("hearing-outcome", "proceedings", "record", "relisted_for", "new date, if re-listed", PLANNED),
    ("hearing-outcome", "proceedings", "record", "relisted_on", "date the new listing was made", HAPPENED),
    ("extension", "proceedings", "new", "granted_date", "date the extension was granted", HAPPENED),
    ("extension", "proceedings", "new", "new_end_date", "new end date", PLANNED),
    ("child-order", "proceedings", "correct", "final_outcome_date", "final order date", HAPPENED),
    ("assessment", "proceedings", "new", "instructed_date", "date instructed", HAPPENED),
    ("assessment", "pre-proceedings", "correct", "instructed_date", "date instructed", HAPPENED),
    ("assessment", "pre-proceedings", "correct", "due_date", "due date", PLANNED),
    ("assessment", "pre-proceedings", "correct", "completed_date", "completion date", HAPPENED),
    ("assessment-completion", "pre-proceedings", "record", "completed_date", "completion date", HAPPENED),
    (
        "family-meeting-outcome",
        "pre-proceedings",
        "record",
        "fgdm_held_date",
        "date the family group meeting was held",
        HAPPENED,
    ),
    ("delay", "pre-proceedings", "new", "event_date", "date of the delay", HAPPENED),
    ("case", "born", "new", "child_date_of_birth", "date of birth", HAPPENED),
    ("case", "unborn", "new", "child_expected_due_date", "expected due date", DUE),
]


def latest_allowed(kind: str, *, years_ahead: int = 5) -> dt.date:
    """The last day a bound allows, worked out from today (5 years: the setting's default)."""
    today = timezone.localdate()
    return {HAPPENED: today, PLANNED: months_later(today, 12 * years_ahead), DUE: months_later(today, 10)}[kind]


def too_late_message(label: str, kind: str) -> str:
    if kind == HAPPENED:
        return f"The {label} must be today or in the past."
    return f"The {label} must be on or before {long_date(latest_allowed(kind))}."


def form_of(kind: str):
    return forms.CaseForm if kind == "case" else MILESTONES[kind].form


def test_it_lists_every_date_field_of_every_form():
    listed = {(kind, name) for kind, _, _, name, _, _ in DATE_FIELDS}
    every = {
        (kind, name)
        for kind in (*MILESTONES, "case")
        for name, field in form_of(kind).base_fields.items()
        if isinstance(field, forms.GovukDateField)
    }
    assert listed == every


def snapshot(sent: posts.Submission) -> tuple:
    """Everything the post could have saved: the model's rows, and the corrected record's values and history."""
    rows = set(sent.model.objects.values_list("pk", flat=True))
    counts = (m.Family.objects.count(), m.Child.objects.count())
    if sent.existing is None:
        return rows, counts
    values = sent.model.objects.filter(pk=sent.existing.pk).values().get()
    return rows, counts, values, sent.existing.history.count()


def with_date(sent: posts.Submission, name: str, day: str, month: str, year: str) -> dict:
    return {
        **sent.data,
        f"{name}_day": day,
        f"{name}_month": month,
        f"{name}_year": year,
        "submission": uuid.uuid4().hex,
    }


@pytest.mark.parametrize(
    ("kind", "stage", "mode", "name", "label", "bound"),
    DATE_FIELDS,
    ids=[f"{kind}-{mode}-{name}" for kind, _, mode, name, _, _ in DATE_FIELDS],
)
def test_it_refuses_out_of_bounds_and_malformed_dates_on_the_field(
    client, la_a, social_worker, kind, stage, mode, name, label, bound
):
    records = posts.records_for(kind, stage, la=la_a, worker=social_worker)
    sent = posts.submission(kind, stage, mode, records)
    sent.prepare()
    assert sent.data[f"{name}_year"], "the submission must fill the field"
    before = snapshot(sent)
    sign_in(client, social_worker)
    refused = {
        ("31", "12", "9999"): too_late_message(label, bound),
        ("1", "1", "0001"): f"The {label} must be on or after 1 January 1900.",
        ("31", "12", "1899"): f"The {label} must be on or after 1 January 1900.",
        ("32", "13", "abcd"): f"The {label} must be a real date",
        ("32", "13", "2025"): f"The {label} must be a real date",
        ("1", "6", "25"): "Year must include 4 numbers",
    }
    for (day, month, year), message in refused.items():
        response = client.post(sent.url, with_date(sent, name, day, month, year))
        assert response.status_code == 200, (day, month, year)
        assert response.context["form"].errors[name] == [message], (day, month, year)
        assert f'href="#id_{name}_day"'.encode() in response.content  # the error summary links to the field
        assert snapshot(sent) == before, (day, month, year)


@pytest.fixture
def signed_in(client, social_worker):
    sign_in(client, social_worker)
    return client


def post_date(client, la, worker, kind, stage, mode, name, day: dt.date):
    """Post a valid submission with one date set; the response and the submission."""
    records = posts.records_for(kind, stage, la=la, worker=worker)
    sent = posts.submission(kind, stage, mode, records)
    sent.prepare()
    data = with_date(sent, name, str(day.day), str(day.month), str(day.year))
    if kind == "case":
        # A second new case in the same test needs its own references.
        data.update(la_reference=f"NC-{uuid.uuid4().hex[:8]}", child_la_id=f"NC-C{uuid.uuid4().hex[:8]}")
    return client.post(sent.url, data), sent


# (form, stage, new or correct, field, label, bound): a field of each kind of bound, posted at the
# last day the bound allows (saved) and the first it refuses (a message on the field, nothing saved).
BOUNDARIES = [
    ("delay", "pre-proceedings", "new", "event_date", "date of the delay", HAPPENED),
    ("child", "proceedings", "new", "date_of_birth", "date of birth", HAPPENED),
    ("case", "born", "new", "child_date_of_birth", "date of birth", HAPPENED),
    ("assessment", "pre-proceedings", "correct", "due_date", "due date", PLANNED),
    ("hearing", "proceedings", "new", "listed_date", "listed date", PLANNED),
    ("child", "gateway", "new", "expected_due_date", "expected due date", DUE),
    ("case", "unborn", "new", "child_expected_due_date", "expected due date", DUE),
]


def saved_value(sent, name, response):
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    record = sent.saved(set()) if sent.existing else sent.model.objects.order_by("-pk").first()
    if sent.model is m.Family:
        return getattr(record.children.get(), name.removeprefix("child_"))
    return getattr(record, name)


@pytest.mark.parametrize(
    ("kind", "stage", "mode", "name", "label", "bound"),
    BOUNDARIES,
    ids=[f"{kind}-{mode}-{name}" for kind, _, mode, name, _, _ in BOUNDARIES],
)
def test_it_accepts_the_last_day_each_bound_allows_and_refuses_the_next(
    signed_in, la_a, social_worker, kind, stage, mode, name, label, bound
):
    last = latest_allowed(bound)
    response, sent = post_date(signed_in, la_a, social_worker, kind, stage, mode, name, last)
    assert saved_value(sent, name, response) == last

    response, sent = post_date(signed_in, la_a, social_worker, kind, stage, mode, name, last + dt.timedelta(days=1))
    assert response.status_code == 200
    assert response.context["form"].errors[name] == [too_late_message(label, bound)]


@pytest.mark.parametrize(
    ("kind", "stage", "mode", "name", "label"),
    [
        ("delay", "pre-proceedings", "new", "event_date", "date of the delay"),
        ("child", "proceedings", "new", "date_of_birth", "date of birth"),
        ("case", "born", "new", "child_date_of_birth", "date of birth"),
    ],
)
def test_it_accepts_1_january_1900_and_refuses_the_day_before(
    signed_in, la_a, social_worker, kind, stage, mode, name, label
):
    response, sent = post_date(signed_in, la_a, social_worker, kind, stage, mode, name, D(1900, 1, 1))
    assert saved_value(sent, name, response) == D(1900, 1, 1)

    response, sent = post_date(signed_in, la_a, social_worker, kind, stage, mode, name, D(1899, 12, 31))
    assert response.status_code == 200
    assert response.context["form"].errors[name] == [f"The {label} must be on or after 1 January 1900."]


def test_it_takes_the_planned_horizon_from_the_setting(signed_in, la_a, social_worker, settings):
    settings.PLO_MAX_YEARS_AHEAD = 2
    last = latest_allowed(PLANNED, years_ahead=2)
    response, sent = post_date(signed_in, la_a, social_worker, "hearing", "proceedings", "new", "listed_date", last)
    assert saved_value(sent, "listed_date", response) == last

    response, _ = post_date(
        signed_in, la_a, social_worker, "hearing", "proceedings", "new", "listed_date", last + dt.timedelta(days=1)
    )
    assert response.context["form"].errors["listed_date"] == [
        f"The listed date must be on or before {long_date(last)}."
    ]
