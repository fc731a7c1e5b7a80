"""The people around a case, case notes and document links (issue 17 item 4).

Each form is submitted with valid data and what was saved is checked; the errors name their field;
another LA's case is a 404; a parent linked to two families shows the earlier family's proceedings
on the new case and raises the tracker's repeat pregnancy / previous proceedings flag; the history
says who changed what; the case page's queries do not grow with the people, notes and documents.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from cases import constants as c
from cases import models as m
from cases.selectors import tracker
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date
FLAG = "parent_previous_proceedings"


def date_fields(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def text(html: str) -> str:
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def error_summary(response) -> str:
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    start = html.index('class="govuk-error-summary"')
    return text(html[start : html.index("</div>\n  </div>\n</div>", start)])


@pytest.fixture
def family(la_a, social_worker):
    return f.FamilyFactory(local_authority=la_a, social_worker=social_worker, name="Hartley", la_reference="ESX-F-2001")


@pytest.fixture
def signed_in(client, social_worker):
    sign_in(client, social_worker)
    return client


# ---------------------------------------------------------------------------
# Parents and carers
# ---------------------------------------------------------------------------


def test_it_adds_a_new_parent_with_their_role_and_interpreter_need(signed_in, family, social_worker):
    response = signed_in.post(
        reverse("cases:person_new", args=[family.pk]),
        {
            "role": "mother",
            "first_name": "Dana",
            "last_name": "Hartley",
            **date_fields("date_of_birth", D(1997, 4, 2)),
            "language": "Polish",
            "interpreter_needed": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[family.pk]) + "#people"
    (member,) = m.FamilyMember.objects.filter(family=family)
    person = member.person
    assert (member.role, member.local_authority_id, member.created_by) == (
        "mother",
        family.local_authority_id,
        social_worker,
    )
    assert (person.first_name, person.last_name, person.date_of_birth) == ("Dana", "Hartley", D(1997, 4, 2))
    assert (person.language, person.interpreter_needed, person.local_authority_id) == (
        "Polish",
        True,
        family.local_authority_id,
    )

    page = signed_in.get(reverse("cases:detail", args=[family.pk])).content.decode()
    people = text(page[page.index('id="people"') : page.index('id="notes"')])
    assert "Dana Hartley Mother Born 2 April 1997 Interpreter needed Polish" in people


def test_it_refuses_an_interpreter_with_no_language_and_a_future_birth_date_naming_the_fields(signed_in, family):
    future = timezone.localdate() + dt.timedelta(days=1)
    response = signed_in.post(
        reverse("cases:person_new", args=[family.pk]),
        {
            "role": "",
            "first_name": "Dana",
            "last_name": "",
            "interpreter_needed": "on",
            **date_fields("date_of_birth", future),
        },
    )
    assert response.status_code == 200
    summary = error_summary(response)
    assert "Select role in this family" in summary
    assert "Enter last name" in summary
    assert "The date of birth must be today or in the past." in summary
    assert m.Person.objects.count() == 0


def test_it_offers_the_same_person_and_links_them_rather_than_recording_them_twice(signed_in, family, la_a):
    earlier = f.FamilyFactory(local_authority=la_a, name="Hartley-Moss", la_reference="ESX-F-1500")
    mother = f.PersonFactory(local_authority=la_a, first_name="Dana", last_name="Hartley", date_of_birth=D(1997, 4, 2))
    f.FamilyMemberFactory(family=earlier, person=mother, role="mother")
    url = reverse("cases:person_new", args=[family.pk])
    answers = {
        "role": "mother",
        "first_name": "Dani",
        "last_name": "HARTLEY",
        **date_fields("date_of_birth", D(1997, 4, 2)),
    }

    first = signed_in.post(url, answers)
    assert first.status_code == 200
    html = first.content.decode()
    assert "Is this one of these people?" in html
    assert "Dana Hartley, born 2 April 1997: mother in Hartley-Moss (ESX-F-1500)" in text(html)
    assert m.FamilyMember.objects.filter(family=family).count() == 0
    # The page names the other family: a read of it too.
    assert m.ReadAudit.objects.latest("pk").family_ids == sorted([family.pk, earlier.pk])

    # Asked again with no answer: it says so, on the question.
    again = signed_in.post(url, {**answers, "same_person": ""})
    assert "Select whether this is one of the people listed" in error_summary(again)

    done = signed_in.post(url, {**answers, "same_person": str(mother.pk)})
    assert done.status_code == 302
    assert m.Person.objects.count() == 1
    assert list(m.FamilyMember.objects.filter(family=family).values_list("person_id", "role")) == [
        (mother.pk, "mother")
    ]
    mother.refresh_from_db()
    assert mother.first_name == "Dana"  # linked as recorded, not renamed by the new answers


def test_it_records_a_new_person_when_told_it_is_someone_else(signed_in, family, la_a):
    other = f.PersonFactory(local_authority=la_a, first_name="Dana", last_name="Hartley", date_of_birth=D(1997, 4, 2))
    f.FamilyMemberFactory(family=f.FamilyFactory(local_authority=la_a), person=other)
    url = reverse("cases:person_new", args=[family.pk])
    answers = {
        "role": "carer",
        "first_name": "Dana",
        "last_name": "Hartley",
        **date_fields("date_of_birth", D(1997, 4, 2)),
    }
    response = signed_in.post(url, {**answers, "same_person": "new"})
    assert response.status_code == 302
    (member,) = m.FamilyMember.objects.filter(family=family)
    assert member.person_id != other.pk
    assert m.Person.objects.count() == 2


def test_it_says_when_the_person_is_already_on_this_case_and_records_someone_else_only_when_told(signed_in, family):
    dana = f.PersonFactory(local_authority=family.local_authority, first_name="Dana", date_of_birth=D(1997, 4, 2))
    f.FamilyMemberFactory(family=family, person=dana, role="mother")
    url = reverse("cases:person_new", args=[family.pk])
    answers = {
        "role": "carer",
        "first_name": "Dana",
        "last_name": "Hartley",
        **date_fields("date_of_birth", D(1997, 4, 2)),
    }
    refused = signed_in.post(url, answers)
    assert "Dana Hartley is already recorded on this case (mother)" in error_summary(refused)
    assert m.FamilyMember.objects.filter(family=family).count() == 1
    assert signed_in.post(url, {**answers, "same_person": "new"}).status_code == 302
    assert m.FamilyMember.objects.filter(family=family).count() == 2


def test_it_never_offers_another_las_person(signed_in, family, la_b):
    f.FamilyMemberFactory(
        family=f.FamilyFactory(local_authority=la_b),
        person=f.PersonFactory(
            local_authority=la_b, first_name="Dana", last_name="Hartley", date_of_birth=D(1997, 4, 2)
        ),
    )
    response = signed_in.post(
        reverse("cases:person_new", args=[family.pk]),
        {"role": "mother", "first_name": "Dana", "last_name": "Hartley", **date_fields("date_of_birth", D(1997, 4, 2))},
    )
    assert response.status_code == 302  # no question asked: saved as a new person of LA A
    assert m.FamilyMember.objects.get(family=family).person.local_authority_id == family.local_authority_id


def test_it_corrects_a_parent_and_keeps_who_changed_what(signed_in, family, social_worker):
    member = f.FamilyMemberFactory(
        family=family, person=f.PersonFactory(local_authority=family.local_authority, first_name="Dana")
    )
    response = signed_in.post(
        reverse("cases:member_edit", args=[family.pk, member.pk]),
        {
            "role": "carer",
            "first_name": "Danielle",
            "last_name": "Hartley",
            **date_fields("date_of_birth", D(1996, 2, 11)),
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    member.person.refresh_from_db()
    assert (member.role, member.person.first_name) == ("carer", "Danielle")
    (update,) = Events.objects.filter(
        pgh_model="cases.PersonEvent", pgh_obj_id=str(member.person.pk), pgh_label="update"
    )
    assert update.pgh_diff["first_name"] == ["Dana", "Danielle"]
    assert update.pgh_context["user"] == social_worker.pk
    (role_change,) = Events.objects.filter(
        pgh_model="cases.FamilyMemberEvent", pgh_obj_id=str(member.pk), pgh_label="update"
    )
    assert role_change.pgh_diff["role"] == ["mother", "carer"]


# ---------------------------------------------------------------------------
# Professionals, notes and documents
# ---------------------------------------------------------------------------


def test_it_adds_and_corrects_a_professional(signed_in, family, social_worker):
    url = reverse("cases:professional_new", args=[family.pk])
    response = signed_in.post(
        url,
        {
            "role": "parent_solicitor",
            "name": "Priya Lowe",
            "organisation": "Lowe & Marsh Solicitors",
            "acting_for": "the mother",
            "email": "p.lowe@lowe-marsh.example",
            "phone": "01206 555 012",
        },
    )
    assert response.status_code == 302
    (professional,) = family.professionals.all()
    assert (professional.role, professional.name, professional.acting_for, professional.created_by) == (
        "parent_solicitor",
        "Priya Lowe",
        "the mother",
        social_worker,
    )
    bad = signed_in.post(
        reverse("cases:professional_edit", args=[family.pk, professional.pk]),
        {"role": "guardian", "name": "Priya Lowe", "email": "not an address"},
    )
    assert "Enter a valid email address." in error_summary(bad)
    professional.refresh_from_db()
    assert professional.role == "parent_solicitor"  # nothing half-saved


def test_it_adds_a_case_note_with_its_author(signed_in, family, social_worker):
    response = signed_in.post(
        reverse("cases:note_new", args=[family.pk]),
        {"kind": "legal_advice", "text": "Advised threshold is met.", **date_fields("note_date", D(2026, 1, 12))},
    )
    assert response.status_code == 302
    (note,) = family.notes.all()
    assert (note.kind, note.text, note.note_date, note.author) == (
        "legal_advice",
        "Advised threshold is met.",
        D(2026, 1, 12),
        social_worker,
    )
    page = signed_in.get(reverse("cases:detail", args=[family.pk])).content.decode()
    notes = text(page[page.index('id="notes"') : page.index('id="documents"')])
    assert "12 January 2026: Legal advice by Sam" in notes
    # On the timeline, with a link to correct it.
    timeline = page[page.index('id="timeline-list"') :]
    assert "Case note: legal advice" in text(timeline)
    assert reverse("cases:note_edit", args=[family.pk, note.pk]) in timeline


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (1, "The date of the note must be today or in the past."),
        (None, "The date of the note must be on or after 1 January 1900."),
    ],
)
def test_it_refuses_a_note_dated_in_the_future_or_before_1900(signed_in, family, day, message):
    when = timezone.localdate() + dt.timedelta(days=day) if day else D(1899, 12, 31)
    response = signed_in.post(
        reverse("cases:note_new", args=[family.pk]),
        {"kind": "visit", "text": "Seen.", **date_fields("note_date", when)},
    )
    assert response.status_code == 200
    assert message in error_summary(response)
    assert not family.notes.exists()


def test_it_adds_a_document_link(signed_in, family):
    response = signed_in.post(
        reverse("cases:document_new", args=[family.pk]),
        {
            "label": "Parenting assessment report",
            "kind": "report",
            "url": "https://docs.essex.example/cases/2001/pa.pdf",
            **date_fields("document_date", D(2026, 2, 20)),
        },
    )
    assert response.status_code == 302
    (document,) = family.documents.all()
    assert (document.label, document.kind, document.url, document.document_date) == (
        "Parenting assessment report",
        "report",
        "https://docs.essex.example/cases/2001/pa.pdf",
        D(2026, 2, 20),
    )
    page = signed_in.get(reverse("cases:detail", args=[family.pk])).content.decode()
    assert 'href="https://docs.essex.example/cases/2001/pa.pdf"' in page
    assert "Report: Parenting assessment report" in text(page[page.index('id="timeline-list"') :])


@pytest.mark.parametrize(
    "url", ["ftp://docs.essex.example/a.pdf", "javascript:alert(1)", "file:///c:/cases/a.pdf", "not a link"]
)
def test_it_refuses_a_link_that_is_not_http_or_https(signed_in, family, url):
    response = signed_in.post(
        reverse("cases:document_new", args=[family.pk]), {"label": "Letter", "kind": "letter", "url": url}
    )
    assert response.status_code == 200
    assert "Enter the link as a full web address starting with https:// or http://" in error_summary(response)
    assert not family.documents.exists()


def test_it_refuses_a_link_outside_the_las_document_store_when_the_la_names_its_hosts(signed_in, family, settings):
    settings.PLO_DOCUMENT_HOSTS = {"881": ["docs.essex.example", ".essex.gov.uk"]}
    url = reverse("cases:document_new", args=[family.pk])
    refused = signed_in.post(url, {"label": "Letter", "kind": "letter", "url": "https://files.example.com/a.pdf"})
    assert "Enter a link to the LA's own document store (docs.essex.example, essex.gov.uk)." in error_summary(refused)
    for allowed in ("https://docs.essex.example/a.pdf", "https://dms.essex.gov.uk/b.pdf"):
        assert signed_in.post(url, {"label": "Letter", "kind": "letter", "url": allowed}).status_code == 302
    assert sorted(family.documents.values_list("url", flat=True)) == [
        "https://dms.essex.gov.uk/b.pdf",
        "https://docs.essex.example/a.pdf",
    ]


# ---------------------------------------------------------------------------
# Who may
# ---------------------------------------------------------------------------

ROUTES = ["person_new", "professional_new", "note_new", "document_new"]


@pytest.mark.parametrize("route", ROUTES)
def test_it_answers_404_for_another_las_case(client, other_la_user, family, route):
    sign_in(client, other_la_user)
    assert client.get(reverse(f"cases:{route}", args=[family.pk])).status_code == 404
    assert client.post(reverse(f"cases:{route}", args=[family.pk]), {"label": "x"}).status_code == 404


def test_it_answers_404_for_a_record_of_another_case(signed_in, family, la_a):
    other = f.FamilyFactory(local_authority=la_a)
    note = f.CaseNoteFactory(family=other)
    document = f.DocumentLinkFactory(family=other)
    professional = f.ProfessionalFactory(family=other)
    member = f.FamilyMemberFactory(family=other)
    for route, pk in (
        ("note_edit", note.pk),
        ("document_edit", document.pk),
        ("professional_edit", professional.pk),
        ("member_edit", member.pk),
    ):
        assert signed_in.get(reverse(f"cases:{route}", args=[family.pk, pk])).status_code == 404, route


@pytest.mark.parametrize("route", ROUTES)
def test_it_refuses_read_only_and_aggregate_roles(client, chair, board_member, family, route):
    for user in (chair, board_member):
        sign_in(client, user)
        assert client.get(reverse(f"cases:{route}", args=[family.pk])).status_code == 403


def test_it_shows_a_chair_the_sections_without_links_to_change_them(client, chair, family):
    f.CaseNoteFactory(family=family)
    sign_in(client, chair)
    page = client.get(reverse("cases:detail", args=[family.pk])).content.decode()
    assert 'id="notes-list"' in page
    assert 'id="add-note"' not in page
    assert reverse("cases:note_new", args=[family.pk]) not in page


# ---------------------------------------------------------------------------
# One parent across families: the earlier proceedings and the flag
# ---------------------------------------------------------------------------


@pytest.fixture
def repeat_pregnancy(la_a, social_worker):
    """Dana's first family went through pre-proceedings (Feb 2024) and proceedings (Jun 2024, a placement
    order in Jan 2025); she is pregnant again and a pre-birth case starts 20 days ago."""
    today = timezone.localdate()
    dana = f.PersonFactory(local_authority=la_a, first_name="Dana", last_name="Hartley", date_of_birth=D(1997, 4, 2))
    first = f.FamilyFactory(local_authority=la_a, name="Hartley-Moss", la_reference="ESX-F-1500")
    f.ChildFactory(family=first, date_of_birth=D(2023, 8, 1))
    f.EpisodeFactory(
        family=first,
        gateway_meeting_date=D(2024, 2, 5),
        step_decision_date=D(2024, 5, 20),
        outcome=c.PPOutcome.ISSUE,
    )
    f.ProceedingsFactory(family=first, issue_date=D(2024, 6, 3), concluded_date=D(2025, 1, 10))
    f.FamilyMemberFactory(family=first, person=dana, role="mother")
    new = f.FamilyFactory(local_authority=la_a, social_worker=social_worker, name="Hartley", la_reference="ESX-F-2001")
    f.ChildFactory(family=new, first_name="", date_of_birth=None, expected_due_date=today + dt.timedelta(days=90))
    f.EpisodeFactory(family=new, gateway_meeting_date=today - dt.timedelta(days=20), pre_birth=True)
    return {"dana": dana, "first": first, "new": new, "today": today}


def flags_of(family) -> set[str]:
    row = tracker.tracker_facts(user=family.social_worker, today=timezone.localdate()).get(family_id=family.pk)
    return {flag.code for flag in tracker.row_flags(row)}


def test_a_parent_linked_to_a_new_case_shows_her_earlier_proceedings_and_raises_the_flag(
    signed_in, repeat_pregnancy, social_worker
):
    new, first, dana = repeat_pregnancy["new"], repeat_pregnancy["first"], repeat_pregnancy["dana"]
    assert FLAG not in flags_of(new)

    response = signed_in.post(
        reverse("cases:person_new", args=[new.pk]),
        {
            "role": "mother",
            "first_name": "Dana",
            "last_name": "Hartley",
            **date_fields("date_of_birth", D(1997, 4, 2)),
            "same_person": str(dana.pk),
        },
    )
    assert response.status_code == 302

    # The stored facts: raised from the start of time (the link, not a date, raises it).
    assert m.TrackerRow.objects.get(family=new).parent_previous_proceedings_from == D(1, 1, 1)
    assert FLAG in flags_of(new)
    # The earlier family's case is closed: it is not on the tracker at all.
    assert not m.TrackerRow.objects.filter(family=first).exists()

    page = signed_in.get(reverse("cases:detail", args=[new.pk])).content.decode()
    flags = text(page[page.index('id="flags"') : page.index("</dd>", page.index('id="flags"'))])
    assert "Repeat pregnancy or parent with previous proceedings" in flags
    people = text(page[page.index('id="people"') : page.index('id="notes"')])
    assert "Dana Hartley had pre-proceedings or care proceedings with another family" in people
    assert (
        "Mother in Hartley-Moss (ESX-F-1500) Pre-proceedings from 5 February 2024 to 20 May 2024"
        " (care proceedings issued) Care proceedings issued 3 June 2024, concluded 10 January 2025"
    ) in people
    # The read names the earlier family too.
    read = m.ReadAudit.objects.filter(route_name="cases:detail").latest("pk")
    assert read.family_ids == sorted([new.pk, first.pk])


def test_the_flag_follows_an_episode_recorded_on_the_earlier_family_after_the_link(la_a, social_worker):
    today = timezone.localdate()
    dana = f.PersonFactory(local_authority=la_a)
    first = f.FamilyFactory(local_authority=la_a)
    new = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    f.EpisodeFactory(family=new, gateway_meeting_date=today - dt.timedelta(days=10))
    f.FamilyMemberFactory(family=first, person=dana)
    f.FamilyMemberFactory(family=new, person=dana)
    assert FLAG not in flags_of(new)  # the other family has no history yet

    # An episode of the other family that started before this case: the later family's facts follow.
    f.EpisodeFactory(
        family=first,
        gateway_meeting_date=today - dt.timedelta(days=400),
        step_decision_date=today - dt.timedelta(days=300),
        outcome=c.PPOutcome.STEP_DOWN,
    )
    assert FLAG in flags_of(new)
    # Removing the link lowers it again.
    m.FamilyMember.objects.filter(family=first).delete()
    assert FLAG not in flags_of(new)
    assert m.TrackerRow.objects.get(family=new).parent_previous_proceedings_from is None


def test_an_episode_of_the_other_family_that_began_after_this_case_raises_nothing(la_a, social_worker):
    today = timezone.localdate()
    dana = f.PersonFactory(local_authority=la_a)
    first = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    f.EpisodeFactory(family=first, gateway_meeting_date=today - dt.timedelta(days=300))
    second = f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
    f.EpisodeFactory(family=second, gateway_meeting_date=today - dt.timedelta(days=30))
    f.FamilyMemberFactory(family=first, person=dana)
    f.FamilyMemberFactory(family=second, person=dana)
    # The second case's parent had the first case 300 days ago; the first case's parent nothing earlier.
    assert FLAG in flags_of(second)
    assert FLAG not in flags_of(first)
    from cases import services

    assert services.facts_drift() == []


# ---------------------------------------------------------------------------
# The case page's queries
# ---------------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_people(family, n: int) -> None:
    for i in range(n):
        person = f.PersonFactory(local_authority=family.local_authority, first_name=f"P{i}")
        f.FamilyMemberFactory(family=family, person=person)
        other = f.FamilyFactory(local_authority=family.local_authority)
        f.FamilyMemberFactory(family=other, person=person, role="father")
        f.EpisodeFactory(family=other, gateway_meeting_date=D(2020, 1, 6 + i))
        f.ProceedingsFactory(family=other, issue_date=D(2021, 1, 4 + i))
        f.ProfessionalFactory(family=family, name=f"Pro {i}")
        f.CaseNoteFactory(family=family, note_date=D(2025, 3, 1 + i))
        f.DocumentLinkFactory(family=family, document_date=D(2025, 2, 1 + i))


def test_it_pins_the_case_page_queries_whatever_the_number_of_people_notes_and_documents(signed_in, family):
    f.EpisodeFactory(family=family, gateway_meeting_date=timezone.localdate() - dt.timedelta(days=40))
    url = reverse("cases:detail", args=[family.pk])
    add_people(family, 1)
    few = count_queries(signed_in, url)
    add_people(family, 4)
    many = count_queries(signed_in, url)
    assert many == few
    page = signed_in.get(url).content.decode()
    assert page.count('data-person="') == 5


# ---------------------------------------------------------------------------
# Retention: a parent goes with the last of their families
# ---------------------------------------------------------------------------


def test_the_purge_keeps_a_parent_of_a_family_that_stays_and_removes_one_of_the_purged_family_only(la_a):
    from cases.services import retention

    gone, kept = f.FamilyFactory(local_authority=la_a), f.FamilyFactory(local_authority=la_a)
    shared, only_gone = f.PersonFactory(local_authority=la_a), f.PersonFactory(local_authority=la_a)
    f.FamilyMemberFactory(family=gone, person=shared)
    f.FamilyMemberFactory(family=kept, person=shared, role="father")
    f.FamilyMemberFactory(family=gone, person=only_gone, role="carer")
    plan = dict(retention._purge_plan([gone.pk]))
    assert plan[m.Person] == {only_gone.pk}
    assert len(plan[m.FamilyMember]) == 2
