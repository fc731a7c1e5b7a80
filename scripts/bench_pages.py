"""Server time of the tracker list and dashboard for the largest LA, against a bare signed-in page.

Called by scripts/bench.py (Django already set up on the national-sized bench database). Each
page is requested in-process through the full middleware stack, as the app server would run it;
the figure is the median of repeated requests after one warm-up.
"""

from __future__ import annotations

import statistics
import time

REPEAT = 15


def _median_ms(client, url: str) -> float:
    client.get(url)  # warm-up: connection, caches, templates
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
    return statistics.median(times)


def run() -> None:
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment

    from cases import models as m
    from cases.constants import Role

    setup_test_environment()
    largest = (
        m.Family.objects.filter(tracker_row__isnull=False)
        .values("local_authority")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    la = m.LocalAuthority.objects.get(pk=largest["local_authority"])
    chair = m.User.objects.filter(local_authority=la, role=Role.QUADRANT_CHAIR).first()
    client = Client()
    client.force_login(chair)
    floor = _median_ms(client, "/")
    tracker = _median_ms(client, "/tracker/")
    filtered = _median_ms(client, "/tracker/?flag=pp_over_threshold&sort=weeks")
    dashboard = _median_ms(client, "/dashboard/")
    print(f"pages for {la.short_name} ({largest['n']:,} open cases), median of {REPEAT} requests:")
    print(f"  floor (bare signed-in page): {floor:.1f} ms")
    print(f"  tracker list: {tracker:.1f} ms ({tracker / floor:.1f}x floor)")
    print(f"  tracker list, filtered and sorted: {filtered:.1f} ms ({filtered / floor:.1f}x floor)")
    print(f"  dashboard: {dashboard:.1f} ms ({dashboard / floor:.1f}x floor)", flush=True)
