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


def xlsx_response(rows: Iterable[list], *, filename: str, title: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([_cell(sheet, header, Font(bold=True)) for header in HEADERS])
    for row in rows:
        sheet.append([_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _cell(sheet, value, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell
