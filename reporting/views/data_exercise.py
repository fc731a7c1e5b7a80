"""The regional data exercise page: completeness of each data dictionary field, each LA against the region.

The page and its CSV read the snapshot stored by the nightly run (``reporting.tasks.compute_completeness``)
through ``reporting.selectors.completeness_figures``: no case record is read in the request.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cases.permissions import SEE_DATA_EXERCISE, requires
from reporting.charts import NO_VALUE, SUPPRESSED, SUPPRESSED_TEXT
from reporting.selectors import Completeness, completeness_figures, completeness_snapshots, small_number_threshold

# The beat schedule's entry that computes the figures (its time is shown while there are none yet).
SCHEDULE_ENTRY = "nightly-data-exercise"


def as_text(value, *, percent: bool) -> str:
    if value is SUPPRESSED:
        return SUPPRESSED_TEXT
    if value is None:
        return NO_VALUE
    if percent:
        return f"{value}%"
    return f"{int(value):,}" if isinstance(value, Decimal | int) else str(value)


def computed_nightly_at() -> str:
    """The time of day the nightly run computes the figures, as the schedule says (e.g. 02:45)."""
    schedule = settings.CELERY_BEAT_SCHEDULE[SCHEDULE_ENTRY]["schedule"]
    return f"{min(schedule.hour):02d}:{min(schedule.minute):02d}"


def _snapshot_id(request: HttpRequest) -> int | None:
    value = request.GET.get("snapshot")
    if value is None:
        return None
    if not value.isdigit():
        raise Http404("No such snapshot.")
    return int(value)


def _csv(figures: Completeness) -> HttpResponse:
    """The page's tables as one CSV: a row per record type's records and per field, a column per LA and the region."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Record type", "Field", "Field code", *(heading for _key, heading in figures.scopes)])
    for block in figures.blocks:
        writer.writerow([block.label, "Records", "", *(as_text(v, percent=False) for v in block.records)])
        for row in block.rows:
            writer.writerow([block.label, row.label, row.field, *(as_text(v, percent=True) for v in row.cells)])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    snapshot = figures.snapshot
    response["Content-Disposition"] = f'attachment; filename="plo-data-exercise-{snapshot.as_at:%Y-%m-%d}.csv"'
    return response


@requires(SEE_DATA_EXERCISE)
def data_exercise(request: HttpRequest) -> HttpResponse:
    """How complete each field is in each LA and the region (stored aggregates only, small numbers withheld)."""
    snapshot_id = _snapshot_id(request)
    figures = completeness_figures(snapshot_id=snapshot_id)
    if figures is None and snapshot_id is not None:
        raise Http404("No such snapshot.")
    if figures is not None and request.GET.get("format") == "csv":
        return _csv(figures)
    blocks = [
        {
            "label": block.label,
            "anchor": block.model.lower(),
            "records": [as_text(v, percent=False) for v in block.records],
            "rows": [
                {"label": row.label, "field": row.field, "cells": [as_text(v, percent=True) for v in row.cells]}
                for row in block.rows
            ],
        }
        for block in (figures.blocks if figures else [])
    ]
    return render(
        request,
        "reporting/data_exercise.html",
        {
            "snapshot": figures.snapshot if figures else None,
            "latest": snapshot_id is None,
            "earlier": completeness_snapshots() if figures else [],
            "computed_nightly_at": computed_nightly_at(),
            "scopes": [heading for _key, heading in figures.scopes] if figures else [],
            "blocks": blocks,
            "suppressed": figures.suppressed if figures else False,
            "threshold": small_number_threshold(),
        },
    )
