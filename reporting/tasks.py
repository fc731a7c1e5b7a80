"""Celery tasks of the reporting app: thin wrappers around one service each (ids in, ids out)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from plo_tracker.lib import tenancy
from plo_tracker.lib.dates import first_working_day
from reporting.models import MetricRun, PeriodSnapshot
from reporting.services import board_packs, completeness, metrics

# Database connection errors are worth retrying; anything else is a bug to look at in the run log.
RETRY_ON = (OperationalError, InterfaceError)
PACK_RETRY_ON = (*RETRY_ON, OSError)
# Times a metrics run that found the lock taken is tried again (PLO_METRICS_LOCKED_RETRY_SECONDS apart).
LOCKED_RETRIES = 10


# A nightly computation that stores a whole new result or nothing (a month's metrics replaced
# atomically, a new snapshot), so running it twice after a lost worker is harmless: acknowledged late.
STORED_WHOLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": RETRY_ON,
    "retry_backoff": 120,
    "max_retries": 3,
}


@shared_task(name="reporting.compute_metrics", bind=True, soft_time_limit=20 * 60, time_limit=25 * 60, **STORED_WHOLE)
def compute_metrics(self, trigger: str = MetricRun.Trigger.SCHEDULE) -> int:
    """Compute the nightly window of metrics (catching up missed months); returns the run id."""
    with tenancy.maintenance():
        run = metrics.metrics_compute(trigger=trigger)
    if run.status == MetricRun.Status.SKIPPED and not (self.request.called_directly or self.request.is_eager):
        # Another run holds the lock: a command, or the transaction of a worker killed mid-run that
        # the server has not ended yet. Try again shortly, so the night's run is not lost.
        raise self.retry(countdown=settings.PLO_METRICS_LOCKED_RETRY_SECONDS, max_retries=LOCKED_RETRIES)
    return run.pk


@shared_task(name="reporting.compute_completeness", soft_time_limit=10 * 60, time_limit=12 * 60, **STORED_WHOLE)
def compute_completeness(trigger: str = MetricRun.Trigger.SCHEDULE) -> int:
    """Compute the regional data exercise's figures and store them as a new snapshot; returns its id."""
    with tenancy.maintenance():
        return completeness.completeness_compute(trigger=trigger).pk


@shared_task(
    name="reporting.build_board_pack",
    acks_late=True,  # safe: a month's pack is replaced, not duplicated
    reject_on_worker_lost=True,
    soft_time_limit=10 * 60,
    time_limit=11 * 60,
    # Also when the pack could not be stored (media folder not writable, disk full): nothing was kept.
    autoretry_for=PACK_RETRY_ON,
    retry_backoff=settings.PLO_PACK_RETRY_BACKOFF_SECONDS,
    max_retries=3,
)
def build_board_pack(month_iso: str, user_id: int | None = None) -> int:
    """Build and store the board pack for a month (first day, ISO date); returns the pack id."""
    with tenancy.maintenance():
        return board_packs.board_pack_generate(month=dt.date.fromisoformat(month_iso), user_id=user_id).pk


@shared_task(
    name="reporting.build_board_pack_monthly",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=20 * 60,
    time_limit=22 * 60,
    autoretry_for=RETRY_ON,
    retry_backoff=300,
    max_retries=3,
)
def build_board_pack_monthly(today_iso: str | None = None) -> int | None:
    """On the first working day of a month, build last month's pack (computing its metrics if missing)."""
    today = dt.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    if today != first_working_day(today.year, today.month):
        return None
    month = metrics.add_months(metrics.month_start(today), -1)
    with tenancy.maintenance():
        if not PeriodSnapshot.objects.filter(period=month).exists():
            metrics.metrics_compute(window=metrics.Window(month, month, today), trigger=MetricRun.Trigger.SCHEDULE)
        return board_packs.board_pack_generate(month=month).pk


@shared_task(
    name="reporting.train_forecast",
    acks_late=True,  # safe: a run adds a model version and replaces the month's forecasts atomically
    reject_on_worker_lost=True,
    soft_time_limit=20 * 60,
    time_limit=25 * 60,
    autoretry_for=RETRY_ON,
    retry_backoff=120,
    max_retries=3,
)
def train_forecast(as_of_iso: str | None = None) -> int:
    """Train the breach forecast (with its backtest) and store this month's forecasts; returns the model id."""
    # Imported here: numpy, pandas and lifelines load only in the worker that trains.
    from reporting.forecast import services as forecast_services

    as_of = dt.date.fromisoformat(as_of_iso) if as_of_iso else timezone.localdate()
    with tenancy.maintenance():
        return forecast_services.forecast_run(as_of=as_of)[0].pk
