"""Fault scenarios, run for real: Redis stopped, workers killed, PostgreSQL restarted, media unwritable.

Each starts the project's own processes (gunicorn from the compose web command, Celery workers)
against a Redis or PostgreSQL of its own where the scenario stops one, so nothing else on the
machine is disturbed. ``make faults`` (scripts/faults.py) runs this file and prints each
scenario's result line (``report``) and a JSON summary.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time

import psycopg
import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from accounts import services as account_services
from cases import constants as c
from cases import models as m
from cases.constants import Role
from plo_tracker.lib.queue import QUEUED_MESSAGE
from reporting.models import BoardPack, MetricRun, MetricValue
from reporting.services import metrics
from tests import factories as f
from tests.fault_harness import (
    Browser,
    Gunicorn,
    PrivatePostgres,
    PrivateRedis,
    kill_pool_child,
    make_unwritable,
    make_writable,
    report,
    signed_in_session,
    wait_until,
)
from tests.processes import CeleryWorker, database_url

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

D = dt.date
FEBRUARY = D(2026, 2, 1)
MARCH = D(2026, 3, 1)
PACK_FOLDER = "board-packs"


def _concluded_proceedings(la_a, la_b) -> None:
    """Proceedings concluded in March 2026 in both LAs."""
    end = D(2026, 3, 20)
    for la, days in ((la_a, 150), (la_a, 200), (la_b, 300)):
        proceedings = f.ProceedingsFactory(
            family__local_authority=la, issue_date=end - dt.timedelta(days=days), concluded_date=end
        )
        f.ChildProceedingsFactory(proceedings=proceedings)


def _march_metrics(la_a, la_b) -> MetricRun:
    """March 2026's metrics, so a March pack can be built."""
    _concluded_proceedings(la_a, la_b)
    return metrics.metrics_compute(window=metrics.Window(MARCH, MARCH, D(2026, 4, 15)))


def _client(redis_url: str) -> Celery:
    return Celery("faults", broker=redis_url, backend=redis_url)


def _stored_files(media) -> list[str]:
    folder = media / PACK_FOLDER
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def _assert_pack_whole(media, month: dt.date = MARCH) -> BoardPack:
    """The month's pack row, its file there in full (checksum), and no file beside the packs' own."""
    pack = BoardPack.objects.get(month=month)
    stored = (media / pack.file.name).read_bytes()
    assert stored.startswith(b"%PDF")
    assert hashlib.sha256(stored).hexdigest() == pack.sha256
    assert len(stored) == pack.size_bytes
    packs = BoardPack.objects.values_list("file", flat=True)
    assert _stored_files(media) == sorted(name.removeprefix(f"{PACK_FOLDER}/") for name in packs)
    return pack


def _date_post(name: str, value: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(value.day), f"{name}_month": str(value.month), f"{name}_year": str(value.year)}


