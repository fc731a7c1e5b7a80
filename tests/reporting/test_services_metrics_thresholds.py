"""The metrics measure against the Threshold table: move a threshold, recompute, and the figure moves.

March 2026 (last day 31 March), computed as if today were 15 April 2026, for Essex. Every figure
is worked out by hand from the reference thresholds (26-week limit = 182 days, 8-week extensions =
56 days, IRH by week 20 = 140 days, Cafcass long band 30 weeks = 210 days, local pre-proceedings
threshold 16 weeks = 112 days) and again with one of them moved.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from cases import models as m
from reporting.models import MetricRun, MetricValue
from reporting.services import metrics
from tests import factories as f

pytestmark = pytest.mark.django_db

D = dt.date
MARCH = D(2026, 3, 1)
LAST_DAY = D(2026, 3, 31)
CONCLUDED = D(2026, 3, 20)
WINDOW = metrics.Window(first=MARCH, last=MARCH, as_of=D(2026, 4, 15))


@pytest.fixture
def cases(la_a):
    irh = m.HearingType.objects.get(code="irh")

    def proceedings(*, days: int, concluded: bool = False, irh_listed: bool = False, extensions: int = 0):
        """An application ``days`` old when it concluded on 20 March, or at 31 March when still open."""
        end = CONCLUDED if concluded else LAST_DAY
        p = f.ProceedingsFactory(
            family=f.FamilyFactory(local_authority=la_a),
            issue_date=end - dt.timedelta(days=days),
            concluded_date=end if concluded else None,
        )
        part = f.ChildProceedingsFactory(proceedings=p)
        if irh_listed:
            f.HearingFactory(proceedings=p, hearing_type=irh, listed_date=D(2026, 4, 20), status="listed")
        for n in range(extensions):
            f.ExtensionFactory(
                child_proceedings=part, granted_date=D(2026, 1, 5) + dt.timedelta(days=n), new_end_date=D(2026, 5, 4)
            )
        return p

    proceedings(days=185, concluded=True)  # A: 26.4 weeks
    proceedings(days=212, concluded=True)  # B: 30.3 weeks
    proceedings(days=185, irh_listed=True)  # C: open, IRH listed, no extension
    proceedings(days=240, irh_listed=True, extensions=1)  # D: open, IRH listed, one extension
    proceedings(days=145)  # E: open, no IRH

    def episode(*, days: int, decided: bool):
        end = D(2026, 3, 16) if decided else LAST_DAY
        start = end - dt.timedelta(days=days)
        family = f.FamilyFactory(local_authority=la_a)
        f.EpisodeFactory(
            family=family,
            gateway_meeting_date=start,
            start_date=start,
            step_decision_date=end if decided else None,
            outcome="step_down" if decided else "",
        )

    episode(days=115, decided=True)  # 16.4 weeks
    episode(days=115, decided=False)
    return la_a


def figure(la, metric: str, dimension: str = "") -> Decimal:
    run = metrics.metrics_compute(window=WINDOW, trigger=MetricRun.Trigger.TEST)
    assert run.status == MetricRun.Status.SUCCEEDED, run.error
    return MetricValue.objects.get(
        metric=metric, scope_type="la", scope_id=la.pk, period=MARCH, dimension=dimension
    ).value


@pytest.mark.parametrize(
    ("code", "moved_to", "metric", "dimension", "before", "after"),
    [
        # Limit 182 days: A (185) and B (212) both over, 0%. Limit 27 weeks = 189 days: A within, 1 of 2.
        ("s31_limit_weeks", 27, "s31_within_26_share", "", 0, 50),
        ("s31_limit_weeks", 27, "s31_duration_band", "le26", 0, 1),
        ("s31_limit_weeks", 27, "s31_duration_band", "27_29", 1, 0),
        # Past: C 185 > 182 and D 240 > 182 + 56 = 238. With 189: C 185 and D 240 <= 189 + 56 = 245, neither.
        ("s31_limit_weeks", 27, "s31_past_limit", "", 2, 0),
        # At risk: E (145 days, no IRH). With 189: D (240 >= 189, not past) too; C (185) is not yet 189 weeks old
        # but its IRH (20 April) is after its timetable's end, 27 September 2025 + 189 days = 4 April 2026.
        ("s31_limit_weeks", 27, "s31_at_risk", "", 1, 3),
        # Timetabled beyond: C and D are past the limit, E has no hearing: none. With 189 days: C (end 4 April) and
        # D (end 3 August 2025 + 189 + 56 days = 5 April 2026) both have the IRH on 20 April listed beyond.
        ("s31_limit_weeks", 27, "s31_timetabled_beyond", "", 0, 2),
        # Extensions of 9 weeks = 63 days: D 240 <= 182 + 63 = 245, no longer past but at risk (240 >= 182).
        ("extension_max_weeks", 9, "s31_past_limit", "", 2, 1),
        ("extension_max_weeks", 9, "s31_at_risk", "", 1, 2),
        # ...and its IRH (20 April) is after its end, 3 August 2025 + 245 days = 5 April 2026: timetabled beyond.
        ("extension_max_weeks", 9, "s31_timetabled_beyond", "", 0, 1),
        # IRH by week 21 = 147 days: E (145) is no longer at risk.
        ("irh_by_week", 21, "s31_at_risk", "", 1, 0),
        # Long band 31 weeks = 217 days: B (212) moves from 30 or more to the middle band.
        ("s31_band_long_weeks", 31, "s31_duration_band", "ge30", 1, 0),
        ("s31_band_long_weeks", 31, "s31_duration_band", "27_29", 1, 2),
        # Local threshold 17 weeks = 119 days: neither 115-day episode is over it.
        ("pp_threshold_weeks", 17, "pp_open_over_threshold", "", 1, 0),
        ("pp_threshold_weeks", 17, "pp_over_threshold_share", "", 100, 0),
    ],
)
def test_it_measures_against_the_thresholds_in_the_reference_table(
    cases, code, moved_to, metric, dimension, before, after
):
    assert figure(cases, metric, dimension) == before
    m.Threshold.objects.filter(code=code).update(value=moved_to)
    assert figure(cases, metric, dimension) == after


def test_it_fails_the_run_and_keeps_the_figures_when_a_threshold_is_missing(cases):
    assert figure(cases, "s31_within_26_share") == 0
    m.Threshold.objects.filter(code="s31_band_long_weeks").delete()
    with pytest.raises(Exception, match="s31_band_long_weeks"):
        metrics.metrics_compute(window=WINDOW, trigger=MetricRun.Trigger.TEST)
    failed = MetricRun.objects.order_by("-pk").first()
    assert failed.status == MetricRun.Status.FAILED
    assert "s31_band_long_weeks" in failed.error
    assert MetricValue.objects.filter(metric="s31_within_26_share", period=MARCH).exists()
