"""Importing each LA's own tracker (its headers and words), checked field by field; a re-import is a no-op."""

from __future__ import annotations

import datetime as dt

import pytest
from pghistory.models import Events

from cases import constants as c
from cases import models as m
from cases.imports.engine import ColumnMapping
from cases.imports.runs import mapping_save
from tests import factories as f
from tests.cases.imports_support import csv_bytes, la_admin, run, xlsx_bytes

pytestmark = pytest.mark.django_db

D = dt.date

ESSEX_HEADERS = [
    "Mosaic case ID", "Family name", "Team", "Mosaic ID", "Forename", "Surname", "DOB / EDD", "Unborn?", "Gender",
    "Ethnicity", "LPM date", "LPM decision", "PLO start date", "Date LBP sent", "Initial PLO meeting",
    "No. of review meetings", "FGC offered?", "FGC held?", "Date of FGC", "Outcome of PLO", "Date PLO ended",
]  # fmt: skip
ESSEX_ROWS = [
    ["ESX-0042", "Ashdown", "Colchester Family Support", "000123", "Ava", "Ashdown", "14/03/2021", "N", "Female",
     "White - British", "02/02/2026", "Start PLO", "05/02/2026", "06/02/2026", "16/02/2026", "2", "Y", "Y",
     "10/03/2026", "Stepped down to CIN", "20/07/2026"],
    ["ESX-0042", "Ashdown", "Colchester Family Support", "000124", "Leo", "Ashdown", "01/09/2023", "N", "Male",
     "White - British", "02/02/2026", "Start PLO", "05/02/2026", "06/02/2026", "16/02/2026", "2", "Y", "Y",
     "10/03/2026", "Stepped down to CIN", "20/07/2026"],
    ["ESX-0077", "Brook", "Tendring Family Support", "004512", "", "Brook", "20/01/2027", "Y", "Unknown",
     "Not known", "10/11/2026", "Start PLO", "12/11/2026", "13/11/2026", "", "", "N", "", "", "", ""],
]  # fmt: skip


def essex_file() -> bytes:
    return csv_bytes([ESSEX_HEADERS, *ESSEX_ROWS])


def fields(instance, names: str) -> dict:
    return {name: getattr(instance, name) for name in names.split()}


CHILD = "family_id la_child_id first_name last_name date_of_birth expected_due_date sex ethnicity local_authority_id"
EPISODE = (
    "gateway_meeting_date gateway_outcome start_date lbp_sent_date recorded_review_count fgdm_offered "
    "fgdm_offered_date fgdm_facilitated fgdm_held_date pre_birth previous_pre_proceedings previous_care_proceedings "
    "parents_legal_representation step_decision_date outcome court_application_date letter_initiating_cp_date"
)


def episode_expected(**values) -> dict:
    base = dict.fromkeys(EPISODE.split())
    base.update(
        fgdm_offered=None,
        pre_birth=False,
        previous_pre_proceedings=False,
        previous_care_proceedings=False,
        parents_legal_representation=c.LegalRepresentation.UNKNOWN,
        outcome="",
    )
    base.update(values)
    return base


def test_it_imports_an_essex_mosaic_tracker_field_by_field(la_a):
    admin = la_admin(la_a)
    result = run(admin, "essex-plo.csv", essex_file())

    assert result.file_problems == []
    assert result.errors == []
    assert result.summary() == {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0}
    ashdown = m.Family.objects.get(la_reference="ESX-0042")
    brook = m.Family.objects.get(la_reference="ESX-0077")
    assert fields(ashdown, "name local_authority_id created_by updated_by") == {
        "name": "Ashdown",
        "local_authority_id": la_a.pk,
        "created_by": admin,
        "updated_by": admin,
    }
    assert ashdown.team.name == "Colchester Family Support"
    assert brook.team.name == "Tendring Family Support"
    assert fields(m.Child.objects.get(la_child_id="000123"), CHILD) == {
        "family_id": ashdown.pk, "la_child_id": "000123", "first_name": "Ava", "last_name": "Ashdown",
        "date_of_birth": D(2021, 3, 14), "expected_due_date": None, "sex": "F", "ethnicity": "WBRI",
        "local_authority_id": la_a.pk,
    }  # fmt: skip
    assert fields(m.Child.objects.get(la_child_id="000124"), CHILD) == {
        "family_id": ashdown.pk, "la_child_id": "000124", "first_name": "Leo", "last_name": "Ashdown",
        "date_of_birth": D(2023, 9, 1), "expected_due_date": None, "sex": "M", "ethnicity": "WBRI",
        "local_authority_id": la_a.pk,
    }  # fmt: skip
    # The unborn flag says the date in "DOB / EDD" is the expected due date.
    assert fields(m.Child.objects.get(la_child_id="004512"), CHILD) == {
        "family_id": brook.pk, "la_child_id": "004512", "first_name": "", "last_name": "Brook",
        "date_of_birth": None, "expected_due_date": D(2027, 1, 20), "sex": "U", "ethnicity": "NOBT",
        "local_authority_id": la_a.pk,
    }  # fmt: skip
    episode = ashdown.episodes.get()
    assert fields(episode, EPISODE) == episode_expected(
        gateway_meeting_date=D(2026, 2, 2),
        gateway_outcome="start_pre_proceedings",
        start_date=D(2026, 2, 5),
        lbp_sent_date=D(2026, 2, 6),
        recorded_review_count=2,
        fgdm_offered=True,
        fgdm_facilitated=True,
        fgdm_held_date=D(2026, 3, 10),
        step_decision_date=D(2026, 7, 20),
        outcome="step_down",
    )
    assert sorted(episode.children.values_list("la_child_id", flat=True)) == ["000123", "000124"]
    # The tracker's count of review meetings is kept; no dated review meeting is invented.
    assert [(mt.kind, mt.meeting_date) for mt in episode.meetings.all()] == [("initial", D(2026, 2, 16))]
    assert fields(brook.episodes.get(), EPISODE) == episode_expected(
        gateway_meeting_date=D(2026, 11, 10),
        gateway_outcome="start_pre_proceedings",
        start_date=D(2026, 11, 12),
        lbp_sent_date=D(2026, 11, 13),
        fgdm_offered=False,
    )
    assert not brook.episodes.get().meetings.exists()


