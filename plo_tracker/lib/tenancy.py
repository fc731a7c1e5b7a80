"""Which local authority's rows the database shows, and which database role does the work.

PostgreSQL row-level security (migration ``cases.0019_row_level_security``) shows the app's
database role only the identifiable rows of the LA named by the setting ``plo.local_authority``,
and nothing at all when it is empty. ``set_local_authority`` is the one place that sets it. It sets
it for the current transaction only (``set_config(..., is_local => true)``), so it ends with the
transaction and cannot carry over to the next request on a pooled or persistent connection.

Maintenance work (migrations, the demo seed, the metrics run, the data exercise, board packs, the tracker facts check
and the purges) reads every LA: it runs as the maintenance role, through ``maintenance()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.transaction import TransactionManagementError

SETTING = "plo.local_authority"
# The database alias that logs in as the maintenance role (settings: MAINTENANCE_DATABASE_URL).
MAINTENANCE = "maintenance"


def set_local_authority(local_authority_id: int | None, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Show the identifiable rows of this LA (None: of no LA) until the current transaction ends."""
    connection = connections[using]
    if not connection.in_atomic_block:
        # Outside a transaction the setting would last one statement: refuse rather than read nothing.
        raise TransactionManagementError("The local authority is set inside transaction.atomic(), and ends with it.")
    value = "" if local_authority_id is None else str(int(local_authority_id))
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [SETTING, value])


@contextmanager
def local_authority(local_authority_id: int | None, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """A transaction that shows one LA's identifiable rows: for a task or command working for one LA."""
    with transaction.atomic(using=using):
        set_local_authority(local_authority_id, using=using)
        yield


def current_local_authority(*, using: str = DEFAULT_DB_ALIAS) -> int | None:
    """The LA the database shows rows of now (None when none is set)."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT NULLIF(current_setting(%s, true), '')::bigint", [SETTING])
        return cursor.fetchone()[0]


def _separate_maintenance_login() -> bool:
    """True when the maintenance alias logs in to the same database as another role than ``default``.

    Not when MAINTENANCE_DATABASE_URL is unset (one login for everything, as in tests and CI, where
    the suite runs as a superuser), and not while a test database is being created (the aliases then
    name different databases) or once the test runner has made the alias a mirror of ``default``.
    """
    default = connections[DEFAULT_DB_ALIAS].settings_dict
    maintenance = connections[MAINTENANCE].settings_dict
    if maintenance is default:
        return False
    same_database = all(maintenance[key] == default[key] for key in ("NAME", "HOST", "PORT"))
    return same_database and (maintenance["USER"], maintenance["OPTIONS"]) != (default["USER"], default["OPTIONS"])


@contextmanager
def maintenance() -> Iterator[str]:
    """Run the block's database work as the maintenance role; yields the alias it runs on.

    The services use Django's default connection (``django.db.connection``, ``transaction.atomic()``,
    the ORM), so for the length of the block the default alias of this thread *is* the maintenance
    connection: every query and transaction in it, the services' own included, runs as that role.
    With one login for everything (MAINTENANCE_DATABASE_URL unset) the block runs as it is.
    """
    if not _separate_maintenance_login():
        yield DEFAULT_DB_ALIAS
        return
    app_connection = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = connections[MAINTENANCE]
    try:
        yield MAINTENANCE
    finally:
        connections[DEFAULT_DB_ALIAS] = app_connection


def require_every_local_authority(work: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Stop ``work`` unless the connection's role reads every LA's rows (the maintenance role, a superuser).

    Run as the app role, row-level security would give it one LA's rows, or none, and it would
    quietly produce wrong figures.
    """
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    if not (row and row[0]):
        raise PermissionError(
            f"{work} reads every local authority's records: run it as the maintenance role "
            "(plo_tracker.lib.tenancy.maintenance(), MAINTENANCE_DATABASE_URL)."
        )


class MaintenanceCommand(BaseCommand):
    """A management command that does maintenance work: all of it runs as the maintenance role."""

    def execute(self, *args, **options):
        with maintenance():
            return super().execute(*args, **options)
