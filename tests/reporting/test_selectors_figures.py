"""The small-number rule, written once in ``reporting.selectors``: what a viewer may see of each figure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import thresholds
from reporting import selectors
from reporting.charts import SUPPRESSED
from reporting.models import MetricRun, MetricValue, ScopeType

D = dt.date
MARCH = D(2026, 3, 1)


def figures(values: dict, cases: dict | None = None, *, exact=(), threshold: int = 5) -> selectors.Figures:
    """Figures for Essex (scope id 1) in March from {(metric, dimension): value}."""
    return selectors.Figures(
        values={(metric, "la", 1, dimension, MARCH): Decimal(v) for (metric, dimension), v in values.items()},
        cases={(metric, "la", 1, dimension, MARCH): Decimal(v) for (metric, dimension), v in (cases or {}).items()},
        threshold=threshold,
        exact=frozenset(exact),
    )


@pytest.mark.parametrize(("count", "shown"), [(0, Decimal(0)), (1, SUPPRESSED), (4, SUPPRESSED), (5, Decimal(5))])
def test_it_suppresses_counts_from_one_to_the_threshold_minus_one(count, shown):
    assert figures({("s31_concluded", ""): count}).shown("s31_concluded", "la", 1, MARCH) == shown


def test_it_suppresses_a_count_in_a_breakdown_too():
    shown = figures({("s31_duration_band", "le26"): 2, ("s31_duration_band", "ge30"): 7})
    assert shown.shown("s31_duration_band", "la", 1, MARCH, "le26") is SUPPRESSED
    assert shown.shown("s31_duration_band", "la", 1, MARCH, "ge30") == 7


@pytest.mark.parametrize(("cases", "shown"), [(4, SUPPRESSED), (5, Decimal("27.1"))])
def test_it_suppresses_an_average_built_on_fewer_cases_than_the_threshold(cases, shown):
    mean = figures({("s31_duration_mean", ""): "27.1"}, {("s31_duration_mean", ""): cases})
    assert mean.shown("s31_duration_mean", "la", 1, MARCH) == shown


def test_it_counts_the_cases_of_a_rate_from_what_it_is_built_on():
    # Step-down rate: 1 of 2 stepped down or issued, whatever the number of other outcomes.
    rate = figures({("pp_step_down_rate", ""): 50, ("pp_decided", ""): 9}, {("pp_step_down_rate", ""): 2})
    assert rate.shown("pp_step_down_rate", "la", 1, MARCH) is SUPPRESSED


@pytest.mark.parametrize(
    ("applications", "shown"), [(0, Decimal(0)), (1, SUPPRESSED), (4, SUPPRESSED), (5, Decimal("1.6"))]
)
def test_it_shows_a_rate_built_on_no_case_as_it_is_and_suppresses_one_built_on_a_few(applications, shown):
    # No application in 12 months is a rate of 0, which gives no child away (as a count of 0 does not).
    value = Decimal(0) if applications == 0 else Decimal("1.6")
    rate = figures({("s31_application_rate", ""): value}, {("s31_application_rate", ""): applications})
    assert rate.shown("s31_application_rate", "la", 1, MARCH) == shown


def test_it_shows_no_data_as_no_data_and_a_missing_count_as_zero():
    empty = figures({})
    assert empty.shown("s31_duration_mean", "la", 1, MARCH) is None
    assert empty.shown("s31_concluded", "la", 1, MARCH) == 0


def test_it_shows_exact_figures_for_the_scopes_named_exact():
    exact = figures(
        {("s31_concluded", ""): 1, ("s31_duration_mean", ""): "67.6"},
        {("s31_duration_mean", ""): 1},
        exact=[("la", 1)],
    )
    assert exact.shown("s31_concluded", "la", 1, MARCH) == 1
    assert exact.shown("s31_duration_mean", "la", 1, MARCH) == Decimal("67.6")


def test_it_takes_the_threshold_from_the_setting(settings):
    settings.PLO_SMALL_NUMBER_THRESHOLD = 3
    assert selectors.small_number_threshold() == 3
    assert figures({("s31_concluded", ""): 3}, threshold=3).shown("s31_concluded", "la", 1, MARCH) == 3
    assert figures({("s31_concluded", ""): 2}, threshold=3).shown("s31_concluded", "la", 1, MARCH) is SUPPRESSED


@pytest.mark.django_db
def test_it_reads_the_cases_a_rate_is_built_on_from_the_stored_row(la_a):
    run = MetricRun.objects.create(status=MetricRun.Status.SUCCEEDED)

    def row(metric, value, numerator, denominator):
        MetricValue.objects.create(
            run=run,
            period=MARCH,
            metric=metric,
            scope_type=ScopeType.LA,
            scope_id=la_a.pk,
            local_authority=la_a,
            value=value,
            numerator=numerator,
            denominator=denominator,
        )

    # A rate per 10,000 children is built on its numerator (applications), not the population.
    row("s31_application_rate", Decimal("0.9"), 3, 317043)
    # A mean is built on its denominator (applications concluded).
    row("s31_duration_mean", Decimal("30.0"), Decimal("180.0"), 6)
    pack = selectors.board_pack_figures(month=MARCH, today=timezone.localdate(), limits=thresholds.current())
    assert pack.shown("s31_application_rate", "la", la_a.pk, MARCH) is SUPPRESSED
    assert pack.shown("s31_duration_mean", "la", la_a.pk, MARCH) == Decimal("30.0")


@pytest.mark.django_db
def test_it_gives_exact_figures_only_to_the_las_own_staff_for_their_own_la(chair, analyst, other_la_user, la_a):
    scopes = selectors.scopes_for(chair)
    own_la, own_area, own_team = scopes[0], scopes[1], scopes[-1]
    assert (own_la.type, own_area.type, own_team.type) == (ScopeType.LA, ScopeType.AREA, ScopeType.TEAM)
    assert all(selectors.sees_exact_figures(chair, scope) for scope in (own_la, own_area, own_team))
    assert not selectors.sees_exact_figures(other_la_user, own_la)
    region, *las = selectors.scopes_for(analyst)
    assert region.type == ScopeType.REGION
    assert not selectors.sees_exact_figures(chair, region)
    assert not any(selectors.sees_exact_figures(analyst, scope) for scope in [region, *las])
