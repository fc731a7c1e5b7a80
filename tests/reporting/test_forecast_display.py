"""The breach forecast against the outturn on the dashboard and in the board pack, with the small-number rule.

Today is 15 June 2026. An application reaches 26 weeks (182 days) on its issue date plus 182 days; it
"passed 26 weeks" when not concluded by that day. Forecast rows are made by hand (no training).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from reporting.charts import SUPPRESSED
from reporting.forecast import display
from reporting.models import CaseForecast, ForecastModel
from reporting.services import board_packs, metrics
from tests import factories as f
from tests.support import sign_in

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)
MAY = dt.date(2026, 5, 1)
JULY = dt.date(2026, 7, 1)
LIMIT = dt.timedelta(days=182)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


def stored_model(*, shown=True, note="Beat both baselines on the backtest."):
    return ForecastModel.objects.create(
        version="v1",
        trained_at=timezone.now(),
        as_of=TODAY,
        training_cases=500,
        c_index=0.7,
        brier=0.15,
        brier_baseline=0.2,
        shown=shown,
        note=note,
    )


def application(la, *, day: dt.date, concluded: dt.date | None = None, team=None):
    """An application reaching 26 weeks on ``day``."""
    family = f.FamilyFactory(local_authority=la, team=team or f.team_of(la))
    proceedings = f.ProceedingsFactory(family=family, issue_date=day - LIMIT, concluded_date=concluded)
    f.ChildProceedingsFactory(proceedings=proceedings)
    return proceedings


def forecast(model, proceedings, *, p: float, as_of: dt.date):
    return CaseForecast.objects.create(
        model=model,
        local_authority=proceedings.local_authority,
        proceedings=proceedings,
        month=as_of.replace(day=1),
        as_of=as_of,
        weeks_open=(as_of - proceedings.issue_date).days / 7,
        p_breach_26=p,
        p_breach_end=p,
        expected_conclusion=as_of + dt.timedelta(days=60),
        band="high" if p > 0.6 else "low",
    )


@pytest.fixture
def essex_cases(la_a):
    """May 2026 (past): five applications reach 26 weeks, forecast on 1 April (and one re-forecast on
    1 May, which is the one counted); three passed. July (ahead): two still open, one already concluded."""
    model = stored_model()
    may = []
    for n, (p, concluded) in enumerate(
        [(0.9, None), (0.8, dt.date(2026, 6, 1)), (0.5, dt.date(2026, 5, 2)), (0.3, None), (0.2, dt.date(2026, 5, 5))]
    ):
        day = dt.date(2026, 5, 10 + n)
        proceedings = application(la_a, day=day, concluded=concluded)
        forecast(model, proceedings, p=p, as_of=dt.date(2026, 4, 1))
        may.append(proceedings)
    forecast(model, may[3], p=0.6, as_of=dt.date(2026, 5, 1))  # the latest made before its day: 0.6
    # A forecast made on the day itself is too late to count (a later one, 0.99, is ignored).
    forecast(model, may[4], p=0.99, as_of=dt.date(2026, 5, 14))
    for p in (0.7, 0.4):
        forecast(model, application(la_a, day=dt.date(2026, 7, 20)), p=p, as_of=dt.date(2026, 6, 1))
    gone = application(la_a, day=dt.date(2026, 7, 21), concluded=dt.date(2026, 6, 10))
    forecast(model, gone, p=0.9, as_of=dt.date(2026, 6, 1))
    return model


def test_it_works_out_forecast_against_outturn_by_hand(la_a, essex_cases):
    result = display.outturn(past=[MAY], ahead=[JULY], as_at=TODAY, exact=[("la", la_a.pk)])
    may = result.rows("la", la_a.pk)[0]
    july = result.rows("la", la_a.pk)[1]
    # May: 5 applications; forecast 0.9 + 0.8 + 0.5 + 0.6 + 0.2 = 3.0; passed: the two never concluded and
    # the one concluded on 1 June, after its day (10, 11 and 13 May): 3.
    assert may.cases == 5
    assert may.expected == Decimal("3.0")
    assert may.happened == 3
    # July: the two open ones (0.7 + 0.4 = 1.1); the one concluded on 10 June no longer counts.
    assert july.cases == 2
    assert july.expected == Decimal("1.1")
    assert july.happened is None
    assert july.happened_text == "Not yet known"


def compute():
    """The dashboard shows figures once a metrics run has stored a month."""
    metrics.metrics_compute(window=metrics.Window(MAY, MAY, TODAY))


def test_it_shows_an_la_user_their_own_forecast_against_outturn_exactly(client, la_a, chair, essex_cases):
    compute()
    sign_in(client, chair)
    response = client.get(reverse("dashboard"))
    rows = {row.month: row for row in response.context["forecast_rows"]}
    assert (rows[MAY].cases_text, rows[MAY].expected_text, rows[MAY].happened_text) == ("5", "3.0", "3")
    assert (rows[JULY].cases_text, rows[JULY].expected_text) == ("2", "1.1")


def suppression_cases(la_a, la_b):
    """May 2026: Essex 3 applications (all passed), Suffolk 7 (all passed). Region 10."""
    model = stored_model()
    for n in range(3):
        forecast(model, application(la_a, day=dt.date(2026, 5, 10 + n)), p=0.5, as_of=dt.date(2026, 4, 1))
    for n in range(7):
        forecast(model, application(la_b, day=dt.date(2026, 5, 10 + n)), p=0.5, as_of=dt.date(2026, 4, 1))
    return model


def test_it_suppresses_a_small_count_and_what_would_give_it_away(la_a, la_b):
    suppression_cases(la_a, la_b)
    result = display.outturn(past=[MAY], ahead=[], as_at=TODAY)
    essex, suffolk, region = (
        result.rows("la", la_a.pk)[0],
        result.rows("la", la_b.pk)[0],
        result.rows("region", None)[0],
    )
    # Essex's 3 is a count from 1 to 4, and so its forecast (built on 3 applications) is withheld.
    assert (essex.cases, essex.expected, essex.happened) == (SUPPRESSED, SUPPRESSED, SUPPRESSED)
    # The region's 10 less Suffolk's 7 would give Essex's 3 away: Suffolk's are withheld too.
    assert (suffolk.cases, suffolk.expected, suffolk.happened) == (SUPPRESSED, SUPPRESSED, SUPPRESSED)
    # Suffolk knows its own 7: the region's 10 would give Essex's 3 away to Suffolk, so it is withheld too.
    assert (region.cases, region.expected, region.happened) == (SUPPRESSED, SUPPRESSED, SUPPRESSED)
    assert essex.cases_text == "[c]"
    # Essex's own staff see Essex exactly.
    own = display.outturn(past=[MAY], ahead=[], as_at=TODAY, exact=[("la", la_a.pk)]).rows("la", la_a.pk)[0]
    assert (own.cases, own.expected, own.happened) == (3, Decimal("1.5"), 3)


def test_it_sends_an_analyst_to_the_board_pack_for_the_regions_forecast(client, la_a, la_b, analyst):
    # Regional figures need every LA's forecasts: never read in a request (row-level security), only
    # overnight for the pack.
    suppression_cases(la_a, la_b)
    compute()
    sign_in(client, analyst)
    response = client.get(reverse("dashboard"), {"s": f"la:{la_a.pk}"})
    assert "forecast_rows" not in response.context
    page = response.content.decode()
    assert 'id="dashboard-forecast-in-pack"' in page
    assert "Forecast to pass 26 weeks" not in page


def pack_text(month: dt.date, tmp_path) -> str:
    rendered = board_packs.board_pack_render(month=month)
    path = tmp_path / "pack.pdf"
    path.write_bytes(rendered.content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def forecast_page(text: str) -> str:
    """The pack's "Forecast against outturn" page: from its heading (not the contents line) to the next page's."""
    start = re.search(r"^\s*Forecast against outturn\s*$", text, re.M).start()
    end = re.search(r"^\s*Data quality\s*$", text[start:], re.M).start()
    return text[start : start + end]


def test_it_prints_forecast_against_outturn_in_the_board_pack_suppressed(la_a, la_b, tmp_path):
    suppression_cases(la_a, la_b)
    text = pack_text(MAY, tmp_path)
    page = forecast_page(text)
    region_table = page[page.index("Region: breaches") : page.index("By local authority")]
    region = re.search(r"^\s*May 2026\s+(\S+)\s+(\S+)\s+(\S+)", region_table, re.M)
    assert region.groups() == ("[c]", "[c]", "[c]")  # as worked out in the test above
    # By LA: Essex and Suffolk withheld, every LA's "forecast / passed".
    by_la = page[page.index("By local authority") :]
    may = next(line for line in by_la.splitlines() if line.strip().startswith("May 2026"))
    assert may.count("[c] / [c]") == 2
    assert "[c]: suppressed" in page


def test_it_says_the_forecast_is_not_shown_everywhere_with_no_figure(client, la_a, la_b, chair, tmp_path):
    model = suppression_cases(la_a, la_b)
    note = "The model was no better than the baseline on the backtest: the forecast is not shown."
    ForecastModel.objects.filter(pk=model.pk).update(shown=False, note=note)
    text = pack_text(MAY, tmp_path)
    page = re.sub(r"\s+", " ", forecast_page(text))
    assert "The breach forecast is not shown." in page
    assert note in page
    assert "5.0" not in page
    assert "[c]" not in page
    assert "Applications reaching 26 weeks" not in page
    compute()
    sign_in(client, chair)
    response = client.get(reverse("dashboard"))
    content = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
    assert "The breach forecast is not shown." in content
    assert note in content
    assert "forecast_rows" not in response.context
    assert "Applications reaching 26 weeks" not in content
