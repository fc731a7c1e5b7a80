"""The read audit: one record per read of children's records, append-only in the database, purged
only past its retention, and the access log that lists it for an LA's administrators."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import audit, services, tasks
from cases import constants as c
from cases import models as m
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
UK = ZoneInfo("Europe/London")
YEAR = TODAY.year - 1  # the log's reads are in January of last year, when UK time is GMT


@pytest.fixture
def la_admin(la_a):
    return f.UserFactory(username="admin.essex", role=c.Role.LA_ADMIN, local_authority=la_a)


@pytest.fixture
def other_admin(la_b):
    return f.UserFactory(username="admin.suffolk", role=c.Role.LA_ADMIN, local_authority=la_b)


@pytest.fixture
def case(la_a, la_admin):
    """An open Essex case with two children, on the agenda of an LA-wide meeting; and a Suffolk case."""
    family = f.FamilyFactory(local_authority=la_a, name="Auditfamily", la_reference="AUD-1")
    first = f.ChildFactory(family=family, first_name="Ada", la_child_id="AUD-C1")
    second = f.ChildFactory(family=family, first_name="Bea", la_child_id="AUD-C2")
    start = TODAY - dt.timedelta(weeks=3)
    f.EpisodeFactory(family=family, children=[first, second], gateway_meeting_date=start, start_date=start)
    elsewhere = f.FamilyFactory(local_authority=f.la("935"), name="Elsewhere")
    f.EpisodeFactory(family=elsewhere, gateway_meeting_date=start, start_date=start)
    meeting = services.meeting_open(user=la_admin, scope=c.ScopeKind.LA, meeting_date=TODAY)
    return {"family": family, "children": [first, second], "meeting": meeting}


# (URL name, arguments from the case, query string, kind recorded). Every route that shows children.
READ_ROUTES = [
    ("cases:detail", lambda case: [case["family"].pk], "", audit.VIEW),
    ("cases:milestone_new", lambda case: [case["family"].pk, "child"], "", audit.VIEW),
    ("cases:milestone_edit", lambda case: [case["family"].pk, "child", case["children"][0].pk], "", audit.VIEW),
    ("cases:list", lambda case: [], "?scope=all", audit.VIEW),
    ("tracker:list", lambda case: [], "", audit.VIEW),
    ("tracker:list", lambda case: [], "?export=csv", audit.EXPORT),
    ("tracker:list", lambda case: [], "?export=xlsx", audit.EXPORT),
    ("tracker:meeting", lambda case: [case["meeting"].pk], "", audit.VIEW),
    ("tracker:meeting_item", lambda case: [case["meeting"].pk, 1], "", audit.VIEW),
    ("tracker:meeting_print", lambda case: [case["meeting"].pk], "", audit.PRINT),
]


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode(errors="replace")


@pytest.mark.parametrize(("name", "args", "query", "kind"), READ_ROUTES, ids=lambda v: v if isinstance(v, str) else "")
def test_it_records_each_read_once_naming_the_family_and_both_children(
    client, case, la_a, la_admin, name, args, query, kind
):
    sign_in(client, la_admin)
    if name == "tracker:meeting_print":  # the printed record shows the cases discussed only
        case["meeting"].items.update(decision=c.MeetingDecision.ESCALATE)
    path = reverse(name, args=args(case))
    before = m.ReadAudit.objects.count()

    response = client.get(path + query)

    assert response.status_code == 200
    if kind != audit.EXPORT or "csv" in query:
        assert "Auditfamily" in body(response)  # the page shows the case
    assert m.ReadAudit.objects.count() == before + 1
    read = m.ReadAudit.objects.latest("pk")
    first, second = case["children"]
    assert read.family_ids == [case["family"].pk]  # never the Suffolk family
    assert read.child_ids == sorted([first.pk, second.pk])
    assert read.kind == kind
    assert read.route_name == name
    assert read.path == path  # without the query string
    assert (read.user_id, read.username, read.role) == (la_admin.pk, "admin.essex", c.Role.LA_ADMIN)
    assert read.local_authority_id == la_a.pk
    assert read.client_address == "127.0.0.1"
    assert abs(read.at - timezone.now()) < dt.timedelta(minutes=5)


def test_it_records_the_role_and_address_of_whoever_reads(client, case, social_worker):
    sign_in(client, social_worker)
    client.get(reverse("cases:detail", args=[case["family"].pk]), REMOTE_ADDR="203.0.113.9")
    read = m.ReadAudit.objects.get()
    assert (read.username, read.role, read.client_address) == ("sw.essex", c.Role.SOCIAL_WORKER, "203.0.113.9")


def test_it_never_stores_the_query_string_which_can_hold_a_name(client, case, la_admin):
    sign_in(client, la_admin)
    client.get(reverse("cases:list"), {"scope": "all", "q": "Auditfamily"})
    assert m.ReadAudit.objects.get().path == "/cases/"


NO_CHILD_DATA = [
    ("home", []),
    ("dashboard", []),
    ("data_dictionary", []),
    ("board_packs:list", []),
    ("cases:new", []),
    ("tracker:meetings", []),
    ("tracker:meeting_new", []),
]


@pytest.mark.parametrize(("name", "args"), NO_CHILD_DATA)
def test_it_records_nothing_for_pages_without_children(client, case, la_admin, name, args):
    sign_in(client, la_admin)
    assert client.get(reverse(name, args=args)).status_code == 200
    assert m.ReadAudit.objects.count() == 0


def test_it_records_nothing_when_nothing_is_shown(client, case, la_admin, other_la_user):
    sign_in(client, other_la_user)
    assert client.get(reverse("cases:detail", args=[case["family"].pk])).status_code == 404
    assert client.get(reverse("cases:list")).status_code == 200  # no cases of their own
    sign_in(client, la_admin)
    assert client.get(reverse("cases:milestone_new", args=[case["family"].pk, "hearing"])).status_code == 302
    assert m.ReadAudit.objects.count() == 0


def test_it_fails_the_read_when_the_audit_cannot_be_written(client, case, la_admin):
    sign_in(client, la_admin)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE cases_readaudit ADD CONSTRAINT test_refuse_every_row CHECK (false) NOT VALID")
    with pytest.raises(IntegrityError):
        client.get(reverse("cases:detail", args=[case["family"].pk]))


# ---------------------------------------------------------------------------
# Append-only in the database
# ---------------------------------------------------------------------------


@pytest.fixture
def backdate():
    """Write audit rows at a chosen time: only a superuser can, with every trigger off."""

    def write(at: dt.datetime, **values) -> m.ReadAudit:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        read = m.ReadAudit.objects.create(at=at, **values)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
        return read

    return write


def a_read(la, user, *, children=(), families=(), kind=audit.VIEW, route="cases:detail") -> dict:
    return {
        "kind": kind,
        "user_id": user.pk,
        "username": user.username,
        "role": user.role,
        "local_authority": la,
        "family_ids": list(families),
        "child_ids": list(children),
        "route_name": route,
        "path": "/cases/1/",
        "client_address": "127.0.0.1",
    }


def test_it_stamps_each_row_with_the_database_clock_so_none_is_backdated(la_a, social_worker):
    read = m.ReadAudit.objects.create(at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), **a_read(la_a, social_worker))
    read.refresh_from_db()
    assert abs(read.at - timezone.now()) < dt.timedelta(minutes=5)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE cases_readaudit SET username = 'someone.else' WHERE id = %s",
        "UPDATE cases_readaudit SET child_ids = '{}' WHERE id = %s",
        "DELETE FROM cases_readaudit WHERE id = %s",
    ],
)
def test_it_refuses_every_update_and_delete_in_raw_sql(la_a, social_worker, sql):
    read = m.ReadAudit.objects.create(**a_read(la_a, social_worker, children=[1]))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [read.pk])
    read.refresh_from_db()
    assert (read.username, read.child_ids) == ("sw.essex", [1])


def test_it_refuses_updates_and_deletes_through_the_orm(la_a, social_worker):
    read = m.ReadAudit.objects.create(**a_read(la_a, social_worker))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        m.ReadAudit.objects.filter(pk=read.pk).update(kind=audit.EXPORT)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        read.delete()
    assert m.ReadAudit.objects.filter(pk=read.pk, kind=audit.VIEW).exists()


def test_it_lets_no_other_role_delete_even_with_the_purge_setting_set(la_a, social_worker, backdate):
    """A role that is not the owner (as the app's role will be): with DELETE granted by mistake and
    the purge's setting set by hand, an old row still cannot go; nor may it call the purge."""
    old = backdate(timezone.now() - dt.timedelta(days=400), **a_read(la_a, social_worker))
    role = f"test_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT SELECT, DELETE ON cases_readaudit TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
        try:
            # The row's LA, so that row-level security shows the row and the trigger is what refuses.
            cursor.execute("SELECT set_config('plo.local_authority', %s, true)", [str(la_a.pk)])
            cursor.execute("SELECT set_config('plo.read_audit_purge_before', now()::text, true)")
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute("DELETE FROM cases_readaudit WHERE id = %s", [old.pk])
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                cursor.execute("SELECT cases_read_audit_purge(1)")
        finally:
            cursor.execute("RESET ROLE")
    assert m.ReadAudit.objects.filter(pk=old.pk).exists()


def test_it_purges_only_rows_older_than_the_retention_setting(settings, la_a, social_worker, backdate):
    now = timezone.now()
    ages = {"older": 40, "just_older": 31, "just_newer": 29, "newer": 10, "today": 0}
    reads = {
        label: backdate(now - dt.timedelta(days=days), **a_read(la_a, social_worker)) for label, days in ages.items()
    }

    # 30 days kept: the 40- and 31-day-old rows go, 29 days and newer stay.
    assert audit.purge(retention_days=30) == 2
    assert set(m.ReadAudit.objects.values_list("pk", flat=True)) == {
        reads[label].pk for label in ("just_newer", "newer", "today")
    }

    # The command and the nightly task read PLO_AUDIT_RETENTION_DAYS: 5 days kept, the 29- and
    # 10-day-old rows go, then nothing more.
    settings.PLO_AUDIT_RETENTION_DAYS = 5
    out = io.StringIO()
    call_command("purge_read_audit", stdout=out)
    assert out.getvalue().strip() == "Removed 2 read audit records older than 5 days."
    assert tasks.purge_read_audit() == 0
    assert list(m.ReadAudit.objects.values_list("pk", flat=True)) == [reads["today"].pk]


def test_it_refuses_a_retention_of_less_than_a_day(la_a, social_worker):
    m.ReadAudit.objects.create(**a_read(la_a, social_worker))
    with pytest.raises(DatabaseError, match="retention_days must be at least 1"), transaction.atomic():
        audit.purge(retention_days=0)
    assert m.ReadAudit.objects.count() == 1


def test_it_ends_the_purge_path_with_the_purge_even_inside_one_transaction(la_a, social_worker, backdate):
    now = timezone.now()
    with transaction.atomic():
        backdate(now - dt.timedelta(days=500), **a_read(la_a, social_worker))
        assert audit.purge(retention_days=450) == 1
        # A row past that cutoff written after the purge, in the same transaction: the purge's
        # setting ended with it, so a plain DELETE is refused.
        later = backdate(now - dt.timedelta(days=600), **a_read(la_a, social_worker))
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            m.ReadAudit.objects.filter(pk=later.pk).delete()
    assert list(m.ReadAudit.objects.values_list("pk", flat=True)) == [later.pk]


# ---------------------------------------------------------------------------
# The access log
# ---------------------------------------------------------------------------


def uk(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UK)


def day_params(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


@pytest.fixture
def log(case, la_a, la_b, social_worker, chair, other_la_user, backdate):
    """Reads in January (UK time is GMT then): the social worker read both children on the 5th and the
    first child at 23:30 on the 12th; the chair the second child at 00:10 on the 13th; a Suffolk
    user read a Suffolk child on the 12th."""
    first, second = case["children"]
    family = case["family"].pk
    jan = dt.date(YEAR, 1, 5)
    return {
        "sw_both": backdate(
            uk(jan, 9), **a_read(la_a, social_worker, families=[family], children=[first.pk, second.pk])
        ),
        "sw_first": backdate(
            uk(jan.replace(day=12), 23, 30),
            **a_read(
                la_a, social_worker, families=[family], children=[first.pk], kind=audit.EXPORT, route="tracker:list"
            ),
        ),
        "chair_second": backdate(
            uk(jan.replace(day=13), 0, 10),
            **a_read(
                la_a, chair, families=[family], children=[second.pk], kind=audit.PRINT, route="tracker:meeting_print"
            ),
        ),
        "suffolk": backdate(uk(jan.replace(day=12), 10), **a_read(la_b, other_la_user, families=[999], children=[998])),
    }


def listed(client, **params) -> list[int]:
    response = client.get(reverse("access_log"), params)
    assert response.status_code == 200
    return [row["read"].pk for row in response.context["rows"]]


def test_it_lists_the_las_reads_newest_first(client, log, la_admin):
    sign_in(client, la_admin)
    response = client.get(reverse("access_log"))
    assert [row["read"].pk for row in response.context["rows"]] == [
        log["chair_second"].pk,
        log["sw_first"].pk,
        log["sw_both"].pk,
    ]
    page = response.content.decode()
    assert "sw.essex" in page
    assert "chair.essex" in page
    assert "sw.suffolk" not in page
    assert "AUD-C1, AUD-C2" in page  # children by LA child ID, never by name
    assert "Ada" not in page
    assert "Bea" not in page
    assert "Printed: Meeting record" in page
    assert "Exported: Tracker" in page
    assert "3 records of access" in page


def test_it_lists_by_user_by_child_and_by_date_range(client, case, log, la_admin, social_worker, chair):
    sign_in(client, la_admin)
    assert listed(client, reader=social_worker.pk) == [log["sw_first"].pk, log["sw_both"].pk]
    assert listed(client, reader=chair.pk) == [log["chair_second"].pk]
    # This page's own views are reads too (of today): January's reads are listed up to the 31st.
    jan31 = day_params("end", dt.date(YEAR, 1, 31))
    assert listed(client, child="AUD-C1", **jan31) == [log["sw_first"].pk, log["sw_both"].pk]
    assert listed(client, child="aud-c2", **jan31) == [log["chair_second"].pk, log["sw_both"].pk]  # any case
    # The 12th to the 12th takes in 23:30 on the 12th and not 00:10 on the 13th (UK time).
    jan12 = dt.date(YEAR, 1, 12)
    assert listed(client, **day_params("start", jan12), **day_params("end", jan12)) == [log["sw_first"].pk]
    assert listed(client, **day_params("start", dt.date(YEAR, 1, 13)), **jan31) == [log["chair_second"].pk]
    assert listed(client, **day_params("end", dt.date(YEAR, 1, 11))) == [log["sw_both"].pk]
    # Filters combine.
    assert listed(client, reader=social_worker.pk, child="AUD-C2") == [log["sw_both"].pk]
    assert listed(client, reader=la_admin.pk, **jan31) == []
    assert listed(client, reader=chair.pk, **day_params("end", jan12)) == []


def test_it_downloads_the_reads_listed_as_csv_and_records_the_download(client, case, log, la_admin, social_worker):
    sign_in(client, la_admin)
    response = client.get(reverse("access_log"), {"reader": social_worker.pk, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body(response).lstrip("\ufeff"))))
    first, second = case["children"]
    assert rows[0][:4] == ["Date and time", "User ID", "Username", "Role"]
    assert rows[1:] == [
        [
            f"{YEAR}-01-12T23:30:00+00:00",
            str(social_worker.pk),
            "sw.essex",
            "Social worker",
            "Exported",
            "Tracker",
            "/cases/1/",
            "127.0.0.1",
            str(case["family"].pk),
            str(first.pk),
            "AUD-C1",
        ],
        [
            f"{YEAR}-01-05T09:00:00+00:00",
            str(social_worker.pk),
            "sw.essex",
            "Social worker",
            "Viewed",
            "Case page",
            "/cases/1/",
            "127.0.0.1",
            str(case["family"].pk),
            f"{first.pk} {second.pk}",
            "AUD-C1; AUD-C2",
        ],
    ]
    download = m.ReadAudit.objects.latest("pk")
    assert (download.kind, download.route_name, download.user_id) == (audit.EXPORT, "access_log", la_admin.pk)
    assert download.child_ids == sorted([first.pk, second.pk])


def test_it_records_the_access_log_page_as_a_read_of_the_children_it_shows(client, case, log, la_admin, chair):
    sign_in(client, la_admin)
    before = m.ReadAudit.objects.count()
    listed(client, reader=chair.pk)
    assert m.ReadAudit.objects.count() == before + 1
    shown = m.ReadAudit.objects.latest("pk")
    assert (shown.kind, shown.route_name, shown.child_ids) == (audit.VIEW, "access_log", [case["children"][1].pk])
    listed(client, **day_params("start", TODAY + dt.timedelta(days=1)))  # no rows: no children shown
    assert m.ReadAudit.objects.count() == before + 1


def test_it_shows_another_las_administrator_none_of_this_las_reads(client, log, other_admin):
    sign_in(client, other_admin)
    assert listed(client) == [log["suffolk"].pk]
    response = client.get(reverse("access_log"), {"child": "AUD-C1"})
    assert response.context["rows"] == []
    assert "No child in Suffolk has the LA child ID AUD-C1" in response.content.decode()
    response = client.get(reverse("access_log"), {"child": "AUD-C1", "export": "csv"})
    assert response["Content-Type"].startswith("text/html")  # the error, not a download


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"start_day": "31", "start_month": "2", "start_year": str(YEAR)},
            "start",
            "The from date must be a real date",
        ),
        ({"end_day": "1", "end_month": "", "end_year": str(YEAR)}, "end", "The to date must include a month"),
        (
            {**day_params("start", dt.date(YEAR, 1, 10)), **day_params("end", dt.date(YEAR, 1, 9))},
            "end",
            "The to date must be the same as or after the from date",
        ),
        ({"reader": "99999999"}, "reader", "Select who from the list"),
        ({"reader": "nobody"}, "reader", "Select who from the list"),
        ({"child": "NOT-A-CHILD"}, "child", "No child in Essex has the LA child ID NOT-A-CHILD"),
        ({"child": "x" * 41}, "child", "The LA child ID must be 40 characters or fewer"),
    ],
)
def test_it_names_the_field_of_each_bad_filter_and_lists_nothing(client, log, la_admin, params, field, message):
    sign_in(client, la_admin)
    response = client.get(reverse("access_log"), params)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert response.context["rows"] == []
    assert message in response.content.decode()


