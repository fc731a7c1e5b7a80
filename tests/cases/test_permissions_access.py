"""LA scoping: one visible_to() and one access helper, checked for every case model (what each role may
do is in test_permissions.py)."""

from __future__ import annotations

import pytest
from django.http import Http404

from cases import permissions
from cases.models import PreProceedingsEpisode
from tests import factories as f

pytestmark = pytest.mark.django_db

BUILDERS = {
    "Family": lambda la: f.FamilyFactory(local_authority=la),
    "Child": lambda la: f.ChildFactory(family__local_authority=la),
    "PreProceedingsEpisode": lambda la: f.EpisodeFactory(family__local_authority=la),
    "PreProceedingsMeeting": lambda la: f.MeetingFactory(episode__family__local_authority=la),
    "Proceedings": lambda la: f.ProceedingsFactory(family__local_authority=la),
    "ChildProceedings": lambda la: f.ChildProceedingsFactory(proceedings__family__local_authority=la),
    "Extension": lambda la: f.ExtensionFactory(child_proceedings__proceedings__family__local_authority=la),
    "Hearing": lambda la: f.HearingFactory(proceedings__family__local_authority=la),
    "Assessment": lambda la: f.AssessmentFactory(family__local_authority=la),
    "DelayEvent": lambda la: f.DelayEventFactory(family__local_authority=la),
    "TrackerMeeting": lambda la: f.TrackerMeetingFactory(local_authority=la),
    "MeetingItem": lambda la: f.MeetingItemFactory(meeting__local_authority=la),
    "MeetingAction": lambda la: f.MeetingActionFactory(item__meeting__local_authority=la),
    "Person": lambda la: f.PersonFactory(local_authority=la),
    "FamilyMember": lambda la: f.FamilyMemberFactory(family__local_authority=la),
    "Professional": lambda la: f.ProfessionalFactory(family__local_authority=la),
    "CaseNote": lambda la: f.CaseNoteFactory(family__local_authority=la),
    "DocumentLink": lambda la: f.DocumentLinkFactory(family__local_authority=la),
}


def test_it_has_a_builder_for_every_case_model():
    assert set(BUILDERS) == {model.__name__ for model in permissions.CASE_MODELS}


@pytest.mark.parametrize("model", permissions.CASE_MODELS, ids=lambda model: model.__name__)
def test_it_scopes_every_case_model_to_the_users_la(model, la_a, social_worker, chair, other_la_user, board_member):
    record = BUILDERS[model.__name__](la_a)
    assert record.local_authority == la_a

    assert permissions.get_visible(model, user=social_worker, pk=record.pk) == record
    assert permissions.get_visible(model, user=chair, pk=record.pk) == record
    for outsider in (other_la_user, board_member):
        with pytest.raises(Http404):
            permissions.get_visible(model, user=outsider, pk=record.pk)
        assert not model.objects.visible_to(outsider).filter(pk=record.pk).exists()


def test_it_shows_nothing_to_inactive_or_anonymous_users(la_a, social_worker):
    from django.contrib.auth.models import AnonymousUser

    episode = f.EpisodeFactory(family__local_authority=la_a)
    social_worker.is_active = False
    assert not PreProceedingsEpisode.objects.visible_to(social_worker).exists()
    assert not PreProceedingsEpisode.objects.visible_to(AnonymousUser()).exists()
    with pytest.raises(Http404):
        permissions.get_visible(PreProceedingsEpisode, user=AnonymousUser(), pk=episode.pk)


def test_it_treats_a_malformed_id_as_not_found(social_worker):
    with pytest.raises(Http404):
        permissions.get_visible(PreProceedingsEpisode, user=social_worker, pk="not-a-number")
