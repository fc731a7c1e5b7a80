"""A project-local PostgreSQL for development when DATABASE_URL is not set.

The ``pgserver`` wheel ships PostgreSQL binaries; the server keeps running after the
process that started it exits, so later commands reuse it in well under a second.
"""

from __future__ import annotations

import warnings
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / ".pgdata"
DATABASE = "plo_tracker"


def database_url() -> str:
    """Start (or reuse) the embedded server and return a URL for the project database."""
    with warnings.catch_warnings():
        # pgserver asks platformdirs for a runtime folder at import; without XDG_RUNTIME_DIR
        # (containers, CI) platformdirs warns and falls back to /tmp, which is fine here.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pgserver  # imported lazily: only development without DATABASE_URL needs it

    server = pgserver.get_server(DATA_DIR, cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}';")  # noqa: S608 - constant name
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE};")
    return f"postgresql://postgres@/{DATABASE}?host={DATA_DIR}"
