"""The board pack archive: who can list, download and build packs; board members reach nothing else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cases.constants import Role
from reporting.models import BoardPack, BoardPackDownload, MetricRun, PeriodSnapshot
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_pack(db):
    run = MetricRun.objects.create(status=MetricRun.Status.SUCCEEDED)
    PeriodSnapshot.objects.create(period=dt.date(2026, 3, 1), run=run, computed_at="2026-04-02T03:00Z")
    pack = BoardPack(
        month=dt.date(2026, 3, 1),
        metric_run=run,
        sha256="0" * 64,
        size_bytes=8,
        page_count=1,
        generated_at="2026-04-02T06:00Z",
    )
    pack.file.save("2026-03-test.pdf", ContentFile(b"%PDF-1.7"), save=False)
    pack.save()
    return pack


def test_it_lets_board_members_list_and_download_packs_and_records_it(client, board_member, stored_pack):
    sign_in(client, board_member)
    response = client.get(reverse("board_packs:list"))
    assert response.status_code == 200
    assert b"March 2026" in response.content
    assert b"Build the pack" not in response.content
    download = client.get(reverse("board_packs:download", args=[stored_pack.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="plo-board-pack-2026-03.pdf"'
    assert b"".join(download.streaming_content) == b"%PDF-1.7"
    record = BoardPackDownload.objects.get()
    assert (record.pack, record.user) == (stored_pack, board_member)


def test_it_keeps_board_members_away_from_identifiable_pages(client, board_member, la_a):
    family = f.FamilyFactory(local_authority=la_a)
    sign_in(client, board_member)
    for url in [
        reverse("cases:list"),
        reverse("cases:detail", args=[family.pk]),
        reverse("cases:milestone_new", args=[family.pk, "hearing"]),
        reverse("tracker:list"),
        reverse("tracker:meetings"),
        reverse("dashboard"),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("board_packs:build"), {"month": "2026-03-01"}).status_code == 403


def test_it_keeps_case_workers_and_anonymous_users_out_of_the_archive(client, social_worker, chair, stored_pack):
    url = reverse("board_packs:download", args=[stored_pack.pk])
    assert client.get(reverse("board_packs:list")).status_code == 302
    assert client.get(url).status_code == 302
    for user in (social_worker, chair):
        sign_in(client, user)
        assert client.get(reverse("board_packs:list")).status_code == 403
        assert client.get(url).status_code == 403
    assert not BoardPackDownload.objects.exists()


def test_it_queues_a_build_for_administrators_after_commit(
    client, la_a, stored_pack, django_capture_on_commit_callbacks
):
    admin = f.UserFactory(role=Role.LA_ADMIN, local_authority=la_a)
    sign_in(client, admin)
    assert b"Build the pack" in client.get(reverse("board_packs:list")).content
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("board_packs:build"), {"month": "2026-03-01"})
    assert response.status_code == 302
    assert len(callbacks) == 1  # rendered by a worker, never in the request
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("board_packs:build"), {"month": "2025-01-01"}, follow=True)
    assert not callbacks
    assert b"Metrics for January 2025 have not been computed yet." in response.content
