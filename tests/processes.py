"""Helpers for tests that run the project's own commands as separate processes."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parent.parent
# The virtualenv running the tests: its bin/ holds gunicorn and celery.
VENV_BIN = Path(sys.executable).parent


def database_url(settings_dict: dict) -> str:
    """DATABASE_URL for a Django database settings dict (TCP host or socket directory)."""
    auth = quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        auth += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or ""
    query = dict(settings_dict.get("OPTIONS") or {})
    if host.startswith("/"):
        query["host"] = host
        netloc = f"{auth}@" if auth else ""
    else:
        port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
        netloc = f"{auth}@{host}{port}" if auth else f"{host}{port}"
    url = f"postgresql://{netloc}/{quote(settings_dict['NAME'], safe='')}"
    return f"{url}?{urlencode(query)}" if query else url


# Set for the test process only (tests/browser/conftest.py); production never has it.
TEST_ONLY_VARIABLES = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def process_env(**overrides: str) -> dict[str, str]:
    """This environment with the virtualenv first on PATH, plus ``overrides``."""
    env = {name: value for name, value in os.environ.items() if name not in TEST_ONLY_VARIABLES}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    env.update(overrides)
    return env


def production_env(*, database_url: str, redis_url: str, **overrides: str) -> dict[str, str]:
    """Environment as docker-compose.yml gives the app containers."""
    production = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "plo.example.org",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
    }
    return process_env(**{**production, **overrides})


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` with ``args`` in a new process and capture its output."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class CeleryWorker:
    """A real Celery worker process on its own queue, against the given database and Redis.

    Use as a context manager; ``send`` routes a task by name to this worker's queue and waits.
    """

    def __init__(self, *, database: str, redis_url: str, log_dir: Path, **env: str) -> None:
        import uuid

        self.queue = f"test-{uuid.uuid4().hex}"
        self.redis_url = redis_url
        self.log = log_dir / f"{self.queue}.log"
        self.env = production_env(
            database_url=database,
            redis_url=redis_url,
            CELERY_WORKER_QUEUES=self.queue,
            CELERY_WORKER_CONCURRENCY="1",
            CELERY_WORKER_HOSTNAME=f"{self.queue}@%h",
            **env,
        )
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> CeleryWorker:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(VENV_BIN / "celery"), "--app=plo_tracker", "worker", "--loglevel=INFO"],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def __exit__(self, *exc) -> None:
        import signal

        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def send(self, task: str, *, args=(), kwargs=None, timeout: float = 120):
        """Send ``task`` through the broker to this worker and return its result."""
        import time

        from celery import Celery

        client = Celery("tests", broker=self.redis_url, backend=self.redis_url)
        try:
            result = client.send_task(task, args=list(args), kwargs=kwargs or {}, queue=self.queue)
            deadline = time.monotonic() + timeout
            while not result.ready():
                if self.process.poll() is not None:
                    raise AssertionError(f"worker exited:\n{self.output()[-4000:]}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"task {task} did not finish in {timeout}s:\n{self.output()[-4000:]}")
                time.sleep(0.2)
            return result.get(timeout=5)
        finally:
            client.close()
