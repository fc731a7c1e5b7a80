"""``open()``: the one definition of an open episode, open proceedings and an open meeting action."""

from __future__ import annotations

import datetime as dt

import pytest

from cases import constants as c
from cases import models as m
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date


def test_it_finds_episodes_that_started_and_have_no_decision(la_a):
    family = f.FamilyFactory(local_authority=la_a)
    started = f.EpisodeFactory(family=family, start_date=D(2025, 1, 6))
    f.EpisodeFactory(family=family, gateway_outcome=c.GatewayOutcome.CONTINUE_PLAN, start_date=None)
    f.EpisodeFactory(
        family=family,
        gateway_meeting_date=D(2024, 1, 8),
        start_date=D(2024, 1, 8),
        step_decision_date=D(2024, 5, 6),
        outcome=c.PPOutcome.STEP_DOWN,
    )
    assert list(m.PreProceedingsEpisode.objects.open()) == [started]
    assert list(family.episodes.open()) == [started]  # on a family's related manager too
    assert [e for e in family.episodes.all() if e.is_open] == [started]  # and on loaded rows


def test_it_finds_proceedings_not_yet_concluded(la_a):
    family = f.FamilyFactory(local_authority=la_a)
    waiting = f.ProceedingsFactory(family=family, issue_date=D(2025, 3, 3))
    f.ChildProceedingsFactory(proceedings=waiting)
    decided = f.ProceedingsFactory(family=family, issue_date=D(2024, 3, 4))
    f.ChildProceedingsFactory(proceedings=decided, final_outcome_id="care_order", final_outcome_date=D(2024, 11, 4))
    assert list(m.Proceedings.objects.open()) == [waiting]
    assert list(family.proceedings.open()) == [waiting]
    assert [p for p in family.proceedings.all() if p.is_open] == [waiting]


def test_it_finds_meeting_actions_not_yet_done(la_a):
    item = f.MeetingItemFactory(meeting__local_authority=la_a)
    due = f.MeetingActionFactory(item=item)
    f.MeetingActionFactory(item=item, completed_date=D(2025, 6, 10))
    assert list(m.MeetingAction.objects.open()) == [due]
    assert list(item.family.actions.open()) == [due]


def test_it_keeps_the_tenancy_filter_beside_open(la_a, la_b, social_worker):
    own = f.EpisodeFactory(family=f.FamilyFactory(local_authority=la_a))
    f.EpisodeFactory(family=f.FamilyFactory(local_authority=la_b))
    own_court = f.ProceedingsFactory(family=f.FamilyFactory(local_authority=la_a))
    f.ProceedingsFactory(family=f.FamilyFactory(local_authority=la_b))
    own_action = f.MeetingActionFactory(item__meeting__local_authority=la_a)
    f.MeetingActionFactory(item__meeting__local_authority=la_b)
    # Either order: both are filters on the same queryset class.
    assert list(m.PreProceedingsEpisode.objects.visible_to(social_worker).open()) == [own]
    assert list(m.PreProceedingsEpisode.objects.open().visible_to(social_worker)) == [own]
    assert list(m.Proceedings.objects.visible_to(social_worker).open()) == [own_court]
    assert list(m.MeetingAction.objects.open().visible_to(social_worker)) == [own_action]
