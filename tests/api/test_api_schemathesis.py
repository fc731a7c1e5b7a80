"""Schemathesis over the whole OpenAPI schema, against a live test server, as part of the suite.

Its pytest plugin does not run under pytest 9, so the test drives its command line (``st run``)
against ``live_server`` (a real HTTP server in a thread, on the test database), calling with a
write service account's token of LA A, which has a few records of every kind first. Every check
runs (no server error, responses, status codes, content types and headers as the schema says,
...); the run is bounded by examples per operation and a time limit, so it stays a few minutes
on a small machine. A failure prints Schemathesis's own report, with the requests to reproduce it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cases.constants import Role
from tests.api import records
from tests.api.conftest import service_account, token_client

ST = Path(sys.executable).with_name("st")
# Per operation; Schemathesis's own budget for the run, and the limit after which it is stopped.
MAX_EXAMPLES = 5
TIME_BUDGET = 150
TIME_LIMIT = 240


@pytest.fixture
def la_a_records(la_a, la_b):
    """A few records of every kind in LA A (and one of each in LA B, which the token must never see)."""
    makers = [
        records.family,
        records.child,
        records.pp_meeting,
        records.assessment,
        records.delay_event,
        records.extension,
        records.hearing,
        records.meeting_action,
    ]
    for make in makers:
        make(la_a)
        make(la_a)
        make(la_b)


@pytest.mark.django_db(transaction=True)
def test_it_finds_no_server_error_and_no_response_outside_the_schema(
    live_server, la_a, la_a_records, settings, tmp_path
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    token = token_client(service_account(la_a, role=Role.API_WRITE)).token
    command = [
        str(ST),
        "run",
        f"{live_server.url}/api/v1/schema/",
        "--checks",
        "all",
        # A filter by a linked record's id is schema-valid for any integer, but an id that is not one
        # of the caller's records is refused (400, naming the filter), as it must be: no schema says
        # "an id that exists", so this check's complaint is about the schema language, not the API.
        "--exclude-checks",
        "positive_data_acceptance",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--max-time",
        str(TIME_BUDGET),
        # One worker: Hypothesis describing strategies from two threads at once fails by itself.
        "--workers",
        "1",
        "--seed",
        "15",
        "--request-timeout",
        "30",
        "--header",
        f"Authorization: Token {token}",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
        "--warnings",
        "off",
        "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"}
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=TIME_LIMIT, env=env, check=False)
    except subprocess.TimeoutExpired as expired:
        parts = (expired.stdout, expired.stderr)
        output = "\n".join(p.decode(errors="replace") if isinstance(p, bytes) else (p or "") for p in parts)
        pytest.fail(f"Schemathesis ran over {TIME_LIMIT} s:\n{output}")
    output = f"{run.stdout}\n{run.stderr}"
    assert run.returncode == 0, output
