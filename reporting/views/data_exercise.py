"""The regional data exercise page: completeness of each data dictionary field, each LA against the region."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases.permissions import SEE_DATA_EXERCISE, requires
from reporting.charts import NO_VALUE, SUPPRESSED, SUPPRESSED_TEXT
from reporting.selectors import small_number_threshold
from reporting.services.completeness import regional_completeness


def as_text(value, *, percent: bool) -> str:
    if value is SUPPRESSED:
        return SUPPRESSED_TEXT
    if value is None:
        return NO_VALUE
    if percent:
        return f"{value}%"
    return f"{int(value):,}" if isinstance(value, Decimal | int) else str(value)


@requires(SEE_DATA_EXERCISE)
def data_exercise(request: HttpRequest) -> HttpResponse:
    """How complete each field is in each LA and the region (aggregates only, small numbers withheld)."""
    figures = regional_completeness()
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
        for block in figures.blocks
    ]
    return render(
        request,
        "reporting/data_exercise.html",
        {
            "scopes": [heading for _key, heading in figures.scopes],
            "blocks": blocks,
            "suppressed": figures.suppressed,
            "threshold": small_number_threshold(),
        },
    )
