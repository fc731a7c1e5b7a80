"""Queueing background work from a request, when the broker (Redis) may be down: the job outbox.

``enqueue`` records the job (``cases.models.QueuedJob``: the task's name and its ids) in the
caller's transaction, so it is kept exactly when the caller's own writes are, and sends it to the
workers once that transaction commits. When the broker is down the row waits and the caller is told
the work is queued; the relay (``send_waiting``) sends the waiting rows when the broker is back:
when a worker starts (``plo_tracker/celery.py``), every minute from beat (``cases.send_queued_jobs``)
and from ``manage.py send_queued_jobs``.

Each row is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` and marked sent in the transaction
that sends it, so two relays never send the same row. A job can still reach the workers twice (sent,
then the transaction marking it sent lost), so every task queued here must be safe to run twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from celery import current_app
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import KombuError, OperationalError

from cases.models import JobStatus, QueuedJob
from plo_tracker.lib import tenancy

logger = logging.getLogger(__name__)

# "{what}" is e.g. "the board pack for March 2026".
QUEUED_MESSAGE = (
    "The job queue is not available at the moment, so {what} is queued and will start automatically "
    "when it is back. You do not need to ask again."
)
# Seconds to wait for the broker to answer before a job is left waiting.
BROKER_TIMEOUT = 2
# Waiting rows claimed (and sent) per transaction by the relay.
RELAY_BATCH = 100
ERROR_LENGTH = 1000


@dataclass(frozen=True)
class Queued:
    """A job recorded in the outbox; ``waiting`` when the broker was down (the relay sends it later)."""

    job_id: int
    waiting: bool


@dataclass(frozen=True)
class Relayed:
    """What one pass of the relay did: jobs sent, jobs that can never be sent, jobs still waiting."""

    sent: int
    failed: int
    waiting: int


def broker_problem() -> str | None:
    """Why the workers' broker does not answer now (None when it does, or when tasks run in-process)."""
    if current_app.conf.task_always_eager:
        return None
    try:
        with _broker():
            return None
    except (OperationalError, OSError) as error:
        logger.warning("The broker is unavailable: %s", error)
        return str(error)[:ERROR_LENGTH] or error.__class__.__name__


def broker_available() -> bool:
    """Whether the workers' broker answers now (always True when tasks run in-process)."""
    return broker_problem() is None


def enqueue(task, *args, requested_by=None, **kwargs) -> Queued:
    """Record ``task(*args, **kwargs)`` in the caller's transaction and send it once that commits.

    Arguments are ids, dates as ISO strings and flags (JSON), never names. With the broker down the
    row is left waiting (nothing is registered to run on commit) for the relay to send.
    """
    local_authority_id = tenancy.current_local_authority()
    # Development without Redis runs tasks in-process after the commit: there is no broker to wait for.
    eager = current_app.conf.task_always_eager
    problem = broker_problem()
    job = QueuedJob.objects.create(
        task=task.name,
        args=list(args),
        kwargs=kwargs,
        local_authority_id=local_authority_id,
        requested_by=requested_by,
        status=JobStatus.SENT if eager else JobStatus.WAITING,
        sent_at=timezone.now() if eager else None,
        attempts=1 if problem else 0,
        last_error=problem or "",
    )
    if eager:
        transaction.on_commit(lambda: task.apply_async(args, kwargs))
    elif problem:
        logger.error("Queued job %s (%s%s) waits for the broker: %s", job.pk, task.name, args, problem)
    else:
        transaction.on_commit(partial(_send_after_commit, job.pk, local_authority_id), robust=True)
    return Queued(job.pk, waiting=problem is not None)


def is_waiting(task_name: str, *args) -> bool:
    """Whether a job with exactly these arguments is in the outbox waiting for the broker."""
    return QueuedJob.objects.filter(task=task_name, args=list(args), status=JobStatus.WAITING).exists()


