"""The database roles PLO Tracker runs as, and what each may do (``manage.py db_roles``).

- ``plo_app``: the web app and Celery workers (``DATABASE_URL``). It logs in, and is neither a
  superuser nor BYPASSRLS and creates nothing, so row-level security always applies to it. It may
  SELECT, INSERT, UPDATE and DELETE rows of the tables; only INSERT and SELECT on the append-only
  tables (the read audit); only SELECT on the migration log.
- ``plo_maintenance``: migrations, the demo seed, the metrics run, board packs, the tracker facts
  check and the purges (``MAINTENANCE_DATABASE_URL``). It logs in, is BYPASSRLS (it reads every
  LA) but not a superuser, and owns the database, its schema and every object in the schema.

``set_up`` creates or corrects both roles and hands the schema to the maintenance role when it runs
as a superuser; run as the owner, it grants the privileges only (after a migration made a table)
and checks the roles. Every step is idempotent, so it runs on every deployment and test set-up.
"""

from __future__ import annotations

from collections.abc import Mapping

import psycopg
from psycopg import sql

APP_ROLE = "plo_app"
MAINTENANCE_ROLE = "plo_maintenance"

# pg_roles column -> (keyword when true, keyword when false)
_ATTRIBUTES = {
    "rolcanlogin": ("LOGIN", "NOLOGIN"),
    "rolsuper": ("SUPERUSER", "NOSUPERUSER"),
    "rolbypassrls": ("BYPASSRLS", "NOBYPASSRLS"),
    "rolcreatedb": ("CREATEDB", "NOCREATEDB"),
    "rolcreaterole": ("CREATEROLE", "NOCREATEROLE"),
    "rolreplication": ("REPLICATION", "NOREPLICATION"),
}
_NOTHING_BUT_LOGIN = dict.fromkeys(_ATTRIBUTES, False) | {"rolcanlogin": True}
ROLES: dict[str, dict[str, bool]] = {
    APP_ROLE: _NOTHING_BUT_LOGIN,
    MAINTENANCE_ROLE: _NOTHING_BUT_LOGIN | {"rolbypassrls": True},
}
# The app role may add and read rows of these, never change or remove them (migration 0018).
APPEND_ONLY_TABLES = ("cases_readaudit",)
# The app role reads these only.
READ_ONLY_TABLES = ("django_migrations",)
# Functions only the maintenance role runs (EXECUTE is revoked from PUBLIC by their migration).
MAINTENANCE_FUNCTIONS = ("cases_read_audit_purge(integer)",)
# Set by the demo seed to load with triggers off (PostgreSQL 15 and later can grant it).
MAINTENANCE_PARAMETERS = ("session_replication_role",)


class RoleError(Exception):
    """The roles are missing or wrong, and this login may not put them right."""


def connect(settings_dict: Mapping) -> psycopg.Connection:
    """A psycopg connection (autocommit) from a Django database settings dict."""
    params = {
        "dbname": settings_dict["NAME"],
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        **(settings_dict.get("OPTIONS") or {}),
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True, connect_timeout=10)


def set_up(conn: psycopg.Connection, *, passwords: Mapping[str, str] | None = None) -> list[str]:
    """Create or correct the roles, hand the schema to the maintenance role, grant; what changed, in words."""
    with conn.transaction():
        done = ensure_roles(conn, passwords=passwords)
        if _is_superuser(conn):
            done += take_ownership(conn)
        grant_privileges(conn)
    return done


def ensure_roles(conn: psycopg.Connection, *, passwords: Mapping[str, str] | None = None) -> list[str]:
    """As a superuser, create or correct both roles; otherwise check them (RoleError if wrong)."""
    if not _is_superuser(conn):
        check_roles(conn)
        return []
    done = []
    with conn.transaction():
        for role, attributes in ROLES.items():
            done += _ensure_role(conn, role, attributes, (passwords or {}).get(role))
        done += _grant_parameters(conn)
    return done


def check_roles(conn: psycopg.Connection) -> None:
    """Raise RoleError unless both roles exist with their attributes."""
    for role, attributes in ROLES.items():
        actual = _attributes(conn, role)
        if actual is None:
            raise RoleError(f"The database role {role} does not exist: run manage.py db_roles as a superuser.")
        wrong = [_keyword(name, value) for name, value in attributes.items() if actual[name] != value]
        if wrong:
            raise RoleError(
                f"The database role {role} should be {' '.join(wrong)}: run manage.py db_roles as a superuser."
            )


def grant_privileges(conn: psycopg.Connection) -> None:
    """Give both roles exactly their privileges on the database, its schema and every table in it.

    Run by a superuser or by the owner of the objects (the maintenance role, after a migration).
    """
    with conn.transaction():
        for statement in _grants(conn):
            conn.execute(statement)