def test_it_records_every_write_in_the_history_with_the_importing_user(la_a):
    admin = la_admin(la_a)
    run(admin, "essex-plo.csv", essex_file())
    for model in ("Family", "Child", "PreProceedingsEpisode", "PreProceedingsMeeting"):
        events = Events.objects.filter(pgh_model=f"cases.{model}Event")
        assert events.exists()
        assert {event.pgh_context["user"] for event in events} == {admin.pk}
        assert {event.pgh_context["username"] for event in events} == {admin.username}


def test_it_changes_nothing_when_the_same_file_is_imported_again(la_a):
    admin = la_admin(la_a)
    run(admin, "essex-plo.csv", essex_file())
    events_before = Events.objects.count()
    stamps = sorted(m.Child.objects.values_list("la_child_id", "updated_at"))

    again = run(admin, "essex-plo.csv", essex_file())

    assert again.summary() == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3, "errors": 0}
    assert Events.objects.count() == events_before
    assert sorted(m.Child.objects.values_list("la_child_id", "updated_at")) == stamps
    assert m.Family.objects.count() == 2
    assert m.Child.objects.count() == 3
    assert m.PreProceedingsEpisode.objects.count() == 2
    assert m.PreProceedingsMeeting.objects.count() == 1


def test_it_updates_only_the_changed_row_and_reports_it(la_a):
    admin = la_admin(la_a)
    run(admin, "essex-plo.csv", essex_file())
    rows = [list(row) for row in ESSEX_ROWS]
    rows[2][15] = "1"  # Brook: one review meeting held since

    result = run(admin, "essex-plo.csv", csv_bytes([ESSEX_HEADERS, *rows]), dry_run=True)
    assert [(r.row, r.status) for r in result.results] == [(2, "unchanged"), (3, "unchanged"), (4, "updated")]
    assert m.PreProceedingsEpisode.objects.get(family__la_reference="ESX-0077").recorded_review_count is None

    result = run(admin, "essex-plo.csv", csv_bytes([ESSEX_HEADERS, *rows]))
    assert result.summary() == {"rows": 3, "created": 0, "updated": 1, "unchanged": 2, "errors": 0}
    assert m.PreProceedingsEpisode.objects.get(family__la_reference="ESX-0077").recorded_review_count == 1


def test_a_dry_run_reports_what_would_be_created_and_saves_nothing(la_a):
    admin = la_admin(la_a)
    result = run(admin, "essex-plo.csv", essex_file(), dry_run=True)
    assert [(r.row, r.status, r.family, r.child) for r in result.results] == [
        (2, "created", "ESX-0042", "000123"),
        (3, "created", "ESX-0042", "000124"),
        (4, "created", "ESX-0077", "004512"),
    ]
    assert not m.Family.objects.exists()
    assert not m.Child.objects.exists()
    assert not Events.objects.exists()


SUFFOLK_HEADERS = [
    "Case Ref", "Person ID", "First name", "Last name", "Date of birth", "Sex", "Ethnic origin",
    "Legal planning meeting date", "Gateway outcome", "PPStartDate", "LBPSentDate", "InitialPPMeetingDate",
    "Review meeting dates", "FGDMMeetingOffer", "FGDMMeetingFac", "StepDecisionDate", "PPOutcome", "CourtAppDate",
    "LetterInitCPDate", "Parents represented", "Previous PLO", "LA",
]  # fmt: skip