def test_redis_stopped_while_users_work(tmp_path, la_a, la_b, social_worker, analyst):
    started = time.monotonic()
    admin = f.UserFactory(username="admin.essex", role=Role.LA_ADMIN, local_authority=la_a)
    family = f.FamilyFactory(local_authority=la_a, social_worker=social_worker, la_reference="FLT-1")
    f.ChildFactory(family=family)
    # February's and March's metrics: a pack of each can be asked for.
    _concluded_proceedings(la_a, la_b)
    metrics.metrics_compute(window=metrics.Window(FEBRUARY, MARCH, D(2026, 4, 15)))
    account = account_services.service_account_create(user=admin, name="Case system", scope=Role.API_READ)
    _, token = account_services.service_token_issue(user=admin, account=account, days=1)
    media = tmp_path / "media"

    with (
        PrivateRedis(tmp_path) as redis,
        Gunicorn(
            database_url=database_url(connection.settings_dict),
            redis_url=redis.url(),
            log_dir=tmp_path,
            MEDIA_ROOT=str(media),
        ) as web,
    ):
        worker_of_sw = Browser(web.base_url, signed_in_session(social_worker, web))
        analyst_browser = Browser(web.base_url, signed_in_session(analyst, web))
        admin_browser = Browser(web.base_url, signed_in_session(admin, web))
        api = Browser(web.base_url, token=token)
        pages = {
            "case list": (worker_of_sw, "/cases/"),
            "case page": (worker_of_sw, f"/cases/{family.pk}/"),
            "tracker": (worker_of_sw, "/tracker/"),
            "dashboard": (analyst_browser, "/dashboard/"),
            "API families": (api, "/api/v1/families/"),
            "board packs": (admin_browser, "/board-packs/"),
        }
        for name, (browser, path) in pages.items():
            answer = browser.get(path)
            assert answer.status_code == 200, f"{name} before the outage: {answer.status_code} {answer.headers}"

        # Queued while Redis is up but no worker runs: kept in Redis's append-only file.
        _, hidden = admin_browser.form("/board-packs/")
        response = admin_browser.post("/board-packs/build/", {**hidden, "month": MARCH.isoformat()})
        assert response.status_code == 302
        assert "is being built" in admin_browser.get("/board-packs/").text

        redis.stop()
        assert not redis.answers()
        answered = {name: browser.get(path).status_code for name, (browser, path) in pages.items()}
        assert answered == dict.fromkeys(pages, 200), answered

        # A form POST: a new case is saved (the double-submit token is claimed without the cache).
        _, hidden = worker_of_sw.form("/cases/new/")
        response = worker_of_sw.post(
            "/cases/new/",
            {
                **hidden,
                "name": "Outage",
                "la_reference": "FLT-OUTAGE",
                "team": str(social_worker.team_id),
                "child_first_name": "Ada",
                "child_last_name": "Outage",
                "child_la_id": "FLT-C1",
                "child_sex": c.Sex.FEMALE,
                "child_ethnicity": "NOBT",
                **_date_post("child_date_of_birth", D(2024, 5, 17)),
                "child_expected_due_date_day": "",
                "child_expected_due_date_month": "",
                "child_expected_due_date_year": "",
            },
        )
        assert response.status_code == 302, response.text[-2000:]
        saved = m.Family.objects.get(la_reference="FLT-OUTAGE")
        assert response.headers["Location"] == f"/cases/{saved.pk}/"
        assert saved.children.get().first_name == "Ada"

        # Signing in needs no Redis either (sessions and lock-out counts are in the database).
        sign_in = Browser(web.base_url)
        _, hidden = sign_in.form("/sign-in/")
        response = sign_in.post(
            "/sign-in/", {**hidden, "username": social_worker.username, "password": "correct-horse-battery"}
        )
        assert response.status_code == 302  # the password was taken: on to the second factor
        response = sign_in.get(response.headers["Location"])
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in/")
        assert sign_in.get(response.headers["Location"]).status_code == 200

        # What needs Redis says so: the health check; a board pack asked for now is accepted, kept in
        # the job outbox (the database) and the user told it will start by itself.
        health = Browser(web.base_url).get("/healthz")
        assert health.status_code == 503, health.text
        assert health.json()["redis"] != "ok", health.text
        _, hidden = admin_browser.form("/board-packs/")
        asked = time.monotonic()
        response = admin_browser.post("/board-packs/build/", {**hidden, "month": FEBRUARY.isoformat()})
        assert response.status_code == 302
        assert time.monotonic() - asked < 5, "the page waited on the stopped broker"
        page = admin_browser.get("/board-packs/").text
        expected = QUEUED_MESSAGE.format(what="the board pack for February 2026")
        assert expected.replace(":", "&#x3A;") in page or expected in page, page[-3000:]
        # The outbox: the pack asked for before the outage went to Redis; this one waits in the database.
        jobs = list(m.QueuedJob.objects.order_by("pk").values_list("task", "args", "status"))
        assert jobs == [
            ("reporting.build_board_pack", [MARCH.isoformat(), admin.pk], m.JobStatus.SENT),
            ("reporting.build_board_pack", [FEBRUARY.isoformat(), admin.pk], m.JobStatus.WAITING),
        ]
        queued = m.QueuedJob.objects.get(status=m.JobStatus.WAITING)
        assert not BoardPack.objects.exists()

        redis.start()
        assert Browser(web.base_url).get("/healthz").status_code == 200
        worker = CeleryWorker(
            database=database_url(connection.settings_dict),
            redis_url=redis.url(),
            log_dir=tmp_path,
            MEDIA_ROOT=str(media),
        )
        worker.env["CELERY_WORKER_QUEUES"] = "celery"  # the app's default queue, in this Redis only
        with worker:
            # Nobody runs anything by hand: the worker sends the outbox's waiting job when it starts.
            wait_until(
                lambda: BoardPack.objects.filter(month=MARCH).exists(),
                timeout=120,
                what="the pack queued before the outage to be built",
            )
            wait_until(
                lambda: BoardPack.objects.filter(month=FEBRUARY).exists(),
                timeout=120,
                what="the pack asked for during the outage to be built",
            )
            built = _assert_pack_whole(media)
            assert built.generated_by_id == admin.pk
            during = _assert_pack_whole(media, FEBRUARY)
            assert during.generated_by_id == admin.pk
            queued.refresh_from_db()
            assert queued.status == m.JobStatus.SENT  # by the worker's start: no beat, no command runs here
        assert web.process.poll() is None
        assert web.boots() == 1
    report(
        f"redis-stopped: PASS - {len(pages)} pages, a new case POST and sign-in answered without Redis; "
        f"a pack asked for during the outage was accepted as queued and built by the worker after Redis "
        f"returned, as was the pack queued before it ({time.monotonic() - started:.0f} s)"
    )


