"""The service works under row-level security: its main pages, served to the app's own database role.

The suite's connection is a superuser's, which row-level security never binds; here the test's
connection is switched to the app role (``as_app_role``), so every request runs as it does when
served, with the LA set by ``cases.middleware`` for the request's own transaction.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from cases import models as m
from cases import services
from plo_tracker.lib import db_roles, tenancy
from tests import factories as f
from tests.cases import milestone_posts as posts
from tests.support import sign_in

D = dt.date


@pytest.fixture
def cases_of_two_las(la_a, la_b, social_worker, other_la_user):
    """A case in court in LA A with a record of every kind, at a tracker meeting; a case in LA B."""
    records = posts.stage_records("proceedings", la=la_a, worker=social_worker)
    # The younger child's final order is in; the elder's (posted below) concludes the application.
    m.ChildProceedings.objects.filter(pk=records["empty_part"].pk).update(
        final_outcome_id="care_order", final_outcome_date=D(2025, 9, 29)
    )
    meeting = f.TrackerMeetingFactory(local_authority=la_a)
    # Decided: the printed record shows the cases discussed.
    f.MeetingItemFactory(meeting=meeting, family=records["family"], position=1, decision="escalate")
    elsewhere = posts.stage_records("pre-proceedings", la=la_b, worker=other_la_user)
    return {**records, "meeting": meeting, "elsewhere": elsewhere["family"]}


@pytest.mark.django_db(transaction=True)
def test_it_serves_the_main_pages_to_an_la_user_and_a_board_member_as_the_app_role(
    client, cases_of_two_las, la_a, social_worker, team_manager, board_member, analyst, as_app_role
):
    family, elsewhere, meeting = (cases_of_two_las[key] for key in ("family", "elsewhere", "meeting"))
    ours, theirs = family.la_reference, elsewhere.la_reference
    sign_in(client, social_worker)

    pages = {
        "case list": reverse("cases:list"),
        "case page": reverse("cases:detail", args=[family.pk]),
        "tracker": reverse("tracker:list"),
        "meeting": reverse("tracker:meeting", args=[meeting.pk]),
        "meeting record": reverse("tracker:meeting_print", args=[meeting.pk]),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        text = response.content.decode()
        assert ours in text or "Ava" in text, f"{name} shows LA A's case"
        assert theirs not in text, name
    # Another LA's case is not found, by the view's own check and by the database alike.
    assert client.get(reverse("cases:detail", args=[elsewhere.pk])).status_code == 404

    # The CSV streams its rows after the request's transaction has ended: in a transaction of its own.
    csv = b"".join(client.get(pages["tracker"], {"export": "csv"}).streaming_content).decode()
    assert [line.split(",")[0] for line in csv.splitlines()[1:]] == [ours]
    sheet = load_workbook(io.BytesIO(client.get(pages["tracker"], {"export": "xlsx"}).content)).active
    # Row 1 holds the protective marking, row 2 the headings.
    assert [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)] == [ours]

    sign_in(client, team_manager)
    assert client.get(reverse("tracker:meeting_item", args=[meeting.pk, 1])).status_code == 200

    # A milestone saved as the app role: the triggers keep the derived tables, for LA A's rows.
    sign_in(client, social_worker)
    sent = posts.submission("child-order", "proceedings", "correct", cases_of_two_las)
    with tenancy.local_authority(la_a.pk):
        assert m.TrackerRow.objects.filter(family=family).exists()
    assert client.post(sent.url, sent.data).status_code == 302
    with tenancy.local_authority(la_a.pk):
        part = m.ChildProceedings.objects.get(pk=cases_of_two_las["part"].pk)
        assert (part.final_outcome_id, part.final_outcome_date) == ("sgo", D(2025, 10, 6))
        # Concluded on the later of the two final orders: 29 September and 6 October 2025.
        assert m.Proceedings.objects.get(family=family).concluded_date == D(2025, 10, 6)
        # Concluded, so no longer open: the tracker's stored facts no longer hold the case.
        assert not m.TrackerRow.objects.filter(family=family).exists()
        history = apps.get_model("cases", "ChildProceedingsEvent").objects.filter(pgh_obj_id=part.pk)
        assert history.filter(pgh_label="update", local_authority=la_a).exists()
        # Every page and export above recorded its read, as the app role, for LA A only.
        reads = m.ReadAudit.objects.values_list("local_authority_id", flat=True)
        assert reads
        assert set(reads) == {la_a.pk}
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {db_roles.MAINTENANCE_ROLE}")
    assert services.facts_drift() == []  # the stored facts equal their definition for every LA
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {db_roles.APP_ROLE}")

    # Aggregate-only users: no identifiable page, their own pages work with no LA set.
    for user, theirs in ((board_member, "board_packs:list"), (analyst, "dashboard")):
        sign_in(client, user)
        for name in ("case list", "case page", "tracker", "meeting"):
            assert client.get(pages[name]).status_code == 403, (user, name)
        for url in (reverse("home"), reverse(theirs)):
            assert client.get(url).status_code == 200, (user, url)


@pytest.mark.django_db
def test_it_sets_the_la_for_the_request_from_the_user(client, la_a, social_worker, board_member, analyst):
    # The request joins the test's transaction, so the setting it made is still there afterwards.
    sign_in(client, social_worker)
    client.get(reverse("home"))
    assert tenancy.current_local_authority() == la_a.pk
    for user in (board_member, analyst):
        sign_in(client, user)
        client.get(reverse("home"))
        assert tenancy.current_local_authority() is None
    sign_in(client, social_worker)
    client.get(reverse("home"))
    client.logout()
    client.get(reverse("login"))
    assert tenancy.current_local_authority() is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("status", "kept"), [(200, True), (302, True), (404, True), (500, False), (503, False)])
def test_it_rolls_the_request_back_on_a_server_error(rf, social_worker, la_a, status, kept):
    from django.http import HttpResponse

    from cases.middleware import LocalAuthorityMiddleware

    def view(request):
        assert tenancy.current_local_authority() == la_a.pk
        f.FamilyFactory(local_authority=la_a, la_reference="MW-1")
        return HttpResponse(status=status)

    request = rf.get("/")
    request.user = social_worker
    assert LocalAuthorityMiddleware(view)(request).status_code == status
    assert m.Family.objects.filter(la_reference="MW-1").exists() is kept
    assert tenancy.current_local_authority() is None  # the request's transaction has ended


@pytest.mark.django_db(transaction=True)
def test_it_streams_a_response_in_a_transaction_with_the_users_la(rf, social_worker, la_a):
    from django.http import StreamingHttpResponse

    from cases.middleware import LocalAuthorityMiddleware

    def rows():
        # Read when the response is sent, after the middleware has returned.
        yield f"{tenancy.current_local_authority()},{connection.in_atomic_block}\n"

    request = rf.get("/")
    request.user = social_worker
    response = LocalAuthorityMiddleware(lambda request: StreamingHttpResponse(rows()))(request)
    assert tenancy.current_local_authority() is None
    assert b"".join(response.streaming_content).decode() == f"{la_a.pk},True\n"
    assert tenancy.current_local_authority() is None


@pytest.mark.django_db
def test_it_shows_the_stored_data_exercise_as_the_app_role(client, la_a, la_b, analyst, database_roles, request):
    # ``database_roles`` is named here so that its grants are made before this test's transaction
    # (asked for inside it, they would be rolled back with it, and later tests would be refused).
    from reporting.services import completeness

    for number in range(6):
        f.ChildFactory(family=f.FamilyFactory(local_authority=la_a), la_child_id=f"E{number}")
    for number in range(8):
        f.ChildFactory(family=f.FamilyFactory(local_authority=la_b), la_child_id=f"S{number}")
    completeness.completeness_compute()  # as the nightly task does, reading every LA
    request.getfixturevalue("as_app_role")
    sign_in(client, analyst)

    response = client.get(reverse("data_exercise"))

    # Under row-level security the request reads no case row: the stored counts, 6 and 8 of 14.
    assert response.status_code == 200
    child = next(block for block in response.context["blocks"] if block["anchor"] == "child")
    assert child["records"] == ["6", "0", "8", "0", "14"]
    assert 'id="figures-as-at"' in response.content.decode()