def test_it_imports_a_suffolk_liquidlogic_workbook_field_by_field(la_b):
    admin = la_admin(la_b)
    data = xlsx_bytes(
        [
            SUFFOLK_HEADERS,
            [
                "SUF/2026/118",
                7081,
                "Mia",
                "Carter",
                D(2019, 6, 1),
                "F",
                "Black African",
                D(2026, 1, 12),
                "Pre-proceedings",
                D(2026, 1, 14),
                D(2026, 1, 15),
                D(2026, 1, 26),
                "09/03/2026; 11/05/2026",
                "Yes",
                "No",
                D(2026, 6, 1),
                "Issued",
                D(2026, 6, 8),
                D(2026, 6, 9),
                "Partial",
                "No",
                935,
            ],
        ],
        number_formats={"B2": "000000"},
    )
    result = run(admin, "suffolk.xlsx", data)

    assert result.errors == []
    assert result.file_problems == []
    family = m.Family.objects.get(la_reference="SUF/2026/118")
    assert fields(family, "name team local_authority_id") == {
        "name": "Carter", "team": None, "local_authority_id": la_b.pk,
    }  # fmt: skip
    # A number shown with leading zeros in Excel keeps them: the id is text.
    assert fields(m.Child.objects.get(), CHILD) == {
        "family_id": family.pk, "la_child_id": "007081", "first_name": "Mia", "last_name": "Carter",
        "date_of_birth": D(2019, 6, 1), "expected_due_date": None, "sex": "F", "ethnicity": "BAFR",
        "local_authority_id": la_b.pk,
    }  # fmt: skip
    episode = family.episodes.get()
    assert fields(episode, EPISODE) == episode_expected(
        gateway_meeting_date=D(2026, 1, 12),
        gateway_outcome="start_pre_proceedings",
        start_date=D(2026, 1, 14),
        lbp_sent_date=D(2026, 1, 15),
        fgdm_offered=True,
        fgdm_facilitated=False,
        parents_legal_representation="some",
        step_decision_date=D(2026, 6, 1),
        outcome="issue",
        court_application_date=D(2026, 6, 8),
        letter_initiating_cp_date=D(2026, 6, 9),
    )
    assert [(mt.kind, mt.meeting_date) for mt in episode.meetings.order_by("meeting_date")] == [
        ("initial", D(2026, 1, 26)),
        ("review", D(2026, 3, 9)),
        ("review", D(2026, 5, 11)),
    ]
    again = run(admin, "suffolk.xlsx", data)
    assert again.summary() == {"rows": 1, "created": 0, "updated": 0, "unchanged": 1, "errors": 0}


SOUTHEND_HEADERS = [
    "Family Ref", "Child Ref", "Forename", "Surname", "D.O.B.", "Gender", "Ethnicity", "Legal Gateway Date",
    "PLO Start", "LBP Date", "Number of reviews", "Pre-birth", "Previous proceedings", "End reason", "PLO End Date",
]  # fmt: skip


def southend_file() -> bytes:
    # Saved by Excel on Windows: Windows-1252 with a byte order mark, semicolons between the cells.
    return csv_bytes(
        [
            SOUTHEND_HEADERS,
            [
                "SOS-11",
                "0000456",
                "Zoë",
                "Fenn",
                "03.04.2018",
                "F",
                "WBRI",
                "01/10/2026",
                "01/10/2026",
                "02/10/2026",
                "1",
                "No",
                "Yes",
                "",
                "",
            ],
            [
                "SOS-12",
                "0000457",
                "Renée",
                "Marsh",
                "2016-12-25",
                "Girl",
                "Mixed White and Asian",
                "15/06/2026",
                "16/06/2026",
                "17/06/2026",
                "0",
                "N",
                "N",
                "Moved away",
                "30/09/2026",
            ],
        ],
        sep=";",
        encoding="cp1252",
        bom=True,
    )


