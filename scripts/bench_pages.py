"""Server time of the tracker list and dashboard for the largest LA, against a bare signed-in page.

Called by scripts/bench.py (Django already set up on the national-sized bench database, with
production settings). Each page is requested in-process over HTTPS through the full middleware
stack, as the app server would run it; the figure is the median of repeated requests after one
warm-up. The tracker is also timed on a different page for every request, and the dashboard with
its cache cleared before every request.
"""

from __future__ import annotations

import statistics
import time

REPEAT = 31


def _median_ms(client, urls: str | list[str], before=None) -> float:
    urls = [urls] * REPEAT if isinstance(urls, str) else urls
    client.get(urls[0], secure=True)  # warm-up: connection, templates
    times = []
    for url in urls:
        if before:
            before()
        started = time.perf_counter()
        response = client.get(url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
    return statistics.median(times)


def run() -> None:
    from django.core.cache import cache
    from django.db.models import Count
    from django.test import Client

    from cases import models as m
    from cases.constants import Role

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
    paged = _median_ms(client, [f"/tracker/?page={n}" for n in range(2, REPEAT + 2)])
    filtered = _median_ms(client, "/tracker/?flag=pp_over_threshold&sort=weeks")
    dashboard = _median_ms(client, "/dashboard/")
    dashboard_cold = _median_ms(client, "/dashboard/", before=cache.clear)
    print(f"pages for {la.short_name} ({largest['n']:,} open cases), median of {REPEAT} requests:")
    print(f"  floor (bare signed-in page): {floor:.1f} ms")
    print(f"  tracker list: {tracker:.1f} ms ({tracker / floor:.1f}x floor)")
    print(f"  tracker list, pages 2 to {REPEAT + 1}: {paged:.1f} ms ({paged / floor:.1f}x floor)")
    print(f"  tracker list, filtered and sorted: {filtered:.1f} ms ({filtered / floor:.1f}x floor)")
    print(f"  dashboard: {dashboard:.1f} ms ({dashboard / floor:.1f}x floor)")
    print(f"  dashboard, figures not cached: {dashboard_cold:.1f} ms ({dashboard_cold / floor:.1f}x floor)", flush=True)
