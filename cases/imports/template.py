"""The import template: the data dictionary's column names, with a guide to each (the page's and the API's)."""

from __future__ import annotations

import tablib

from cases.imports import columns as col

XLSX, CSV = "xlsx", "csv"
CONTENT_TYPES = {XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", CSV: "text/csv"}
FILE_NAME = "plo-tracker-import-template"


def template_book() -> tablib.Databook:
    """A "Tracker" sheet headed with every import column and a "Guide" sheet saying what each holds."""
    tracker = tablib.Dataset(headers=[target.key for target in col.TARGETS], title="Tracker")
    guide = tablib.Dataset(headers=["Column", "Holds", "Required", "Codes", "Also recognised"], title="Guide")
    for target in col.TARGETS:
        codes = "; ".join(f"{value} ({label})" for value, label in target.choices if value)
        if target.kind == col.BOOL:
            codes = "Yes; No; Not known"
        elif target.kind == col.REF:
            codes = "; ".join(f"{ref.code} ({ref.label})" for ref in target.ref.objects.filter(active=True))
        elif target.kind == col.HEARING:
            codes = "A date (the hearing's listed date)"
        guide.append(
            [
                target.key,
                f"{target.label.capitalize()}. {target.help}".strip(),
                "Yes" if target.required else "",
                codes,
                "; ".join(target.variants),
            ]
        )
    return tablib.Databook([tracker, guide])


def template_file(file_type: str = XLSX) -> tuple[bytes, str, str]:
    """The template as (content, content type, file name): a workbook with both sheets, or a CSV of
    the tracker's header row (a CSV has one sheet: the guide is the workbook's)."""
    book = template_book()
    content = book.sheets()[0].export("csv").encode("utf-8") if file_type == CSV else book.export("xlsx")
    return content, CONTENT_TYPES[file_type], f"{FILE_NAME}.{file_type}"
