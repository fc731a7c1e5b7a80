"""The nightly tracker facts check, run by a real Celery worker through Redis."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cases import models as m
from cases import services
from tests import factories as f
from tests.processes import CeleryWorker, database_url


@pytest.mark.django_db(transaction=True)
def test_it_repairs_facts_changed_behind_the_triggers_in_a_real_worker(tmp_path):
    assert settings.REDIS_URL, "REDIS_URL must point at a real Redis (make test provides one)."
    essex = f.la("881")
    family = f.FamilyFactory(local_authority=essex, social_worker=f.UserFactory(local_authority=essex))
    child = f.ChildFactory(family=family, date_of_birth=dt.date(2020, 1, 1))
    start = timezone.localdate() - dt.timedelta(weeks=3)
    f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=start, start_date=start)
    untouched = f.FamilyFactory(local_authority=essex)
    f.EpisodeFactory(family=untouched, children=[f.ChildFactory(family=untouched)], start_date=start)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # a raw load, triggers off
        cursor.execute("UPDATE cases_family SET social_worker_id = NULL WHERE id = %s", [family.pk])
    assert services.facts_drift() == [family.pk]

    with CeleryWorker(
        database=database_url(connection.settings_dict), redis_url=settings.REDIS_URL, log_dir=tmp_path
    ) as worker:
        repaired = worker.send("cases.repair_tracker_facts")

    assert repaired == [family.pk]
    assert services.facts_drift() == []
    assert m.TrackerRow.objects.get(pk=family.pk).social_worker_id is None
    assert settings.CELERY_BEAT_SCHEDULE["nightly-tracker-facts-check"]["task"] == "cases.repair_tracker_facts"
