"""Care proceedings through the API: applications, each child's part, extensions and hearings with
their outcomes. Writes go through the page's services (validation, who and when, the history).

An application is issued on Monday 3 March 2025: its 26 weeks end on Monday 1 September 2025 and
an extension can reach 8 weeks further, to Monday 27 October 2025.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases import constants as c
from cases import models as m
from tests import factories as f
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

D = dt.date
ISSUE = D(2025, 3, 3)


@pytest.fixture
def family(la_a):
    return f.FamilyFactory(local_authority=la_a, name="Ashdown")


@pytest.fixture
def children(family):
    return [
        f.ChildFactory(family=family, first_name="Ada", date_of_birth=D(2019, 4, 1)),
        f.ChildFactory(family=family, first_name="Ben", date_of_birth=D(2021, 6, 1)),
    ]


@pytest.fixture
def application(family, children):
    proceedings = f.ProceedingsFactory(family=family, issue_date=ISSUE, court_case_number="CM25C00001")
    for child in children:
        f.ChildProceedingsFactory(proceedings=proceedings, child=child)
    return proceedings


@pytest.fixture
def theirs(la_b):
    """LA B's application, with a child's part, an extension and a hearing."""
    proceedings = f.ProceedingsFactory(family=f.FamilyFactory(local_authority=la_b), issue_date=ISSUE)
    part = f.ChildProceedingsFactory(proceedings=proceedings)
    return {
        "proceedings": proceedings,
        "child-proceedings": part,
        "extensions": f.ExtensionFactory(child_proceedings=part),
        "hearings": f.HearingFactory(proceedings=proceedings),
    }


def etag(api, path: str) -> str:
    return api.get(path)["ETag"]


def attrs(response) -> list[str]:
    return [error["attr"] for error in response.json()["errors"]]


def history_usernames(record) -> list[str]:
    """Who made each change in the record's history (None: a factory's, outside any service)."""
    events = record.history.select_related("pgh_context").order_by("pgh_id")
    return [event.pgh_context.metadata["username"] if event.pgh_context else None for event in events]


# -- applications ---------------------------------------------------------------------------------


def test_it_creates_an_application_with_its_children_through_the_service(api, writer, la_a, family, children):
    payload = {
        "family": family.pk,
        "court": "ipswich",
        "court_case_number": "IP25C00042",
        "issue_date": "2025-03-03",
        "judge": "HHJ Example (circuit judge)",
        "guardian_allocated_date": "2025-03-10",
        "short_notice": True,
        "short_notice_reason": "immediate_safety",
        "children": [child.pk for child in children],
    }
    response = api.post("/api/v1/proceedings/", payload, format="json")
    assert response.status_code == 201, response.json()
    saved = m.Proceedings.objects.get(court_case_number="IP25C00042")
    assert saved.family == family
    assert saved.court_id == "ipswich"
    assert saved.issue_date == D(2025, 3, 3)
    assert saved.judge == "HHJ Example (circuit judge)"
    assert saved.guardian_allocated_date == D(2025, 3, 10)
    assert saved.short_notice is True
    assert saved.short_notice_reason == "immediate_safety"
    assert saved.concluded_date is None
    assert saved.local_authority == la_a
    assert saved.created_by == writer
    assert saved.updated_by == writer
    parts = list(saved.child_parts.order_by("child_id"))
    assert [part.child_id for part in parts] == sorted(child.pk for child in children)
    assert {(part.local_authority_id, part.created_by_id) for part in parts} == {(la_a.pk, writer.pk)}
    assert history_usernames(saved) == [writer.username]
    body = response.json()
    assert body["id"] == saved.pk
    assert body["concluded_date"] is None
    assert body["created_by"] == writer.username
    assert "children" not in body
    assert [part["child"] for part in body["child_parts"]] == [part.child_id for part in parts]
    assert response["Location"] == f"/api/v1/proceedings/{saved.pk}/"


def test_it_refuses_an_issue_date_in_the_future_on_its_field_and_saves_nothing(api, family, children):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    payload = {
        "family": family.pk,
        "court": "chelmsford",
        "court_case_number": "CM-FUTURE",
        "issue_date": tomorrow.isoformat(),
        "children": [children[0].pk],
    }
    response = api.post("/api/v1/proceedings/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "invalid", "detail": "The issue date must be today or in the past.", "attr": "issue_date"}
    ]
    assert not m.Proceedings.objects.filter(court_case_number="CM-FUTURE").exists()
    assert not m.ChildProceedings.objects.exists()


def test_it_refuses_a_child_of_another_family_on_its_field_and_saves_nothing(api, family, children, la_a):
    stranger = f.ChildFactory(family=f.FamilyFactory(local_authority=la_a))
    payload = {
        "family": family.pk,
        "court": "chelmsford",
        "court_case_number": "CM-MIXED",
        "issue_date": "2025-03-03",
        "children": [children[0].pk, stranger.pk],
    }
    response = api.post("/api/v1/proceedings/", payload, format="json")
    assert response.status_code == 400
    assert attrs(response) == ["children"]
    assert not m.Proceedings.objects.filter(court_case_number="CM-MIXED").exists()


def test_it_corrects_an_application_with_if_match_and_adds_a_child(api, writer, application, family, children):
    baby = f.ChildFactory(family=family, first_name="Cal", date_of_birth=D(2025, 1, 2))
    path = f"/api/v1/proceedings/{application.pk}/"
    response = api.patch(
        path,
        {"judge": "District Judge Example", "children": [*(child.pk for child in children), baby.pk]},
        format="json",
        HTTP_IF_MATCH=etag(api, path),
    )
    assert response.status_code == 200, response.json()
    application.refresh_from_db()
    assert application.judge == "District Judge Example"
    assert application.updated_by == writer
    assert sorted(application.child_parts.values_list("child_id", flat=True)) == sorted(
        [*(child.pk for child in children), baby.pk]
    )
    assert history_usernames(application)[-1] == writer.username


def test_it_keeps_the_children_when_a_correction_does_not_name_them(api, application, children):
    path = f"/api/v1/proceedings/{application.pk}/"
    response = api.patch(path, {"judge": "Tier: circuit"}, format="json", HTTP_IF_MATCH=etag(api, path))
    assert response.status_code == 200, response.json()
    assert sorted(application.child_parts.values_list("child_id", flat=True)) == sorted(c.pk for c in children)


def test_it_refuses_to_take_a_child_out_of_an_application_and_saves_nothing(api, application, children):
    path = f"/api/v1/proceedings/{application.pk}/"
    response = api.patch(
        path, {"judge": "Changed", "children": [children[0].pk]}, format="json", HTTP_IF_MATCH=etag(api, path)
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "invalid",
            "detail": "A child cannot be taken out of an application here: record a final outcome.",
            "attr": "children",
        }
    ]
    application.refresh_from_db()
    assert application.judge == ""
    assert application.child_parts.count() == 2


def test_it_refuses_a_stale_if_match_and_a_new_family(api, application, la_a):
    path = f"/api/v1/proceedings/{application.pk}/"
    stale = etag(api, path)
    assert api.patch(path, {"judge": "First"}, format="json", HTTP_IF_MATCH=stale).status_code == 200
    response = api.patch(path, {"judge": "Second"}, format="json", HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    other = f.FamilyFactory(local_authority=la_a)
    response = api.patch(path, {"family": other.pk}, format="json", HTTP_IF_MATCH=etag(api, path))
    assert response.status_code == 400
    assert attrs(response) == ["family"]
    application.refresh_from_db()
    assert (application.judge, application.family_id) == ("First", application.family.pk)


# -- each child's part: plans and the final order ------------------------------------------------


def test_it_records_a_childs_plans_and_final_order_and_the_last_concludes_the_application(
    api, writer, la_a, application, children
):
    first, second = application.child_parts.order_by("child__date_of_birth")
    path = f"/api/v1/child-proceedings/{first.pk}/"
    payload = {
        "interim_plan": "family_or_friends",
        "interim_plan_approved": True,
        "final_plan": "sgo",
        "final_plan_approved": True,
        "final_outcome": "sgo",
        "final_outcome_date": "2025-08-11",
    }
    response = api.patch(path, payload, format="json", HTTP_IF_MATCH=etag(api, path))
    assert response.status_code == 200, response.json()
    first.refresh_from_db()
    assert first.interim_plan == "family_or_friends"
    assert first.interim_plan_approved is True
    assert first.final_plan == "sgo"
    assert first.final_plan_approved is True
    assert first.final_outcome_id == "sgo"
    assert first.final_outcome_date == D(2025, 8, 11)
    assert (first.local_authority, first.updated_by) == (la_a, writer)
    assert history_usernames(first)[-1] == writer.username
    assert response.json()["final_outcome"] == "sgo"
    # One child still waits for a final outcome: the application is open.
    assert api.get(f"/api/v1/proceedings/{application.pk}/").json()["concluded_date"] is None

    path = f"/api/v1/child-proceedings/{second.pk}/"
    response = api.patch(
        path,
        {"final_outcome": "care_order", "final_outcome_date": "2025-08-25"},
        format="json",
        HTTP_IF_MATCH=etag(api, path),
    )
    assert response.status_code == 200, response.json()
    # The last child's order, on 25 August, concludes it (the database trigger's date).
    assert api.get(f"/api/v1/proceedings/{application.pk}/").json()["concluded_date"] == "2025-08-25"


def test_it_refuses_a_final_order_without_its_date_on_the_field_and_saves_nothing(api, application):
    part = application.child_parts.first()
    path = f"/api/v1/child-proceedings/{part.pk}/"
    response = api.patch(
        path,
        {"final_plan": "adoption", "final_outcome": "placement_order"},
        format="json",
        HTTP_IF_MATCH=etag(api, path),
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "invalid", "detail": "Enter the date of the final order or outcome.", "attr": "final_outcome_date"}
    ]
    part.refresh_from_db()
    assert (part.final_plan, part.final_outcome_id) == ("", None)


def test_it_makes_childrens_parts_only_with_their_application(api, application, children):
    part = application.child_parts.first()
    response = api.post("/api/v1/child-proceedings/", {"proceedings": application.pk, "child": children[0].pk})
    assert response.status_code == 405
    path = f"/api/v1/child-proceedings/{part.pk}/"
    other = f.ProceedingsFactory(family=application.family, issue_date=ISSUE)
    response = api.patch(path, {"proceedings": other.pk}, format="json", HTTP_IF_MATCH=etag(api, path))
    # Read-only: a part never moves to another application.
    assert response.json()["proceedings"] == application.pk
    part.refresh_from_db()
    assert part.proceedings_id == application.pk


# -- extensions -----------------------------------------------------------------------------------


def test_it_records_an_extension_through_the_service(api, writer, la_a, application):
    part = application.child_parts.first()
    payload = {
        "child_proceedings": part.pk,
        "granted_date": "2025-08-20",
        "new_end_date": "2025-10-27",
        "reason": "The expert's cognitive assessment of the mother needs six more weeks.",
    }
    response = api.post("/api/v1/extensions/", payload, format="json")
    assert response.status_code == 201, response.json()
    saved = m.Extension.objects.get()
    assert saved.child_proceedings == part
    assert saved.granted_date == D(2025, 8, 20)
    assert saved.new_end_date == D(2025, 10, 27)
    assert saved.reason == "The expert's cognitive assessment of the mother needs six more weeks."
    assert (saved.local_authority, saved.created_by, saved.updated_by) == (la_a, writer, writer)
    assert history_usernames(saved) == [writer.username]
    assert response.json()["child_proceedings"] == part.pk


def test_it_refuses_an_extension_ending_before_it_was_granted_and_saves_nothing(api, application):
    part = application.child_parts.first()
    payload = {
        "child_proceedings": part.pk,
        "granted_date": "2025-08-20",
        "new_end_date": "2025-08-19",
        "reason": "More time for the parenting assessment.",
    }
    response = api.post("/api/v1/extensions/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "invalid",
            "detail": "The new end date must be after the date the extension was granted.",
            "attr": "new_end_date",
        }
    ]
    assert not m.Extension.objects.exists()


def test_it_refuses_a_new_extension_in_a_concluded_application(api, family):
    concluded = f.ProceedingsFactory(family=family, issue_date=ISSUE, concluded_date=D(2025, 8, 1))
    part = f.ChildProceedingsFactory(proceedings=concluded)
    payload = {
        "child_proceedings": part.pk,
        "granted_date": "2025-07-20",
        "new_end_date": "2025-10-27",
        "reason": "More time.",
    }
    response = api.post("/api/v1/extensions/", payload, format="json")
    assert response.status_code == 400
    assert attrs(response) == ["child_proceedings"]
    assert not m.Extension.objects.exists()


def test_it_corrects_an_extension_with_if_match(api, writer, application):
    extension = f.ExtensionFactory(
        child_proceedings=application.child_parts.first(), granted_date=D(2025, 8, 20), new_end_date=D(2025, 10, 6)
    )
    path = f"/api/v1/extensions/{extension.pk}/"
    response = api.patch(path, {"new_end_date": "2025-10-20"}, format="json", HTTP_IF_MATCH=etag(api, path))
    assert response.status_code == 200, response.json()
    extension.refresh_from_db()
    assert (extension.new_end_date, extension.updated_by) == (D(2025, 10, 20), writer)
    assert api.patch(path, {"new_end_date": "2025-10-21"}, format="json").status_code == 428


# -- hearings -------------------------------------------------------------------------------------


def test_it_lists_a_hearing_through_the_service(api, writer, la_a, application):
    payload = {
        "proceedings": application.pk,
        "hearing_type": "irh",
        "listed_on": "2025-05-01",
        "listed_date": "2025-06-16",
        "note": "Listed for half a day.",
    }
    response = api.post("/api/v1/hearings/", payload, format="json")
    assert response.status_code == 201, response.json()
    saved = m.Hearing.objects.get()
    assert saved.proceedings == application
    assert saved.hearing_type_id == "irh"
    assert saved.listed_on == D(2025, 5, 1)
    assert saved.listed_date == D(2025, 6, 16)
    assert saved.status == c.HearingStatus.LISTED
    assert (saved.vacated_on, saved.reason_id, saved.orders_made, saved.replaces_id) == (None, None, [], None)
    assert saved.note == "Listed for half a day."
    assert (saved.local_authority, saved.created_by, saved.updated_by) == (la_a, writer, writer)
    assert history_usernames(saved) == [writer.username]
    body = response.json()
    assert (body["status"], body["replaces"], body["relisted_as"]) == ("listed", None, None)


def test_it_leaves_the_outcome_of_a_new_listing_to_the_outcome_action(api, application):
    payload = {
        "proceedings": application.pk,
        "hearing_type": "cmh",
        "listed_date": "2025-03-17",
        "status": "held",
        "orders_made": ["interim_care"],
    }
    response = api.post("/api/v1/hearings/", payload, format="json")
    assert response.status_code == 400
    assert attrs(response) == ["orders_made", "status"]
    assert not m.Hearing.objects.exists()


def test_it_refuses_a_hearing_in_another_las_application_on_its_field(api, theirs):
    payload = {"proceedings": theirs["proceedings"].pk, "hearing_type": "cmh", "listed_date": "2025-03-17"}
    response = api.post("/api/v1/hearings/", payload, format="json")
    assert response.status_code == 400
    assert attrs(response) == ["proceedings"]
    assert m.Hearing.objects.count() == 1


def test_it_refuses_a_vacated_hearing_without_a_reason_and_saves_nothing(api, application):
    hearing = f.HearingFactory(proceedings=application, listed_date=D(2025, 6, 16), status=c.HearingStatus.LISTED)
    path = f"/api/v1/hearings/{hearing.pk}/"
    response = api.patch(
        path, {"status": "vacated", "vacated_on": "2025-06-02"}, format="json", HTTP_IF_MATCH=etag(api, path)
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "invalid", "detail": "Select the reason the hearing was vacated.", "attr": "reason"}
    ]
    hearing.refresh_from_db()
    assert (hearing.status, hearing.vacated_on) == ("listed", None)


def test_it_corrects_a_listing_with_if_match(api, writer, application):
    hearing = f.HearingFactory(proceedings=application, listed_date=D(2025, 6, 16), status=c.HearingStatus.LISTED)
    path = f"/api/v1/hearings/{hearing.pk}/"
    response = api.patch(path, {"listed_date": "2025-06-17"}, format="json", HTTP_IF_MATCH=etag(api, path))
    assert response.status_code == 200, response.json()
    hearing.refresh_from_db()
    assert (hearing.listed_date, hearing.updated_by) == (D(2025, 6, 17), writer)


# -- a hearing's outcome ---------------------------------------------------------------------------


@pytest.fixture
def listed(application):
    """The IRH, listed on 1 May 2025 for 16 June 2025 and waiting for its outcome."""
    return f.HearingFactory(
        proceedings=application,
        hearing_type_id="irh",
        listed_on=D(2025, 5, 1),
        listed_date=D(2025, 6, 16),
        status=c.HearingStatus.LISTED,
    )


def outcome(api, hearing, payload, **headers):
    return api.post(f"/api/v1/hearings/{hearing.pk}/outcome/", payload, format="json", **headers)


def test_it_records_a_held_hearing_with_the_orders_made(api, writer, listed):
    payload = {"status": "held", "orders_made": ["interim_care", "directions"], "note": "ICO renewed."}
    response = outcome(api, listed, payload, HTTP_IF_MATCH=etag(api, f"/api/v1/hearings/{listed.pk}/"))
    assert response.status_code == 200, response.json()
    listed.refresh_from_db()
    assert listed.status == c.HearingStatus.HELD
    assert listed.orders_made == ["interim_care", "directions"]
    assert listed.note == "ICO renewed."
    assert (listed.reason_id, listed.vacated_on, listed.updated_by) == (None, None, writer)
    assert history_usernames(listed)[-1] == writer.username
    body = response.json()
    assert body["hearing"]["status"] == "held"
    assert body["hearing"]["orders_made"] == ["interim_care", "directions"]
    assert body["relisting"] is None
    assert response["ETag"] == etag(api, f"/api/v1/hearings/{listed.pk}/")
    assert m.Hearing.objects.count() == 1


def test_it_records_an_adjourned_hearing_and_its_relisting_linked(api, writer, la_a, listed):
    payload = {
        "status": "adjourned",
        "reason": "judiciary_no_judge",
        "orders_made": ["directions"],
        "relisted_for": "2025-07-07",
        "relisted_on": "2025-06-16",
    }
    response = outcome(api, listed, payload, HTTP_IF_MATCH=etag(api, f"/api/v1/hearings/{listed.pk}/"))
    assert response.status_code == 200, response.json()
    listed.refresh_from_db()
    assert (listed.status, listed.reason_id, listed.orders_made) == ("adjourned", "judiciary_no_judge", ["directions"])
    relisting = m.Hearing.objects.exclude(pk=listed.pk).get()
    assert relisting.replaces == listed
    assert relisting.proceedings_id == listed.proceedings_id
    assert relisting.hearing_type_id == "irh"
    assert (relisting.listed_on, relisting.listed_date) == (D(2025, 6, 16), D(2025, 7, 7))
    assert relisting.status == c.HearingStatus.LISTED
    assert (relisting.local_authority, relisting.created_by) == (la_a, writer)
    assert history_usernames(relisting) == [writer.username]
    body = response.json()
    assert body["hearing"]["relisted_as"] == relisting.pk
    assert body["relisting"]["id"] == relisting.pk
    assert body["relisting"]["replaces"] == listed.pk


def test_it_refuses_a_second_outcome_and_changes_nothing(api, listed):
    path = f"/api/v1/hearings/{listed.pk}/"
    assert outcome(api, listed, {"status": "held"}, HTTP_IF_MATCH=etag(api, path)).status_code == 200
    response = outcome(
        api,
        listed,
        {"status": "vacated", "vacated_on": "2025-06-10", "reason": "judiciary_no_judge"},
        HTTP_IF_MATCH=etag(api, path),
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "invalid",
            "detail": "What came of this hearing is already recorded: correct the hearing instead.",
            "attr": "status",
        }
    ]
    listed.refresh_from_db()
    assert (listed.status, listed.vacated_on) == ("held", None)


def test_it_refuses_an_outcome_with_a_stale_or_missing_if_match(api, listed):
    path = f"/api/v1/hearings/{listed.pk}/"
    stale = etag(api, path)
    assert api.patch(path, {"note": "Court room 3."}, format="json", HTTP_IF_MATCH=stale).status_code == 200
    response = outcome(api, listed, {"status": "held"}, HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert response.json()["errors"][0]["code"] == "precondition_failed"
    assert outcome(api, listed, {"status": "held"}).status_code == 428
    listed.refresh_from_db()
    assert listed.status == c.HearingStatus.LISTED


def test_it_refuses_a_relisting_of_a_held_hearing_on_its_field(api, listed):
    payload = {"status": "held", "relisted_for": "2025-07-07"}
    response = outcome(api, listed, payload, HTTP_IF_MATCH=etag(api, f"/api/v1/hearings/{listed.pk}/"))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "invalid",
            "detail": "Only an adjourned or vacated hearing is re-listed: leave the new date empty.",
            "attr": "relisted_for",
        }
    ]
    assert m.Hearing.objects.get().status == c.HearingStatus.LISTED


def test_it_refuses_a_vacated_outcome_without_a_reason_and_saves_nothing(api, listed):
    payload = {"status": "vacated", "vacated_on": "2025-06-02", "relisted_for": "2025-07-07"}
    response = outcome(api, listed, payload, HTTP_IF_MATCH=etag(api, f"/api/v1/hearings/{listed.pk}/"))
    assert response.status_code == 400
    assert attrs(response) == ["reason"]
    assert m.Hearing.objects.get().status == c.HearingStatus.LISTED


def test_it_refuses_the_outcome_to_a_read_only_token(reader, listed):
    client = token_client(reader)
    path = f"/api/v1/hearings/{listed.pk}/"
    response = outcome(client, listed, {"status": "held"}, HTTP_IF_MATCH=client.get(path)["ETag"])
    assert response.status_code == 403
    assert m.Hearing.objects.get().status == c.HearingStatus.LISTED


# -- another LA's records -------------------------------------------------------------------------

ENDPOINTS = ["proceedings", "child-proceedings", "extensions", "hearings"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_treats_another_las_record_as_one_that_does_not_exist(api, other_writer, theirs, endpoint):
    path = f"/api/v1/{endpoint}/{theirs[endpoint].pk}/"
    assert api.get(path).status_code == 404
    theirs_etag = token_client(other_writer).get(path)["ETag"]
    response = api.patch(path, {"note": "x"}, format="json", HTTP_IF_MATCH=theirs_etag)
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_it_treats_another_las_hearing_as_missing_for_its_outcome(api, theirs):
    response = outcome(api, theirs["hearings"], {"status": "held"}, HTTP_IF_MATCH="*")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("endpoint", "field", "payload"),
    [
        ("proceedings", "family", {"court": "chelmsford", "court_case_number": "X1", "issue_date": "2025-03-03"}),
        (
            "extensions",
            "child_proceedings",
            {"granted_date": "2025-08-20", "new_end_date": "2025-10-27", "reason": "R"},
        ),
        ("hearings", "proceedings", {"hearing_type": "cmh", "listed_date": "2025-03-17"}),
    ],
)
def test_it_refuses_a_link_to_another_las_record_on_its_field(api, theirs, children, endpoint, field, payload):
    linked = {"family": theirs["proceedings"].family, "child_proceedings": theirs["child-proceedings"]}.get(
        field, theirs["proceedings"]
    )
    before = m.Proceedings.objects.count(), m.Extension.objects.count(), m.Hearing.objects.count()
    body = {**payload, field: linked.pk, "children": [children[0].pk]}
    response = api.post(f"/api/v1/{endpoint}/", body, format="json")
    assert response.status_code == 400
    assert attrs(response) == [field]
    assert response.json()["errors"][0]["detail"] == f'Invalid pk "{linked.pk}" - object does not exist.'
    assert (m.Proceedings.objects.count(), m.Extension.objects.count(), m.Hearing.objects.count()) == before


# -- the read audit ----------------------------------------------------------------------------------


def test_it_records_each_read_with_the_families_and_children_it_shows(api, writer, la_a, application, children, listed):
    part = application.child_parts.get(child=children[1])
    extension = f.ExtensionFactory(child_proceedings=part)
    other = f.ProceedingsFactory(family=f.FamilyFactory(local_authority=la_a), issue_date=ISSUE)
    other_part = f.ChildProceedingsFactory(proceedings=other)
    api.get("/api/v1/hearings/")
    api.get("/api/v1/child-proceedings/")
    api.get(f"/api/v1/child-proceedings/{part.pk}/")
    api.get(f"/api/v1/extensions/{extension.pk}/")
    family, both = application.family_id, sorted(child.pk for child in children)
    reads = [
        (r.kind, r.username, r.route_name, sorted(r.family_ids), sorted(r.child_ids))
        for r in m.ReadAudit.objects.order_by("pk")
    ]
    assert reads == [
        # A hearing shows its application's family: every child of it.
        ("api", writer.username, "api:hearings-list", [family], both),
        # A child's part shows that child only.
        (
            "api",
            writer.username,
            "api:child_proceedings-list",
            sorted([family, other.family_id]),
            sorted([*both, other_part.child_id]),
        ),
        ("api", writer.username, "api:child_proceedings-detail", [family], [children[1].pk]),
        ("api", writer.username, "api:extensions-detail", [family], [children[1].pk]),
    ]


# -- query counts ------------------------------------------------------------------------------------


def make_row(endpoint: str, la) -> int:
    """One more record of the endpoint's kind, in a family of its own (a hearing: a listing and its
    re-listing); the number made."""
    proceedings = f.ProceedingsFactory(family=f.FamilyFactory(local_authority=la), issue_date=ISSUE)
    part = f.ChildProceedingsFactory(proceedings=proceedings)
    if endpoint == "extensions":
        f.ExtensionFactory(child_proceedings=part)
    if endpoint == "hearings":
        old = f.HearingFactory(
            proceedings=proceedings,
            status=c.HearingStatus.ADJOURNED,
            reason_id="judiciary_no_judge",
            orders_made=["directions"],
        )
        f.HearingFactory(proceedings=proceedings, replaces=old, status=c.HearingStatus.LISTED)
        return 2
    return 1


# The token and its user's tokens, the LA for row security (unset, then set), the page and the read
# audit; an application's children's parts in one more. None per row, and no session for a token.
LIST_QUERIES = {"proceedings": 7, "child-proceedings": 6, "extensions": 6, "hearings": 6}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_lists_each_kind_in_a_fixed_number_of_queries(api, la_a, endpoint, django_assert_num_queries):
    path = f"/api/v1/{endpoint}/"
    api.get(path)
    made = 0
    for rows in (2, 6):
        while made < rows:
            made += make_row(endpoint, la_a)
        with django_assert_num_queries(LIST_QUERIES[endpoint]):
            response = api.get(path)
        assert len(response.json()["results"]) == rows
