"""A project-local PostgreSQL for development when DATABASE_URL is not set.

The ``pgserver`` wheel ships PostgreSQL binaries; the server keeps running after the
process that started it exits, so later commands reuse it in well under a second.
"""

from __future__ import annotations

import atexit
import json
import os
import warnings
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / ".pgdata"
DATABASE = "plo_tracker"
# pgserver's list of the processes holding a handle on the server (see ``_release_handle``).
HANDLE_LIST = DATA_DIR / ".handle_pids.json"


def database_url() -> str:
    """Start (or reuse) the embedded server and return a URL for the project database."""
    with warnings.catch_warnings():
        # pgserver asks platformdirs for a runtime folder at import; without XDG_RUNTIME_DIR
        # (containers, CI) platformdirs warns and falls back to /tmp, which is fine here.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pgserver  # imported lazily: only development without DATABASE_URL needs it
        from pgserver.postgres_server import PostgresServer

    with PostgresServer._lock:
        _heal_handle_list()
    server = pgserver.get_server(DATA_DIR, cleanup_mode=None)
    _release_handle(server)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}';")  # noqa: S608 - constant name
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE};")
    return f"postgresql://postgres@/{DATABASE}?host={DATA_DIR}"


def _release_handle(server) -> None:
    """Give up this process's handle on the server at once, instead of at exit.

    pgserver records every process that opens the server in a JSON file, and each one rewrites it
    at exit so that the last can stop the server. This project never stops it (``cleanup_mode``
    None), so the list serves nothing, and rewriting it at exit is harmful: on Ctrl-C every process
    of ``make run`` (the runner, the development server and its reloader, Celery) exits at once,
    and a process stopped in the middle of its rewrite (by the runner's SIGTERM) leaves the file
    empty, so the others print a JSONDecodeError traceback, and so does the next start.
    """
    atexit.unregister(server._cleanup)
    with server._lock:
        server.global_process_id_list.get_and_remove(os.getpid())


def _heal_handle_list() -> None:
    """Empty the handle list if an interrupted write left it unreadable (pgserver reads it at start)."""
    try:
        pids = json.loads(HANDLE_LIST.read_text())
    except FileNotFoundError:
        return
    except ValueError:
        pids = None
    if not isinstance(pids, list):
        HANDLE_LIST.write_text("[]")