def test_worker_killed_mid_metrics_run(tmp_path, la_a, la_b):
    started = time.monotonic()
    _concluded_proceedings(la_a, la_b)
    first = metrics.metrics_compute()  # the nightly window, as the task computes it
    before = MetricValue.objects.count()
    assert first.status == MetricRun.Status.SUCCEEDED
    assert before > 0

    # Hold the values table, so the worker's run stops half way: its transaction open, the old values
    # deleted in it, nothing committed.
    blocker = psycopg.connect(database_url(connection.settings_dict), autocommit=False)
    blocker.execute("LOCK TABLE reporting_metricvalue IN ACCESS EXCLUSIVE MODE")
    worker = CeleryWorker(
        database=database_url(connection.settings_dict),
        redis_url=settings.REDIS_URL,
        log_dir=tmp_path,
        PLO_METRICS_LOCKED_RETRY_SECONDS="2",
    )
    with worker:
        client = _client(settings.REDIS_URL)
        try:
            result = client.send_task("reporting.compute_metrics", queue=worker.queue)
            killed_run = wait_until(
                lambda: MetricRun.objects.filter(status=MetricRun.Status.RUNNING).first(),
                timeout=60,
                what="the worker's metrics run to start",
            )

            def waiting() -> bool:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE%%'"
                    )
                    return cursor.fetchone()[0] > 0

            wait_until(waiting, timeout=30, what="the run to reach its delete")
            killed_pid = kill_pool_child(worker)
            blocker.rollback()
            run_id = result.get(timeout=120)
        finally:
            blocker.close()
            client.close()
        log = worker.output()
    assert "SIGKILL" in log, log[-3000:]
    finished = MetricRun.objects.get(pk=run_id)
    assert finished.status == MetricRun.Status.SUCCEEDED, finished.error
    killed_run.refresh_from_db()
    assert killed_run.status == MetricRun.Status.FAILED
    assert killed_run.error == "Interrupted before it finished."
    # Whole results only: every month of the retried run's window is its own, in full; the months
    # before it are still the first run's; nothing of the killed run is kept.
    window = MetricValue.objects.filter(period__range=(finished.first_period, finished.last_period))
    assert window.count() == finished.rows_written > 0
    assert set(window.values_list("run_id", flat=True)) == {finished.pk}
    assert set(MetricValue.objects.exclude(pk__in=window).values_list("run_id", flat=True)) <= {first.pk}
    assert MetricValue.objects.count() == before  # the same data: the same number of values
    assert not MetricValue.objects.filter(run_id=killed_run.pk).exists()
    report(
        f"worker-killed-metrics: PASS - pool process {killed_pid} SIGKILLed mid-run; run {killed_run.pk} "
        f"marked interrupted, no value of it kept; retried as run {finished.pk}, {before} values "
        f"({time.monotonic() - started:.0f} s)"
    )


