"""The everyday form fixes (issue 17, item 7): no default ethnicity, the gateway form's labels and
defaults, an action never due before its meeting, landing at the top of the case page after a
save, and the wording of the case page, the new-case form and the 403 page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import constants as c
from cases import models as m
from cases import next_due, services
from cases.services.meetings import MeetingStepError, NewAction
from tests import factories as f
from tests.cases.milestone_posts import date_post
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date


def options(html: str, select_id: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of each option of the select with that id, in page order."""
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {select_id}"
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1)
        )
    ]


def checked(html: str, name: str) -> dict[str, bool]:
    """Each checkbox or radio of a field by value: whether it is ticked."""
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
    found = {}
    for tag in inputs:
        value = re.search(r'value="([^"]*)"', tag).group(1)
        found[value] = " checked" in tag
    return found


# --- Ethnicity ---------------------------------------------------------------------------------


def test_it_offers_not_yet_recorded_first_and_preselects_it_on_the_new_case_form(client, social_worker):
    sign_in(client, social_worker)

    html = client.get(reverse("cases:new")).content.decode()

    found = options(html, "id_child_ethnicity")
    assert found[0] == ("NOBT", "Not yet recorded (NOBT)", True)
    assert [value for value, _, selected in found if selected] == ["NOBT"]
    # Every census code once: 20 codes, NOBT among them only as "Not yet recorded".
    assert sorted(value for value, _, _ in found) == sorted(code for code, _ in c.Ethnicity.choices)
    assert ("WBRI", "White British (WBRI)", False) in found


def test_it_saves_a_child_whose_ethnicity_is_not_recorded_as_nobt(client, social_worker):
    """The new-case form posted as it opens (ethnicity untouched) saves NOBT, never WBRI."""
    sign_in(client, social_worker)
    page = client.get(reverse("cases:new")).content.decode()
    submission = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    data = {
        "submission": submission,
        "name": "Ethnicheck",
        "la_reference": "ETH-1",
        "team": str(social_worker.team_id),
        "child_first_name": "Ada",
        "child_last_name": "Ethnicheck",
        "child_la_id": "ETH-C1",
        "child_sex": c.Sex.FEMALE,
        # What the browser sends for the select as preselected.
        "child_ethnicity": next(value for value, _, selected in options(page, "id_child_ethnicity") if selected),
        **date_post("child_date_of_birth", D(2024, 5, 17)),
        **date_post("child_expected_due_date", None),
    }

    response = client.post(reverse("cases:new"), data)

    assert response.status_code == 302, response.context["form"].errors
    assert m.Child.objects.get(la_child_id="ETH-C1").ethnicity == "NOBT"


def test_it_offers_not_yet_recorded_first_on_the_add_a_child_form(client, la_a, social_worker):
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    sign_in(client, social_worker)

    html = client.get(reverse("cases:milestone_new", args=[family.pk, "child"])).content.decode()

    found = options(html, "id_ethnicity")
    assert found[0] == ("NOBT", "Not yet recorded (NOBT)", True)
    assert [value for value, _, selected in found if selected] == ["NOBT"]


def test_it_keeps_a_recorded_ethnicity_selected_when_correcting_a_child(client, la_a, social_worker):
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    child = f.ChildFactory(family=family, ethnicity=c.Ethnicity.MWBC)
    sign_in(client, social_worker)

    html = client.get(reverse("cases:milestone_edit", args=[family.pk, "child", child.pk])).content.decode()

    assert [value for value, _, selected in options(html, "id_ethnicity") if selected] == ["MWBC"]


# --- The gateway form ---------------------------------------------------------------------------


def gateway_form(client, family) -> str:
    return client.get(reverse("cases:milestone_new", args=[family.pk, "episode"])).content.decode()


def test_it_ticks_the_only_child_and_not_pre_birth_for_a_born_child(client, la_a, social_worker):
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    child = f.ChildFactory(family=family)
    sign_in(client, social_worker)

    html = gateway_form(client, family)

    assert checked(html, "children") == {str(child.pk): True}
    assert checked(html, "pre_birth") == {"on": False}


def test_it_ticks_no_child_when_the_family_has_two(client, la_a, social_worker):
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    first, second = f.ChildFactory(family=family), f.ChildFactory(family=family)
    sign_in(client, social_worker)

    assert checked(gateway_form(client, family), "children") == {str(first.pk): False, str(second.pk): False}


