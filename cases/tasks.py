"""Celery tasks of the cases app: thin wrappers around one service each."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from cases import audit, services
from plo_tracker.lib import tenancy

logger = logging.getLogger(__name__)


# Nightly maintenance: safe to run twice (a second run finds nothing left to do), so acknowledged
# late and retried on a lost database connection.
NIGHTLY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "soft_time_limit": 10 * 60,
    "time_limit": 11 * 60,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 60,
    "max_retries": 3,
}


@shared_task(name="cases.repair_tracker_facts", **NIGHTLY)
def repair_tracker_facts() -> list[int]:
    """Nightly check that the tracker's stored facts equal their definition, repairing any that drifted.

    Drift means a write bypassed the triggers (a raw load) or a fault; it is logged as a warning
    with the families repaired, so it gets looked at.
    """
    with tenancy.maintenance():
        repaired = services.facts_repair()
    if repaired:
        logger.warning("Repaired the tracker facts of %d families: %s", len(repaired), repaired[:50])
    return repaired


@shared_task(name="cases.purge_read_audit", **NIGHTLY)
def purge_read_audit() -> int:
    """Nightly: remove read audit records older than ``PLO_AUDIT_RETENTION_DAYS`` (a count is logged)."""
    with tenancy.maintenance():
        removed = audit.purge()
    logger.info("Removed %d read audit records past the retention period", removed)
    return removed


@shared_task(name="cases.send_task_reminders", **NIGHTLY)
def send_task_reminders() -> dict[str, int]:
    """Daily: each user's one email of what is overdue or due soon (My tasks); safe to run twice a day.

    Each person's reminder is read in a transaction showing their own LA's rows only.
    """
    from django.utils import timezone

    from cases.services import reminders

    summary = reminders.send_task_reminders(today=timezone.localdate())
    logger.info(
        "Task reminders: %d sent, %d with nothing due, %d failed", summary.sent, summary.nothing_due, summary.failed
    )
    return {"sent": summary.sent, "nothing_due": summary.nothing_due, "failed": summary.failed}


@shared_task(name="cases.send_queued_jobs", acks_late=True, soft_time_limit=4 * 60, time_limit=5 * 60)
def send_queued_jobs() -> int:
    """Every minute: send the jobs asked for while the broker was down (the job outbox); safe to run twice.

    Two relays at once never send the same job: each claims its rows with SKIP LOCKED.
    """
    from plo_tracker.lib import queue

    with tenancy.maintenance():
        return queue.send_waiting().sent


# Tracker imports keep their tasks beside their services; imported here so Celery finds them.
from cases.imports.tasks import process_import, purge_import_files  # noqa: E402, F401
