"""The nightly metrics task, run by a real Celery worker through Redis."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from reporting.models import MetricRun, MetricValue, PeriodSnapshot
from tests import factories as f
from tests.processes import CeleryWorker, database_url


@pytest.mark.django_db(transaction=True)
def test_it_computes_and_stores_a_snapshot_in_a_real_worker(tmp_path):
    assert settings.REDIS_URL, "REDIS_URL must point at a real Redis (make test provides one)."
    essex = f.la("881")
    today = timezone.localdate()
    issued = today - dt.timedelta(days=200)
    concluded = today.replace(day=1) - dt.timedelta(days=1)  # last day of last month
    proceedings = f.ProceedingsFactory(family__local_authority=essex, issue_date=issued, concluded_date=concluded)
    f.ChildProceedingsFactory(proceedings=proceedings)

    with CeleryWorker(
        database=database_url(connection.settings_dict), redis_url=settings.REDIS_URL, log_dir=tmp_path
    ) as worker:
        run_id = worker.send("reporting.compute_metrics")

    run = MetricRun.objects.get(pk=run_id)
    assert run.status == MetricRun.Status.SUCCEEDED, run.error
    assert run.trigger == MetricRun.Trigger.SCHEDULE
    last_month = concluded.replace(day=1)
    assert PeriodSnapshot.objects.get(period=last_month).run_id == run_id
    duration = MetricValue.objects.get(
        metric="s31_duration_mean", scope_type="la", scope_id=essex.pk, period=last_month
    )
    assert round(float(duration.value), 3) == round((concluded - issued).days / 7, 3)
    assert duration.denominator == 1
