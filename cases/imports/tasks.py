"""Celery tasks of tracker imports: a large file's check or apply, and the nightly file purge."""

from __future__ import annotations

import logging

from celery import shared_task

from plo_tracker.lib import tenancy

logger = logging.getLogger(__name__)


# Safe to run twice (it can be sent twice from the job outbox): a run checked or applied already is left.
@shared_task(name="cases.process_import", soft_time_limit=25 * 60, time_limit=30 * 60)
def process_import(run_id: int, local_authority_id: int, apply: bool) -> dict[str, int]:
    """Check or apply one import run, in a transaction showing its LA's rows only."""
    from cases.imports import runs

    with tenancy.local_authority(local_authority_id):
        run = runs.run_process_job(run_id=run_id, apply=apply)
    return {"rows": run.rows, "created": run.created, "updated": run.updated, "errors": run.errors}


@shared_task(name="cases.purge_import_files", acks_late=True, soft_time_limit=10 * 60, time_limit=11 * 60)
def purge_import_files() -> int:
    """Nightly: delete uploaded tracker files past ``PLO_IMPORT_RETENTION_DAYS`` (the history stays)."""
    from cases.imports import runs

    with tenancy.maintenance():
        removed = runs.import_files_purge()
    logger.info("Deleted %d uploaded tracker files past the retention period", removed)
    return removed
