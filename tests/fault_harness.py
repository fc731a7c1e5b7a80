"""Real processes for the fault scenarios (tests/test_faults.py, ``make faults``).

A private ``redis-server`` and a private PostgreSQL cluster, each on a free port of its own, so
that stopping them disturbs nobody else on the machine; gunicorn started from the compose file's
web command; an HTTP client that carries a session cookie as a browser would.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psutil
import requests
import yaml

from tests.processes import REPO, CeleryWorker, manage, production_env

START_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, *, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f}s")
        time.sleep(every)


def report(line: str) -> None:
    """One line of a scenario's result: printed, and kept for ``make faults`` (FAULTS_REPORT)."""
    print(line)  # noqa: T201 - the scenario's result is this helper's output
    target = os.environ.get("FAULTS_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(line.rstrip() + "\n")


class PrivateRedis:
    """``redis-server`` on a free port with an append-only file, so a restart keeps what was queued."""

    def __init__(self, workdir: Path) -> None:
        self.binary = shutil.which("redis-server")
        assert self.binary, "redis-server is not installed (Debian: apt-get install redis-server)"
        self.port = free_port()
        self.dir = workdir / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url(), socket_connect_timeout=1, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_until(self.answers, timeout=10, what=f"redis-server on port {self.port} to answer")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def __enter__(self) -> PrivateRedis:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class PrivatePostgres:
    """A PostgreSQL cluster of its own (initdb) on a free port, with one empty database.

    The server refuses to run as root, so as root it runs as the ``postgres`` system user.
    """

    def __init__(self, dbname: str = "plo_faults") -> None:
        self.bindir = self._bindir()
        self.port = free_port()
        self.dbname = dbname
        self.root = Path(tempfile.mkdtemp(prefix="plo-pg-"))
        self.data = self.root / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres")

    @staticmethod
    def _bindir() -> Path:
        pg_config = shutil.which("pg_config")
        if pg_config:
            found = Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip())
            if (found / "pg_ctl").exists():
                return found
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        assert candidates, "No PostgreSQL server binaries (pg_ctl) on this machine"
        return candidates[-1].parent

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bindir / args[0]), *args[1:]], check=True, capture_output=True, timeout=120
        )

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.dbname}"

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> PrivatePostgres:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        try:
            self.start()
            self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", self.dbname)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def compose_command(service: str) -> list[str]:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"][service]["command"]


_static_collected = False


def collect_static(env: dict[str, str]) -> None:
    """``collectstatic`` once per run: production settings serve hashed files from its manifest."""
    global _static_collected
    manifest = REPO / "staticfiles" / "staticfiles.json"
    sources = [path.stat().st_mtime for path in (REPO / "static").rglob("*") if path.is_file()]
    if manifest.exists() and manifest.stat().st_mtime >= max(sources, default=0):
        _static_collected = True  # collected since the last change
    if not _static_collected:
        done = manage("collectstatic", "--noinput", "--verbosity", "0", env=env, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        _static_collected = True


class Gunicorn:
    """The compose web command on a free loopback port, with the production environment."""

    def __init__(self, *, database_url: str, redis_url: str, log_dir: Path, **env: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"gunicorn-{self.port}.log"
        self.env = production_env(
            database_url=database_url,
            redis_url=redis_url,
            ALLOWED_HOSTS="127.0.0.1",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS="1",
            **env,
        )
        self.process: subprocess.Popen | None = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def __enter__(self) -> Gunicorn:
        collect_static(self.env)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                compose_command("web"),
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def up() -> bool:
            assert self.process.poll() is None, f"gunicorn exited:\n{self.output()[-3000:]}"
            try:  # the first request loads the app: seconds on a busy machine
                return requests.get(f"{self.base_url}/healthz", timeout=30).status_code in (200, 503)
            except requests.RequestException:
                return False

        try:
            wait_until(up, timeout=START_TIMEOUT, what="gunicorn to answer /healthz", every=0.3)
        except BaseException:
            self.__exit__()  # a failed start leaves no server behind
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def boots(self) -> int:
        """How many times a gunicorn worker process started (a restart would add one)."""
        return self.output().count("Booting worker")


class Browser:
    """Requests to the app as a signed-in browser behind the TLS proxy (X-Forwarded-Proto: https)."""

    def __init__(self, base_url: str, session_key: str | None = None, token: str | None = None) -> None:
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        if session_key:
            self.cookies["sessionid"] = session_key
        self.token = token

    def _headers(self) -> dict[str, str]:
        headers = {"X-Forwarded-Proto": "https", "Origin": f"https://{self.base_url.removeprefix('http://')}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        return headers

    def _keep(self, response: requests.Response) -> requests.Response:
        for name, value in response.cookies.items():
            self.cookies[name] = value
        return response

    def get(self, path: str) -> requests.Response:
        response = requests.get(self.base_url + path, headers=self._headers(), allow_redirects=False, timeout=30)
        return self._keep(response)

    def post(self, path: str, data: dict) -> requests.Response:
        headers = {**self._headers(), "Referer": f"https://{self.base_url.removeprefix('http://')}{path}"}
        response = requests.post(self.base_url + path, data=data, headers=headers, allow_redirects=False, timeout=30)
        return self._keep(response)

    def form(self, path: str) -> tuple[str, dict[str, str]]:
        """A form page's HTML and its hidden fields (the CSRF token, the one-use submission token)."""
        response = self.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.text))
        return response.text, hidden


def signed_in_session(user, web: Gunicorn) -> str:
    """A session key for ``user`` on ``web``, past both sign-in steps, as the project's sign-in leaves it.

    The session is signed with that server's SECRET_KEY (the session keeps a hash of the user's
    password made with it), so the server takes it as its own.
    """
    from django.test import Client, override_settings

    from tests.support import sign_in

    with override_settings(SECRET_KEY=web.env["SECRET_KEY"]):
        client = Client()
        sign_in(client, user)
        return client.cookies["sessionid"].value


def pool_children(worker: CeleryWorker) -> list[psutil.Process]:
    """The worker's pool processes (the ones that run tasks), beside its main process."""
    return psutil.Process(worker.process.pid).children()


def kill_pool_child(worker: CeleryWorker) -> int:
    """SIGKILL the pool process running the task, as the kernel's out-of-memory killer would."""
    children = wait_until(lambda: pool_children(worker), timeout=30, what="a pool process")
    child = children[0]
    os.kill(child.pid, signal.SIGKILL)
    return child.pid


def make_unwritable(folder: Path) -> None:
    """Nothing can be created in ``folder``, whoever runs (root ignores modes: the immutable flag)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o555)


def make_writable(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o755)
