"""``/api/v1/imports/``: a tracker uploaded, checked (dry run) or applied, as the page and the command do."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

import openpyxl
import pytest
from celery import current_app
from django.core.files.uploadedfile import SimpleUploadedFile
from pghistory.models import Events

from cases import models as m
from cases.imports.engine import ColumnMapping
from cases.imports.runs import mapping_save
from cases.imports.tasks import process_import
from tests.api.conftest import service_account, session_client, token_client
from tests.cases.imports_support import csv_bytes, la_admin
from tests.fault_harness import free_port

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports/"
HEADERS = ["Family ID", "Child ID", "Forename", "Surname", "DOB", "Gender", "LPM date", "PLO start", "Outcome",
           "Decision date"]  # fmt: skip
ROWS = [
    ["FAM-1", "000101", "Ava", "Ashdown", "14/03/2021", "F", "02/02/2026", "05/02/2026", "", ""],
    ["FAM-1", "000102", "Leo", "Ashdown", "01/09/2023", "M", "02/02/2026", "05/02/2026", "", ""],
    ["FAM-2", "000201", "Mia", "Brook", "20/06/2022", "F", "03/03/2026", "04/03/2026", "Stepped down to CIN",
     "20/07/2026"],
]  # fmt: skip
# Worked out by hand: three children, each new, in two families (FAM-1's two share one episode).
ALL_NEW = {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "errors": 0}


def tracker(rows=ROWS, headers=HEADERS) -> bytes:
    return csv_bytes([headers, *rows])


def upload(client, data: bytes, name: str = "tracker.csv", **fields):
    return client.post(URL, {"file": SimpleUploadedFile(name, data), **fields}, format="multipart")


def nothing_saved() -> bool:
    return not (m.Family.objects.exists() or m.Child.objects.exists() or m.PreProceedingsEpisode.objects.exists())


# -- a valid tracker ----------------------------------------------------------------------------------


def test_it_checks_a_tracker_in_the_request_and_saves_nothing(api, writer):
    data = tracker()
    response = upload(api, data)

    assert response.status_code == 201, response.json()
    body = response.json()
    run = m.ImportRun.objects.get()
    assert response["Location"] == f"/api/v1/imports/{run.pk}/"
    assert (body["id"], body["file_name"], body["status"], body["dry_run"]) == (run.pk, "tracker.csv", "checked", True)
    assert body["checksum"] == hashlib.sha256(data).hexdigest() == run.sha256
    assert body["size"] == len(data)
    assert body["counts"] == ALL_NEW
    assert body["progress"] == {"done": 3, "total": 3}
    assert (body["file_problems"], body["errors"]) == ([], [])
    assert body["results"] == [
        {"row": 2, "status": "created", "family": "FAM-1", "child": "000101"},
        {"row": 3, "status": "created", "family": "FAM-1", "child": "000102"},
        {"row": 4, "status": "created", "family": "FAM-2", "child": "000201"},
    ]
    assert body["created_by"] == writer.username
    assert dt.datetime.fromisoformat(body["created_at"]) == run.created_at
    assert (run.user, run.status, run.rows, run.created) == (writer, "checked", 3, 3)
    assert nothing_saved()


def test_it_applies_a_checked_run_as_the_uploader_and_refuses_to_apply_it_twice(api, writer, la_a):
    run_id = upload(api, tracker()).json()["id"]

    response = api.post(f"{URL}{run_id}/apply/")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["dry_run"], body["counts"]) == ("applied", False, ALL_NEW)
    ava = m.Child.objects.get(la_child_id="000101")
    assert (ava.first_name, ava.last_name, ava.date_of_birth, ava.sex, ava.local_authority) == (
        "Ava",
        "Ashdown",
        dt.date(2021, 3, 14),
        "F",
        la_a,
    )
    assert (ava.created_by, ava.family.la_reference, ava.family.created_by) == (writer, "FAM-1", writer)
    first = ava.family.episodes.get()
    assert (first.gateway_meeting_date, first.start_date, first.outcome) == (
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 5),
        "",
    )
    assert sorted(first.children.values_list("la_child_id", flat=True)) == ["000101", "000102"]
    second = m.PreProceedingsEpisode.objects.get(family__la_reference="FAM-2")
    assert (second.start_date, second.outcome, second.step_decision_date) == (
        dt.date(2026, 3, 4),
        "step_down",
        dt.date(2026, 7, 20),
    )
    assert (m.Family.objects.count(), m.Child.objects.count(), m.PreProceedingsEpisode.objects.count()) == (2, 3, 2)
    # Every write is in the change history as the service account that uploaded the file.
    for model in ("Family", "Child", "PreProceedingsEpisode"):
        events = Events.objects.filter(pgh_model=f"cases.{model}Event")
        assert events.exists()
        assert {(event.pgh_context["user"], event.pgh_context["username"]) for event in events} == {
            (writer.pk, writer.username)
        }

    again = api.post(f"{URL}{run_id}/apply/")
    assert again.status_code == 409
    assert again.json()["errors"] == [
        {
            "code": "conflict",
            "detail": "This import has already been applied. Importing the same file again changes nothing.",
            "attr": None,
        }
    ]
    assert m.Child.objects.count() == 3


def test_it_applies_in_one_request_with_dry_run_false_and_importing_again_changes_nothing(api):
    first = upload(api, tracker(), dry_run="false")
    assert first.status_code == 201, first.json()
    assert (first.json()["status"], first.json()["dry_run"], first.json()["counts"]) == ("applied", False, ALL_NEW)
    assert m.Child.objects.count() == 3
    events = Events.objects.count()

    second = upload(api, tracker(), dry_run="false")

    assert second.status_code == 201
    assert second.json()["counts"] == {"rows": 3, "created": 0, "updated": 0, "unchanged": 3, "errors": 0}
    assert [row["status"] for row in second.json()["results"]] == ["unchanged"] * 3
    assert Events.objects.count() == events  # nothing written, nothing in the history
    assert (m.Family.objects.count(), m.Child.objects.count()) == (2, 3)


def test_it_maps_the_columns_and_words_with_the_las_saved_mapping_by_name(api, la_a):
    mapping_save(
        user=la_admin(la_a),
        name="Mosaic tracker",
        mapping=ColumnMapping(columns={"Sex at birth": "Sex", "Key worker": "-"}, codes={"Sex": {"Girl": "F"}}),
    )
    headers = ["Family ID", "Child ID", "Surname", "DOB", "Sex at birth", "LPM date", "PLO start", "Key worker"]
    rows = [["FAM-9", "000901", "Cole", "02/05/2020", "Girl", "01/04/2026", "02/04/2026", "Sam"]]

    response = upload(api, tracker(rows, headers), mapping="Mosaic tracker", dry_run="false")

    body = response.json()
    assert (response.status_code, body["status"], body["mapping"]) == (201, "applied", "Mosaic tracker")
    assert body["notices"] == ["Column 'Key worker' was not imported, as the mapping says."]
    assert m.Child.objects.get(la_child_id="000901").sex == "F"


# -- bad input: a clear message, nothing saved --------------------------------------------------------


def test_an_empty_file_is_a_run_with_a_file_problem(api):
    response = upload(api, b"", name="empty.csv")
    body = response.json()
    assert (response.status_code, body["status"], body["counts"]["errors"]) == (201, "failed", 1)
    assert body["file_problems"][0].startswith("The file is empty")
    assert nothing_saved()


def test_a_missing_required_column_is_a_file_problem_naming_it(api):
    headers = [header for header in HEADERS if header != "Child ID"]
    rows = [[cell for index, cell in enumerate(row) if index != 1] for row in ROWS]

    body = upload(api, tracker(rows, headers), dry_run="false").json()

    assert body["status"] == "failed"
    assert any("LAchildID" in problem for problem in body["file_problems"]), body["file_problems"]
    assert body["counts"] == {"rows": 3, "created": 0, "updated": 0, "unchanged": 0, "errors": 1}
    assert nothing_saved()


def test_a_column_the_import_does_not_know_is_a_file_problem_naming_it(api):
    headers = [*HEADERS, "Key worker"]
    rows = [[*row, "Sam"] for row in ROWS]

    body = upload(api, tracker(rows, headers), dry_run="false").json()

    assert body["status"] == "failed"
    assert body["file_problems"] == [
        "Column 'Key worker' is not a column the import knows: say what it holds on the mapping page "
        "(or choose 'Do not import')."
    ]
    assert nothing_saved()


def test_a_bad_date_names_the_row_and_the_column_and_nothing_is_saved(api):
    rows = [ROWS[0], [*ROWS[1][:4], "30/02/2023", *ROWS[1][5:]], ROWS[2]]

    response = upload(api, tracker(rows), dry_run="false")

    body = response.json()
    assert (response.status_code, body["status"], body["dry_run"]) == (201, "failed", False)
    assert body["errors"] == [{"row": 3, "column": "DOB", "message": "'30/02/2023' is not a real date."}]
    assert body["counts"] == {"rows": 3, "created": 0, "updated": 0, "unchanged": 0, "errors": 1}
    assert nothing_saved()
    # A run with problems cannot be applied.
    refused = api.post(f"{URL}{body['id']}/apply/")
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["detail"].startswith("This import has problems")
    assert nothing_saved()


@pytest.mark.parametrize(
    ("fields", "attr", "detail"),
    [
        ({}, "file", "No file was submitted."),
        ({"mapping": "Nope"}, "mapping", "There is no saved mapping called 'Nope'"),
        ({"dry_run": "maybe"}, "dry_run", "Must be a valid boolean."),
    ],
    ids=["no file", "unknown mapping", "not a boolean"],
)
def test_a_bad_form_is_refused_naming_the_field_and_keeps_no_run(api, fields, attr, detail):
    if attr != "file":
        fields = {"file": SimpleUploadedFile("tracker.csv", tracker()), **fields}
    response = api.post(URL, fields, format="multipart")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["attr"] == attr
    assert error["detail"].startswith(detail)
    assert not m.ImportRun.objects.exists()


def test_a_json_body_is_refused_as_a_media_type_the_upload_does_not_take(api):
    response = api.post(URL, {"file": "tracker.csv"}, format="json")
    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "unsupported_media_type"


# -- who may ----------------------------------------------------------------------------------------


def test_another_las_run_is_not_found_and_not_listed(api, la_b):
    theirs = upload(token_client(service_account(la_b)), tracker()).json()["id"]
    ours = upload(api, tracker()).json()["id"]

    assert api.get(f"{URL}{theirs}/").status_code == 404
    assert api.post(f"{URL}{theirs}/apply/").status_code == 404
    assert [run["id"] for run in api.get(URL).json()["results"]] == [ours]
    assert m.ImportRun.objects.get(pk=theirs).status == "checked"
    assert nothing_saved()


def test_a_read_only_token_and_a_caseworker_are_refused(reader, social_worker, la_a):
    admin_run = upload(session_client(la_admin(la_a)), tracker()).json()["id"]
    for client in (token_client(reader), session_client(social_worker)):
        for response in (
            upload(client, tracker()),
            client.get(URL),
            client.get(f"{URL}{admin_run}/"),
            client.post(f"{URL}{admin_run}/apply/"),
            client.get(f"{URL}template/"),
        ):
            assert response.status_code == 403
            assert response.json()["errors"][0]["detail"] == "Only LA administrators and data teams import trackers."
    assert m.ImportRun.objects.count() == 1
    assert nothing_saved()


# -- large files: a Celery job ----------------------------------------------------------------------


def test_a_large_file_is_queued_answered_202_and_followed_to_the_end(
    api, la_a, settings, django_capture_on_commit_callbacks
):
    settings.PLO_IMPORT_ASYNC_ROWS = 2  # the page tests' override: more rows than this run as a job
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(api, tracker())
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["status"], body["dry_run"], body["progress"]) == ("checking", True, {"done": 0, "total": 3})
    assert body["waiting_for_queue"] is False
    assert response["Location"] == f"/api/v1/imports/{body['id']}/"
    assert len(queued) == 1  # the job, sent once the request's transaction commits

    # The worker's part, run here (as the page test does).
    assert process_import(body["id"], la_a.pk, False)["created"] == 3
    checked = api.get(response["Location"]).json()
    assert (checked["status"], checked["counts"], checked["progress"]) == ("checked", ALL_NEW, {"done": 3, "total": 3})

    with django_capture_on_commit_callbacks(execute=False) as queued:
        applying = api.post(f"{URL}{body['id']}/apply/")
    assert (applying.status_code, applying.json()["status"], applying.json()["dry_run"]) == (202, "applying", False)
    assert len(queued) == 1
    assert nothing_saved()
    process_import(body["id"], la_a.pk, True)
    assert api.get(response["Location"]).json()["status"] == "applied"
    assert m.Child.objects.count() == 3


def test_a_large_file_while_the_job_queue_is_down_waits_and_says_so(
    api, la_a, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.PLO_IMPORT_ASYNC_ROWS = 2
    monkeypatch.setitem(current_app.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/0")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(api, tracker())

    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["status"], body["waiting_for_queue"]) == ("checking", True)
    assert queued == []  # nothing to send now: the outbox row waits for the relay
    job = m.QueuedJob.objects.get()
    assert (job.task, job.args, job.status) == ("cases.process_import", [body["id"], la_a.pk, False], "waiting")
    assert nothing_saved()


# -- the history and the template -------------------------------------------------------------------


def test_the_history_is_newest_first_in_pages_in_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    ids = [upload(api, tracker(), name=f"tracker-{n}.csv").json()["id"] for n in range(3)]

    with django_assert_max_num_queries(5):  # session LA, token (2), token LA, the page of runs with uploaders
        first = api.get(URL, {"page_size": 2})
    assert first.status_code == 200
    page = first.json()
    assert [run["id"] for run in page["results"]] == [ids[2], ids[1]]
    assert page["results"][0]["file_name"] == "tracker-2.csv"
    assert page["results"][0]["counts"] == ALL_NEW
    assert "results" not in page["results"][0]  # the list is the history; a run's report is on its own page
    rest = api.get(page["next"]).json()
    assert [run["id"] for run in rest["results"]] == [ids[0]]
    assert rest["next"] is None


def test_the_template_is_the_pages_workbook_or_its_header_row_as_csv(api):
    workbook = api.get(f"{URL}template/")
    assert workbook.status_code == 200
    assert workbook["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert workbook["Content-Disposition"] == 'attachment; filename="plo-tracker-import-template.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(workbook.content), read_only=True)
    assert book.sheetnames == ["Tracker", "Guide"]
    headers = [cell.value for cell in next(book["Tracker"].iter_rows())]

    as_csv = api.get(f"{URL}template/", {"file_type": "csv"}, HTTP_ACCEPT="application/json")
    assert as_csv["Content-Type"] == "text/csv"
    assert next(csv.reader(io.StringIO(as_csv.content.decode()))) == headers
    for name in ("la_reference", "LAchildID", "PersonBirthDate", "PPStartDate", "gateway_meeting_date", "PPOutcome"):
        assert name in headers

    refused = api.get(f"{URL}template/", {"file_type": "pdf"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "file_type"


def test_a_la_admin_may_import_through_the_api_with_a_session(la_a):
    admin = la_admin(la_a)
    response = upload(session_client(admin), tracker(), dry_run="false")
    assert (response.status_code, response.json()["status"], response.json()["created_by"]) == (
        201,
        "applied",
        admin.username,
    )
    assert m.Child.objects.get(la_child_id="000201").created_by == admin


def test_a_token_uploads_and_reads_its_own_las_runs_under_row_level_security(la_a, la_b, database_roles):
    """As the database's app role: the LA a token's run is written and read under is set once DRF
    authenticates the token (``RecordViewSet.perform_authentication``), or row-level security refuses."""
    from django.db import connection

    theirs = upload(token_client(service_account(la_b)), tracker()).json()["id"]
    client = token_client(service_account(la_a))
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {database_roles.APP_ROLE}")
    try:
        response = upload(client, tracker(), dry_run="false")
        assert (response.status_code, response.json()["status"]) == (201, "applied"), response.json()
        ours = response.json()["id"]
        assert [run["id"] for run in client.get(URL).json()["results"]] == [ours]
        assert client.get(f"{URL}{theirs}/").status_code == 404
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert m.Child.objects.filter(local_authority=la_a).count() == 3