def test_worker_killed_mid_board_pack_build(tmp_path, la_a, la_b):
    started = time.monotonic()
    _march_metrics(la_a, la_b)
    media = tmp_path / "media"
    worker = CeleryWorker(
        database=database_url(connection.settings_dict),
        redis_url=settings.REDIS_URL,
        log_dir=tmp_path,
        MEDIA_ROOT=str(media),
    )
    with worker:
        client = _client(settings.REDIS_URL)
        try:
            result = client.send_task("reporting.build_board_pack", args=[MARCH.isoformat()], queue=worker.queue)
            wait_until(
                lambda: re.search(r"Task reporting\.build_board_pack\[.*\] received", worker.output()),
                timeout=60,
                what="the worker to start the build",
            )
            time.sleep(1.0)  # rendering the PDF: seconds
            assert not BoardPack.objects.exists(), "the build finished before it could be killed"
            killed_pid = kill_pool_child(worker)
            assert _stored_files(media) == [], "a file was left by the killed build"
            pack_id = result.get(timeout=180)
        finally:
            client.close()
        log = worker.output()
    assert "SIGKILL" in log, log[-3000:]
    assert log.count("Task reporting.build_board_pack[") >= 2  # received again after the kill
    pack = _assert_pack_whole(media)
    assert pack.pk == pack_id
    report(
        f"worker-killed-pack: PASS - pool process {killed_pid} SIGKILLed while rendering; no row or file "
        f"left; redelivered and built whole ({pack.size_bytes:,} bytes, {time.monotonic() - started:.0f} s)"
    )


def test_postgres_restarted_the_app_recovers_without_a_restart(tmp_path):
    started = time.monotonic()
    with (
        PrivatePostgres() as postgres,
        Gunicorn(database_url=postgres.url, redis_url=settings.REDIS_URL, log_dir=tmp_path) as web,
    ):
        browser = Browser(web.base_url)
        for _ in range(3):  # the worker keeps its connection (CONN_MAX_AGE) between requests
            assert browser.get("/healthz").json()["database"] == "ok"
        with psycopg.connect(postgres.url) as conn:
            before = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [postgres.dbname],
            ).fetchone()[0]
        assert before == 1, "the web worker does not keep its connection, so the restart proves nothing"
        postgres.restart()
        # The first request after the restart already succeeds: the stale connection is health-checked.
        first = browser.get("/healthz")
        assert first.status_code == 200
        assert first.json() == {"status": "ok", "database": "ok", "redis": "ok"}
        assert web.process.poll() is None
        assert web.boots() == 1
        assert " 500 " not in web.output()
    report(
        f"postgres-restarted: PASS - PostgreSQL restarted under a running gunicorn; its first request after "
        f"answered 200 on a new connection, no app restart ({time.monotonic() - started:.0f} s)"
    )


def test_media_folder_not_writable_the_build_fails_cleanly_and_is_retried(tmp_path, la_a, la_b):
    started = time.monotonic()
    _march_metrics(la_a, la_b)
    media = tmp_path / "media"
    folder = media / PACK_FOLDER
    make_unwritable(folder)
    worker = CeleryWorker(
        database=database_url(connection.settings_dict),
        redis_url=settings.REDIS_URL,
        log_dir=tmp_path,
        MEDIA_ROOT=str(media),
        PLO_PACK_RETRY_BACKOFF_SECONDS="3",
    )
    try:
        with worker:
            client = _client(settings.REDIS_URL)
            try:
                result = client.send_task("reporting.build_board_pack", args=[MARCH.isoformat()], queue=worker.queue)
                wait_until(lambda: result.state == "RETRY", timeout=120, what="the failed build to be retried")
                reason = str(result.info)
                assert re.search(r"Permission denied|Operation not permitted", reason), reason
                assert "Retry in" in worker.output()
                assert not BoardPack.objects.exists()
                assert _stored_files(media) == []
                make_writable(folder)
                pack_id = result.get(timeout=180)
            finally:
                client.close()
    finally:
        if not _writable(folder):  # a failed test leaves nothing undeletable behind
            make_writable(folder)
    pack = _assert_pack_whole(media)
    assert pack.pk == pack_id
    report(
        f"media-not-writable: PASS - the build failed with '{reason}', kept no row or file, was retried and "
        f"built once the folder was writable ({time.monotonic() - started:.0f} s)"
    )


def _writable(folder) -> bool:
    probe = folder / ".probe"
    try:
        probe.touch()
    except OSError:
        return False
    probe.unlink()
    return True
