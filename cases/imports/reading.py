"""Reading an uploaded tracker safely into a table of text cells, or refusing it with file problems.

CSV in UTF-8 (with or without a byte order mark) or Windows-1252, comma, semicolon or tab
separated (sniffed from the header line); XLSX through openpyxl in read-only mode, whose XML
parsing goes through defusedxml (checked below, so a workbook cannot expand entities or reach
the network). Refused as file problems: an empty file, one over ``PLO_IMPORT_MAX_BYTES`` or with
more than ``PLO_IMPORT_MAX_ROWS`` rows, macro workbooks (.xlsm, or a workbook holding a VBA
project), formulas, hidden sheets, merged header cells and any other file type.

Rows are numbered as a spreadsheet user counts them: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

import openpyxl
import openpyxl.xml
import tablib
from defusedxml import ElementTree as SafeElementTree
from django.conf import settings

# openpyxl parses workbook XML with defusedxml when it is installed: refuse to run without it.
if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a pinned requirement
    raise ImportError("Tracker imports need defusedxml, so that openpyxl parses workbooks safely.")

SPREADSHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class FileProblemError(Exception):
    """The file cannot be imported at all; ``problems`` says why, in words for the uploader."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class SourceTable:
    """A tracker's header and rows as text cells, each row with its number in the file."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    notices: list[str] = field(default_factory=list)

    def as_dataset(self) -> tablib.Dataset:
        """The table as a tablib Dataset (headers and rows), for previews and downloads."""
        return tablib.Dataset(*[cells for _number, cells in self.rows], headers=self.headers)


def _size_check(data: bytes) -> None:
    if not data:
        raise FileProblemError(["The file is empty: choose the tracker file and upload it again."])
    limit = settings.PLO_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise FileProblemError(
            [f"The file is {len(data):,} bytes, over the limit of {limit:,} bytes: split it into smaller files."]
        )


def _row_cap_problem(count: int) -> FileProblemError:
    limit = settings.PLO_IMPORT_MAX_ROWS
    return FileProblemError(
        [f"The file has more than {limit:,} rows (at least {count:,}): split it into files of {limit:,} rows or fewer."]
    )


def read_upload(*, name: str, data: bytes) -> SourceTable:
    """The tracker in ``data`` (uploaded as ``name``) as a table, or FileProblemError."""
    lowered = name.lower()
    _size_check(data)
    if lowered.endswith((".xlsm", ".xltm", ".xlam")):
        raise FileProblemError(["The file is a macro-enabled workbook (.xlsm): save it as an Excel workbook (.xlsx)."])
    if lowered.endswith(".xlsx"):
        table = _read_xlsx(data)
    elif lowered.endswith((".csv", ".txt")):
        table = _read_csv(data)
    else:
        raise FileProblemError(["The file must be a CSV file (.csv) or an Excel workbook (.xlsx)."])
    if not any(header.strip() for header in table.headers):
        raise FileProblemError(["The file has no header row: its first row must name the columns."])
    if not table.rows:
        raise FileProblemError(["The file has a header row but no rows of data."])
    return table


# --- CSV ------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8 (a byte order mark is dropped), else Windows-1252 (what Excel on Windows saves)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise FileProblemError(
            ["The file's characters cannot be read: save it as 'CSV UTF-8' (or CSV from Excel) and try again."]
        ) from None


def _delimiter(first_line: str) -> str:
    """The separator of the header line: the commonest of comma, semicolon and tab outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {sep: unquoted.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def _read_csv(data: bytes) -> SourceTable:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    limit = settings.PLO_IMPORT_MAX_ROWS
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    formulas: list[str] = []
    try:
        for index, cells in enumerate(reader, start=1):
            if headers is None:
                headers = [cell.strip() for cell in cells]
                continue
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= limit:
                raise _row_cap_problem(len(rows) + 1)
            for position, cell in enumerate(cells):
                if cell.strip().startswith("="):
                    formulas.append(_cell_name(headers, position, index))
            rows.append((index, cells))
    except csv.Error as error:
        raise FileProblemError(
            [f"The CSV file cannot be read ({error}): check its quotes and save it again."]
        ) from None
    if headers is None:
        raise FileProblemError(["The file is empty: choose the tracker file and upload it again."])
    if formulas:
        raise _formula_problem(formulas)
    return SourceTable(headers=headers, rows=rows)


def _cell_name(headers: list[str], position: int, row: int) -> str:
    header = headers[position] if position < len(headers) else f"column {position + 1}"
    return f"row {row}, column '{header}'"


def _formula_problem(cells: list[str]) -> FileProblemError:
    shown = "; ".join(cells[:5]) + (f" and {len(cells) - 5} more" if len(cells) > 5 else "")
    return FileProblemError(
        [f"The file holds formulas ({shown}): paste the values instead (Paste special, Values) and upload it again."]
    )


# --- XLSX -----------------------------------------------------------------------------------------


def _merged_header(archive: zipfile.ZipFile, sheet_path: str) -> list[str]:
    """Merged cell ranges that touch the header row of a sheet (read-only mode does not load them)."""
    try:
        with archive.open(sheet_path) as handle:
            ranges = [
                element.get("ref", "")
                for _event, element in SafeElementTree.iterparse(handle)
                if element.tag == f"{SPREADSHEET_NS}mergeCell"
            ]
    except KeyError:
        return []
    touching = []
    for ref in ranges:
        rows = [int(number) for number in re.findall(r"\d+", ref)]
        if rows and min(rows) <= 1:
            touching.append(ref)
    return touching


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name with its XML part in the workbook archive."""
    rels = SafeElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    workbook = SafeElementTree.fromstring(archive.read("xl/workbook.xml"))
    paths = {}
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    for sheet in workbook.iter(f"{SPREADSHEET_NS}sheet"):
        target = targets.get(sheet.get(rel_ns), "").lstrip("/")
        paths[sheet.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return paths


def _cell_text(cell) -> str:
    """A cell as the text it shows: whole numbers without ".0", ids with their number format's zeros."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        number_format = getattr(cell, "number_format", "") or ""
        # A number shown with leading zeros ("000123", format 000000) keeps them: it is an id.
        if re.fullmatch(r"0+", number_format):
            return f"{value:0{len(number_format)}d}"
        return str(value)
    return str(value)


def _read_xlsx(data: bytes) -> SourceTable:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise FileProblemError(
            ["The file is not an Excel workbook (.xlsx): save it as .xlsx or CSV and try again."]
        ) from None
    if "xl/vbaProject.bin" in names:
        raise FileProblemError(["The workbook holds macros: save it as an Excel workbook (.xlsx) without macros."])
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged or foreign file
        raise FileProblemError(["The workbook cannot be opened: save it again as an Excel workbook (.xlsx)."]) from None
    try:
        hidden = [sheet.title for sheet in workbook.worksheets if sheet.sheet_state != "visible"]
        if hidden:
            raise FileProblemError(
                [
                    f"The workbook has hidden sheets ({', '.join(hidden)}): delete them or unhide them and save the "
                    "tracker on one visible sheet."
                ]
            )
        sheet = workbook.worksheets[0]
        notices = []
        others = [other.title for other in workbook.worksheets[1:]]
        if others:
            notices.append(f"Only the first sheet, '{sheet.title}', was read (not: {', '.join(others)}).")
        merged = _merged_header(archive, _sheet_paths(archive).get(sheet.title, ""))
        if merged:
            raise FileProblemError(
                [
                    f"The header row has merged cells ({', '.join(merged)}): unmerge them so that each column has "
                    "one header in row 1."
                ]
            )
        return _xlsx_rows(sheet, notices)
    finally:
        workbook.close()


def _xlsx_rows(sheet, notices: list[str]) -> SourceTable:
    limit = settings.PLO_IMPORT_MAX_ROWS
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    formulas: list[str] = []
    for index, cells in enumerate(sheet.iter_rows(), start=1):
        if headers is None:
            headers = [_cell_text(cell).strip() for cell in cells]
            while headers and not headers[-1]:
                headers.pop()
            continue
        texts = [_cell_text(cell) for cell in cells]
        if not any(text.strip() for text in texts):
            continue
        if len(rows) >= limit:
            raise _row_cap_problem(len(rows) + 1)
        for position, cell in enumerate(cells):
            if getattr(cell, "data_type", None) == "f" or texts[position].startswith("="):
                formulas.append(_cell_name(headers, position, index))
        rows.append((index, texts))
    if headers is None:
        raise FileProblemError(["The file is empty: choose the tracker file and upload it again."])
    if formulas:
        raise _formula_problem(formulas)
    return SourceTable(headers=headers, rows=rows, notices=notices)
