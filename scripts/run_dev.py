"""`make run`: prepare the database and serve PLO Tracker on http://127.0.0.1:8000.

HOST and PORT choose another address (checked first, so a bad value stops at once). Steps, each
safe to repeat:
1. create the database named by DATABASE_URL if missing (without DATABASE_URL, this starts the
   embedded PostgreSQL in .pgdata/);
2. with that login (a superuser's), create the database roles the service runs as
   (``plo_tracker.lib.db_roles``), and pass every process it starts URLs that log in as them: the
   app as ``plo_app`` (DATABASE_URL), maintenance work as ``plo_maintenance``
   (MAINTENANCE_DATABASE_URL), without passwords, as the embedded server and a local server that
   trusts local logins allow. With MAINTENANCE_DATABASE_URL set, both URLs are used as they are;
   then migrate (as the maintenance role);
3. load demo data with ``seed_demo`` if that command exists and no family is recorded yet;
4. compute the metrics for every month, build last month's board pack and store the regional data
   exercise's figures, the first time only (afterwards the nightly tasks keep them up to date);
5. create the demo users with ``create_demo_users`` (it prints the logins, and how to get the
   authenticator app code each sign-in asks for: ``manage.py demo_code <username>``);
6. print the address with the demo logins and run Django's development server. With REDIS_URL
   set, a Celery worker and beat run beside it as child processes and are stopped when the server
   stops (Ctrl-C). Without REDIS_URL, tasks run in-process (settings make Celery eager).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from with_services import ensure_database

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# On Ctrl-C the terminal signals every process of the job: how long they get to finish by
# themselves before they are asked again (SIGTERM).
STOP_GRACE_SECONDS = 10


def server_address() -> tuple[str, str]:
    """The development server's address from HOST and PORT, as runserver takes it and as a URL."""
    from plo_tracker.lib.env import env_host, env_port

    host = env_host("HOST", default="127.0.0.1")
    port = env_port("PORT", default=8000)
    if ":" in host:  # IPv6: bracketed, as runserver and URLs want it
        host = f"[{host}]"
    return f"{host}:{port}", f"http://{host}:{port}/"


def _demo_data_loaded() -> bool:
    from django.apps import apps

    try:
        family = apps.get_model("cases", "Family")
    except LookupError:
        return False
    return family._base_manager.exists()


def _first_metrics_and_pack(call_command) -> None:
    """Figures for the dashboard and the data exercise, and a board pack to download, the first time the app runs."""
    from django.utils import timezone

    from plo_tracker.lib.dates import add_months, month_start
    from reporting.models import BoardPack, CompletenessSnapshot, MetricRun

    if not MetricRun.objects.filter(status=MetricRun.Status.SUCCEEDED).exists():
        print("Computing the metrics for every month (first run only)...")
        call_command("compute_metrics", "--all")
    if not BoardPack.objects.exists():
        month = add_months(month_start(timezone.localdate()), -1)
        print(f"Building the board pack for {month:%B %Y} (first run only)...")
        call_command("build_board_pack", "--month", f"{month:%Y-%m}")
    if not CompletenessSnapshot.objects.exists():
        print("Computing the regional data exercise's figures (first run only)...")
        call_command("compute_completeness")


def login_as(url: str, role: str) -> str:
    """``url`` with ``role`` as its user and no password: the same server, database and options."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(role, safe='')}@{host}"))


def set_up_roles(admin_url: str) -> None:
    """Create the database roles with the superuser login in ``admin_url`` and run as them from now on."""
    from plo_tracker.lib import db_roles
    from plo_tracker.lib.env import parse_database_url

    try:
        with db_roles.connect(parse_database_url(admin_url)) as conn:
            for line in db_roles.set_up(conn):
                print(line)
    except db_roles.RoleError as error:
        sys.exit(
            f"{error}\nmake run creates the database roles with the login in DATABASE_URL, which must be a "
            "superuser's; or set MAINTENANCE_DATABASE_URL too, to use both URLs as they are."
        )
    os.environ["DATABASE_URL"] = login_as(admin_url, db_roles.APP_ROLE)
    os.environ["MAINTENANCE_DATABASE_URL"] = login_as(admin_url, db_roles.MAINTENANCE_ROLE)
    print(f"The app runs as the database role {db_roles.APP_ROLE}; maintenance work as {db_roles.MAINTENANCE_ROLE}.")


def prepare_database() -> None:
    import django
    from django.core.management import call_command, get_commands
    from django.db import connections

    from plo_tracker.lib import tenancy

    django.setup()
    call_command("migrate", interactive=False, verbosity=1)
    commands = get_commands()
    with tenancy.maintenance():  # the app's role sees no family with no LA set
        loaded = _demo_data_loaded()
    if "seed_demo" in commands and not loaded:
        print("Loading demo data (first run only)...")
        call_command("seed_demo")
    _first_metrics_and_pack(call_command)
    if "create_demo_users" in commands:
        call_command("create_demo_users")
    else:
        print("No demo users: the create_demo_users command does not exist yet.")
    connections.close_all()


def start_celery() -> list[subprocess.Popen]:
    """A real worker and beat on the REDIS_URL broker, as in docker-compose.yml."""
    celery = str(BIN / "celery")
    return [
        subprocess.Popen([celery, "-A", "plo_tracker", "worker", "--loglevel=INFO"], cwd=ROOT),
        subprocess.Popen([celery, "-A", "plo_tracker", "beat", "--loglevel=INFO"], cwd=ROOT),
    ]


def stop(processes: list[subprocess.Popen], *, grace: float = 0) -> None:
    """Stop the children: ``grace`` seconds to exit by themselves, then SIGTERM, then SIGKILL.

    Cutting a process short in its own clean-up (as a SIGTERM straight after Ctrl-C did) leaves
    half-written files behind and prints tracebacks.
    """
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    os.chdir(ROOT)
    from django.core.exceptions import ImproperlyConfigured

    try:
        address, url = server_address()
    except ImproperlyConfigured as error:
        print(error, file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plo_tracker.settings")
    if os.environ.get("DATABASE_URL"):
        ensure_database(os.environ["DATABASE_URL"])
    else:
        from plo_tracker.lib.embedded_postgres import database_url

        # Resolved once and handed down: the server, its reloader and Celery connect to it
        # without each opening the embedded server again.
        os.environ["DATABASE_URL"] = database_url()
    if not os.environ.get("MAINTENANCE_DATABASE_URL"):
        set_up_roles(os.environ["DATABASE_URL"])
    prepare_database()

    # SIGTERM (e.g. from a process manager) stops the children the same way Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    processes: list[subprocess.Popen] = []
    interrupted = False
    try:
        if os.environ.get("REDIS_URL"):
            print("REDIS_URL is set: starting a Celery worker and beat.")
            processes += start_celery()
        else:
            print("REDIS_URL is not set: Celery tasks run in-process.")
        print(
            f"\nPLO Tracker: {url} (sign in with a demo login above; Ctrl-C to stop)\n"
            "Code for the second step: .venv/bin/python manage.py demo_code <username>\n",
            flush=True,
        )
        server = subprocess.Popen([sys.executable, "manage.py", "runserver", address], cwd=ROOT)
        processes.insert(0, server)
        return server.wait()
    except KeyboardInterrupt:
        interrupted = True
        return 0
    finally:
        # After Ctrl-C the children are already stopping (they had the SIGINT too).
        stop(processes, grace=STOP_GRACE_SECONDS if interrupted else 0)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl-C while preparing the database: stop without a traceback
        sys.exit(130)
