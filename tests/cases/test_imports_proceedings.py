"""Importing the care applications of a tracker: the application by its court case number, each
child's part and final order, and the first hearings' listed dates."""

from __future__ import annotations

import datetime as dt

from cases import constants as c
from cases import models as m
from tests.cases.imports_support import csv_bytes, la_admin, run

D = dt.date

HEADERS = [
    "Family ID", "Child ID", "Forename", "Surname", "DOB", "LPM date", "PLO start", "Outcome of PLO", "Date PLO ended",
    "Court application date", "Court case no", "Date proceedings issued", "Court", "Short notice", "CMH date",
    "IRH date", "Final order", "Final order date",
]  # fmt: skip
ROWS = [
    # Ashdown: two children in one application, issued after pre-proceedings, CMH and IRH listed.
    ["ESX-0042", "000123", "Ava", "Ashdown", "14/03/2021", "02/02/2026", "05/02/2026", "Issue proceedings",
     "01/06/2026", "02/06/2026", "CH26C00101", "03/06/2026", "Chelmsford", "N", "17/06/2026", "14/10/2026", "", ""],
    ["ESX-0042", "000124", "Leo", "Ashdown", "01/09/2023", "02/02/2026", "05/02/2026", "Issue proceedings",
     "01/06/2026", "02/06/2026", "CH26C00101", "03/06/2026", "Chelmsford", "N", "17/06/2026", "14/10/2026", "", ""],
    # Brook: concluded with a care order.
    ["ESX-0077", "004512", "Mia", "Brook", "20/01/2019", "10/11/2025", "12/11/2025", "Issue proceedings",
     "10/01/2026", "12/01/2026", "IP26C00007", "13/01/2026", "Ipswich County Court and Family Court", "N",
     "28/01/2026", "", "Care order", "30/09/2026"],
]  # fmt: skip


def tracker(rows=ROWS) -> bytes:
    return csv_bytes([HEADERS, *rows])


def test_it_imports_each_application_its_childrens_parts_and_hearings_field_by_field(la_a):
    admin = la_admin(la_a)
    result = run(admin, "essex-court.csv", tracker())
    assert result.errors == []
    assert result.file_problems == []
    assert result.summary() == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0}

    ashdown = m.Proceedings.objects.get(court_case_number="CH26C00101")
    assert (ashdown.family.la_reference, ashdown.issue_date, ashdown.court_id, ashdown.short_notice) == (
        "ESX-0042",
        D(2026, 6, 3),
        "chelmsford",
        False,
    )
    assert ashdown.local_authority == la_a
    assert ashdown.created_by == admin
    # The application came from the episode that decided to issue.
    assert ashdown.episode == m.PreProceedingsEpisode.objects.get(family__la_reference="ESX-0042")
    assert sorted(ashdown.child_parts.values_list("child__la_child_id", flat=True)) == ["000123", "000124"]
    assert sorted(ashdown.hearings.values_list("hearing_type_id", "listed_date", "status")) == [
        ("cmh", D(2026, 6, 17), c.HearingStatus.LISTED),
        ("irh", D(2026, 10, 14), c.HearingStatus.LISTED),
    ]
    assert ashdown.concluded_date is None

    brook = m.Proceedings.objects.get(court_case_number="IP26C00007")
    assert brook.court_id == "ipswich"
    part = brook.child_parts.get()
    assert (part.child.la_child_id, part.final_outcome_id, part.final_outcome_date) == (
        "004512",
        "care_order",
        D(2026, 9, 30),
    )
    assert brook.concluded_date == D(2026, 9, 30)  # derived from the last child's final order
    assert list(brook.hearings.values_list("hearing_type_id", "listed_date")) == [("cmh", D(2026, 1, 28))]


def test_importing_the_same_applications_again_changes_nothing(la_a):
    admin = la_admin(la_a)
    run(admin, "essex-court.csv", tracker())
    counts = (m.Proceedings.objects.count(), m.ChildProceedings.objects.count(), m.Hearing.objects.count())
    again = run(admin, "essex-court.csv", tracker())
    assert again.summary() == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3, "errors": 0}
    assert (
        (m.Proceedings.objects.count(), m.ChildProceedings.objects.count(), m.Hearing.objects.count())
        == counts
        == (
            2,
            3,
            3,
        )
    )


def test_a_moved_hearing_is_refused_not_overwritten_and_nothing_is_saved(la_a):
    admin = la_admin(la_a)
    run(admin, "essex-court.csv", tracker())
    rows = [list(row) for row in ROWS]
    rows[0][15] = rows[1][15] = "21/10/2026"  # the IRH moved a week
    rows[2][13] = "Y"  # Brook now says short notice, without a reason
    result = run(admin, "essex-court.csv", tracker(rows))
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "IRH date"),
        (3, "IRH date"),
        (4, "short notice reason (not in the file)"),
    ]
    assert "already has its issues resolution hearing listed (14 October 2026)" in result.errors[0].message
    assert "record a re-listing with what came of that hearing on its page" in result.errors[0].message
    assert result.errors[2].message == "Select why the application was made at short notice."
    assert list(m.Hearing.objects.filter(hearing_type_id="irh").values_list("listed_date", flat=True)) == [
        D(2026, 10, 14)
    ]
    assert m.Proceedings.objects.get(court_case_number="IP26C00007").short_notice is False


def test_bad_court_values_are_reported_by_row_and_header_with_nothing_saved(la_a):
    admin = la_admin(la_a)
    rows = [list(row) for row in ROWS]
    rows[0][12] = rows[1][12] = "Narnia Family Court"
    rows[2][11] = ""  # an application without its issue date
    result = run(admin, "essex-court.csv", tracker(rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "Court"), (3, "Court"), (4, "Date proceedings issued")]
    assert result.errors[0].message.startswith("'Narnia Family Court' is not a known court: use one of chelmsford (")
    assert not m.Proceedings.objects.exists()
    assert not m.Family.objects.exists()


def test_a_court_case_number_of_another_family_or_a_hearing_without_one_is_refused(la_a):
    admin = la_admin(la_a)
    run(admin, "essex-court.csv", tracker())
    rows = [list(ROWS[2])]
    rows[0][0] = "ESX-0099"  # Brook's court case number on another family...
    rows[0][1] = "009999"
    other = list(ROWS[2])
    other[0], other[1], other[10] = "ESX-0100", "010000", ""  # ...and a CMH date with no court case number
    result = run(admin, "essex-court.csv", tracker([rows[0], other]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "Court case no"), (3, "CMH date")]
    assert "Court case IP26C00007 is an application of family ESX-0077, not of ESX-0099" in result.errors[0].message
    assert result.errors[1].message == "A hearing date needs the application's court case number in the same row."
    assert not m.Family.objects.filter(la_reference__in=["ESX-0099", "ESX-0100"]).exists()
