"""Server time of the API for the largest LA: a 100-family page, and a full changes-feed sync.

Called by scripts/bench.py (Django already set up on the bench database, with production
settings). Requests go in-process over HTTPS through the full middleware stack with a read service
account's token of the LA, as a case system would call. Printed:

- the median of repeated requests for one page of 100 families with their children
  (``/api/v1/families/?page_size=100``), after one warm-up;
- a full sync, as a case system's first run: every ``next`` page of ``/api/v1/families/`` and
  ``/api/v1/children/`` at 1,000 records a page, with the records, pages and seconds of each.
"""

from __future__ import annotations

import statistics
import time
from urllib.parse import urlsplit

REPEAT = 21


def _token_for(la) -> str:
    """A new token of the LA's bench service account (made the first time)."""
    from knox.models import AuthToken

    from cases import models as m
    from cases.constants import Role

    user, _ = m.User.objects.get_or_create(
        username=f"svc.bench.{la.dfe_code}",
        defaults={"role": Role.API_READ, "local_authority": la, "password": "!"},
    )
    _instance, token = AuthToken.objects.create(user=user)
    return token


def _get(client, url: str):
    parts = urlsplit(url)
    path = f"{parts.path}?{parts.query}" if parts.query else parts.path
    response = client.get(path, secure=True)
    assert response.status_code == 200, f"{path} answered {response.status_code}: {response.content[:300]!r}"
    return response


def _sync(client, url: str) -> tuple[int, int, float]:
    """Walk every page of a changes feed: (records, pages, seconds)."""
    records = pages = 0
    started = time.perf_counter()
    while url:
        body = _get(client, url).json()
        records += len(body["results"])
        pages += 1
        url = body["next"]
    return records, pages, time.perf_counter() - started


def run() -> None:
    from django.db.models import Count
    from django.test import Client

    from cases import models as m

    largest = m.Family.objects.values("local_authority").annotate(n=Count("pk")).order_by("-n").first()
    la = m.LocalAuthority.objects.get(pk=largest["local_authority"])
    client = Client(HTTP_AUTHORIZATION=f"Token {_token_for(la)}")

    page_url = "/api/v1/families/?page_size=100"
    _get(client, page_url)  # warm-up: connection, token cache
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        _get(client, page_url)
        times.append((time.perf_counter() - started) * 1000)
    print(f"API for {la.short_name} ({largest['n']:,} families), token of a read service account:")
    print(f"  families list, 100 a page with children: {statistics.median(times):.1f} ms (median of {REPEAT})")
    total = 0.0
    for name in ("families", "children"):
        records, pages, seconds = _sync(client, f"/api/v1/{name}/?page_size=1000")
        total += seconds
        print(f"  full sync of {name}: {records:,} records, {pages:,} pages, {seconds:.2f} s", flush=True)
    print(f"  full sync, families and children: {total:.2f} s", flush=True)
