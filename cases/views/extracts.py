"""Statutory returns for an LA: the CIN census pre-proceedings module (XML, CSV, validation report)
and the SSD ``ssd_pre_proceedings`` table, for the user's own LA only."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases import audit
from cases.extracts import census, validation
from cases.extracts.census import CensusYear
from cases.extracts.output import Extract, csv_download, ssd_csv, ssd_family_ids, xml_download
from cases.permissions import EXPORT_RETURNS, requires

YEARS_SHOWN = 6  # the current census year and the five before it (the SSD's six-year scope)
ERRORS_SHOWN = 100


def year_choices() -> list[tuple[str, str]]:
    current = CensusYear.containing(timezone.localdate()).year
    return [(str(y), CensusYear(y).label) for y in range(current, current - YEARS_SHOWN, -1)]


class CensusYearForm(forms.Form):
    year = forms.TypedChoiceField(label="Census year", coerce=int, choices=year_choices)


def _year(request: HttpRequest) -> CensusYear | None:
    form = CensusYearForm(request.GET)
    return CensusYear(form.cleaned_data["year"]) if form.is_valid() else None


@requires(EXPORT_RETURNS)
def extract_index(request: HttpRequest) -> HttpResponse:
    """Pick a census year; see its validation summary and errors; download each extract."""
    data = request.GET if "year" in request.GET else {"year": year_choices()[0][0]}
    form = CensusYearForm(data)
    extract = None
    if form.is_valid():
        year = CensusYear(form.cleaned_data["year"])
        la = request.user.local_authority
        extract = Extract.build(local_authority=la, year=year)
        audit.record_read(request, kind=audit.VIEW, families=census.family_ids(local_authority=la, year=year))
    return render(
        request,
        "cases/extracts.html",
        {
            "form": form,
            "extract": extract,
            "summary": extract.summary if extract else None,
            "issues": extract.issues[:ERRORS_SHOWN] if extract else [],
            "errors_shown": ERRORS_SHOWN,
        },
    )


@requires(EXPORT_RETURNS)
def extract_download(request: HttpRequest, kind: str) -> HttpResponse:
    """One extract as a file: census XML or CSV or its validation report (for ``?year=``), or the SSD table."""
    la = request.user.local_authority
    if kind == "ssd-csv":
        rows, headers = ssd_csv(la)
        audit.record_read(request, kind=audit.EXPORT, families=ssd_family_ids(la))
        return csv_download(rows, headers=headers, filename=f"ssd_pre_proceedings-{la.dfe_code}")
    year = _year(request)
    if year is None or kind not in ("census-xml", "census-csv", "validation-csv"):
        raise Http404
    extract = Extract.build(local_authority=la, year=year)
    audit.record_read(request, kind=audit.EXPORT, families=census.family_ids(local_authority=la, year=year))
    if kind == "census-xml":
        return xml_download(extract.xml(), filename=extract.stem("cin-pre-proceedings"))
    if kind == "census-csv":
        return csv_download(
            census.census_rows(extract.records),
            headers=census.CSV_HEADERS,
            filename=extract.stem("cin-pre-proceedings"),
        )
    return csv_download(
        validation.report_rows(extract.issues),
        headers=validation.REPORT_HEADERS,
        filename=extract.stem("cin-pre-proceedings-validation"),
    )
