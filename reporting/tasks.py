"""Celery tasks of the reporting app: thin wrappers around one service each (ids in, ids out)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from reporting.models import MetricRun
from reporting.services import metrics

# Database connection errors are worth retrying; anything else is a bug to look at in the run log.
RETRY_ON = (OperationalError, InterfaceError)


@shared_task(
    name="reporting.compute_metrics",
    acks_late=True,  # safe: a run replaces its months atomically, so running twice is harmless
    reject_on_worker_lost=True,
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
    autoretry_for=RETRY_ON,
    retry_backoff=120,
    max_retries=3,
)
def compute_metrics(trigger: str = MetricRun.Trigger.SCHEDULE) -> int:
    """Compute the nightly window of metrics (catching up missed months); returns the run id."""
    return metrics.metrics_compute(trigger=trigger).pk
