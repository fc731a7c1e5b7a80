"""`make bench`: time the heavy paths at national size and print the figures.

Uses its own database (``BENCH_DATABASE_URL``, default ``plo_bench`` on the local PostgreSQL),
seeded once with ``seed_demo --scale 30 --years 10`` (``BENCH_SCALE``, ``BENCH_YEARS``) and reused
after that; ``BENCH_ONLY=api`` runs only the named further timings. Prints a line per
measurement and, last, the metrics figures as JSON: {"rows", "metrics_s", "floor_s", "ratio"}.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/plo_bench"
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
# National size by default; a small scale (with its own BENCH_DATABASE_URL) shows the figures quickly.
BENCH_SCALE = float(os.environ.get("BENCH_SCALE", "30"))
BENCH_YEARS = int(os.environ.get("BENCH_YEARS", "10"))
# Only these further timings (comma-separated: pages, board_pack, forecast, api); all when unset.
BENCH_ONLY = {name for name in os.environ.get("BENCH_ONLY", "").split(",") if name}


def production_settings() -> None:
    """Run as the app server would in production (DEBUG off: persistent database connections,
    no query log, compressed manifest static files, the Redis cache), with a throwaway key."""
    import secrets

    os.environ.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="testserver",
        REDIS_URL=BENCH_REDIS_URL,
    )


def ensure_database(url: str) -> None:
    """Create the bench database if it does not exist (connecting to the server's postgres database)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    ensure_database(BENCH_URL)
    os.environ["DATABASE_URL"] = BENCH_URL
    production_settings()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plo_tracker.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from cases import demo
    from reporting.services import metrics

    call_command("migrate", verbosity=0)
    if not demo.has_case_data():
        print(f"Seeding data (seed_demo --scale {BENCH_SCALE:g} --years {BENCH_YEARS}) ...", flush=True)
        started = time.perf_counter()
        call_command("seed_demo", scale=BENCH_SCALE, years=BENCH_YEARS)
        print(f"seed_s {time.perf_counter() - started:.1f}", flush=True)
    call_command("create_demo_users", verbosity=0, force=True)  # its own throwaway database
    call_command("collectstatic", interactive=False, verbosity=0)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE relname LIKE 'cases\\_%%' "
            "AND relname NOT LIKE '%%event' ORDER BY n_live_tup DESC"
        )
        tables = cursor.fetchall()
    rows = sum(n for _, n in tables)
    largest = tables[0][0]
    print(f"case rows {rows:,}; largest table {largest} ({tables[0][1]:,} rows)", flush=True)

    today = timezone.localdate()
    started = time.perf_counter()
    run = metrics.metrics_compute(window=metrics.full_window(as_of=today))
    metrics_s = time.perf_counter() - started
    print(
        f"metrics full recompute: {metrics_s:.2f} s, {run.rows_written:,} values, "
        f"{run.first_period:%Y-%m} to {run.last_period:%Y-%m}",
        flush=True,
    )

    def floor_scan() -> None:
        # One bare aggregate over the largest table: every row read once, grouped by LA and month.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT local_authority_id, date_trunc('month', created_at), count(*) FROM \"{largest}\" "  # noqa: S608
                "GROUP BY 1, 2"
            )
            cursor.fetchall()

    floor_s = median_seconds(floor_scan, 3)
    print(f"floor: bare scan of {largest}: {floor_s:.2f} s (median of 3)", flush=True)

    for extra in _extra_benchmarks():
        extra()

    print(
        json.dumps(
            {
                "rows": rows,
                "metrics_s": round(metrics_s, 2),
                "floor_s": round(floor_s, 3),
                "ratio": round(metrics_s / floor_s, 1),
            }
        )
    )


def _extra_benchmarks() -> list:
    """Further timings (tracker, dashboard, board pack, forecast training) registered by the modules that have them."""
    import importlib

    found = []
    for name in (
        "scripts.bench_pages",
        "scripts.bench_board_pack",
        "scripts.bench_forecast",
        "scripts.bench_api",
        "scripts.bench_imports",
    ):
        if BENCH_ONLY and name.removeprefix("scripts.bench_") not in BENCH_ONLY:
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        found.append(module.run)
    return found


if __name__ == "__main__":
    main()
