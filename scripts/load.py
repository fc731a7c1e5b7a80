"""``make load``: a headless locust run against gunicorn with production settings, on loopback.

The server is the compose web command (gunicorn, DEBUG off, Redis cache) on a free 127.0.0.1
port; locust ramps to ``LOAD_USERS`` simulated users (default 200) at ``LOAD_SPAWN_RATE`` a second
and stops after ``LOAD_DURATION`` (default 3m). The users (scripts/locustfile.py) mix social
workers, meeting chairs, analysts, API clients and board members of the largest LA.

Before it starts, this script prepares, in the load database: one signed-in session per simulated
person (made as the project's sign-in leaves them, both steps done, with the server's secret key,
so no second factor is weakened), service-account API tokens, a tracker meeting to step through
and a board pack to download (built if the latest metrics month has none). The sessions and
tokens are deleted afterwards.

Environment:
  LOAD_DATABASE_URL  the database (default: the national bench database of ``make bench``,
                     postgres://postgres@127.0.0.1:5432/plo_bench); it must be seeded and migrated.
  REDIS_URL          Redis for the cache (default redis://127.0.0.1:6379/0).
  LOAD_USERS, LOAD_SPAWN_RATE, LOAD_DURATION, LOAD_WEB_WORKERS (default 2 x cores + 1),
  LOAD_WAIT      seconds each user waits between requests, "min,max" (default "1,3").

It prints p50, p95 and p99 per page and the error count; the last line is JSON
``{"users", "rps", "p95_ms", "errors"}``. The exit code is 1 when any request failed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/plo_bench"
SESSIONS_PER_ROLE = 60
API_TOKENS = 10
SERVICE_ACCOUNT_NAME = "Load test client"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment() -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": os.environ.get("LOAD_DATABASE_URL") or DEFAULT_DATABASE_URL,
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "LOG_LEVEL": "WARNING",
    }


def prepare(users: int) -> tuple[dict, list[str], list[int]]:
    """Sessions, tokens, a meeting and a pack in the load database; returns fixtures and what to delete."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import services as account_services
    from cases import constants as c
    from cases import models as m
    from cases.services import meetings
    from plo_tracker.lib import tenancy
    from plo_tracker.middleware import LAST_ACTIVITY, SIGNED_IN_AT
    from reporting.models import BoardPack, PeriodSnapshot
    from reporting.services import board_packs

    largest = (m.Family.objects.values("local_authority").annotate(n=Count("pk")).order_by("-n").first()) or sys.exit(
        "The load database has no cases: seed it first (see the README, 'make load')."
    )
    la = m.LocalAuthority.objects.get(pk=largest["local_authority"])
    people = {
        "social_worker": m.User.objects.filter(local_authority=la, role=c.Role.SOCIAL_WORKER, is_active=True),
        "chair": m.User.objects.filter(local_authority=la, role=c.Role.QUADRANT_CHAIR, is_active=True),
        "analyst": m.User.objects.filter(role=c.Role.REGIONAL_ANALYST, is_active=True),
        "board": m.User.objects.filter(role=c.Role.BOARD_MEMBER, is_active=True),
    }
    now = int(timezone.now().timestamp())
    sessions: dict[str, list[str]] = {}
    for role, found in people.items():
        accounts = list(found.order_by("pk")[:SESSIONS_PER_ROLE])
        if not accounts:
            sys.exit(f"The load database has no active {role.replace('_', ' ')} (run create_demo_users).")
        keys = []
        for index in range(min(SESSIONS_PER_ROLE, users)):
            user = accounts[index % len(accounts)]
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
                user=user, name="Load test authenticator app", confirmed=True
            )
            # As django.contrib.auth.login and django-otp's login leave a session after both steps.
            session = SessionStore()
            session["_auth_user_id"] = str(user.pk)
            session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
            session["_auth_user_hash"] = user.get_session_auth_hash()
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session[LAST_ACTIVITY] = session[SIGNED_IN_AT] = now
            session.create()
            keys.append(session.session_key)
        sessions[role] = keys

    admin = m.User.objects.filter(local_authority=la, role=c.Role.LA_ADMIN, is_active=True).first()
    if admin is None:
        sys.exit(f"The load database has no LA administrator for {la.short_name} (run create_demo_users).")
    account = m.User.objects.filter(
        local_authority=la, role=c.Role.API_READ, first_name=SERVICE_ACCOUNT_NAME, is_active=True
    ).first() or account_services.service_account_create(user=admin, name=SERVICE_ACCOUNT_NAME, scope=c.Role.API_READ)
    issued = [account_services.service_token_issue(user=admin, account=account, days=1) for _ in range(API_TOKENS)]

    chair = people["chair"].first()
    meeting = (
        m.TrackerMeeting.objects.filter(local_authority=la, closed_at__isnull=True)
        .annotate(n=Count("items"))
        .filter(n__gt=0)
        .first()
    )
    if meeting is None:
        meeting = meetings.meeting_open(user=chair, scope=c.ScopeKind.LA, meeting_date=timezone.localdate())
    items = meeting.items.count()

    pack = BoardPack.objects.order_by("-month").first()
    if pack is None:
        month = PeriodSnapshot.objects.filter(period__lt=timezone.localdate().replace(day=1)).order_by("-period")
        if month.exists():
            with tenancy.maintenance():
                pack = board_packs.board_pack_generate(month=month.first().period)

    cases = list(m.Family.objects.filter(local_authority=la).order_by("?").values_list("pk", flat=True)[:500])
    fixtures = {
        "la": la.short_name,
        "open_cases": largest["n"],
        "sessions": sessions,
        "tokens": [token for _, token in issued],
        "cases": cases,
        "meeting": {"id": meeting.pk, "items": items} if items else None,
        "pack": pack.pk if pack else None,
        "updated_since": (timezone.now() - dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    made_sessions = [key for keys in sessions.values() for key in keys]
    return fixtures, made_sessions, [instance.pk for instance, _ in issued]


def clean_up(session_keys: list[str], token_ids: list[int]) -> None:
    from django.contrib.sessions.models import Session
    from knox.models import AuthToken

    Session.objects.filter(session_key__in=session_keys).delete()
    AuthToken.objects.filter(pk__in=token_ids).delete()


def _wait_for(url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            sys.exit("gunicorn exited during start-up.")
        try:
            with urllib.request.urlopen(url, timeout=30):  # noqa: S310 - local http URL
                return
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"gunicorn did not answer {url} within {timeout:.0f}s.")
            time.sleep(0.5)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def summarise(prefix: Path) -> dict:
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    history = list(csv.DictReader(open(f"{prefix}_stats_history.csv", encoding="utf-8")))  # noqa: SIM115
    peak_users = max((int(_number(row["User Count"])) for row in history), default=0)
    print(f"\n{'page':<34}{'requests':>9}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    total = None
    for row in rows:
        if row["Name"] == "Aggregated":
            total = row
            continue
        print(
            f"{row['Name'][:33]:<34}{row['Request Count']:>9}{row['Failure Count']:>8}"
            f"{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}"
        )
    assert total is not None, "locust wrote no totals"
    print(
        f"{'all pages':<34}{total['Request Count']:>9}{total['Failure Count']:>8}"
        f"{total['50%']:>8}{total['95%']:>8}{total['99%']:>8}"
    )
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        for row in list(csv.DictReader(open(failures, encoding="utf-8")))[:10]:  # noqa: SIM115
            print(f"  error: {row['Method']} {row['Name']}: {row['Error']} x{row['Occurrences']}")
    return {
        "users": peak_users,
        "rps": round(_number(total["Requests/s"]), 1),
        "p95_ms": int(_number(total["95%"])),
        "errors": int(_number(total["Failure Count"])),
    }


def main() -> int:
    env = _environment()
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plo_tracker.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    users = int(os.environ.get("LOAD_USERS", "200"))
    rate = os.environ.get("LOAD_SPAWN_RATE", "10")
    duration = os.environ.get("LOAD_DURATION", "3m")
    web_workers = os.environ.get("LOAD_WEB_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
    fixtures, session_keys, token_ids = prepare(users)
    call_command("collectstatic", interactive=False, verbosity=0)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    print(
        f"Load: {users} users (+{rate}/s, {os.environ.get('LOAD_WAIT', '1,3').replace(',', '-')} s between "
        f"requests) for {duration} against gunicorn ({web_workers} workers) on {base_url}; "
        f"{fixtures['la']}, {fixtures['open_cases']:,} cases; database {settings.DATABASES['default']['NAME']}",
        flush=True,
    )
    import yaml

    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["command"]
    server_env = {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": web_workers,
    }
    with tempfile.TemporaryDirectory(prefix="plo-load-") as workdir:
        fixture_file = Path(workdir) / "fixtures.json"
        fixture_file.write_text(json.dumps(fixtures))
        server_log = Path(workdir) / "gunicorn.log"
        with server_log.open("wb") as log:
            server = subprocess.Popen(
                command, cwd=ROOT, env=server_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            _wait_for(f"{base_url}/healthz", server)
            prefix = Path(workdir) / "load"
            locust = [str(VENV_BIN / "locust"), "-f", str(ROOT / "scripts" / "locustfile.py"), "--headless"]
            locust += ["--users", str(users), "--spawn-rate", rate, "--run-time", duration, "--host", base_url]
            locust += ["--csv", str(prefix), "--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"]
            with (Path(workdir) / "locust.log").open("wb") as locust_log:
                ran = subprocess.run(
                    locust,
                    cwd=ROOT,
                    env={**server_env, "PLO_LOAD_FIXTURES": str(fixture_file)},
                    check=False,
                    stdout=locust_log,
                    stderr=subprocess.STDOUT,
                )
            if not Path(f"{prefix}_stats.csv").exists():
                output = (Path(workdir) / "locust.log").read_text()[-3000:]
                sys.exit(f"locust failed (exit code {ran.returncode}):\n{output}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
            clean_up(session_keys, token_ids)
        server_errors = server_log.read_text(errors="replace").count("Internal Server Error")
        result = summarise(prefix)
    if server_errors:
        print(f"  the server logged {server_errors} internal server errors")
    print(json.dumps(result))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
