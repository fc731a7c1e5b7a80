"""Stored metrics through the API: the dashboard's scopes and the same small-number rule, no read audit.

The figures are hand-built ``MetricValue`` rows for March 2025 (REFERENCE.md section 4: counts from 1
to 4 are suppressed outside the LA's own staff, and so is a rate or average on fewer than 5 cases).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import models as m
from reporting.models import MetricRun, MetricValue, ScopeType
from tests.api.conftest import service_account, session_client, token_client

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)


def value(run, metric, scope_type, scope_id, amount, *, la=None, denominator=None, period=MARCH, dimension=""):
    return MetricValue.objects.create(
        run=run,
        period=period,
        metric=metric,
        scope_type=scope_type,
        scope_id=scope_id,
        local_authority_id=la,
        dimension=dimension,
        value=Decimal(amount),
        denominator=None if denominator is None else Decimal(denominator),
    )


@pytest.fixture
def figures(la_a, la_b):
    """March 2025: Essex concluded 3 applications (30 weeks on average), Suffolk 10 (40 weeks); the region 13."""
    run = MetricRun.objects.create(status=MetricRun.Status.SUCCEEDED)
    value(run, "s31_concluded", ScopeType.REGION, None, 13)
    value(run, "s31_concluded", ScopeType.LA, la_a.pk, 3, la=la_a.pk)
    value(run, "s31_concluded", ScopeType.LA, la_b.pk, 10, la=la_b.pk)
    value(run, "s31_duration_mean", ScopeType.LA, la_a.pk, 30, la=la_a.pk, denominator=3)
    value(run, "s31_duration_mean", ScopeType.LA, la_b.pk, 40, la=la_b.pk, denominator=10)
    return run


def shown(client, scope: str, **query) -> dict[str, tuple]:
    response = client.get("/api/v1/metrics/", {"period": "2025-03", "scope": scope, **query})
    assert response.status_code == 200, response.json()
    return {row["metric"]: (row["value"], row["suppressed"]) for row in response.json()["results"]}


def test_it_gives_an_las_staff_their_own_figures_exactly(social_worker, la_a, figures):
    client = session_client(social_worker)
    assert shown(client, f"la:{la_a.pk}") == {"s31_concluded": (3, False), "s31_duration_mean": (30, False)}
    body = client.get("/api/v1/metrics/", {"period": "2025-03", "scope": f"la:{la_a.pk}"}).json()
    assert (body["period"], body["scope"]["exact"], body["threshold"]) == ("2025-03-01", True, 5)


def test_it_does_not_disclose_an_las_small_count_to_another_las_user(other_la_user, la_a, la_b, figures):
    client = session_client(other_la_user)
    response = client.get("/api/v1/metrics/", {"period": "2025-03", "scope": f"la:{la_a.pk}"})
    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["scope"]
    assert "3" not in response.content.decode()
    assert shown(client, f"la:{la_b.pk}") == {"s31_concluded": (10, False), "s31_duration_mean": (40, False)}


def test_it_suppresses_small_numbers_and_what_would_give_them_away_for_analysts(analyst, la_a, la_b, figures):
    client = session_client(analyst)
    # Essex's 3 is under 5, and so are the cases its average is built on: both withheld.
    assert shown(client, f"la:{la_a.pk}") == {"s31_concluded": (None, True), "s31_duration_mean": (None, True)}
    # The region's 13 less Suffolk's 10 would give Essex's 3 away: Suffolk's count, the smallest other, is
    # withheld. Suffolk's own staff know their 10, so the region's 13 is withheld as well. Suffolk's
    # average (on 10 cases) gives no count away and is shown.
    assert shown(client, f"la:{la_b.pk}") == {"s31_concluded": (None, True), "s31_duration_mean": (40, False)}
    assert shown(client, "region:") == {"s31_concluded": (None, True)}


def test_it_offers_the_scopes_the_dashboard_offers(social_worker, analyst, board_member, la_a, figures):
    keys = [scope["key"] for scope in session_client(social_worker).get("/api/v1/metric-scopes/").json()]
    assert keys[0] == f"la:{la_a.pk}"
    assert not any(key.startswith("region") for key in keys)
    assert all(not key.startswith("la:") or key == keys[0] for key in keys)
    scopes = session_client(analyst).get("/api/v1/metric-scopes/").json()
    assert scopes[0] == {"key": "region:", "type": "region", "id": None, "label": scopes[0]["label"], "exact": False}
    assert {scope["type"] for scope in scopes} == {"region", "la"}
    response = session_client(board_member).get("/api/v1/metrics/")
    assert response.status_code == 403


def test_it_lets_an_las_service_account_read_its_figures(la_a, figures):
    client = token_client(service_account(la_a))
    assert shown(client, f"la:{la_a.pk}", metric="s31_concluded") == {"s31_concluded": (3, False)}


def test_it_names_the_parameter_of_a_bad_query(social_worker, figures):
    client = session_client(social_worker)
    for query, attr in (
        ({"period": "2025-13"}, "period"),
        ({"metric": "nonsense"}, "metric"),
        ({"scope": "x"}, "scope"),
    ):
        response = client.get("/api/v1/metrics/", query)
        assert response.status_code == 400
        assert [error["attr"] for error in response.json()["errors"]] == [attr]


def test_it_keeps_no_read_audit_of_aggregates(analyst, la_a, figures):
    session_client(analyst).get("/api/v1/metrics/", {"period": "2025-03", "scope": f"la:{la_a.pk}"})
    assert not m.ReadAudit.objects.exists()


def test_it_pins_the_metrics_queries_whatever_the_number_of_figures(analyst, la_a, la_b, figures):
    client = session_client(analyst)
    client.get("/api/v1/metric-scopes/")  # the first request of a client also saves its session

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/metrics/", {"period": "2025-03", "scope": f"la:{la_b.pk}"}).status_code == 200
        return len(queries)

    few = count()
    for number, driver in enumerate(("la_late", "expert_late", "court_capacity", "parents")):
        value(figures, "delay_days_by_driver", ScopeType.LA, la_b.pk, 10 + number, la=la_b.pk, dimension=driver)
    for month in range(1, 13):
        value(figures, "s31_issued", ScopeType.LA, la_b.pk, 7, la=la_b.pk, period=dt.date(2024, month, 1))
    many = count()
    # The session and its user; the LAs, areas and teams of the scopes; the figures.
    assert many == few <= 8


def test_it_defines_every_metric_in_words(api_reader_client):
    definitions = {row["code"]: row for row in api_reader_client.get("/api/v1/metric-definitions/").json()}
    assert definitions["s31_concluded"]["label"] == "Care applications concluded"
    assert definitions["s31_within_26_share"]["unit"] == "percent"
    one = api_reader_client.get("/api/v1/metric-definitions/s31_duration_mean/").json()
    assert (one["unit"], one["higher_is_better"]) == ("weeks", False)
    assert api_reader_client.get("/api/v1/metric-definitions/nonsense/").status_code == 404


@pytest.fixture
def api_reader_client(la_a):
    return token_client(service_account(la_a, username="svc.reader.metrics"))
