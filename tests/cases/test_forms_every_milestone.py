"""Every milestone form and the new-case form, submitted through the real views as a social worker,
new and corrected, for a case in each stage where the form applies: each redirects to the case and
stores every field as posted (values worked out by hand in ``milestone_posts``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import forms
from cases import models as m
from cases.views.cases import MILESTONES
from tests import factories as f
from tests.cases import milestone_posts as posts
from tests.support import sign_in

pytestmark = pytest.mark.django_db

# Form fields stored under another name: a relation by its id, the children of an application as
# its parts. The new case's child fields are checked together as its one child.
STORED_AS = {"court": "court_id", "team": "team_id", "children": "child_parts"}


def form_of(kind: str):
    return forms.CaseForm if kind == "case" else MILESTONES[kind].form


def test_it_covers_every_milestone_form_new_and_corrected():
    kinds = {kind for kind, _, _ in posts.SUBMISSIONS}
    assert kinds == {*MILESTONES, "case"}
    for kind, spec in MILESTONES.items():
        modes = {mode for k, _, mode in posts.SUBMISSIONS if k == kind}
        # A progress step is recorded on a pending record: there is nothing new or to correct.
        if spec.progress:
            assert "record" in modes, kind
            assert not modes & {"new", "correct"}, kind
        else:
            assert modes == {"new", "correct"}, kind


@pytest.mark.parametrize(("kind", "stage", "mode"), posts.SUBMISSIONS, ids=map(posts.submission_id, posts.SUBMISSIONS))
def test_it_saves_every_milestone_form(client, la_a, social_worker, kind, stage, mode):
    records = posts.records_for(kind, stage, la=la_a, worker=social_worker)
    sent = posts.submission(kind, stage, mode, records)
    for name in form_of(kind).base_fields:
        if name != "submission" and not (kind == "case" and name.startswith("child_")):
            assert {name, f"{name}_id", STORED_AS.get(name, name)} & set(sent.expected), f"{name} is not checked"
    sent.prepare()
    before = set(sent.model.objects.values_list("pk", flat=True))
    sign_in(client, social_worker)

    response = client.post(sent.url, sent.data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    saved = sent.saved(before)
    detail = reverse("cases:detail", args=[saved.pk if kind == "case" else records["family"].pk])
    assert response.url == detail
    after = set(sent.model.objects.values_list("pk", flat=True))
    assert len(after - before) == (1 if sent.existing is None else sent.creates)
    for name, value in sent.expected.items():
        assert posts.stored(saved, name) == value, name
    assert saved.updated_by == social_worker
    assert saved.local_authority_id == la_a.pk


def test_it_opens_no_assessment_form_before_the_legal_gateway(client, la_a, social_worker):
    """An assessment belongs to an episode or proceedings: with neither, the case page says what to record first."""
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    f.ChildFactory(family=family)
    sign_in(client, social_worker)
    url = reverse("cases:milestone_new", args=[family.pk, "assessment"])
    for response in (client.get(url, follow=True), client.post(url, {}, follow=True)):
        assert response.redirect_chain == [(reverse("cases:detail", args=[family.pk]), 302)]
        assert b"Record the legal gateway decision first" in response.content
    assert not m.Assessment.objects.exists()


def test_it_shows_a_rule_on_a_field_the_form_lacks_above_the_form(la_a):
    """The assessment's link is not a field of its form: a broken link rule is a message at the top, not a 500."""
    family = f.FamilyFactory(local_authority=la_a)
    data = {
        "assessment_type": "viability",
        "provider": "in_house",
        "instructed_date_day": "3",
        "instructed_date_month": "2",
        "instructed_date_year": "2025",
    }
    form = forms.AssessmentForm(data, instance=m.Assessment(family=family, local_authority=la_a), family=family)
    assert not form.is_valid()
    assert form.errors == {"__all__": ["Link the assessment to the pre-proceedings episode or the proceedings."]}
