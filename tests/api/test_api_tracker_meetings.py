"""The tracker and tracker meetings through the API: rows and flags as the page has them, meeting writes
through the services (who, when, history), a closed meeting's refusals, access, the read audit and
query counts.

Dates are relative to today: the tracker works its flags out for the real date. Thresholds are the
reference table's: pre-proceedings 16 weeks, a review every 6 weeks, a family network meeting by week 6.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pghistory.models import Events

from cases import constants as c
from cases import models as m
from cases import services
from tests import factories as f
from tests.api.conftest import session_client, token_client

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def pp_case(la, *, weeks: int, team=None, worker=True) -> m.Family:
    """A family ``weeks`` weeks into pre-proceedings: no meeting since the start, no family network meeting."""
    family = f.FamilyFactory(
        local_authority=la,
        team=team or f.team_of(la),
        social_worker=f.UserFactory(local_authority=la) if worker else None,
    )
    child = f.ChildFactory(family=family, date_of_birth=dt.date(2019, 5, 1))
    start = TODAY - dt.timedelta(weeks=weeks)
    f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=start, start_date=start)
    return family


def court_case(la, *, weeks: int) -> m.Family:
    """A family in care proceedings issued ``weeks`` weeks ago, with a hearing listed in ten days."""
    family = f.FamilyFactory(local_authority=la, social_worker=f.UserFactory(local_authority=la))
    child = f.ChildFactory(family=family, date_of_birth=dt.date(2019, 5, 1))
    proceedings = f.ProceedingsFactory(family=family, issue_date=TODAY - dt.timedelta(weeks=weeks))
    f.ChildProceedingsFactory(proceedings=proceedings, child=child)
    f.HearingFactory(
        proceedings=proceedings,
        hearing_type=m.HearingType.objects.get(code="cmh"),
        listed_date=TODAY + dt.timedelta(days=10),
        status="listed",
    )
    return family


@pytest.fixture
def chair_api(chair):
    return session_client(chair)


@pytest.fixture
def meeting(la_a, chair):
    """An open meeting of LA A with one case on its agenda, 10 weeks into pre-proceedings."""
    pp_case(la_a, weeks=10)
    return services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)


# -- the tracker --------------------------------------------------------------------------------------


def test_it_lists_tracker_rows_with_the_flags_a_case_raises(api, la_a, la_b):
    # 17 weeks in, with no review meeting and no family network meeting: over the 16-week threshold (red),
    # no review within 6 weeks and no family network meeting by week 6 (amber).
    over = pp_case(la_a, weeks=17)
    # 15 weeks in: short of the threshold, amber for the same two.
    under = pp_case(la_a, weeks=15)
    pp_case(la_b, weeks=30)  # another LA's
    response = api.get("/api/v1/tracker/")
    assert response.status_code == 200, response.json()
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {over.pk, under.pk}
    row = rows[over.pk]
    assert [flag["code"] for flag in row["flags"]] == ["pp_over_threshold", "no_review", "no_family_network_meeting"]
    assert row["flags"][0]["label"] == "Pre-proceedings over the local threshold"
    assert row["flags"][0]["severity"] == "red"
    assert (row["rag"], row["stage"], row["weeks"], row["days_elapsed"]) == ("red", "pre_proceedings", 17, 119)
    assert row["reason"].startswith("Pre-proceedings over the local threshold; ")
    assert row["social_worker"]["id"] == over.social_worker_id
    assert row["team"] == {"id": over.team_id, "name": over.team.name}
    assert [child["id"] for child in row["children"]] == [over.children.get().pk]
    assert [flag["code"] for flag in rows[under.pk]["flags"]] == ["no_review", "no_family_network_meeting"]
    assert rows[under.pk]["rag"] == "amber"


def test_it_shows_the_next_hearing_of_a_case_in_court(api, la_a):
    family = court_case(la_a, weeks=3)
    row = api.get(f"/api/v1/tracker/{family.pk}/").json()
    assert (row["stage"], row["next_hearing"]) == ("proceedings", (TODAY + dt.timedelta(days=10)).isoformat())
    assert row["timetable_end"] == (TODAY - dt.timedelta(weeks=3) + dt.timedelta(weeks=26)).isoformat()


def test_it_filters_the_tracker_as_the_page_does(api, la_a, la_b):
    over = pp_case(la_a, weeks=17)
    under = pp_case(la_a, weeks=15)
    court = court_case(la_a, weeks=3)

    def listed(**query):
        response = api.get("/api/v1/tracker/", query)
        assert response.status_code == 200, response.json()
        return sorted(row["id"] for row in response.json()["results"])

    assert listed(flag="pp_over_threshold") == [over.pk]
    assert listed(rag="amber") == sorted([under.pk, court.pk])
    assert listed(stage="proceedings") == [court.pk]
    assert listed(team=over.team_id) == sorted([over.pk, under.pk, court.pk])
    response = api.get("/api/v1/tracker/", {"team": f.team_of(la_b).pk})
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["team"]


def test_it_narrows_the_tracker_to_cases_changed_since_a_moment(api, la_a):
    old = pp_case(la_a, weeks=17)
    m.Family.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=3))
    new = pp_case(la_a, weeks=15)
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert [row["id"] for row in api.get("/api/v1/tracker/", {"updated_since": since}).json()["results"]] == [new.pk]


def test_it_pages_the_tracker_in_case_order(api, la_a):
    made = sorted(pp_case(la_a, weeks=weeks).pk for weeks in (3, 17, 9))
    page = api.get("/api/v1/tracker/", {"page_size": 2}).json()
    seen = [row["id"] for row in page["results"]]
    page = api.get(page["next"]).json()
    assert seen + [row["id"] for row in page["results"]] == made
    assert page["next"] is None


def test_it_records_tracker_reads_in_the_read_audit(api, writer, la_a):
    family = pp_case(la_a, weeks=17)
    api.get("/api/v1/tracker/")
    api.get(f"/api/v1/tracker/{family.pk}/")
    reads = list(m.ReadAudit.objects.order_by("pk"))
    child = family.children.get()
    assert [(r.kind, r.username, r.family_ids, r.child_ids, r.route_name) for r in reads] == [
        ("api", writer.username, [family.pk], [child.pk], "api:tracker-list"),
        ("api", writer.username, [family.pk], [child.pk], "api:tracker-detail"),
    ]


def test_it_treats_another_las_tracker_row_as_missing(api, la_b):
    theirs = pp_case(la_b, weeks=17)
    assert api.get(f"/api/v1/tracker/{theirs.pk}/").status_code == 404


def test_it_pins_the_tracker_queries_whatever_the_number_of_rows(api, la_a):
    pp_case(la_a, weeks=17)
    court_case(la_a, weeks=3)
    # Among them: the token, the LA for row-level security, the thresholds, the filter's areas, teams and
    # social workers, the page of facts, the page's facts and families, children, next hearings, the audit,
    # the current forecast model. A token call has no session.
    with CaptureQueriesContext(connection) as few:
        assert len(api.get("/api/v1/tracker/").json()["results"]) == 2
    for weeks in (5, 9, 20):
        pp_case(la_a, weeks=weeks)
        court_case(la_a, weeks=weeks)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/api/v1/tracker/").json()["results"]) == 8
    assert len(many) == len(few) == 14


# -- meetings -----------------------------------------------------------------------------------------


def test_it_opens_a_meeting_through_the_service_with_its_agenda(chair_api, chair, la_a):
    red = pp_case(la_a, weeks=17)
    amber = pp_case(la_a, weeks=10)
    response = chair_api.post("/api/v1/meetings/", {"scope": "la", "meeting_date": TODAY.isoformat()}, format="json")
    assert response.status_code == 201, response.json()
    meeting = m.TrackerMeeting.objects.get()
    assert (meeting.local_authority, meeting.chair, meeting.created_by, meeting.scope) == (la_a, chair, chair, "la")
    assert response["Location"] == f"/api/v1/meetings/{meeting.pk}/"
    assert response.json()["chair"] == chair.username
    # The agenda: red first.
    assert list(meeting.items.order_by("position").values_list("family_id", flat=True)) == [red.pk, amber.pk]
    event = Events.objects.filter(pgh_model="cases.TrackerMeetingEvent", pgh_obj_id=str(meeting.pk)).get()
    assert event.pgh_context["username"] == chair.username


def test_it_refuses_a_meeting_with_no_area_on_the_field_and_saves_nothing(chair_api):
    response = chair_api.post("/api/v1/meetings/", {"scope": "area", "meeting_date": TODAY.isoformat()}, format="json")
    assert response.status_code == 400
    assert [(e["attr"], e["detail"]) for e in response.json()["errors"]] == [
        ("area", "Choose the area or quadrant the meeting reviews.")
    ]
    assert not m.TrackerMeeting.objects.exists()


def test_it_keeps_meeting_writes_to_those_who_run_meetings(social_worker, writer, la_a):
    pp_case(la_a, weeks=10)
    for client in (session_client(social_worker), token_client(writer)):
        response = client.post("/api/v1/meetings/", {"scope": "la", "meeting_date": TODAY.isoformat()}, format="json")
        assert response.status_code == 403
        assert response.json()["errors"][0]["detail"] == (
            "Only meeting chairs, team managers and LA administrators record tracker meetings."
        )
        assert client.get("/api/v1/meetings/").status_code == 200  # reading is for anyone of the LA
    assert not m.TrackerMeeting.objects.exists()


def test_it_records_a_decision_with_who_and_when(chair_api, chair, meeting):
    item = meeting.items.get()
    etag = chair_api.get(f"/api/v1/meeting-items/{item.pk}/")["ETag"]
    review = TODAY + dt.timedelta(weeks=4)
    response = chair_api.patch(
        f"/api/v1/meeting-items/{item.pk}/",
        {"decision": "continue", "review_date": review.isoformat(), "note": "Assessment due next month."},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 200, response.json()
    item.refresh_from_db()
    assert (item.decision, item.review_date, item.note, item.updated_by) == (
        "continue",
        review,
        "Assessment due next month.",
        chair,
    )
    assert item.decided_at is not None
    assert response.json()["decision"] == "continue"
    event = Events.objects.filter(pgh_model="cases.MeetingItemEvent", pgh_obj_id=str(item.pk)).last()
    assert (event.pgh_label, event.pgh_context["username"]) == ("update", chair.username)


def test_it_shows_who_attended_and_each_cases_time_slot(chair_api, chair, meeting):
    services.attendee_add(user=chair, meeting=meeting, attendee=chair)
    services.attendee_add(user=chair, meeting=meeting, name="Tom Reid", role="LA solicitor")
    item = meeting.items.get()
    services.agenda_arrange(
        user=chair, meeting=meeting, rows=[services.AgendaRow(item=item, order=1, start_time=dt.time(10, 20))]
    )
    body = chair_api.get(f"/api/v1/meetings/{meeting.pk}/").json()
    assert body["attendees"] == [
        {
            "user": chair.username,
            "name": chair.get_full_name() or chair.username,
            "role": "Quadrant tracker meeting chair",
        },
        {"user": None, "name": "Tom Reid", "role": "LA solicitor"},
    ]
    assert chair_api.get(f"/api/v1/meeting-items/{item.pk}/").json()["start_time"] == "10:20:00"


def test_it_refuses_a_bad_decision_on_its_field_and_saves_nothing(chair_api, meeting):
    item = meeting.items.get()
    url = f"/api/v1/meeting-items/{item.pk}/"
    etag = chair_api.get(url)["ETag"]
    response = chair_api.patch(url, {"decision": "continue"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert [(e["attr"], e["detail"]) for e in response.json()["errors"]] == [
        ("review_date", "Enter the review date for a case that continues.")
    ]
    response = chair_api.patch(url, {"note": "Only a note"}, format="json", HTTP_IF_MATCH=etag)
    assert [e["attr"] for e in response.json()["errors"]] == ["decision"]
    item.refresh_from_db()
    assert (item.decision, item.note, item.decided_at) == ("", "", None)


def test_it_refuses_to_change_a_closed_meeting(chair_api, chair, meeting):
    item = meeting.items.get()
    services.meeting_item_decide(user=chair, item=item, decision="issue", review_date=None, note="")
    services.meeting_close(user=chair, meeting=meeting)
    url = f"/api/v1/meeting-items/{item.pk}/"
    response = chair_api.patch(url, {"decision": "step_down"}, format="json", HTTP_IF_MATCH=chair_api.get(url)["ETag"])
    assert response.status_code == 409
    assert response.json()["errors"] == [
        {"code": "conflict", "detail": "This meeting is closed: its record can no longer change.", "attr": None}
    ]
    response = chair_api.post(
        "/api/v1/meeting-actions/",
        {"item": item.pk, "description": "More", "owner": chair.pk, "due_date": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.decision == "issue"
    assert not m.MeetingAction.objects.exists()


def test_it_agrees_an_action_and_marks_it_done(chair_api, chair, meeting):
    item = meeting.items.get()
    due = TODAY + dt.timedelta(days=7)
    response = chair_api.post(
        "/api/v1/meeting-actions/",
        {
            "item": item.pk,
            "description": "Book the family group conference",
            "owner": item.family.social_worker.pk,
            "due_date": due.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    action = m.MeetingAction.objects.get()
    assert (action.item, action.family_id, action.due_date, action.created_by, action.completed_date) == (
        item,
        item.family_id,
        due,
        chair,
        None,
    )
    assert action.owner == item.family.social_worker
    assert (response.json()["owner"], response.json()["owner_note"]) == (item.family.social_worker.pk, "")
    url = f"/api/v1/meeting-actions/{action.pk}/"
    etag = response["ETag"]
    moved = chair_api.patch(url, {"due_date": TODAY.isoformat()}, format="json", HTTP_IF_MATCH=etag)
    assert [e["attr"] for e in moved.json()["errors"]] == ["due_date"]
    done = chair_api.patch(url, {"completed_date": TODAY.isoformat()}, format="json", HTTP_IF_MATCH=etag)
    assert done.status_code == 200, done.json()
    action.refresh_from_db()
    assert (action.completed_date, action.due_date, action.updated_by) == (TODAY, due, chair)
    assert [a["id"] for a in chair_api.get("/api/v1/meeting-actions/", {"open": "true"}).json()["results"]] == []


def test_it_refuses_an_action_with_no_owner_on_its_field(chair_api, meeting):
    item = meeting.items.get()
    response = chair_api.post(
        "/api/v1/meeting-actions/",
        {"item": item.pk, "description": "Book it", "owner": "", "due_date": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == ["owner"]
    assert not m.MeetingAction.objects.exists()


def test_it_refuses_an_owner_of_another_la_or_a_service_account(chair_api, la_a, la_b, meeting):
    item = meeting.items.get()
    for owner in (
        f.UserFactory(local_authority=la_b),
        f.UserFactory(local_authority=la_a, role=c.Role.API_WRITE, team=None),
    ):
        response = chair_api.post(
            "/api/v1/meeting-actions/",
            {"item": item.pk, "description": "Book it", "owner": owner.pk, "due_date": TODAY.isoformat()},
            format="json",
        )
        assert response.status_code == 400, owner.role
        assert [e["attr"] for e in response.json()["errors"]] == ["owner"]
    assert not m.MeetingAction.objects.exists()


def test_it_shows_an_owner_kept_as_first_written(chair_api, chair, meeting):
    """An action recorded before owners were users, whose owner matched no single user, keeps the text."""
    action = f.MeetingActionFactory(item=meeting.items.get(), owner=None, owner_note="Legal", due_date=TODAY)
    body = chair_api.get(f"/api/v1/meeting-actions/{action.pk}/").json()
    assert (body["owner"], body["owner_note"]) == (None, "Legal")


def test_it_treats_another_las_meeting_as_one_that_does_not_exist(la_b, chair, chair_api):
    their_chair = f.UserFactory(role=c.Role.QUADRANT_CHAIR, local_authority=la_b)
    pp_case(la_b, weeks=10)
    theirs = services.meeting_open(user=their_chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
    item = theirs.items.get()
    assert chair_api.get(f"/api/v1/meetings/{theirs.pk}/").status_code == 404
    assert chair_api.get(f"/api/v1/meeting-items/{item.pk}/").status_code == 404
    response = chair_api.post(
        "/api/v1/meeting-actions/",
        {"item": item.pk, "description": "Theirs", "owner": chair.pk, "due_date": TODAY.isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert [e["attr"] for e in response.json()["errors"]] == ["item"]
    assert not m.MeetingAction.objects.exists()


def test_it_records_meeting_reads_in_the_read_audit(chair_api, chair, meeting):
    item = meeting.items.get()
    action = services.action_create(user=chair, item=item, description="Check", owner=chair, due_date=TODAY)
    chair_api.get("/api/v1/meetings/")  # a meeting's own record names no case
    chair_api.get("/api/v1/meeting-items/", {"meeting": meeting.pk})
    chair_api.get(f"/api/v1/meeting-actions/{action.pk}/")
    child = item.family.children.get()
    reads = [(r.route_name, r.family_ids, r.child_ids) for r in m.ReadAudit.objects.order_by("pk")]
    assert reads == [
        ("api:meeting_items-list", [item.family_id], [child.pk]),
        ("api:meeting_actions-detail", [item.family_id], [child.pk]),
    ]


def test_it_pins_the_meeting_lists_queries_whatever_the_number_of_rows(chair_api, chair, la_a):
    def grow():
        for weeks in (3, 8, 17):
            pp_case(la_a, weeks=weeks)
        opened = services.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=TODAY)
        for item in opened.items.all():
            services.action_create(user=chair, item=item, description="Check", owner=chair, due_date=TODAY)

    def counts() -> dict[str, int]:
        found = {}
        for prefix in ("meetings", "meeting-items", "meeting-actions"):
            with CaptureQueriesContext(connection) as queries:
                assert chair_api.get(f"/api/v1/{prefix}/").status_code == 200
            found[prefix] = len(queries)
        return found

    grow()
    few = counts()
    grow()
    # Session, its user and second factor, the LA, the page, and the audit (items, actions); meetings add
    # their attendees (one query for the page), items the thresholds for the flags' words.
    assert counts() == few
    assert few == {"meetings": 6, "meeting-items": 7, "meeting-actions": 6}
