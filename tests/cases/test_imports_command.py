"""manage.py import_tracker: its last line is JSON counts; exit 1 on any error, and then nothing is saved."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from pghistory.models import Events

from cases import models as m
from tests.cases.imports_support import csv_bytes, la_admin

pytestmark = pytest.mark.django_db

HEADERS = ["Family ID", "Child ID", "Forename", "Surname", "DOB", "Gender", "LPM date", "PLO start"]
ROWS = [
    ["FAM-1", "000101", "Ava", "Ashdown", "14/03/2021", "F", "02/02/2026", "05/02/2026"],
    ["FAM-1", "000102", "Leo", "Ashdown", "01/09/2023", "M", "02/02/2026", "05/02/2026"],
]


def command(tmp_path, capsys, data: bytes, *args: str, name: str = "tracker.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    code = 0
    try:
        call_command("import_tracker", "--la", "881", str(path), *args)
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, json.loads(out.strip().splitlines()[-1]), err


def test_it_imports_and_prints_the_counts(la_a, tmp_path, capsys):
    code, counts, _err = command(tmp_path, capsys, csv_bytes([HEADERS, *ROWS]))
    assert code == 0
    assert counts == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "errors": 0}
    family = m.Family.objects.get(la_reference="FAM-1")
    assert sorted(family.children.values_list("la_child_id", flat=True)) == ["000101", "000102"]
    # Recorded as the LA's tracker import account, in the history and the import history.
    account = m.User.objects.get(username="svc-881-tracker-import")
    assert family.created_by == account
    assert {e.pgh_context["user"] for e in Events.objects.all()} == {account.pk}
    run = m.ImportRun.objects.get()
    assert (run.file_name, run.status, run.rows, run.created, run.user) == ("tracker.csv", "applied", 2, 2, account)

    code, counts, _err = command(tmp_path, capsys, csv_bytes([HEADERS, *ROWS]))
    assert (code, counts) == (0, {"rows": 2, "created": 0, "updated": 0, "unchanged": 2, "errors": 0})


def test_a_dry_run_saves_nothing(la_a, tmp_path, capsys):
    code, counts, _err = command(tmp_path, capsys, csv_bytes([HEADERS, *ROWS]), "--dry-run")
    assert (code, counts) == (0, {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "errors": 0})
    assert not m.Family.objects.exists()


def test_a_bad_row_exits_1_and_names_the_row_and_column(la_a, tmp_path, capsys):
    rows = [ROWS[0], [*ROWS[1][:4], "30/02/2023", *ROWS[1][5:]]]
    code, counts, err = command(tmp_path, capsys, csv_bytes([HEADERS, *rows]))
    assert code == 1
    assert counts == {"rows": 2, "created": 0, "updated": 0, "unchanged": 0, "errors": 1}
    assert "row 3, column 'DOB': '30/02/2023' is not a real date." in err
    assert not m.Family.objects.exists()


def test_a_file_problem_exits_1_and_counts_as_an_error(la_a, tmp_path, capsys):
    code, counts, err = command(tmp_path, capsys, b"", name="empty.csv")
    assert code == 1
    assert counts == {"rows": 0, "created": 0, "updated": 0, "unchanged": 0, "errors": 1}
    assert "File problem: The file is empty" in err


def test_it_uses_the_las_saved_mapping_by_name(la_a, tmp_path, capsys):
    from cases.imports.engine import ColumnMapping
    from cases.imports.runs import mapping_save

    mapping_save(
        user=la_admin(la_a),
        name="Mosaic export",
        mapping=ColumnMapping(columns={"Kid": "LAchildID"}, codes={"Sex": {"G": "F", "B": "M"}}),
    )
    headers = ["Family ID", "Kid", "Forename", "Surname", "DOB", "Gender", "LPM date", "PLO start"]
    rows = [[*ROWS[0][:5], "G", *ROWS[0][6:]]]
    code, counts, _err = command(tmp_path, capsys, csv_bytes([headers, *rows]), "--mapping", "Mosaic export")
    assert (code, counts["created"]) == (0, 1)
    child = m.Child.objects.get()
    assert (child.la_child_id, child.sex) == ("000101", "F")

    code, counts, err = command(tmp_path, capsys, csv_bytes([headers, *rows]), "--mapping", "No such mapping")
    assert (code, counts["errors"]) == (1, 1)
    assert "There is no saved mapping called 'No such mapping'." in err
