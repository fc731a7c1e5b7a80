"""The API of the people around a case, case notes and document links: create, list, detail, correct.

The worked examples create what they say; writes go through the page's services (an author for a
note, the LA's document store for a link, one person linked to two families raising the flag); a
read of a person is a read of each of their families.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cases import models as m
from cases.api import examples as ex
from tests import factories as f
from tests.api.test_api_examples import created_as_the_example_says

pytestmark = pytest.mark.django_db


def test_the_person_example_creates_the_person_and_finds_her_by_surname_and_date_of_birth(api, writer, la_a):
    answer = created_as_the_example_says(api, "/api/v1/people/", ex.PEOPLE, {}, links={})
    person = m.Person.objects.get(pk=answer["id"])
    assert (person.first_name, person.last_name, person.date_of_birth, person.local_authority) == (
        "Kayleigh",
        "Fletcher",
        dt.date(1998, 10, 2),
        la_a,
    )
    assert person.created_by == writer
    found = api.get("/api/v1/people/", {"last_name": "Fletcher", "date_of_birth": "1998-10-02"}).json()["results"]
    assert [row["id"] for row in found] == [person.pk]
    assert api.get("/api/v1/people/", {"last_name": "Fletcher", "date_of_birth": "1998-10-03"}).json()["results"] == []


def test_the_family_member_example_links_a_known_parent_and_raises_the_flag(api, la_a, social_worker):
    today = timezone.localdate()
    person = f.PersonFactory(local_authority=la_a, first_name="Kayleigh", last_name="Fletcher")
    earlier = f.FamilyFactory(local_authority=la_a)
    f.ProceedingsFactory(family=earlier, issue_date=dt.date(2023, 4, 3), concluded_date=dt.date(2023, 11, 1))
    f.FamilyMemberFactory(family=earlier, person=person)
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    f.EpisodeFactory(family=family, gateway_meeting_date=today - dt.timedelta(days=14))

    answer = created_as_the_example_says(
        api, "/api/v1/family-members/", ex.FAMILY_MEMBERS, {"family": family.pk, "person": person.pk}, links={}
    )
    member = m.FamilyMember.objects.get(pk=answer["id"])
    assert (member.family, member.person, member.role) == (family, person, "mother")
    row = api.get(f"/api/v1/tracker/{family.pk}/").json()
    assert "parent_previous_proceedings" in [flag["code"] for flag in row["flags"]]


def test_it_refuses_the_same_parent_twice_and_another_las_person(api, la_a, la_b):
    family = f.FamilyFactory(local_authority=la_a)
    member = f.FamilyMemberFactory(family=family)
    twice = api.post("/api/v1/family-members/", {"family": family.pk, "person": member.person_id, "role": "father"})
    assert twice.status_code == 400
    assert "This person is already linked to the family." in str(twice.json())
    stranger = f.PersonFactory(local_authority=la_b)
    other = api.post("/api/v1/family-members/", {"family": family.pk, "person": stranger.pk, "role": "father"})
    assert other.status_code == 400
    assert other.json()["errors"][0]["attr"] == "person"
    assert m.FamilyMember.objects.filter(family=family).count() == 1


def test_the_professional_example_creates_the_guardian(api, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    answer = created_as_the_example_says(
        api, "/api/v1/professionals/", ex.PROFESSIONALS, {"family": family.pk}, links={}
    )
    professional = m.Professional.objects.get(pk=answer["id"])
    assert (professional.family, professional.role, professional.name, professional.organisation) == (
        family,
        "guardian",
        "Joanne Whitfield",
        "Cafcass East",
    )


def test_the_case_note_example_creates_the_note_with_the_account_as_author(api, writer, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    body = {**ex.NOTE_CREATE, "family": family.pk}
    response = api.post("/api/v1/case-notes/", body, format="json")
    assert response.status_code == 201, response.json()
    note = m.CaseNote.objects.get(pk=response.json()["id"])
    assert (note.family, note.note_date, note.kind, note.author) == (family, dt.date(2026, 3, 16), "visit", writer)
    assert response.json()["author"] == writer.username


def test_it_refuses_a_note_in_the_future_naming_the_field(api, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = api.post(
        "/api/v1/case-notes/", {"family": family.pk, "note_date": tomorrow.isoformat(), "kind": "visit", "text": "x"}
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["attr"], error["detail"]) == ("note_date", "The date of the note must be today or in the past.")
    assert not m.CaseNote.objects.exists()


def test_the_document_link_example_creates_the_link_and_a_bad_scheme_is_refused(api, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    answer = created_as_the_example_says(
        api, "/api/v1/document-links/", ex.DOCUMENT_LINKS, {"family": family.pk}, links={}
    )
    assert m.DocumentLink.objects.get(pk=answer["id"]).url.startswith("https://docs.essex.example/")
    bad = api.post(
        "/api/v1/document-links/",
        {"family": family.pk, "label": "Order", "kind": "order", "url": "ftp://docs.essex.example/order.pdf"},
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["attr"] == "url"
    assert m.DocumentLink.objects.count() == 1


def test_it_corrects_a_note_with_if_match_and_keeps_the_family(api, la_a):
    note = f.CaseNoteFactory(family=f.FamilyFactory(local_authority=la_a))
    etag = api.get(f"/api/v1/case-notes/{note.pk}/")["ETag"]
    response = api.patch(f"/api/v1/case-notes/{note.pk}/", {"kind": "meeting"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    note.refresh_from_db()
    assert note.kind == "meeting"
    moved = api.patch(
        f"/api/v1/case-notes/{note.pk}/",
        {"family": f.FamilyFactory(local_authority=la_a).pk},
        format="json",
        HTTP_IF_MATCH=response["ETag"],
    )
    assert moved.status_code == 400


def test_a_read_of_a_person_is_a_read_of_each_of_their_families(api, la_a):
    person = f.PersonFactory(local_authority=la_a)
    first, second = f.FamilyFactory(local_authority=la_a), f.FamilyFactory(local_authority=la_a)
    f.FamilyMemberFactory(family=first, person=person)
    f.FamilyMemberFactory(family=second, person=person)
    assert api.get(f"/api/v1/people/{person.pk}/").status_code == 200
    read = m.ReadAudit.objects.latest("pk")
    assert (read.kind, read.family_ids) == ("api", sorted([first.pk, second.pk]))


def test_another_las_records_are_not_found(api, la_b):
    other = f.FamilyFactory(local_authority=la_b)
    for url in (
        f"/api/v1/case-notes/{f.CaseNoteFactory(family=other).pk}/",
        f"/api/v1/document-links/{f.DocumentLinkFactory(family=other).pk}/",
        f"/api/v1/professionals/{f.ProfessionalFactory(family=other).pk}/",
        f"/api/v1/family-members/{f.FamilyMemberFactory(family=other).pk}/",
        f"/api/v1/people/{f.PersonFactory(local_authority=la_b).pk}/",
    ):
        assert api.get(url).status_code == 404, url
    assert api.get("/api/v1/case-notes/").json()["results"] == []
