"""The job outbox (plo_tracker/lib/queue.py): work asked for while Redis is down is kept and sent later.

Real PostgreSQL and Redis (this test run's Redis database): what "sent" means is checked on the
broker itself, by reading the message off the app's default queue.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time

import pytest
import redis
from celery import current_app
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import ProgrammingError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cases import models as m
from cases.constants import Role
from cases.imports.tasks import process_import
from plo_tracker.lib import queue, tenancy
from plo_tracker.lib.queue import QUEUED_MESSAGE
from reporting import tasks as reporting_tasks
from reporting.models import MetricRun, PeriodSnapshot
from tests import factories as f
from tests.cases.imports_support import csv_bytes, la_admin
from tests.cases.test_imports_pages import HEADERS, ROWS, SUGGESTED, mapping_post, upload
from tests.fault_harness import free_port
from tests.support import sign_in

MARCH = dt.date(2026, 3, 1)
DEFAULT_QUEUE = "celery"  # the app's default queue: where the outbox sends its jobs
PACK = "reporting.build_board_pack"


@pytest.fixture
def broker():
    """The Redis the tests send to, with the default queue emptied before and after."""
    assert settings.REDIS_URL, "REDIS_URL must point at a real Redis (make test provides one)."
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(DEFAULT_QUEUE)
    yield client
    client.delete(DEFAULT_QUEUE)
    client.close()


def sent_messages(broker) -> list[tuple[str, list, dict]]:
    """(task, args, kwargs) of every message waiting on the default queue, oldest first."""
    found = []
    for raw in reversed(broker.lrange(DEFAULT_QUEUE, 0, -1)):  # kombu pushes on the left
        message = json.loads(raw)
        args, kwargs, _ = json.loads(base64.b64decode(message["body"]))
        found.append((message["headers"]["task"], args, kwargs))
    return found


@pytest.fixture
def broker_down(monkeypatch):
    """The Celery broker pointed at a closed port, as when Redis has stopped."""
    monkeypatch.setitem(current_app.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/0")
    return monkeypatch


def march_computed() -> None:
    PeriodSnapshot.objects.create(period=MARCH, run=MetricRun.objects.create(), computed_at=timezone.now())


def job_fields(job: m.QueuedJob) -> tuple:
    return (job.task, job.args, job.kwargs, job.status, job.attempts)


# ---------------------------------------------------------------------------
# Recorded with the caller's transaction, sent when it commits
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_records_a_pack_build_and_sends_it_when_the_request_commits(
    client, la_a, broker, django_capture_on_commit_callbacks
):
    march_computed()
    admin = f.UserFactory(role=Role.LA_ADMIN, local_authority=la_a)
    sign_in(client, admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("board_packs:build"), {"month": "2026-03-01"}, follow=True)
    job = m.QueuedJob.objects.get()
    # Recorded in the request, not yet sent: the request's transaction had not committed.
    assert job_fields(job) == (PACK, ["2026-03-01", admin.pk], {}, m.JobStatus.WAITING, 0)
    assert (job.requested_by, job.local_authority, job.sent_at, job.last_error) == (admin, la_a, None, "")
    assert sent_messages(broker) == []
    assert [str(message) for message in response.context["messages"]] == [
        "The board pack for March 2026 is being built. Refresh this page in a minute."
    ]
    assert len(callbacks) == 1
    callbacks[0]()  # the commit
    job.refresh_from_db()
    assert job.status == m.JobStatus.SENT
    assert job.attempts == 0
    assert abs(job.sent_at - timezone.now()) < dt.timedelta(seconds=30)
    assert sent_messages(broker) == [(PACK, ["2026-03-01", admin.pk], {})]
    # Sent once: a second go (a relay) finds nothing waiting.
    callbacks[0]()
    assert queue.send_waiting() == queue.Relayed(sent=0, failed=0, waiting=0)
    assert len(sent_messages(broker)) == 1


@pytest.mark.django_db
def test_it_is_rolled_back_with_the_callers_transaction(la_a, broker, django_capture_on_commit_callbacks):
    def caller_that_fails() -> None:
        with transaction.atomic():
            queue.enqueue(reporting_tasks.build_board_pack, "2026-03-01", None)
            assert m.QueuedJob.objects.count() == 1
            _ = 1 / 0

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ZeroDivisionError):
        caller_that_fails()
    assert not callbacks
    assert not m.QueuedJob.objects.exists()
    assert sent_messages(broker) == []


@pytest.mark.django_db
def test_it_keeps_only_ids_dates_and_flags(la_a):
    with pytest.raises(TypeError, match="not JSON serializable"), transaction.atomic():
        queue.enqueue(reporting_tasks.build_board_pack, MARCH, None)  # a date object, not its ISO string
    assert not m.QueuedJob.objects.exists()


# ---------------------------------------------------------------------------
# Redis down: the job waits, the user is told it will start by itself
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_with_the_broker_down_the_pack_waits_and_the_user_is_told_it_is_queued(
    client, la_a, broker, broker_down, django_capture_on_commit_callbacks
):
    march_computed()
    admin = f.UserFactory(role=Role.LA_ADMIN, local_authority=la_a)
    sign_in(client, admin)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("board_packs:build"), {"month": "2026-03-01"}, follow=True)
    assert time.monotonic() - started < 2  # the page does not wait for the broker
    assert response.status_code == 200
    assert not callbacks  # nothing to send on commit: the relay sends it
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [QUEUED_MESSAGE.format(what="the board pack for March 2026")]
    assert messages[0] == (
        "The job queue is not available at the moment, so the board pack for March 2026 is queued and will "
        "start automatically when it is back. You do not need to ask again."
    )
    page = response.content.decode()
    assert '<div class="govuk-notification-banner" role="region"' in page  # "Important", not "Success"
    assert "is queued and will start automatically when it is back" in page
    job = m.QueuedJob.objects.get()
    assert job_fields(job) == (PACK, ["2026-03-01", admin.pk], {}, m.JobStatus.WAITING, 1)
    assert "Error" in job.last_error or "refused" in job.last_error, job.last_error
    assert job.sent_at is None

    # Redis is back: the relay sends it, once, and marks it sent.
    broker_down.undo()
    assert queue.send_waiting() == queue.Relayed(sent=1, failed=0, waiting=0)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (m.JobStatus.SENT, 1)
    assert job.sent_at is not None
    assert sent_messages(broker) == [(PACK, ["2026-03-01", admin.pk], {})]
    assert queue.send_waiting() == queue.Relayed(sent=0, failed=0, waiting=0)
    assert len(sent_messages(broker)) == 1


@pytest.mark.django_db
def test_a_broker_lost_between_the_check_and_the_commit_leaves_the_job_waiting(
    la_a, broker, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = queue.enqueue(reporting_tasks.build_board_pack, "2026-03-01", None)
    assert not queued.waiting
    monkeypatch.setitem(current_app.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/0")
    callbacks[0]()  # the commit: the broker has gone meanwhile
    job = m.QueuedJob.objects.get(pk=queued.job_id)
    assert (job.status, job.attempts) == (m.JobStatus.WAITING, 1)
    assert job.last_error
    assert sent_messages(broker) == []


@pytest.mark.django_db
def test_the_command_sends_the_waiting_jobs_and_fails_while_the_broker_is_down(la_a, broker, broker_down, capsys):
    with transaction.atomic():
        first = queue.enqueue(reporting_tasks.build_board_pack, "2026-02-01", None)
        second = queue.enqueue(process_import, 41, la_a.pk, True)
    assert first.waiting
    assert second.waiting
    with pytest.raises(CommandError, match=r"The job queue is not available: 2 jobs still wait for it\."):
        call_command("send_queued_jobs")
    assert "Sent 0 queued jobs; 0 could not be sent; 2 still waiting." in capsys.readouterr().out
    assert list(m.QueuedJob.objects.values_list("status", "attempts")) == [("waiting", 1), ("waiting", 1)]

    broker_down.undo()
    call_command("send_queued_jobs")
    assert "Sent 2 queued jobs; 0 could not be sent; 0 still waiting." in capsys.readouterr().out
    assert list(m.QueuedJob.objects.values_list("status", flat=True)) == ["sent", "sent"]
    # Oldest first.
    assert sent_messages(broker) == [
        (PACK, ["2026-02-01", None], {}),
        ("cases.process_import", [41, la_a.pk, True], {}),
    ]


@pytest.mark.django_db
def test_a_job_for_a_task_that_no_longer_exists_is_marked_failed_and_the_rest_are_sent(la_a, broker):
    gone = m.QueuedJob.objects.create(task="reporting.no_such_task", args=[1])
    kept = m.QueuedJob.objects.create(task=PACK, args=["2026-03-01", None])
    assert queue.send_waiting() == queue.Relayed(sent=1, failed=1, waiting=0)
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert (gone.status, gone.attempts, gone.sent_at) == (m.JobStatus.FAILED, 1, None)
    assert gone.last_error == "KeyError: \"No task is called 'reporting.no_such_task'\""
    assert kept.status == m.JobStatus.SENT
    assert sent_messages(broker) == [(PACK, ["2026-03-01", None], {})]


@pytest.mark.django_db
def test_the_relay_reads_the_waiting_rows_in_batches(la_a, broker, django_assert_max_num_queries):
    m.QueuedJob.objects.bulk_create(m.QueuedJob(task=PACK, args=[f"2026-0{month}-01", None]) for month in range(1, 8))
    # Per batch of 3: one SELECT ... FOR UPDATE and one UPDATE per job, in a savepoint'd transaction.
    with django_assert_max_num_queries(30):
        assert queue.send_waiting(batch=3) == queue.Relayed(sent=7, failed=0, waiting=0)
    assert [args[0] for _, args, _ in sent_messages(broker)] == [f"2026-0{month}-01" for month in range(1, 8)]


@pytest.mark.django_db
def test_beat_runs_the_relay_every_minute(broker):
    from cases.tasks import send_queued_jobs

    entry = settings.CELERY_BEAT_SCHEDULE["send-queued-jobs"]
    assert entry == {"task": "cases.send_queued_jobs", "schedule": 60.0, "options": {"expires": 60}}
    assert send_queued_jobs.name == entry["task"]
    m.QueuedJob.objects.create(task=PACK, args=["2026-03-01", None])
    assert send_queued_jobs() == 1
    assert send_queued_jobs() == 0
    assert sent_messages(broker) == [(PACK, ["2026-03-01", None], {})]


# ---------------------------------------------------------------------------
# Tracker imports: the job of a large file
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_large_import_checked_while_the_broker_is_down_waits_and_runs_once_when_sent(
    client, la_a, settings, broker, broker_down, django_capture_on_commit_callbacks
):
    settings.PLO_IMPORT_ASYNC_ROWS = 1
    sign_in(client, la_admin(la_a))
    upload(client, csv_bytes([HEADERS[:10], *[row[:10] for row in ROWS]]))
    run = m.ImportRun.objects.get()
    codes = [("Sex", "Boy", "M"), ("Sex", "Girl", "F"), ("PPOutcome", "SD", "step_down")]
    columns = {k: v for k, v in (SUGGESTED | {5: "Sex"}).items() if k < 10}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("imports:mapping", args=[run.pk]), mapping_post(run, columns, codes, "check"), follow=True
        )
    assert not callbacks
    run.refresh_from_db()
    assert run.status == "checking"
    job = m.QueuedJob.objects.get()
    assert job_fields(job) == ("cases.process_import", [run.pk, la_a.pk, False], {}, m.JobStatus.WAITING, 1)
    assert job.local_authority == la_a
    page = response.content.decode()
    assert (
        "The job queue is not available at the moment, so the check of this file is queued and will start "
        "automatically when it is back. You do not need to ask again."
    ) in page
    assert '<meta http-equiv="refresh" content="3">' in page

    broker_down.undo()
    assert queue.send_waiting().sent == 1
    assert sent_messages(broker) == [("cases.process_import", [run.pk, la_a.pk, False], {})]
    page = client.get(reverse("imports:detail", args=[run.pk])).content.decode()
    assert "is queued" not in page  # sent: waiting for a worker now, not for the queue

    # The worker runs it; a second copy of the same job (sent twice) leaves the checked run alone.
    assert process_import(run.pk, la_a.pk, False)["created"] == 2
    run.refresh_from_db()
    checked = (run.status, run.finished_at, run.created, run.report)
    assert run.status == "checked"
    assert process_import(run.pk, la_a.pk, False)["created"] == 2
    run.refresh_from_db()
    assert (run.status, run.finished_at, run.created, run.report) == checked


# ---------------------------------------------------------------------------
# Row-level security on the outbox
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_job_shows_to_its_la_only_and_regional_work_to_everyone(la_a, la_b, as_app_role):
    tenancy.set_local_authority(la_a.pk)
    m.QueuedJob.objects.create(task="cases.process_import", args=[1, la_a.pk, False], local_authority=la_a)
    tenancy.set_local_authority(None)  # a superuser, shown no LA's rows, asks for a board pack
    m.QueuedJob.objects.create(task=PACK, args=["2026-03-01", None])
    assert list(m.QueuedJob.objects.values_list("task", flat=True)) == [PACK]
    tenancy.set_local_authority(la_b.pk)
    assert list(m.QueuedJob.objects.values_list("task", flat=True)) == [PACK]
    tenancy.set_local_authority(la_a.pk)
    assert sorted(m.QueuedJob.objects.values_list("task", flat=True)) == ["cases.process_import", PACK]
    # Another LA's job cannot be written, nor an LA's job moved to another.
    with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
        m.QueuedJob.objects.create(task="cases.process_import", args=[2, la_b.pk, False], local_authority=la_b)
    with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
        m.QueuedJob.objects.filter(local_authority=la_a).update(local_authority=la_b)


# ---------------------------------------------------------------------------
# Relays at once, and the worker's start
# ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_never_send_a_job_twice(la_a, broker, monkeypatch):
    jobs = m.QueuedJob.objects.bulk_create(m.QueuedJob(task=PACK, args=[f"2026-0{n}-01", None]) for n in (1, 2, 3))
    real_send = queue._send
    claimed, release = threading.Event(), threading.Event()
    senders: dict[int, list[str]] = {}

    def send(job, broker_connection):
        senders.setdefault(job.pk, []).append(threading.current_thread().name)
        if threading.current_thread().name == "first" and not claimed.is_set():
            claimed.set()  # the first relay holds its first row, locked, mid-send
            assert release.wait(timeout=30)
        return real_send(job, broker_connection)

    monkeypatch.setattr(queue, "_send", send)
    outcome = {}

    def first_relay():
        try:
            outcome["first"] = queue.send_waiting(batch=1)
        finally:
            connection.close()

    thread = threading.Thread(target=first_relay, name="first")
    thread.start()
    try:
        assert claimed.wait(timeout=30)
        # The second relay skips the locked row and sends the other two.
        outcome["second"] = queue.send_waiting(batch=1)
    finally:
        release.set()
        thread.join(timeout=60)
    assert outcome["second"] == queue.Relayed(sent=2, failed=0, waiting=1)
    assert outcome["first"] == queue.Relayed(sent=1, failed=0, waiting=0)
    assert senders == {jobs[0].pk: ["first"], jobs[1].pk: ["MainThread"], jobs[2].pk: ["MainThread"]}
    assert sorted(args[0] for _, args, _ in sent_messages(broker)) == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert set(m.QueuedJob.objects.values_list("status", flat=True)) == {m.JobStatus.SENT}


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_starts_sends_the_waiting_jobs(la_a, broker):
    from plo_tracker.celery import send_queued_jobs_when_ready

    job = m.QueuedJob.objects.create(task=PACK, args=["2026-03-01", None], attempts=2, last_error="refused")
    send_queued_jobs_when_ready(sender=None)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (m.JobStatus.SENT, 2)
    assert sent_messages(broker) == [(PACK, ["2026-03-01", None], {})]
