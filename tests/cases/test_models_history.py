"""Every insert, update and delete of case data is recorded with who, when, and the values."""

from __future__ import annotations

import datetime as dt

import pghistory
import pytest
from pghistory.models import Events

from cases import models as m
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db


def events_for(instance) -> list:
    return list(Events.objects.tracks(instance).order_by("pgh_created_at", "pgh_id"))


def test_it_records_insert_update_and_delete_with_who_and_the_change(social_worker):
    with pghistory.context(user=social_worker.pk):
        family = f.FamilyFactory(name="Ashdown")
        family.name = "Ashdown-Reeve"
        family.save()
    family_pk = family.pk
    with pghistory.context(user=social_worker.pk):
        family.delete()

    events = list(Events.objects.filter(pgh_model="cases.FamilyEvent", pgh_obj_id=str(family_pk)).order_by("pgh_id"))
    assert [e.pgh_label for e in events] == ["insert", "update", "delete"]
    assert all(e.pgh_context["user"] == social_worker.pk for e in events)
    assert events[1].pgh_diff["name"] == ["Ashdown", "Ashdown-Reeve"]
    assert events[2].pgh_data["name"] == "Ashdown-Reeve"  # the old values survive the delete


def test_it_records_bulk_updates_row_by_row(social_worker):
    hearings = f.HearingFactory.create_batch(3, listed_date=dt.date(2025, 3, 17))
    with pghistory.context(user=social_worker.pk, reason="court re-listing"):
        m.Hearing.objects.filter(pk__in=[h.pk for h in hearings]).update(listed_date=dt.date(2025, 3, 24))
    for hearing in hearings:
        update = [e for e in events_for(hearing) if e.pgh_label == "update"]
        assert len(update) == 1
        assert update[0].pgh_diff["listed_date"] == ["2025-03-17", "2025-03-24"]
        assert update[0].pgh_context["reason"] == "court re-listing"


@pytest.mark.parametrize("model", [model for model in __import__("cases.permissions").permissions.CASE_MODELS])
def test_it_tracks_every_case_model(model):
    assert set(model.pgh_event_models) == {"insert", "update", "delete"}


def test_it_shows_history_in_admin(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.test", "pw-for-tests-only")
    f.FamilyFactory(name="Ashdown")
    sign_in(client, admin)
    response = client.get("/admin/pghistory/events/")
    assert response.status_code == 200
    assert b"Ashdown" in response.content