def test_it_pages_the_log_and_survives_a_bad_page_number(client, la_a, la_admin, social_worker):
    for n in range(51):
        m.ReadAudit.objects.create(**a_read(la_a, social_worker, children=[n + 1]))
    sign_in(client, la_admin)
    # The social worker's reads (each view of the log is a read by the administrator too).
    assert len(listed(client, reader=social_worker.pk)) == 50  # a page
    assert len(listed(client, reader=social_worker.pk, page=2)) == 1
    assert len(listed(client, reader=social_worker.pk, page="junk")) == 50


def test_it_keeps_the_access_log_to_la_administrators(client, la_admin, personas_without_audit):
    for user in personas_without_audit:
        sign_in(client, user)
        assert client.get(reverse("access_log")).status_code == 403, user.username
        assert client.get(reverse("access_log"), {"export": "csv"}).status_code == 403, user.username
    client.logout()
    assert client.get(reverse("access_log")).status_code == 302


@pytest.fixture
def personas_without_audit(social_worker, team_manager, chair, board_member, analyst):
    superuser = f.UserFactory(
        username="root", role=c.Role.REGIONAL_ANALYST, local_authority=None, is_staff=True, is_superuser=True
    )
    return [social_worker, team_manager, chair, board_member, analyst, superuser]


def test_it_links_the_access_log_for_la_administrators_only(client, la_admin, social_worker):
    sign_in(client, la_admin)
    assert f'href="{reverse("access_log")}"' in client.get(reverse("home")).content.decode()
    sign_in(client, social_worker)
    assert f'href="{reverse("access_log")}"' not in client.get(reverse("home")).content.decode()


def test_it_pins_the_access_log_queries_whatever_the_number_of_reads(client, la_a, la_admin, social_worker):
    sign_in(client, la_admin)
    children = [f.ChildFactory(family=f.FamilyFactory(local_authority=la_a)) for _ in range(4)]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("access_log")).status_code == 200
        return len(queries)

    m.ReadAudit.objects.create(**a_read(la_a, social_worker, children=[children[0].pk]))
    count()  # the first page after signing in also saves the session
    few = count()
    for child in children:
        m.ReadAudit.objects.create(**a_read(la_a, social_worker, children=[child.pk, children[0].pk]))
    assert count() == few
    # Session, user, authenticator device, the LA for row-level security, the count, the page, the
    # LA child IDs, the audit of this page, the LA's name for the heading, the people to choose from.
    assert few <= 10