def test_it_ticks_pre_birth_for_an_unborn_child(client, la_a, social_worker):
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    unborn = f.ChildFactory(
        family=family, first_name="", date_of_birth=None, expected_due_date=timezone.localdate() + dt.timedelta(60)
    )
    sign_in(client, social_worker)

    html = gateway_form(client, family)

    assert checked(html, "children") == {str(unborn.pk): True}
    assert checked(html, "pre_birth") == {"on": True}


def test_it_saves_a_decision_to_start_pre_proceedings_with_no_start_date(client, la_a, social_worker):
    """The start date is optional, as labelled: empty, it is the gateway meeting's day (REFERENCE.md)."""
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    child = f.ChildFactory(family=family)
    sign_in(client, social_worker)
    html = gateway_form(client, family)
    assert "Pre-proceedings start date (optional)" in html
    data = {
        "gateway_outcome": c.GatewayOutcome.START_PRE_PROCEEDINGS,
        "children": [child.pk],
        "parents_legal_representation": c.LegalRepresentation.SOME,
        **date_post("gateway_meeting_date", D(2025, 3, 3)),
        **date_post("start_date", None),
    }

    response = client.post(reverse("cases:milestone_new", args=[family.pk, "episode"]), data)

    assert response.status_code == 302, response.context["form"].errors
    episode = m.PreProceedingsEpisode.objects.get(family=family)
    assert episode.start_date == D(2025, 3, 3)
    assert episode.is_open


def test_it_keeps_a_start_date_given(client, la_a, social_worker):
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    child = f.ChildFactory(family=family)
    sign_in(client, social_worker)
    data = {
        "gateway_outcome": c.GatewayOutcome.START_PRE_PROCEEDINGS,
        "children": [child.pk],
        "parents_legal_representation": c.LegalRepresentation.SOME,
        **date_post("gateway_meeting_date", D(2025, 3, 3)),
        **date_post("start_date", D(2025, 3, 5)),
    }

    client.post(reverse("cases:milestone_new", args=[family.pk, "episode"]), data)

    assert m.PreProceedingsEpisode.objects.get(family=family).start_date == D(2025, 3, 5)


def test_it_leaves_the_start_date_empty_for_a_decision_not_to_start(client, la_a, social_worker):
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    child = f.ChildFactory(family=family)
    sign_in(client, social_worker)
    data = {
        "gateway_outcome": c.GatewayOutcome.CONTINUE_PLAN,
        "children": [child.pk],
        "parents_legal_representation": c.LegalRepresentation.SOME,
        **date_post("gateway_meeting_date", D(2025, 3, 3)),
        **date_post("start_date", None),
    }

    client.post(reverse("cases:milestone_new", args=[family.pk, "episode"]), data)

    assert m.PreProceedingsEpisode.objects.get(family=family).start_date is None


# --- Meeting actions ----------------------------------------------------------------------------


@pytest.fixture
def item(la_a, chair):
    meeting = f.TrackerMeetingFactory(local_authority=la_a, chair=chair, meeting_date=D(2025, 6, 2))
    return f.MeetingItemFactory(meeting=meeting, family=f.FamilyFactory(local_authority=la_a))


def test_it_refuses_an_action_due_before_its_meeting_and_saves_nothing(chair, item):
    with pytest.raises(MeetingStepError) as refused:
        services.meeting_item_record(
            user=chair,
            item=item,
            decision=c.MeetingDecision.CONTINUE,
            review_date=D(2025, 7, 7),
            note="Discussed.",
            new_actions=[NewAction(description="Book it.", owner=chair, due_date=D(2025, 6, 1))],
        )

    assert refused.value.message_dict == {
        "actions.0.due_date": ["The due date must be on or after the meeting (2 June 2025)."]
    }
    assert not m.MeetingAction.objects.exists()
    item.refresh_from_db()
    assert item.decision == ""


def test_it_refuses_an_action_due_before_its_meeting_agreed_on_its_own(chair, item):
    with pytest.raises(ValidationError) as refused:
        services.action_create(
            user=chair, item=item, description="Book the viability assessment.", owner=chair, due_date=D(2025, 5, 30)
        )

    assert refused.value.message_dict == {"due_date": ["The due date must be on or after the meeting (2 June 2025)."]}
    assert not m.MeetingAction.objects.exists()


def test_it_accepts_an_action_due_on_the_day_of_its_meeting(chair, item):
    action = services.action_create(
        user=chair, item=item, description="Book the viability assessment.", owner=chair, due_date=D(2025, 6, 2)
    )

    assert m.MeetingAction.objects.get().pk == action.pk


# --- After a save -------------------------------------------------------------------------------


