"""PostgreSQL row-level security, the backstop to ``visible_to``: raw SQL as the app role.

The suite connects as a superuser, which row-level security never binds; these tests switch the
test's connection to the app role (``as_app_role``: SET ROLE plo_app) or the maintenance role,
the roles the service really runs as.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import django.apps
import pytest
from django.db import DEFAULT_DB_ALIAS, ProgrammingError, connection, connections, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from cases import models as m
from cases import row_security, services
from plo_tracker.lib import db_roles, tenancy
from reporting import tasks as reporting_tasks
from reporting.models import CaseForecast, ForecastModel, MetricValue
from reporting.services import metrics
from tests import factories as f
from tests.cases import milestone_posts as posts

pytestmark = pytest.mark.django_db

D = dt.date
GUARDED = row_security.guarded_tables(django.apps.apps)
TABLES = [guarded.table for guarded in GUARDED]
# Tables whose rows carry their own LA (the others show through the rows they point at).
OWN_LA = [guarded.table for guarded in GUARDED if guarded.condition.startswith(row_security.LA_COLUMN)]


def rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - table names from the models
        return cursor.fetchone()[0]


def execute(statement: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@contextmanager
def refused(match: str) -> Iterator[None]:
    """The block's statement is refused, inside a savepoint so the test's transaction goes on."""
    with pytest.raises(ProgrammingError, match=match), transaction.atomic():
        yield


@pytest.fixture
def records_of_la_a(la_a, social_worker):
    """Rows of LA A in every identifiable table, and how many each table holds (counted as the superuser)."""
    records = posts.stage_records("proceedings", la=la_a, worker=social_worker)
    action = f.MeetingActionFactory(
        item=f.MeetingItemFactory(meeting=f.TrackerMeetingFactory(local_authority=la_a), family=records["family"])
    )
    m.MeetingAttendee.objects.create(meeting=action.item.meeting, local_authority=la_a, name="Lee Adams")
    # The people around the case, a note and a document link (a parent, their link to the family, ...).
    f.FamilyMemberFactory(family=records["family"])
    f.ProfessionalFactory(family=records["family"])
    f.CaseNoteFactory(family=records["family"])
    f.DocumentLinkFactory(family=records["family"])
    m.ReadAudit.objects.create(
        kind="view",
        user_id=social_worker.pk,
        username=social_worker.username,
        role=social_worker.role,
        local_authority=la_a,
        family_ids=[records["family"].pk],
        child_ids=[records["child"].pk],
        route_name="cases:detail",
        path=f"/cases/{records['family'].pk}/",
    )
    m.IdempotencyKey.objects.create(
        local_authority=la_a, user=social_worker, key="k", fingerprint="0" * 64, status_code=201, body={}
    )
    m.ImportMapping.objects.create(local_authority=la_a, name="Mosaic tracker", columns={"DOB": "PersonBirthDate"})
    run = m.ImportRun.objects.create(local_authority=la_a, user=social_worker, file_name="tracker.csv", sha256="0" * 64)
    m.QueuedJob.objects.create(task="cases.process_import", args=[run.pk, la_a.pk, False], local_authority=la_a)
    model = ForecastModel.objects.create(version="test", trained_at=timezone.now(), as_of=dt.date(2026, 1, 1))
    CaseForecast.objects.create(
        model=model,
        local_authority=la_a,
        proceedings=records["proceedings"],
        month=dt.date(2026, 1, 1),
        as_of=dt.date(2026, 1, 1),
        weeks_open=10,
        p_breach_26=0.5,
        p_breach_end=0.5,
        expected_conclusion=dt.date(2026, 6, 1),
        band="medium",
    )
    return {**records, "action": action, "counts": {table: rows(table) for table in TABLES}}


# ---------------------------------------------------------------------------
# Which tables, and how
# ---------------------------------------------------------------------------


def test_it_guards_every_table_with_an_la_or_pointing_at_one():
    """Fails when a migration adds a table with local_authority_id (or one pointing at such a table) and no policy."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = %s),
                EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attname = %s AND NOT a.attisdropped)
            FROM pg_class c
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
            """,
            [row_security.POLICY, row_security.LA_COLUMN],
        )
        tables = {name: (secured, forced, policy, has_la) for name, secured, forced, policy, has_la in cursor}
        cursor.execute(
            """
            SELECT DISTINCT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c
            WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace
            """
        )
        foreign_keys = cursor.fetchall()
    with_la = {name for name, (*_, has_la) in tables.items() if has_la}
    guarded = {name for name, (secured, forced, policy, _) in tables.items() if secured and forced and policy}
    assert set(row_security.NOT_IDENTIFIABLE) <= with_la, "NOT_IDENTIFIABLE names a table that has no LA"
    assert with_la - set(row_security.NOT_IDENTIFIABLE) <= guarded
    own_la = with_la - set(row_security.NOT_IDENTIFIABLE)
    pointing = {table for table, target in foreign_keys if target.strip('"') in own_la and table not in with_la}
    assert pointing <= guarded
    # The history of the case records included: every event table of a guarded table.
    assert {f"{table}event" for table in own_la if f"{table}event" in tables} <= guarded
    # The models and the database agree on which tables are guarded.
    assert guarded == set(TABLES)
    assert {"cases_family", "cases_familyevent", "cases_trackerfacts", "cases_readaudit"} <= guarded
    assert "cases_preproceedingsepisode_children" in pointing


def test_it_runs_every_view_with_the_callers_rights():
    # CREATE OR REPLACE VIEW resets the option: a migration that forgets it fails here.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, coalesce('security_invoker=true' = ANY(reloptions), false) FROM pg_class "
            "WHERE relnamespace = current_schema()::regnamespace AND relkind = 'v'"
        )
        views = dict(cursor.fetchall())
    assert {"cases_trackerrow", "cases_proceedingsconcluded"} <= set(views)
    assert all(views.values()), views


def test_it_gives_the_app_role_no_way_round_the_policies(database_roles):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolname, rolsuper, rolbypassrls, rolcanlogin, rolcreaterole, rolcreatedb FROM pg_roles "
            "WHERE rolname = ANY(%s) ORDER BY rolname",
            [[db_roles.APP_ROLE, db_roles.MAINTENANCE_ROLE]],
        )
        assert cursor.fetchall() == [
            (db_roles.APP_ROLE, False, False, True, False, False),
            (db_roles.MAINTENANCE_ROLE, False, True, True, False, False),
        ]
        # Not a member of any role (so it inherits nothing) and the owner of nothing in the schema.
        cursor.execute(
            "SELECT count(*) FROM pg_auth_members WHERE member = (SELECT oid FROM pg_roles WHERE rolname = %s)",
            [db_roles.APP_ROLE],
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relnamespace = current_schema()::regnamespace "
            "AND relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)",
            [db_roles.APP_ROLE],
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT has_schema_privilege(%(role)s, current_schema(), 'CREATE'), "
            "has_database_privilege(%(role)s, current_database(), 'CREATE'), "
            "has_table_privilege(%(role)s, 'cases_family', 'SELECT, INSERT, UPDATE, DELETE'), "
            "has_table_privilege(%(role)s, 'cases_family', 'TRUNCATE'), "
            "has_table_privilege(%(role)s, 'cases_readaudit', 'SELECT, INSERT'), "
            "has_table_privilege(%(role)s, 'cases_readaudit', 'UPDATE'), "
            "has_table_privilege(%(role)s, 'cases_readaudit', 'DELETE'), "
            "has_table_privilege(%(role)s, 'django_migrations', 'INSERT'), "
            "has_function_privilege(%(role)s, 'cases_read_audit_purge(integer)', 'EXECUTE'), "
            "has_function_privilege(%(maintenance)s, 'cases_read_audit_purge(integer)', 'EXECUTE')",
            {"role": db_roles.APP_ROLE, "maintenance": db_roles.MAINTENANCE_ROLE},
        )
        assert cursor.fetchone() == (False, False, True, False, True, False, False, False, False, True)


# ---------------------------------------------------------------------------
# Reading as the app role
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_it_shows_the_app_role_no_row_of_another_la_or_with_no_la(table, records_of_la_a, la_a, la_b, as_app_role):
    present = records_of_la_a["counts"][table]
    assert present > 0, f"the fixture put no row in {table}"
    tenancy.set_local_authority(la_b.pk)
    assert rows(table) == 0
    tenancy.set_local_authority(None)  # board members, regional analysts, anyone signed out
    assert rows(table) == 0
    execute("SELECT set_config('plo.local_authority', '', true)")
    assert rows(table) == 0
    tenancy.set_local_authority(la_a.pk)
    assert rows(table) == present


def test_it_shows_no_row_when_no_la_was_set(records_of_la_a, as_app_role):
    # Unset (a new connection: current_setting(..., true) is NULL) or empty (after a transaction that set it).
    assert tenancy.current_local_authority() is None
    assert rows("cases_family") == 0
    assert rows("cases_trackerrow") == 0  # the view, run with the caller's rights


# ---------------------------------------------------------------------------
# Writing as the app role
# ---------------------------------------------------------------------------

MOVABLE = [table for table in OWN_LA if table not in db_roles.APPEND_ONLY_TABLES]


@pytest.mark.parametrize("table", MOVABLE)
def test_it_refuses_to_move_a_row_to_another_la(table, records_of_la_a, la_a, la_b, as_app_role):
    tenancy.set_local_authority(la_a.pk)
    with refused("row-level security"):
        execute(
            f'UPDATE "{table}" SET local_authority_id = %s WHERE ctid = (SELECT ctid FROM "{table}" LIMIT 1)',  # noqa: S608
            [la_b.pk],
        )


def test_it_refuses_a_new_row_for_another_la(records_of_la_a, la_a, la_b, as_app_role):
    tenancy.set_local_authority(la_a.pk)
    family = {"name": "Elsewhere", "la_reference": "RLS-1"}
    with refused("row-level security"):
        m.Family.objects.create(local_authority=la_b, **family)
    tenancy.set_local_authority(None)
    with refused("row-level security"):
        m.Family.objects.create(local_authority=la_a, **family)
    # Its own LA, with its LA set: saved, and its history written (the triggers run as the app role too).
    tenancy.set_local_authority(la_a.pk)
    m.Family.objects.create(local_authority=la_a, **family)
    assert m.Family.objects.filter(la_reference="RLS-1").count() == 1
    events = django.apps.apps.get_model("cases", "FamilyEvent").objects
    assert events.filter(la_reference="RLS-1", pgh_label="insert").count() == 1


@pytest.fixture
def child_of_la_b(la_b):
    return f.ChildFactory(family=f.FamilyFactory(local_authority=la_b))


def test_it_refuses_to_join_an_episode_to_another_las_child(records_of_la_a, child_of_la_b, la_a, as_app_role):
    tenancy.set_local_authority(la_a.pk)
    episode = records_of_la_a["episode"]
    with refused("row-level security"):
        execute(
            "INSERT INTO cases_preproceedingsepisode_children (preproceedingsepisode_id, child_id) VALUES (%s, %s)",
            [episode.pk, child_of_la_b.pk],
        )
    # Its own two children only.
    assert set(episode.children.values_list("pk", flat=True)) == {
        records_of_la_a["child"].pk,
        records_of_la_a["second"].pk,
    }


def test_it_lets_the_app_role_add_and_read_the_read_audit_and_nothing_else(
    records_of_la_a, la_a, social_worker, as_app_role
):
    tenancy.set_local_authority(la_a.pk)
    m.ReadAudit.objects.create(
        kind="export",
        user_id=social_worker.pk,
        username="sw",
        role="social_worker",
        local_authority=la_a,
        route_name="tracker:list",
        path="/tracker/",
    )
    assert m.ReadAudit.objects.count() == 2  # the fixture's and this one
    for statement in (
        "UPDATE cases_readaudit SET path = '/'",
        "DELETE FROM cases_readaudit",
        "TRUNCATE cases_readaudit",
    ):
        with refused("permission denied"):
            execute(statement)
    with refused("permission denied"):
        execute("SELECT cases_read_audit_purge(1)")


# ---------------------------------------------------------------------------
# The LA is set per transaction
# ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_forgets_the_la_when_the_transaction_ends(la_a, social_worker, as_app_role):
    with tenancy.local_authority(la_a.pk):
        f.FamilyFactory(local_authority=la_a, social_worker=social_worker)
        assert tenancy.current_local_authority() == la_a.pk
        assert m.Family.objects.count() == 1
    # The same connection, the next transaction and outside one: nothing set, nothing shown.
    assert tenancy.current_local_authority() is None
    assert m.Family.objects.count() == 0
    with transaction.atomic():
        assert tenancy.current_local_authority() is None
        assert m.Family.objects.count() == 0
    # Nor after a rolled-back transaction.
    with pytest.raises(ZeroDivisionError), tenancy.local_authority(la_a.pk):
        _ = 1 / 0
    assert tenancy.current_local_authority() is None


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_set_the_la_outside_a_transaction(la_a):
    # In autocommit the setting would end with its own statement: refused rather than silently useless.
    with pytest.raises(TransactionManagementError, match=r"inside transaction\.atomic"):
        tenancy.set_local_authority(la_a.pk)


# ---------------------------------------------------------------------------
# Maintenance work
# ---------------------------------------------------------------------------


@pytest.fixture
def issued_in_march(la_a, la_b):
    """Applications issued in March 2026: two in LA A, one in LA B."""
    for la, day in ((la_a, 3), (la_a, 17), (la_b, 10)):
        f.ChildProceedingsFactory(
            proceedings=f.ProceedingsFactory(family=f.FamilyFactory(local_authority=la), issue_date=D(2026, 3, day))
        )


MARCH = metrics.Window(first=D(2026, 3, 1), last=D(2026, 3, 1), as_of=D(2026, 4, 15))


def issued(la) -> Decimal | None:
    row = MetricValue.objects.filter(
        metric="s31_issued", scope_type="la", scope_id=la.pk, period=D(2026, 3, 1), dimension=""
    ).first()
    return None if row is None else row.value


def test_it_computes_the_metrics_as_the_maintenance_role(issued_in_march, la_a, la_b, as_maintenance_role):
    metrics.metrics_compute(window=MARCH, as_of=MARCH.as_of)
    # Each LA's own applications: 2 in LA A, 1 in LA B (with no LA set: the role reads every LA).
    assert (issued(la_a), issued(la_b)) == (Decimal(2), Decimal(1))


def test_it_stops_maintenance_work_run_as_the_app_role(issued_in_march, as_app_role):
    # As the app role it would count one LA's rows, or none, and store wrong figures.
    for work in (
        lambda: metrics.metrics_compute(window=MARCH, as_of=MARCH.as_of),
        services.facts_drift,
        services.facts_rebuild,
    ):
        with pytest.raises(PermissionError, match="maintenance role"):
            work()
    assert not MetricValue.objects.exists()


@pytest.fixture
def maintenance_login(monkeypatch):
    """The maintenance alias logs in as the maintenance role (tests otherwise mirror the default login)."""
    alias = connections[tenancy.MAINTENANCE]
    alias.close()
    login = {**connections[DEFAULT_DB_ALIAS].settings_dict}
    # The test server's login, switched to the role as the connection starts (no password needed).
    login["OPTIONS"] = {**login["OPTIONS"], "options": f"-c role={db_roles.MAINTENANCE_ROLE}"}
    monkeypatch.setattr(alias, "settings_dict", login)
    yield alias
    alias.close()


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, tenancy.MAINTENANCE])
def test_it_runs_the_metrics_task_through_the_maintenance_alias(
    issued_in_march, la_a, la_b, database_roles, maintenance_login, as_app_role, monkeypatch
):
    monkeypatch.setattr(metrics, "nightly_window", lambda *, as_of: MARCH)
    seen = []
    compute = metrics.metrics_compute

    def spy(**kwargs):
        with connection.cursor() as cursor:  # the default alias, inside the task
            cursor.execute("SELECT current_user, NULLIF(current_setting('plo.local_authority', true), '')")
            seen.append(cursor.fetchone())
        return compute(**kwargs)

    monkeypatch.setattr(metrics, "metrics_compute", spy)
    reporting_tasks.compute_metrics()
    assert seen == [(db_roles.MAINTENANCE_ROLE, None)]
    # Read back as the app role (metric values are aggregates: no policy): 2 in LA A, 1 in LA B.
    assert (issued(la_a), issued(la_b)) == (Decimal(2), Decimal(1))
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == db_roles.APP_ROLE  # the app's own connection, back after the task


# ---------------------------------------------------------------------------
# manage.py db_roles
# ---------------------------------------------------------------------------


def test_it_hands_the_schema_to_the_maintenance_role_and_repeats_harmlessly(database_roles):
    # Inside the test's transaction: rolled back afterwards, so the test database stays the runner's.
    connection.ensure_connection()
    conn = connection.connection
    first = db_roles.set_up(conn)
    assert first
    assert first[-1].startswith(f"Gave the database role {db_roles.MAINTENANCE_ROLE} ownership of ")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class "
            "WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'v', 'S')"
        )
        assert cursor.fetchall() == [(db_roles.MAINTENANCE_ROLE,)]
        cursor.execute(
            "SELECT pg_get_userbyid(datdba), pg_get_userbyid(nspowner), "
            "pg_get_userbyid((SELECT proowner FROM pg_proc "
            "WHERE oid = 'cases_read_audit_purge(integer)'::regprocedure))"
            " FROM pg_database, pg_namespace WHERE datname = current_database() AND nspname = current_schema()"
        )
        assert cursor.fetchone() == (db_roles.MAINTENANCE_ROLE,) * 3
    assert db_roles.set_up(conn) == []  # nothing left to change


def test_it_corrects_a_role_given_a_way_round_the_policies(database_roles):
    execute(f"ALTER ROLE {db_roles.APP_ROLE} BYPASSRLS")  # rolled back with the test
    connection.ensure_connection()
    with pytest.raises(db_roles.RoleError, match=f"{db_roles.APP_ROLE} should be NOBYPASSRLS"):
        db_roles.check_roles(connection.connection)
    assert db_roles.ensure_roles(connection.connection) == [
        f"Corrected the attributes of the database role {db_roles.APP_ROLE}."
    ]
    db_roles.check_roles(connection.connection)


def test_it_lets_the_maintenance_role_seed_with_triggers_off(as_maintenance_role):
    from cases import demo

    assert demo._can_skip_triggers()  # granted SET on session_replication_role (PostgreSQL 15+)


def test_it_gives_no_user_without_identifiable_access_an_la(la_a, social_worker, board_member, analyst):
    from cases.middleware import local_authority_of

    assert local_authority_of(social_worker) == la_a.pk
    assert local_authority_of(board_member) is None
    assert local_authority_of(analyst) is None
    social_worker.is_active = False
    assert local_authority_of(social_worker) is None


def test_it_refreshes_every_las_facts_when_a_threshold_changes(records_of_la_a, as_app_role):
    # An administrator (no LA set) changes a threshold through the app: the triggers run with their
    # owner's rights, so every LA's stored facts follow, though the writer sees none of them.
    assert tenancy.current_local_authority() is None
    assert m.Threshold.objects.filter(code="irh_by_week").update(value=Decimal(21)) == 1
    execute(f"SET ROLE {db_roles.MAINTENANCE_ROLE}")
    assert services.facts_drift() == []
    # The case issued on 7 April 2025 now has its IRH due by week 21: 7 April + 147 days = 1 September 2025.
    assert m.TrackerRow.objects.get(family=records_of_la_a["family"]).irh_by == D(2025, 9, 1)


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, tenancy.MAINTENANCE])
def test_it_migrates_as_the_maintenance_role_and_then_grants(database_roles, maintenance_login, monkeypatch):
    from django.core.management import call_command
    from django.core.management.commands import migrate

    seen = []

    def handle(command, *args, **options):
        with connections[options["database"]].cursor() as cursor:
            cursor.execute("SELECT current_user")
            seen.append((options["database"], cursor.fetchone()[0]))

    monkeypatch.setattr(migrate.Command, "handle", handle)
    granted = []
    monkeypatch.setattr(db_roles, "grant_privileges", lambda conn: granted.append(conn.info.dbname))
    call_command("migrate", database=tenancy.MAINTENANCE, verbosity=0)
    # The data migrations write through the default alias: for the run, it is the maintenance login.
    assert seen == [(DEFAULT_DB_ALIAS, db_roles.MAINTENANCE_ROLE)]
    assert granted == [connection.settings_dict["NAME"]]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] != db_roles.MAINTENANCE_ROLE  # the default alias is the app's again


def test_it_refuses_an_admin_login_for_another_database(monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.setenv("DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/some_other_database")
    with pytest.raises(CommandError, match="DATABASE_ADMIN_URL must name the same database as DATABASE_URL"):
        call_command("db_roles")
    monkeypatch.setenv("DATABASE_ADMIN_URL", "mysql://root@127.0.0.1/plo")
    with pytest.raises(CommandError, match="DATABASE_ADMIN_URL must start with postgres://"):
        call_command("db_roles")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("http://plo_maintenance@127.0.0.1:5432/plo_tracker", "MAINTENANCE_DATABASE_URL must start with postgres://"),
        ("postgres://plo_maintenance@127.0.0.1:port/plo_tracker", "MAINTENANCE_DATABASE_URL has a port"),
        ("postgres://plo_maintenance@127.0.0.1:5432/another_database", "MAINTENANCE_DATABASE_URL must name the same"),
    ],
)
def test_it_refuses_to_start_with_a_bad_maintenance_url(value, message):
    from tests.processes import manage, process_env

    # `check` loads the settings and connects to nothing.
    app_url = "postgres://plo_app@127.0.0.1:5432/plo_tracker"
    result = manage("check", env=process_env(DATABASE_URL=app_url, MAINTENANCE_DATABASE_URL=value, DEBUG="true"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr.strip().splitlines()[-1], result.stderr