def test_it_imports_a_southend_semicolon_windows_1252_csv_with_a_bom_field_by_field(db):
    southend = f.la("882")
    admin = la_admin(southend)
    result = run(admin, "southend.csv", southend_file())

    assert result.errors == []
    assert result.file_problems == []
    fenn = m.Family.objects.get(la_reference="SOS-11")
    marsh = m.Family.objects.get(la_reference="SOS-12")
    assert fields(m.Child.objects.get(la_child_id="0000456"), CHILD) == {
        "family_id": fenn.pk, "la_child_id": "0000456", "first_name": "Zoë", "last_name": "Fenn",
        "date_of_birth": D(2018, 4, 3), "expected_due_date": None, "sex": "F", "ethnicity": "WBRI",
        "local_authority_id": southend.pk,
    }  # fmt: skip
    assert fields(m.Child.objects.get(la_child_id="0000457"), CHILD) == {
        "family_id": marsh.pk, "la_child_id": "0000457", "first_name": "Renée", "last_name": "Marsh",
        "date_of_birth": D(2016, 12, 25), "expected_due_date": None, "sex": "F", "ethnicity": "MWAS",
        "local_authority_id": southend.pk,
    }  # fmt: skip
    assert fields(fenn.episodes.get(), EPISODE) == episode_expected(
        gateway_meeting_date=D(2026, 10, 1),
        gateway_outcome="start_pre_proceedings",
        start_date=D(2026, 10, 1),
        lbp_sent_date=D(2026, 10, 2),
        recorded_review_count=1,
        previous_care_proceedings=True,
    )
    assert fields(marsh.episodes.get(), EPISODE) == episode_expected(
        gateway_meeting_date=D(2026, 6, 15),
        gateway_outcome="start_pre_proceedings",
        start_date=D(2026, 6, 16),
        lbp_sent_date=D(2026, 6, 17),
        recorded_review_count=0,
        step_decision_date=D(2026, 9, 30),
        outcome="other",
    )
    assert fenn.name == "Fenn"
    assert marsh.name == "Marsh"


THURROCK_HEADERS = [
    "Group No", "Client No", "Given Name", "Family Name", "Birth/Due", "Unborn child", "Sex", "Ethnicity code",
    "Date of LGM", "LGM result", "Date PLO started", "Letter before proceedings", "Reviews held", "Outcome",
    "Decision date",
]  # fmt: skip


def test_it_imports_a_thurrock_workbook_with_the_las_saved_mapping_field_by_field(db):
    thurrock = f.la("883")
    admin = la_admin(thurrock)
    # Thurrock's own headers and words, saved once by its administrator and reused by name.
    mapping_save(
        user=admin,
        name="Thurrock LCS tracker",
        mapping=ColumnMapping(
            columns={
                "Group No": "la_reference",
                "Client No": "LAchildID",
                "Family Name": "last_name",
                "Birth/Due": "PersonBirthDate",
                "Date of LGM": "gateway_meeting_date",
                "LGM result": "gateway_outcome",
            },
            codes={"gateway_outcome": {"PLO - yes": "start_pre_proceedings"}, "PPOutcome": {"SD - CP": "step_down"}},
        ),
    )
    data = xlsx_bytes(
        [
            THURROCK_HEADERS,
            [
                "TH-900",
                12,
                "Noah",
                "Price",
                D(2020, 2, 29),
                "N",
                "M",
                "WBRI",
                D(2026, 3, 2),
                "PLO - yes",
                D(2026, 3, 3),
                D(2026, 3, 4),
                3,
                "SD - CP",
                D(2026, 8, 14),
            ],
            [
                "TH-901",
                13,
                None,
                "Stone",
                D(2027, 2, 1),
                "Y",
                "U",
                "NOBT",
                D(2026, 11, 20),
                "PLO - yes",
                D(2026, 11, 20),
                None,
                None,
                None,
                None,
            ],
        ]
    )
    result = run(admin, "thurrock.xlsx", data, mapping_name="Thurrock LCS tracker")

    assert result.errors == []
    assert result.file_problems == []
    price = m.Family.objects.get(la_reference="TH-900")
    stone = m.Family.objects.get(la_reference="TH-901")
    assert fields(m.Child.objects.get(la_child_id="12"), CHILD) == {
        "family_id": price.pk, "la_child_id": "12", "first_name": "Noah", "last_name": "Price",
        "date_of_birth": D(2020, 2, 29), "expected_due_date": None, "sex": "M", "ethnicity": "WBRI",
        "local_authority_id": thurrock.pk,
    }  # fmt: skip
    assert fields(m.Child.objects.get(la_child_id="13"), CHILD) == {
        "family_id": stone.pk, "la_child_id": "13", "first_name": "", "last_name": "Stone",
        "date_of_birth": None, "expected_due_date": D(2027, 2, 1), "sex": "U", "ethnicity": "NOBT",
        "local_authority_id": thurrock.pk,
    }  # fmt: skip
    assert fields(price.episodes.get(), EPISODE) == episode_expected(
        gateway_meeting_date=D(2026, 3, 2),
        gateway_outcome="start_pre_proceedings",
        start_date=D(2026, 3, 3),
        lbp_sent_date=D(2026, 3, 4),
        recorded_review_count=3,
        step_decision_date=D(2026, 8, 14),
        outcome="step_down",
    )
    assert fields(stone.episodes.get(), EPISODE) == episode_expected(
        gateway_meeting_date=D(2026, 11, 20),
        gateway_outcome="start_pre_proceedings",
        start_date=D(2026, 11, 20),
    )
    assert price.name == "Price"
    assert stone.name == "Stone"
