"""The fixes behind the fault scenarios, each on its own: the cache without Redis, queueing without a
broker, files stored whole, a metrics run retried when it found the lock taken."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from celery import Celery, current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cases import models as m
from cases import services
from cases.constants import Role
from plo_tracker.cache import ResilientRedisCache
from plo_tracker.lib.queue import QUEUED_MESSAGE
from plo_tracker.storage import AtomicFileSystemStorage
from reporting.models import MetricRun, PeriodSnapshot
from reporting.services import metrics
from tests import factories as f
from tests.fault_harness import free_port, make_unwritable, make_writable, wait_until
from tests.processes import CeleryWorker, database_url
from tests.support import sign_in


def _nobody_listening() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


def _down_cache() -> ResilientRedisCache:
    return ResilientRedisCache(_nobody_listening(), {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}})


def test_the_cache_misses_instead_of_failing_when_redis_is_down():
    cache = _down_cache()
    assert cache.get("figures", "rebuild") == "rebuild"
    assert cache.set("figures", [1, 2]) is None
    assert cache.add("submission:abc", 1) is True  # claimed: the form is saved, not refused
    assert cache.delete("submission:abc") is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("a") is False
    assert cache.incr("count", 3) == 3


def test_the_cache_works_as_before_with_redis():
    assert settings.REDIS_URL, "REDIS_URL must point at a real Redis (make test provides one)."
    cache = ResilientRedisCache(settings.REDIS_URL, {})
    key = f"resilience-{free_port()}"
    try:
        assert cache.add(key, "first") is True
        assert cache.add(key, "second") is False  # a double submit is still refused when Redis is up
        assert cache.get(key) == "first"
    finally:
        cache.delete(key)


def test_a_form_token_is_claimed_while_redis_is_down():
    down = {
        "default": {
            "BACKEND": "plo_tracker.cache.ResilientRedisCache",
            "LOCATION": _nobody_listening(),
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    with override_settings(CACHES=down):
        assert services.submission_claim(token="token-1") is True
        services.submission_release(token="token-1")  # no error either


@pytest.mark.django_db
def test_a_board_pack_asked_for_without_a_broker_is_kept_and_says_so(
    client, la_a, monkeypatch, django_capture_on_commit_callbacks
):
    run = MetricRun.objects.create()
    PeriodSnapshot.objects.create(period=dt.date(2026, 3, 1), run=run, computed_at=timezone.now())
    admin = f.UserFactory(role=Role.LA_ADMIN, local_authority=la_a)
    sign_in(client, admin)
    monkeypatch.setitem(current_app.conf, "broker_url", _nobody_listening())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("board_packs:build"), {"month": "2026-03-01"}, follow=True)
    assert response.status_code == 200
    assert not callbacks  # nothing to send now: the outbox's relay sends it when the broker is back
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [QUEUED_MESSAGE.format(what="the board pack for March 2026")]
    job = m.QueuedJob.objects.get()
    assert (job.task, job.args, job.status) == ("reporting.build_board_pack", ["2026-03-01", admin.pk], "waiting")


def test_files_are_stored_whole_under_a_free_name(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    first = storage.save("packs/2026-03.pdf", ContentFile(b"%PDF first"))
    second = storage.save("packs/2026-03.pdf", ContentFile(b"%PDF second"))
    assert first == "packs/2026-03.pdf"
    assert second != first
    assert second.startswith("packs/2026-03_")
    assert (tmp_path / first).read_bytes() == b"%PDF first"
    assert (tmp_path / second).read_bytes() == b"%PDF second"
    assert sorted(path.name for path in (tmp_path / "packs").iterdir()) == sorted([first[6:], second[6:]])
    assert oct((tmp_path / first).stat().st_mode & 0o777) == "0o644"


def test_a_file_that_cannot_be_written_leaves_nothing(tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    folder = tmp_path / "packs"
    make_unwritable(folder)
    try:
        with pytest.raises(OSError):  # noqa: PT011 - PermissionError, whichever errno the folder gives
            storage.save("packs/2026-03.pdf", ContentFile(b"%PDF"))
    finally:
        make_writable(folder)
    assert list(folder.iterdir()) == []


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_metrics_run_that_finds_the_lock_taken_is_tried_again(tmp_path, la_a):
    f.FamilyFactory(local_authority=la_a)
    holder = psycopg.connect(database_url(connection.settings_dict), autocommit=True)
    holder.execute("SELECT pg_advisory_lock(hashtext(%s))", [metrics.LOCK_KEY])
    worker = CeleryWorker(
        database=database_url(connection.settings_dict),
        redis_url=settings.REDIS_URL,
        log_dir=tmp_path,
        PLO_METRICS_LOCKED_RETRY_SECONDS="1",
    )
    client = Celery("resilience", broker=settings.REDIS_URL, backend=settings.REDIS_URL)
    try:
        with worker:
            result = client.send_task("reporting.compute_metrics", queue=worker.queue)
            wait_until(
                lambda: MetricRun.objects.filter(status=MetricRun.Status.SKIPPED).exists(),
                timeout=60,
                what="a run to find the lock taken",
            )
            holder.execute("SELECT pg_advisory_unlock(hashtext(%s))", [metrics.LOCK_KEY])
            run_id = result.get(timeout=60)
    finally:
        holder.close()
        client.close()
    assert MetricRun.objects.get(pk=run_id).status == MetricRun.Status.SUCCEEDED
    assert "Retry in 1s" in worker.output()
