"""Tracker import pages: upload, map the columns and codes, check (dry run), apply; the history.

Every run is fetched through the user's LA (another LA's run is a 404). Only roles with
``IMPORT_TRACKERS`` reach these pages; saving a mapping needs ``SAVE_IMPORT_MAPPINGS``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases import models as m
from cases.imports import columns as col
from cases.imports import runs
from cases.imports.engine import ColumnMapping, ImportResult, source_codes
from cases.imports.reading import FileProblemError
from cases.imports.template import XLSX, template_file
from cases.permissions import IMPORT_TRACKERS, SAVE_IMPORT_MAPPINGS, ensure, requires
from plo_tracker.lib import queue

MAX_CODES_SHOWN = 200  # distinct words per code column on the mapping page


def _run(request: HttpRequest, run_id: int) -> m.ImportRun:
    run = m.ImportRun.objects.filter(pk=run_id, local_authority_id=request.user.local_authority_id).first()
    if run is None:
        raise Http404
    return run


@requires(IMPORT_TRACKERS)
def import_home(request: HttpRequest) -> HttpResponse:
    """Upload a tracker (with an optional saved mapping) and see the LA's import history."""
    mappings = m.ImportMapping.objects.filter(local_authority_id=request.user.local_authority_id)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = "Choose the tracker file to upload (CSV or Excel .xlsx)"
        else:
            # One byte over the cap is enough to refuse it as too large.
            data = upload.read(settings.PLO_IMPORT_MAX_BYTES + 1)
            run = runs.run_upload(
                user=request.user, name=upload.name, data=data, mapping_name=request.POST.get("mapping", "")
            )
            if run.status == m.ImportStatus.FAILED:
                return redirect("imports:detail", run_id=run.pk)
            return redirect("imports:mapping", run_id=run.pk)
    history = m.ImportRun.objects.filter(local_authority_id=request.user.local_authority_id).select_related("user")
    return render(
        request,
        "cases/imports/home.html",
        {"mappings": mappings, "history": history[:50], "error": error, "targets": col.TARGETS},
    )


@requires(IMPORT_TRACKERS)
def import_template(request: HttpRequest) -> HttpResponse:
    """The import template: a sheet with the data dictionary's column names and a guide to each."""
    content, content_type, file_name = template_file(XLSX)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def _posted_mapping(request: HttpRequest, headers: list[str]) -> ColumnMapping:
    columns = {header: request.POST.get(f"column-{index}", "") for index, header in enumerate(headers)}
    codes: dict[str, dict[str, str]] = {}
    for index in range(int(request.POST.get("code-count", "0") or 0)):
        target, value, code = (request.POST.get(f"code-{index}-{part}", "") for part in ("target", "value", "code"))
        if target in col.BY_KEY and value and code:
            codes.setdefault(target, {})[value] = code
    return ColumnMapping(columns=columns, codes=codes)


def _first_value(table, position: int) -> str:
    return next((cells[position] for _n, cells in table.rows if position < len(cells) and cells[position].strip()), "")


@requires(IMPORT_TRACKERS)
def import_mapping(request: HttpRequest, run_id: int) -> HttpResponse:
    """Each source column with its target, each code word with its shared code; check or save."""
    run = _run(request, run_id)
    try:
        table = runs.run_table(run)
    except FileProblemError:
        return redirect("imports:detail", run_id=run.pk)
    mapping = runs.run_mapping(run)
    error = ""
    if request.method == "POST":
        mapping = _posted_mapping(request, table.headers)
        runs.run_set_mapping(user=request.user, run=run, mapping=mapping)
        if request.POST.get("action") == "save":
            ensure(request.user, SAVE_IMPORT_MAPPINGS)
            try:
                saved = runs.mapping_save(user=request.user, name=request.POST.get("mapping_name", ""), mapping=mapping)
            except ValidationError as problem:
                error = problem.messages[0]
            else:
                run.mapping_name = saved.name
                run.save(update_fields=["mapping_name"])
                messages.success(request, f"Mapping '{saved.name}' saved for the next import")
                return redirect("imports:mapping", run_id=run.pk)
        elif request.POST.get("action") == "codes":
            return redirect("imports:mapping", run_id=run.pk)
        else:
            runs.run_start(user=request.user, run=run, apply=False)
            return redirect("imports:detail", run_id=run.pk)
    samples = {header: _first_value(table, position) for position, header in enumerate(table.headers)}
    column_rows = [
        {"index": index, "header": header or f"column {index + 1}", "target": mapping.columns.get(header, ""),
         "sample": samples.get(header, "")}
        for index, header in enumerate(table.headers)
    ]  # fmt: skip
    code_rows = []
    for target_key, values in source_codes(table, mapping).items():
        target = col.BY_KEY[target_key]
        if target.kind == col.BOOL:
            options = [("yes", "Yes"), ("no", "No"), ("not known", "Not known")]
        else:
            options = [(value, f"{value} - {label}") for value, label in target.choices if value]
        for value, meaning in values[:MAX_CODES_SHOWN]:
            code_rows.append({"target": target, "value": value, "code": meaning or "", "options": options})
    return render(
        request,
        "cases/imports/mapping.html",
        {
            "run": run,
            "columns": column_rows,
            "codes": code_rows,
            "targets": col.TARGETS,
            "ignore": col.IGNORE,
            "error": error,
            "may_save": SAVE_IMPORT_MAPPINGS(request.user),
        },
    )


@requires(IMPORT_TRACKERS)
def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """A run: its progress (refreshing itself while a job runs), or its result with what to fix."""
    run = _run(request, run_id)
    running = run.status in (m.ImportStatus.CHECKING, m.ImportStatus.APPLYING)
    done, total = runs.run_progress(run) if running else (run.rows, run.rows)
    result = ImportResult.from_json(run.report) if run.report else ImportResult()
    bad = set(result.bad_rows())
    return render(
        request,
        "cases/imports/detail.html",
        {
            "run": run,
            "running": running,
            # Asked for while Redis was down: it starts by itself when the job queue is back.
            "waiting": queue.QUEUED_MESSAGE.format(
                what="applying this file" if run.status == m.ImportStatus.APPLYING else "the check of this file"
            )
            if running and runs.run_waits_for_queue(run)
            else "",
            "done": done,
            "total": total,
            "percent": int(100 * done / total) if total else 0,
            "result": result,
            "checked": run.status == m.ImportStatus.CHECKED,
            "results": [r for r in result.results if r.row not in bad][:500],
        },
    )


@requires(IMPORT_TRACKERS)
@require_POST
def import_apply(request: HttpRequest, run_id: int) -> HttpResponse:
    """Apply a checked run: all or nothing."""
    run = _run(request, run_id)
    try:
        run = runs.run_start(user=request.user, run=run, apply=True)
    except ValidationError as problem:
        messages.error(request, problem.messages[0])
        return redirect("imports:detail", run_id=run.pk)
    if run.status == m.ImportStatus.APPLIED:
        messages.success(request, f"Tracker imported: {run.created} rows created, {run.updated} updated")
    return redirect("imports:detail", run_id=run.pk)
