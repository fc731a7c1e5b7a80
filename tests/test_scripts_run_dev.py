"""`make run`: HOST and PORT choose the development server's address, checked strictly."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from plo_tracker.lib import embedded_postgres

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"


@pytest.fixture
def run_dev(monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPTS))  # as when run as a script: its neighbours import
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)
    spec = importlib.util.spec_from_file_location("run_dev", SCRIPTS / "run_dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_serves_on_127_0_0_1_port_8000_by_default(run_dev):
    assert run_dev.server_address() == ("127.0.0.1:8000", "http://127.0.0.1:8000/")


@pytest.mark.parametrize(
    ("host", "port", "address", "url"),
    [
        (None, "8001", "127.0.0.1:8001", "http://127.0.0.1:8001/"),
        (None, "1", "127.0.0.1:1", "http://127.0.0.1:1/"),
        (None, "65535", "127.0.0.1:65535", "http://127.0.0.1:65535/"),
        ("0.0.0.0", "8080", "0.0.0.0:8080", "http://0.0.0.0:8080/"),  # noqa: S104 - the address under test
        ("localhost", None, "localhost:8000", "http://localhost:8000/"),
        ("::1", "8001", "[::1]:8001", "http://[::1]:8001/"),
        ("plo-dev.example.test", "8002", "plo-dev.example.test:8002", "http://plo-dev.example.test:8002/"),
    ],
)
def test_it_takes_the_address_from_host_and_port(run_dev, monkeypatch, host, port, address, url):
    if host is not None:
        monkeypatch.setenv("HOST", host)
    if port is not None:
        monkeypatch.setenv("PORT", port)
    assert run_dev.server_address() == (address, url)


# The last is 80 in full-width digits, which str.isdigit() and int() accept.
@pytest.mark.parametrize(
    "port", ["", "0", "65536", "99999", "-1", "+8001", " 8001", "8001 ", "8_001", "80a", "\uff18\uff10"]
)
def test_it_refuses_a_port_that_is_not_plain_digits_from_1_to_65535(run_dev, monkeypatch, port):
    monkeypatch.setenv("PORT", port)
    with pytest.raises(ImproperlyConfigured, match=r"^PORT=.* is not a port number: use a whole number from 1 to"):
        run_dev.server_address()


@pytest.mark.parametrize(
    "host", ["", "exa_mple", "http://127.0.0.1", "127.0.0.1:8000", "256.1.1.1", "-dev.test", "a..b"]
)
def test_it_refuses_a_host_that_is_not_an_address_or_host_name(run_dev, monkeypatch, host):
    monkeypatch.setenv("HOST", host)
    with pytest.raises(ImproperlyConfigured, match=r"^HOST=.* is not an address to listen on"):
        run_dev.server_address()


def test_it_stops_at_once_with_the_message_for_a_bad_port():
    # Checked before anything slow (database, migrations): a mistyped port is said in a second.
    env = {**os.environ, "PORT": "80a"}
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / "run_dev.py")], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "PORT='80a' is not a port number: use a whole number from 1 to 65535."
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("content", ["", "[12, 3", "{}", "null"])
def test_it_heals_a_handle_list_an_interrupted_write_left_unreadable(tmp_path, monkeypatch, content):
    # pgserver reads this list when it starts: an empty file used to stop the next `make run`.
    handles = tmp_path / ".handle_pids.json"
    handles.write_text(content)
    monkeypatch.setattr(embedded_postgres, "HANDLE_LIST", handles)
    embedded_postgres._heal_handle_list()
    assert handles.read_text() == "[]"


def test_it_leaves_a_readable_handle_list_alone(tmp_path, monkeypatch):
    handles = tmp_path / ".handle_pids.json"
    handles.write_text("[4101, 4102]")
    monkeypatch.setattr(embedded_postgres, "HANDLE_LIST", handles)
    embedded_postgres._heal_handle_list()
    assert handles.read_text() == "[4101, 4102]"


@pytest.mark.django_db
def test_it_stores_the_first_data_exercise_snapshot_once(run_dev, la_a):
    from django.core.management import call_command

    from reporting.models import CompletenessSnapshot

    called = []

    def record(name, *args):
        called.append(name)
        if name == "compute_completeness":  # the metrics and the pack have tests of their own
            call_command(name, *args)

    run_dev._first_metrics_and_pack(record)
    run_dev._first_metrics_and_pack(record)

    assert called.count("compute_completeness") == 1
    assert CompletenessSnapshot.objects.count() == 1
    assert CompletenessSnapshot.objects.get().figures.filter(local_authority=la_a, model="Family", field="").exists()