def send_waiting(*, batch: int = RELAY_BATCH) -> Relayed:
    """Send every waiting job, oldest first; stops at the first failure of the broker.

    Run as the maintenance role (every LA's rows): by the worker at its start, by beat, by the command.
    """
    tenancy.require_every_local_authority("Sending the queued jobs")
    sent = failed = 0
    try:
        with _broker() as connection:
            while True:
                with transaction.atomic():
                    jobs = list(
                        QueuedJob.objects.select_for_update(skip_locked=True)
                        .filter(status=JobStatus.WAITING)
                        .order_by("pk")[:batch]
                    )
                    outcomes = []
                    for job in jobs:
                        outcomes.append(_send(job, connection))
                        if outcomes[-1] == JobStatus.WAITING:
                            break
                sent += outcomes.count(JobStatus.SENT)
                failed += outcomes.count(JobStatus.FAILED)
                if len(jobs) < batch or JobStatus.WAITING in outcomes:
                    break
    except (OperationalError, OSError) as error:
        logger.warning("The queued jobs wait for the broker: %s", error)
    waiting = QueuedJob.objects.filter(status=JobStatus.WAITING).count()
    if sent or failed or waiting:
        logger.info("Queued jobs: %d sent, %d could not be sent, %d still waiting", sent, failed, waiting)
    return Relayed(sent=sent, failed=failed, waiting=waiting)


@contextmanager
def _broker() -> Iterator[object | None]:
    """A connection to the broker that has answered (None when tasks run in-process)."""
    if current_app.conf.task_always_eager:
        yield None
        return
    with current_app.connection_for_write(connect_timeout=BROKER_TIMEOUT) as connection:
        # One try and one more at once: a stopped Redis refuses in milliseconds, and pages do not wait.
        connection.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
        yield connection


def _send(job: QueuedJob, connection) -> str:
    """Hand one claimed job to the workers and record the outcome on its row (its new status)."""
    try:
        if not _task_known(job.task):
            # A worker would drop a task it does not know (renamed or removed since): kept here, failed.
            raise KeyError(f"No task is called {job.task!r}")
        if connection is None:
            current_app.tasks[job.task].apply_async(job.args, job.kwargs)
        else:
            # No result is kept: nobody waits on a queued job's result, its service records it.
            current_app.send_task(job.task, args=job.args, kwargs=job.kwargs, connection=connection, ignore_result=True)
    except (OperationalError, OSError) as error:
        job.attempts += 1
        job.last_error = str(error)[:ERROR_LENGTH] or error.__class__.__name__
        job.save(update_fields=["attempts", "last_error"])
        logger.warning("Queued job %s (%s) waits for the broker: %s", job.pk, job.task, error)
        return JobStatus.WAITING
    except (KombuError, KeyError, TypeError, ValueError) as error:
        # It can never be sent (arguments the message cannot carry, a task no longer known): say so.
        job.attempts += 1
        job.status = JobStatus.FAILED
        job.last_error = f"{error.__class__.__name__}: {error}"[:ERROR_LENGTH]
        job.save(update_fields=["attempts", "status", "last_error"])
        logger.exception("Queued job %s (%s) could not be sent", job.pk, job.task)
        return JobStatus.FAILED
    job.status = JobStatus.SENT
    job.sent_at = timezone.now()
    job.save(update_fields=["status", "sent_at"])
    return JobStatus.SENT


def _task_known(name: str) -> bool:
    if name not in current_app.tasks:
        current_app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery)
    return name in current_app.tasks


def _send_after_commit(job_id: int, local_authority_id: int | None) -> None:
    """Send a job once the transaction that recorded it has committed (left waiting when that fails)."""
    try:
        try:
            with _broker() as connection, tenancy.local_authority(local_authority_id):
                job = QueuedJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
                if job is not None and job.status == JobStatus.WAITING:  # else a relay has it, or sent it
                    _send(job, connection)
        except (OperationalError, OSError) as error:
            logger.warning("Queued job %s waits for the broker: %s", job_id, error)
            with tenancy.local_authority(local_authority_id):
                QueuedJob.objects.filter(pk=job_id, status=JobStatus.WAITING).update(
                    attempts=F("attempts") + 1, last_error=str(error)[:ERROR_LENGTH] or error.__class__.__name__
                )
    except DatabaseError:
        # The request that asked has committed: its user is not shown an error for this.
        logger.exception("Queued job %s could not be sent after the commit: the relay will send it", job_id)
