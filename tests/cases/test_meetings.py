"""Meeting mode: the agenda, decisions and actions, closing, access and query counts.

Dates are relative to today, since the pages judge "overdue" against the real date.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from cases import constants as c
from cases import models as m
from cases import services
from cases.selectors import tracker
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def date_post(name: str, value: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(value.day), f"{name}_month": str(value.month), f"{name}_year": str(value.year)}


def open_case(la, *, team=None, weeks=2, worker=True, **episode) -> m.Family:
    """A family in pre-proceedings for ``weeks`` weeks (no review meeting, no family network meeting)."""
    family = f.FamilyFactory(
        local_authority=la,
        team=team or f.team_of(la),
        social_worker=f.UserFactory(local_authority=la) if worker else None,
    )
    child = f.ChildFactory(family=family, date_of_birth=dt.date(2019, 5, 1))
    start = TODAY - dt.timedelta(weeks=weeks)
    f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=start, start_date=start, **episode)
    return family


def no_actions() -> dict[str, str]:
    return {"actions-TOTAL_FORMS": "3", "actions-INITIAL_FORMS": "0", "actions-MIN_NUM_FORMS": "0"}


@pytest.fixture
def area_teams(la_a):
    """Two areas of LA A with a team each."""
    north = m.Area.objects.create(local_authority=la_a, name="Test North")
    south = m.Area.objects.create(local_authority=la_a, name="Test South")
    return (
        m.Team.objects.create(local_authority=la_a, area=north, name="Test North team"),
        m.Team.objects.create(local_authority=la_a, area=south, name="Test South team"),
    )


def test_it_sets_the_agenda_red_first_then_longest_waiting_for_the_scope(la_a, la_b, chair, area_teams):
    north, south = area_teams
    amber_long = open_case(la_a, team=north, weeks=10)  # no review for 6 weeks: amber
    red_short = open_case(la_a, team=north, weeks=3, worker=False)  # nobody allocated: red
    red_long = open_case(la_a, team=north, weeks=17)  # over the 16-week threshold: red
    green = open_case(la_a, team=north, weeks=1)
    open_case(la_a, team=south, weeks=30)  # another area
    open_case(la_b, weeks=30)  # another LA
    closed = open_case(la_a, team=north, weeks=12, step_decision_date=TODAY, outcome="step_down")

    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.AREA, area=north.area, meeting_date=TODAY)

    items = list(meeting.items.order_by("position"))
    assert [item.family_id for item in items] == [red_long.pk, red_short.pk, amber_long.pk, green.pk]
    assert [item.position for item in items] == [1, 2, 3, 4]
    assert [item.rag for item in items] == ["red", "red", "amber", "green"]
    assert items[1].flags == ["no_social_worker"]
    assert items[0].flag_labels[0] == "Pre-proceedings over the local threshold"
    assert {item.stage for item in items} == {"pre_proceedings"}
    assert closed.pk not in {item.family_id for item in items}
    assert meeting.local_authority_id == la_a.pk
    assert meeting.chair == chair


def test_it_records_decisions_and_actions_with_who_and_when(client, la_a, chair):
    family = open_case(la_a, weeks=10)
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    sign_in(client, chair)
    url = reverse("tracker:meeting_item", args=[meeting.pk, 1])
    response = client.post(
        url,
        {
            "decision": "continue",
            **date_post("review_date", TODAY + dt.timedelta(weeks=4)),
            "note": "Parenting assessment due next month.",
            **no_actions(),
            "actions-0-description": "Book the family group conference",
            "actions-0-owner": str(family.social_worker.pk),
            **date_post("actions-0-due_date", TODAY + dt.timedelta(days=7)),
            "save": "1",
        },
    )
    assert response.status_code == 302
    item = m.MeetingItem.objects.get(meeting=meeting, family=family)
    assert item.decision == "continue"
    assert item.review_date == TODAY + dt.timedelta(weeks=4)
    action = item.actions.get()
    assert (action.description, action.owner, action.owner_note, action.family_id) == (
        "Book the family group conference",
        family.social_worker,
        "",
        family.pk,
    )
    assert action.created_by == chair
    assert item.updated_by == chair
    event = Events.objects.filter(pgh_model="cases.MeetingItemEvent", pgh_obj_id=str(item.pk)).last()
    assert event.pgh_context["user"] == chair.pk

    # The open action shows on the case page.
    sign_in(client, f.UserFactory(local_authority=la_a, role=c.Role.SOCIAL_WORKER))
    assert "Book the family group conference" in client.get(reverse("cases:detail", args=[family.pk])).content.decode()


def test_it_refuses_a_bad_decision_or_action_and_saves_nothing(client, la_a, chair):
    open_case(la_a, weeks=10)
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    sign_in(client, chair)
    url = reverse("tracker:meeting_item", args=[meeting.pk, 1])

    response = client.post(url, {"decision": "continue", **no_actions(), "save": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors["review_date"] == ["Enter the review date for a case that continues."]

    response = client.post(
        url, {"decision": "continue", **date_post("review_date", TODAY), **no_actions(), "save": "1"}
    )
    assert response.context["form"].errors["review_date"] == ["The review date must be after the meeting."]

    response = client.post(
        url,
        {
            "decision": "step_down",
            **no_actions(),
            "actions-0-description": "Write to the parents",
            **date_post("actions-0-due_date", TODAY),
            "save": "1",
        },
    )
    assert response.context["actions"].forms[0].errors["owner"] == ["Choose who owns the action."]
    assert "Error: " in response.content.decode()
    item = meeting.items.get()
    item.refresh_from_db()
    assert item.decision == ""
    assert item.review_date is None
    assert not m.MeetingAction.objects.exists()


def test_it_flags_an_overdue_action_and_clears_it_when_done_at_the_next_meeting(client, la_a, chair):
    family = open_case(la_a, weeks=2)
    first = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY - dt.timedelta(days=14))
    action = services.action_create(
        user=chair,
        item=first.items.get(),
        description="Send the letter before proceedings",
        owner=family.social_worker,
        due_date=TODAY - dt.timedelta(days=1),
    )
    services.meeting_close(user=chair, meeting=first, confirmed=True)

    def flags():
        row = tracker.tracker_queryset(user=chair, today=TODAY).get(pk=family.pk)
        return {flag.code for flag in tracker.row_flags(row)}

    assert "overdue_action" in flags()
    second = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    assert second.items.get().rag == "red"
    sign_in(client, chair)
    url = reverse("tracker:meeting_item", args=[second.pk, 1])
    page = client.get(url).content.decode()
    assert f"Send the letter before proceedings ({family.social_worker.get_full_name()}, due" in page
    assert "overdue" in page
    client.post(url, {"decision": "step_down", "completed": [str(action.pk)], **no_actions(), "save": "1"})
    action.refresh_from_db()
    assert action.completed_date == TODAY
    assert action.updated_by == chair
    assert "overdue_action" not in flags()


def test_it_keeps_a_closed_meeting_final(client, la_a, chair):
    open_case(la_a, weeks=10)
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    item = meeting.items.get()
    services.meeting_item_decide(user=chair, item=item, decision="issue", review_date=None, note="")
    closed = services.meeting_close(user=chair, meeting=meeting).closed_at
    assert services.meeting_close(user=chair, meeting=meeting).closed_at == closed  # closing again changes nothing

    with pytest.raises(ValidationError, match="closed"):
        services.meeting_item_decide(user=chair, item=item, decision="step_down", review_date=None, note="")
    with pytest.raises(ValidationError, match="closed"):
        services.action_create(user=chair, item=item, description="More", owner=chair, due_date=TODAY)

    sign_in(client, chair)
    url = reverse("tracker:meeting_item", args=[meeting.pk, 1])
    page = client.get(url).content.decode()
    assert "its record can no longer change" in page
    assert 'id="decision-form"' not in page
    assert "Issue care proceedings" in page
    response = client.post(url, {"decision": "step_down", **no_actions(), "save": "1"}, follow=True)
    assert "Nothing was saved" in response.content.decode()
    item.refresh_from_db()
    assert item.decision == "issue"
    assert "Step through the cases" not in client.get(reverse("tracker:meeting", args=[meeting.pk])).content.decode()


def test_it_keeps_meetings_to_chairs_of_their_own_la(
    client, la_a, chair, team_manager, social_worker, other_la_user, board_member, analyst
):
    open_case(la_a)
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    urls = {
        "detail": reverse("tracker:meeting", args=[meeting.pk]),
        "item": reverse("tracker:meeting_item", args=[meeting.pk, 1]),
        "print": reverse("tracker:meeting_print", args=[meeting.pk]),
    }
    for url in [*urls.values(), reverse("tracker:meetings")]:
        assert client.get(url).status_code == 302  # anonymous: to sign in

    sign_in(client, team_manager)  # team managers chair meetings too
    assert client.get(urls["item"]).status_code == 200

    sign_in(client, social_worker)  # may read the record, not run the meeting
    assert client.get(urls["detail"]).status_code == 200
    assert client.get(reverse("tracker:meeting_new")).status_code == 403
    assert client.get(urls["item"]).status_code == 403
    assert client.post(reverse("tracker:meeting_close", args=[meeting.pk])).status_code == 403
    with pytest.raises(Exception, match="Only meeting chairs"):
        services.meeting_open(user=social_worker, scope=c.ScopeKind.LA, meeting_date=TODAY)

    other_chair = f.UserFactory(local_authority=other_la_user.local_authority, role=c.Role.QUADRANT_CHAIR)
    sign_in(client, other_chair)
    for name, url in urls.items():
        assert client.get(url).status_code == 404, name
    assert client.post(reverse("tracker:meeting_close", args=[meeting.pk])).status_code == 404

    for user in (board_member, analyst):
        sign_in(client, user)
        for name, url in urls.items():
            assert client.get(url).status_code == 403, name

    sign_in(client, chair)
    assert client.get(reverse("tracker:meeting_item", args=[meeting.pk, 2])).status_code == 404  # not on the agenda
    meeting.refresh_from_db()
    assert meeting.closed_at is None


def test_it_pins_the_meeting_page_queries_whatever_the_size_of_the_agenda(client, la_a, chair):
    def meeting_of(n: int) -> m.TrackerMeeting:
        for weeks in range(n):
            open_case(la_a, weeks=weeks + 1)
        meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
        for item in meeting.items.all():
            services.action_create(user=chair, item=item, description="Check", owner=chair, due_date=TODAY)
        return meeting

    sign_in(client, chair)
    small = meeting_of(2)
    large = meeting_of(10)  # twelve cases: the first two and ten more
    assert large.items.count() == 12
    counts = {}
    for label, meeting in (("small", small), ("large", large)):
        for page in ("meeting", "meeting_item", "meeting_print"):
            args = [meeting.pk, 2] if page == "meeting_item" else [meeting.pk]
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(f"tracker:{page}", args=args)).status_code == 200
            counts[label, page] = len(queries)
    for page in ("meeting", "meeting_item", "meeting_print"):
        assert counts["large", page] == counts["small", page], page
    assert counts["small", "meeting_item"] <= 20


# ---------------------------------------------------------------------------
# One atomic step per case, through the validated save path
# ---------------------------------------------------------------------------


def step_post(**fields) -> dict[str, str]:
    """A meeting step: decision 'step down', no actions, plus ``fields``."""
    return {"decision": "step_down", **no_actions(), "save": "1", **fields}


def action_row(index: int, owner: m.User | str, *, description="Call the family", due=None):
    """A new action row owned by ``owner`` (a user, or the text posted)."""
    due = due or TODAY + dt.timedelta(days=7)
    return {
        f"actions-{index}-description": description,
        f"actions-{index}-owner": str(owner.pk) if isinstance(owner, m.User) else owner,
        **date_post(f"actions-{index}-due_date", due),
    }


def test_it_saves_nothing_of_a_step_when_one_action_is_invalid(la_a, chair):
    family = open_case(la_a, weeks=10)
    earlier = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY - dt.timedelta(days=14))
    open_action = services.action_create(
        user=chair, item=earlier.items.get(), description="Earlier action", owner=chair, due_date=TODAY
    )
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    item = meeting.items.get()

    with pytest.raises(services.MeetingStepError) as raised:
        services.meeting_item_record(
            user=chair,
            item=item,
            decision="issue",
            review_date=None,
            note="Issue now.",
            new_actions=[
                services.NewAction(description="Send the letter", owner=chair, due_date=TODAY),
                services.NewAction(description="Tell the guardian", owner=None, due_date=TODAY),
            ],
            completed=[open_action],
            completed_date=TODAY,
        )
    assert raised.value.decision is None
    assert list(raised.value.actions) == [1]  # the second action only
    assert raised.value.actions[1].message_dict == {"owner": ["Choose who owns the action."]}
    item.refresh_from_db()
    open_action.refresh_from_db()
    assert (item.decision, item.note, item.decided_at) == ("", "", None)
    assert list(m.MeetingAction.objects.filter(family=family)) == [open_action]
    assert open_action.completed_date is None


def test_it_shows_an_invalid_action_on_its_own_row_and_saves_no_decision(client, la_a, chair):
    open_case(la_a, weeks=10)
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    sign_in(client, chair)
    url = reverse("tracker:meeting_item", args=[meeting.pk, 1])

    response = client.post(url, step_post(**action_row(0, chair), **action_row(1, "")))
    assert response.status_code == 200
    rows = response.context["actions"].forms
    assert rows[0].errors == {}
    assert rows[1].errors == {"owner": ["Choose who owns the action."]}
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert 'href="#id_actions-1-owner"' in page
    assert meeting.items.get().decision == ""
    assert not m.MeetingAction.objects.exists()


def test_it_shows_a_problem_found_by_the_service_on_the_action_marked_done(client, la_a, chair):
    """An action stored before dates had bounds fails validation when marked done: the page says so
    on that action and nothing of the step is saved."""
    family = open_case(la_a, weeks=10)
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    stored = f.MeetingActionFactory(
        item=f.MeetingItemFactory(meeting=f.TrackerMeetingFactory(local_authority=la_a), family=family),
        description="Legacy action",
        due_date=dt.date(9999, 12, 31),
    )
    sign_in(client, chair)
    url = reverse("tracker:meeting_item", args=[meeting.pk, 1])

    response = client.post(url, step_post(completed=[str(stored.pk)], **action_row(0, chair)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Error: " in page
    assert "govuk-error-summary" in page
    assert "Legacy action: The due date must be on or before" in page
    assert f'id="completed-{stored.pk}" name="completed" type="checkbox" value="{stored.pk}" checked' in page
    stored.refresh_from_db()
    assert stored.completed_date is None
    assert meeting.items.get().decision == ""
    assert m.MeetingAction.objects.filter(family=family).count() == 1


BAD_DATES = {
    "far future": ("31", "12", "9999"),
    "ancient": ("01", "01", "0001"),
    "malformed": ("32", "13", "abcd"),
}


def bad_date(name: str, kind: str) -> dict[str, str]:
    day, month, year = BAD_DATES[kind]
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


@pytest.mark.parametrize("kind", BAD_DATES)
def test_it_answers_a_bad_meeting_date_with_a_message_on_the_field(client, la_a, chair, kind):
    open_case(la_a)
    sign_in(client, chair)
    response = client.post(
        reverse("tracker:meeting_new"), {"scope": "la", "proposal": "all", **bad_date("meeting_date", kind)}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["meeting_date"]
    assert len(errors["meeting_date"]) == 1
    assert not m.TrackerMeeting.objects.exists()


@pytest.mark.parametrize("kind", BAD_DATES)
@pytest.mark.parametrize("field", ["review_date", "actions-0-due_date"])
def test_it_answers_a_bad_review_or_due_date_with_a_message_on_the_field(client, la_a, chair, kind, field):
    open_case(la_a, weeks=10)
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    sign_in(client, chair)
    data = {**step_post(decision="continue"), **date_post("review_date", TODAY + dt.timedelta(weeks=4))}
    if field == "actions-0-due_date":
        data.update(action_row(0, chair))
    data.update(bad_date(field, kind))

    response = client.post(reverse("tracker:meeting_item", args=[meeting.pk, 1]), data)
    assert response.status_code == 200
    if field == "review_date":
        errors = response.context["form"].errors
        assert list(errors) == ["review_date"]
        assert len(errors["review_date"]) == 1
    else:
        assert response.context["form"].errors == {}
        errors = response.context["actions"].forms[0].errors
        assert list(errors) == ["due_date"]
        assert len(errors["due_date"]) == 1
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert meeting.items.get().decision == ""
    assert not m.MeetingAction.objects.exists()


def test_it_refuses_to_complete_another_las_action(la_a, la_b, chair):
    theirs = f.MeetingActionFactory(item__meeting__local_authority=la_b)
    with pytest.raises(PermissionDenied):
        services.action_complete(user=chair, action=theirs, completed_date=TODAY)

    # ...nor inside a step of one's own meeting.
    open_case(la_a)
    item = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY).items.get()
    with pytest.raises(PermissionDenied):
        services.meeting_item_record(
            user=chair, item=item, decision="issue", review_date=None, note="", completed=[theirs]
        )
    theirs.refresh_from_db()
    item.refresh_from_db()
    assert (theirs.completed_date, theirs.local_authority_id, theirs.updated_by) == (None, la_b.pk, None)
    assert item.decision == ""


def test_it_refuses_to_write_another_las_meeting_records(la_b, chair):
    item = f.MeetingItemFactory(meeting__local_authority=la_b)
    meeting = item.meeting
    with pytest.raises(PermissionDenied):
        services.meeting_item_record(user=chair, item=item, decision="issue", review_date=None, note="")
    with pytest.raises(PermissionDenied):
        services.action_create(user=chair, item=item, description="Theirs", owner=chair, due_date=TODAY)
    with pytest.raises(PermissionDenied):
        services.meeting_close(user=chair, meeting=meeting)
    item.refresh_from_db()
    meeting.refresh_from_db()
    assert (item.decision, item.local_authority_id, meeting.closed_at) == ("", la_b.pk, None)
    assert not m.MeetingAction.objects.exists()


def test_it_lets_chairs_run_meetings_but_not_write_case_data(la_a, chair, social_worker):
    family = open_case(la_a)
    item = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY).items.get()
    services.meeting_item_record(user=chair, item=item, decision="issue", review_date=None, note="")
    with pytest.raises(PermissionDenied):
        services.child_save(user=chair, child=family.children.get())
    with pytest.raises(PermissionDenied, match="Only meeting chairs"):
        services.meeting_item_record(user=social_worker, item=item, decision="escalate", review_date=None, note="")
    item.refresh_from_db()
    assert (item.decision, item.updated_by) == ("issue", chair)


# ---------------------------------------------------------------------------
# The chair's agenda, attendees, previous decisions, owners, closing and print
# ---------------------------------------------------------------------------


def open_meeting(client, **fields):
    """Open a meeting of the whole LA through the page; the response (a redirect to the agenda page)."""
    return client.post(
        reverse("tracker:meeting_new"),
        {"scope": "la", **date_post("meeting_date", TODAY), "proposal": "flagged", **fields},
    )


def test_it_proposes_the_flagged_cases_or_none_and_opens_on_the_agenda_page(client, la_a, chair):
    red = open_case(la_a, weeks=17)  # over the 16-week threshold
    amber = open_case(la_a, weeks=10)  # no review for 6 weeks
    open_case(la_a, weeks=1)  # green, no flag
    sign_in(client, chair)

    response = open_meeting(client)
    meeting = m.TrackerMeeting.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("tracker:meeting_agenda", args=[meeting.pk])
    assert [item.family_id for item in meeting.items.order_by("position")] == [red.pk, amber.pk]

    open_meeting(client, proposal="none")
    assert m.TrackerMeeting.objects.order_by("-pk").first().items.count() == 0

    response = open_meeting(client, proposal="every case")
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["proposal"]
    assert m.TrackerMeeting.objects.count() == 2


def agenda_post(meeting, **fields) -> dict[str, str]:
    """The arrange form as the page sends it: every item at its place, no time, nothing removed, plus ``fields``."""
    data = {"form": "arrange"}
    for item in meeting.items.all():
        data[f"agenda-order-{item.pk}"] = str(item.position)
        data[f"agenda-start-{item.pk}"] = ""
    data.update(fields)
    return data


def test_it_adds_a_case_of_the_la_to_the_agenda_and_refuses_another_las(client, la_a, la_b, chair):
    first = open_case(la_a, weeks=17)
    later = open_case(la_a, weeks=1)
    theirs = open_case(la_b, weeks=17)
    sign_in(client, chair)
    open_meeting(client)
    meeting = m.TrackerMeeting.objects.get()
    url = reverse("tracker:meeting_agenda", args=[meeting.pk])
    assert list(meeting.items.values_list("family_id", flat=True)) == [first.pk]

    page = client.get(url).content.decode()
    assert f'value="{later.pk}"' in page  # offered
    assert f'value="{theirs.pk}"' not in page
    # The page names both cases: the read audit records both.
    assert sorted(m.ReadAudit.objects.order_by("pk").last().family_ids) == sorted([first.pk, later.pk])

    response = client.post(url, {"form": "add", "add-family": str(later.pk)})
    assert response.status_code == 302
    item = meeting.items.get(family=later)
    assert (item.position, item.rag, item.stage, item.created_by) == (2, "green", "pre_proceedings", chair)

    # Another LA's case, or one already on the agenda, is refused on the field and nothing is saved.
    for family in (theirs, later):
        response = client.post(url, {"form": "add", "add-family": str(family.pk)})
        assert response.status_code == 200
        assert response.context["add_form"].errors == {
            "family": ["Choose an open case of your local authority that is not on the agenda."]
        }
        assert "govuk-error-summary" in response.content.decode()
    assert meeting.items.count() == 2
    # ...and the service refuses another LA's case outright.
    with pytest.raises(PermissionDenied):
        services.agenda_add(user=chair, meeting=meeting, family=theirs)
    with pytest.raises(ValidationError, match="already on the agenda"):
        services.agenda_add(user=chair, meeting=meeting, family=later)
    assert not m.MeetingItem.objects.filter(family=theirs).exists()


def test_it_reorders_times_and_removes_cases_of_the_agenda_in_one_go(client, la_a, chair):
    a, b, c_ = (open_case(la_a, weeks=weeks) for weeks in (20, 18, 17))
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    item_a, item_b, item_c = (meeting.items.get(family=family) for family in (a, b, c_))
    assert [item_a.position, item_b.position, item_c.position] == [1, 2, 3]
    sign_in(client, chair)
    url = reverse("tracker:meeting_agenda", args=[meeting.pk])

    # C first at 10:00, A second at 10:20 (typed 10.20), B removed.
    response = client.post(
        url,
        agenda_post(
            meeting,
            **{
                f"agenda-order-{item_c.pk}": "1",
                f"agenda-start-{item_c.pk}": "10:00",
                f"agenda-order-{item_a.pk}": "5",
                f"agenda-start-{item_a.pk}": "10.20",
                f"agenda-remove-{item_b.pk}": "on",
            },
        ),
    )
    assert response.status_code == 302
    rows = list(meeting.items.order_by("position").values_list("family_id", "position", "start_time", "updated_by"))
    assert rows == [(c_.pk, 1, dt.time(10, 0), chair.pk), (a.pk, 2, dt.time(10, 20), chair.pk)]
    assert not m.MeetingItem.objects.filter(pk=item_b.pk).exists()
    removed = Events.objects.filter(pgh_model="cases.MeetingItemEvent", pgh_obj_id=str(item_b.pk), pgh_label="delete")
    assert removed.get().pgh_context["user"] == chair.pk
    page = client.get(reverse("tracker:meeting", args=[meeting.pk])).content.decode()
    assert "10:00" in page
    assert "10:20" in page


def test_it_keeps_a_decided_case_on_the_agenda_and_saves_nothing_of_a_bad_arrangement(client, la_a, chair):
    a, b = open_case(la_a, weeks=20), open_case(la_a, weeks=17)
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    item_a, item_b = meeting.items.get(family=a), meeting.items.get(family=b)
    services.meeting_item_decide(user=chair, item=item_a, decision="issue", review_date=None, note="")
    sign_in(client, chair)
    url = reverse("tracker:meeting_agenda", args=[meeting.pk])

    response = client.post(
        url, agenda_post(meeting, **{f"agenda-remove-{item_a.pk}": "on", f"agenda-order-{item_b.pk}": "0"})
    )
    assert response.status_code == 200
    assert response.context["arrange_form"].errors == {
        f"order-{item_b.pk}": [f"The place of the {b.name} family must be 1 or more"]
    }
    response = client.post(
        url, agenda_post(meeting, **{f"agenda-remove-{item_a.pk}": "on", f"agenda-start-{item_b.pk}": "25:00"})
    )
    assert response.context["arrange_form"].errors == {
        f"start-{item_b.pk}": [f"Enter the start time for the {b.name} family as hours and minutes, like 10:30"]
    }
    response = client.post(
        url, agenda_post(meeting, **{f"agenda-remove-{item_a.pk}": "on", f"agenda-order-{item_b.pk}": "1"})
    )
    assert response.status_code == 200
    assert response.context["arrange_form"].errors == {
        f"remove-{item_a.pk}": [f"The {a.name} family has a decision or actions recorded: it stays on the agenda."]
    }
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert list(meeting.items.order_by("position").values_list("family_id", flat=True)) == [a.pk, b.pk]

    # Once closed, the agenda cannot change.
    services.meeting_close(user=chair, meeting=meeting, confirmed=True)
    response = client.post(url, agenda_post(meeting, **{f"agenda-order-{item_b.pk}": "1"}), follow=True)
    assert "its record can no longer change" in response.content.decode()
    assert meeting.items.get(family=b).position == 2
    with pytest.raises(ValidationError, match="closed"):
        services.agenda_add(user=chair, meeting=meeting, family=open_case(la_a))


def test_it_records_attendees_users_of_the_la_or_named_people(client, la_a, la_b, chair):
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    manager = f.UserFactory(local_authority=la_a, role=c.Role.TEAM_MANAGER, first_name="Tess", last_name="Manning")
    outsider = f.UserFactory(local_authority=la_b, first_name="Otto")
    sign_in(client, chair)
    url = reverse("tracker:meeting_agenda", args=[meeting.pk])

    assert client.post(url, {"form": "attendee", "attendee-user": str(manager.pk)}).status_code == 302
    response = client.post(url, {"form": "attendee", "attendee-name": " Lee Adams ", "attendee-role": "LA solicitor"})
    assert response.status_code == 302
    rows = list(meeting.attendees.order_by("pk").values_list("user_id", "name", "role", "created_by"))
    assert rows == [(manager.pk, "", "", chair.pk), (None, "Lee Adams", "LA solicitor", chair.pk)]
    page = client.get(reverse("tracker:meeting", args=[meeting.pk])).content.decode()
    assert "Tess Manning, Team manager" in page
    assert "Lee Adams, LA solicitor" in page

    for data, errors in (
        ({}, {"name": ["Choose a user or enter the attendee's name."]}),
        ({"attendee-user": str(outsider.pk)}, {"user": ["Choose a user of your own local authority."]}),
        ({"attendee-user": str(manager.pk)}, {"__all__": ["This user is already recorded as attending."]}),
    ):
        response = client.post(url, {"form": "attendee", **data})
        assert response.status_code == 200
        assert response.context["attendee_form"].errors == errors
    with pytest.raises(ValidationError):
        services.attendee_add(user=chair, meeting=meeting, attendee=outsider)
    assert meeting.attendees.count() == 2

    lee = meeting.attendees.get(name="Lee Adams")
    assert client.post(url, {"form": "attendee-remove", "attendee": str(lee.pk)}).status_code == 302
    assert list(meeting.attendees.values_list("user_id", flat=True)) == [manager.pk]
    theirs = f.TrackerMeetingFactory(local_authority=la_b)
    their_attendee = m.MeetingAttendee.objects.create(meeting=theirs, local_authority=la_b, name="Them")
    assert client.post(url, {"form": "attendee-remove", "attendee": str(their_attendee.pk)}).status_code == 404


def test_it_shows_each_cases_previous_decision_on_the_agenda_and_item_page(client, la_a, chair):
    family = open_case(la_a, weeks=10)
    other = open_case(la_a, weeks=9)
    first = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY - dt.timedelta(days=28))
    review = TODAY + dt.timedelta(days=14)
    services.meeting_item_decide(
        user=chair, item=first.items.get(family=family), decision="continue", review_date=review, note=""
    )
    services.meeting_close(user=chair, meeting=first, confirmed=True)
    # A meeting after that with no decision for the case does not hide the earlier one.
    skipped = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY - dt.timedelta(days=14))
    services.meeting_close(user=chair, meeting=skipped, confirmed=True)
    current = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    services.meeting_item_decide(
        user=chair, item=current.items.get(family=family), decision="issue", review_date=None, note=""
    )
    sign_in(client, chair)

    agenda = {
        item.family_id: (item.previous_decision, item.previous_review_date, item.previous_meeting_date)
        for item in client.get(reverse("tracker:meeting", args=[current.pk])).context["items"]
    }
    assert agenda == {
        family.pk: ("continue", review, TODAY - dt.timedelta(days=28)),
        other.pk: (None, None, None),
    }
    position = current.items.get(family=family).position
    page = client.get(reverse("tracker:meeting_item", args=[current.pk, position])).content.decode()
    earlier = TODAY - dt.timedelta(days=28)
    assert f"Continue with a review date, review on {review:%-d %B %Y} (meeting of {earlier:%-d %B %Y})" in page
    # The first meeting has no previous decision: the later one is not "previous".
    first_page = client.get(reverse("tracker:meeting_item", args=[first.pk, 1])).content.decode()
    assert "None: first time at a tracker meeting" in first_page


def test_it_gives_actions_to_a_user_of_the_la_due_no_earlier_than_the_meeting(client, la_a, la_b, chair):
    family = open_case(la_a, weeks=10)
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    outsider = f.UserFactory(local_authority=la_b)
    robot = f.UserFactory(local_authority=la_a, role=c.Role.API_WRITE, team=None)
    sign_in(client, chair)
    url = reverse("tracker:meeting_item", args=[meeting.pk, 1])

    page = client.get(url).content.decode()
    assert f'<option value="{family.social_worker.pk}">' in page
    assert f'value="{outsider.pk}"' not in page
    assert f'value="{robot.pk}"' not in page
    for owner, due, errors in (
        (outsider, TODAY, {"owner": ["Choose a user of your own local authority to own the action."]}),
        (robot, TODAY, {"owner": ["Choose a user of your own local authority to own the action."]}),
        (
            family.social_worker,
            TODAY - dt.timedelta(days=1),
            {"due_date": [f"The due date must be on or after the meeting ({TODAY:%-d %B %Y})."]},
        ),
    ):
        response = client.post(url, step_post(**action_row(0, owner, due=due)))
        assert response.status_code == 200
        assert response.context["actions"].forms[0].errors == errors
    assert not m.MeetingAction.objects.exists()
    with pytest.raises(ValidationError, match="own local authority"):
        services.action_create(
            user=chair, item=meeting.items.get(), description="Theirs", owner=outsider, due_date=TODAY
        )

    response = client.post(url, step_post(**action_row(0, family.social_worker, due=TODAY)))
    assert response.status_code == 302
    action = m.MeetingAction.objects.get()
    assert (action.owner, action.due_date, action.owner_label) == (
        family.social_worker,
        TODAY,
        family.social_worker.get_full_name(),
    )


def test_the_migration_gives_an_action_to_the_one_user_whose_full_name_it_names(la_a, la_b):
    from importlib import import_module

    from django.apps import apps

    owners_to_users = import_module("cases.migrations.0022_meetings").owners_to_users
    sam = f.UserFactory(local_authority=la_a, first_name="Sam", last_name="Whitfield")
    f.UserFactory(local_authority=la_b, first_name="Alex", last_name="Kerr")  # another LA's only
    f.UserFactory(local_authority=la_a, first_name="Jo", last_name="Lee")
    f.UserFactory(local_authority=la_a, first_name="Jo", last_name="Lee")  # two of them
    written = {
        text: f.MeetingActionFactory(item__meeting__local_authority=la_a, owner=None, owner_note=text)
        for text in ("  sam   WHITFIELD ", "Alex Kerr", "Jo Lee", "Legal")
    }
    owners_to_users(apps, None)
    found = {
        text: m.MeetingAction.objects.values_list("owner_id", "owner_note").get(pk=action.pk)
        for text, action in written.items()
    }
    assert found == {
        "  sam   WHITFIELD ": (sam.pk, ""),
        "Alex Kerr": (None, "Alex Kerr"),
        "Jo Lee": (None, "Jo Lee"),
        "Legal": (None, "Legal"),
    }
    # The text kept is shown as the owner, and such an action can still be marked done.
    legal = m.MeetingAction.objects.get(pk=written["Legal"].pk)
    assert legal.owner_label == "Legal"
    legal.full_clean()


def test_it_asks_before_closing_with_cases_not_discussed_listing_them(client, la_a, chair):
    decided, skipped = open_case(la_a, weeks=20), open_case(la_a, weeks=17)
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    services.meeting_item_decide(
        user=chair, item=meeting.items.get(family=decided), decision="issue", review_date=None, note=""
    )
    sign_in(client, chair)
    url = reverse("tracker:meeting_close", args=[meeting.pk])

    response = client.post(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 of 2 cases was not discussed" in page
    listed = response.context["undiscussed"]
    assert [item.family_id for item in listed] == [skipped.pk]
    assert f"2. {skipped.name}</a>" in page
    assert f"{decided.name}</a>" not in page
    assert 'name="confirm" value="yes"' in page
    meeting.refresh_from_db()
    assert meeting.closed_at is None
    with pytest.raises(services.MeetingCloseUnconfirmedError) as raised:
        services.meeting_close(user=chair, meeting=meeting)
    assert [item.family_id for item in raised.value.undiscussed] == [skipped.pk]

    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.closed_at is not None
    assert meeting.updated_by == chair


def test_it_closes_at_once_when_every_case_was_discussed(client, la_a, chair):
    open_case(la_a, weeks=20)
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    services.meeting_item_decide(user=chair, item=meeting.items.get(), decision="issue", review_date=None, note="")
    sign_in(client, chair)
    response = client.post(reverse("tracker:meeting_close", args=[meeting.pk]), follow=True)
    assert "Meeting closed" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.closed_at is not None


def test_it_prints_the_decisions_and_actions_of_the_cases_discussed_only(client, la_a, chair):
    decided, skipped = open_case(la_a, weeks=20), open_case(la_a, weeks=17)
    decided.name, skipped.name = "Decidedfamily", "Skippedfamily"
    decided.save(), skipped.save()
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    item = meeting.items.get(family=decided)
    services.meeting_item_record(
        user=chair,
        item=item,
        decision="issue",
        review_date=None,
        note="Threshold met.",
        new_actions=[services.NewAction(description="Send the letter", owner=decided.social_worker, due_date=TODAY)],
    )
    sign_in(client, chair)
    page = client.get(reverse("tracker:meeting_print", args=[meeting.pk])).content.decode()
    assert "Decidedfamily" in page
    assert "Issue care proceedings. Threshold met." in page
    assert f"Send the letter \N{EN DASH} {decided.social_worker.get_full_name()}, by" in page
    assert "Skippedfamily" not in page
    assert "1 of 2 cases discussed; 1 not discussed." in page
    assert "css/meeting-print.css" in page


def test_it_marks_meetings_not_the_tracker_in_the_navigation(client, la_a, chair):
    open_case(la_a)
    meeting = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    sign_in(client, chair)
    for url in (
        reverse("tracker:meetings"),
        reverse("tracker:meeting", args=[meeting.pk]),
        reverse("tracker:meeting_agenda", args=[meeting.pk]),
        reverse("tracker:meeting_item", args=[meeting.pk, 1]),
        reverse("tracker:meeting_new"),
    ):
        page = client.get(url).content.decode()
        assert 'href="/tracker/meetings/" aria-current="page">Meetings' in page, url
        assert 'href="/tracker/" aria-current="page"' not in page, url
    assert 'href="/tracker/" aria-current="page"' in client.get(reverse("tracker:list")).content.decode()
