"""Import runs: upload a tracker, map its columns, check it (dry run) and apply it, with the history.

The page, the command and the API call these. A run keeps the uploaded file (for the mapping,
check and apply steps) until ``PLO_IMPORT_RETENTION_DAYS`` have passed, then ``import_files_purge``
deletes it; the run's name, checksum, counts and report stay in the history. Files with more rows
than ``PLO_IMPORT_ASYNC_ROWS`` are checked and applied by a Celery job, whose progress is kept in
the cache for the progress page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from cases import models as m
from cases.imports import columns as col
from cases.imports.engine import ColumnMapping, ImportResult, file_failure, suggest_mapping, tracker_import
from cases.imports.reading import FileProblemError, SourceTable, read_upload
from cases.permissions import IMPORT_TRACKERS, SAVE_IMPORT_MAPPINGS, ensure
from plo_tracker.lib import queue

S = m.ImportStatus
logger = logging.getLogger(__name__)


def saved_mapping(*, local_authority, name: str) -> ColumnMapping | None:
    """The LA's saved mapping called ``name``, or None."""
    found = m.ImportMapping.objects.filter(local_authority=local_authority, name=name).first()
    return ColumnMapping(columns=dict(found.columns), codes=dict(found.codes)) if found else None


def mapping_save(*, user, name: str, mapping: ColumnMapping) -> m.ImportMapping:
    """Save (or replace) the LA's mapping called ``name`` for the next import."""
    ensure(user, SAVE_IMPORT_MAPPINGS)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"mapping_name": "Enter a name for the mapping, e.g. 'Mosaic PLO tracker'"})
    if len(name) > 100:
        raise ValidationError({"mapping_name": "The name must be 100 characters or fewer"})
    unknown = sorted(set(mapping.columns.values()) - set(col.BY_KEY) - {col.IGNORE, ""})
    if unknown:
        raise ValidationError({"mapping_name": f"The mapping names unknown columns: {', '.join(unknown)}"})
    saved, _ = m.ImportMapping.objects.update_or_create(
        local_authority=user.local_authority,
        name=name,
        defaults={
            "columns": {header: target for header, target in mapping.columns.items() if target},
            "codes": mapping.codes,
            "updated_by": user,
        },
    )
    return saved


def _mapping_json(mapping: ColumnMapping) -> dict:
    return {"columns": mapping.columns, "codes": mapping.codes}


def run_mapping(run: m.ImportRun) -> ColumnMapping:
    return ColumnMapping(columns=dict(run.mapping.get("columns", {})), codes=dict(run.mapping.get("codes", {})))


def _record(run: m.ImportRun, result: ImportResult, *, status: str) -> m.ImportRun:
    for key, value in result.summary().items():
        setattr(run, key, value)
    run.report = result.to_json()
    run.status = status
    run.finished_at = timezone.now()
    run.save()
    return run


def run_upload(*, user, name: str, data: bytes, mapping_name: str = "") -> m.ImportRun:
    """Keep an uploaded tracker as a new run: read it, suggest its mapping; a file problem fails the run."""
    ensure(user, IMPORT_TRACKERS)
    run = m.ImportRun(
        local_authority=user.local_authority,
        user=user,
        file_name=name[-255:],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        mapping_name=mapping_name,
    )
    try:
        table = read_upload(name=name, data=data)
    except FileProblemError as problem:
        return _record(run, file_failure(problem.problems), status=S.FAILED)
    saved = saved_mapping(local_authority=user.local_authority, name=mapping_name) if mapping_name else None
    if mapping_name and saved is None:
        return _record(run, file_failure([f"There is no saved mapping called '{mapping_name}'."]), status=S.FAILED)
    run.mapping = _mapping_json(suggest_mapping(table.headers, saved))
    run.rows = len(table.rows)
    run.report = {"notices": table.notices}
    run.file.save(f"run-{run.sha256[:16]}.{name.rsplit('.', 1)[-1].lower()}", ContentFile(data), save=False)
    run.save()
    return run


def run_table(run: m.ImportRun) -> SourceTable:
    """The run's file read again (FileProblemError once it has been deleted under the retention setting)."""
    if not run.file:
        raise FileProblemError(
            ["The uploaded file has been deleted (files are kept for a limited time): upload it again."]
        )
    with run.file.open("rb") as handle:
        return read_upload(name=run.file_name, data=handle.read())


