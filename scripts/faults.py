"""``make faults``: the fault scenarios, run for real, each printing its result.

1. Redis stopped while users work: pages keep working, what needs Redis says so, work asked for
   during the outage is kept (the job outbox) and, like work queued before it, runs after Redis returns.
2. A worker's pool process killed with SIGKILL in the middle of the metrics run, and
3. of a board pack build: nothing half-written, the work is redelivered and completes.
4. PostgreSQL restarted under a running gunicorn: the next request succeeds, no app restart.
5. The media folder not writable: the pack build fails cleanly (no row, no file), is retried and
   completes once the folder is writable.

The scenarios are the tests in tests/test_faults.py (so they also run in the test suite); each
starts the project's real processes: gunicorn from the compose web command, Celery workers, and a
private redis-server or PostgreSQL cluster for the one it stops, so nothing shared is disturbed.
The database is the test database of DATABASE_URL (or the embedded one), as ``make test`` uses.
The last line is JSON: ``{"scenarios": N, "passed": M}``; the exit code is 1 unless all passed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.with_services import ensure_database, redis_for_tests  # noqa: E402

SCENARIOS = {
    "test_redis_stopped_while_users_work": "redis-stopped",
    "test_worker_killed_mid_metrics_run": "worker-killed-metrics",
    "test_worker_killed_mid_board_pack_build": "worker-killed-pack",
    "test_postgres_restarted_the_app_recovers_without_a_restart": "postgres-restarted",
    "test_media_folder_not_writable_the_build_fails_cleanly_and_is_retried": "media-not-writable",
}


def outcomes(junit: Path) -> dict[str, tuple[bool, str]]:
    """Each test's name: (passed, the first line of why not)."""
    results = {}
    for case in ET.parse(junit).getroot().iter("testcase"):  # noqa: S314 - pytest's own report
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        skipped = case.find("skipped")
        if problem is not None:
            results[case.get("name")] = (False, (problem.get("message") or "failed").splitlines()[0][:300])
        elif skipped is not None:
            results[case.get("name")] = (False, "skipped: " + (skipped.get("message") or ""))
        else:
            results[case.get("name")] = (True, "")
    return results


def main() -> int:
    ensure_database(os.environ.get("DATABASE_URL"))
    with redis_for_tests() as redis_url, tempfile.TemporaryDirectory(prefix="plo-faults-") as workdir:
        report = Path(workdir) / "report.txt"
        junit = Path(workdir) / "junit.xml"
        env = {**os.environ, "REDIS_URL": redis_url, "FAULTS_REPORT": str(report)}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-s", f"--junitxml={junit}"]
        print("Running the fault scenarios (tests/test_faults.py) with real processes...", flush=True)
        subprocess.run([*command, "tests/test_faults.py"], cwd=ROOT, env=env, check=False, stdout=sys.stderr)
        results = outcomes(junit) if junit.exists() else {}
        lines = report.read_text().splitlines() if report.exists() else []
    print()
    passed = 0
    for test, label in SCENARIOS.items():
        ok, why = results.get(test, (False, "did not run"))
        if ok:
            passed += 1
            print(next((line for line in lines if line.startswith(f"{label}:")), f"{label}: PASS"))
        else:
            print(f"{label}: FAIL - {why}")
    print(json.dumps({"scenarios": len(SCENARIOS), "passed": passed}))
    return 0 if passed == len(SCENARIOS) else 1


if __name__ == "__main__":
    sys.exit(main())
