"""The tracker list as CSV or Excel: the rows on screen, all pages, same filters and order."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

from django.http import HttpResponse, StreamingHttpResponse

from cases.presenters import CaseRow

HEADERS = [
    "LA reference",
    "Family",
    "Children",
    "Team",
    "Area",
    "Social worker",
    "Stage",
    "Weeks elapsed",
    "Status",
    "Reason",
    "Next due",
    "Next due date",
    "Overdue",
    "Flags",
]

# The protective marking of every export that names children (Government Security Classifications).
MARKING = "OFFICIAL-SENSITIVE"

# The Excel layout: the marking in row 1, the column headings in row 2, the data from row 3.
XLSX_HEADING_ROW = 2
XLSX_FIRST_DATA_ROW = XLSX_HEADING_ROW + 1
XLSX_DATE_FORMAT = "dd/mm/yyyy"
XLSX_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
# Excel's calendar starts in 1900 (and counts a 29 February 1900 that never was): dates before
# March 1900, which only a bad bulk load could store, cannot be shown as dates.
XLSX_EARLIEST_DATE = dt.date(1900, 3, 1)
# Column widths in characters, wide enough for the usual content without wrapping.
XLSX_DEFAULT_WIDTH = 16
XLSX_WIDTHS = {
    "LA reference": 16,
    "Family": 24,
    "Children": 40,
    "Team": 28,
    "Area": 14,
    "Social worker": 24,
    "Stage": 16,
    "Weeks elapsed": 15,
    "Status": 10,
    "Reason": 48,
    "Next due": 36,
    "Next due date": 15,
    "Overdue": 10,
    "Flags": 60,
}


def tracker_rows(rows: Iterable[CaseRow]) -> Iterable[list]:
    """One list of cell values per tracker row (``presenters.case_rows``; no queries beyond the list's own)."""
    for row in rows:
        case = row["case"]
        next_due = row["next_due"]
        yield [
            case.la_reference,
            case.name,
            "; ".join(str(child) for child in case.children.all()),
            case.team.name if case.team else "",
            case.team.area.name if case.team else "",
            case.social_worker.get_full_name() if case.social_worker else "Not allocated",
            "Proceedings" if case.stage == "proceedings" else "Pre-proceedings",
            row["weeks"],
            case.rag.capitalize(),
            row["reason"],
            next_due.label if next_due else "",
            next_due.date if next_due else None,
            "Yes" if next_due and next_due.overdue else "No",
            "; ".join(flag.label for flag in row["flags"]),
        ]


def _safe(value):
    # Spreadsheets run a cell starting with = + - @ as a formula: keep typed text as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(rows: Iterable[list], *, filename: str, headers: list[str] = HEADERS) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so Excel reads UTF-8
        yield writer.writerow(headers)
        for row in rows:
            yield writer.writerow([_safe(v.isoformat() if isinstance(v, dt.date) else v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(rows: Iterable[list], *, filename: str, title: str, headers: list[str] = HEADERS) -> HttpResponse:
    """The rows as an Excel sheet ready to work with: marked, frozen, filtered, sized, real dates.

    Row 1 carries the protective marking (and the sheet's printed header and footer carry it on
    every page); row 2 the column headings, frozen with the marking above them and repeated on every
    printed page, with a filter over the rows below. Dates are stored as dates (so they sort and
    filter as dates) shown as dd/mm/yyyy, as people in England read them.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    # A write-only sheet writes its columns and panes before the first row: set them first.
    for number, header in enumerate(headers, 1):
        sheet.column_dimensions[get_column_letter(number)].width = XLSX_WIDTHS.get(header, XLSX_DEFAULT_WIDTH)
    sheet.freeze_panes = f"A{XLSX_FIRST_DATA_ROW}"
    sheet.print_title_rows = f"1:{XLSX_HEADING_ROW}"
    for part in (sheet.oddHeader, sheet.oddFooter):
        part.center.text = MARKING
        part.center.font = "Arial,Bold"
    sheet.oddFooter.right.text = "Page &P of &N"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    bold = Font(bold=True)
    sheet.append([_cell(sheet, MARKING, Font(bold=True, color="D4351C")), _cell(sheet, title, bold)])
    sheet.append([_cell(sheet, header, bold) for header in headers])
    last_row = XLSX_HEADING_ROW
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
        last_row += 1
    sheet.auto_filter.ref = f"A{XLSX_HEADING_ROW}:{get_column_letter(len(headers))}{last_row}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _xlsx_value(sheet, value):
    """A date as a date cell shown dd/mm/yyyy (text if Excel cannot hold it); typed text kept as text."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, dt.date):
        return _safe(value)
    is_datetime = isinstance(value, dt.datetime)
    if (value.date() if is_datetime else value) < XLSX_EARLIEST_DATE:
        return value.isoformat()  # before Excel's calendar: it would show ####, so as text
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = XLSX_DATETIME_FORMAT if is_datetime else XLSX_DATE_FORMAT
    return cell


def _cell(sheet, value, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell
