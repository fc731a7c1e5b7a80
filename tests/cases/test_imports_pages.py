"""The import pages: upload, mapping, dry run and apply with a test client; who may; the history."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases import models as m
from cases.imports.runs import import_files_purge
from cases.imports.tasks import process_import
from tests.cases.imports_support import csv_bytes, la_admin
from tests.support import sign_in

pytestmark = pytest.mark.django_db

HEADERS = ["Family ID", "Child ID", "Forename", "Surname", "DOB", "Sex at birth", "LPM date", "PLO start", "Outcome",
           "Decision date", "Notes"]  # fmt: skip
ROWS = [
    ["FAM-1", "000101", "Ava", "Ashdown", "14/03/2021", "Girl", "02/02/2026", "05/02/2026", "SD", "20/07/2026", "x"],
    ["FAM-2", "000102", "Leo", "Brook", "01/09/2023", "Boy", "03/03/2026", "04/03/2026", "", "", ""],
]


def upload(client, data: bytes, name: str = "tracker.csv", **extra):
    return client.post(reverse("imports:home"), {"file": SimpleUploadedFile(name, data), **extra})


def mapping_post(run, columns: dict[int, str], codes: list[tuple[str, str, str]], action: str, **extra) -> dict:
    data = {f"column-{index}": target for index, target in columns.items()}
    data["code-count"] = str(len(codes))
    for index, (target, value, code) in enumerate(codes):
        data |= {f"code-{index}-target": target, f"code-{index}-value": value, f"code-{index}-code": code}
    return {"action": action, **data, **extra}


SUGGESTED = {0: "la_reference", 1: "LAchildID", 2: "first_name", 3: "last_name", 4: "PersonBirthDate", 5: "",
             6: "gateway_meeting_date", 7: "PPStartDate", 8: "PPOutcome", 9: "StepDecisionDate", 10: ""}  # fmt: skip


def test_the_whole_flow_upload_map_check_apply(client, la_a):
    admin = la_admin(la_a)
    sign_in(client, admin)

    response = upload(client, csv_bytes([HEADERS, *ROWS]))
    run = m.ImportRun.objects.get()
    assert response.url == reverse("imports:mapping", args=[run.pk])
    assert run.mapping["columns"] == dict(zip(HEADERS, SUGGESTED.values(), strict=True))

    page = client.get(response.url).content.decode()
    assert '<option value="PersonBirthDate" selected>' in page  # "DOB" suggested as the date of birth
    assert "Sex at birth" in page
    assert "Notes" in page

    # The LA's own words: "Sex at birth" is the sex; "Notes" are left out on purpose; "SD" is step down.
    columns = SUGGESTED | {5: "Sex", 10: "-"}
    codes = [("Sex", "Boy", "M"), ("Sex", "Girl", "F"), ("PPOutcome", "SD", "step_down")]
    response = client.post(reverse("imports:mapping", args=[run.pk]), mapping_post(run, columns, codes, "check"))
    assert response.url == reverse("imports:detail", args=[run.pk])
    run.refresh_from_db()
    assert (run.status, run.rows, run.created, run.updated, run.unchanged, run.errors) == ("checked", 2, 2, 0, 0, 0)
    assert not m.Family.objects.exists()
    page = client.get(response.url).content.decode()
    assert "Would be created" in page
    assert "Apply the import" in page
    assert "Column &#x27;Notes&#x27; was not imported, as the mapping says." in page

    response = client.post(reverse("imports:apply", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "applied"
    ava = m.Child.objects.get(la_child_id="000101")
    assert (ava.first_name, ava.sex, ava.family.la_reference, ava.created_by) == ("Ava", "F", "FAM-1", admin)
    episode = ava.family.episodes.get()
    assert (episode.outcome, str(episode.step_decision_date)) == ("step_down", "2026-07-20")
    assert m.Child.objects.get(la_child_id="000102").sex == "M"
    history = client.get(reverse("imports:home")).content.decode()
    assert "tracker.csv" in history
    assert run.sha256[:12] in history


def test_the_error_page_lists_file_problems_first_then_only_the_bad_rows(client, la_a):
    sign_in(client, la_admin(la_a))
    rows = [ROWS[0], [*ROWS[1][:4], "30/02/2023", *ROWS[1][5:]]]
    upload(client, csv_bytes([HEADERS, *rows]))
    run = m.ImportRun.objects.get()
    columns = SUGGESTED | {5: "Sex", 10: "-"}
    codes = [("Sex", "Boy", "M"), ("Sex", "Girl", "F"), ("PPOutcome", "SD", "step_down")]
    client.post(reverse("imports:mapping", args=[run.pk]), mapping_post(run, columns, codes, "check"))
    page = client.get(reverse("imports:detail", args=[run.pk])).content.decode()
    assert "There is a problem: nothing was saved" in page
    assert "1 problem in 1 row" in page
    assert "&#x27;30/02/2023&#x27; is not a real date." in page
    assert "Apply the import" not in page
    # An unmapped column with values is a file problem, listed first.
    client.post(reverse("imports:mapping", args=[run.pk]), mapping_post(run, SUGGESTED, codes, "check"))
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.report["file_problems"][0].startswith("Column 'Sex at birth' is not a column the import knows")
    assert client.post(reverse("imports:apply", args=[run.pk])).status_code == 302
    assert not m.Family.objects.exists()


def test_a_file_problem_on_upload_is_shown_and_recorded(client, la_a):
    sign_in(client, la_admin(la_a))
    response = upload(client, b"", name="empty.csv")
    run = m.ImportRun.objects.get()
    assert response.url == reverse("imports:detail", args=[run.pk])
    assert (run.status, run.errors) == ("failed", 1)
    page = client.get(response.url).content.decode()
    assert "The file is empty" in page
    assert "Problems with the file" in page


def test_an_la_admin_saves_a_mapping_reused_by_name_next_time(client, la_a):
    sign_in(client, la_admin(la_a))
    upload(client, csv_bytes([HEADERS, *ROWS]))
    run = m.ImportRun.objects.get()
    columns = SUGGESTED | {5: "Sex", 10: "-"}
    codes = [("Sex", "Boy", "M"), ("Sex", "Girl", "F")]
    client.post(
        reverse("imports:mapping", args=[run.pk]),
        mapping_post(run, columns, codes, "save", mapping_name="Mosaic tracker"),
    )
    saved = m.ImportMapping.objects.get(local_authority=la_a, name="Mosaic tracker")
    assert saved.columns["Sex at birth"] == "Sex"
    assert saved.columns["Notes"] == "-"
    assert saved.codes == {"Sex": {"Boy": "M", "Girl": "F"}}

    upload(client, csv_bytes([HEADERS, *ROWS]), mapping="Mosaic tracker")
    second = m.ImportRun.objects.order_by("-pk").first()
    assert second.mapping["columns"]["Sex at birth"] == "Sex"
    assert second.mapping["codes"] == {"Sex": {"Boy": "M", "Girl": "F"}}


def test_who_may_import(client, la_a, la_b, social_worker, team_manager, board_member):
    for user in (social_worker, team_manager, board_member):
        sign_in(client, user)
        assert client.get(reverse("imports:home")).status_code == 403
    admin = la_admin(la_a)
    sign_in(client, admin)
    page = client.get(reverse("imports:home")).content.decode()
    assert 'href="/imports/"' in page  # the navigation entry
    other_run = m.ImportRun.objects.create(local_authority=la_b, user=None, file_name="x.csv", sha256="0" * 64)
    assert client.get(reverse("imports:detail", args=[other_run.pk])).status_code == 404
    assert client.get(reverse("imports:mapping", args=[other_run.pk])).status_code == 404


def test_the_template_has_the_dictionary_and_census_names(client, la_a):
    sign_in(client, la_admin(la_a))
    response = client.get(reverse("imports:template"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    headers = [cell.value for cell in next(workbook["Tracker"].iter_rows())]
    for name in ("la_reference", "LAchildID", "PersonBirthDate", "PPStartDate", "LBPSentDate", "StepDecisionDate",
                 "ReviewMeetingsCount", "InitialPPMeetingDate", "gateway_meeting_date", "PPOutcome"):  # fmt: skip
        assert name in headers
    assert workbook.sheetnames == ["Tracker", "Guide"]
    guide = {row[0]: row for row in workbook["Guide"].iter_rows(min_row=2, values_only=True)}
    # A court is given by its code or name: the guide lists the region's courts.
    assert "chelmsford (Chelmsford Justice Centre (designated family centre))" in guide["court"][3]
    assert "care_order (Care order)" in guide["final_outcome"][3]
    assert guide["irh_date"][1] == "Issues resolution hearing date."


def test_a_large_file_runs_as_a_job_with_a_refreshing_progress_page(client, la_a, settings):
    settings.PLO_IMPORT_ASYNC_ROWS = 1
    admin = la_admin(la_a)
    sign_in(client, admin)
    upload(client, csv_bytes([HEADERS[:10], *[row[:10] for row in ROWS]]))
    run = m.ImportRun.objects.get()
    codes = [("Sex", "Boy", "M"), ("Sex", "Girl", "F"), ("PPOutcome", "SD", "step_down")]
    columns = {k: v for k, v in (SUGGESTED | {5: "Sex"}).items() if k < 10}
    with pytest.MonkeyPatch.context() as patch:
        # The job is queued after the request's transaction commits; the test runs it itself.
        patch.setattr("django.db.transaction.on_commit", lambda func, *a, **k: None)
        client.post(reverse("imports:mapping", args=[run.pk]), mapping_post(run, columns, codes, "check"))
    run.refresh_from_db()
    assert run.status == "checking"
    page = client.get(reverse("imports:detail", args=[run.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress class="app-import-progress" id="progress" max="2" value="0"' in page

    assert process_import(run.pk, la_a.pk, False)["created"] == 2
    run.refresh_from_db()
    assert run.status == "checked"
    page = client.get(reverse("imports:detail", args=[run.pk])).content.decode()
    assert "refresh" not in page
    assert "Apply the import" in page


def test_uploaded_files_are_deleted_after_the_retention_period(la_a, settings):
    from cases.imports.runs import run_upload

    settings.PLO_IMPORT_RETENTION_DAYS = 30
    run = run_upload(user=la_admin(la_a), name="tracker.csv", data=csv_bytes([HEADERS, *ROWS]))
    path = run.file.path
    assert import_files_purge(now=timezone.now() + dt.timedelta(days=29)) == 0
    assert import_files_purge(now=timezone.now() + dt.timedelta(days=31)) == 1
    run.refresh_from_db()
    assert run.file == ""
    assert run.file_deleted_at is not None
    assert run.sha256
    assert not Path(path).exists()
