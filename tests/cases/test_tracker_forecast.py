"""The breach forecast on the tracker and the case page: band, probability and reasons; filter and sort;
"not shown" with no figure when the model did not beat the baselines; another LA's forecast never shown.

Forecast rows are made by hand here (no training), for a model stored by hand.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reporting.models import CaseForecast, ForecastModel
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)
MONTH = dt.date(2026, 6, 1)
NOTE = "The model did not beat the baseline on the backtest (Brier 0.210 against 0.205), so it is not shown."


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def stored_model(*, shown=True, version="2026-06-01T02:00", note="Beat both baselines."):
    return ForecastModel.objects.create(
        version=version,
        trained_at=timezone.now(),
        as_of=TODAY,
        training_from=dt.date(2021, 1, 4),
        training_to=dt.date(2026, 5, 29),
        training_cases=812,
        c_index=0.71,
        brier=0.162,
        brier_baseline=0.201,
        calibration_max_gap=0.06,
        backtest_cases=1450,
        shown=shown,
        note=note,
    )


def court_case(la, *, weeks=10, name=None):
    family = f.FamilyFactory(
        local_authority=la, social_worker=f.UserFactory(local_authority=la), **({"name": name} if name else {})
    )
    child = f.ChildFactory(family=family, date_of_birth=dt.date(2020, 1, 1))
    proceedings = f.ProceedingsFactory(family=family, issue_date=TODAY - dt.timedelta(weeks=weeks))
    f.ChildProceedingsFactory(proceedings=proceedings, child=child)
    return family, proceedings


def pp_case(la):
    family = f.FamilyFactory(local_authority=la, social_worker=f.UserFactory(local_authority=la))
    child = f.ChildFactory(family=family, date_of_birth=dt.date(2020, 1, 1))
    start = TODAY - dt.timedelta(weeks=3)
    f.EpisodeFactory(family=family, children=[child], gateway_meeting_date=start, start_date=start)
    return family


def forecast(model, proceedings, *, p, band, reasons=(), la=None, month=MONTH, **extra):
    values = {
        "weeks_open": 10.0,
        "p_breach_end": p * 0.8,
        "expected_conclusion": dt.date(2026, 11, 20),
        "interval_low": dt.date(2026, 9, 1),
        "interval_high": dt.date(2027, 2, 26),
        **extra,
    }
    return CaseForecast.objects.create(
        model=model,
        local_authority=la or proceedings.local_authority,
        proceedings=proceedings,
        month=month,
        as_of=month,
        p_breach_26=p,
        band=band,
        reasons=list(reasons),
        **values,
    )


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def row_html(content: str, family) -> str:
    match = re.search(rf'<tr class="govuk-table__row" data-case="{family.pk}">(.*?)</tr>', content, re.S)
    assert match, "row not found"
    return text(match.group(1))


REASONS = ["3 adjournments, 2 for expert reports", "sibling group of 3", "IRH not listed"]


def test_it_shows_the_band_probability_and_reasons_of_the_forecast_on_the_tracker(client, la_a, chair):
    model = stored_model()
    family, proceedings = court_case(la_a, weeks=18)
    forecast(model, proceedings, p=0.623, band="high", reasons=REASONS)
    sign_in(client, chair)
    content = client.get(reverse("tracker:list")).content.decode()
    row = row_html(content, family)
    assert "High risk" in row  # in words, not only a colour
    assert "62% chance of passing 26 weeks" in row
    for reason in REASONS:
        assert reason in row
    assert '<th scope="col" class="govuk-table__header">Forecast</th>' in content
    assert "812 concluded applications" in text(content)  # how accurate: the model's own figures


def test_it_says_no_forecast_for_a_case_not_in_court_or_not_yet_forecast(client, la_a, chair):
    stored_model()
    waiting, _ = court_case(la_a)
    pre = pp_case(la_a)
    sign_in(client, chair)
    content = client.get(reverse("tracker:list")).content.decode()
    assert "No forecast yet" in row_html(content, waiting)
    assert "Not in court" in row_html(content, pre)


def test_it_filters_by_band_and_sorts_by_probability(client, la_a, chair):
    model = stored_model()
    low, p_low = court_case(la_a, weeks=22)
    high, p_high = court_case(la_a, weeks=5)
    medium, p_medium = court_case(la_a, weeks=12)
    also_high, p_also = court_case(la_a, weeks=8)
    forecast(model, p_low, p=0.12, band="low")
    forecast(model, p_high, p=0.91, band="high")
    forecast(model, p_medium, p=0.45, band="medium")
    forecast(model, p_also, p=0.77, band="high")
    pre = pp_case(la_a)
    sign_in(client, chair)
    url = reverse("tracker:list")

    def listed(**params):
        return [row["case"].pk for row in client.get(url, params).context["rows"]]

    # Most likely first (0.91, 0.77, 0.45, 0.12), then the case with no forecast.
    assert listed(sort="forecast") == [high.pk, also_high.pk, medium.pk, low.pk, pre.pk]
    assert set(listed(band="high")) == {high.pk, also_high.pk}
    assert listed(band="low") == [low.pk]
    assert listed(band="none") == [pre.pk]
    assert listed(band="high", sort="forecast") == [high.pk, also_high.pk]


def test_it_shows_only_the_latest_month_of_a_shown_model(client, la_a, chair):
    model = stored_model()
    family, proceedings = court_case(la_a)
    forecast(model, proceedings, p=0.2, band="low", month=dt.date(2026, 5, 1))
    forecast(model, proceedings, p=0.85, band="high")
    sign_in(client, chair)
    row = row_html(client.get(reverse("tracker:list")).content.decode(), family)
    assert "High risk" in row
    assert "85%" in row
    assert "Low risk" not in row


def test_it_says_the_forecast_is_not_shown_and_why_with_no_figure(client, la_a, chair):
    model = stored_model(shown=False, note=NOTE)
    family, proceedings = court_case(la_a, weeks=18)
    forecast(model, proceedings, p=0.623, band="high", reasons=REASONS)
    sign_in(client, chair)
    url = reverse("tracker:list")
    response = client.get(url)
    content = text(response.content.decode())
    assert "The breach forecast is not shown." in content
    assert NOTE in content
    assert "High risk" not in content
    assert "62%" not in content
    assert REASONS[0] not in content
    assert "band" not in response.context["filters"].form.fields  # no filter by a band not shown
    # A band asked for in the address filters nothing out, and sorting by it is not offered.
    assert [row["case"].pk for row in client.get(url, {"band": "low", "sort": "forecast"}).context["rows"]] == [
        family.pk
    ]
    # Case page: the same.
    page = text(client.get(reverse("cases:detail", args=[family.pk])).content.decode())
    assert "The breach forecast is not shown." in page
    assert NOTE in page
    assert "62%" not in page
    assert REASONS[0] not in page


def test_it_says_so_when_no_model_has_been_trained(client, la_a, chair):
    family, _ = court_case(la_a)
    sign_in(client, chair)
    content = text(client.get(reverse("tracker:list")).content.decode())
    assert "The breach forecast is not shown. No forecast model has been trained yet." in content
    page = text(client.get(reverse("cases:detail", args=[family.pk])).content.decode())
    assert "No forecast model has been trained yet." in page


def test_it_never_shows_another_las_forecast(client, la_a, la_b, chair):
    model = stored_model()
    family, proceedings = court_case(la_a)
    # A forecast row carrying Suffolk's LA for an Essex application is not Essex's to see.
    forecast(model, proceedings, p=0.9, band="high", reasons=["sibling group of 5"], la=la_b)
    sign_in(client, chair)
    content = client.get(reverse("tracker:list")).content.decode()
    assert "No forecast yet" in row_html(content, family)
    assert client.get(reverse("tracker:list"), {"band": "high"}).context["rows"] == []
    page = text(client.get(reverse("cases:detail", args=[family.pk])).content.decode())
    assert "sibling group of 5" not in page
    assert "90%" not in page


def test_it_shows_the_forecast_figures_on_the_case_page(client, la_a, chair):
    model = stored_model()
    family, proceedings = court_case(la_a, weeks=18)
    forecast(
        model,
        proceedings,
        p=0.623,
        p_breach_end=0.414,
        band="high",
        reasons=REASONS,
        weeks_open=18.0,
        expected_conclusion=dt.date(2026, 12, 4),
        interval_low=dt.date(2026, 10, 9),
        interval_high=None,
    )
    sign_in(client, chair)
    page = text(client.get(reverse("cases:detail", args=[family.pk])).content.decode())
    assert "Risk High risk" in page
    assert "Chance of passing 26 weeks 62%" in page
    # The timetable ends 26 weeks after issue (18 weeks ago): 8 weeks from today, 27 July 2026.
    assert "Chance of passing the timetable's end (27 July 2026) 41%" in page
    assert "Expected conclusion 4 December 2026" in page
    assert "between 9 October 2026 and a date beyond what the model can see" in page
    for reason in REASONS:
        assert reason in page
    assert "1 June 2026, at 18.0 weeks, by model 2026-06-01T02:00" in page
    assert "Brier score at 26 weeks was 0.162, against 0.201" in page


def test_it_keeps_the_tracker_queries_constant_with_forecasts(client, la_a, chair):
    model = stored_model()
    sign_in(client, chair)
    url = reverse("tracker:list")
    _, proceedings = court_case(la_a)
    forecast(model, proceedings, p=0.5, band="medium", reasons=REASONS)
    pp_case(la_a)
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"sort": "forecast"})
    for n in range(10):
        _, proceedings = court_case(la_a, weeks=n + 2)
        forecast(model, proceedings, p=n / 10, band="low", reasons=REASONS[: n % 3])
        pp_case(la_a)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, {"sort": "forecast"}).status_code == 200
    assert len(many) == len(few)
    # The tracker's own queries (at most 20) and three for the forecast: the model, its month, the rows shown.
    assert len(few) <= 23
