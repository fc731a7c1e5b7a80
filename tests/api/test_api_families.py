"""Families and children through the API: reads, writes through the services, the changes feed,
ETags, If-Match, Idempotency-Key, the read audit and the error format."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from cases import models as m
from tests import factories as f
from tests.api.conftest import session_client, token_client

pytestmark = pytest.mark.django_db


def family_payload(**extra):
    return {"la_reference": "FAM-0001", "name": "Ashdown", **extra}


def test_it_creates_a_family_through_the_service_with_the_account_in_the_history(api, writer, la_a):
    response = api.post("/api/v1/families/", family_payload(), format="json")
    assert response.status_code == 201, response.json()
    family = m.Family.objects.get(la_reference="FAM-0001")
    assert (family.name, family.local_authority, family.created_by, family.updated_by) == (
        "Ashdown",
        la_a,
        writer,
        writer,
    )
    body = response.json()
    assert body["id"] == family.pk
    assert body["children"] == []
    assert body["created_by"] == writer.username
    assert response["Location"] == f"/api/v1/families/{family.pk}/"
    assert response["ETag"]
    event = family.history.get()
    assert event.pgh_context.metadata["username"] == writer.username


def test_it_creates_a_child_of_the_family(api, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    payload = {
        "family": family.pk,
        "la_child_id": "000123",
        "first_name": "",
        "last_name": "Ashdown",
        "expected_due_date": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "sex": "U",
        "ethnicity": "NOBT",
    }
    response = api.post("/api/v1/children/", payload, format="json")
    assert response.status_code == 201, response.json()
    child = m.Child.objects.get(la_child_id="000123")
    assert (child.family, child.date_of_birth, child.local_authority) == (family, None, la_a)


def test_it_names_the_field_of_a_broken_rule_and_saves_nothing(api, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    payload = {"family": family.pk, "la_child_id": "C1", "last_name": "Ashdown"}
    response = api.post("/api/v1/children/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {
                "code": "invalid",
                "detail": "Enter a date of birth, or an expected due date for an unborn child.",
                "attr": "date_of_birth",
            }
        ],
    }
    assert not m.Child.objects.filter(la_child_id="C1").exists()


def test_it_refuses_a_date_out_of_bounds_on_its_field(api, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    payload = {"family": family.pk, "la_child_id": "C1", "last_name": "A", "date_of_birth": "1850-01-01"}
    response = api.post("/api/v1/children/", payload, format="json")
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["date_of_birth"]


def test_it_treats_another_las_family_as_one_that_does_not_exist(api, la_b):
    theirs = f.FamilyFactory(local_authority=la_b)
    assert api.get(f"/api/v1/families/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/families/{theirs.pk}/").json()["errors"][0]["code"] == "not_found"
    response = api.post(
        "/api/v1/children/",
        {"family": theirs.pk, "la_child_id": "X", "last_name": "X", "date_of_birth": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "family"
    assert not m.Child.objects.filter(la_child_id="X").exists()


def test_it_updates_only_with_the_current_etag(api, la_a):
    family = f.FamilyFactory(local_authority=la_a, name="Old")
    read = api.get(f"/api/v1/families/{family.pk}/")
    etag = read["ETag"]
    missing = api.patch(f"/api/v1/families/{family.pk}/", {"name": "New"}, format="json")
    assert missing.status_code == 428
    assert missing.json()["errors"][0]["code"] == "precondition_required"
    first = api.patch(f"/api/v1/families/{family.pk}/", {"name": "New"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200, first.json()
    assert first["ETag"] != etag
    stale = api.patch(f"/api/v1/families/{family.pk}/", {"name": "Newer"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["errors"][0]["code"] == "precondition_failed"
    family.refresh_from_db()
    assert family.name == "New"


def test_it_does_not_move_a_child_to_another_family(api, la_a):
    child = f.ChildFactory(family=f.FamilyFactory(local_authority=la_a))
    other = f.FamilyFactory(local_authority=la_a)
    etag = api.get(f"/api/v1/children/{child.pk}/")["ETag"]
    response = api.patch(f"/api/v1/children/{child.pk}/", {"family": other.pk}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "family"


def test_it_answers_a_retried_post_with_the_first_answer(api):
    first = api.post("/api/v1/families/", family_payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/families/", family_payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    # The replay names the same record and version: a client can PATCH with the ETag it got back.
    created = m.Family.objects.get(la_reference="FAM-0001")
    assert again["Location"] == first["Location"] == f"/api/v1/families/{created.pk}/"
    assert again["ETag"] == first["ETag"]
    renamed = api.patch(again["Location"], {"name": "Renamed"}, format="json", HTTP_IF_MATCH=again["ETag"])
    assert renamed.status_code == 200
    assert api.get(again["Location"]).json()["name"] == "Renamed"
    assert m.Family.objects.filter(la_reference="FAM-0001").count() == 1
    other = api.post(
        "/api/v1/families/", family_payload(la_reference="FAM-2"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 422
    assert not m.Family.objects.filter(la_reference="FAM-2").exists()


def test_it_lets_a_failed_post_be_retried_with_the_same_key(api):
    bad = api.post("/api/v1/families/", {"la_reference": "F"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert bad.status_code == 400
    good = api.post("/api/v1/families/", family_payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert good.status_code == 201


def test_it_lists_what_changed_since_a_moment_in_cursor_pages(api, la_a):
    start = timezone.now()
    with time_machine.travel(start - dt.timedelta(days=2), tick=False):
        f.FamilyFactory(local_authority=la_a, la_reference="OLD")
    made = []
    for day in range(3):
        with time_machine.travel(start + dt.timedelta(hours=day), tick=False):
            made.append(f.FamilyFactory(local_authority=la_a, la_reference=f"NEW-{day}").la_reference)
    since = (start - dt.timedelta(minutes=1)).isoformat()
    page = api.get("/api/v1/families/", {"updated_since": since, "page_size": 2}).json()
    seen = [row["la_reference"] for row in page["results"]]
    page = api.get(page["next"]).json()
    seen += [row["la_reference"] for row in page["results"]]
    assert seen == made
    assert page["next"] is None


def test_it_walks_every_record_once_when_thousands_share_one_moment(api, la_a):
    # A bulk load writes its records with one updated_at: 2,050 here, walked 1,000 a page. (An offset
    # within a moment, capped at 1,000 as DRF's cursor has it, would repeat the second page forever.)
    m.Family.objects.bulk_create(
        [m.Family(local_authority=la_a, la_reference=f"BULK-{n:04d}", name=f"Bulk {n}") for n in range(2050)]
    )
    moment = timezone.now() - dt.timedelta(hours=1)
    m.Family.objects.filter(la_reference__startswith="BULK-").update(updated_at=moment)
    ids, pages = [], 0
    url = "/api/v1/families/?page_size=1000"
    while url and pages < 5:
        body = api.get(url).json()
        ids += [row["id"] for row in body["results"]]
        pages, url = pages + 1, body["next"]
    bulk = m.Family.objects.filter(la_reference__startswith="BULK-").order_by("pk")
    assert (pages, url) == (3, None)
    assert ids == list(bulk.values_list("pk", flat=True))  # each once, in id order within the moment


def test_it_refuses_a_cursor_it_did_not_give_naming_it(api):
    for cursor in ("nonsense", "bm90IGEgY3Vyc29y"):  # not base64; base64 of "not a cursor"
        response = api.get("/api/v1/families/", {"cursor": cursor})
        assert response.status_code == 400
        assert response.json()["errors"][0]["attr"] == "cursor"


def test_it_refuses_a_malformed_updated_since_on_the_parameter(api):
    response = api.get("/api/v1/families/", {"updated_since": "yesterday"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "updated_since"


def test_it_records_each_read_in_the_read_audit(api, writer, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    child = f.ChildFactory(family=family)
    api.get("/api/v1/families/")
    api.get(f"/api/v1/children/{child.pk}/")
    reads = list(m.ReadAudit.objects.order_by("pk"))
    assert [(r.kind, r.username, r.family_ids, r.child_ids) for r in reads] == [
        ("api", writer.username, [family.pk], [child.pk]),
        ("api", writer.username, [family.pk], [child.pk]),
    ]
    assert reads[0].route_name == "api:families-list"


def test_it_refuses_writes_to_a_read_only_token_and_unsigned_calls(reader, la_a):
    client = token_client(reader)
    assert client.get("/api/v1/families/").status_code == 200
    response = client.post("/api/v1/families/", family_payload(), format="json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["detail"] == "Your role can view cases but not change them."
    assert not m.Family.objects.exists()
    anonymous = token_client.__globals__["APIClient"]()
    response = anonymous.get("/api/v1/families/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_it_serves_a_person_with_a_verified_session(social_worker, la_a):
    f.FamilyFactory(local_authority=la_a)
    client = session_client(social_worker)
    assert client.get("/api/v1/families/").status_code == 200


def test_it_answers_in_json_for_an_unknown_address_and_method(api):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["type"] == "client_error"
    response = api.delete("/api/v1/families/")
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"
