"""Progress, not corrections (issue 17 item 2): each pending record has its own "Record ..." step,
distinct from "Correct", and a correction shows the record's change history (who, when, old and
new values) to the LA's staff.

A pre-proceedings case of Essex (LA A): the parenting assessment of the mother was instructed on
3 February 2025, due 3 March; a family group meeting was offered on 10 January 2025 and whether it
took place is not recorded.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases import constants as c
from cases import models as m
from cases import services
from tests import factories as f
from tests.cases.milestone_posts import date_post
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def case(la_a, social_worker):
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker, name="Progress")
    child = f.ChildFactory(family=family, first_name="Ava", date_of_birth=D(2022, 6, 1))
    episode = f.EpisodeFactory(
        family=family,
        children=[child],
        gateway_meeting_date=D(2025, 1, 6),
        fgdm_offered=True,
        fgdm_offered_date=D(2025, 1, 10),
    )
    assessment = f.AssessmentFactory(
        family=family, episode=episode, instructed_date=D(2025, 2, 3), due_date=D(2025, 3, 3), subject="Mother"
    )
    return {"family": family, "episode": episode, "assessment": assessment}


def url(family, kind, pk=None):
    if pk is None:
        return reverse("cases:milestone_new", args=[family.pk, kind])
    return reverse("cases:milestone_edit", args=[family.pk, kind, pk])


def page_of(client, family) -> str:
    return client.get(reverse("cases:detail", args=[family.pk])).content.decode()


def test_the_case_page_lists_each_pending_record_with_its_own_step(client, social_worker, case):
    family, assessment, episode = case["family"], case["assessment"], case["episode"]
    sign_in(client, social_worker)
    page = page_of(client, family)
    awaiting = page[page.index('id="awaiting-list"') : page.index("</ul>", page.index('id="awaiting-list"'))]
    # Earliest first: the FGDM offered on 10 January, then the assessment instructed on 3 February.
    assert awaiting.index("Family group meeting offered, 10 January 2025") < awaiting.index(
        "Parenting assessment of Mother instructed, 3 February 2025"
    )
    assert f'href="{url(family, "family-meeting-outcome", episode.pk)}"' in awaiting
    assert f'href="{url(family, "assessment-completion", assessment.pk)}"' in awaiting
    # On the timeline the same steps stand beside each row's "Correct".
    timeline = page[page.index('id="timeline-list"') :]
    assert "Record the completion" in timeline
    assert "Record whether it took place" in timeline
    assert "Due 3 March 2025" in timeline


def test_it_records_an_assessments_completion_as_a_step_not_a_correction(client, social_worker, case):
    family, assessment = case["family"], case["assessment"]
    sign_in(client, social_worker)
    form = client.get(url(family, "assessment-completion", assessment.pk)).content.decode()
    assert "Correct:" not in form
    assert "Assessment completion" in form
    assert "Parenting assessment of Mother, instructed 3 February 2025, due 3 March 2025." in form
    assert 'id="history"' not in form  # a step, not a correction: no history or warning here
    response = client.post(
        url(family, "assessment-completion", assessment.pk),
        {"outcome": c.AssessmentOutcome.NEGATIVE, **date_post("completed_date", D(2025, 3, 10))},
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.completed_date, assessment.outcome, assessment.updated_by) == (
        D(2025, 3, 10),
        c.AssessmentOutcome.NEGATIVE,
        social_worker,
    )
    # Recorded once: the step is gone from the case page and refused if asked for again.
    page = page_of(client, family)
    assert "Record the completion" not in page
    again = client.get(url(family, "assessment-completion", assessment.pk), follow=True)
    assert b"The assessment completion is already recorded: correct it from the case timeline." in again.content


def test_it_refuses_a_completion_without_its_date_or_conclusion_and_saves_nothing(client, social_worker, case):
    family, assessment = case["family"], case["assessment"]
    sign_in(client, social_worker)
    response = client.post(url(family, "assessment-completion", assessment.pk), {**date_post("completed_date", None)})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["completed_date"] == ["Enter the completion date"]
    assert errors["outcome"] == ["Select the conclusion of the assessment"]
    response = client.post(
        url(family, "assessment-completion", assessment.pk),
        {"outcome": c.AssessmentOutcome.POSITIVE, **date_post("completed_date", D(2025, 1, 31))},
    )
    assert response.context["form"].errors["completed_date"] == [
        "The completion date must be on or after the date the assessment was instructed."
    ]
    assessment.refresh_from_db()
    assert (assessment.completed_date, assessment.outcome) == (None, "")


def test_it_records_whether_the_offered_family_meeting_took_place(client, social_worker, case):
    family, episode = case["family"], case["episode"]
    sign_in(client, social_worker)
    step = url(family, "family-meeting-outcome", episode.pk)
    form = client.get(step).content.decode()
    assert "Family group meeting (FGC/FGDM), offered 10 January 2025." in form
    refused = client.post(step, {**date_post("fgdm_held_date", None)})
    assert refused.context["form"].errors["fgdm_facilitated"] == ["Select whether the family group meeting took place"]
    refused = client.post(step, {"fgdm_facilitated": "True", **date_post("fgdm_held_date", None)})
    assert refused.context["form"].errors["fgdm_held_date"] == ["Enter the date the family group meeting was held"]
    episode.refresh_from_db()
    assert episode.fgdm_facilitated is None
    held = {"fgdm_facilitated": "True", **date_post("fgdm_held_date", D(2025, 1, 24))}
    assert client.post(step, held).status_code == 302
    episode.refresh_from_db()
    assert (episode.fgdm_facilitated, episode.fgdm_held_date) == (True, D(2025, 1, 24))
    assert "Record whether it took place" not in page_of(client, family)


def test_a_correction_of_a_record_with_its_outcome_warns_first(client, social_worker, case):
    family, assessment = case["family"], case["assessment"]
    sign_in(client, social_worker)
    assert 'id="outcome-recorded"' not in client.get(url(family, "assessment", assessment.pk)).content.decode()
    m.Assessment.objects.filter(pk=assessment.pk).update(
        completed_date=D(2025, 3, 1), outcome=c.AssessmentOutcome.POSITIVE
    )
    page = client.get(url(family, "assessment", assessment.pk)).content.decode()
    assert 'id="outcome-recorded"' in page
    assert "Its outcome is already recorded. Change it only to put a mistake right." in page


def test_a_correction_shows_who_changed_what_and_when(client, la_a, social_worker, team_manager, case):
    family = case["family"]
    episode = case["episode"]
    # Recorded by the social worker, then corrected by the team manager, through the services.
    assessment = m.Assessment(
        family=family,
        episode=episode,
        local_authority=la_a,
        assessment_type_id="viability",
        provider=c.AssessmentProvider.IN_HOUSE,
        subject="Maternal aunt",
        instructed_date=D(2025, 2, 10),
        due_date=D(2025, 2, 24),
    )
    services.assessment_save(user=social_worker, assessment=assessment)
    assessment.refresh_from_db()
    assessment.completed_date = D(2025, 2, 21)
    assessment.outcome = c.AssessmentOutcome.POSITIVE
    services.assessment_save(user=team_manager, assessment=assessment)

    sign_in(client, social_worker)
    response = client.get(url(family, "assessment", assessment.pk))
    entries = response.context["history"]
    assert [(entry.what, entry.who) for entry in entries] == [
        ("Changed", team_manager.username),
        ("Created", social_worker.username),
    ]
    changed = {(change.label, change.old, change.new) for change in entries[0].changes}
    assert changed == {
        ("Completion date", "Not recorded", "21 February 2025"),
        ("Outcome", "Not recorded", "Positive"),
    }
    created = {(change.label, change.new) for change in entries[1].changes}
    assert {label for label, _new in created} == {
        "Assessment type",
        "Provider",
        "Subject",
        "Date instructed",
        "Due date",
    }
    assert {
        ("Assessment type", "Viability assessment of a family or connected carer"),
        ("Date instructed", "10 February 2025"),
        ("Due date", "24 February 2025"),
        ("Subject", "Maternal aunt"),
    } <= created
    page = response.content.decode()
    history = page[page.index('id="history"') :]
    assert f"Changed by {team_manager.username}" in history
    assert history.index(f"Changed by {team_manager.username}") < history.index(f"Created by {social_worker.username}")
    assert "21 February 2025" in history


def test_another_las_record_has_no_step_and_no_history(client, other_la_user, case):
    family, assessment = case["family"], case["assessment"]
    sign_in(client, other_la_user)
    assert client.get(url(family, "assessment-completion", assessment.pk)).status_code == 404
    assert client.get(url(family, "assessment", assessment.pk)).status_code == 404


def test_a_case_notes_correction_shows_its_history_too(client, la_a, social_worker, team_manager, case):
    family = case["family"]
    note = m.CaseNote(
        family=family,
        local_authority=la_a,
        note_date=D(2025, 2, 5),
        kind=m.NoteKind.VISIT,
        text="Home visit: the children were seen.",
    )
    services.case_note_save(user=social_worker, note=note)
    note.refresh_from_db()
    note.kind = m.NoteKind.CONVERSATION
    services.case_note_save(user=team_manager, note=note)
    sign_in(client, social_worker)
    response = client.get(reverse("cases:note_edit", args=[family.pk, note.pk]))
    entries = response.context["history"]
    assert [(entry.what, entry.who) for entry in entries] == [
        ("Changed", team_manager.username),
        ("Created", social_worker.username),
    ]
    assert [(change.label, change.old, change.new) for change in entries[0].changes] == [
        ("Type of note", m.NoteKind.VISIT.label, m.NoteKind.CONVERSATION.label)
    ]
    assert 'id="history"' in response.content.decode()
