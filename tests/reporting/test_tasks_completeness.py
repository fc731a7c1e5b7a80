"""The nightly data exercise task: in the beat schedule after the metrics, as the maintenance role."""

from __future__ import annotations

import pytest
from django.conf import settings

from plo_tracker.celery import app
from reporting import tasks
from reporting.models import CompletenessFigure, CompletenessSnapshot, MetricRun
from reporting.services import completeness
from tests import factories as f

pytestmark = pytest.mark.django_db


def at(entry: str) -> tuple[int, int]:
    schedule = settings.CELERY_BEAT_SCHEDULE[entry]["schedule"]
    return min(schedule.hour), min(schedule.minute)


def test_it_is_in_the_nightly_schedule_after_the_metrics():
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-data-exercise"]

    assert entry["task"] == "reporting.compute_completeness"
    assert entry["task"] in app.tasks
    # Every night at 02:45 UK time: after the metrics (02:30), outside the hour the clocks change.
    assert at("nightly-data-exercise") == (2, 45)
    assert at("nightly-data-exercise") > at("nightly-metrics")
    schedule = entry["schedule"]
    assert len(schedule.day_of_week) == 7
    assert len(schedule.day_of_month) == 31


def test_it_stores_a_snapshot_when_the_task_runs(la_a, la_b):
    for number in range(6):
        f.ChildFactory(family=f.FamilyFactory(local_authority=la_a), la_child_id=f"E{number}")

    snapshot_id = tasks.compute_completeness.apply().get()

    snapshot = CompletenessSnapshot.objects.get(pk=snapshot_id)
    assert snapshot.trigger == MetricRun.Trigger.SCHEDULE
    essex = CompletenessFigure.objects.get(snapshot=snapshot, model="Child", field="", local_authority=la_a)
    assert essex.records == 6
    assert tasks.compute_completeness.acks_late
    assert tasks.compute_completeness.reject_on_worker_lost


def test_it_refuses_to_compute_as_the_app_role(la_a, as_app_role):
    # As the app role it would count one LA's rows, or none, and store wrong figures.
    with pytest.raises(PermissionError, match="maintenance role"):
        completeness.completeness_compute()
    assert not CompletenessSnapshot.objects.exists()


def test_it_computes_as_the_maintenance_role(la_a, la_b, as_maintenance_role):
    f.ChildFactory(family=f.FamilyFactory(local_authority=la_a))

    snapshot = completeness.completeness_compute()

    figures = CompletenessFigure.objects.filter(snapshot=snapshot, model="Family", field="")
    assert {
        (row.local_authority_id, row.records) for row in figures if row.local_authority_id in (la_a.pk, la_b.pk)
    } == {
        (la_a.pk, 1),
        (la_b.pk, 0),
    }