def run_set_mapping(*, user, run: m.ImportRun, mapping: ColumnMapping) -> m.ImportRun:
    ensure(user, IMPORT_TRACKERS)
    run.mapping = _mapping_json(mapping)
    run.save(update_fields=["mapping"])
    return run


def progress_key(run_id: int) -> str:
    return f"imports:progress:{run_id}"


def run_progress(run: m.ImportRun) -> tuple[int, int]:
    """(rows done, rows) of a run being checked or applied."""
    done, total = cache.get(progress_key(run.pk), (0, run.rows))
    return done, total


def run_process(*, run_id: int, apply: bool) -> m.ImportRun:
    """Check (dry run) or apply a run with its mapping, as the user who uploaded it; record the result."""
    run = m.ImportRun.objects.select_related("user", "user__local_authority").get(pk=run_id)
    try:
        table = run_table(run)
    except FileProblemError as problem:
        return _record(run, file_failure(problem.problems, rows=run.rows), status=S.FAILED)

    def progress(done: int, total: int) -> None:
        cache.set(progress_key(run_id), (done, total), timeout=24 * 60 * 60)

    result = tracker_import(user=run.user, table=table, mapping=run_mapping(run), dry_run=not apply, progress=progress)
    status = (S.APPLIED if apply else S.CHECKED) if result.ok else S.FAILED
    return _record(run, result, status=status)


def run_in_background(run: m.ImportRun) -> bool:
    """Whether the run is checked or applied by a Celery job (more rows than ``PLO_IMPORT_ASYNC_ROWS``)."""
    return run.rows > settings.PLO_IMPORT_ASYNC_ROWS


def run_start(*, user, run: m.ImportRun, apply: bool, unchecked: bool = False) -> m.ImportRun:
    """Check or apply a run now, or (``run_in_background``) as a Celery job.

    A run is applied once it has been checked; ``unchecked`` applies a new upload straight away, as
    the command and the API (``dry_run=false``) do: still all or nothing.
    """
    ensure(user, IMPORT_TRACKERS)
    ready = (S.CHECKED, S.UPLOADED) if unchecked else (S.CHECKED,)
    if apply and run.status not in ready:
        raise ValidationError("Check the file (a dry run without problems) before applying it.")
    if not run_in_background(run):
        return run_process(run_id=run.pk, apply=apply)
    from cases.imports.tasks import process_import

    run.status = S.APPLYING if apply else S.CHECKING
    run.save(update_fields=["status"])
    cache.set(progress_key(run.pk), (0, run.rows), timeout=24 * 60 * 60)
    # Recorded with this transaction; sent once it commits, or when Redis is back (plo_tracker/lib/queue.py).
    queue.enqueue(process_import, run.pk, run.local_authority_id, apply, requested_by=user)
    return run


def run_waits_for_queue(run: m.ImportRun) -> bool:
    """Whether a run's job is waiting for the job queue (Redis) to come back before it can start."""
    from cases.imports.tasks import process_import

    running = run.status in (S.CHECKING, S.APPLYING)
    return running and queue.is_waiting(process_import.name, run.pk, run.local_authority_id, run.status == S.APPLYING)


def run_process_job(*, run_id: int, apply: bool) -> m.ImportRun:
    """A large run's job: check or apply it, unless that is done already (a job sent twice runs once).

    The run's row stays locked until the job's transaction ends, so a second copy of the job waits
    for the first and then finds the run checked or applied.
    """
    run = m.ImportRun.objects.select_for_update().get(pk=run_id)
    if run.status != (S.APPLYING if apply else S.CHECKING):
        logger.info("Import run %s is %s already: this copy of its job has nothing to do", run_id, run.status)
        return run
    return run_process(run_id=run_id, apply=apply)


def import_files_purge(*, now: dt.datetime | None = None) -> int:
    """Delete uploaded files older than ``PLO_IMPORT_RETENTION_DAYS`` (the runs stay); how many went."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.PLO_IMPORT_RETENTION_DAYS)
    removed = 0
    for run in m.ImportRun.objects.filter(created_at__lt=cutoff).exclude(file=""):
        run.file.delete(save=False)
        run.file_deleted_at = now
        run.save(update_fields=["file", "file_deleted_at"])
        removed += 1
    return removed
