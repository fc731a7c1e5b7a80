"""The monthly board pack task, run by a real Celery worker through Redis."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection

from reporting.models import BoardPack
from tests import factories as f
from tests.processes import CeleryWorker, database_url


@pytest.mark.django_db(transaction=True)
def test_it_builds_last_months_pack_on_the_first_working_day_in_a_real_worker(tmp_path):
    assert settings.REDIS_URL, "REDIS_URL must point at a real Redis (make test provides one)."
    essex = f.la("881")
    proceedings = f.ProceedingsFactory(
        family__local_authority=essex, issue_date=dt.date(2025, 9, 1), concluded_date=dt.date(2026, 3, 20)
    )
    f.ChildProceedingsFactory(proceedings=proceedings)
    media = tmp_path / "media"
    with CeleryWorker(
        database=database_url(connection.settings_dict),
        redis_url=settings.REDIS_URL,
        log_dir=tmp_path,
        MEDIA_ROOT=str(media),
    ) as worker:
        pack_id = worker.send("reporting.build_board_pack_monthly", args=["2026-04-01"], timeout=180)
    pack = BoardPack.objects.get(pk=pack_id)
    assert pack.month == dt.date(2026, 3, 1)
    stored = media / pack.file.name
    assert stored.read_bytes().startswith(b"%PDF")
    assert pack.page_count > 10
