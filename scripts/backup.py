"""Back up the database with pg_dump and restore it into a fresh database with pg_restore.

Usage:

    python scripts/backup.py dump FILE [--database-url URL]
    python scripts/backup.py restore FILE --database-url URL

``dump`` writes one consistent snapshot (``pg_dump --format=custom``: compressed, restorable table
by table) of the database at ``--database-url`` (default ``DATABASE_ADMIN_URL``, else
``DATABASE_URL``), with its schema, row-level security policies, history triggers and every row,
and a ``FILE.counts.json`` beside it: the number of rows of each table when it was taken.

``restore`` loads FILE into the database at ``--database-url``, which must be new or empty: it is
created if it does not exist, and a database that already holds tables is refused rather than
merged into. The restore runs in one transaction (``--single-transaction --exit-on-error``): it
loads everything or nothing. It then counts every table again and compares with the counts taken
at the dump; any difference is an error. The last line printed is JSON
``{"tables", "rows", "matched"}``; the exit status is 1 when anything did not match.

Both connect as a role that may read every LA's rows: row-level security binds the app's own role,
so a dump taken as it would hold only what it can see. Use the superuser or the maintenance role.
The roles themselves (``plo_app``, ``plo_maintenance``) are cluster-wide: on a new server create
them first (``docker/entrypoint.sh`` or ``plo_tracker.lib.db_roles``), as the restored grants
name them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"{name} is not installed: install the PostgreSQL client (Debian: postgresql-client).")
    return path


def _counts(conn: psycopg.Connection) -> dict[str, int]:
    """Rows of every table of the public schema, exactly (``count(*)``, not the planner's estimate)."""
    tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return {
        table: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
        for (table,) in tables.fetchall()
    }


def dump(path: Path, url: str) -> dict[str, int]:
    """One snapshot of the database in ``path``, and its table counts beside it."""
    # The counts and the dump are taken in one repeatable-read snapshot, so they agree even while
    # the service writes: pg_dump joins the exported snapshot of the transaction that counted.
    with psycopg.connect(url, autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = _counts(conn)
        subprocess.run(
            [_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={path}", url],
            check=True,
        )
    counts_path(path).write_text(json.dumps(counts, indent=1, sort_keys=True))
    return counts


def counts_path(path: Path) -> Path:
    return path.with_name(path.name + ".counts.json")


def _ensure_empty_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return
    with psycopg.connect(url) as conn:
        held = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    if held:
        raise SystemExit(f"The database {name} already holds {held} tables: restore into a new or empty database.")


def restore(path: Path, url: str) -> dict:
    """Load the dump into the new or empty database at ``url`` and compare every table's rows."""
    if not path.is_file():
        raise SystemExit(f"No dump at {path}.")
    _ensure_empty_database(url)
    subprocess.run(
        [_tool("pg_restore"), "--single-transaction", "--exit-on-error", f"--dbname={url}", str(path)],
        check=True,
    )
    expected = json.loads(counts_path(path).read_text()) if counts_path(path).is_file() else None
    with psycopg.connect(url) as conn:
        found = _counts(conn)
    if expected is None:
        mismatched = []
        print("No counts file beside the dump: restored, not compared.")
    else:
        mismatched = sorted(
            table for table in expected.keys() | found.keys() if expected.get(table) != found.get(table)
        )
        for table in mismatched:
            print(f"{table}: {expected.get(table, 'absent')} rows in the dump, {found.get(table, 'absent')} restored")
    return {"tables": len(found), "rows": sum(found.values()), "matched": not mismatched}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump", help="Write a snapshot of the database to FILE.")
    dumping.add_argument("file", type=Path)
    default_url = os.environ.get("DATABASE_ADMIN_URL") or os.environ.get("DATABASE_URL")
    dumping.add_argument("--database-url", default=default_url)
    restoring = commands.add_parser("restore", help="Load FILE into a new or empty database and check it.")
    restoring.add_argument("file", type=Path)
    restoring.add_argument("--database-url", required=True)
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url (or set DATABASE_ADMIN_URL or DATABASE_URL)")
    if args.command == "dump":
        counts = dump(args.file, args.database_url)
        print(json.dumps({"tables": len(counts), "rows": sum(counts.values()), "file": str(args.file)}))
        return 0
    result = restore(args.file, args.database_url)
    print(json.dumps(result))
    return 0 if result["matched"] else 1


if __name__ == "__main__":
    sys.exit(main())
