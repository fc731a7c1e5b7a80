"""Hearing listings and their outcomes: recording what came of a listed hearing is a progress step,
and a re-listing is a new listing that replaces the old one, which is kept.

Care proceedings issued on Wednesday 1 July 2026; "today" is Tuesday 1 December 2026. The IRH was
listed on 1 September for Friday 11 December; on 1 December it is vacated (no judge) and
re-listed for Tuesday 8 December, the listing made that day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases import constants as c
from cases import models as m
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

D = dt.date
TODAY = D(2026, 12, 1)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: TODAY)


@pytest.fixture
def irh(la_a, social_worker):
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker, name="Relist")
    child = f.ChildFactory(family=family, first_name="Cara", date_of_birth=D(2021, 5, 1))
    proceedings = f.ProceedingsFactory(family=family, issue_date=D(2026, 7, 1))
    f.ChildProceedingsFactory(proceedings=proceedings, child=child)
    f.HearingFactory(proceedings=proceedings, hearing_type_id="cmh", listed_date=D(2026, 7, 14))
    return f.HearingFactory(
        proceedings=proceedings,
        hearing_type_id="irh",
        listed_on=D(2026, 9, 1),
        listed_date=D(2026, 12, 11),
        status=c.HearingStatus.LISTED,
    )


def outcome_url(hearing: m.Hearing) -> str:
    return reverse("cases:milestone_edit", args=[hearing.proceedings.family_id, "hearing-outcome", hearing.pk])


def date_post(name: str, value: dt.date | None) -> dict[str, str]:
    if value is None:
        return {f"{name}_day": "", f"{name}_month": "", f"{name}_year": ""}
    return {f"{name}_day": str(value.day), f"{name}_month": str(value.month), f"{name}_year": str(value.year)}


def vacate_and_relist(**changes) -> dict:
    data = {
        "status": c.HearingStatus.VACATED,
        "reason": "judiciary_no_judge",
        "note": "No judge available on 11 December; re-listed by the court office.",
        **date_post("vacated_on", D(2026, 12, 1)),
        **date_post("relisted_for", D(2026, 12, 8)),
        **date_post("relisted_on", D(2026, 12, 1)),
    }
    data.update(changes)
    return data


def test_it_offers_record_the_outcome_for_a_listed_hearing_and_not_as_a_correction(client, social_worker, irh):
    sign_in(client, social_worker)
    page = client.get(reverse("cases:detail", args=[irh.proceedings.family_id])).content.decode()
    # The listed IRH has the progress step; the held CMH only its correction.
    assert page.count("Record the outcome") == 1
    assert f'href="{outcome_url(irh)}"' in page
    form = client.get(outcome_url(irh)).content.decode()
    assert "<h1" in form
    assert "Correct:" not in form
    assert "Hearing outcome" in form
    assert "Issues resolution hearing, listed for 11 December 2026." in form


def test_a_re_listed_hearing_shows_its_new_date_in_next_due_and_the_tracker_and_keeps_the_old_listing(
    client, social_worker, chair, irh
):
    sign_in(client, social_worker)
    family_id = irh.proceedings.family_id
    detail = reverse("cases:detail", args=[family_id])
    assert client.get(detail).context["due_items"][0].date == D(2026, 12, 11)

    response = client.post(outcome_url(irh), vacate_and_relist())

    assert response.status_code == 302
    irh.refresh_from_db()
    # The old listing is kept as it was, vacated on 1 December.
    assert (irh.listed_date, irh.listed_on, irh.status, irh.vacated_on, irh.reason_id) == (
        D(2026, 12, 11),
        D(2026, 9, 1),
        "vacated",
        D(2026, 12, 1),
        "judiciary_no_judge",
    )
    new = m.Hearing.objects.get(replaces=irh)
    assert (new.hearing_type_id, new.listed_date, new.listed_on, new.status) == ("irh", D(2026, 12, 8), TODAY, "listed")
    assert (new.created_by, new.updated_by, new.local_authority_id) == (
        social_worker,
        social_worker,
        irh.local_authority_id,
    )
    assert m.Hearing.objects.filter(proceedings=irh.proceedings).count() == 3

    page = client.get(detail)
    first = page.context["due_items"][0]
    assert (first.label, first.date) == ("Next hearing", D(2026, 12, 8))
    text = page.content.decode()
    # The note typed with the outcome is on the timeline, with the vacation and the re-listing.
    assert "No judge available on 11 December; re-listed by the court office." in text
    assert "Vacated (cancelled before the day) on 1 December 2026: No judge available" in text
    assert "Re-listed for 8 December 2026" in text
    assert "Re-listing of the hearing listed for 11 December 2026" in text
    # The new listing waits for its own outcome.
    assert f'href="{outcome_url(new)}"' in text
    assert f'href="{outcome_url(irh)}"' not in text

    sign_in(client, chair)
    [row] = [row for row in client.get(reverse("tracker:list")).context["rows"] if row["case"].pk == family_id]
    assert (row["next_due"].label, row["next_due"].date) == ("Next hearing", D(2026, 12, 8))


def test_it_records_a_held_hearing_with_the_orders_made(client, social_worker, irh):
    irh.listed_date = D(2026, 11, 30)
    irh.save()
    sign_in(client, social_worker)
    data = {"status": c.HearingStatus.HELD, "reason": "", "orders_made": ["interim_care", "directions"], "note": ""}
    data.update(date_post("vacated_on", None) | date_post("relisted_for", None) | date_post("relisted_on", TODAY))

    assert client.post(outcome_url(irh), data).status_code == 302

    irh.refresh_from_db()
    assert (irh.status, irh.orders_made, irh.reason_id) == ("held", ["interim_care", "directions"], None)
    assert not m.Hearing.objects.filter(replaces=irh).exists()
    page = client.get(reverse("cases:detail", args=[irh.proceedings.family_id])).content.decode()
    assert "Orders made: Interim care order, Case management directions" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"status": c.HearingStatus.HELD, "reason": "", **date_post("vacated_on", None)},
            "relisted_for",
            "Only an adjourned or vacated hearing is re-listed: leave the new date empty.",
        ),
        (date_post("relisted_for", D(2026, 11, 30)), "relisted_for", None),
        ({"reason": ""}, "reason", "Select the reason the hearing was vacated."),
        (date_post("vacated_on", None), "vacated_on", "Enter the date the hearing was vacated."),
        ({"status": ""}, "status", "Select what happened at the hearing"),
        ({"status": c.HearingStatus.LISTED}, "status", None),
    ],
    ids=["relisting-a-held-hearing", "relisted-before-vacated", "no-reason", "no-vacated-date", "no-status", "listed"],
)
def test_it_refuses_an_outcome_that_breaks_a_rule_on_its_field_and_saves_nothing(
    client, social_worker, irh, changes, field, message
):
    sign_in(client, social_worker)
    before = list(m.Hearing.objects.values())
    response = client.post(outcome_url(irh), vacate_and_relist(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert errors[field] == [message]
    if field == "relisted_for" and message is None:
        assert errors[field] == ["A re-listed hearing is listed on or after the day it was vacated, 1 December 2026."]
    assert list(m.Hearing.objects.values()) == before


def test_it_refuses_a_second_outcome_and_points_to_the_correction(client, social_worker, irh):
    sign_in(client, social_worker)
    client.post(outcome_url(irh), vacate_and_relist())
    response = client.post(outcome_url(irh), vacate_and_relist(), follow=True)
    assert response.redirect_chain == [(reverse("cases:detail", args=[irh.proceedings.family_id]), 302)]
    assert "The hearing outcome is already recorded: correct it from the case timeline." in response.content.decode()
    assert m.Hearing.objects.filter(proceedings=irh.proceedings).count() == 3


def test_it_refuses_the_outcome_to_read_only_users_and_other_las(client, chair, other_la_user, irh):
    sign_in(client, chair)
    assert client.post(outcome_url(irh), vacate_and_relist()).status_code == 403
    sign_in(client, other_la_user)
    assert client.post(outcome_url(irh), vacate_and_relist()).status_code == 404
    irh.refresh_from_db()
    assert irh.status == "listed"


def test_a_new_listing_is_made_today_unless_the_form_says_otherwise(client, social_worker, irh):
    sign_in(client, social_worker)
    url = reverse("cases:milestone_new", args=[irh.proceedings.family_id, "hearing"])
    form = client.get(url).context["form"]
    assert form.initial["listed_on"] == TODAY
    assert set(form.fields) == {"submission", "hearing_type", "listed_on", "listed_date", "note"}
