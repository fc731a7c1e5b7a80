"""Deployment smoke test: the web, worker and beat commands of docker-compose.yml, run for real.

Docker cannot run on the development machines, so the commands are taken from the compose file
and started here as processes against the pytest database and real Redis, with the production
environment the containers get.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from celery import Celery
from django.conf import settings
from django.db import connection

from tests.processes import REPO, VENV_BIN, database_url, production_env

COMPOSE_FILE = REPO / "docker-compose.yml"
SMOKE_SERVICES = ("web", "worker", "beat")
# The `scale` profile: replicas of the web and worker commands (and a balancer, not an app image).
SCALE_SERVICES = ("web-replica", "worker-replica")
START_TIMEOUT = 60


def compose_services() -> dict[str, dict]:
    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]


def compose_command(service: str) -> list[str]:
    return compose_services()[service]["command"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Service:
    name: str
    command: list[str]
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def failure(self, what: str) -> str:
        return f"{self.name}: {what} (exit code {self.process.poll()}). Output:\n{self.output()[-4000:]}"

    def wait_for_output(self, text: str, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.process.poll() is None, self.failure("exited during start-up")
            assert time.monotonic() < deadline, self.failure(f"did not log {text!r} within {timeout}s")
            time.sleep(0.2)


@pytest.fixture
def smoke(db, tmp_path):
    """Start web, worker and beat from their compose commands; stop them all afterwards."""
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL is not set: the smoke test needs a real Redis (make test provides one).")
    # The pytest database: it exists once a test asks for `db`. Only SELECT 1 runs against it.
    assert connection.settings_dict["NAME"].startswith("test_")
    port = _free_port()
    queue = f"smoke-{uuid.uuid4().hex}"  # only this test's worker consumes it, whoever else shares Redis
    env = production_env(
        database_url=database_url(connection.settings_dict),
        redis_url=settings.REDIS_URL,
        ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
        # Celery's command line reads CELERY_<COMMAND>_<OPTION> variables, as compose does for beat.
        CELERY_BEAT_SCHEDULE=str(tmp_path / "celerybeat-schedule"),
        CELERY_WORKER_QUEUES=queue,
        CELERY_WORKER_CONCURRENCY="1",
        CELERY_WORKER_HOSTNAME=f"{queue}@%h",
    )
    services: dict[str, Service] = {}
    try:
        for name in SMOKE_SERVICES:
            command = compose_command(name)
            log = tmp_path / f"{name}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )
            services[name] = Service(name, command, process, log)
        yield {"services": services, "base_url": f"http://127.0.0.1:{port}", "queue": queue}
    finally:
        for service in services.values():
            if service.process.poll() is None:
                # Whatever a failed test left running, and its children, goes.
                os.killpg(service.process.pid, signal.SIGKILL)
                service.process.wait()


def _get_healthz(base_url: str, web: Service) -> dict:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        assert web.process.poll() is None, web.failure("exited during start-up")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:  # noqa: S310 - local http URL
                return {"status_code": response.status, **json.load(response)}
        except urllib.error.HTTPError as error:  # answered, but not healthy: report what it said
            return {"status_code": error.code, **json.load(error)}
        except OSError:
            assert time.monotonic() < deadline, web.failure(f"did not answer /healthz within {START_TIMEOUT}s")
            time.sleep(0.3)


def test_it_runs_web_worker_and_beat_from_the_compose_commands(smoke):
    services: dict[str, Service] = smoke["services"]
    web, worker, beat = services["web"], services["worker"], services["beat"]
    assert {name: s.command for name, s in services.items()} == {name: compose_command(name) for name in services}

    # web: gunicorn serves the health check with a live database and Redis.
    health = _get_healthz(smoke["base_url"], web)
    assert health == {"status_code": 200, "status": "ok", "database": "ok", "redis": "ok"}

    # worker: a task sent through the Redis broker (not run eagerly) comes back from the worker.
    client = Celery("smoke", broker=settings.REDIS_URL, backend=settings.REDIS_URL)
    token = uuid.uuid4().hex
    try:
        result = client.send_task("plo_tracker.ping", args=[token], queue=smoke["queue"])
        deadline = time.monotonic() + START_TIMEOUT
        while not result.ready():
            assert worker.process.poll() is None, worker.failure("exited before running the task")
            assert time.monotonic() < deadline, worker.failure(f"did not run the task within {START_TIMEOUT}s")
            time.sleep(0.2)
        assert result.get(timeout=5) == token
    finally:
        client.close()
    assert "plo_tracker.ping" in worker.output()

    # beat: starts, writes its schedule where the environment says, and stays up.
    beat.wait_for_output("beat: Starting...")
    time.sleep(2)
    assert beat.process.poll() is None, beat.failure("stopped after starting")
    assert list(beat.log.parent.glob("celerybeat-schedule*")), "beat wrote no schedule file in the test's folder"

    # All three stop cleanly on SIGTERM, as `docker compose stop` asks them to.
    for service in services.values():
        service.process.send_signal(signal.SIGTERM)
    for service in services.values():
        try:
            code = service.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail(service.failure("did not stop within 30s of SIGTERM"))
        assert code == 0, service.failure("did not exit cleanly on SIGTERM")


def test_it_smoke_tests_every_app_service_in_the_compose_file():
    services = compose_services()
    app_services = {name for name, service in services.items() if "build" in service}
    assert app_services == {*SMOKE_SERVICES, *SCALE_SERVICES}
    for name in (*SMOKE_SERVICES, *SCALE_SERVICES):
        command = services[name]["command"]
        # Exec form: the list the smoke test starts is exactly what the container runs.
        assert isinstance(command, list), f"{name}: command must be a list"
        assert all(isinstance(part, str) for part in command)
        assert shutil.which(command[0], path=str(VENV_BIN)), f"{name}: {command[0]} is not installed"
    assert "plo_tracker/gunicorn.conf.py" in services["web"]["command"]
    assert (REPO / "plo_tracker/gunicorn.conf.py").is_file()


ALL_SERVICES = ["db", "redis", "web", "worker", "beat", "web-replica", "worker-replica", "balancer"]


@pytest.mark.parametrize("service", ALL_SERVICES)
def test_it_gives_every_compose_service_a_healthcheck(service):
    services = compose_services()
    assert set(services) == set(ALL_SERVICES)
    healthcheck = services[service].get("healthcheck") or {}
    assert healthcheck.get("test"), f"{service} has no healthcheck"
    assert not healthcheck.get("disable")


def test_it_builds_the_image_to_run_the_web_command_by_default():
    dockerfile = (REPO / "Dockerfile").read_text()
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    assert json.loads(cmd.removeprefix("CMD ")) == compose_command("web")


def test_the_scale_profile_has_two_web_and_two_worker_replicas():
    services = compose_services()
    for name in (*SCALE_SERVICES, "balancer"):
        assert services[name]["profiles"] == ["scale"], name
    assert services["web-replica"]["deploy"]["replicas"] == 2
    assert services["worker-replica"]["deploy"]["replicas"] == 2
    # Only the single web service migrates; the replicas wait for it.
    assert "MIGRATE_ON_START" not in services["web-replica"]["environment"]
    assert services["web-replica"]["depends_on"] == {"web": {"condition": "service_healthy"}}
    conf = (REPO / services["balancer"]["volumes"][0].split(":")[0]).read_text()
    assert "server web-replica:8000;" in conf


def _start(name: str, command: list[str], env: dict[str, str], log: Path) -> Service:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Service(name, command, process, log)


@pytest.mark.celery_worker
def test_it_runs_the_scale_profile_replicas_from_their_compose_commands(db, tmp_path):
    """Two web replicas answer on their own ports; two worker replicas share one queue and both take work."""
    services = compose_services()
    replicas: list[Service] = []
    queue = f"scale-{uuid.uuid4().hex}"
    base = production_env(
        database_url=database_url(connection.settings_dict),
        redis_url=settings.REDIS_URL,
        ALLOWED_HOSTS="127.0.0.1",
        GUNICORN_WORKERS="1",
        CELERY_WORKER_QUEUES=queue,
        CELERY_WORKER_CONCURRENCY="1",
    )
    ports = []
    try:
        for index in range(services["web-replica"]["deploy"]["replicas"]):
            ports.append(_free_port())
            env = {**base, "GUNICORN_BIND": f"127.0.0.1:{ports[-1]}"}
            replicas.append(_start(f"web-{index}", compose_command("web-replica"), env, tmp_path / f"web-{index}.log"))
        for index in range(services["worker-replica"]["deploy"]["replicas"]):
            env = {**base, "CELERY_WORKER_HOSTNAME": f"{queue}-{index}@%h"}
            log = tmp_path / f"worker-{index}.log"
            replicas.append(_start(f"worker-{index}", compose_command("worker-replica"), env, log))
        webs, workers = replicas[:2], replicas[2:]
        for port, web in zip(ports, webs, strict=True):
            assert _get_healthz(f"http://127.0.0.1:{port}", web)["status"] == "ok"
        for worker in workers:
            worker.wait_for_output(" ready.")
        client = Celery("scale", broker=settings.REDIS_URL, backend=settings.REDIS_URL)
        try:
            # Each worker takes one task at a time (prefetch 1), so a slow task keeps the other busy.
            deadline = time.monotonic() + START_TIMEOUT
            while not all("plo_tracker.ping" in worker.output() for worker in workers):
                assert time.monotonic() < deadline, [worker.output()[-2000:] for worker in workers]
                results = [client.send_task("plo_tracker.ping", args=[str(n)], queue=queue) for n in range(4)]
                assert [result.get(timeout=30) for result in results] == ["0", "1", "2", "3"]
        finally:
            client.close()
    finally:
        for replica in replicas:
            if replica.process.poll() is None:
                os.killpg(replica.process.pid, signal.SIGKILL)
                replica.process.wait()
