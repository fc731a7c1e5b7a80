"""Run a command with the services the test suite needs: PostgreSQL and Redis.

Usage: ``python scripts/with_services.py COMMAND [ARG ...]`` (``make test`` uses it).

- PostgreSQL: when ``DATABASE_URL`` is set, the database it names is created if missing;
  when it is not set, settings start the embedded server in ``.pgdata/`` themselves.
- Redis: ``REDIS_URL`` defaults to ``redis://127.0.0.1:6379/0``. If nothing answers there and
  the URL is on this machine, a private ``redis-server`` is started on a free port for the length
  of the command and stopped afterwards; if there is no ``redis-server`` either, this fails with
  a message saying how to get one. Tests are never skipped for want of a service.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}

sys.path.insert(0, str(ROOT))


def ensure_database(url: str | None) -> None:
    """Create the database named by ``url`` if the server does not have it yet."""
    if not url:
        return
    import psycopg
    from psycopg import sql

    from plo_tracker.lib.env import parse_database_url

    params = parse_database_url(url)
    connect_args = {
        "dbname": "postgres",
        "host": params["HOST"] or None,
        "port": params["PORT"] or None,
        "user": params["USER"] or None,
        "password": params["PASSWORD"] or None,
        "autocommit": True,
        "connect_timeout": 10,
    }
    try:
        with psycopg.connect(**{k: v for k, v in connect_args.items() if v is not None}) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["NAME"])))
                print(f"Created database {params['NAME']}.", file=sys.stderr)
    except psycopg.Error as exc:
        # Not fatal: the server may refuse us the maintenance database but still hold ours.
        print(f"Could not check that database {params['NAME']} exists: {exc}".strip(), file=sys.stderr)


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def private_redis_server(url: str) -> Iterator[str]:
    """Start ``redis-server`` on a free local port; yield ``url`` pointed at it."""
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit(
            f"No Redis answers at {url} and there is no redis-server to start one.\n"
            "Install Redis (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)\n"
            "or set REDIS_URL to a Redis server you can use, e.g. REDIS_URL=redis://127.0.0.1:6379/0."
        )
    port = _free_port()
    parts = urlsplit(url)
    private_url = urlunsplit(("redis", f"127.0.0.1:{port}", parts.path or "/0", "", ""))
    with tempfile.TemporaryDirectory(prefix="plo-redis-") as workdir:
        server = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir],
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 10
            while not redis_answers(private_url):
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"redis-server on port {port} did not start.")
                time.sleep(0.1)
            print(f"No Redis answered at {url}; started redis-server on port {port} for this run.", file=sys.stderr)
            yield private_url
        finally:
            server.terminate()
            server.wait(timeout=10)


@contextmanager
def redis_for_tests() -> Iterator[str]:
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    if redis_answers(url):
        yield url
        return
    if urlsplit(url).hostname not in LOCAL_HOSTS:
        sys.exit(f"No Redis answers at REDIS_URL={url}. Start it, or unset REDIS_URL to use a local one.")
    with private_redis_server(url) as private_url:
        yield private_url


def main(argv: list[str]) -> int:
    if not argv:
        sys.exit(__doc__)
    ensure_database(os.environ.get("DATABASE_URL"))
    with redis_for_tests() as redis_url:
        env = {**os.environ, "REDIS_URL": redis_url}
        command = subprocess.Popen(argv, env=env)
        try:
            return command.wait()
        except KeyboardInterrupt:
            return command.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
