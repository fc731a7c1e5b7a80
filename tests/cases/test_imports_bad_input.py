"""Every bad tracker is a clear report naming the row and column, and nothing is saved."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from django.utils import timezone
from pghistory.models import Events

from cases import models as m
from cases.imports.engine import RowError
from tests import factories as f
from tests.cases.imports_support import csv_bytes, la_admin, run, xlsx_bytes

pytestmark = pytest.mark.django_db

HEADERS = ["Family ID", "Child ID", "Forename", "Surname", "DOB", "Gender", "LPM date", "PLO start", "Outcome",
           "Decision date"]  # fmt: skip
GOOD = ["FAM-1", "000101", "Ava", "Ashdown", "14/03/2021", "F", "02/02/2026", "05/02/2026", "", ""]
GOOD_2 = ["FAM-2", "000102", "Leo", "Brook", "01/09/2023", "M", "03/03/2026", "04/03/2026", "", ""]


@pytest.fixture
def admin(la_a):
    return la_admin(la_a)


def with_cell(row: list[str], header: str, value: str) -> list[str]:
    changed = list(row)
    changed[HEADERS.index(header)] = value
    return changed


def nothing_saved() -> bool:
    return not (m.Family.objects.exists() or m.Child.objects.exists() or Events.objects.exists())


def errors_of(admin, rows, headers=HEADERS, **kwargs) -> list[RowError]:
    result = run(admin, "tracker.csv", csv_bytes([headers, *rows]), **kwargs)
    assert result.file_problems == []
    assert result.summary()["created"] == 0
    return result.errors


def test_a_good_row_and_a_bad_row_save_nothing_and_only_the_bad_row_is_reported(admin):
    bad = with_cell(GOOD_2, "DOB", "31/02/2023")
    assert errors_of(admin, [GOOD, bad]) == [RowError(3, "DOB", "'31/02/2023' is not a real date.")]
    assert nothing_saved()


def test_a_missing_required_column_is_a_file_problem(admin):
    headers = [h for h in HEADERS if h != "LPM date"]
    rows = [[v for h, v in zip(HEADERS, GOOD, strict=True) if h != "LPM date"]]
    result = run(admin, "tracker.csv", csv_bytes([headers, *rows]))
    assert result.file_problems == [
        "The file has no column for gateway_meeting_date (legal gateway meeting date), which every row needs."
    ]
    assert result.summary()["errors"] == 1
    assert nothing_saved()


def test_an_unknown_column_with_values_is_reported_never_dropped(admin):
    result = run(admin, "tracker.csv", csv_bytes([[*HEADERS, "Worker notes"], [*GOOD, "call Tues"]]))
    assert result.file_problems == [
        "Column 'Worker notes' is not a column the import knows: say what it holds on the mapping page "
        "(or choose 'Do not import')."
    ]
    assert nothing_saved()


def test_an_unknown_code_names_the_value_and_the_column(admin):
    (error,) = errors_of(admin, [with_cell(GOOD, "Gender", "Boyish")])
    assert (error.row, error.column) == (2, "Gender")
    assert error.message.startswith("'Boyish' is not a known code for sex: map it to one of M (Male), F (Female)")
    assert nothing_saved()


def test_an_impossible_date_and_a_future_event_date_are_refused_with_the_models_message(admin):
    tomorrow = (timezone.localdate() + dt.timedelta(days=2)).strftime("%d/%m/%Y")
    rows = [with_cell(GOOD, "DOB", "2021-13-01"), with_cell(GOOD_2, "LPM date", tomorrow)]
    assert errors_of(admin, rows) == [
        RowError(2, "DOB", "'2021-13-01' is not a real date."),
        RowError(3, "LPM date", "The legal gateway meeting date must be today or in the past."),
    ]
    assert nothing_saved()


def test_a_date_order_violation_is_the_models_rule_on_the_right_column(admin):
    row = with_cell(GOOD, "PLO start", "01/02/2026")  # before the legal gateway meeting of 2 February
    assert errors_of(admin, [row]) == [
        RowError(2, "PLO start", "The pre-proceedings start date must be on or after the legal gateway meeting.")
    ]
    row = with_cell(with_cell(GOOD, "Outcome", "Stepped down"), "Decision date", "04/02/2026")
    assert errors_of(admin, [row]) == [
        RowError(
            2, "Decision date", "The step-down or issue decision must be on or after the pre-proceedings start date."
        )
    ]
    assert nothing_saved()


def test_an_outcome_without_its_decision_date_is_the_models_rule(admin):
    assert errors_of(admin, [with_cell(GOOD, "Outcome", "Issued")]) == [
        RowError(2, "Decision date", "Record the outcome and the decision date together.")
    ]


def test_several_dates_in_one_cell_are_refused_never_one_picked(admin):
    (error,) = errors_of(admin, [with_cell(GOOD, "PLO start", "05/02/2026 / 09/02/2026")])
    assert error == RowError(
        2,
        "PLO start",
        "Holds 2 dates (05/02/2026 and 09/02/2026): a cell of this column takes one date. Put the right date in "
        "the cell.",
    )
    assert nothing_saved()


def test_a_two_digit_year_is_refused(admin):
    (error,) = errors_of(admin, [with_cell(GOOD, "DOB", "14/03/21")])
    assert error == RowError(2, "DOB", "'14/03/21' has a two-digit year: write the year in full (e.g. 14/03/2021).")


def test_a_duplicate_row_is_refused(admin):
    assert errors_of(admin, [GOOD, GOOD_2, GOOD]) == [
        RowError(
            4,
            "Child ID",
            "Child ID 000101 in the episode with the legal gateway meeting of 2 February 2026 is already in row 2: "
            "remove the duplicate row.",
        )
    ]
    assert nothing_saved()


def test_rows_of_one_family_that_disagree_are_refused(admin):
    sibling = with_cell(with_cell(GOOD_2, "Family ID", "FAM-1"), "LPM date", "02/02/2026")
    sibling = with_cell(sibling, "PLO start", "06/02/2026")
    sibling = with_cell(sibling, "Surname", "Ashdown")
    assert errors_of(admin, [GOOD, sibling]) == [
        RowError(
            3,
            "PLO start",
            "This row says 6 February 2026 but row 2, about the same pre-proceedings episode, says 5 February 2026: "
            "make them agree.",
        )
    ]


def test_another_las_code_is_refused(admin):
    headers = [*HEADERS, "LA"]
    (error,) = errors_of(admin, [[*GOOD, "881"], [*GOOD_2, "935"]], headers=headers)
    assert error == RowError(
        3,
        "LA",
        "'935' is Suffolk County Council's code: this import is for Essex County Council (881), so every row must "
        "be one of its cases.",
    )
    assert nothing_saved()


def test_another_las_team_is_refused(admin):
    headers = [*HEADERS, "Team"]
    (error,) = errors_of(admin, [[*GOOD, "Ipswich Children and Young People"]], headers=headers)
    assert error == RowError(2, "Team", "'Ipswich Children and Young People' is not a team of Essex County Council.")


def test_a_child_id_of_another_family_is_refused(admin, la_a):
    family = f.FamilyFactory(local_authority=la_a, la_reference="FAM-9")
    f.ChildFactory(family=family, la_child_id="000101")
    (error,) = errors_of(admin, [GOOD])
    assert error == RowError(
        2,
        "Child ID",
        "Child ID 000101 is already a child of family FAM-9, not of FAM-1: correct the family reference or the "
        "child ID.",
    )
    assert not m.Family.objects.filter(la_reference="FAM-1").exists()


def test_another_las_records_are_never_touched(admin, la_b):
    family = f.FamilyFactory(local_authority=la_b, la_reference="FAM-1", name="Suffolkfamily")
    f.ChildFactory(family=family, la_child_id="000101")
    result = run(admin, "tracker.csv", csv_bytes([HEADERS, GOOD]))
    assert result.summary() == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "errors": 0}
    family.refresh_from_db()
    assert family.name == "Suffolkfamily"
    assert family.children.count() == 1
    assert m.Family.objects.get(local_authority=admin.local_authority).la_reference == "FAM-1"


def test_an_empty_file_is_a_file_problem(admin):
    assert run(admin, "tracker.csv", b"").file_problems == [
        "The file is empty: choose the tracker file and upload it again."
    ]
    assert run(admin, "tracker.csv", csv_bytes([HEADERS])).file_problems == [
        "The file has a header row but no rows of data."
    ]


def test_a_file_over_the_size_cap_is_a_file_problem(admin, settings):
    settings.PLO_IMPORT_MAX_BYTES = 2000
    data = csv_bytes([HEADERS, *[GOOD] * 40])
    assert len(data) > 2000
    (problem,) = run(admin, "tracker.csv", data).file_problems
    assert problem == f"The file is {len(data):,} bytes, over the limit of 2,000 bytes: split it into smaller files."
    assert nothing_saved()


def test_a_file_of_100000_rows_over_the_row_cap_is_a_file_problem(admin, settings):
    settings.PLO_IMPORT_MAX_ROWS = 99_999
    rows = [[f"FAM-{n}", f"{n:06d}", "Ava", "Ashdown", "14/03/2021", "F", "02/02/2026", "05/02/2026", "", ""]
            for n in range(100_000)]  # fmt: skip
    result = run(admin, "tracker.csv", csv_bytes([HEADERS, *rows]))
    assert result.file_problems == [
        "The file has more than 99,999 rows (at least 100,000): split it into files of 99,999 rows or fewer."
    ]
    assert nothing_saved()


def test_a_formula_in_a_csv_is_a_file_problem(admin):
    result = run(admin, "tracker.csv", csv_bytes([HEADERS, with_cell(GOOD, "DOB", "=TODAY()-3000")]))
    assert result.file_problems == [
        "The file holds formulas (row 2, column 'DOB'): paste the values instead (Paste special, Values) and upload "
        "it again."
    ]


def test_a_formula_in_a_workbook_is_a_file_problem(admin):
    data = xlsx_bytes([HEADERS, with_cell(GOOD, "Forename", '=CONCAT("A","va")')])
    result = run(admin, "tracker.xlsx", data)
    assert result.file_problems == [
        "The file holds formulas (row 2, column 'Forename'): paste the values instead (Paste special, Values) and "
        "upload it again."
    ]


def test_merged_header_cells_are_a_file_problem(admin):
    data = xlsx_bytes([HEADERS, GOOD], setup=lambda wb: wb.active.merge_cells("G1:H1"))
    assert run(admin, "tracker.xlsx", data).file_problems == [
        "The header row has merged cells (G1:H1): unmerge them so that each column has one header in row 1."
    ]


def test_a_hidden_sheet_is_a_file_problem(admin):
    def hide(workbook):
        workbook.create_sheet("Old cases").sheet_state = "hidden"

    assert run(admin, "tracker.xlsx", xlsx_bytes([HEADERS, GOOD], setup=hide)).file_problems == [
        "The workbook has hidden sheets (Old cases): delete them or unhide them and save the tracker on one "
        "visible sheet."
    ]


def test_a_macro_workbook_is_refused_by_its_name_and_by_its_content(admin):
    data = xlsx_bytes([HEADERS, GOOD])
    assert run(admin, "tracker.xlsm", data).file_problems == [
        "The file is a macro-enabled workbook (.xlsm): save it as an Excel workbook (.xlsx)."
    ]
    import io

    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00macro")
    assert run(admin, "tracker.xlsx", buffer.getvalue()).file_problems == [
        "The workbook holds macros: save it as an Excel workbook (.xlsx) without macros."
    ]


def test_a_file_of_another_type_is_refused(admin):
    assert run(admin, "tracker.pdf", b"%PDF-1.7").file_problems == [
        "The file must be a CSV file (.csv) or an Excel workbook (.xlsx)."
    ]
    assert run(admin, "tracker.xlsx", b"not a zip at all").file_problems == [
        "The file is not an Excel workbook (.xlsx): save it as .xlsx or CSV and try again."
    ]


def test_a_windows_1252_csv_with_a_bom_and_semicolons_is_read(admin):
    row = with_cell(GOOD, "Forename", "Zoë")
    result = run(admin, "tracker.csv", csv_bytes([HEADERS, row], sep=";", encoding="cp1252", bom=True))
    assert result.ok
    assert m.Child.objects.get().first_name == "Zoë"


def test_a_utf8_csv_with_a_bom_is_read(admin):
    row = with_cell(GOOD, "Forename", "Zoë")
    result = run(admin, "tracker.csv", csv_bytes([HEADERS, row], bom=True))
    assert result.ok
    assert m.Child.objects.get().first_name == "Zoë"


def test_an_unborn_flag_with_two_different_dates_is_refused(admin):
    headers = [*HEADERS, "Due date", "Unborn"]
    (error,) = errors_of(admin, [[*GOOD, "01/02/2027", "Y"]], headers=headers)
    assert error.row == 2
    assert error.column == "DOB"
    assert error.message.startswith("The row says the child is unborn but gives a date of birth and a different")


def test_a_review_count_that_is_not_a_number_is_refused(admin):
    headers = [*HEADERS, "Number of reviews"]
    (error,) = errors_of(admin, [[*GOOD, "two"]], headers=headers)
    assert error == RowError(2, "Number of reviews", "'two' is not a whole number.")