def test_it_lands_at_the_top_of_the_case_page_after_a_save(client, la_a, social_worker):
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    child = f.ChildFactory(family=family)
    sign_in(client, social_worker)
    data = {
        "gateway_outcome": c.GatewayOutcome.START_PRE_PROCEEDINGS,
        "children": [child.pk],
        "parents_legal_representation": c.LegalRepresentation.SOME,
        **date_post("gateway_meeting_date", timezone.localdate()),
        **date_post("start_date", None),
    }

    response = client.post(reverse("cases:milestone_new", args=[family.pk, "episode"]), data, follow=True)

    assert response.redirect_chain == [(reverse("cases:detail", args=[family.pk]), 302)]
    html = response.content.decode()
    banner = html.index("govuk-notification-banner--success")
    # The banner says what is due next (on a phone the page's "Next due" is below the fold): the
    # letter before proceedings, due on the start day (today).
    today = timezone.localdate()
    assert f"Legal gateway decision saved. Next due: Letter before proceedings, by {today.day} {today:%b %Y}." in html
    # The banner comes before the case's heading, and next due comes before the timeline.
    assert banner < html.index("<h1") < html.index('id="next-due"') < html.index('id="timeline"')


# --- Wording ------------------------------------------------------------------------------------


def test_it_says_on_the_day_for_a_listed_hearing_and_by_the_day_for_a_deadline():
    hearing = next_due.DueItem(next_due.NEXT_HEARING, D(2025, 12, 11), False, "Listed")
    letter = next_due.DueItem("Letter before proceedings", D(2025, 12, 11), False)
    cmh = next_due.DueItem("Case management hearing", D(2025, 12, 11), False, window_start=D(2025, 12, 4))

    assert hearing.when == "On 11 Dec 2025"
    assert letter.when == "By 11 Dec 2025"
    assert cmh.when == "4 Dec 2025 to 11 Dec 2025"


def test_it_shows_the_next_hearing_on_its_day_on_the_case_page(client, la_a, social_worker):
    today = timezone.localdate()
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    proceedings = f.ProceedingsFactory(family=family, issue_date=today - dt.timedelta(days=7))
    f.ChildProceedingsFactory(proceedings=proceedings, child=f.ChildFactory(family=family))
    listed = today + dt.timedelta(days=9)
    f.HearingFactory(proceedings=proceedings, listed_on=today, listed_date=listed, status=c.HearingStatus.LISTED)
    sign_in(client, social_worker)

    html = client.get(reverse("cases:detail", args=[family.pk])).content.decode()

    due = html[html.index('id="next-due"') :]
    entry = due[due.index("<strong>Next hearing</strong>") :]
    entry = entry[: entry.index("</li>")]
    assert f"On {listed.day} {listed:%b %Y}" in entry
    assert "By " not in entry


def test_it_names_an_assessment_once_on_the_timeline(client, la_a, social_worker):
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    f.AssessmentFactory(family=family, subject="Mother", instructed_date=D(2025, 2, 3))
    sign_in(client, social_worker)

    html = client.get(reverse("cases:detail", args=[family.pk])).content.decode()

    assert "Parenting assessment of Mother instructed" in html
    assert "assessment assessment" not in html


def test_it_gives_the_date_of_birth_one_example(client, social_worker):
    sign_in(client, social_worker)

    html = client.get(reverse("cases:new")).content.decode()

    hint = re.search(r'id="id_child_date_of_birth-hint" class="govuk-hint">(.*?)</div>', html, re.S).group(1)
    assert hint.count("For example") == 1


@pytest.mark.parametrize("url", ["new", "milestone"])
def test_it_tells_a_board_member_they_cannot_see_case_records(client, la_a, board_member, url):
    family = f.FamilyFactory(local_authority=la_a)
    sign_in(client, board_member)
    address = reverse("cases:new") if url == "new" else reverse("cases:milestone_new", args=[family.pk, "hearing"])

    response = client.get(address)

    assert response.status_code == 403
    html = response.content.decode()
    assert "Your role does not give access to individual children&#x27;s records." in html
    assert "can view" not in html
    assert 'id="forbidden-packs"' in html


def test_it_still_tells_a_chair_they_can_view_but_not_change_cases(client, la_a, chair):
    family = f.FamilyFactory(local_authority=la_a)
    sign_in(client, chair)

    response = client.get(reverse("cases:milestone_new", args=[family.pk, "hearing"]))

    assert response.status_code == 403
    html = response.content.decode()
    assert "Your role can view cases but not change them." in html
    assert 'id="forbidden-packs"' not in html
