"""The statutory returns page, its downloads and the extract commands: permissions, LA scope, audit, content."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from defusedxml import ElementTree as SafeET
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases import constants as c
from cases import models as m
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db
D = dt.date
INDEX = reverse("extracts:index")


def download(kind: str) -> str:
    return reverse("extracts:download", args=[kind])


@pytest.fixture
def admin_a(la_a):
    return f.UserFactory(username="admin.essex", role=c.Role.LA_ADMIN, local_authority=la_a)


@pytest.fixture
def admin_b(la_b):
    return f.UserFactory(username="admin.suffolk", role=c.Role.LA_ADMIN, local_authority=la_b)


@pytest.fixture
def two_las(la_a, la_b):
    """One episode in census year 2025 in each LA; LA A's breaks PP07."""
    ours = f.FamilyFactory(local_authority=la_a, la_reference="ESS-1")
    child = f.ChildFactory(family=ours, la_child_id="ESS-CHILD-1", date_of_birth=D(2019, 6, 1))
    f.EpisodeFactory(
        family=ours,
        children=[child],
        gateway_meeting_date=D(2025, 6, 2),
        start_date=D(2025, 6, 2),
        lbp_sent_date=D(2025, 6, 4),
        fgdm_offered=True,
    )
    theirs = f.FamilyFactory(local_authority=la_b, la_reference="SUF-1")
    f.EpisodeFactory(
        family=theirs,
        children=[f.ChildFactory(family=theirs, la_child_id="SUF-CHILD-1")],
        gateway_meeting_date=D(2025, 7, 1),
        start_date=D(2025, 7, 1),
    )
    return ours, theirs


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_it_shows_the_year_with_its_errors_and_records_the_read(client, admin_a, two_las):
    ours, _theirs = two_las
    sign_in(client, admin_a)

    response = client.get(INDEX, {"year": "2025"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "ESS-CHILD-1" in page
    assert "SUF-CHILD-1" not in page
    assert response.context["summary"]["errors"] == 1
    read = m.ReadAudit.objects.get(route_name="extracts:index")
    assert (read.kind, read.family_ids, read.local_authority_id) == ("view", [ours.pk], admin_a.local_authority_id)


def test_it_downloads_the_census_xml_of_the_users_own_la_only(client, admin_a, two_las):
    sign_in(client, admin_a)

    response = client.get(download("census-xml"), {"year": "2025"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cin-pre-proceedings-881-2025-26.xml"'
    root = SafeET.fromstring(response.content)
    assert [e.text for e in root.iter("LAchildID")] == ["ESS-CHILD-1"]
    block = root.find("Children/Child/CINdetails/PreProceedingsandFGDM")
    assert {e.tag: e.text for e in block} == {
        "PPStartDate": "2025-06-02",
        "LBPSentDate": "2025-06-04",
        "FGDMMeetingOffer": "1",
    }
    assert m.ReadAudit.objects.get(route_name="extracts:download").kind == "export"


def test_it_downloads_the_census_csv_and_the_validation_report(client, admin_a, two_las):
    sign_in(client, admin_a)

    rows = _csv(client.get(download("census-csv"), {"year": "2025"}))
    report = client.get(download("validation-csv"), {"year": "2025"})

    assert rows[0][:6] == ["LAchildID", "PersonBirthDate", "ExpectedPersonBirthDate", "Sex", "Ethnicity", "PPStartDate"]
    assert rows[1][:6] == ["ESS-CHILD-1", "2019-06-01", "", "F", "WBRI", "2025-06-02"]
    assert len(rows) == 2
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    lines = _csv(report)
    assert lines[0] == ["LAchildID", "Episode", "Item", "Rule", "What the rule asks", "Error"]
    assert [line[0] for line in lines[1:]] == ["ESS-CHILD-1"]
    assert lines[1][2:4] == ["FGDMMeetingFac", "PP07"]


def test_it_downloads_the_ssd_table(client, admin_a, two_las):
    sign_in(client, admin_a)

    response = client.get(download("ssd-csv"))

    rows = _csv(response)
    assert response["Content-Disposition"] == 'attachment; filename="ssd_pre_proceedings-881.csv"'
    assert rows[0][:3] == ["prep_table_id", "prep_person_id", "prep_plo_family_id"]
    assert [row[1] for row in rows[1:]] == ["ESS-CHILD-1"]


def test_it_gives_another_las_administrator_their_own_la_only(client, admin_b, two_las):
    sign_in(client, admin_b)

    root = SafeET.fromstring(client.get(download("census-xml"), {"year": "2025"}).content)
    ssd_rows = _csv(client.get(download("ssd-csv")))

    assert [e.text for e in root.iter("LAchildID")] == ["SUF-CHILD-1"]
    assert root.findtext("Header/Source/LEA") == "935"
    assert [row[1] for row in ssd_rows[1:]] == ["SUF-CHILD-1"]


@pytest.mark.parametrize("persona", ["social_worker", "chair", "board_member", "analyst"])
def test_it_refuses_roles_that_do_not_send_returns(client, persona, request, two_las):
    sign_in(client, request.getfixturevalue(persona))

    assert client.get(INDEX).status_code == 403
    assert client.get(download("census-xml"), {"year": "2025"}).status_code == 403
    assert client.get(download("ssd-csv")).status_code == 403
    assert not m.ReadAudit.objects.exists()


def test_it_lets_a_team_manager_download(client, team_manager, two_las):
    sign_in(client, team_manager)

    assert client.get(download("census-csv"), {"year": "2025"}).status_code == 200


def test_it_sends_a_signed_out_visitor_to_sign_in(client):
    response = client.get(INDEX)

    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


@pytest.mark.parametrize("query", [{}, {"year": "1999"}, {"year": "x"}])
def test_it_answers_a_download_without_a_census_year_with_404(client, admin_a, query):
    sign_in(client, admin_a)

    assert client.get(download("census-xml"), query).status_code == 404


def test_it_answers_an_unknown_extract_with_404(client, admin_a):
    sign_in(client, admin_a)

    assert client.get(download("census-pdf"), {"year": "2025"}).status_code == 404


def test_it_shows_a_bad_year_as_an_error_on_the_field(client, admin_a):
    sign_in(client, admin_a)

    response = client.get(INDEX, {"year": "1999"})

    assert response.status_code == 200
    assert "year" in response.context["form"].errors
    assert response.context["extract"] is None


def test_it_writes_the_census_from_the_command_with_its_summary(tmp_path, two_las):
    output = tmp_path / "cin.xml"
    out = io.StringIO()

    call_command("cin_extract", "--la", "881", "--year", "2025", "--output", str(output), stdout=out)

    root = SafeET.fromstring(output.read_bytes())
    assert [e.text for e in root.iter("LAchildID")] == ["ESS-CHILD-1"]
    text = out.getvalue()
    assert "1 child, 1 episode, 1 validation error." in text
    assert "PP07" in text
    read = m.ReadAudit.objects.get(route_name="command:cin_extract")
    assert (read.kind, read.family_ids, read.username) == ("export", [two_las[0].pk], "manage.py cin_extract")


def test_it_writes_the_census_csv_to_standard_output(two_las):
    out, err = io.StringIO(), io.StringIO()

    call_command("cin_extract", "--la", "935", "--year", "2025", "--format", "csv", stdout=out, stderr=err)

    rows = list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))
    assert [row[0] for row in rows] == ["LAchildID", "SUF-CHILD-1"]
    assert "0 validation errors" in err.getvalue()


def test_it_writes_the_ssd_table_from_the_command(tmp_path, two_las):
    output = tmp_path / "ssd.csv"
    out = io.StringIO()

    call_command("ssd_extract", "--la", "881", "--output", str(output), stdout=out)

    rows = list(csv.reader(io.StringIO(output.read_text("utf-8-sig"))))
    assert rows[0][0] == "prep_table_id"
    assert [row[1] for row in rows[1:]] == ["ESS-CHILD-1"]
    assert "1 rows (1 families)" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["cin_extract", "--la", "999", "--year", "2025"], "not an LA of the region"),
        (["cin_extract", "--la", "881", "--year", "26"], "is not a census year"),
        (["ssd_extract", "--la", "Essex"], "not an LA of the region"),
    ],
)
def test_it_refuses_a_bad_command_line_clearly(args, message, db):
    with pytest.raises(CommandError, match=message):
        call_command(*args)
    assert not m.ReadAudit.objects.exists()


def test_it_says_when_the_output_file_cannot_be_written(tmp_path, two_las):
    with pytest.raises(CommandError, match="Could not write"):
        call_command("ssd_extract", "--la", "881", "--output", str(tmp_path / "missing" / "ssd.csv"))


@pytest.mark.django_db(transaction=True)
def test_it_serves_the_extracts_under_row_level_security(client, admin_a, two_las, as_app_role):
    sign_in(client, admin_a)

    root = SafeET.fromstring(client.get(download("census-xml"), {"year": "2025"}).content)
    ssd_rows = _csv(client.get(download("ssd-csv")))

    assert [e.text for e in root.iter("LAchildID")] == ["ESS-CHILD-1"]
    assert [row[1] for row in ssd_rows[1:]] == ["ESS-CHILD-1"]