def _grants(conn: psycopg.Connection) -> list[sql.Composed]:
    app, maintenance = sql.Identifier(APP_ROLE), sql.Identifier(MAINTENANCE_ROLE)
    database = sql.Identifier(_one(conn, "SELECT current_database()"))
    schema = sql.Identifier(_one(conn, "SELECT current_schema()"))
    statements = [
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}, {}").format(database, app, maintenance),
        # Nobody else creates objects in the schema (PostgreSQL 14 and earlier let PUBLIC).
        sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(schema),
        sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(schema, app),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, app),
        sql.SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(schema, maintenance),
        # Exactly the privileges below, whatever was granted before.
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(schema, app),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(schema, app),
        sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {} FROM {}").format(schema, app),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, app),
        # The maintenance role owns these once set_up has run as a superuser; until then, it may use them.
        sql.SQL("GRANT ALL ON ALL TABLES IN SCHEMA {} TO {}").format(schema, maintenance),
        sql.SQL("GRANT ALL ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, maintenance),
    ]
    for table in APPEND_ONLY_TABLES:
        if _exists(conn, "to_regclass", table):
            statements.append(sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), app))
    for table in READ_ONLY_TABLES:
        if _exists(conn, "to_regclass", table):
            statements.append(sql.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), app))
    for function in MAINTENANCE_FUNCTIONS:
        if _exists(conn, "to_regprocedure", function):
            # A signature from the constant above, checked to exist by the database.
            statements.append(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(function), maintenance))
    return statements


def _ensure_role(conn: psycopg.Connection, role: str, attributes: dict[str, bool], password: str | None) -> list[str]:
    done = []
    keywords = sql.SQL(" ").join(sql.SQL(_keyword(name, value)) for name, value in attributes.items())
    actual = _attributes(conn, role)
    if actual is None:
        try:
            # A savepoint: another database's set-up on the same server may create it at the same moment.
            with conn.transaction():
                conn.execute(sql.SQL("CREATE ROLE {} {}").format(sql.Identifier(role), keywords))
            done.append(f"Created the database role {role}.")
        except (psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
            pass
        actual = _attributes(conn, role)
    if any(actual[name] != value for name, value in attributes.items()):
        conn.execute(sql.SQL("ALTER ROLE {} {}").format(sql.Identifier(role), keywords))
        done.append(f"Corrected the attributes of the database role {role}.")
    if password:
        # A utility statement takes no parameters: the password is quoted as a literal.
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
    return done


# ALTER ... OWNER TO the maintenance role for every object of the schema it does not own yet, written
# by the database (format's %I quotes; regclass, regprocedure and regtype render names quoted).
_NOT_OWNED = """
SELECT format('ALTER %%s %%s OWNER TO %%I', o.kind, o.name, %(role)s::text)
FROM (
    SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
            WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
        c.oid::regclass::text, c.relowner, 'pg_class'::regclass, c.oid
    FROM pg_class c
    WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
    UNION ALL
    SELECT CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END,
        p.oid::regprocedure::text, p.proowner, 'pg_proc'::regclass, p.oid
    FROM pg_proc p
    WHERE p.pronamespace = current_schema()::regnamespace
    UNION ALL
    SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
        t.oid::regtype::text, t.typowner, 'pg_type'::regclass, t.oid
    FROM pg_type t
    WHERE t.typnamespace = current_schema()::regnamespace
        AND (t.typtype IN ('e', 'd', 'r')
            OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
) AS o (kind, name, owner, catalog, oid)
WHERE o.owner <> (SELECT oid FROM pg_roles WHERE rolname = %(role)s)
    -- Extension members belong to their extension; the sequence of a column follows its table.
    AND NOT EXISTS (
        SELECT 1 FROM pg_depend d WHERE d.classid = o.catalog AND d.objid = o.oid AND d.deptype IN ('e', 'a', 'i')
    )
"""


def take_ownership(conn: psycopg.Connection) -> list[str]:
    """As a superuser, make the maintenance role the owner of the database, its schema and its objects."""
    owner = sql.Identifier(MAINTENANCE_ROLE)
    with conn.transaction():
        database, schema = conn.execute("SELECT current_database(), current_schema()").fetchone()
        conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database), owner))
        conn.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(sql.Identifier(schema), owner))
        statements = [row[0] for row in conn.execute(_NOT_OWNED, {"role": MAINTENANCE_ROLE})]
        for statement in statements:
            conn.execute(sql.SQL(statement))  # written by the database, above
    return [f"Gave the database role {MAINTENANCE_ROLE} ownership of {len(statements)} objects."] if statements else []


def _grant_parameters(conn: psycopg.Connection) -> list[str]:
    if _one(conn, "SELECT current_setting('server_version_num')::int") < 150000:
        return []
    done = []
    for parameter in MAINTENANCE_PARAMETERS:
        if not _one(conn, "SELECT has_parameter_privilege(%s, %s, 'SET')", [MAINTENANCE_ROLE, parameter]):
            conn.execute(
                sql.SQL("GRANT SET ON PARAMETER {} TO {}").format(
                    sql.Identifier(parameter), sql.Identifier(MAINTENANCE_ROLE)
                )
            )
            done.append(f"Let the database role {MAINTENANCE_ROLE} set {parameter}.")
    return done


def _attributes(conn: psycopg.Connection, role: str) -> dict[str, bool] | None:
    row = conn.execute(
        sql.SQL("SELECT {} FROM pg_roles WHERE rolname = %s").format(
            sql.SQL(", ").join(map(sql.Identifier, _ATTRIBUTES))
        ),
        [role],
    ).fetchone()
    return dict(zip(_ATTRIBUTES, row, strict=True)) if row else None


def _keyword(name: str, value: bool) -> str:
    return _ATTRIBUTES[name][0 if value else 1]


def _exists(conn: psycopg.Connection, lookup: str, name: str) -> bool:
    return _one(conn, sql.SQL("SELECT {}(%s) IS NOT NULL").format(sql.Identifier(lookup)), [name])


def _is_superuser(conn: psycopg.Connection) -> bool:
    return _one(conn, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")


def _one(conn: psycopg.Connection, query, params=None):
    return conn.execute(query, params).fetchone()[0]
